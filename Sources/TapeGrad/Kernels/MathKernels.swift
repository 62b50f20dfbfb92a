import Foundation

/// The C library's remaining elementary functions, for the math op table (`Ops/Math/`).
protocol MathElement: FloatingElement {
    static func tan(_ x: Self) -> Self
    static func asin(_ x: Self) -> Self
    static func acos(_ x: Self) -> Self
    static func atan(_ x: Self) -> Self
    static func sinh(_ x: Self) -> Self
    static func cosh(_ x: Self) -> Self
    static func asinh(_ x: Self) -> Self
    static func acosh(_ x: Self) -> Self
    static func atanh(_ x: Self) -> Self
    static func expm1(_ x: Self) -> Self
    static func log2(_ x: Self) -> Self
    static func log10(_ x: Self) -> Self
    static func exp2(_ x: Self) -> Self
    static func erfc(_ x: Self) -> Self
    static func lgamma(_ x: Self) -> Self
    static func atan2(_ y: Self, _ x: Self) -> Self
    static func hypot(_ x: Self, _ y: Self) -> Self
}

extension Float: MathElement {
    static func tan(_ x: Float) -> Float { Foundation.tanf(x) }
    static func asin(_ x: Float) -> Float { Foundation.asinf(x) }
    static func acos(_ x: Float) -> Float { Foundation.acosf(x) }
    static func atan(_ x: Float) -> Float { Foundation.atanf(x) }
    static func sinh(_ x: Float) -> Float { Foundation.sinhf(x) }
    static func cosh(_ x: Float) -> Float { Foundation.coshf(x) }
    static func asinh(_ x: Float) -> Float { Foundation.asinhf(x) }
    static func acosh(_ x: Float) -> Float { Foundation.acoshf(x) }
    static func atanh(_ x: Float) -> Float { Foundation.atanhf(x) }
    static func expm1(_ x: Float) -> Float { Foundation.expm1f(x) }
    static func log2(_ x: Float) -> Float { Foundation.log2f(x) }
    static func log10(_ x: Float) -> Float { Foundation.log10f(x) }
    static func exp2(_ x: Float) -> Float { Foundation.exp2f(x) }
    static func erfc(_ x: Float) -> Float { Foundation.erfcf(x) }
    static func lgamma(_ x: Float) -> Float { Float(Foundation.lgamma(Double(x))) }
    static func atan2(_ y: Float, _ x: Float) -> Float { Foundation.atan2f(y, x) }
    static func hypot(_ x: Float, _ y: Float) -> Float { Foundation.hypotf(x, y) }
}

extension Double: MathElement {
    static func tan(_ x: Double) -> Double { Foundation.tan(x) }
    static func asin(_ x: Double) -> Double { Foundation.asin(x) }
    static func acos(_ x: Double) -> Double { Foundation.acos(x) }
    static func atan(_ x: Double) -> Double { Foundation.atan(x) }
    static func sinh(_ x: Double) -> Double { Foundation.sinh(x) }
    static func cosh(_ x: Double) -> Double { Foundation.cosh(x) }
    static func asinh(_ x: Double) -> Double { Foundation.asinh(x) }
    static func acosh(_ x: Double) -> Double { Foundation.acosh(x) }
    static func atanh(_ x: Double) -> Double { Foundation.atanh(x) }
    static func expm1(_ x: Double) -> Double { Foundation.expm1(x) }
    static func log2(_ x: Double) -> Double { Foundation.log2(x) }
    static func log10(_ x: Double) -> Double { Foundation.log10(x) }
    static func exp2(_ x: Double) -> Double { Foundation.exp2(x) }
    static func erfc(_ x: Double) -> Double { Foundation.erfc(x) }
    static func lgamma(_ x: Double) -> Double { Foundation.lgamma(x) }
    static func atan2(_ y: Double, _ x: Double) -> Double { Foundation.atan2(y, x) }
    static func hypot(_ x: Double, _ y: Double) -> Double { Foundation.hypot(x, y) }
}

/// The unary math kernels: one tight loop each over a contiguous buffer.
enum MathOp: String {
    case floor, ceil, round, trunc, frac
    case tan, asin, acos, atan, sinh, cosh, asinh, acosh, atanh
    case log1p, expm1, log2, log10, exp2
    case erfc, erfinv, lgamma, digamma
    case isnan, isinf, isfinite

    /// Rounding ops map int32 to itself; the rest compute int32 inputs in float32.
    var keepsIntegers: Bool {
        switch self {
        case .floor, .ceil, .round, .trunc, .frac, .isnan, .isinf, .isfinite: return true
        default: return false
        }
    }
}

