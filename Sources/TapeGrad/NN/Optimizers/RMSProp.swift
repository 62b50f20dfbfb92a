/// RMSProp, MindSpore's `nn.RMSProp` (its `ApplyRMSProp` / `ApplyCenteredRMSProp` kernels):
/// s ← ρs + (1 − ρ)g², m ← βm + lr·g / √(s + ε), p ← p − m; with `centered` also ḡ ← ρḡ + (1 − ρ)g and
/// m ← βm + lr·g / √(s − ḡ² + ε). The mean square s starts at 1 (as MindSpore's `mean_square` slot), the
/// moment m and the mean gradient ḡ at 0. Weight decay adds `weightDecay · p` to g first.
///
/// ```swift
/// let opt = RMSProp(params: net.trainableParams(), learningRate: 0.01, momentum: 0.9)
/// ```
public final class RMSProp: Optimizer, @unchecked Sendable {  // slots touched only from prepareStep/update, under the optimizer's lock
    /// ρ, the decay of the moving averages (MindSpore's `decay`).
    public let decay: Double
    /// β, the momentum of the update.
    public let momentum: Double
    /// ε (MindSpore's `epsilon`).
    public let epsilon: Double
    /// Whether the variance is centred by the mean gradient.
    public let centered: Bool
    private let meanSquares = OptimizerSlots("mean_square"), moments = OptimizerSlots("moment"), meanGradients = OptimizerSlots("mean_grad")

    /// MindSpore's defaults: `learningRate: 0.1, decay: 0.9, momentum: 0, epsilon: 1e-10, centered: false`.
    public init(params: [Parameter], learningRate: LearningRateSchedule = 0.1, decay: Double = 0.9, momentum: Double = 0,
                epsilon: Double = 1e-10, centered: Bool = false, weightDecay: Double = 0, lossScale: Double = 1) {
        self.decay = decay
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered
        super.init(params: params, learningRate: learningRate, weightDecay: weightDecay, lossScale: lossScale)
    }

    /// RMSProp over parameter groups (see ``Optimizer/init(groups:orderParams:learningRate:weightDecay:lossScale:)``).
    ///
    /// ```swift
    /// let opt = try RMSProp(groups: [ParameterGroup(params: net.trainableParams(), learningRate: 0.01)], momentum: 0.9)
    /// ```
    public init(groups: [ParameterGroup], orderParams: [Parameter]? = nil, learningRate: LearningRateSchedule = 0.1, decay: Double = 0.9,
                momentum: Double = 0, epsilon: Double = 1e-10, centered: Bool = false, weightDecay: Double = 0, lossScale: Double = 1) throws {
        self.decay = decay
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered
        try super.init(groups: groups, orderParams: orderParams, learningRate: learningRate, weightDecay: weightDecay, lossScale: lossScale)
    }

    /// Applies this optimizer's update rule (above) to one parameter.
    public override func update(_ parameter: Parameter, gradient: Tensor, learningRate lr: Double, slot: Int) {
        if parameter.dtype == .float64 { apply(Double.self, parameter, gradient, lr, slot) } else { apply(Float.self, parameter, gradient, lr, slot) }
    }

    private func apply<T: FloatingElement>(_: T.Type, _ p: Parameter, _ gradient: Tensor, _ lr: Double, _ slot: Int) {
        let (rho, beta, eps, rate) = (T(decay), T(momentum), T(epsilon), T(lr))
        func run(centeredBy mg: UnsafeMutableBufferPointer<T>?) {
            gradient.withUnsafeBufferPointer(as: T.self) { g in
                meanSquares.withBuffer(slot, like: p, fill: 1, as: T.self) { s, _ in
                    moments.withBuffer(slot, like: p, as: T.self) { m, _ in
                        p.mutateInPlace(as: T.self) { w in
                            for i in 0..<w.count {
                                s[i] = s[i] * rho + (1 - rho) * g[i] * g[i]
                                var variance = s[i]
                                if let mg {
                                    mg[i] = mg[i] * rho + (1 - rho) * g[i]
                                    variance -= mg[i] * mg[i]
                                }
                                m[i] = m[i] * beta + rate * g[i] / (variance + eps).squareRoot()
                                w[i] -= m[i]
                            }
                        }
                    }
                }
            }
        }
        if centered {
            meanGradients.withBuffer(slot, like: p, as: T.self) { mg, _ in run(centeredBy: mg) }
        } else {
            run(centeredBy: nil)
        }
    }
}
