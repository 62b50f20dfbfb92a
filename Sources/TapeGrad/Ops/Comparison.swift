// Comparisons (constant 0/1 masks), and the selecting ops built on them.

/// 1 where `a > b`, else 0, in the promoted dtype. Not differentiable (a constant mask).
///
/// ```swift
/// greater(Tensor([1, 5]), Tensor([3, 3]))   // [0, 1]
/// ```
public func greater(_ a: Tensor, _ b: Tensor) -> Tensor {
    if a.tracking != nil || b.tracking != nil { Tracer.noteUntracedRead(of: [a, b], by: "greater") }
    return Tensor.elementwise(.greater, a.detached, b.detached, name: "greater")
}
/// 1 where `a ≥ b`, else 0.
public func greaterEqual(_ a: Tensor, _ b: Tensor) -> Tensor {
    if a.tracking != nil || b.tracking != nil { Tracer.noteUntracedRead(of: [a, b], by: "greaterEqual") }
    return Tensor.elementwise(.greaterEqual, a.detached, b.detached, name: "greaterEqual")
}
/// 1 where `a < b`, else 0.
public func less(_ a: Tensor, _ b: Tensor) -> Tensor {
    if a.tracking != nil || b.tracking != nil { Tracer.noteUntracedRead(of: [a, b], by: "less") }
    return Tensor.elementwise(.less, a.detached, b.detached, name: "less")
}
/// 1 where `a ≤ b`, else 0.
public func lessEqual(_ a: Tensor, _ b: Tensor) -> Tensor {
    if a.tracking != nil || b.tracking != nil { Tracer.noteUntracedRead(of: [a, b], by: "lessEqual") }
    return Tensor.elementwise(.lessEqual, a.detached, b.detached, name: "lessEqual")
}
/// 1 where `a == b`, else 0.
public func equal(_ a: Tensor, _ b: Tensor) -> Tensor {
    if a.tracking != nil || b.tracking != nil { Tracer.noteUntracedRead(of: [a, b], by: "equal") }
    return Tensor.elementwise(.equal, a.detached, b.detached, name: "equal")
}

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
        let tie = equal(a, b) * 0.5
        return (needed[0] ? (g * (greater(a, b) + tie)).unbroadcast(to: a.shape) : nil,
                needed[1] ? (g * (less(a, b) + tie)).unbroadcast(to: b.shape) : nil)
    }
}

/// Elementwise minimum with broadcasting; ties split the gradient ½/½.
public func minimum(_ a: Tensor, _ b: Tensor) -> Tensor {
    let out = Tensor.elementwise(.minimum, a, b, name: "minimum")
    guard a.isRecorded || b.isRecorded else { return out }
    return out.recorded(a, b) { g, needed in
        let tie = equal(a, b) * 0.5
        return (needed[0] ? (g * (less(a, b) + tie)).unbroadcast(to: a.shape) : nil,
                needed[1] ? (g * (greater(a, b) + tie)).unbroadcast(to: b.shape) : nil)
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
    return out.recorded(x) { g in g * greaterEqual(x, lo) * lessEqual(x, hi) }
}

/// Picks `a` where `condition` is non-zero and `b` elsewhere; all three broadcast together.
/// ∂L/∂a = G where the condition holds, ∂L/∂b = G elsewhere; the condition gets no gradient.
///
/// ```swift
/// `where`(Tensor([1, 0]), Tensor([1, 2]), Tensor([9, 9]))   // [1, 9]
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
    guard Tensor.canAllocate(shape, dtype: .float64, op: "where") else { return Tensor.placeholder(dtype: dtype) }
    // keep is 1 where the condition holds, in the result dtype, so it can scale gradients.
    let keep = Tensor.elementwise(.equal, condition.detached.converted(to: .float64), Tensor.zeros([], dtype: .float64))
        .converted(to: dtype)
    let flip = ElementwiseKernels.unary(.neg, keep) + 1
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