/// The binary math kernels (operands already broadcast to one shape and dtype).
enum MathBinaryOp: String {
    case atan2, hypot
    /// a − ⌊a / b⌋ · b: the sign of the divisor (Python's `%`).
    case remainder
    /// a − trunc(a / b) · b: the sign of the dividend (C's `fmod`).
    case fmod
    /// ⌊a / b⌋.
    case floorDivide
}

enum MathKernels {
    @inline(__always)
    static func loop<T: MathElement>(_ op: MathOp, _ x: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, _ n: Int) {
        switch op {
        case .floor: for i in 0..<n { out[i] = x[i].rounded(.down) }
        case .ceil: for i in 0..<n { out[i] = x[i].rounded(.up) }
        case .round: for i in 0..<n { out[i] = x[i].rounded(.toNearestOrEven) }
        case .trunc: for i in 0..<n { out[i] = x[i].rounded(.towardZero) }
        case .frac: for i in 0..<n { out[i] = x[i] - x[i].rounded(.towardZero) }
        case .tan: for i in 0..<n { out[i] = T.tan(x[i]) }
        case .asin: for i in 0..<n { out[i] = T.asin(x[i]) }
        case .acos: for i in 0..<n { out[i] = T.acos(x[i]) }
        case .atan: for i in 0..<n { out[i] = T.atan(x[i]) }
        case .sinh: for i in 0..<n { out[i] = T.sinh(x[i]) }
        case .cosh: for i in 0..<n { out[i] = T.cosh(x[i]) }
        case .asinh: for i in 0..<n { out[i] = T.asinh(x[i]) }
        case .acosh: for i in 0..<n { out[i] = T.acosh(x[i]) }
        case .atanh: for i in 0..<n { out[i] = T.atanh(x[i]) }
        case .log1p: for i in 0..<n { out[i] = T.log1p(x[i]) }
        case .expm1: for i in 0..<n { out[i] = T.expm1(x[i]) }
        case .log2: for i in 0..<n { out[i] = T.log2(x[i]) }
        case .log10: for i in 0..<n { out[i] = T.log10(x[i]) }
        case .exp2: for i in 0..<n { out[i] = T.exp2(x[i]) }
        case .erfc: for i in 0..<n { out[i] = T.erfc(x[i]) }
        case .erfinv: for i in 0..<n { out[i] = T(SpecialFunctions.erfinv(Double(x[i]))) }
        case .lgamma: for i in 0..<n { out[i] = T.lgamma(x[i]) }
        case .digamma: for i in 0..<n { out[i] = T(SpecialFunctions.digamma(Double(x[i]))) }
        case .isnan: for i in 0..<n { out[i] = x[i].isNaN ? 1 : 0 }
        case .isinf: for i in 0..<n { out[i] = x[i].isInfinite ? 1 : 0 }
        case .isfinite: for i in 0..<n { out[i] = x[i].isFinite ? 1 : 0 }
        }
    }

    /// Applies `op`; integer and bool inputs keep their dtype for the rounding and classification ops and give
    /// float32 otherwise; float16/bfloat16 compute in float32 and round back.
    static func unary(_ op: MathOp, _ x: Tensor) -> Tensor {
        switch x.dtype {
        case .int32, .int64, .uint8, .bool:
            guard op.keepsIntegers else { return unary(op, x.converted(to: .float32)) }
            switch op {
            case .frac, .isnan, .isinf: return Tensor.zeros(x.shape, dtype: x.dtype)
            case .isfinite: return Tensor.ones(x.shape, dtype: x.dtype)
            default: return x.detached
            }
        case .float16, .bfloat16:
            return unary(op, x.converted(to: .float32)).converted(to: x.dtype)
        case .float32:
            let out = Tensor.uninitialized(x.shape, dtype: .float32)
            let src = x.buffer.pointer(Float.self), dst = out.buffer.pointer(Float.self)
            Parallel.chunks(x.count) { s, c in loop(op, src + s, dst + s, c) }
            return withExtendedLifetime(x) { out }
        case .float64:
            let out = Tensor.uninitialized(x.shape, dtype: .float64)
            let src = x.buffer.pointer(Double.self), dst = out.buffer.pointer(Double.self)
            Parallel.chunks(x.count) { s, c in loop(op, src + s, dst + s, c) }
            return withExtendedLifetime(x) { out }
        }
    }

    /// ψ⁽ⁿ⁾(x) elementwise (n ≥ 1), computed in float64.
    static func polygamma(_ order: Int, _ x: Tensor) -> Tensor {
        let source = x.dtype == .int32 ? x.converted(to: .float32) : x
        let values = source.scalars.map { SpecialFunctions.polygamma(order, $0) }
        return Tensor(values, shape: x.shape).converted(to: source.dtype)
    }

