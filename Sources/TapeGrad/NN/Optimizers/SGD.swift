/// Stochastic gradient descent with optional momentum, MindSpore's `nn.SGD`:
///
/// v ← g on the first step, then v ← μ·v + (1 − dampening)·g;
/// p ← p − lr·(g + μ·v) with Nesterov, else p ← p − lr·v (with μ = 0: p ← p − lr·g).
/// Weight decay adds `weightDecay · p` to g first.
///
/// ```swift
/// let opt = SGD(params: net.trainableParams(), learningRate: 0.1, momentum: 0.9, nesterov: true)
/// ```
public final class SGD: Optimizer, @unchecked Sendable {
    /// μ.
    public let momentum: Double
    /// The dampening of the momentum update.
    public let dampening: Double
    /// Whether to use Nesterov momentum.
    public let nesterov: Bool
    private let velocity = OptimizerSlots("accum")

    /// MindSpore's defaults: `learningRate: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false`.
    public init(params: [Parameter], learningRate: LearningRateSchedule = 0.1, momentum: Double = 0, dampening: Double = 0,
                weightDecay: Double = 0, nesterov: Bool = false, lossScale: Double = 1) {
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        super.init(params: params, learningRate: learningRate, weightDecay: weightDecay, lossScale: lossScale)
    }

    /// SGD over parameter groups (see ``Optimizer/init(groups:orderParams:learningRate:weightDecay:lossScale:)``).
    ///
    /// ```swift
    /// let opt = try SGD(groups: [ParameterGroup(params: net.trainableParams(), learningRate: 0.05)], momentum: 0.9)
    /// ```
    public init(groups: [ParameterGroup], orderParams: [Parameter]? = nil, learningRate: LearningRateSchedule = 0.1, momentum: Double = 0,
                dampening: Double = 0, weightDecay: Double = 0, nesterov: Bool = false, lossScale: Double = 1) throws {
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        try super.init(groups: groups, orderParams: orderParams, learningRate: learningRate, weightDecay: weightDecay, lossScale: lossScale)
    }

    /// Momentum and dampening must be finite and ≥ 0 (MindSpore: ValueError).
    public override func validateArguments() throws {
        try requireNonNegative("momentum", momentum)
        try requireNonNegative("dampening", dampening)
    }

    /// The base hyper-parameters, then `momentum=…, dampening=…, nesterov=…`.
    public override var extendRepr: String {
        super.extendRepr + ", momentum=\(momentum), dampening=\(dampening), nesterov=\(nesterov ? "True" : "False")"
    }

    /// Applies this optimizer's update rule (above) to one parameter.
    public override func update(_ parameter: Parameter, gradient: Tensor, learningRate lr: Double, slot: Int) {
        switch parameter.dtype {
        case .float32, .float16, .bfloat16: apply(Float.self, parameter, gradient, lr, slot)
        case .float64: apply(Double.self, parameter, gradient, lr, slot)
        default: break   // integer and bool parameters are not trained
        }
    }

    private func apply<T: FloatingElement>(_: T.Type, _ p: Parameter, _ gradient: Tensor, _ lr: Double, _ slot: Int) {
        let (mu, damp, rate) = (T(momentum), T(1 - dampening), T(lr))
        let nesterov = self.nesterov
        gradient.withUnsafeBufferPointer(as: T.self) { g in
            guard momentum > 0 else {
                p.mutateInPlace(as: T.self) { w in for i in 0..<w.count { w[i] -= rate * g[i] } }
                return
            }
            velocity.withBuffer(slot, like: p, as: T.self) { v, fresh in
                for i in 0..<v.count { v[i] = fresh ? g[i] : mu * v[i] + damp * g[i] }
                p.mutateInPlace(as: T.self) { w in
                    for i in 0..<w.count { w[i] -= rate * (nesterov ? g[i] + mu * v[i] : v[i]) }
                }
            }
        }
    }
}

/// Momentum SGD, MindSpore's `nn.Momentum` (v starts at 0): without Nesterov v ← μ·v + g, p ← p − lr·v;
/// with Nesterov, as MindSpore 2.10's kernel does, p ← p − lr·(g + μ·v) with the previous v, then v ← μ·v + g.
///
/// ```swift
/// let opt = Momentum(params: net.trainableParams(), learningRate: 0.1, momentum: 0.9)
/// ```
public final class Momentum: Optimizer, @unchecked Sendable {
    /// μ.
    public let momentum: Double
    /// Whether to use Nesterov momentum.
    public let useNesterov: Bool
    private let velocity = OptimizerSlots("moments")

