/// The rule that updates a loss scale after each step of ``TrainOneStepWithLossScaleCell``, MindSpore's
/// `scale_sense` cells: ``FixedLossScaleUpdateCell`` (the scale never changes) and
/// ``DynamicLossScaleUpdateCell`` (it shrinks on overflow and grows after a window of good steps).
///
/// ```swift
/// let manager = try DynamicLossScaleUpdateCell(lossScaleValue: 65536, scaleFactor: 2, scaleWindow: 1000)
/// manager.getLossScale()   // 65536
/// ```
public class LossScaleUpdateCell: Cell, @unchecked Sendable {
    /// The initial loss scale (MindSpore's `loss_scale_value`).
    public let lossScaleValue: Double

    init(checkedLossScaleValue lossScaleValue: Double) {
        self.lossScaleValue = lossScaleValue
        super.init()
    }

    static func check(lossScaleValue: Double, cell: String) throws {
        guard lossScaleValue.isFinite, lossScaleValue > 0, Float(lossScaleValue).isFinite else {
            throw OptimizerError.invalidArgument(optimizer: cell, argument: "lossScaleValue", value: "\(lossScaleValue)",
                                                 expected: "a finite number > 0 that float32 can hold")
        }
    }

    /// The initial loss scale (MindSpore's `get_loss_scale()`).
    ///
    /// ```swift
    /// try FixedLossScaleUpdateCell(lossScaleValue: 1024).getLossScale()   // 1024
    /// ```
    public func getLossScale() -> Double { lossScaleValue }

    /// The scale after a step that did (or did not) overflow, and the change of the cell's own state to apply once
    /// the step has succeeded. Computes, changes nothing.
    func planned(after scale: Float, overflow: Bool) -> (scale: Float, commit: @Sendable () -> Void) { (scale, {}) }

    /// Throws if the cell's own state was replaced by something it cannot use (checked before every step).
    func checkState() throws {}
}

/// MindSpore's `nn.FixedLossScaleUpdateCell`: the scale stays at `lossScaleValue`; a step whose gradients
/// overflow is still skipped.
///
/// ```swift
/// let train = try TrainOneStepWithLossScaleCell(netWithLoss, optimizer: opt,
///                                               scaleSense: FixedLossScaleUpdateCell(lossScaleValue: 1024))
/// ```
public final class FixedLossScaleUpdateCell: LossScaleUpdateCell, @unchecked Sendable {
    /// A fixed scale. Throws ``OptimizerError/invalidArgument(optimizer:argument:value:expected:)`` unless
    /// `lossScaleValue` is finite, > 0 and within float32's range.
    ///
    /// ```swift
    /// let fixed = try FixedLossScaleUpdateCell(lossScaleValue: 128)
    /// ```
    public convenience init(lossScaleValue: Double) throws {
        try Self.check(lossScaleValue: lossScaleValue, cell: "FixedLossScaleUpdateCell")
        self.init(checkedLossScaleValue: lossScaleValue)
    }

    override init(checkedLossScaleValue lossScaleValue: Double) { super.init(checkedLossScaleValue: lossScaleValue) }
}

/// MindSpore's `nn.DynamicLossScaleUpdateCell`, computed in float32 and int32 as MindSpore does. Its state is two
/// counters, `current_iterator_step` (starts at 1) and `last_overflow_iterator_step` (starts at 0); after each step:
///
/// - on overflow: scale ← max(scale · (1/scaleFactor), 1);
/// - `grow` = scaleWindow ≤ current − lastOverflow; on overflow or `grow`: lastOverflow ← current;
/// - `grow` without overflow: scale ← scale · scaleFactor;
/// - current ← current + 1.
///
/// So the scale grows after `scaleWindow` steps without overflow, counted from the last overflow or growth.
/// The counters are parameters (int32, shape []) saved in checkpoints under MindSpore's names.
///
/// ```swift
/// let dynamic = try DynamicLossScaleUpdateCell(lossScaleValue: 65536, scaleFactor: 2, scaleWindow: 1000)
/// let train = try TrainOneStepWithLossScaleCell(netWithLoss, optimizer: opt, scaleSense: dynamic)
/// ```
public final class DynamicLossScaleUpdateCell: LossScaleUpdateCell, @unchecked Sendable {
    /// The factor the scale is divided by on overflow and multiplied by after a good window.
    public let scaleFactor: Double
    /// The number of steps without overflow after which the scale grows.
    public let scaleWindow: Int
    /// MindSpore's `cur_iter` (`current_iterator_step`, int32 [], starts at 1).
    public let curIter: Parameter
    /// MindSpore's `last_overflow_iter` (`last_overflow_iterator_step`, int32 [], starts at 0).
    public let lastOverflowIter: Parameter

