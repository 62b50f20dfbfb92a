import Foundation

/// Adam, MindSpore's `nn.Adam`: m ← m + (g − m)(1 − β₁), v ← v + (g² − v)(1 − β₂),
/// p ← p − lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ) · m / (√v + ε), computed in the parameter's precision with β-powers kept
/// as running products, as MindSpore's kernel does. With `useNesterov` the numerator is β₁m + (1 − β₁)g.
/// Weight decay adds `weightDecay · p` to g first (L2, as MindSpore's optimizer base does).
///
/// ```swift
/// let opt = Adam(params: net.trainableParams(), learningRate: 1e-3)
/// ```
public final class Adam: Optimizer, @unchecked Sendable {
    /// β₁.
    public let beta1: Double
    /// β₂.
    public let beta2: Double
    /// ε.
    public let eps: Double
    /// Whether to use the Nesterov form.
    public let useNesterov: Bool
    private let moments = OptimizerSlots("moment1"), velocities = OptimizerSlots("moment2")
    /// β₁ᵗ and β₂ᵗ as running products in float32 and float64.
    private var powers32: (Float, Float) = (1, 1), powers64: (Double, Double) = (1, 1)

    /// MindSpore's defaults: `learningRate: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8`.
    public init(params: [Parameter], learningRate: LearningRateSchedule = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999,
                eps: Double = 1e-8, weightDecay: Double = 0, useNesterov: Bool = false, lossScale: Double = 1) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.useNesterov = useNesterov
        super.init(params: params, learningRate: learningRate, weightDecay: weightDecay, lossScale: lossScale)
    }

    /// Adam over parameter groups, each with its own learning rate, weight decay or gradient centralization
    /// (see ``Optimizer/init(groups:orderParams:learningRate:weightDecay:lossScale:)`` for the rules and errors).
    ///
    /// ```swift
    /// let opt = try Adam(groups: ParameterGroup.splitForWeightDecay(net.trainableParams(), weightDecay: 1e-4), learningRate: 1e-3)
    /// ```
    public init(groups: [ParameterGroup], orderParams: [Parameter]? = nil, learningRate: LearningRateSchedule = 1e-3, beta1: Double = 0.9,
                beta2: Double = 0.999, eps: Double = 1e-8, weightDecay: Double = 0, useNesterov: Bool = false, lossScale: Double = 1) throws {
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.useNesterov = useNesterov
        try super.init(groups: groups, orderParams: orderParams, learningRate: learningRate, weightDecay: weightDecay, lossScale: lossScale)
    }

    /// The base hyper-parameters, then `beta1=…, beta2=…, eps=…, use_nesterov=…`.
    public override var extendRepr: String {
        super.extendRepr + ", beta1=\(beta1), beta2=\(beta2), eps=\(eps), use_nesterov=\(useNesterov ? "True" : "False")"
    }

    /// Advances β₁ᵗ and β₂ᵗ once per step.
    public override func prepareStep() {
        powers32 = (powers32.0 * Float(beta1), powers32.1 * Float(beta2))
        powers64 = (powers64.0 * beta1, powers64.1 * beta2)
    }

    /// β₁ and β₂ must lie in [0, 1) and ε be finite and > 0 (MindSpore: ValueError).
    public override func validateArguments() throws { try validateAdamArguments(beta1: beta1, beta2: beta2, eps: eps) }

    /// β₁ᵗ and β₂ᵗ: `beta1_power`, `beta2_power` (float32, shape [1], as MindSpore) and the float64 products
    /// float64 parameters use, `beta1_power_float64`, `beta2_power_float64`.
    ///
    /// ```swift
    /// Adam(params: Dense(inChannels: 2, outChannels: 1).trainableParams()).scalarState().map(\.name)   // ["beta1_power", "beta2_power", "beta1_power_float64", "beta2_power_float64"]
    /// ```
    public override func scalarState() -> [(name: String, tensor: Tensor)] {
        [("beta1_power", Tensor([powers32.0], shape: [1])), ("beta2_power", Tensor([powers32.1], shape: [1])),
         ("beta1_power_float64", Tensor([powers64.0], shape: [1])), ("beta2_power_float64", Tensor([powers64.1], shape: [1]))]
    }

    /// Restores β₁ᵗ and β₂ᵗ from ``scalarState()``'s tensors (bit for bit).
    ///
    /// ```swift
    /// let opt = Adam(params: Dense(inChannels: 2, outChannels: 1).trainableParams())
    /// try opt.loadState(["global_step": Tensor.zeros([1], dtype: .int64), "beta1_power": Tensor([Float(0.9)], shape: [1]),
    ///                    "beta2_power": Tensor([Float(0.999)], shape: [1]), "beta1_power_float64": Tensor([0.9] as [Double], shape: [1]),
    ///                    "beta2_power_float64": Tensor([0.999] as [Double], shape: [1])])   // as after one step
    /// ```
    public override func restoreScalarState(_ state: [String: Tensor]) {
        powers32 = (state["beta1_power"]?.item(as: Float.self) ?? powers32.0, state["beta2_power"]?.item(as: Float.self) ?? powers32.1)
        powers64 = (state["beta1_power_float64"]?.item(as: Double.self) ?? powers64.0,
                    state["beta2_power_float64"]?.item(as: Double.self) ?? powers64.1)
    }

    /// Applies this optimizer's update rule (above) to one parameter.
    public override func update(_ parameter: Parameter, gradient: Tensor, learningRate lr: Double, slot: Int) {
        switch parameter.dtype {
        case .float32, .float16, .bfloat16: apply(Float.self, parameter, gradient, lr, powers32, slot)
        case .float64: apply(Double.self, parameter, gradient, lr, powers64, slot)
        default: break   // integer and bool parameters are not trained
        }
    }

    private func apply<T: FloatingElement>(_: T.Type, _ p: Parameter, _ gradient: Tensor, _ lr: Double, _ powers: (T, T), _ slot: Int) {
        let (b1, b2, e, nesterov) = (T(beta1), T(beta2), T(eps), useNesterov)
        let rate = T(lr) * (1 - powers.1).squareRoot() / (1 - powers.0)
        gradient.withUnsafeBufferPointer(as: T.self) { g in
            moments.withBuffer(slot, like: p, as: T.self) { m, _ in
                velocities.withBuffer(slot, like: p, as: T.self) { v, _ in
                    p.mutateInPlace(as: T.self) { w in
                        for i in 0..<w.count {
                            m[i] += (g[i] - m[i]) * (1 - b1)
                            v[i] += (g[i] * g[i] - v[i]) * (1 - b2)
                            let numerator = nesterov ? b1 * m[i] + (1 - b1) * g[i] : m[i]
                            w[i] -= rate * numerator / (v[i].squareRoot() + e)
                        }
                    }
                }
            }
        }
    }
}

