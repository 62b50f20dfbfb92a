// Exponentials and logarithms in other bases or near zero, the reciprocal, and linear interpolation.

/// ln(1 + x), accurate for small x. ∂L/∂x = G / (1 + x).
///
/// ```swift
/// log1p(Tensor([0, 1e-10]))   // [0, 1e-10]
/// ```
public func log1p(_ x: Tensor) -> Tensor { Tensor.math(.log1p, x, forward: log1p) { x, _ in 1 / (1 + x) } }

/// eˣ − 1, accurate for small x. ∂L/∂x = G ⊙ eˣ.
///
/// ```swift
/// expm1(Tensor([0, 1e-10]))   // [0, 1e-10]
/// ```
public func expm1(_ x: Tensor) -> Tensor { Tensor.math(.expm1, x, forward: expm1) { _, y in y + 1 } }

/// log₂ x. ∂L/∂x = G / (x ln 2).
///
/// ```swift
/// log2(Tensor([1, 8]))   // [0, 3]
/// ```
public func log2(_ x: Tensor) -> Tensor { Tensor.math(.log2, x, forward: log2) { x, _ in 1 / (x * 0.6931471805599453) } }

/// log₁₀ x. ∂L/∂x = G / (x ln 10).
///
/// ```swift
/// log10(Tensor([1, 100]))   // [0, 2]
/// ```
public func log10(_ x: Tensor) -> Tensor { Tensor.math(.log10, x, forward: log10) { x, _ in 1 / (x * 2.302585092994046) } }

/// 2ˣ. ∂L/∂x = G ⊙ 2ˣ ln 2.
///
/// ```swift
/// exp2(Tensor([0, 3]))   // [1, 8]
/// ```
public func exp2(_ x: Tensor) -> Tensor { Tensor.math(.exp2, x, forward: exp2) { _, y in y * 0.6931471805599453 } }

/// 1 / x (int32 gives float32). ∂L/∂x = −G / x².
///
/// ```swift
/// reciprocal(Tensor([2, -4]))   // [0.5, -0.25]
/// ```
public func reciprocal(_ x: Tensor) -> Tensor { 1 / x }

/// Linear interpolation start + weight ⊙ (end − start), all three broadcast together.
/// ∂L/∂start = G ⊙ (1 − weight), ∂L/∂end = G ⊙ weight, ∂L/∂weight = G ⊙ (end − start).
///
/// ```swift
/// lerp(Tensor([0, 10]), Tensor([10, 20]), weight: Tensor([0.5]))   // [5, 15]
/// ```
public func lerp(_ start: Tensor, _ end: Tensor, weight: Tensor) -> Tensor { start + weight * (end - start) }

/// Linear interpolation with a scalar weight: start + weight · (end − start).
///
/// ```swift
/// lerp(Tensor([0]), Tensor([10]), weight: 0.25)   // [2.5]
/// ```
public func lerp(_ start: Tensor, _ end: Tensor, weight: Double) -> Tensor { start + (end - start) * weight }