    /// Throws ``OptimizerError/invalidArgument(optimizer:argument:value:expected:)`` unless `lossScaleValue` is
    /// finite and > 0 (in float32's range), `scaleFactor` finite and ≥ 1, and `scaleWindow` in 1…Int32.max
    /// (MindSpore's `DynamicLossScaleManager` checks the same).
    ///
    /// ```swift
    /// let dynamic = try DynamicLossScaleUpdateCell(lossScaleValue: 16_777_216, scaleFactor: 2, scaleWindow: 2000)
    /// ```
    public convenience init(lossScaleValue: Double, scaleFactor: Double, scaleWindow: Int) throws {
        let cell = "DynamicLossScaleUpdateCell"
        try Self.check(lossScaleValue: lossScaleValue, cell: cell)
        guard scaleFactor.isFinite, scaleFactor >= 1, Float(scaleFactor).isFinite else {
            throw OptimizerError.invalidArgument(optimizer: cell, argument: "scaleFactor", value: "\(scaleFactor)", expected: "a finite number ≥ 1")
        }
        guard scaleWindow >= 1, scaleWindow <= Int(Int32.max) else {
            throw OptimizerError.invalidArgument(optimizer: cell, argument: "scaleWindow", value: "\(scaleWindow)", expected: "an integer in 1...\(Int32.max)")
        }
        self.init(checkedLossScaleValue: lossScaleValue, scaleFactor: scaleFactor, scaleWindow: scaleWindow)
    }

    init(checkedLossScaleValue lossScaleValue: Double, scaleFactor: Double, scaleWindow: Int) {
        self.scaleFactor = scaleFactor
        self.scaleWindow = scaleWindow
        curIter = Parameter(Tensor.fromArray([Int32(1)], shape: []), name: "current_iterator_step", requiresGrad: false)
        lastOverflowIter = Parameter(Tensor.fromArray([Int32(0)], shape: []), name: "last_overflow_iterator_step", requiresGrad: false)
        super.init(checkedLossScaleValue: lossScaleValue)
    }

    override func checkState() throws {
        for p in [curIter, lastOverflowIter] where p.dtype != .int32 || p.shape != [] {
            throw OptimizerError.invalidArgument(optimizer: "DynamicLossScaleUpdateCell", argument: p.name,
                                                 value: "a \(p.dtype) tensor of shape \(p.shape)", expected: "an int32 tensor of shape []")
        }
    }

    override func planned(after scale: Float, overflow: Bool) -> (scale: Float, commit: @Sendable () -> Void) {
        let current = curIter.storedValue.item(as: Int32.self), last = lastOverflowIter.storedValue.item(as: Int32.self)
        let factor = Float(scaleFactor)
        let onOverflow = overflow ? Swift.max(scale * (1 / factor), 1) : scale
        let grow = Int32(scaleWindow) <= current &- last
        let newLast = overflow || grow ? current : last
        let newScale = grow && !overflow ? onOverflow * factor : onOverflow
        let (currentParameter, lastParameter) = (curIter, lastOverflowIter)
        return (newScale, {
            lastParameter.replaceStoredValue(with: Tensor.fromArray([newLast], shape: []))
            currentParameter.replaceStoredValue(with: Tensor.fromArray([current &+ 1], shape: []))
        })
    }

    /// `DynamicLossScaleUpdateCell(loss_scale_value=…, scale_factor=…, scale_window=…)`.
    public override var description: String {
        "DynamicLossScaleUpdateCell(loss_scale_value=\(lossScaleValue), scale_factor=\(scaleFactor), scale_window=\(scaleWindow))"
    }
}

