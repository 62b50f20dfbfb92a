/// `nn.LayerNorm(normalized_shape, begin_norm_axis=-1, begin_params_axis=-1, epsilon=1e-7)`:
/// y = (x − mean) / √(var + ε) ⊙ γ + β, the statistics taken over the axes from `beginNormAxis` on.
/// γ (`gamma`, ones) and β (`beta`, zeros) have `normalizedShape`. The gradient follows from the composition.
///
/// ```swift
/// let ln = LayerNorm(normalizedShape: [16])
/// ```
public final class LayerNorm: Cell, @unchecked Sendable {
    /// γ.
    public let gamma: Parameter
    /// β.
    public let beta: Parameter
    /// The first normalised axis.
    public let beginNormAxis: Int
    /// ε.
    public let epsilon: Double
    /// The shape of γ and β (the trailing axes of the input).
    public let normalizedShape: [Int]

    /// A layer norm over the trailing `normalizedShape`, its parameters in `dtype`.
    public init(normalizedShape: [Int], beginNormAxis: Int = -1, beginParamsAxis: Int = -1, epsilon: Double = 1e-7, dtype: DType = .float32) {
        self.normalizedShape = normalizedShape
        gamma = Parameter(Tensor.ones(normalizedShape, dtype: dtype), name: "gamma")
        beta = Parameter(Tensor.zeros(normalizedShape, dtype: dtype), name: "beta")
        self.beginNormAxis = beginNormAxis
        self.epsilon = epsilon
        super.init()
    }

    /// The normalised, scaled and shifted input.
    public override func construct(_ x: Tensor) -> Tensor {
        guard x.rank >= normalizedShape.count, Array(x.shape.suffix(normalizedShape.count)) == normalizedShape else {
            reportLayerError("LayerNorm(normalizedShape: \(normalizedShape))", "got input \(x.shape); expected [..., \(normalizedShape.map(String.init).joined(separator: ", "))]")
            return Tensor.placeholder(dtype: x.dtype)
        }
        let begin = beginNormAxis < 0 ? beginNormAxis + x.rank : beginNormAxis
        let axes = Array(Swift.max(begin, 0)..<x.rank)
        let mean = x.mean(alongAxes: axes, keepDims: true)
        let centered = x - mean
        let variance = (centered * centered).mean(alongAxes: axes, keepDims: true)
        return centered * rsqrt(variance + epsilon) * gamma.value + beta.value
    }

    /// `normalized_shape=(4,), begin_norm_axis=-1, epsilon=1e-07`, as MindSpore prints a LayerNorm.
    public override var extendRepr: String {
        let shape = normalizedShape.count == 1 ? "(\(normalizedShape[0]),)" : "(" + normalizedShape.map(String.init).joined(separator: ", ") + ")"
        return "normalized_shape=\(shape), begin_norm_axis=\(beginNormAxis), epsilon=\(epsilon)"
    }
}

/// `nn.BatchNorm1d(num_features, eps=1e-5, momentum=0.9)` on `(N, C)`:
/// training uses the batch statistics (biased variance) and updates the running ones as MindSpore does,
/// running ← momentum·running + (1 − momentum)·batch, with the unbiased variance; evaluation uses the running
/// statistics. Parameters: `gamma`, `beta` (trainable) and `mean`, `variance` (not trainable).
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
    /// (MindSpore: ValueError).
    public init(numFeatures: Int, eps: Double = 1e-5, momentum: Double = 0.9, dtype: DType = .float32) {
        if !(momentum >= 0 && momentum <= 1) {
            reportError(TensorError(op: "BatchNorm1d", message: "the argument 'momentum' must be in [0, 1], but got \(momentum)"))
        }
        if !(eps > 0 && eps.isFinite) {
            reportError(TensorError(op: "BatchNorm1d", message: "the argument 'eps' must be a finite number > 0, but got \(eps)"))
        }
        self.numFeatures = numFeatures
        gamma = Parameter(Tensor.ones([numFeatures], dtype: dtype), name: "gamma")
        beta = Parameter(Tensor.zeros([numFeatures], dtype: dtype), name: "beta")
        movingMean = Parameter(Tensor.zeros([numFeatures], dtype: dtype), name: "mean", requiresGrad: false)
        movingVariance = Parameter(Tensor.ones([numFeatures], dtype: dtype), name: "variance", requiresGrad: false)
        self.eps = eps
        self.momentum = momentum
        super.init()
    }

    /// The normalised input; in training also updates the running statistics.
    public override func construct(_ x: Tensor) -> Tensor {
        guard x.rank == 2, x.shape[1] == numFeatures else {
            reportLayerError("BatchNorm1d(numFeatures: \(numFeatures))", "got input \(x.shape); expected (N, \(numFeatures))")
            return Tensor.placeholder(dtype: x.dtype)
        }
        guard isTraining else {
            return (x - movingMean.value) * rsqrt(movingVariance.value + eps) * gamma.value + beta.value
        }
        let n = Double(x.shape[0])
        let mean = x.mean(alongAxes: [0])
        let centered = x - mean
        let variance = (centered * centered).mean(alongAxes: [0])
        let unbiased = stopGradient(variance) * (n / Swift.max(n - 1, 1))
        if !ErrorChecking.hasFailed {
            let (runningMean, runningVariance, m) = (movingMean, movingVariance, momentum)
            let batchMean = stopGradient(mean)
            Transaction.stage {
                runningMean.updateStoredValue { old in
                    old.shape == batchMean.shape ? old * m + batchMean.astype(old.dtype) * (1 - m) : nil
                }
                runningVariance.updateStoredValue { old in
                    old.shape == unbiased.shape ? old * m + unbiased.astype(old.dtype) * (1 - m) : nil
                }
            }
        }
        return centered * rsqrt(variance + eps) * gamma.value + beta.value
    }

    /// `num_features=4, eps=1e-05, momentum=0.9`, as MindSpore prints a BatchNorm1d.
    public override var extendRepr: String { "num_features=\(numFeatures), eps=\(eps), momentum=\(momentum)" }
}
