// Comparisons and logical connectives beyond ``greater(_:_:)`` and ``equal(_:_:)``.
//
// Every comparison and logical op returns a bool tensor, as MindSpore 2.10 does (checked by
// Oracle/bool_results_oracle.py). A numeric operand counts as true where it is non-zero (NaN is true). A bool
// mask selects (`where(mask, a, b)`, `x[m]`, `maskedFill`) and multiplies (`x * mask` keeps x's dtype).
// None of these ops is differentiable.

/// True where a ≠ b (NaN ≠ NaN), as a bool tensor. Not differentiable.
///
/// ```swift
/// notEqual(Tensor([1, 2]), Tensor([1, 3]))   // [false, true] (Bool)
/// ```
public func notEqual(_ a: Tensor, _ b: Tensor) -> Tensor { logicalNot(Tensor.comparison(.equal, a, b, name: "notEqual")) }

/// True where both a and b are true (non-zero), as a bool tensor.
///
/// ```swift
/// logicalAnd(Tensor([1, 1, 0]), Tensor([2, 0, 0]))   // [true, false, false] (Bool)
/// ```
public func logicalAnd(_ a: Tensor, _ b: Tensor) -> Tensor {
    Tensor.elementwise(.minimum, truth(a), truth(b), name: "logicalAnd")
}

/// True where a or b is true (non-zero), as a bool tensor.
///
/// ```swift
/// logicalOr(Tensor([1, 0, 0]), Tensor([0, 3, 0]))   // [true, true, false] (Bool)
/// ```
public func logicalOr(_ a: Tensor, _ b: Tensor) -> Tensor {
    Tensor.elementwise(.maximum, truth(a), truth(b), name: "logicalOr")
}

/// True where exactly one of a and b is true (non-zero), as a bool tensor.
///
/// ```swift
/// logicalXor(Tensor([1, 1, 0]), Tensor([1, 0, 0]))   // [false, true, false] (Bool)
/// ```
public func logicalXor(_ a: Tensor, _ b: Tensor) -> Tensor {
    Tensor.comparison(.equal, truth(a), logicalNot(b), name: "logicalXor")
}

/// True where x is false (zero), as a bool tensor.
///
/// ```swift
/// logicalNot(Tensor([0, 2]))   // [true, false] (Bool)
/// ```
public func logicalNot(_ x: Tensor) -> Tensor {
    Tensor.comparison(.equal, x, Tensor.zeros([], dtype: x.dtype), name: "logicalNot")
}

/// True where x ≠ 0 (NaN counts as true), as a bool tensor.
private func truth(_ x: Tensor) -> Tensor {
    x.dtype == .bool ? x.detached : logicalNot(logicalNot(x))
}

/// True where |a − b| ≤ atol + rtol · |b| (and where both are the same infinity; NaNs match only with
/// `equalNan`), as a bool tensor — MindSpore's `ops.isclose`. Negative tolerances are reported.
///
/// ```swift
/// isclose(Tensor([1, 2]), Tensor([1.000001, 2.1]))   // [true, false] (Bool)
/// ```
public func isclose(_ a: Tensor, _ b: Tensor, rtol: Double = 1e-5, atol: Double = 1e-8, equalNan: Bool = false) -> Tensor {
    guard rtol >= 0, atol >= 0 else {
        reportError(TensorError(op: "isclose", message: "arguments rtol (\(rtol)) and atol (\(atol)) must be ≥ 0"))
        return Tensor.placeholder(dtype: .bool)
    }
    let x = a.detached, y = b.detached
    let dtype = DType.promoted(x.dtype, y.dtype).floatingPoint
    let xf = x.converted(to: dtype), yf = y.converted(to: dtype)
    let near = lessEqual(abs(xf - yf), abs(yf) * rtol + atol)
    var close = logicalOr(near, equal(xf, yf))   // equal infinities: ∞ − ∞ is NaN
    if equalNan { close = logicalOr(close, logicalAnd(isnan(xf), isnan(yf))) }
    return close
}

/// Whether every element of a is close to the matching one of b (see ``isclose(_:_:rtol:atol:equalNan:)``).
///
/// ```swift
/// allclose(Tensor([1, 2]), Tensor([1, 2.0000001]))   // true
/// ```
public func allclose(_ a: Tensor, _ b: Tensor, rtol: Double = 1e-5, atol: Double = 1e-8, equalNan: Bool = false) -> Bool {
    let close = isclose(a, b, rtol: rtol, atol: atol, equalNan: equalNan)
    return close.asArray(Bool.self).allSatisfy { $0 }
}
