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
///
/// Threading and failed steps: an optimizer is `Sendable`. ``step(gradients:)`` holds the optimizer's lock
/// for the whole update (concurrent steps run one after another), and checks everything — gradient
/// count, shapes and finiteness of the learning rate, arguments — before it changes anything, so a step
/// that throws leaves every parameter and every slot of optimizer state exactly as it was.
open class Optimizer: @unchecked Sendable, CustomStringConvertible {
    // Sendable: the mutable state (learning rate, step count, and a subclass's slots, which it touches
    // only from `prepareStep` and `update`) is read and written only while holding `_lock`.
    let _lock = Lock()
    private var _learningRate: LearningRateSchedule
    var _stepCount = 0   // internal for Optimizer+State.swift; read and written only under `_lock`

    /// The parameters, in the order gradients are given.
    public let parameters: [Parameter]
    /// L2 weight decay (added to the gradient, except by ``AdamWeightDecay``, which decouples it); with groups,
    /// the default of the groups that set none.
    public let weightDecay: Double
    /// MindSpore's `loss_scale`: the factor the loss (and so every gradient) was multiplied by before the
    /// optimizer sees the gradients, 1 by default. Each step divides it back out, after weight decay — which is
    /// scaled up by it, so the decay's effect does not depend on it — and gradient centralization, as MindSpore:
    /// g ← (g + lossScale·λ·p) · r with r = 1/lossScale rounded to float32. Use it with
    /// ``TrainOneStepCell``'s `sens` equal to it (MindSpore's `FixedLossScaleManager(drop_overflow_update:
    /// false)`); must be finite and > 0. Not an argument of ``AdamWeightDecay`` or ``Lamb`` (nor of MindSpore's).
    ///
    /// ```swift
    /// let opt = Momentum(params: net.trainableParams(), learningRate: 0.1, momentum: 0.9, lossScale: 1024)
    /// let step = try TrainOneStepCell(netWithLoss, optimizer: opt, sens: 1024)
    /// ```
    public let lossScale: Double
    /// The parameter groups (MindSpore's `group_params`) as given, empty for an ungrouped optimizer.
    public var groups: [ParameterGroup] { _plan?.groups ?? [] }
    let _plan: GroupPlan?

    /// The learning rate, as a function of the step.
    public var learningRate: LearningRateSchedule {
        get { _lock.withLock { _learningRate } }
        set { _lock.withLock { _learningRate = newValue } }
    }

    /// The number of updates made so far (MindSpore's `global_step`).
    public var stepCount: Int { _lock.withLock { _stepCount } }

    /// An optimizer over `params`. The arguments are checked by ``validate()`` (and before every step).
    public init(params: [Parameter], learningRate: LearningRateSchedule, weightDecay: Double = 0, lossScale: Double = 1) {
        self.parameters = params
        self._learningRate = learningRate
        self.weightDecay = weightDecay
        self.lossScale = lossScale
        self._plan = nil
    }

    /// An optimizer over parameter groups (MindSpore's `group_params`, see ``ParameterGroup``): each group may
    /// set its learning rate (a number or a schedule), weight decay and gradient centralization; the others take
    /// `learningRate` and `weightDecay`. Parameters are updated, and gradients given, in the groups' order — or in
    /// `orderParams`' order (MindSpore's `order_params`), which must list every grouped parameter once.
    ///
    /// Throws ``OptimizerError``: no groups (`emptyParameters`), a group without parameters (`emptyGroup`), a
    /// parameter in two groups or two parameters with one name (`duplicateParameter`, MindSpore: RuntimeError), a
    /// group's learning rate or weight decay that is not a finite number ≥ 0, `orderParams` that do not match, or
    /// `gradCentralization` for an optimizer that never centralizes (``AdamWeightDecay``) (`invalidArgument`).
    ///
    /// ```swift
    /// let opt = try SGD(groups: ParameterGroup.splitForWeightDecay(net.trainableParams(), weightDecay: 1e-4),
    ///                   learningRate: 0.1, momentum: 0.9)
    /// ```
    public init(groups: [ParameterGroup], orderParams: [Parameter]? = nil, learningRate: LearningRateSchedule,
                weightDecay: Double = 0, lossScale: Double = 1) throws {
        let plan = GroupPlan(groups: groups, orderParams: orderParams, weightDecay: weightDecay)
        self.parameters = plan.parameters
        self._learningRate = learningRate
        self.weightDecay = weightDecay
        self.lossScale = lossScale
        self._plan = plan
        try plan.check(optimizer: String(describing: type(of: self)), centralizes: centralizesGradients)
    }

