/// The binary elementwise operations the kernels implement, each with its own tight loop.
enum BinaryOp: String {
    case add, sub, mul, div, pow, maximum, minimum
    case equal, greater, greaterEqual, less, lessEqual
    /// `a` where `b > 0`, else 0: ReLU's backward in one pass.
    case passWherePositive
    /// a ⊙ (1 − b²): tanh's backward from its output b.
    case tanhBackward
    /// a ⊙ b ⊙ (1 − b): sigmoid's backward from its output b.
    case sigmoidBackward
}

/// The unary elementwise operations the kernels implement.
enum UnaryOp: String {
    case neg, exp, log, sqrt, rsqrt, abs, sign, sin, cos, tanh, sigmoid, relu, square, reciprocal
    case step           // 1 where x > 0, else 0: relu's derivative
    case softplus       // log(1 + eˣ), computed stably
    case erf
}

enum ElementwiseKernels {
    /// out[i] = a[i] ∘ b[i] over one row with strides (0 or 1) for each operand.
    @inline(__always)
    static func binaryRow<T: FloatingElement>(
        _ op: BinaryOp, _ a: UnsafePointer<T>, _ sa: Int, _ b: UnsafePointer<T>, _ sb: Int,
        _ out: UnsafeMutablePointer<T>, _ n: Int
    ) {
        switch op {
        case .add:
            if sa == 1 && sb == 1 { for i in 0..<n { out[i] = a[i] + b[i] } }
            else if sb == 0 { let y = b[0]; for i in 0..<n { out[i] = a[i * sa] + y } }
            else { for i in 0..<n { out[i] = a[i * sa] + b[i * sb] } }
        case .sub:
            if sa == 1 && sb == 1 { for i in 0..<n { out[i] = a[i] - b[i] } }
            else { for i in 0..<n { out[i] = a[i * sa] - b[i * sb] } }
        case .mul:
            if sa == 1 && sb == 1 { for i in 0..<n { out[i] = a[i] * b[i] } }
            else if sb == 0 { let y = b[0]; for i in 0..<n { out[i] = a[i * sa] * y } }
            else { for i in 0..<n { out[i] = a[i * sa] * b[i * sb] } }
        case .div:
            if sa == 1 && sb == 1 { for i in 0..<n { out[i] = a[i] / b[i] } }
            else { for i in 0..<n { out[i] = a[i * sa] / b[i * sb] } }
        case .pow: for i in 0..<n { out[i] = T.pow(a[i * sa], b[i * sb]) }
        case .maximum: for i in 0..<n { let x = a[i * sa], y = b[i * sb]; out[i] = x.isNaN || x >= y ? x : y }
        case .minimum: for i in 0..<n { let x = a[i * sa], y = b[i * sb]; out[i] = x.isNaN || x <= y ? x : y }
        case .equal: for i in 0..<n { out[i] = a[i * sa] == b[i * sb] ? 1 : 0 }
        case .greater: for i in 0..<n { out[i] = a[i * sa] > b[i * sb] ? 1 : 0 }
        case .greaterEqual: for i in 0..<n { out[i] = a[i * sa] >= b[i * sb] ? 1 : 0 }
        case .less: for i in 0..<n { out[i] = a[i * sa] < b[i * sb] ? 1 : 0 }
        case .lessEqual: for i in 0..<n { out[i] = a[i * sa] <= b[i * sb] ? 1 : 0 }
        case .passWherePositive:
            // Both loads are unconditional so the choice compiles to a vector select, not a branch that random
            // signs mispredict half the time (a conditional load cannot be speculated).
            if sa == 1 && sb == 1 {
                for i in 0..<n { let g = a[i], x = b[i]; out[i] = x > 0 ? g : 0 }
            } else {
                for i in 0..<n { let g = a[i * sa], x = b[i * sb]; out[i] = x > 0 ? g : 0 }
            }
        case .tanhBackward: for i in 0..<n { let y = b[i * sb]; out[i] = a[i * sa] * (1 - y * y) }
        case .sigmoidBackward: for i in 0..<n { let y = b[i * sb]; out[i] = a[i * sa] * y * (1 - y) }
        }
    }

