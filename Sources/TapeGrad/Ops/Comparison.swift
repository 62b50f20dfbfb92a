// Comparisons (constant bool masks), and the selecting ops built on them.

extension Tensor {
    /// `a ∘ b` after promotion and broadcasting, as a bool tensor. Never recorded: a comparison is
    /// piecewise constant, so it carries no gradient.
    static func comparison(_ op: BinaryOp, _ a: Tensor, _ b: Tensor, name: String) -> Tensor {
        // Under `jit`, a mask of a traced value would be baked into the trace as a constant: that trace runs eagerly.
        if a.tracking != nil || b.tracking != nil { Tracer.noteUntracedRead(of: [a, b], by: name) }
        let dtype = DType.promoted(a.dtype, b.dtype)
        guard let shape = Broadcasting.shape(a.shape, b.shape) else {
            reportError(TensorError(op: name, message: "shapes \(a.shape) and \(b.shape) do not broadcast"))
            return placeholder(dtype: .bool)
        }
        // A result larger than both operands (each stretches the other) is a new shape: check its size.
        if shape != a.shape, shape != b.shape, !canAllocate(shape, dtype: .bool, op: name) { return placeholder(dtype: .bool) }
        return ComparisonKernels.compare(op, a.converted(to: dtype), b.converted(to: dtype), outShape: shape)
    }

    /// The same comparison as 1/0 in the promoted dtype: what pullbacks multiply gradients by (one pass, and
    /// exactly the numbers of a bool mask cast to that dtype).
    static func numericMask(_ op: BinaryOp, _ a: Tensor, _ b: Tensor, name: String? = nil) -> Tensor {
        elementwise(op, a.detached, b.detached, name: name)
    }
}

/// True where `a > b`, as a bool tensor (MindSpore's `ops.greater`); operands promote and broadcast first.
/// Not differentiable (a constant mask): no gradient flows to `a` or `b`.
///
/// ```swift
/// greater(Tensor([1, 5]), Tensor([3, 3]))   // [false, true] (Bool)
/// ```
public func greater(_ a: Tensor, _ b: Tensor) -> Tensor { Tensor.comparison(.greater, a, b, name: "greater") }

/// True where `a ≥ b`, as a bool tensor. Not differentiable.
///
/// ```swift
/// greaterEqual(Tensor([1, 3]), Tensor([3, 3]))   // [false, true] (Bool)
/// ```
public func greaterEqual(_ a: Tensor, _ b: Tensor) -> Tensor { Tensor.comparison(.greaterEqual, a, b, name: "greaterEqual") }

/// True where `a < b`, as a bool tensor. Not differentiable.
///
/// ```swift
/// less(Tensor([1, 5]), Tensor([3, 3]))   // [true, false] (Bool)
/// ```
public func less(_ a: Tensor, _ b: Tensor) -> Tensor { Tensor.comparison(.less, a, b, name: "less") }

/// True where `a ≤ b`, as a bool tensor. Not differentiable.
///
/// ```swift
/// lessEqual(Tensor([3, 5]), Tensor([3, 3]))   // [true, false] (Bool)
/// ```
public func lessEqual(_ a: Tensor, _ b: Tensor) -> Tensor { Tensor.comparison(.lessEqual, a, b, name: "lessEqual") }

/// True where `a == b` (NaN equals nothing), as a bool tensor. Not differentiable.
///
/// ```swift
/// equal(Tensor([1, 2]), Tensor([1, 3]))   // [true, false] (Bool)
/// ```
public func equal(_ a: Tensor, _ b: Tensor) -> Tensor { Tensor.comparison(.equal, a, b, name: "equal") }

/// Elementwise maximum with broadcasting. Ties split the gradient ½/½, as in MindSpore:
/// ∂L/∂a = G ⊙ ([a > b] + ½[a = b]).
///
/// ```swift
/// maximum(Tensor([1, 4]), Tensor([3, 4]))   // [3, 4]
/// ```
public func maximum(_ a: Tensor, _ b: Tensor) -> Tensor {
    let out = Tensor.elementwise(.maximum, a, b, name: "maximum")
    guard a.isRecorded || b.isRecorded else { return out }
    return out.recorded(a, b) { g, needed in
        let tie = Tensor.numericMask(.equal, a, b) * 0.5
        return (needed[0] ? (g * (Tensor.numericMask(.greater, a, b) + tie)).unbroadcast(to: a.shape) : nil,
                needed[1] ? (g * (Tensor.numericMask(.less, a, b) + tie)).unbroadcast(to: b.shape) : nil)
    }
}

