import Foundation

/// LAMB (layer-wise adaptive moments), MindSpore's `nn.Lamb`: m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g²,
/// r = m̂ / (√v̂ + ε) + λp with m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ), then per parameter
/// p ← p − lr · (‖p‖ / ‖r‖) · r (the trust ratio is 1 when either norm is 0). λ is `weightDecay`, applied
/// inside r (decoupled, not added to g) to parameters whose names contain neither "beta" nor "gamma".
///
/// MindSpore 2.10's CPU backend has no Lamb kernel; the update follows its documented formula and is
/// checked against a float64 re-derivation (`Oracle/optim_oracle.py`).
///
/// ```swift
/// let opt = Lamb(params: net.trainableParams(), learningRate: 1e-3, weightDecay: 0.01)
/// ```
public final class Lamb: Optimizer, @unchecked Sendable {  // slots touched only from prepareStep/update, under the optimizer's lock
    /// β₁.
    public let beta1: Double
    /// β₂.
    public let beta2: Double
    /// ε.
    public let eps: Double
    private let moments = OptimizerSlots("lamb_m"), velocities = OptimizerSlots("lamb_v")
    private var step = 0

    /// MindSpore's defaults: `beta1: 0.9, beta2: 0.999, eps: 1e-6, weightDecay: 0`.
    public init(params: [Parameter], learningRate: LearningRateSchedule, beta1: Double = 0.9, beta2: Double = 0.999,
                eps: Double = 1e-6, weightDecay: Double = 0) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        super.init(params: params, learningRate: learningRate, weightDecay: weightDecay)
    }

    /// Lamb over parameter groups (see ``Optimizer/init(groups:orderParams:learningRate:weightDecay:lossScale:)``); each
    /// group's weight decay enters r as above.
    ///
    /// ```swift
    /// let opt = try Lamb(groups: ParameterGroup.splitForWeightDecay(net.trainableParams(), weightDecay: 0.01), learningRate: 1e-3)
    /// ```
    public init(groups: [ParameterGroup], orderParams: [Parameter]? = nil, learningRate: LearningRateSchedule, beta1: Double = 0.9, beta2: Double = 0.999,
                eps: Double = 1e-6, weightDecay: Double = 0) throws {
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        try super.init(groups: groups, orderParams: orderParams, learningRate: learningRate, weightDecay: weightDecay)
    }

    /// False: the decay enters the ratio r, not the gradient.
    public override var decaysInGradient: Bool { false }

    /// Counts the step for the bias corrections.
    public override func prepareStep() { step += 1 }

    /// The step of the bias corrections, `lamb_step` (int64, shape [1]).
    ///
    /// ```swift
    /// Lamb(params: Dense(inChannels: 2, outChannels: 1).trainableParams(), learningRate: 1e-3).scalarState().map(\.name)   // ["lamb_step"]
    /// ```
    public override func scalarState() -> [(name: String, tensor: Tensor)] {
        [("lamb_step", Tensor.fromArray([Int64(step)], shape: [1]))]
    }

    /// Restores the step from ``scalarState()``'s tensor (a negative or oversized value keeps the current step).
    ///
    /// ```swift
    /// let opt = Lamb(params: Dense(inChannels: 2, outChannels: 1).trainableParams(), learningRate: 1e-3)
    /// try opt.loadState(["global_step": Tensor.zeros([1], dtype: .int64), "lamb_step": Tensor.zeros([1], dtype: .int64)])
    /// ```
    public override func restoreScalarState(_ state: [String: Tensor]) {
        if let s = state["lamb_step"]?.item(as: Int64.self), s >= 0, let value = Int(exactly: s) { step = value }
    }

    /// Applies this optimizer's update rule (above) to one parameter.
    public override func update(_ parameter: Parameter, gradient: Tensor, learningRate lr: Double, slot: Int) {
        let decay = weightDecay(forSlot: slot)
        if parameter.dtype == .float64 {
            apply(Double.self, parameter, gradient, lr, decay, slot)
        } else {
            apply(Float.self, parameter, gradient, lr, decay, slot)
        }
    }

    private func apply<T: FloatingElement>(_: T.Type, _ p: Parameter, _ gradient: Tensor, _ lr: Double, _ decay: Double, _ slot: Int) {
        let (b1, b2, e, lambda) = (T(beta1), T(beta2), T(eps), T(decay))
        let correction1 = T(1 - Foundation.pow(beta1, Double(step))), correction2 = T(1 - Foundation.pow(beta2, Double(step)))
        gradient.withUnsafeBufferPointer(as: T.self) { g in
            moments.withBuffer(slot, like: p, as: T.self) { m, _ in
                velocities.withBuffer(slot, like: p, as: T.self) { v, _ in
                    p.mutateInPlace(as: T.self) { w in
                        var ratio = [T](repeating: 0, count: w.count)
                        var weightNorm = 0.0, ratioNorm = 0.0
                        for i in 0..<w.count {
                            m[i] = b1 * m[i] + (1 - b1) * g[i]
                            v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
                            ratio[i] = (m[i] / correction1) / ((v[i] / correction2).squareRoot() + e) + lambda * w[i]
                            weightNorm += Double(w[i]) * Double(w[i])
                            ratioNorm += Double(ratio[i]) * Double(ratio[i])
                        }
                        let trust = weightNorm > 0 && ratioNorm > 0 ? (weightNorm / ratioNorm).squareRoot() : 1
                        let rate = T(lr * trust)
                        for i in 0..<w.count { w[i] -= rate * ratio[i] }
                    }
                }
            }
        }
    }
}