    /// Whether weight decay applies to `parameter` (MindSpore's default filter).
    open func decays(_ parameter: Parameter) -> Bool {
        !parameter.name.contains("beta") && !parameter.name.contains("gamma")
    }

    /// The weight decay applied to the parameter at `slot` (an index into ``parameters``): its group's when the
    /// optimizer is grouped (every parameter of a group decays, as in MindSpore), else ``weightDecay`` for the
    /// parameters ``decays(_:)`` selects and 0 for the others (and 0 for an index outside ``parameters``).
    ///
    /// ```swift
    /// let dense = Dense(inChannels: 2, outChannels: 1, hasBias: false)
    /// let opt = try Adam(groups: [ParameterGroup(params: [dense.weight], weightDecay: 0.1)])
    /// opt.weightDecay(forSlot: 0)   // 0.1
    /// ```
    public func weightDecay(forSlot slot: Int) -> Double {
        guard parameters.indices.contains(slot) else { return 0 }   // no parameter there, nothing to decay
        if let plan = _plan { return plan.rules[slot].weightDecay }
        // Without weight decay the name filter is skipped: it is a string search per parameter per step.
        return weightDecay != 0 && decays(parameters[slot]) ? weightDecay : 0
    }

    /// Whether the optimizer applies its groups' gradient centralization (MindSpore's optimizers do, after weight
    /// decay, except ``AdamWeightDecay``).
    open var centralizesGradients: Bool { true }

    /// The checks of the optimizer's own arguments, beyond the base's (override to add, e.g. momentum ≥ 0).
    /// Each failure is an ``OptimizerError/invalidArgument(optimizer:argument:value:expected:)``.
    ///
    /// ```swift
    /// final class MyMomentum: Optimizer, @unchecked Sendable {
    ///     let momentum = 0.9
    ///     override func validateArguments() throws { try requireNonNegative("momentum", momentum) }
    /// }
    /// ```
    open func validateArguments() throws {}

    /// Checks the arguments as MindSpore does when it builds an optimizer: a non-empty parameter list
    /// (ValueError), float parameters only (TypeError), a finite, non-negative learning rate and weight decay.
    ///
    /// ```swift
    /// try SGD(params: [], learningRate: 0.1).validate()   // throws .emptyParameters
    /// ```
    public func validate() throws {
        try _lock.withLock {
            try validateLocked(learningRate: _learningRate.rate(at: _stepCount), groupRates: _plan?.rates(at: _stepCount) ?? [])
        }
    }

    private func validateLocked(learningRate lr: Double, groupRates: [Double?]) throws {
        // Formatted only for an error: this runs on every step.
        var name: String { String(describing: type(of: self)) }
        guard !parameters.isEmpty else { throw OptimizerError.emptyParameters(optimizer: name) }
        for p in parameters where p.requiresGrad && !p.dtype.isFloatingPoint {
            throw OptimizerError.nonFloatParameter(optimizer: name, parameter: p.name, dtype: p.dtype)
        }
        guard lr.isFinite, lr >= 0 else {
            throw OptimizerError.invalidArgument(optimizer: name, argument: "learningRate", value: "\(lr)",
                                                 expected: "a finite number ≥ 0")
        }
        guard weightDecay.isFinite, weightDecay >= 0 else {
            throw OptimizerError.invalidArgument(optimizer: name, argument: "weightDecay", value: "\(weightDecay)",
                                                 expected: "a finite number ≥ 0")
        }
        guard lossScale.isFinite, lossScale > 0 else {
            throw OptimizerError.invalidArgument(optimizer: name, argument: "lossScale", value: "\(lossScale)",
                                                 expected: "a finite number > 0")
        }
        for (i, rate) in groupRates.enumerated() {
            if let rate, !(rate.isFinite && rate >= 0) {
                throw OptimizerError.invalidArgument(optimizer: name, argument: "groups[\(i)].learningRate", value: "\(rate)",
                                                     expected: "a finite number ≥ 0")
            }
        }
        try validateArguments()
    }

