// Vector and batched matrix products built on the differentiable elementwise ops and matmul.

/// The inner product Σᵢ aᵢbᵢ of two vectors of one length. ∂L/∂a = G b, ∂L/∂b = G a.
///
/// ```swift
/// dot(Tensor([1, 2, 3]), Tensor([4, 5, 6]))   // 32
/// ```
public func dot(_ a: Tensor, _ b: Tensor) -> Tensor {
    guard a.rank == 1, b.rank == 1, a.count == b.count else {
        reportError(TensorError(op: "dot", message: "arguments must be vectors of one length, got shapes \(a.shape) and \(b.shape)"))
        return Tensor.placeholder(dtype: DType.promoted(a.dtype, b.dtype))
    }
    return (a * b).sum()
}

/// The outer product (a bᵀ)ᵢⱼ = aᵢbⱼ of two vectors. ∂L/∂a = G b, ∂L/∂b = Gᵀ a.
///
/// ```swift
/// outer(Tensor([1, 2]), Tensor([3, 4, 5]))   // [[3, 4, 5], [6, 8, 10]]
/// ```
public func outer(_ a: Tensor, _ b: Tensor) -> Tensor {
    guard a.rank == 1, b.rank == 1 else {
        reportError(TensorError(op: "outer", message: "arguments must be vectors, got shapes \(a.shape) and \(b.shape)"))
        return Tensor.placeholder(dtype: DType.promoted(a.dtype, b.dtype))
    }
    return a.reshaped(to: [a.count, 1]) * b.reshaped(to: [1, b.count])
}

/// The batched matrix product of `[B, n, m]` and `[B, m, p]` tensors (MindSpore's `ops.bmm`), through gemm.
/// ∂L/∂a = G·bᵀ, ∂L/∂b = aᵀ·G per batch.
///
/// ```swift
/// bmm(Tensor.ones([2, 1, 3]), Tensor.ones([2, 3, 1]))   // [[[3]], [[3]]]
/// ```
public func bmm(_ a: Tensor, _ b: Tensor) -> Tensor {
    guard a.rank == 3, b.rank == 3, a.shape[0] == b.shape[0] else {
        reportError(TensorError(op: "bmm", message: "arguments must be [B, n, m] and [B, m, p] with one B, got shapes \(a.shape) and \(b.shape)"))
        return Tensor.placeholder(dtype: DType.promoted(a.dtype, b.dtype))
    }
    return matmul(a, b)
}
