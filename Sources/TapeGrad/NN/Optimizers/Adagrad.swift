/// Adagrad, MindSpore's `nn.Adagrad` (its `ApplyAdagrad` kernel): a ← a + g² (with `updateSlots`),
/// p ← p − lr·g / √a. The accumulator a starts at `accum` (0.1). Weight decay adds `weightDecay · p` to g
/// first.
///
/// With `updateSlots: false` the accumulator stays at `accum`, as MindSpore documents; MindSpore 2.10's CPU
/// kernel ignores the flag and updates it anyway (listed in the README's differences).
///
/// ```swift
/// let opt = Adagrad(params: net.trainableParams(), learningRate: 0.1)
/// ```
public final class Adagrad: Optimizer, @unchecked Sendable {  // slots touched only from prepareStep/update, under the optimizer's lock
    /// The accumulator's initial value.
    public let accum: Double
    /// Whether the accumulator is updated (MindSpore's `update_slots`).
    public let updateSlots: Bool
    private let accumulators = OptimizerSlots("accum")

    /// MindSpore's defaults: `accum: 0.1, learningRate: 0.001, updateSlots: true`.
    public init(params: [Parameter], accum: Double = 0.1, learningRate: LearningRateSchedule = 0.001, updateSlots: Bool = true,
                weightDecay: Double = 0, lossScale: Double = 1) {
        self.accum = accum
        self.updateSlots = updateSlots
        super.init(params: params, learningRate: learningRate, weightDecay: weightDecay, lossScale: lossScale)
    }

    /// Adagrad over parameter groups (see ``Optimizer/init(groups:orderParams:learningRate:weightDecay:lossScale:)``).
    ///
    /// ```swift
    /// let opt = try Adagrad(groups: [ParameterGroup(params: net.trainableParams(), learningRate: 0.1)])
    /// ```
    public init(groups: [ParameterGroup], orderParams: [Parameter]? = nil, accum: Double = 0.1, learningRate: LearningRateSchedule = 0.001,
                updateSlots: Bool = true, weightDecay: Double = 0, lossScale: Double = 1) throws {
        self.accum = accum
        self.updateSlots = updateSlots
        try super.init(groups: groups, orderParams: orderParams, learningRate: learningRate, weightDecay: weightDecay, lossScale: lossScale)
    }

    /// Applies this optimizer's update rule (above) to one parameter.
    public override func update(_ parameter: Parameter, gradient: Tensor, learningRate lr: Double, slot: Int) {
        if parameter.dtype == .float64 { apply(Double.self, parameter, gradient, lr, slot) } else { apply(Float.self, parameter, gradient, lr, slot) }
    }

    private func apply<T: FloatingElement>(_: T.Type, _ p: Parameter, _ gradient: Tensor, _ lr: Double, _ slot: Int) {
        let (rate, update) = (T(lr), updateSlots)
        gradient.withUnsafeBufferPointer(as: T.self) { g in
            accumulators.withBuffer(slot, like: p, fill: accum, as: T.self) { a, _ in
                p.mutateInPlace(as: T.self) { w in
                    for i in 0..<w.count {
                        if update { a[i] += g[i] * g[i] }
                        w[i] -= rate * g[i] / a[i].squareRoot()
                    }
                }
            }
        }
    }
}
