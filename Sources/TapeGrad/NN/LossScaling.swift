/// What one step of ``TrainOneStepWithLossScaleCell`` returns, MindSpore's `(loss, cond, scaling_sens)`.
///
/// ```swift
/// let train = try TrainOneStepWithLossScaleCell(netWithLoss, optimizer: opt, scaleSense: FixedLossScaleUpdateCell(lossScaleValue: 1024))
/// let result = try train.step(inputs, labels)
/// if result.overflow { print("skipped; the scale is now", result.scaleSense) }
/// ```
public struct LossScaleStep: Sendable {
    /// The loss of the forward pass (unscaled).
    public let loss: Tensor
    /// Whether a gradient was not finite, so the update was skipped (MindSpore's `cond`).
    public let overflow: Bool
    /// The loss scale after the step (MindSpore returns its `scale_sense` parameter, which by then holds it).
    public let scaleSense: Double
}

/// One training step with loss scaling, MindSpore's `nn.TrainOneStepWithLossScaleCell`. A call:
///
/// 1. runs the network forward and backpropagates the scale: the backward pass is seeded with
///    `ones_like(loss) · scale` (cast to the loss's dtype), so the gradients are ∂(scale · loss)/∂p;
/// 2. divides every gradient by the scale (multiplies by the reciprocal, computed in the scale's dtype);
/// 3. checks for overflow: any gradient element that is not finite;
/// 4. lets the update cell compute the next scale (``DynamicLossScaleUpdateCell``, ``FixedLossScaleUpdateCell``);
/// 5. without overflow, clips the gradients (`clipping`, if given) and updates the parameters with the optimizer;
///    with overflow, skips the update: no parameter and no optimizer state changes (its `global_step` does not
///    advance either).
///
/// Clipping comes after the overflow check (MindSpore's cell does not clip; its model-zoo cells unscale, clip
/// and then check): a clip by value would otherwise turn an infinite gradient into a finite one and hide the
/// overflow. For a clip by global norm the two orders give the same result.
///
/// The scale is a parameter named `scale_sense` (float32, shape [], not trainable) and a dynamic update cell's
/// counters are `current_iterator_step` and `last_overflow_iterator_step` (int32, shape []), so
/// `Checkpoint.save(train, optimizer: opt, to: url)` saves them with the network under MindSpore's names and a
/// resumed run continues bit-identically.
///
/// Threading: concurrent calls of ``step(_:)`` on one cell run one after another (the scale is read, used and
/// advanced under one lock).
///
/// Transactions: a step that throws (a bad input, an optimizer error) changes nothing — no parameter, optimizer
/// slot, scale or counter, and the forward's BatchNorm statistics and Dropout draws are rolled back. A step that
/// overflows does not throw: it returns `overflow: true` with the scale updated, and keeps the forward's state
/// changes, as MindSpore's forward pass has run.
///
/// ```swift
/// let opt = Momentum(params: net.trainableParams(), learningRate: 0.01, momentum: 0.9)
/// let train = try TrainOneStepWithLossScaleCell(WithLossCell(net, MSELoss()), optimizer: opt,
///     scaleSense: DynamicLossScaleUpdateCell(lossScaleValue: 65536, scaleFactor: 2, scaleWindow: 1000))
/// let result = try train.step(inputs, labels)   // result.loss, result.overflow, result.scaleSense
/// ```
public final class TrainOneStepWithLossScaleCell: Cell, @unchecked Sendable {
    /// The network with its loss.
    public let network: Cell
    /// The optimizer that owns the parameters being trained.
    public let optimizer: Optimizer
    /// The loss scale (MindSpore's `scale_sense` parameter).
    public let scaleSense: Parameter
    /// The rule that updates the scale after each step (MindSpore's `loss_scaling_manager`); nil for a scale
    /// given as a tensor, which only ``setSenseScale(_:)`` changes.
    public let lossScalingManager: LossScaleUpdateCell?
    /// The clipping applied to the unscaled gradients of a step that did not overflow (none by default).
    public let clipping: GradientClipping?
    private let _stepLock = Lock()

