// Batch normalisation: BatchNorm1d on (N, C), BatchNorm2d on (N, C, H, W), one computation behind both.

/// The state and the computation ``BatchNorm1d`` and ``BatchNorm2d`` share: per-channel statistics over every
/// axis but the channel axis, the affine map, and the staged update of the moving statistics.
struct BatchNormCore: Sendable {
    let gamma: Parameter
    let beta: Parameter
    let movingMean: Parameter
    let movingVariance: Parameter
    let eps: Double
    let momentum: Double

    /// y = (x − μ) · γ/√(σ² + ε) + β on `x` of shape (N, C, L) — L = 1 for (N, C) — per channel.
    ///
    /// With `batchStatistics`, μ and σ² (biased) are the batch's, over N·L values per channel, and the moving
    /// statistics are staged for the step's commit: moving ← momentum·moving + (1 − momentum)·batch, the
    /// variance unbiased (× n/(n − 1)). float32 and float64 go through the fused op ``batchNormTraining(_:gamma:beta:eps:)``
    /// (three passes forward, two backward, higher orders through its differentiable pullback); other dtypes
    /// through the same formula in differentiable ops. Otherwise μ and σ² are the moving statistics and
    /// y = x·s + t with s = γ/√(σ² + ε) and t = β − μ·s formed on C values: two contiguous passes.
    /// A parameter replaced by one of another shape is reported naming `layer`.
    func normalize(_ x: Tensor, batchStatistics: Bool, layer: String) -> Tensor {
        let channels = x.shape[1], perChannel = { (t: Tensor) in t.reshaped(to: [channels, 1]) }
        let shapes = [gamma, beta, movingMean, movingVariance].map(\.shape)
        guard shapes.allSatisfy({ $0 == [channels] }) else {
            reportError(TensorError(op: layer, message: "gamma, beta, moving_mean and moving_variance must have shape [\(channels)], but have \(shapes)"))
            return Tensor.placeholder(dtype: x.dtype)
        }
        guard batchStatistics else {
            let scale = rsqrt(movingVariance.value + eps) * gamma.value
            return x * perChannel(scale) + perChannel(beta.value - movingMean.value * scale)
        }
        let n = Double(x.shape[0]) * Double(x.shape[2]), correction = n / Swift.max(n - 1, 1)
        let dtype = DType.promoted(DType.promoted(x.dtype, gamma.value.dtype), beta.value.dtype)
        if dtype == .float32 || dtype == .float64 {
            let (y, mean, variance) = batchNormTraining(x.astype(dtype), gamma: gamma.value.astype(dtype), beta: beta.value.astype(dtype), eps: eps)
            if !ErrorChecking.hasFailed { stageMovingStatistics(mean: mean, variance: variance * correction) }
            return y
        }
        let mean = x.mean(alongAxes: [0, 2])
        let centered = x - perChannel(mean)
        let variance = (centered * centered).mean(alongAxes: [0, 2])
        if !ErrorChecking.hasFailed { stageMovingStatistics(mean: stopGradient(mean), variance: stopGradient(variance) * correction) }
        return centered * perChannel(rsqrt(variance + eps) * gamma.value) + perChannel(beta.value)
    }

    /// Stages moving ← momentum·moving + (1 − momentum)·batch for the commit of the current step (applied at once
    /// outside every step), each under its parameter's lock so concurrent steps lose no update.
    private func stageMovingStatistics(mean: Tensor, variance: Tensor) {
        let (runningMean, runningVariance, m) = (movingMean, movingVariance, momentum)
        Transaction.stage {
            runningMean.updateStoredValue { old in old.shape == mean.shape ? old * m + mean.astype(old.dtype) * (1 - m) : nil }
            runningVariance.updateStoredValue { old in old.shape == variance.shape ? old * m + variance.astype(old.dtype) * (1 - m) : nil }
        }
    }