    /// `Momentum(params:learningRate:momentum:weightDecay:useNesterov:)`.
    public init(params: [Parameter], learningRate: LearningRateSchedule, momentum: Double, weightDecay: Double = 0, useNesterov: Bool = false, lossScale: Double = 1) {
        self.momentum = momentum
        self.useNesterov = useNesterov
        super.init(params: params, learningRate: learningRate, weightDecay: weightDecay, lossScale: lossScale)
    }

    /// Momentum over parameter groups (see ``Optimizer/init(groups:orderParams:learningRate:weightDecay:lossScale:)``).
    ///
    /// ```swift
    /// let opt = try Momentum(groups: ParameterGroup.splitForWeightDecay(net.trainableParams(), weightDecay: 1e-4),
    ///                        learningRate: 0.1, momentum: 0.9)
    /// ```
    public init(groups: [ParameterGroup], orderParams: [Parameter]? = nil, learningRate: LearningRateSchedule, momentum: Double, weightDecay: Double = 0,
                useNesterov: Bool = false, lossScale: Double = 1) throws {
        self.momentum = momentum
        self.useNesterov = useNesterov
        try super.init(groups: groups, orderParams: orderParams, learningRate: learningRate, weightDecay: weightDecay, lossScale: lossScale)
    }

    /// Momentum must be finite and ≥ 0 (MindSpore: ValueError).
    public override func validateArguments() throws { try requireNonNegative("momentum", momentum) }

    /// The base hyper-parameters, then `momentum=…, use_nesterov=…`.
    public override var extendRepr: String {
        super.extendRepr + ", momentum=\(momentum), use_nesterov=\(useNesterov ? "True" : "False")"
    }

    /// Applies this optimizer's update rule (above) to one parameter.
    public override func update(_ parameter: Parameter, gradient: Tensor, learningRate lr: Double, slot: Int) {
        switch parameter.dtype {
        case .float32, .float16, .bfloat16: apply(Float.self, parameter, gradient, lr, slot)
        case .float64: apply(Double.self, parameter, gradient, lr, slot)
        default: break   // integer and bool parameters are not trained
        }
    }

    private func apply<T: FloatingElement>(_: T.Type, _ p: Parameter, _ gradient: Tensor, _ lr: Double, _ slot: Int) {
        let (mu, rate, nesterov) = (T(momentum), T(lr), useNesterov)
        gradient.withUnsafeBufferPointer(as: T.self) { g in
            velocity.withBuffer(slot, like: p, as: T.self) { v, _ in
                p.mutateInPlace(as: T.self) { w in
                    // Raw pointers and the branch hoisted, so the loop vectorises (it was a tenth of a small training step).
                    guard let pw = w.baseAddress, let pv = v.baseAddress, let pg = g.baseAddress else { return }
                    let n = Swift.min(w.count, v.count, g.count)
                    if nesterov {
                        for i in 0..<n {
                            pw[i] -= rate * (pg[i] + mu * pv[i])
                            pv[i] = mu * pv[i] + pg[i]
                        }
                    } else {
                        for i in 0..<n {
                            pv[i] = mu * pv[i] + pg[i]
                            pw[i] -= rate * pv[i]
                        }
                    }
                }
            }
        }
    }
}

extension Optimizer {
    /// Throws ``OptimizerError/invalidArgument(optimizer:argument:value:expected:)`` unless `value` is finite and ≥ 0
    /// (for an optimizer subclass's ``validateArguments()``).
    ///
    /// ```swift
    /// try SGD(params: net.trainableParams()).requireNonNegative("momentum", 0.9)   // passes; -1 would throw
    /// ```
    public func requireNonNegative(_ argument: String, _ value: Double) throws {
        guard value.isFinite, value >= 0 else {
            throw OptimizerError.invalidArgument(optimizer: String(describing: type(of: self)), argument: argument,
                                                 value: "\(value)", expected: "a finite number ≥ 0")
        }
    }
}