    /// Wraps `network` (a cell whose output is the loss) and `optimizer`, with the scale and its update rule
    /// given by `scaleSense`. Throws what ``Optimizer/validate()`` or ``GradientClipping/validate()`` find wrong.
    ///
    /// ```swift
    /// let train = try TrainOneStepWithLossScaleCell(netWithLoss, optimizer: opt,
    ///                                               scaleSense: DynamicLossScaleManager(initLossScale: 1024).getUpdateCell())
    /// ```
    public init(_ network: Cell, optimizer: Optimizer, scaleSense: LossScaleUpdateCell, clipping: GradientClipping? = nil) throws {
        try clipping?.validate()
        try optimizer.validate()
        self.network = network
        self.optimizer = optimizer
        self.scaleSense = Parameter(Tensor.full([], value: Double(Float(scaleSense.lossScaleValue)), dtype: .float32),
                                    name: "scale_sense", requiresGrad: false)
        self.lossScalingManager = scaleSense
        self.clipping = clipping
        super.init()
    }

    /// Wraps `network` and `optimizer` with a scale given as a tensor (MindSpore's `scale_sense=Tensor`): a
    /// floating-point tensor of shape [] or [1] holding a finite number > 0. The scale does not change by itself
    /// (update it with ``setSenseScale(_:)``); a step that overflows is still skipped. Throws
    /// ``OptimizerError/invalidArgument(optimizer:argument:value:expected:)`` for any other `scaleSense`.
    ///
    /// ```swift
    /// let train = try TrainOneStepWithLossScaleCell(netWithLoss, optimizer: opt, scaleSense: Tensor(Float(1024)))
    /// ```
    public init(_ network: Cell, optimizer: Optimizer, scaleSense: Tensor, clipping: GradientClipping? = nil) throws {
        try Self.checkScale(scaleSense, shape: nil, dtype: nil)
        try clipping?.validate()
        try optimizer.validate()
        self.network = network
        self.optimizer = optimizer
        self.scaleSense = Parameter(scaleSense, name: "scale_sense", requiresGrad: false)
        self.lossScalingManager = nil
        self.clipping = clipping
        super.init()
    }

    /// MindSpore's `auto_prefix=False`: the network's parameters and the scale keep their names.
    public override var autoPrefix: Bool { false }

    /// Replaces the scale (MindSpore's `set_sense_scale`): `sens` must have the scale's shape and dtype and hold
    /// a finite number > 0, else ``OptimizerError/invalidArgument(optimizer:argument:value:expected:)``.
    ///
    /// ```swift
    /// let train = try TrainOneStepWithLossScaleCell(netWithLoss, optimizer: opt, scaleSense: Tensor(Float(1024)))
    /// try train.setSenseScale(Tensor(Float(512)))
    /// ```
    public func setSenseScale(_ sens: Tensor) throws {
        let current = scaleSense.storedValue
        try Self.checkScale(sens, shape: current.shape, dtype: current.dtype)
        scaleSense.replaceStoredValue(with: sens)
    }

    private static func checkScale(_ t: Tensor, shape: [Int]?, dtype: DType?) throws {
        let fail = { (expected: String) in
            OptimizerError.invalidArgument(optimizer: "TrainOneStepWithLossScaleCell", argument: "scaleSense",
                                           value: "a \(t.dtype) tensor of shape \(t.shape)", expected: expected)
        }
        if let shape, let dtype, t.shape != shape || t.dtype != dtype { throw fail("a \(dtype) tensor of shape \(shape)") }
        guard t.shape == [] || t.shape == [1], t.dtype.isFloatingPoint else { throw fail("a floating-point tensor of shape [] or [1]") }
        let value = t.astype(.float64).scalars[0]
        guard value.isFinite, value > 0 else {
            throw OptimizerError.invalidArgument(optimizer: "TrainOneStepWithLossScaleCell", argument: "scaleSense", value: "\(value)",
                                                 expected: "a finite number > 0")
        }
    }