    /// A channel-wise norm layer's four parameters with MindSpore's checkpoint names — `moving_mean`,
    /// `moving_variance` (never trained), `gamma`, `beta` (trained when `affine`) — each of shape [C], drawn from
    /// `initializers` in that order, after reporting a `numFeatures` below 1 and ``validate(_:eps:momentum:)``'s errors.
    static func channelParameters(_ layer: String, numFeatures: Int, eps: Double, momentum: Double, affine: Bool,
                                  initializers: (Initializer, Initializer, Initializer, Initializer), dtype: DType)
        -> (Parameter, Parameter, Parameter, Parameter) {
        if numFeatures < 1 {
            reportError(TensorError(op: layer, message: "the argument 'numFeatures' must be at least 1, but got \(numFeatures)"))
        }
        validate(layer, eps: eps, momentum: momentum)
        let shape = [Swift.max(numFeatures, 1)]
        return (Parameter(initializers.0.make(shape, dtype: dtype), name: "moving_mean", requiresGrad: false),
                Parameter(initializers.1.make(shape, dtype: dtype), name: "moving_variance", requiresGrad: false),
                Parameter(initializers.2.make(shape, dtype: dtype), name: "gamma", requiresGrad: affine),
                Parameter(initializers.3.make(shape, dtype: dtype), name: "beta", requiresGrad: affine))
    }

    /// Reports MindSpore's ValueErrors for a `momentum` outside [0, 1] or an `eps` that is not a finite number > 0.
    static func validate(_ layer: String, eps: Double, momentum: Double) {
        if !(momentum >= 0 && momentum <= 1) {
            reportError(TensorError(op: layer, message: "the argument 'momentum' must be in [0, 1], but got \(momentum)"))
        }
        if !(eps > 0 && eps.isFinite) {
            reportError(TensorError(op: layer, message: "the argument 'eps' must be a finite number > 0, but got \(eps)"))
        }
    }
}

/// `nn.BatchNorm1d(num_features, eps=1e-5, momentum=0.9, affine=True)` on `(N, C)` or `(N, C, L)`, per channel c:
/// y = (x − μ_c) / √(σ²_c + ε) · γ_c + β_c. Training uses the batch statistics over the N (or N·L) values of
/// channel c (biased variance) and updates the running ones as MindSpore does,
/// running ← momentum·running + (1 − momentum)·batch, with the unbiased variance; evaluation uses the running
/// statistics. Parameters: `gamma`, `beta` (trainable unless `affine` is false) and `moving_mean`,
/// `moving_variance` (never trainable).
///
/// Failed steps and threading: the running-statistics update is staged and applied only when the step
/// (gradient computation, ``TrainOneStepCell`` step or ``withErrorChecking(_:)`` scope) succeeds, so a step
/// that throws leaves them unchanged. Each update is applied atomically under the parameter's lock, so
/// concurrent steps on one shared layer never lose an update; they apply in the order the steps finish
/// (with momentum the result depends on that order unless the batches are equal). Outputs and
/// gradients use the batch statistics only and are deterministic.
///
/// ```swift
/// let bn = BatchNorm1d(numFeatures: 64)
/// bn.setTrain(false)   // use the running statistics
/// ```
public final class BatchNorm1d: Cell, @unchecked Sendable {
    /// γ.
    public let gamma: Parameter
    /// β.
    public let beta: Parameter
    /// The running mean.
    public let movingMean: Parameter
    /// The running variance.
    public let movingVariance: Parameter
    /// ε.
    public let eps: Double
    /// The weight of the old running statistics.
    public let momentum: Double

    /// The number of channels.
    public let numFeatures: Int