/// Adam with decoupled weight decay, MindSpore's `nn.AdamWeightDecay` (no bias correction, as MindSpore):
/// m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², p ← p − lr·(m / (√v + ε) + weightDecay·p).
///
/// ```swift
/// let opt = AdamWeightDecay(params: net.trainableParams(), learningRate: 1e-3, weightDecay: 0.01)
/// ```
public final class AdamWeightDecay: Optimizer, @unchecked Sendable {
    /// β₁.
    public let beta1: Double
    /// β₂.
    public let beta2: Double
    /// ε.
    public let eps: Double
    private let moments = OptimizerSlots("moment1"), velocities = OptimizerSlots("moment2")

    /// MindSpore's defaults: `learningRate: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-6, weightDecay: 0`.
    public init(params: [Parameter], learningRate: LearningRateSchedule = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999,
                eps: Double = 1e-6, weightDecay: Double = 0) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        super.init(params: params, learningRate: learningRate, weightDecay: weightDecay)
    }

    /// AdamWeightDecay over parameter groups (see ``Optimizer/init(groups:orderParams:learningRate:weightDecay:lossScale:)``);
    /// each group's weight decay is decoupled as above. Gradient centralization is not available (MindSpore's
    /// AdamWeightDecay ignores it; TapeGrad throws).
    ///
    /// ```swift
    /// let opt = try AdamWeightDecay(groups: ParameterGroup.splitForWeightDecay(net.trainableParams(), weightDecay: 0.01))
    /// ```
    public init(groups: [ParameterGroup], orderParams: [Parameter]? = nil, learningRate: LearningRateSchedule = 1e-3, beta1: Double = 0.9,
                beta2: Double = 0.999, eps: Double = 1e-6, weightDecay: Double = 0) throws {
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        try super.init(groups: groups, orderParams: orderParams, learningRate: learningRate, weightDecay: weightDecay)
    }

    /// False: MindSpore's AdamWeightDecay does not apply gradient centralization.
    public override var centralizesGradients: Bool { false }

    /// The base hyper-parameters, then `beta1=…, beta2=…, eps=…`.
    public override var extendRepr: String { super.extendRepr + ", beta1=\(beta1), beta2=\(beta2), eps=\(eps)" }

    /// False: AdamWeightDecay adds the decay to the update, not to the gradient.
    public override var decaysInGradient: Bool { false }

    /// β₁ and β₂ must lie in [0, 1) and ε be finite and > 0 (MindSpore: ValueError).
    public override func validateArguments() throws { try validateAdamArguments(beta1: beta1, beta2: beta2, eps: eps) }

    /// Applies this optimizer's update rule (above) to one parameter.
    public override func update(_ parameter: Parameter, gradient: Tensor, learningRate lr: Double, slot: Int) {
        let decay = weightDecay(forSlot: slot)
        switch parameter.dtype {
        case .float32, .float16, .bfloat16: apply(Float.self, parameter, gradient, lr, decay, slot)
        case .float64: apply(Double.self, parameter, gradient, lr, decay, slot)
        default: break   // integer and bool parameters are not trained
        }
    }

    private func apply<T: FloatingElement>(_: T.Type, _ p: Parameter, _ gradient: Tensor, _ lr: Double, _ decay: Double, _ slot: Int) {
        let (b1, b2, e, rate, wd) = (T(beta1), T(beta2), T(eps), T(lr), T(decay))
        gradient.withUnsafeBufferPointer(as: T.self) { g in
            moments.withBuffer(slot, like: p, as: T.self) { m, _ in
                velocities.withBuffer(slot, like: p, as: T.self) { v, _ in
                    p.mutateInPlace(as: T.self) { w in
                        for i in 0..<w.count {
                            m[i] = b1 * m[i] + (1 - b1) * g[i]
                            v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
                            w[i] -= rate * (m[i] / (e + v[i].squareRoot()) + wd * w[i])
                        }
                    }
                }
            }
        }
    }
}

extension Optimizer {
    func validateAdamArguments(beta1: Double, beta2: Double, eps: Double) throws {
        let name = String(describing: type(of: self))
        for (argument, beta) in [("beta1", beta1), ("beta2", beta2)] where !(beta >= 0 && beta < 1) {
            throw OptimizerError.invalidArgument(optimizer: name, argument: argument, value: "\(beta)", expected: "in [0, 1)")
        }
        guard eps.isFinite, eps > 0 else {
            throw OptimizerError.invalidArgument(optimizer: name, argument: "eps", value: "\(eps)", expected: "a finite number > 0")
        }
    }
}