    /// Forward, scaled backward, overflow check, scale update and (without overflow) the optimizer's update.
    /// A call that throws changes nothing (see above).
    public func step(_ inputs: [Tensor]) throws -> LossScaleStep {
        // One step at a time: the scale read before the forward pass is the one the update rule advances.
        try _stepLock.withLock { try Transaction.run {
            let scale = scaleSense.storedValue
            try Self.checkScale(scale, shape: nil, dtype: nil)   // a scale replaced through `scaleSense.value`
            try lossScalingManager?.checkState()
            let scaleValue = scale.astype(.float64).scalars[0]
            let (loss, gradients) = try scaledLossAndGradients(inputs, scale: scaleValue)
            // The reciprocal in the scale's dtype (float32 for a managed scale), then in each gradient's dtype.
            let reciprocal = scale.dtype == .float64 ? 1 / scaleValue : Double(1 / Float(scaleValue))
            var grads = gradients.map { $0 * reciprocal }
            let overflow = !grads.allSatisfy(isAllFinite)
            let (next, commit) = lossScalingManager?.planned(after: Float(scaleValue), overflow: overflow) ?? (Float(scaleValue), {})
            if !overflow {
                if let clipping { grads = clipping(grads) }
                try optimizer.step(gradients: grads)   // throws before changing anything
            }
            // Nothing below can fail.
            if lossScalingManager != nil { scaleSense.replaceStoredValue(with: Tensor.full([], value: Double(next), dtype: .float32)) }
            commit()
            return LossScaleStep(loss: loss, overflow: overflow, scaleSense: lossScalingManager != nil ? Double(next) : scaleValue)
        } }
    }

    /// `try train.step(x, labels)`.
    public func step(_ inputs: Tensor...) throws -> LossScaleStep { try step(inputs) }

    /// The forward pass and the backward pass seeded with `ones_like(loss) · scale`; the gradients with respect to
    /// the optimizer's parameters, still scaled.
    private func scaledLossAndGradients(_ inputs: [Tensor], scale: Double) throws -> (loss: Tensor, gradients: [Tensor]) {
        let network = self.network
        let recording = try GradientEngine.record(inputs: inputs, positions: [], parameters: .explicit(optimizer.parameters),
                                                  forward: { network($0) })
        defer { recording.tape.close() }
        let loss = try recording.output.tensor()   // a network with several outputs throws here, before any update
        let seed = Tensor.full(loss.shape, value: scale, dtype: loss.dtype)
        let result = try recording.replay(outputs: [loss], seeds: [seed])
        return (loss.detached, result.parameterGradients)
    }

    /// The cell form, MindSpore's `(loss, cond, scaling_sens)`: the loss, a bool tensor (overflow) and the scale
    /// after the step; errors are reported like a tensor op's.
    public override func construct(_ inputs: [Tensor]) -> TensorTree {
        do {
            let r = try step(inputs)
            return .tuple([.tensor(r.loss), .tensor(Tensor([r.overflow], shape: [])),
                           .tensor(scaleSense.storedValue)])
        } catch let error as GradError {
            if case .tensor(let inner) = error { reportError(inner) } else { reportError(TensorError(op: "TrainOneStepWithLossScaleCell", message: error.description)) }
        } catch {
            reportError(TensorError(op: "TrainOneStepWithLossScaleCell", message: "\(error)"))
        }
        return .tensor(Tensor.placeholder())
    }
}

/// Whether every element of `t` is finite (integer and bool tensors always are).
func isAllFinite(_ t: Tensor) -> Bool {
    switch t.dtype {
    case .float32: return t.withUnsafeBufferPointer(as: Float.self) { $0.allSatisfy(\.isFinite) }
    case .float64: return t.withUnsafeBufferPointer(as: Double.self) { $0.allSatisfy(\.isFinite) }
    case let d where d.isFloatingPoint: return isAllFinite(t.astype(.float32))
    default: return true
    }
}
