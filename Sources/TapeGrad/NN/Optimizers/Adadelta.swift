/// Adadelta, MindSpore's `nn.Adadelta` (its `ApplyAdadelta` kernel): a ← ρa + (1 − ρ)g²,
/// Δ = √(u + ε) / √(a + ε) · g, u ← ρu + (1 − ρ)Δ², p ← p − lr·Δ. Both accumulators start at 0. Weight
/// decay adds `weightDecay · p` to g first.
///
/// ```swift
/// let opt = Adadelta(params: net.trainableParams())   // lr 1, ρ 0.9, ε 1e-6
/// ```
public final class Adadelta: Optimizer, @unchecked Sendable {  // slots touched only from prepareStep/update, under the optimizer's lock
    /// ρ, the decay of both running averages.
    public let rho: Double
    /// ε.
    public let epsilon: Double
    private let accumulators = OptimizerSlots("accum"), updates = OptimizerSlots("accum_update")

    /// MindSpore's defaults: `learningRate: 1, rho: 0.9, epsilon: 1e-6`.
    public init(params: [Parameter], learningRate: LearningRateSchedule = 1, rho: Double = 0.9, epsilon: Double = 1e-6,
                weightDecay: Double = 0, lossScale: Double = 1) {
        self.rho = rho
        self.epsilon = epsilon
        super.init(params: params, learningRate: learningRate, weightDecay: weightDecay, lossScale: lossScale)
    }

    /// Adadelta over parameter groups (see ``Optimizer/init(groups:orderParams:learningRate:weightDecay:lossScale:)``).
    ///
    /// ```swift
    /// let opt = try Adadelta(groups: [ParameterGroup(params: net.trainableParams(), learningRate: 0.5)])
    /// ```
    public init(groups: [ParameterGroup], orderParams: [Parameter]? = nil, learningRate: LearningRateSchedule = 1, rho: Double = 0.9, epsilon: Double = 1e-6,
                weightDecay: Double = 0, lossScale: Double = 1) throws {
        self.rho = rho
        self.epsilon = epsilon
        try super.init(groups: groups, orderParams: orderParams, learningRate: learningRate, weightDecay: weightDecay, lossScale: lossScale)
    }

    /// Applies this optimizer's update rule (above) to one parameter.
    public override func update(_ parameter: Parameter, gradient: Tensor, learningRate lr: Double, slot: Int) {
        if parameter.dtype == .float64 { apply(Double.self, parameter, gradient, lr, slot) } else { apply(Float.self, parameter, gradient, lr, slot) }
    }

    private func apply<T: FloatingElement>(_: T.Type, _ p: Parameter, _ gradient: Tensor, _ lr: Double, _ slot: Int) {
        let (r, eps, rate) = (T(rho), T(epsilon), T(lr))
        gradient.withUnsafeBufferPointer(as: T.self) { g in
            accumulators.withBuffer(slot, like: p, as: T.self) { a, _ in
                updates.withBuffer(slot, like: p, as: T.self) { u, _ in
                    p.mutateInPlace(as: T.self) { w in
                        for i in 0..<w.count {
                            a[i] = r * a[i] + (1 - r) * g[i] * g[i]
                            let delta = (u[i] + eps).squareRoot() / (a[i] + eps).squareRoot() * g[i]
                            u[i] = r * u[i] + (1 - r) * delta * delta
                            w[i] -= rate * delta
                        }
                    }
                }
            }
        }
    }
}
