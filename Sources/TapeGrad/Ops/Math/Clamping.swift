// Clamping to bounds, floating-point classification, and replacing non-finite values.

/// Clamps every element to [min, max]; either bound may be nil (no bound). The same as ``clip(_:min:max:)``.
/// ∂L/∂x = G where min ≤ x ≤ max, else 0.
///
/// ```swift
/// clamp(Tensor([-2, 0.5, 3]), min: 0)   // [0, 0.5, 3]
/// ```
public func clamp(_ x: Tensor, min lower: Double? = nil, max upper: Double? = nil) -> Tensor {
    clip(x, min: lower ?? -.infinity, max: upper ?? .infinity)
}

/// Clamps every element between tensor bounds that broadcast with x (MindSpore's `ops.clamp` with tensors).
/// Where min > max the result is max, as in MindSpore and PyTorch.
/// ∂L/∂x = G where min ≤ x ≤ max; ∂L/∂min = G where x < min (and min ≤ max); ∂L/∂max = G where the result is max.
///
/// ```swift
/// clamp(Tensor([1, 5, 9]), min: Tensor([2]), max: Tensor([6, 6, 8]))   // [2, 5, 8]
/// ```
public func clamp(_ x: Tensor, min lower: Tensor?, max upper: Tensor?) -> Tensor {
    var y = x
    if let lower { y = `where`(less(y, lower), lower, y) }
    if let upper { y = `where`(greater(stopGradient(y), upper), upper, y) }
    return y
}

/// True where x is NaN, as a bool tensor (MindSpore's `ops.isnan`; integer and bool inputs give all false).
/// Not differentiable.
///
/// ```swift
/// isnan(Tensor([1, .nan]))   // [false, true] (Bool)
/// ```
public func isnan(_ x: Tensor) -> Tensor { MathKernels.unary(.isnan, x.detached).converted(to: .bool) }

/// True where x is ±∞, as a bool tensor. Not differentiable.
///
/// ```swift
/// isinf(Tensor([1, .infinity]))   // [false, true] (Bool)
/// ```
public func isinf(_ x: Tensor) -> Tensor { MathKernels.unary(.isinf, x.detached).converted(to: .bool) }

/// True where x is finite (neither NaN nor ±∞), as a bool tensor. Not differentiable.
///
/// ```swift
/// isfinite(Tensor([1, .nan, .infinity]))   // [true, false, false] (Bool)
/// ```
public func isfinite(_ x: Tensor) -> Tensor { MathKernels.unary(.isfinite, x.detached).converted(to: .bool) }

/// Replaces NaN by `nan`, +∞ by `posinf` and −∞ by `neginf` (nil: the dtype's largest finite value, or its
/// negation), as MindSpore's `ops.nan_to_num`. ∂L/∂x = G where x is finite, else 0.
///
/// ```swift
/// nanToNum(Tensor([.nan, .infinity, 1]), nan: 0, posinf: 9)   // [0, 9, 1]
/// ```
public func nanToNum(_ x: Tensor, nan: Double = 0, posinf: Double? = nil, neginf: Double? = nil) -> Tensor {
    guard x.dtype.isFloatingPoint else { return x }
    let big = x.dtype == .float32 ? Double(Float.greatestFiniteMagnitude) : Double.greatestFiniteMagnitude
    let finite = isfinite(x)
    let safe = `where`(finite, x, Tensor.zeros([], dtype: x.dtype))
    let fill = `where`(isnan(x), Tensor.full([], value: nan, dtype: x.dtype),
                       `where`(greater(x, Tensor.zeros([], dtype: x.dtype)), Tensor.full([], value: posinf ?? big, dtype: x.dtype),
                               Tensor.full([], value: neginf ?? -big, dtype: x.dtype)))
    return safe + logicalNot(finite) * fill
}