/// Elementwise minimum with broadcasting; ties split the gradient ½/½.
public func minimum(_ a: Tensor, _ b: Tensor) -> Tensor {
    let out = Tensor.elementwise(.minimum, a, b, name: "minimum")
    guard a.isRecorded || b.isRecorded else { return out }
    return out.recorded(a, b) { g, needed in
        let tie = Tensor.numericMask(.equal, a, b) * 0.5
        return (needed[0] ? (g * (Tensor.numericMask(.less, a, b) + tie)).unbroadcast(to: a.shape) : nil,
                needed[1] ? (g * (Tensor.numericMask(.greater, a, b) + tie)).unbroadcast(to: b.shape) : nil)
    }
}

/// Clamps every element to `[lower, upper]`. ∂L/∂x = G where `lower ≤ x ≤ upper`, else 0.
///
/// ```swift
/// clip(Tensor([-2, 0.5, 3]), min: 0, max: 1)   // [0, 0.5, 1]
/// ```
public func clip(_ x: Tensor, min lower: Double, max upper: Double) -> Tensor {
    let lo = Tensor.scalarOperand(lower, like: x), hi = Tensor.scalarOperand(upper, like: x)
    let out = Tensor.elementwise(.minimum, Tensor.elementwise(.maximum, x.detached, lo), hi, name: "clip")
    guard x.isRecorded else { return out }
    return out.recorded(x) { g in g * Tensor.numericMask(.greaterEqual, x, lo) * Tensor.numericMask(.lessEqual, x, hi) }
}

/// Picks `a` where `condition` is true and `b` elsewhere; all three broadcast together. The condition is a
/// bool tensor (what ``greater(_:_:)`` and the other comparisons return) or a numeric one, true where non-zero
/// (NaN counts as true). ∂L/∂a = G where the condition holds, ∂L/∂b = G elsewhere; the condition gets no gradient.
///
/// ```swift
/// `where`(Tensor([true, false]), Tensor([1, 2]), Tensor([9, 9]))   // [1, 9]
/// `where`(Tensor([1, 0]), Tensor([1, 2]), Tensor([9, 9]))          // [1, 9]
/// ```
public func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
    let dtype = DType.promoted(a.dtype, b.dtype)
    if dtype.kernelDType != dtype {
        // float16/bfloat16/bool: select in the kernel dtype (exact: both convert back losslessly).
        let k = dtype.kernelDType
        return `where`(condition, a.astype(k), b.astype(k)).astype(dtype)
    }
    guard let s1 = Broadcasting.shape(a.shape, b.shape), let shape = Broadcasting.shape(s1, condition.shape) else {
        reportError(TensorError(op: "where", message: "shapes \(condition.shape), \(a.shape) and \(b.shape) do not broadcast (expected each set of dimensions, aligned at the end, to be equal or 1)"))
        return Tensor.placeholder(dtype: dtype)
    }
    guard Tensor.canAllocate(shape, dtype: dtype, op: "where") else { return Tensor.placeholder(dtype: dtype) }
    // flip is 1 where the condition holds and keep 1 where it does not, in the result dtype, so they scale
    // gradients. A bool condition is already 0/1: one cast. A numeric one is compared with 0 in its own
    // (kernel) dtype, which is exact: a conversion to float maps no non-zero integer to 0, and NaN ≠ 0.
    let flip: Tensor, keep: Tensor
    if condition.dtype == .bool {
        flip = condition.detached.converted(to: dtype)
        keep = ElementwiseKernels.unary(.neg, flip) + 1
    } else {
        let c = condition.detached.converted(to: condition.dtype.kernelDType)
        keep = Tensor.elementwise(.equal, c, Tensor.zeros([], dtype: c.dtype)).converted(to: dtype)
        flip = ElementwiseKernels.unary(.neg, keep) + 1
    }
    let keepFull = flip.broadcastKernel(to: shape), left = a.converted(to: dtype).broadcastKernel(to: shape)
    let right = b.converted(to: dtype).broadcastKernel(to: shape)
    let out = Tensor.uninitialized(shape, dtype: dtype)
    func select<T: TensorScalar>(_: T.Type) {
        let k = keepFull.buffer.pointer(T.self), l = left.buffer.pointer(T.self), r = right.buffer.pointer(T.self)
        let o = out.buffer.pointer(T.self)
        for i in 0..<out.count { let (c, x, y) = (k[i], l[i], r[i]); o[i] = c != 0 ? x : y }   // unconditional loads: a select
    }
    switch dtype {
    case .float32: select(Float.self)
    case .float64: select(Double.self)
    case .int32: select(Int32.self)
    case .int64: select(Int64.self)
    case .uint8: select(UInt8.self)
    case .bool, .float16, .bfloat16: break   // handled above
    }
    guard a.isRecorded || b.isRecorded else { return out }
    return out.recorded(a, b) { g, needed in
        (needed[0] ? (g * flip).unbroadcast(to: a.shape) : nil, needed[1] ? (g * keep).unbroadcast(to: b.shape) : nil)
    }
}