    /// A batch norm over `numFeatures` channels, its parameters and statistics in `dtype`. A `momentum`
    /// outside `[0, 1]` or an `eps` that is not a finite number > 0 is reported like an op's argument error
    /// (MindSpore: ValueError). With `affine: false`, γ and β stay 1 and 0.
    ///
    /// ```swift
    /// let bn = BatchNorm1d(numFeatures: 3, affine: false).setTrain()
    /// let y = bn(Tensor.randomNormal([8, 3, 5], seed: 1))   // (N, C, L): statistics over N·L per channel
    /// ```
    public init(numFeatures: Int, eps: Double = 1e-5, momentum: Double = 0.9, affine: Bool = true, dtype: DType = .float32) {
        BatchNormCore.validate("BatchNorm1d", eps: eps, momentum: momentum)
        self.numFeatures = numFeatures
        gamma = Parameter(Tensor.ones([numFeatures], dtype: dtype), name: "gamma", requiresGrad: affine)
        beta = Parameter(Tensor.zeros([numFeatures], dtype: dtype), name: "beta", requiresGrad: affine)
        movingMean = Parameter(Tensor.zeros([numFeatures], dtype: dtype), name: "moving_mean", requiresGrad: false)
        movingVariance = Parameter(Tensor.ones([numFeatures], dtype: dtype), name: "moving_variance", requiresGrad: false)
        self.eps = eps
        self.momentum = momentum
        super.init()
    }

    private var core: BatchNormCore {
        BatchNormCore(gamma: gamma, beta: beta, movingMean: movingMean, movingVariance: movingVariance, eps: eps, momentum: momentum)
    }

    /// The normalised input, of the input's shape `(N, C)` or `(N, C, L)`; in training also updates the running
    /// statistics.
    public override func construct(_ x: Tensor) -> Tensor {
        guard x.rank == 2 || x.rank == 3, x.shape[1] == numFeatures else {
            reportLayerError("BatchNorm1d(numFeatures: \(numFeatures))", "got input \(x.shape); expected (N, \(numFeatures)) or (N, \(numFeatures), L)")
            return Tensor.placeholder(dtype: x.dtype)
        }
        let length = x.rank == 3 ? x.shape[2] : 1
        let y = core.normalize(x.reshaped(to: [x.shape[0], numFeatures, length]), batchStatistics: isTraining, layer: "BatchNorm1d(numFeatures: \(numFeatures))")
        return y.reshaped(to: x.shape)
    }

    /// `num_features=4, eps=1e-05, momentum=0.9`, as MindSpore prints a BatchNorm1d.
    public override var extendRepr: String { "num_features=\(numFeatures), eps=\(eps), momentum=\(momentum)" }
}

/// `nn.BatchNorm2d(num_features, eps=1e-5, momentum=0.9, affine=True, gamma_init='ones', beta_init='zeros',
/// moving_mean_init='zeros', moving_var_init='ones', use_batch_statistics=None)` on `(N, C, H, W)`, per channel c:
///
///     y = (x − μ_c) / √(σ²_c + ε) · γ_c + β_c
///
/// With batch statistics, μ_c and σ²_c (biased) are taken over the N·H·W values of channel c, and the moving
/// statistics are updated as MindSpore does (`momentum` is the weight kept, 0.9 by default; m = N·H·W):
///
///     moving_mean ← momentum · moving_mean + (1 − momentum) · μ_c
///     moving_variance ← momentum · moving_variance + (1 − momentum) · σ²_c · m/(m − 1)
///
/// Otherwise μ_c and σ²_c are the moving statistics. `useBatchStatistics` nil (the default) means batch
/// statistics in training and moving ones in evaluation (``Cell/setTrain(_:)``); `true` always the batch's
/// (and always updating), `false` always the moving ones. ∂L/∂x, ∂L/∂γ = Σ G·x̂, ∂L/∂β = Σ G follow from the
/// composition, to any order.
///
/// Parameters, named and listed as in MindSpore's checkpoints: `moving_mean`, `moving_variance` (never
/// trainable), `gamma`, `beta` (trainable unless `affine` is false). Failed steps and threads: as
/// ``BatchNorm1d`` — the update is staged, committed only when the step succeeds, atomically.
///
/// ```swift
/// let bn = BatchNorm2d(numFeatures: 3).setTrain()
/// let y = bn(Tensor.randomNormal([2, 3, 4, 4], seed: 1))   // [2, 3, 4, 4], each channel mean 0, variance ≈ 1
/// bn.movingMean.name                                       // "moving_mean"
/// ```
public final class BatchNorm2d: Cell, @unchecked Sendable {
    /// The running mean μ, one per channel (MindSpore's `moving_mean`).
    public let movingMean: Parameter
    /// The running variance σ², one per channel (MindSpore's `moving_variance`).
    public let movingVariance: Parameter
    /// γ, one per channel.
    public let gamma: Parameter
    /// β, one per channel.
    public let beta: Parameter
    /// C, the number of channels.
    public let numFeatures: Int
    /// ε, added to the variance.
    public let eps: Double
    /// The weight of the old moving statistics in an update (MindSpore's convention, not PyTorch's).
    public let momentum: Double
    /// Whether γ and β are trained.
    public let affine: Bool
    /// nil: batch statistics in training, moving ones in evaluation; true/false: always batch/moving ones.
    public let useBatchStatistics: Bool?

