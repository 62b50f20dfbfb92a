/// The base of TapeGrad's optimizers: a list of parameters updated in place from their gradients.
///
/// Subclasses implement ``update(_:gradient:learningRate:slot:)`` for one parameter; the base validates the
/// gradients, applies weight decay where MindSpore does (every parameter whose name contains neither
/// `beta` nor `gamma`), skips frozen parameters, evaluates the learning-rate schedule and counts steps.
///
/// ```swift
/// let opt = SGD(params: net.trainableParams(), learningRate: 0.1, momentum: 0.9)
/// let (_, grads) = try ForwardValueAndGrad(netWithLoss, weights: opt.parameters, getByList: true).valueAndGradients(x, y)
/// try opt.step(gradients: grads.tensors)
/// ```
open class Optimizer {
    /// The parameters, in the order gradients are given.
    public let parameters: [Parameter]
    /// The learning rate, as a function of the step.
    public var learningRate: LearningRateSchedule
    /// L2 weight decay (added to the gradient, except by ``AdamWeightDecay``, which decouples it).
    public let weightDecay: Double
    /// The number of updates made so far (MindSpore's `global_step`).
    public private(set) var stepCount = 0

    /// An optimizer over `params`.
    public init(params: [Parameter], learningRate: LearningRateSchedule, weightDecay: Double = 0) {
        self.parameters = params
        self.learningRate = learningRate
        self.weightDecay = weightDecay
    }

    /// Whether weight decay applies to `parameter` (MindSpore's default filter).
    open func decays(_ parameter: Parameter) -> Bool {
        !parameter.name.contains("beta") && !parameter.name.contains("gamma")
    }

    /// Updates every trainable parameter from `gradients` (one per parameter, same shapes). Throws
    /// ``OptimizerError`` without changing anything when the gradients do not fit.
    public func step(gradients: [Tensor]) throws {
        guard gradients.count == parameters.count else {
            throw OptimizerError.gradientCount(expected: parameters.count, got: gradients.count)
        }
        for (p, g) in zip(parameters, gradients) where g.shape != p.shape {
            throw OptimizerError.gradientShape(parameter: p.name, expected: p.shape, got: g.shape)
        }
        let lr = learningRate.rate(at: stepCount)
        prepareStep()
        for (i, (p, g)) in zip(parameters, gradients).enumerated() where p.requiresGrad {
            var gradient = g.astype(p.dtype).detached
            if weightDecay != 0 && decaysInGradient && decays(p) { gradient = gradient + p.storedValue * weightDecay }
            update(p, gradient: gradient, learningRate: lr, slot: i)
        }
        stepCount += 1
    }

    /// `step(gradients:)` from a ``TensorTree`` of gradients (a tuple of tensors).
    public func step(gradients: TensorTree) throws { try step(gradients: gradients.tensors) }

    /// Called once per step before the parameters are updated (for state shared by all parameters).
    open func prepareStep() {}

    /// Whether weight decay is folded into the gradient before ``update(_:gradient:learningRate:slot:)``.
    open var decaysInGradient: Bool { true }

    /// Updates one parameter in place; `slot` indexes per-parameter state.
    open func update(_ parameter: Parameter, gradient: Tensor, learningRate: Double, slot: Int) {}
}

/// A mismatch between an optimizer's parameters and the gradients given to it.
public enum OptimizerError: Error, Equatable, CustomStringConvertible {
    /// A different number of gradients than parameters.
    case gradientCount(expected: Int, got: Int)
    /// A gradient whose shape differs from its parameter's.
    case gradientShape(parameter: String, expected: [Int], got: [Int])

    /// What went wrong.
    public var description: String {
        switch self {
        case .gradientCount(let e, let g): return "expected \(e) gradients (one per parameter), got \(g)"
        case .gradientShape(let name, let e, let g): return "gradient for '\(name)' has shape \(g), the parameter has \(e)"
        }
    }
}

extension Parameter {
    /// Runs `body` on the stored elements in place (copying first only if the storage is shared). A
    /// float16/bfloat16 parameter is updated in `T` (float32) and rounded back to its dtype.
    func mutateInPlace<T: TensorScalar>(as type: T.Type, _ body: (UnsafeMutableBufferPointer<T>) -> Void) {
        var value = storedValue
        let dtype = value.dtype
        replaceStoredValue(with: Tensor.placeholder())    // drop our reference so `value` is unique
        value.withUnsafeMutableBufferPointer(as: T.self) { body($0) }
        replaceStoredValue(with: value.dtype == dtype ? value : value.converted(to: dtype))
    }
}

/// Per-parameter optimizer state: one buffer per parameter, created on first use.
struct OptimizerSlots {
    private var buffers: [Int: Tensor] = [:]

    mutating func withBuffer<T: TensorScalar, R>(
        _ slot: Int, like p: Parameter, fill: Double = 0, as type: T.Type, _ body: (UnsafeMutableBufferPointer<T>, _ fresh: Bool) -> R
    ) -> R {
        var fresh = false
        var buffer = buffers[slot] ?? { fresh = true; return Tensor.full(p.shape, value: fill, dtype: p.dtype) }()
        buffers[slot] = nil
        let result = buffer.withUnsafeMutableBufferPointer(as: T.self) { body($0, fresh) }
        buffers[slot] = buffer
        return result
    }

    func buffer(_ slot: Int) -> Tensor? { buffers[slot] }
}