    /// The integer version (int32, int64, uint8; wrapping); division is not defined here (integer division
    /// promotes to float32).
    @inline(__always)
    static func binaryRowInt<T: FixedWidthInteger>(
        _ op: BinaryOp, _ a: UnsafePointer<T>, _ sa: Int, _ b: UnsafePointer<T>, _ sb: Int,
        _ out: UnsafeMutablePointer<T>, _ n: Int
    ) {
        switch op {
        case .add: for i in 0..<n { out[i] = a[i * sa] &+ b[i * sb] }
        case .sub: for i in 0..<n { out[i] = a[i * sa] &- b[i * sb] }
        case .mul: for i in 0..<n { out[i] = a[i * sa] &* b[i * sb] }
        case .maximum: for i in 0..<n { out[i] = max(a[i * sa], b[i * sb]) }
        case .minimum: for i in 0..<n { out[i] = min(a[i * sa], b[i * sb]) }
        case .equal: for i in 0..<n { out[i] = a[i * sa] == b[i * sb] ? 1 : 0 }
        case .greater: for i in 0..<n { out[i] = a[i * sa] > b[i * sb] ? 1 : 0 }
        case .greaterEqual: for i in 0..<n { out[i] = a[i * sa] >= b[i * sb] ? 1 : 0 }
        case .less: for i in 0..<n { out[i] = a[i * sa] < b[i * sb] ? 1 : 0 }
        case .lessEqual: for i in 0..<n { out[i] = a[i * sa] <= b[i * sb] ? 1 : 0 }
        case .passWherePositive: for i in 0..<n { let g = a[i * sa], x = b[i * sb]; out[i] = x > 0 ? g : 0 }
        case .div, .pow, .tanhBackward, .sigmoidBackward: for i in 0..<n { out[i] = 0 }   // promoted to float before reaching here
        }
    }