    /// A batch norm over `numFeatures` channels, its parameters and statistics in `dtype`, drawn from the four
    /// initialisers. A `numFeatures` below 1, a `momentum` outside [0, 1] or an `eps` that is not a finite
    /// number > 0 is reported like an op's argument error (MindSpore: ValueError).
    ///
    /// ```swift
    /// let frozen = BatchNorm2d(numFeatures: 8, momentum: 0.99, affine: false, gammaInit: .constant(0.5))
    /// frozen.trainableParams().count   // 0
    /// ```
    public init(numFeatures: Int, eps: Double = 1e-5, momentum: Double = 0.9, affine: Bool = true,
                gammaInit: Initializer = .ones, betaInit: Initializer = .zeros,
                movingMeanInit: Initializer = .zeros, movingVarInit: Initializer = .ones,
                useBatchStatistics: Bool? = nil, dtype: DType = .float32) {
        (movingMean, movingVariance, gamma, beta) = BatchNormCore.channelParameters(
            "BatchNorm2d", numFeatures: numFeatures, eps: eps, momentum: momentum, affine: affine,
            initializers: (movingMeanInit, movingVarInit, gammaInit, betaInit), dtype: dtype)
        self.numFeatures = numFeatures
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.useBatchStatistics = useBatchStatistics
        super.init()
    }

    /// The normalised, scaled and shifted input, of the input's shape; with batch statistics also stages the
    /// update of the moving ones. An input that is not (N, C, H, W) is reported, naming the layer.
    public override func construct(_ x: Tensor) -> Tensor {
        guard x.rank == 4, x.shape[1] == numFeatures, let spatial = SizeArithmetic.elementCount([x.shape[2], x.shape[3]]) else {
            reportLayerError("BatchNorm2d(numFeatures: \(numFeatures))", "got input \(x.shape); expected (N, \(numFeatures), H, W)")
            return Tensor.placeholder(dtype: x.dtype)
        }
        let core = BatchNormCore(gamma: gamma, beta: beta, movingMean: movingMean, movingVariance: movingVariance, eps: eps, momentum: momentum)
        // (N, C, H, W) viewed as (N, C, H·W): a free reshape; each channel's values are N contiguous runs.
        let flat = x.reshaped(to: [x.shape[0], numFeatures, spatial])
        let y = core.normalize(flat, batchStatistics: useBatchStatistics ?? isTraining, layer: "BatchNorm2d(numFeatures: \(numFeatures))")
        return y.reshaped(to: x.shape)
    }

    /// `num_features=3, eps=1e-05, momentum=0.9`, the start of what MindSpore prints for a BatchNorm2d
    /// (MindSpore goes on with the four parameters).
    public override var extendRepr: String { "num_features=\(numFeatures), eps=\(eps), momentum=\(momentum)" }
}
