// Matrix norms over the last two dimensions.

/// Which matrix norm ``matrixNorm(_:ord:keepDims:)`` computes (MindSpore's `ord` values in Swift case).
///
/// ```swift
/// matrixNorm(Tensor([[3, 0], [0, -4]]), ord: .two)   // 4, the largest singular value
/// ```
public enum MatrixNormOrder: Sendable, Hashable {
    /// `'fro'`: √(Σ x²).
    case fro
    /// `'nuc'`: the sum of the singular values.
    case nuc
    /// `1`: the largest column sum of |x|.
    case one
    /// `-1`: the smallest column sum of |x|.
    case minusOne
    /// `2`: the largest singular value.
    case two
    /// `-2`: the smallest singular value.
    case minusTwo
    /// `inf`: the largest row sum of |x|.
    case infinity
    /// `-inf`: the smallest row sum of |x|.
    case minusInfinity
}

/// The matrix norm of each matrix in the last two dimensions (MindSpore's `ops.matrix_norm`). Gradients follow
/// from the pieces: Frobenius G ⊙ x / ‖x‖ (0 at 0), nuclear U Vᵀ, spectral u₁v₁ᵀ, the 1/∞ norms sign(x) on the
/// chosen column/row (ties share).
///
/// ```swift
/// matrixNorm(Tensor([[1, -2], [3, 4]]), ord: .one)   // 6
/// ```
public func matrixNorm(_ x: Tensor, ord: MatrixNormOrder = .fro, keepDims: Bool = false) -> Tensor {
    guard x.matrixShape(op: "matrixNorm", square: false) != nil else { return Tensor.placeholder(dtype: x.dtype.floatingPoint) }
    let r = x.rank
    let value: Tensor
    switch ord {
    case .fro: return x.norm(alongAxes: [r - 2, r - 1], keepDims: keepDims)
    case .nuc: value = svd(x).s.sum(alongAxes: [r - 2])
    case .two: value = svd(x).s.max(alongAxes: [r - 2])
    case .minusTwo: value = svd(x).s.min(alongAxes: [r - 2])
    case .one: value = abs(x).sum(alongAxes: [r - 2]).max(alongAxes: [r - 2])
    case .minusOne: value = abs(x).sum(alongAxes: [r - 2]).min(alongAxes: [r - 2])
    case .infinity: value = abs(x).sum(alongAxes: [r - 1]).max(alongAxes: [r - 2])
    case .minusInfinity: value = abs(x).sum(alongAxes: [r - 1]).min(alongAxes: [r - 2])
    }
    return keepDims ? value.reshaped(to: Array(x.shape.dropLast(2)) + [1, 1]) : value
}