    /// Updates every trainable parameter from `gradients` (one per parameter, same shapes). Throws
    /// ``OptimizerError`` without changing anything when the gradients or the arguments do not fit.
    public func step(gradients: [Tensor]) throws {
        try _lock.withLock {
            guard gradients.count == parameters.count else {
                throw OptimizerError.gradientCount(expected: parameters.count, got: gradients.count)
            }
            for (p, g) in zip(parameters, gradients) where g.shape != p.shape {
                throw OptimizerError.gradientShape(parameter: p.name, expected: p.shape, got: g.shape)
            }
            let lr = _learningRate.rate(at: _stepCount), groupRates = _plan?.rates(at: _stepCount) ?? []
            try validateLocked(learningRate: lr, groupRates: groupRates)
            prepareStep()
            // MindSpore multiplies by the float32 reciprocal of the loss scale, cast to the gradient's dtype.
            let unscale = Double(Float(1 / lossScale))
            for (i, (p, g)) in zip(parameters, gradients).enumerated() where p.requiresGrad {
                var gradient = g.astype(p.dtype).detached
                let decay = weightDecay(forSlot: i) * lossScale, rule = _plan?.rules[i]
                if decay != 0 && decaysInGradient { gradient = gradient + p.storedValue * decay }
                if rule?.gradCentralization == true && centralizesGradients { gradient = centralizedGradient(gradient).detached }
                if lossScale != 1 { gradient = gradient * unscale }
                update(p, gradient: gradient, learningRate: rule.flatMap { groupRates[$0.group] } ?? lr, slot: i)
            }
            _stepCount += 1
        }
    }

    /// `step(gradients:)` from a ``TensorTree`` of gradients (a tuple of tensors).
    public func step(gradients: TensorTree) throws { try step(gradients: gradients.tensors) }

    /// The hyper-parameters in MindSpore's argument names, e.g. `learning_rate=0.1, weight_decay=0.0` (and
    /// `groups=2` for a grouped optimizer, whose groups' own settings are in ``groups``); subclasses add theirs.
    open var extendRepr: String {
        "learning_rate=\(learningRate), weight_decay=\(weightDecay), parameters=\(parameters.count)"
            + (groups.isEmpty ? "" : ", groups=\(groups.count)") + (lossScale == 1 ? "" : ", loss_scale=\(lossScale)")
    }

    /// The optimizer and its hyper-parameters: `SGD(learning_rate=0.1, weight_decay=0.0, parameters=2, momentum=0.9, …)`.
    ///
    /// ```swift
    /// print(Adam(params: Dense(inChannels: 2, outChannels: 1).trainableParams()))
    /// // Adam(learning_rate=0.001, weight_decay=0.0, parameters=2, beta1=0.9, beta2=0.999, eps=1e-08, use_nesterov=False)
    /// ```
    open var description: String { "\(String(describing: type(of: self)))(\(extendRepr))" }

    /// Called once per step before the parameters are updated (for state shared by all parameters).
    open func prepareStep() {}

    /// Whether weight decay is folded into the gradient before ``update(_:gradient:learningRate:slot:)``.
    open var decaysInGradient: Bool { true }

    /// Updates one parameter in place; `slot` indexes per-parameter state.
    open func update(_ parameter: Parameter, gradient: Tensor, learningRate: Double, slot: Int) {}

    /// The optimizer's state that is not per parameter (e.g. Adam's `beta1_power`), as named tensors; called
    /// under the optimizer's lock by ``stateTensors()`` and ``loadState(_:)``. Override it together with
    /// ``restoreScalarState(_:)``.
    ///
    /// ```swift
    /// final class Counting: Optimizer, @unchecked Sendable {
    ///     var ticks = 0
    ///     override func prepareStep() { ticks += 1 }
    ///     override func scalarState() -> [(name: String, tensor: Tensor)] { [("ticks", Tensor([Float(ticks)], shape: [1]))] }
    ///     override func restoreScalarState(_ state: [String: Tensor]) { ticks = Int(state["ticks"]?.item(as: Float.self) ?? 0) }
    /// }
    /// ```
    open func scalarState() -> [(name: String, tensor: Tensor)] { [] }

