/// Group normalisation, MindSpore's `nn.GroupNorm(num_groups, num_channels, eps=1e-5, affine=True)`: the
/// channels of an `(N, C, …)` input are split into `numGroups` groups of C/G, and each (sample, group) is
/// normalised over its channels and positions, then scaled and shifted per channel:
/// y = (x − E[x]) / √(Var[x] + ε) · γ_c + β_c, with E and Var (biased) over the group.
///
/// Built from differentiable ops, so higher-order gradients go through it. With `affine: false` γ and β are
/// frozen at 1 and 0 (`requiresGrad` false), as MindSpore does.
///
/// ```swift
/// let gn = GroupNorm(numGroups: 2, numChannels: 4)
/// let y = gn(Tensor.randomNormal([3, 4, 5, 5], seed: 1))   // [3, 4, 5, 5]
/// ```
public final class GroupNorm: Cell, @unchecked Sendable {
    /// G, the number of groups.
    public let numGroups: Int
    /// C, the number of channels (a multiple of G).
    public let numChannels: Int
    /// ε.
    public let eps: Double
    /// Whether γ and β are trained.
    public let affine: Bool
    /// γ, one per channel.
    public let gamma: Parameter
    /// β, one per channel.
    public let beta: Parameter

    /// A group norm of `numChannels` channels in `numGroups` groups, its parameters in `dtype`.
    /// `numChannels` must be a positive multiple of `numGroups` (reported like an op's argument error otherwise).
    public init(numGroups: Int, numChannels: Int, eps: Double = 1e-5, affine: Bool = true, dtype: DType = .float32) {
        if numGroups <= 0 || numChannels <= 0 || numChannels % Swift.max(numGroups, 1) != 0 {
            reportError(TensorError(op: "GroupNorm", message: "numChannels (\(numChannels)) must be a positive multiple of numGroups (\(numGroups))"))
        }
        if !(eps > 0 && eps.isFinite) {
            reportError(TensorError(op: "GroupNorm", message: "the argument 'eps' must be a finite number > 0, but got \(eps)"))
        }
        self.numGroups = numGroups
        self.numChannels = numChannels
        self.eps = eps
        self.affine = affine
        gamma = Parameter(Tensor.ones([Swift.max(numChannels, 0)], dtype: dtype), name: "gamma", requiresGrad: affine)
        beta = Parameter(Tensor.zeros([Swift.max(numChannels, 0)], dtype: dtype), name: "beta", requiresGrad: affine)
        super.init()
    }

    /// The normalised, scaled and shifted input, of the input's shape.
    public override func construct(_ x: Tensor) -> Tensor {
        let configuration = "GroupNorm(numGroups: \(numGroups), numChannels: \(numChannels))"
        guard x.rank >= 2, x.shape[1] == numChannels, numGroups > 0, numChannels % numGroups == 0 else {
            reportLayerError(configuration, "got input \(x.shape); expected (N, \(numChannels), …)")
            return Tensor.placeholder(dtype: x.dtype)
        }
        let n = x.shape[0], spatial = Array(x.shape.dropFirst(2))
        let grouped = x.reshaped(to: [n, numGroups, -1])
        let mean = grouped.mean(alongAxes: [2], keepDims: true)
        let centered = grouped - mean
        let variance = (centered * centered).mean(alongAxes: [2], keepDims: true)
        let normalized = (centered * rsqrt(variance + eps)).reshaped(to: x.shape)
        let perChannel = [numChannels] + spatial.map { _ in 1 }
        return normalized * gamma.value.reshaped(to: perChannel) + beta.value.reshaped(to: perChannel)
    }

    /// `num_groups=2, num_channels=4`, as MindSpore prints a GroupNorm.
    public override var extendRepr: String { "num_groups=\(numGroups), num_channels=\(numChannels)" }
}
