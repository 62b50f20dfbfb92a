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
