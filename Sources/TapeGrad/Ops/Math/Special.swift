// The error function's relatives, and the gamma function's logarithm and derivatives.

/// The complementary error function erfc x = 1 − erf x, accurate for large x. ∂L/∂x = −G ⊙ (2/√π) e^(−x²).
///
/// ```swift
/// erfc(Tensor([0]))   // [1]
/// ```
public func erfc(_ x: Tensor) -> Tensor {
    Tensor.math(.erfc, x, forward: erfc) { x, _ in exp(-(x * x)) * -1.1283791670955126 }
}

/// The inverse error function on [−1, 1] (±∞ at ±1, NaN outside). ∂L/∂x = G ⊙ (√π/2) e^(erfinv(x)²).
///
/// ```swift
/// erfinv(Tensor([0, 0.5]))   // [0, 0.47693628]
/// ```
public func erfinv(_ x: Tensor) -> Tensor {
    Tensor.math(.erfinv, x, forward: erfinv) { _, y in exp(y * y) * 0.886226925452758 }
}

/// ln |Γ(x)|. ∂L/∂x = G ⊙ ψ(x) (the digamma function).
///
/// ```swift
/// lgamma(Tensor([1, 5]))   // [0, 3.1780539]   (ln 4! = ln 24)
/// ```
public func lgamma(_ x: Tensor) -> Tensor { Tensor.math(.lgamma, x, forward: lgamma) { x, _ in digamma(x) } }

/// The digamma function ψ(x) = d/dx ln Γ(x) (−∞ at 0, NaN at negative integers). ∂L/∂x = G ⊙ ψ′(x).
///
/// ```swift
/// digamma(Tensor([1]))   // [-0.5772157]   (−γ)
/// ```
public func digamma(_ x: Tensor) -> Tensor { Tensor.math(.digamma, x, forward: digamma) { x, _ in polygamma(1, x) } }

/// The polygamma function ψ⁽ⁿ⁾(x), the n-th derivative of digamma (n = 0 is ``digamma(_:)``).
/// ∂L/∂x = G ⊙ ψ⁽ⁿ⁺¹⁾(x). A negative order is reported as an error.
///
/// ```swift
/// polygamma(1, Tensor([1]))   // [1.644934]   (π²/6)
/// ```
public func polygamma(_ n: Int, _ x: Tensor) -> Tensor {
    guard n >= 0 else {
        reportError(TensorError(op: "polygamma", message: "argument n must be ≥ 0, got \(n)"))
        return Tensor.placeholder(dtype: x.dtype.floatingPoint)
    }
    if n == 0 { return digamma(x) }
    let out = MathKernels.polygamma(n, x)
    guard x.isRecorded else { return out }
    return out.recorded(x) { g in g * polygamma(n + 1, x) }
}