    /// Applies `op` to `a` and `b` (already of one dtype) broadcast to `outShape`. float16, bfloat16 and
    /// bool compute in their ``DType/kernelDType`` and round back.
    static func binary(_ op: BinaryOp, _ a: Tensor, _ b: Tensor, outShape: [Int]) -> Tensor {
        let kernel = a.dtype.kernelDType
        if kernel != a.dtype {
            return binary(op, a.converted(to: kernel), b.converted(to: kernel), outShape: outShape).converted(to: a.dtype)
        }
        let out = Tensor.uninitialized(outShape, dtype: a.dtype)
        let n = out.count
        func run<T: FloatingElement>(_: T.Type) {
            let pa = UnsafePointer(a.buffer.pointer(T.self)), pb = UnsafePointer(b.buffer.pointer(T.self))
            let po = out.buffer.pointer(T.self)
            // Fast paths first: equal shapes, or one operand a single value.
            if a.shape == b.shape {
                Parallel.chunks(n) { s, c in binaryRow(op, pa + s, 1, pb + s, 1, po + s, c) }
            } else if b.count == 1 && a.count == n {
                Parallel.chunks(n) { s, c in binaryRow(op, pa + s, 1, pb, 0, po + s, c) }
            } else if a.count == 1 && b.count == n {
                Parallel.chunks(n) { s, c in binaryRow(op, pa, 0, pb + s, 1, po + s, c) }
            } else {
                let sa = Broadcasting.strides(of: a.shape, in: outShape)
                let sb = Broadcasting.strides(of: b.shape, in: outShape)
                Broadcasting.forEachRow(outShape: outShape, aStrides: sa, bStrides: sb) { ia, ib, io, len, ta, tb in
                    binaryRow(op, pa + ia, ta, pb + ib, tb, po + io, len)
                }
            }
        }
        func runInt<T: FixedWidthInteger>(_: T.Type) {
            let pa = UnsafePointer(a.buffer.pointer(T.self)), pb = UnsafePointer(b.buffer.pointer(T.self))
            let po = out.buffer.pointer(T.self)
            let sa = Broadcasting.strides(of: a.shape, in: outShape)
            let sb = Broadcasting.strides(of: b.shape, in: outShape)
            Broadcasting.forEachRow(outShape: outShape, aStrides: sa, bStrides: sb) { ia, ib, io, len, ta, tb in
                binaryRowInt(op, pa + ia, ta, pb + ib, tb, po + io, len)
            }
        }
        switch a.dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        case .int32: runInt(Int32.self)
        case .int64: runInt(Int64.self)
        case .uint8: runInt(UInt8.self)
        case .bool, .float16, .bfloat16: break   // computed in their kernel dtype above
        }
        return withExtendedLifetime((a, b)) { out }
    }

    /// The scalar loops. `unary` runs exp, log, tanh, sigmoid and softplus through VectorMath's loops instead
    /// (``VectorMathElement/vectorLoop(_:)``), so their libm cases here are a reference, not reached by `unary`.
    @inline(__always)
    static func unaryLoop<T: FloatingElement>(_ op: UnaryOp, _ x: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, _ n: Int) {
        switch op {
        case .neg: for i in 0..<n { out[i] = -x[i] }
        case .exp: for i in 0..<n { out[i] = T.exp(x[i]) }
        case .log: for i in 0..<n { out[i] = T.log(x[i]) }
        case .sqrt: for i in 0..<n { out[i] = x[i].squareRoot() }
        case .rsqrt: for i in 0..<n { out[i] = 1 / x[i].squareRoot() }
        case .abs: for i in 0..<n { out[i] = Swift.abs(x[i]) }
        case .sign: for i in 0..<n { out[i] = x[i] > 0 ? 1 : (x[i] < 0 ? -1 : 0) }
        case .sin: for i in 0..<n { out[i] = T.sin(x[i]) }
        case .cos: for i in 0..<n { out[i] = T.cos(x[i]) }
        case .tanh: for i in 0..<n { out[i] = T.tanh(x[i]) }
        case .sigmoid:
            for i in 0..<n {
                let v = x[i]
                if v >= 0 { out[i] = 1 / (1 + T.exp(-v)) } else { let e = T.exp(v); out[i] = e / (1 + e) }
            }
        case .relu: for i in 0..<n { out[i] = x[i] > 0 ? x[i] : 0 }
        case .square: for i in 0..<n { out[i] = x[i] * x[i] }
        case .reciprocal: for i in 0..<n { out[i] = 1 / x[i] }
        case .step: for i in 0..<n { out[i] = x[i] > 0 ? 1 : 0 }
        case .softplus: for i in 0..<n { let v = x[i]; out[i] = Swift.max(v, 0) + T.log1p(T.exp(-Swift.abs(v))) }
        case .erf: for i in 0..<n { out[i] = T.erf(x[i]) }
        }
    }

    /// Applies `op` to a tensor: floats natively (float16/bfloat16 through float32, rounded back); integers
    /// natively for the integer-valued ops, through float32 for the others; bool through int32, cast back.
    static func unary(_ op: UnaryOp, _ x: Tensor) -> Tensor {
        let kernel = x.dtype.kernelDType
        if kernel != x.dtype {
            // Back to x's dtype when the kernel kept its own (a float op on bool stays float32, as on int32).
            let result = withExtendedLifetime(x) { unary(op, x.converted(to: kernel)) }
            return result.dtype == kernel ? result.converted(to: x.dtype) : result
        }
        let out = Tensor.uninitialized(x.shape, dtype: x.dtype)
        func runInt<T: FixedWidthInteger>(_: T.Type) -> Bool {
            let src = x.buffer.pointer(T.self), dst = out.buffer.pointer(T.self)
            switch op {
            case .neg: for i in 0..<x.count { dst[i] = 0 &- src[i] }
            case .abs: for i in 0..<x.count { dst[i] = src[i] < 0 ? 0 &- src[i] : src[i] }
            case .sign: for i in 0..<x.count { dst[i] = src[i] > 0 ? 1 : (src[i] < 0 ? 0 &- 1 : 0) }
            case .relu: for i in 0..<x.count { dst[i] = max(src[i], 0) }
            case .square: for i in 0..<x.count { dst[i] = src[i] &* src[i] }
            case .step: for i in 0..<x.count { dst[i] = src[i] > 0 ? 1 : 0 }
            default: return false
            }
            return true
        }
        switch x.dtype {
        case .float32:
            let src = x.buffer.pointer(Float.self), dst = out.buffer.pointer(Float.self)
            if let vector = Float.vectorLoop(op) {
                Parallel.chunks(x.count) { s, c in vector(src + s, dst + s, c) }
            } else {
                Parallel.chunks(x.count) { s, c in unaryLoop(op, src + s, dst + s, c) }
            }
        case .float64:
            let src = x.buffer.pointer(Double.self), dst = out.buffer.pointer(Double.self)
            if let vector = Double.vectorLoop(op) {
                Parallel.chunks(x.count) { s, c in vector(src + s, dst + s, c) }
            } else {
                Parallel.chunks(x.count) { s, c in unaryLoop(op, src + s, dst + s, c) }
            }
        case .int32, .int64, .uint8:
            let done = x.dtype == .int32 ? runInt(Int32.self) : x.dtype == .int64 ? runInt(Int64.self) : runInt(UInt8.self)
            if !done { return withExtendedLifetime(x) { unary(op, x.converted(to: .float32)) } }
        case .bool, .float16, .bfloat16: break   // computed in their kernel dtype above
        }
        return withExtendedLifetime(x) { out }
    }
}

