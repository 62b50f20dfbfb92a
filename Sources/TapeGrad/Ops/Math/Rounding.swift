// Rounding and integer division. The rounding functions are piecewise constant: their derivative is 0
// wherever it exists, so they record nothing (∂L/∂x = 0, as in MindSpore). int32 inputs stay int32.

/// ⌊x⌋, the largest integer ≤ x. ∂L/∂x = 0.
///
/// ```swift
/// floor(Tensor([-1.5, 1.5]))   // [-2, 1]
/// ```
public func floor(_ x: Tensor) -> Tensor { MathKernels.unary(.floor, x) }

/// ⌈x⌉, the smallest integer ≥ x. ∂L/∂x = 0.
///
/// ```swift
/// ceil(Tensor([-1.5, 1.5]))   // [-1, 2]
/// ```
public func ceil(_ x: Tensor) -> Tensor { MathKernels.unary(.ceil, x) }

/// x rounded to the nearest integer, halves to even (as MindSpore, NumPy and PyTorch). ∂L/∂x = 0.
///
/// ```swift
/// round(Tensor([0.5, 1.5, 2.5, -0.5]))   // [0, 2, 2, -0]
/// ```
public func round(_ x: Tensor) -> Tensor { MathKernels.unary(.round, x) }

/// x rounded toward zero. ∂L/∂x = 0.
///
/// ```swift
/// trunc(Tensor([-1.7, 1.7]))   // [-1, 1]
/// ```
public func trunc(_ x: Tensor) -> Tensor { MathKernels.unary(.trunc, x) }

/// The fractional part x − trunc(x), with the sign of x. ∂L/∂x = G.
///
/// ```swift
/// frac(Tensor([-1.25, 2.5]))   // [-0.25, 0.5]
/// ```
public func frac(_ x: Tensor) -> Tensor {
    Tensor.math(.frac, x, forward: frac) { _, _ in Tensor.ones([], dtype: x.dtype.floatingPoint) }
}

/// The remainder of a / b with the sign of the divisor: a − ⌊a / b⌋ · b (Python's `%`, MindSpore's
/// `ops.remainder` and `ops.floor_mod`). int32 operands stay int32 (a zero divisor gives 0).
/// ∂L/∂a = G, ∂L/∂b = −G ⊙ ⌊a / b⌋.
///
/// ```swift
/// remainder(Tensor([-3, 3]), Tensor([2, -2]))   // [1, -1]
/// ```
public func remainder(_ a: Tensor, _ b: Tensor) -> Tensor {
    Tensor.math(.remainder, a, b, name: "remainder") { a, b, _ in
        (Tensor.ones([], dtype: .float32), -floorDivide(a, b))
    }
}

/// The same as ``remainder(_:_:)`` (MindSpore's `ops.floor_mod`): the sign of the divisor.
///
/// ```swift
/// floorMod(Tensor([-3]), Tensor([2]))   // [1]
/// ```
public func floorMod(_ a: Tensor, _ b: Tensor) -> Tensor { remainder(a, b) }

/// The same as ``remainder(_:_:)``: Python's `a % b`, the sign of the divisor.
///
/// ```swift
/// mod(Tensor([-3]), Tensor([2]))   // [1]
/// ```
public func mod(_ a: Tensor, _ b: Tensor) -> Tensor { remainder(a, b) }

/// The remainder of a / b with the sign of the dividend: a − trunc(a / b) · b (C's `fmod`, MindSpore's
/// `ops.fmod`). ∂L/∂a = G, ∂L/∂b = −G ⊙ trunc(a / b).
///
/// ```swift
/// fmod(Tensor([-3, 3]), Tensor([2, -2]))   // [-1, 1]
/// ```
public func fmod(_ a: Tensor, _ b: Tensor) -> Tensor {
    Tensor.math(.fmod, a, b, name: "fmod") { a, b, _ in
        (Tensor.ones([], dtype: .float32), -trunc(stopGradient(a) / stopGradient(b)))
    }
}

/// ⌊a / b⌋ elementwise (MindSpore's `ops.floor_divide`); int32 operands stay int32 (a zero divisor gives 0).
/// Piecewise constant: ∂L/∂a = ∂L/∂b = 0.
///
/// ```swift
/// floorDivide(Tensor([-3, 7]), Tensor([2, 2]))   // [-2, 3]
/// ```
public func floorDivide(_ a: Tensor, _ b: Tensor) -> Tensor {
    MathKernels.binary(.floorDivide, a.detached, b.detached, name: "floorDivide")
}
