// Trigonometric and hyperbolic functions and their inverses, each with its derivative.

/// tan x. ∂L/∂x = G ⊙ (1 + tan²x).
///
/// ```swift
/// tan(Tensor([0, 0.7853982]))   // [0, 1]
/// ```
public func tan(_ x: Tensor) -> Tensor { Tensor.math(.tan, x, forward: tan) { _, y in 1 + y * y } }

/// arcsin x on [−1, 1]. ∂L/∂x = G / √(1 − x²).
///
/// ```swift
/// asin(Tensor([0, 1]))   // [0, 1.5707964]
/// ```
public func asin(_ x: Tensor) -> Tensor { Tensor.math(.asin, x, forward: asin) { x, _ in rsqrt(1 - x * x) } }

/// arccos x on [−1, 1]. ∂L/∂x = −G / √(1 − x²).
///
/// ```swift
/// acos(Tensor([1, 0]))   // [0, 1.5707964]
/// ```
public func acos(_ x: Tensor) -> Tensor { Tensor.math(.acos, x, forward: acos) { x, _ in -rsqrt(1 - x * x) } }

/// arctan x. ∂L/∂x = G / (1 + x²).
///
/// ```swift
/// atan(Tensor([0, 1]))   // [0, 0.7853982]
/// ```
public func atan(_ x: Tensor) -> Tensor { Tensor.math(.atan, x, forward: atan) { x, _ in 1 / (1 + x * x) } }

/// sinh x = (eˣ − e⁻ˣ)/2. ∂L/∂x = G ⊙ cosh x.
///
/// ```swift
/// sinh(Tensor([0]))   // [0]
/// ```
public func sinh(_ x: Tensor) -> Tensor { Tensor.math(.sinh, x, forward: sinh) { x, _ in cosh(x) } }

/// cosh x = (eˣ + e⁻ˣ)/2. ∂L/∂x = G ⊙ sinh x.
///
/// ```swift
/// cosh(Tensor([0]))   // [1]
/// ```
public func cosh(_ x: Tensor) -> Tensor { Tensor.math(.cosh, x, forward: cosh) { x, _ in sinh(x) } }

/// arsinh x = ln(x + √(x² + 1)). ∂L/∂x = G / √(x² + 1).
///
/// ```swift
/// asinh(Tensor([0]))   // [0]
/// ```
public func asinh(_ x: Tensor) -> Tensor { Tensor.math(.asinh, x, forward: asinh) { x, _ in rsqrt(x * x + 1) } }

/// arcosh x = ln(x + √(x² − 1)) for x ≥ 1. ∂L/∂x = G / √(x² − 1).
///
/// ```swift
/// acosh(Tensor([1]))   // [0]
/// ```
public func acosh(_ x: Tensor) -> Tensor { Tensor.math(.acosh, x, forward: acosh) { x, _ in rsqrt(x * x - 1) } }

/// artanh x = ½ ln((1 + x)/(1 − x)) on (−1, 1). ∂L/∂x = G / (1 − x²).
///
/// ```swift
/// atanh(Tensor([0]))   // [0]
/// ```
public func atanh(_ x: Tensor) -> Tensor { Tensor.math(.atanh, x, forward: atanh) { x, _ in 1 / (1 - x * x) } }

/// The angle of the point (x, y): atan2(y, x) ∈ (−π, π], with broadcasting.
/// ∂L/∂y = G ⊙ x / (x² + y²), ∂L/∂x = −G ⊙ y / (x² + y²).
///
/// ```swift
/// atan2(Tensor([1, 1]), Tensor([1, -1]))   // [0.7853982, 2.3561945]
/// ```
public func atan2(_ y: Tensor, _ x: Tensor) -> Tensor {
    Tensor.math(.atan2, y, x, name: "atan2") { y, x, _ in
        let r2 = x * x + y * y
        return (x / r2, -y / r2)
    }
}

/// √(a² + b²) without overflow, with broadcasting. ∂L/∂a = G ⊙ a / h, ∂L/∂b = G ⊙ b / h (h the result).
///
/// ```swift
/// hypot(Tensor([3]), Tensor([4]))   // [5]
/// ```
public func hypot(_ a: Tensor, _ b: Tensor) -> Tensor {
    Tensor.math(.hypot, a, b, name: "hypot") { a, b, _ in
        let h = hypot(a, b)
        return (a / h, b / h)
    }
}