/// MindSpore's `amp.FixedLossScaleManager`: a fixed loss scale. With `dropOverflowUpdate` (MindSpore's default)
/// its ``getUpdateCell()`` is a ``FixedLossScaleUpdateCell``, so a step that overflows is skipped; without it,
/// MindSpore trains with a plain `TrainOneStepCell(sens=loss_scale)` and the optimizer's `loss_scale`, which
/// TapeGrad spells `TrainOneStepCell(…, sens: lossScale)` followed by gradients divided by the scale
/// (``getUpdateCell()`` is nil).
///
/// ```swift
/// let manager = try FixedLossScaleManager(lossScale: 128)
/// let train = try TrainOneStepWithLossScaleCell(netWithLoss, optimizer: opt, scaleSense: manager.getUpdateCell()!)
/// ```
public struct FixedLossScaleManager: Sendable {
    /// The scale (MindSpore's `loss_scale`, 128 by default).
    public let lossScale: Double
    /// Whether a step that overflows is skipped (MindSpore's `drop_overflow_update`).
    public let dropOverflowUpdate: Bool

    /// Throws ``OptimizerError/invalidArgument(optimizer:argument:value:expected:)`` for a `lossScale` below 1
    /// or not finite (MindSpore: ValueError).
    ///
    /// ```swift
    /// let manager = try FixedLossScaleManager(lossScale: 1024, dropOverflowUpdate: true)
    /// ```
    public init(lossScale: Double = 128, dropOverflowUpdate: Bool = true) throws {
        guard lossScale.isFinite, lossScale >= 1, Float(lossScale).isFinite else {
            throw OptimizerError.invalidArgument(optimizer: "FixedLossScaleManager", argument: "lossScale", value: "\(lossScale)", expected: "a finite number ≥ 1")
        }
        self.lossScale = lossScale
        self.dropOverflowUpdate = dropOverflowUpdate
    }

    /// MindSpore's `get_update_cell()`: a ``FixedLossScaleUpdateCell`` with `dropOverflowUpdate`, else nil.
    ///
    /// ```swift
    /// let cell = try FixedLossScaleManager(lossScale: 1024).getUpdateCell()   // FixedLossScaleUpdateCell
    /// ```
    public func getUpdateCell() -> FixedLossScaleUpdateCell? {
        dropOverflowUpdate ? FixedLossScaleUpdateCell(checkedLossScaleValue: lossScale) : nil
    }
}

/// MindSpore's `amp.DynamicLossScaleManager` (defaults `initLossScale: 2²⁴, scaleFactor: 2, scaleWindow: 2000`):
/// its ``getUpdateCell()`` is the ``DynamicLossScaleUpdateCell`` that ``TrainOneStepWithLossScaleCell`` runs.
///
/// ```swift
/// let manager = try DynamicLossScaleManager(initLossScale: 65536, scaleWindow: 500)
/// let train = try TrainOneStepWithLossScaleCell(netWithLoss, optimizer: opt, scaleSense: manager.getUpdateCell())
/// ```
public struct DynamicLossScaleManager: Sendable {
    /// The initial scale.
    public let initLossScale: Double
    /// The factor of each decrease and increase.
    public let scaleFactor: Double
    /// The number of good steps before an increase.
    public let scaleWindow: Int

    /// Throws ``OptimizerError/invalidArgument(optimizer:argument:value:expected:)`` for an `initLossScale` below
    /// 1, a `scaleFactor` below 1 or a `scaleWindow` below 1 (MindSpore: ValueError).
    ///
    /// ```swift
    /// let manager = try DynamicLossScaleManager()   // 2²⁴, ×2, every 2000 good steps
    /// ```
    public init(initLossScale: Double = 16_777_216, scaleFactor: Double = 2, scaleWindow: Int = 2000) throws {
        guard initLossScale >= 1 else {
            throw OptimizerError.invalidArgument(optimizer: "DynamicLossScaleManager", argument: "initLossScale", value: "\(initLossScale)", expected: "a finite number ≥ 1")
        }
        _ = try DynamicLossScaleUpdateCell(lossScaleValue: initLossScale, scaleFactor: scaleFactor, scaleWindow: scaleWindow)
        self.initLossScale = initLossScale
        self.scaleFactor = scaleFactor
        self.scaleWindow = scaleWindow
    }

    /// MindSpore's `get_update_cell()`: a fresh ``DynamicLossScaleUpdateCell`` with these settings.
    ///
    /// ```swift
    /// let cell = try DynamicLossScaleManager(initLossScale: 1024).getUpdateCell()
    /// ```
    public func getUpdateCell() -> DynamicLossScaleUpdateCell {
        DynamicLossScaleUpdateCell(checkedLossScaleValue: initLossScale, scaleFactor: scaleFactor, scaleWindow: scaleWindow)
    }
}
