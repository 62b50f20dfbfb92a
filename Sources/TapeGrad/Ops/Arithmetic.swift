// The four arithmetic operators and unary minus, each with its pullback beside it.
// Operands broadcast with NumPy's rules; ∂L/∂operand is summed back to the operand's shape.

extension Tensor {
    /// Applies a binary kernel after dtype promotion and a broadcast check (not recorded).
    static func elementwise(_ op: BinaryOp, _ lhs: Tensor, _ rhs: Tensor, name: String? = nil) -> Tensor {
        var dtype = DType.promoted(lhs.dtype, rhs.dtype)
        if !dtype.isFloatingPoint && (op == .div || op == .pow) { dtype = .float32 }
        guard let shape = Broadcasting.shape(lhs.shape, rhs.shape) else {
            reportError(TensorError(op: name ?? op.rawValue, message: "shapes \(lhs.shape) and \(rhs.shape) do not broadcast"))
            return placeholder(dtype: dtype)
        }
        // A result larger than both operands (each stretches the other) is a new shape: check its size.
        if shape != lhs.shape, shape != rhs.shape, !canAllocate(shape, dtype: dtype, op: name ?? op.rawValue) {
            return placeholder(dtype: dtype)
        }
        return ElementwiseKernels.binary(op, lhs.converted(to: dtype), rhs.converted(to: dtype), outShape: shape)
    }

    /// A scalar operand as a rank-0 tensor, in ``scalarDType(_:like:)``.
    static func scalarOperand(_ value: Double, like other: Tensor) -> Tensor {
        full([], value: value, dtype: scalarDType(value, like: other))
    }

    /// The dtype of `tensor ∘ value`, as MindSpore treats a Python number: the tensor's, except float32 when
    /// a fractional (or non-finite) value meets an integer or bool tensor, and int64 when an integral value
    /// meets a bool tensor (MindSpore's `bool + 2` is int64; Swift cannot tell `2` from `2.0`).
    static func scalarDType(_ value: Double, like other: Tensor) -> DType {
        if other.dtype.isFloatingPoint { return other.dtype }
        if value.rounded(.towardZero) != value { return .float32 }
        return other.dtype == .bool ? .int64 : other.dtype
    }

    /// Sums a gradient over the dimensions that broadcasting added or stretched, back to `shape`.
    ///
    /// Differentiable (a `sum` and a `reshape`), so higher-order gradients flow through it.
    func unbroadcast(to target: [Int]) -> Tensor {
        if shape == target { return self }
        let extra = rank - target.count
        var axes: [Int] = Array(0..<Swift.max(extra, 0))
        for (i, d) in target.enumerated() where d == 1 && i + extra < rank && shape[i + extra] != 1 {
            axes.append(i + extra)
        }
        let summed = axes.isEmpty ? self : sum(alongAxes: axes, keepDims: true)
        return summed.reshaped(to: target)
    }

    /// Elementwise sum with broadcasting: `Tensor([[1, 2]]) + Tensor([10])` is `[[11, 12]]`.
    ///
    /// ∂L/∂lhs = G summed to lhs's shape; ∂L/∂rhs likewise.
    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor {
        let out = elementwise(.add, lhs, rhs, name: "add")
        guard lhs.isRecorded || rhs.isRecorded else { return out }
        let (sa, sb) = (lhs.shape, rhs.shape)
        return out.recorded(lhs, rhs, trace: .add) { g, needed in
            (needed[0] ? g.unbroadcast(to: sa) : nil, needed[1] ? g.unbroadcast(to: sb) : nil)
        }
    }

    /// Elementwise difference with broadcasting. ∂L/∂lhs = G, ∂L/∂rhs = −G (each summed to its shape).
    public static func - (lhs: Tensor, rhs: Tensor) -> Tensor {
        let out = elementwise(.sub, lhs, rhs, name: "sub")
        guard lhs.isRecorded || rhs.isRecorded else { return out }
        let (sa, sb) = (lhs.shape, rhs.shape)
        return out.recorded(lhs, rhs, trace: .sub) { g, needed in
            (needed[0] ? g.unbroadcast(to: sa) : nil, needed[1] ? (-g).unbroadcast(to: sb) : nil)
        }
    }

    /// Elementwise product with broadcasting. ∂L/∂lhs = G ⊙ rhs, ∂L/∂rhs = G ⊙ lhs.
    public static func * (lhs: Tensor, rhs: Tensor) -> Tensor {
        let out = elementwise(.mul, lhs, rhs, name: "mul")
        guard lhs.isRecorded || rhs.isRecorded else { return out }
        return out.recorded(lhs, rhs, trace: .mul) { g, needed in
            (needed[0] ? (g * rhs).unbroadcast(to: lhs.shape) : nil,
             needed[1] ? (g * lhs).unbroadcast(to: rhs.shape) : nil)
        }
    }