    /// out[i] = a[i·sa] ∘ b[i·sb] over one row (strides 0 or 1, from broadcasting).
    @inline(__always)
    static func binaryLoop<T: MathElement>(
        _ op: MathBinaryOp, _ a: UnsafePointer<T>, _ sa: Int, _ b: UnsafePointer<T>, _ sb: Int, _ out: UnsafeMutablePointer<T>, _ n: Int
    ) {
        switch op {
        case .atan2: for i in 0..<n { out[i] = T.atan2(a[i * sa], b[i * sb]) }
        case .hypot: for i in 0..<n { out[i] = T.hypot(a[i * sa], b[i * sb]) }
        case .remainder:
            for i in 0..<n {
                let x = a[i * sa], y = b[i * sb], r = x.truncatingRemainder(dividingBy: y)
                out[i] = r != 0 && (r < 0) != (y < 0) ? r + y : r
            }
        case .fmod: for i in 0..<n { out[i] = a[i * sa].truncatingRemainder(dividingBy: b[i * sb]) }
        case .floorDivide: for i in 0..<n { out[i] = (a[i * sa] / b[i * sb]).rounded(.down) }
        }
    }

    /// The integer forms. Division by zero gives 0 (the C operation would trap).
    static func binaryLoopInt<T: FixedWidthInteger & SignedInteger>(
        _ op: MathBinaryOp, _ a: UnsafePointer<T>, _ sa: Int, _ b: UnsafePointer<T>, _ sb: Int, _ out: UnsafeMutablePointer<T>, _ n: Int
    ) {
        for i in 0..<n {
            let x = a[i * sa], y = b[i * sb]
            if y == 0 || (y == -1 && x == .min) { out[i] = y == -1 ? 0 &- x : 0; continue }
            let q = x / y, r = x % y
            let floors = r != 0 && (r < 0) != (y < 0)
            switch op {
            case .remainder: out[i] = floors ? r + y : r
            case .fmod: out[i] = r
            case .floorDivide: out[i] = floors ? q - 1 : q
            case .atan2, .hypot: out[i] = 0   // promoted to float before reaching here
            }
        }
    }

    /// Applies `op` to `a` and `b` with broadcasting (walked by strides, nothing expanded) and promotion
    /// (int32 stays int32 for the division ops).
    static func binary(_ op: MathBinaryOp, _ a: Tensor, _ b: Tensor, name: String) -> Tensor {
        var dtype = DType.promoted(a.dtype, b.dtype)
        if !dtype.isFloatingPoint && (op == .atan2 || op == .hypot) { dtype = .float32 }
        // float16/bfloat16 compute in float32, uint8/bool in int64; the result is rounded (wrapped) back once.
        if dtype == .float16 || dtype == .bfloat16 || dtype == .uint8 || dtype == .bool {
            let wide: DType = dtype.isFloatingPoint ? .float32 : .int64
            return binary(op, a.converted(to: wide), b.converted(to: wide), name: name).converted(to: dtype)
        }
        guard let shape = Broadcasting.shape(a.shape, b.shape) else {
            reportError(TensorError(op: name, message: "shapes \(a.shape) and \(b.shape) do not broadcast"))
            return Tensor.placeholder(dtype: dtype)
        }
        let lhs = a.converted(to: dtype), rhs = b.converted(to: dtype)
        let out = Tensor.uninitialized(shape, dtype: dtype)
        let sa = Broadcasting.strides(of: lhs.shape, in: shape), sb = Broadcasting.strides(of: rhs.shape, in: shape)
        func run<T: MathElement>(_: T.Type) {
            let pa = UnsafePointer(lhs.buffer.pointer(T.self)), pb = UnsafePointer(rhs.buffer.pointer(T.self)), po = out.buffer.pointer(T.self)
            Broadcasting.forEachRow(outShape: shape, aStrides: sa, bStrides: sb) { ia, ib, io, n, ta, tb in
                binaryLoop(op, pa + ia, ta, pb + ib, tb, po + io, n)
            }
        }
        func runInt<T: FixedWidthInteger & SignedInteger & TensorScalar>(_: T.Type) {
            let pa = UnsafePointer(lhs.buffer.pointer(T.self)), pb = UnsafePointer(rhs.buffer.pointer(T.self)), po = out.buffer.pointer(T.self)
            Broadcasting.forEachRow(outShape: shape, aStrides: sa, bStrides: sb) { ia, ib, io, n, ta, tb in
                binaryLoopInt(op, pa + ia, ta, pb + ib, tb, po + io, n)
            }
        }
        switch dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        case .int32: runInt(Int32.self)
        case .int64: runInt(Int64.self)
        case .float16, .bfloat16, .uint8, .bool: break   // converted above
        }
        return withExtendedLifetime((lhs, rhs)) { out }
    }
}