    /// Restores the state ``scalarState()`` lists, from tensors already checked to have its names, shapes and
    /// dtypes (so it cannot fail); called under the optimizer's lock by ``loadState(_:)``.
    ///
    /// ```swift
    /// final class Counting: Optimizer, @unchecked Sendable {
    ///     var ticks = 0
    ///     override func prepareStep() { ticks += 1 }
    ///     override func scalarState() -> [(name: String, tensor: Tensor)] { [("ticks", Tensor([Float(ticks)], shape: [1]))] }
    ///     override func restoreScalarState(_ state: [String: Tensor]) { ticks = Int(state["ticks"]?.item(as: Float.self) ?? 0) }
    /// }
    /// ```
    open func restoreScalarState(_ state: [String: Tensor]) {}
}

/// A mismatch between an optimizer's parameters and the gradients given to it, or an invalid argument.
///
/// ```swift
/// do { try opt.step(gradients: grads) } catch let e as OptimizerError { print(e.mindSporeErrorType, e) }
/// ```
public enum OptimizerError: Error, Equatable, CustomStringConvertible {
    /// A different number of gradients than parameters.
    case gradientCount(expected: Int, got: Int)
    /// A gradient whose shape differs from its parameter's.
    case gradientShape(parameter: String, expected: [Int], got: [Int])
    /// An optimizer over no parameters (MindSpore: ValueError).
    case emptyParameters(optimizer: String)
    /// A trainable parameter whose dtype is not floating point (MindSpore: TypeError).
    case nonFloatParameter(optimizer: String, parameter: String, dtype: DType)
    /// An argument out of its domain: NaN, infinite or negative learning rate, negative momentum, NaN sens.
    case invalidArgument(optimizer: String, argument: String, value: String, expected: String)
    /// A parameter group without parameters (MindSpore: ValueError); `group` counts from 0.
    case emptyGroup(optimizer: String, group: Int)
    /// A parameter listed twice, or two parameters with one name, across the groups (MindSpore: RuntimeError).
    case duplicateParameter(optimizer: String, parameter: String)

    /// What went wrong.
    public var description: String {
        switch self {
        case .gradientCount(let e, let g): return "expected \(e) gradients (one per parameter), got \(g)"
        case .gradientShape(let name, let e, let g): return "gradient for '\(name)' has shape \(g), the parameter has \(e)"
        case .emptyParameters(let o): return "For '\(o)', the argument 'params' must contain at least one Parameter, but got an empty list."
        case .nonFloatParameter(let o, let p, let d):
            return "For '\(o)', the trainable parameter '\(p)' must be float32 or float64, but got \(d) (it could never be updated)."
        case .invalidArgument(let o, let a, let v, let e): return "For '\(o)', the argument '\(a)' must be \(e), but got \(v)."
        case .emptyGroup(let o, let g): return "For '\(o)', the parameter group \(g) must contain at least one Parameter, but got an empty list."
        case .duplicateParameter(let o, let p):
            return "For '\(o)', the parameter '\(p)' appears in more than one group (or two parameters share that name); each may be set once."
        }
    }

    /// The class of error MindSpore raises for the same mistake.
    ///
    /// ```swift
    /// OptimizerError.emptyParameters(optimizer: "SGD").mindSporeErrorType   // "ValueError"
    /// ```
    public var mindSporeErrorType: String {
        switch self {
        case .nonFloatParameter: return "TypeError"
        case .duplicateParameter: return "RuntimeError"
        case .gradientCount, .gradientShape, .emptyParameters, .invalidArgument, .emptyGroup: return "ValueError"
        }
    }
}

/// Per-parameter optimizer state: one buffer per parameter, created on first use, saved under
/// `<name>.<parameter name>` (MindSpore's names, e.g. `moment1.fc.weight`). An optimizer's stores are found by
/// reflection (see ``Optimizer/stateTensors()``), so a subclass only declares them, e.g.
/// `private let moments = OptimizerSlots("moment1")`. Touched only under the owning optimizer's lock.
final class OptimizerSlots {
    let name: String
    private(set) var buffers: [Int: Tensor] = [:]

    init(_ name: String) { self.name = name }

    func withBuffer<T: TensorScalar, R>(
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

    /// Replaces every buffer (slots absent from `new` start fresh at their next use).
    func replaceAll(with new: [Int: Tensor]) { buffers = new }
}
