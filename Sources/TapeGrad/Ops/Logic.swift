// Comparisons and logical connectives beyond ``greater(_:_:)`` and ``equal(_:_:)``.
//
// Until TapeGrad has a bool dtype, every comparison and logical op returns a 0/1 mask in the operands'
// promoted dtype (int32 < float32 < float64), as ``equal(_:_:)`` does; MindSpore returns bool. A mask
// multiplies and selects directly (`x * mask`, `where(mask, a, b)`). None of these ops is differentiable.

/// 1 where a ≠ b, else 0 (NaN ≠ NaN), in the promoted dtype.
///
/// ```swift
/// notEqual(Tensor([1, 2]), Tensor([1, 3]))   // [0, 1]
/// ```
public func notEqual(_ a: Tensor, _ b: Tensor) -> Tensor { 1 - equal(a, b) }

/// 1 where both a and b are non-zero, else 0, in the promoted dtype.
///
/// ```swift
/// logicalAnd(Tensor([1, 1, 0]), Tensor([2, 0, 0]))   // [1, 0, 0]
/// ```
public func logicalAnd(_ a: Tensor, _ b: Tensor) -> Tensor { truth(a, like: b) * truth(b, like: a) }

/// 1 where a or b is non-zero, else 0, in the promoted dtype.
///
/// ```swift
/// logicalOr(Tensor([1, 0, 0]), Tensor([0, 3, 0]))   // [1, 1, 0]
/// ```
public func logicalOr(_ a: Tensor, _ b: Tensor) -> Tensor { maximum(truth(a, like: b), truth(b, like: a)) }

/// 1 where exactly one of a and b is non-zero, else 0, in the promoted dtype.
///
/// ```swift
/// logicalXor(Tensor([1, 1, 0]), Tensor([1, 0, 0]))   // [0, 1, 0]
/// ```
public func logicalXor(_ a: Tensor, _ b: Tensor) -> Tensor { notEqual(truth(a, like: b), truth(b, like: a)) }

/// 1 where x is zero, else 0, in x's dtype.
///
/// ```swift
/// logicalNot(Tensor([0, 2]))   // [1, 0]
/// ```
public func logicalNot(_ x: Tensor) -> Tensor { equal(x, Tensor.zeros([], dtype: x.dtype)) }

/// 1 where x ≠ 0 (NaN counts as true), in the dtype promoted with `other`'s.
private func truth(_ x: Tensor, like other: Tensor) -> Tensor {
    notEqual(x, Tensor.zeros([], dtype: x.dtype)).converted(to: DType.promoted(x.dtype, other.dtype))
}

/// 1 where |a − b| ≤ atol + rtol · |b| (and where both are the same infinity; NaNs match only with
/// `equalNan`), else 0, in the promoted dtype — MindSpore's `ops.isclose`. Negative tolerances are reported.
///
/// ```swift
/// isclose(Tensor([1, 2]), Tensor([1.000001, 2.1]))   // [1, 0]
/// ```
public func isclose(_ a: Tensor, _ b: Tensor, rtol: Double = 1e-5, atol: Double = 1e-8, equalNan: Bool = false) -> Tensor {
    guard rtol >= 0, atol >= 0 else {
        reportError(TensorError(op: "isclose", message: "arguments rtol (\(rtol)) and atol (\(atol)) must be ≥ 0"))
        return Tensor.placeholder(dtype: DType.promoted(a.dtype, b.dtype))
    }
    let x = a.detached, y = b.detached
    let dtype = DType.promoted(x.dtype, y.dtype).floatingPoint
    let xf = x.converted(to: dtype), yf = y.converted(to: dtype)
    let near = lessEqual(abs(xf - yf), abs(yf) * rtol + atol)
    var close = maximum(near, equal(xf, yf))   // equal infinities: ∞ − ∞ is NaN
    if equalNan { close = maximum(close, isnan(xf) * isnan(yf)) }
    return close.converted(to: DType.promoted(x.dtype, y.dtype))
}

/// Whether every element of a is close to the matching one of b (see ``isclose(_:_:rtol:atol:equalNan:)``).
///
/// ```swift
/// allclose(Tensor([1, 2]), Tensor([1, 2.0000001]))   // true
/// ```
public func allclose(_ a: Tensor, _ b: Tensor, rtol: Double = 1e-5, atol: Double = 1e-8, equalNan: Bool = false) -> Bool {
    let close = isclose(a, b, rtol: rtol, atol: atol, equalNan: equalNan)
    return close.scalars.allSatisfy { $0 == 1 }
}