extension Tensor {
    /// self ← self ∘ scalar in place (copying first only if the buffer is shared), or nil when that is not
    /// possible: a recorded tensor (its update must go through differentiable ops) or an int32 one.
    mutating func updatedInPlace(_ op: BinaryOp, scalar: Double) -> Tensor? {
        guard tracking == nil else { return nil }
        let n = count
        switch dtype {
        case .float32:
            var c = Float(scalar)
            withUnsafeMutableBufferPointer(as: Float.self) { p in
                guard let base = p.baseAddress else { return }
                withUnsafePointer(to: &c) { ElementwiseKernels.binaryRow(op, UnsafePointer(base), 1, $0, 0, base, n) }
            }
        case .float64:
            var c = scalar
            withUnsafeMutableBufferPointer(as: Double.self) { p in
                guard let base = p.baseAddress else { return }
                withUnsafePointer(to: &c) { ElementwiseKernels.binaryRow(op, UnsafePointer(base), 1, $0, 0, base, n) }
            }
        default: return nil
        }
        return self
    }

    /// self ← self ∘ other elementwise in place (same shape and dtype), or nil when not possible.
    mutating func updatedInPlace(_ op: BinaryOp, with other: Tensor) -> Tensor? {
        guard tracking == nil, other.shape == shape, other.dtype == dtype else { return nil }
        let n = count
        switch dtype {
        case .float32:
            let q = UnsafePointer(other.buffer.pointer(Float.self))
            withUnsafeMutableBufferPointer(as: Float.self) { p in
                if let base = p.baseAddress { ElementwiseKernels.binaryRow(op, UnsafePointer(base), 1, q, 1, base, n) }
            }
        case .float64:
            let q = UnsafePointer(other.buffer.pointer(Double.self))
            withUnsafeMutableBufferPointer(as: Double.self) { p in
                if let base = p.baseAddress { ElementwiseKernels.binaryRow(op, UnsafePointer(base), 1, q, 1, base, n) }
            }
        default: return nil
        }
        return withExtendedLifetime(other) { self }
    }
}