    /// Elementwise quotient with broadcasting (int32 ÷ int32 gives float32).
    /// ∂L/∂lhs = G / rhs, ∂L/∂rhs = −G ⊙ lhs / rhs².
    public static func / (lhs: Tensor, rhs: Tensor) -> Tensor {
        let out = elementwise(.div, lhs, rhs, name: "div")
        guard lhs.isRecorded || rhs.isRecorded else { return out }
        return out.recorded(lhs, rhs, trace: .div) { g, needed in
            (needed[0] ? (g / rhs).unbroadcast(to: lhs.shape) : nil,
             needed[1] ? (-g * lhs / (rhs * rhs)).unbroadcast(to: rhs.shape) : nil)
        }
    }

    /// Elementwise negation. ∂L/∂x = −G. A bool tensor is an error, as in MindSpore 2.10 and PyTorch (its
    /// integer negation would leave every mask unchanged): invert a mask with ``logicalNot(_:)``.
    ///
    /// ```swift
    /// -Tensor([1, -2])   // [-1, 2]
    /// ```
    public static prefix func - (x: Tensor) -> Tensor {
        guard x.dtype != .bool else {
            reportError(TensorError(op: "neg", message: "cannot negate a bool tensor of shape \(x.shape) (expected a numeric tensor; invert a mask with logicalNot)"))
            return placeholder(dtype: .bool)
        }
        let out = ElementwiseKernels.unary(.neg, x)
        guard x.isRecorded else { return out }
        return out.recorded(x, trace: .neg) { g in -g }
    }

    // MARK: Tensor ∘ scalar

