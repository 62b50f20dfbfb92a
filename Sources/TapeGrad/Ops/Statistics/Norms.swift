// Vector norms along axes.

extension Tensor {
    /// The vector p-norm along `axes` (all when nil): (Σ|x|ᵖ)^(1/p); p = ∞ gives max|x|, p = −∞ min|x|,
    /// p = 0 the count of non-zeros; the default p = 2 over two axes is the Frobenius norm (MindSpore's
    /// `ops.norm` with `ord` None or a number). The 2-norm's gradient is 0 at x = 0 (a subgradient, as in
    /// PyTorch): ∂L/∂x = G ⊙ x / ‖x‖; the ∞-norm shares G among the tied maxima of |x|.
    ///
    /// ```swift
    /// Tensor([3, -4]).norm()                  // 5
    /// Tensor([3, -4]).norm(p: 1)              // 7
    /// Tensor([3, -4]).norm(p: .infinity)      // 4
    /// ```
    public func norm(p: Double = 2, alongAxes axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        guard let axes = reductionAxes(axes, op: "norm") else { return Tensor.placeholder(dtype: dtype.floatingPoint) }
        let x = astype(dtype.floatingPoint)
        let magnitude = abs(x)
        switch p {
        case .infinity: return magnitude.max(alongAxes: axes, keepDims: keepDims)
        case -.infinity: return magnitude.min(alongAxes: axes, keepDims: keepDims)
        case 0: return notEqual(x.detached, Tensor.zeros([], dtype: x.dtype)).converted(to: x.dtype).sum(alongAxes: axes, keepDims: keepDims)
        case 1: return magnitude.sum(alongAxes: axes, keepDims: keepDims)
        case 2:
            let value = (x * x).sum(alongAxes: axes, keepDims: true)
            let norm = sqrt(stopGradient(value))
            let out = norm.reshaped(to: reducedShape(axes, keepDims: keepDims))
            guard isRecorded else { return out }
            // Recorded as its own node so the gradient at 0 is 0 rather than 0/0.
            return out.recorded(x) { g in
                let n = x.norm(alongAxes: axes, keepDims: true)
                let zero = Tensor.zeros([], dtype: n.dtype)
                let safe = `where`(equal(n, zero), Tensor.ones([], dtype: n.dtype), n)
                return `where`(equal(n, zero), zero, g.reshaped(to: n.shape) * x / safe)
            }
        default:
            guard !p.isNaN else {
                reportError(TensorError(op: "norm", message: "argument p must be a number, got nan"))
                return Tensor.placeholder(dtype: x.dtype)
            }
            return pow(pow(magnitude, p).sum(alongAxes: axes, keepDims: keepDims), 1 / p)
        }
    }
}
