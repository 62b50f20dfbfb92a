/// Root-mean-square normalisation over the trailing `normalizedShape` axes, with PyTorch's `nn.RMSNorm`
/// semantics (`normalized_shape`, `eps=None`, `elementwise_affine=True`) — MindSpore 2.10 has no RMSNorm layer,
/// only `ops.rms_norm` for Ascend:
///
///     y = x / √(mean(x²) + ε) ⊙ w,   the mean over the last `normalizedShape.count` axes
///
/// ε nil (the default) is the machine epsilon of the input's dtype (PyTorch's `torch.finfo(x.dtype).eps`:
/// 2⁻²³ for float32, 2⁻⁵² for float64, 2⁻¹⁰ for float16, 2⁻⁷ for bfloat16). The weight w (`weight`, ones) has
/// `normalizedShape`; with `elementwiseAffine: false` there is none. Built from differentiable ops:
/// ∂L/∂w = Σ G ⊙ x/rms, and ∂L/∂x follows from the composition, to any order.
///
/// ```swift
/// let norm = RMSNorm(normalizedShape: [4])
/// let y = norm(Tensor([[1, 2, 3, 4], [2, 2, 2, 2]]))   // each row scaled to root-mean-square ≈ 1
/// ```
public final class RMSNorm: Cell, @unchecked Sendable {
    /// w, of `normalizedShape` (PyTorch's `weight`); nil without elementwise affine.
    public let weight: Parameter?
    /// The trailing shape normalised over.
    public let normalizedShape: [Int]
    /// ε; nil means the machine epsilon of the input's dtype.
    public let eps: Double?
    /// Whether the layer has the weight w.
    public let elementwiseAffine: Bool

    /// An RMS norm over the trailing `normalizedShape` (non-empty, positive sizes), its weight in `dtype`.
    /// An `eps` that is not a finite number ≥ 0 or an empty or non-positive shape is reported like an op's
    /// argument error.
    ///
    /// ```swift
    /// let plain = RMSNorm(normalizedShape: [2, 8], eps: 1e-6, elementwiseAffine: false)
    /// plain.parameters().count   // 0
    /// ```
    public init(normalizedShape: [Int], eps: Double? = nil, elementwiseAffine: Bool = true, dtype: DType = .float32) {
        if normalizedShape.isEmpty || normalizedShape.contains(where: { $0 < 1 }) {
            reportError(TensorError(op: "RMSNorm", message: "the argument 'normalizedShape' must be non-empty with sizes ≥ 1, but got \(normalizedShape)"))
        }
        if let eps, !(eps >= 0 && eps.isFinite) {
            reportError(TensorError(op: "RMSNorm", message: "the argument 'eps' must be a finite number ≥ 0, but got \(eps)"))
        }
        self.normalizedShape = normalizedShape
        self.eps = eps
        self.elementwiseAffine = elementwiseAffine
        let shape = normalizedShape.map { Swift.max($0, 1) }
        weight = elementwiseAffine ? Parameter(Tensor.ones(shape, dtype: dtype), name: "weight") : nil
        super.init()
    }

    /// The normalised input, of its shape. An input whose trailing axes are not `normalizedShape` is reported,
    /// naming the layer.
    public override func construct(_ x: Tensor) -> Tensor {
        let k = normalizedShape.count
        guard x.rank >= k, Array(x.shape.suffix(k)) == normalizedShape, x.dtype.isFloatingPoint else {
            let expected = x.dtype.isFloatingPoint ? "expected [..., \(normalizedShape.map(String.init).joined(separator: ", "))]" : "expected a floating-point tensor"
            reportLayerError("RMSNorm(normalizedShape: \(normalizedShape))", "got input \(x.shape) of \(x.dtype); \(expected)")
            return Tensor.placeholder(dtype: x.dtype)
        }
        let axes = Array((x.rank - k)..<x.rank)
        let normalized = x * rsqrt((x * x).mean(alongAxes: axes, keepDims: true) + (eps ?? x.dtype.machineEpsilon))
        return weight.map { normalized * $0.value } ?? normalized
    }

    /// `normalized_shape=(4,), eps=None, elementwise_affine=True`, as PyTorch prints an RMSNorm.
    public override var extendRepr: String {
        let shape = normalizedShape.count == 1 ? "(\(normalizedShape[0]),)" : "(" + normalizedShape.map(String.init).joined(separator: ", ") + ")"
        return "normalized_shape=\(shape), eps=\(eps.map { "\($0)" } ?? "None"), elementwise_affine=\(elementwiseAffine ? "True" : "False")"
    }
}

extension DType {
    /// The gap between 1 and the next representable number (PyTorch's `finfo(dtype).eps`); 0 for integers.
    var machineEpsilon: Double {
        switch self {
        case .float64: return Double.ulpOfOne
        case .float32: return Double(Float.ulpOfOne)
        case .float16: return 0x1p-10
        case .bfloat16: return 0x1p-7
        default: return 0
        }
    }
}
