/// Instance normalisation, MindSpore's `nn.InstanceNorm2d(num_features, eps=1e-5, momentum=0.1, affine=True,
/// gamma_init='ones', beta_init='zeros')` on `(N, C, H, W)`: each (sample n, channel c) is normalised over its
/// own H·W values, then scaled and shifted per channel:
///
///     y = (x − μ_nc) / √(σ²_nc + ε) · γ_c + β_c,   μ_nc, σ²_nc (biased) over the H·W values of x[n, c]
///
/// The same in training and evaluation (MindSpore: "this layer uses instance statistics computed from input
/// data in both training and evaluation modes"). ∂L/∂β_c = Σ G, ∂L/∂γ_c = Σ G·x̂ (over n and positions) and
/// ∂L/∂x = γ_c·r_nc·(G − mean G − x̂·mean G·x̂) (means over the H·W positions), to any order: float32 and
/// float64 run batch norm's fused op with each (n, c) as a channel; other dtypes compose differentiable ops.
///
/// Parameters, named and listed as in MindSpore's checkpoints: `moving_mean` (zeros) and `moving_variance`
/// (ones), never trainable, then `gamma` and `beta` (trainable unless `affine` is false). MindSpore 2.10 keeps
/// the two moving statistics but never reads them, and its kernel (GPU only) updates a scratch copy, not the
/// parameters; TapeGrad keeps them for checkpoint compatibility and, likewise, never changes them. `momentum`
/// is validated and printed, nothing more.
///
/// ```swift
/// let norm = InstanceNorm2d(numFeatures: 3)
/// let y = norm(Tensor.randomNormal([2, 3, 8, 8], seed: 1))   // [2, 3, 8, 8]; each y[n, c] has mean 0
/// ```
public final class InstanceNorm2d: Cell, @unchecked Sendable {
    /// Kept for MindSpore's checkpoints (`moving_mean`, zeros); never read or updated.
    public let movingMean: Parameter
    /// Kept for MindSpore's checkpoints (`moving_variance`, ones); never read or updated.
    public let movingVariance: Parameter
    /// γ, one per channel.
    public let gamma: Parameter
    /// β, one per channel.
    public let beta: Parameter
    /// C, the number of channels.
    public let numFeatures: Int
    /// ε, added to the variance.
    public let eps: Double
    /// MindSpore's `momentum` argument (validated, unused: the moving statistics never change).
    public let momentum: Double
    /// Whether γ and β are trained.
    public let affine: Bool

    /// An instance norm over `numFeatures` channels, γ and β drawn from `gammaInit`/`betaInit` in `dtype`.
    /// A `numFeatures` below 1, a `momentum` outside [0, 1] or an `eps` that is not a finite number > 0 is
    /// reported like an op's argument error (MindSpore: ValueError).
    ///
    /// ```swift
    /// let fixed = InstanceNorm2d(numFeatures: 4, affine: false)
    /// fixed.trainableParams().count   // 0
    /// ```
    public init(numFeatures: Int, eps: Double = 1e-5, momentum: Double = 0.1, affine: Bool = true,
                gammaInit: Initializer = .ones, betaInit: Initializer = .zeros, dtype: DType = .float32) {
        (movingMean, movingVariance, gamma, beta) = BatchNormCore.channelParameters(
            "InstanceNorm2d", numFeatures: numFeatures, eps: eps, momentum: momentum, affine: affine,
            initializers: (.zeros, .ones, gammaInit, betaInit), dtype: dtype)
        self.numFeatures = numFeatures
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        super.init()
    }

    /// The normalised, scaled and shifted input, of the input's shape. An input that is not (N, C, H, W), or a γ
    /// or β replaced by one of another shape, is reported, naming the layer.
    public override func construct(_ x: Tensor) -> Tensor {
        guard x.rank == 4, x.shape[1] == numFeatures, let spatial = SizeArithmetic.elementCount([x.shape[2], x.shape[3]]) else {
            reportLayerError("InstanceNorm2d(numFeatures: \(numFeatures))", "got input \(x.shape); expected (N, \(numFeatures), H, W)")
            return Tensor.placeholder(dtype: x.dtype)
        }
        let n = x.shape[0]
        let dtype = DType.promoted(DType.promoted(x.dtype, gamma.value.dtype), beta.value.dtype)
        guard gamma.shape == [numFeatures], beta.shape == [numFeatures], let instances = SizeArithmetic.elementCount([n, numFeatures]) else {
            reportLayerError("InstanceNorm2d(numFeatures: \(numFeatures))", "gamma and beta must have shape [\(numFeatures)], but have \(gamma.shape) and \(beta.shape)")
            return Tensor.placeholder(dtype: x.dtype)
        }
        if dtype == .float32 || dtype == .float64 {
            // Each (n, c) is a channel of its own: batch norm's fused op on (1, N·C, H·W), γ and β repeated per sample.
            let c = numFeatures
            let perInstance = { (t: Tensor) in t.astype(dtype).reshaped(to: [1, c]).broadcast(to: [n, c]).reshaped(to: [instances]) }
            let flat = x.astype(dtype).reshaped(to: [1, instances, spatial])
            return batchNormTraining(flat, gamma: perInstance(gamma.value), beta: perInstance(beta.value), eps: eps).output.reshaped(to: x.shape)
        }
        // Other dtypes: (N, C, H·W), the statistics over the contiguous last axis; γ and β broadcast as (C, 1).
        let flat = x.reshaped(to: [n, numFeatures, spatial])
        let centered = flat - flat.mean(alongAxes: [2], keepDims: true)
        let variance = (centered * centered).mean(alongAxes: [2], keepDims: true)
        let perChannel = [numFeatures, 1]
        let y = centered * (rsqrt(variance + eps) * gamma.value.reshaped(to: perChannel)) + beta.value.reshaped(to: perChannel)
        return y.reshaped(to: x.shape)
    }

    /// `num_features=3, eps=1e-05, momentum=0.1`, the start of what MindSpore prints for an InstanceNorm2d
    /// (MindSpore goes on with the four parameters).
    public override var extendRepr: String { "num_features=\(numFeatures), eps=\(eps), momentum=\(momentum)" }
}