    /// `tensor ∘ scalar` (or `scalar ∘ tensor` when `scalarOnLeft`) with the scalar kept out of any buffer.
    /// Division is true division: an int32 tensor is divided (or divides) in float32, as MindSpore does.
    static func scalarKernel(_ op: BinaryOp, _ x: Tensor, _ value: Double, scalarOnLeft: Bool) -> Tensor {
        var target = scalarDType(value, like: x)
        if !target.isFloatingPoint && (op == .div || op == .pow) { target = .float32 }   // true division
        let source = target == x.dtype ? x : x.converted(to: target)
        let kernel = source.dtype.kernelDType
        if kernel != source.dtype {
            return scalarKernel(op, source.converted(to: kernel), value, scalarOnLeft: scalarOnLeft).converted(to: source.dtype)
        }
        let out = uninitialized(source.shape, dtype: source.dtype)
        let n = out.count
        func run<T: FloatingElement>(_: T.Type) {
            var scalar = T(value)
            let px = UnsafePointer(source.buffer.pointer(T.self)), po = out.buffer.pointer(T.self)
            withUnsafePointer(to: &scalar) { ps in
                if scalarOnLeft {
                    Parallel.chunks(n) { s, c in ElementwiseKernels.binaryRow(op, ps, 0, px + s, 1, po + s, c) }
                } else {
                    Parallel.chunks(n) { s, c in ElementwiseKernels.binaryRow(op, px + s, 1, ps, 0, po + s, c) }
                }
            }
        }
        func runInt<T: FixedWidthInteger & TensorScalar>(_: T.Type) {
            var scalar = T(fromDouble: value)   // int32/int64 saturate, uint8 wraps (MindSpore: uint8 + 300 adds 44)
            let px = UnsafePointer(source.buffer.pointer(T.self)), po = out.buffer.pointer(T.self)
            withUnsafePointer(to: &scalar) { ps in
                if scalarOnLeft { ElementwiseKernels.binaryRowInt(op, ps, 0, px, 1, po, n) }
                else { ElementwiseKernels.binaryRowInt(op, px, 1, ps, 0, po, n) }
            }
        }
        switch source.dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        case .int32: runInt(Int32.self)
        case .int64: runInt(Int64.self)
        case .uint8: runInt(UInt8.self)
        case .bool, .float16, .bfloat16: break   // computed in their kernel dtype above
        }
        return withExtendedLifetime(source) { out }
    }

    /// `x + 1`: adds a scalar to every element. ∂L/∂x = G.
    public static func + (lhs: Tensor, rhs: Double) -> Tensor {
        let out = scalarKernel(.add, lhs, rhs, scalarOnLeft: false)
        guard lhs.isRecorded else { return out }
        return out.recorded(lhs, backward: .identity, trace: .addScalar(rhs))
    }

    /// `1 + x`. ∂L/∂x = G.
    public static func + (lhs: Double, rhs: Tensor) -> Tensor { rhs + lhs }

    /// `x - 1`. ∂L/∂x = G.
    public static func - (lhs: Tensor, rhs: Double) -> Tensor { lhs + (-rhs) }

    /// `1 - x`. ∂L/∂x = −G.
    public static func - (lhs: Double, rhs: Tensor) -> Tensor {
        let out = scalarKernel(.sub, rhs, lhs, scalarOnLeft: true)
        guard rhs.isRecorded else { return out }
        return out.recorded(rhs, backward: .scale(-1), trace: .scalarSub(lhs))
    }

    /// `x * 2`. ∂L/∂x = 2 G.
    public static func * (lhs: Tensor, rhs: Double) -> Tensor {
        let out = scalarKernel(.mul, lhs, rhs, scalarOnLeft: false)
        guard lhs.isRecorded else { return out }
        return out.recorded(lhs, backward: .scale(rhs), trace: .mulScalar(rhs))
    }

    /// `2 * x`. ∂L/∂x = 2 G.
    public static func * (lhs: Double, rhs: Tensor) -> Tensor { rhs * lhs }

    /// `x / 2`: true division, so an int32 `x` gives float32 (`[4, 6] / 4 = [1, 1.5]`; `/ 0` gives ±inf).
    /// ∂L/∂x = G / 2 (cast back to int32, truncating, for an int32 `x`: decision 5).
    public static func / (lhs: Tensor, rhs: Double) -> Tensor {
        let out = scalarKernel(.div, lhs, rhs, scalarOnLeft: false)
        guard lhs.isRecorded else { return out }
        return out.recorded(lhs, backward: .divide(rhs), trace: .divScalar(rhs))
    }

    /// `1 / x`: true division (float32 for an int32 `x`). ∂L/∂x = −G ⊙ (1/x) / x.
    public static func / (lhs: Double, rhs: Tensor) -> Tensor {
        let out = scalarKernel(.div, rhs, lhs, scalarOnLeft: true)
        guard rhs.isRecorded else { return out }
        return out.recorded(rhs, trace: .scalarDiv(lhs)) { g in -g * out.saved(for: rhs) { lhs / $0 } / rhs }
    }

    /// `x += y`, the same as `x = x + y`.
    public static func += (lhs: inout Tensor, rhs: Tensor) { lhs = lhs + rhs }
    /// `x -= y`.
    public static func -= (lhs: inout Tensor, rhs: Tensor) { lhs = lhs - rhs }
    /// `x *= y`.
    public static func *= (lhs: inout Tensor, rhs: Tensor) { lhs = lhs * rhs }
    /// `x /= y`.
    public static func /= (lhs: inout Tensor, rhs: Tensor) { lhs = lhs / rhs }
}

/// Elementwise power `xʸ` with broadcasting.
///
/// ∂L/∂x = G ⊙ y ⊙ x^(y−1); ∂L/∂y = G ⊙ xʸ ⊙ ln x where x > 0, else 0 (MindSpore's convention).
///
/// ```swift
/// pow(Tensor([2, 3]), Tensor([3, 2]))   // [8, 9]
/// ```
public func pow(_ x: Tensor, _ y: Tensor) -> Tensor {
    let out = Tensor.elementwise(.pow, x, y, name: "pow")
    guard x.isRecorded || y.isRecorded else { return out }
    return out.recorded(x, y) { g, needed in
        (needed[0] ? (g * y * pow(x, y - 1)).unbroadcast(to: x.shape) : nil,
         needed[1] ? (g * (x.isRecordedOnActiveTape || y.isRecordedOnActiveTape ? pow(x, y) : out) * log(`where`(greater(x, Tensor.zeros([], dtype: x.dtype)), x, Tensor.ones([], dtype: x.dtype))))
            .unbroadcast(to: y.shape) : nil)
    }
}

/// Elementwise power with a constant exponent: `pow(x, 2)`. Only `x` is differentiated:
/// ∂L/∂x = G ⊙ p ⊙ x^(p−1).
public func pow(_ x: Tensor, _ exponent: Double) -> Tensor {
    let p = Tensor.scalarOperand(exponent, like: x)
    let out = Tensor.elementwise(.pow, x, p, name: "pow")
    guard x.isRecorded else { return out }
    return out.recorded(x) { g in g * exponent * pow(x, exponent - 1) }
}
