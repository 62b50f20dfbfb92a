// The loops of VectorMath over contiguous buffers, for float32 and float64 alike: the eager unary kernels
// (ElementwiseKernels.swift), the jit's fused steps (Compile/VectorKernels.swift) and the LSTM's generic
// path call these.

/// The element types with vectorised elementary functions over buffers (`out` may be `x`).
protocol VectorMathElement: FloatingElement {
    /// out[i] = e^x[i].
    static func vexp(_ x: UnsafePointer<Self>, _ out: UnsafeMutablePointer<Self>, _ n: Int)
    /// out[i] = ln x[i].
    static func vlog(_ x: UnsafePointer<Self>, _ out: UnsafeMutablePointer<Self>, _ n: Int)
    /// out[i] = tanh x[i].
    static func vtanh(_ x: UnsafePointer<Self>, _ out: UnsafeMutablePointer<Self>, _ n: Int)
    /// out[i] = σ(x[i]) = 1 / (1 + e^(−x[i])).
    static func vsigmoid(_ x: UnsafePointer<Self>, _ out: UnsafeMutablePointer<Self>, _ n: Int)
    /// out[i] = log(1 + e^x[i]) = max(x[i], 0) + ln(1 + e^(−|x[i]|)).
    static func vsoftplus(_ x: UnsafePointer<Self>, _ out: UnsafeMutablePointer<Self>, _ n: Int)
}

extension VectorMathElement {
    /// The vectorised loop for `op`, or nil when `op` has none (it runs its scalar loop).
    @inline(__always)
    static func vectorLoop(_ op: UnaryOp) -> ((UnsafePointer<Self>, UnsafeMutablePointer<Self>, Int) -> Void)? {
        switch op {
        case .exp: return vexp
        case .log: return vlog
        case .tanh: return vtanh
        case .sigmoid: return vsigmoid
        case .softplus: return vsoftplus
        default: return nil
        }
    }
}

extension Float: VectorMathElement {
    static func vexp(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int) { VectorMath.map(x, out, n, VectorMath.exp) }
    static func vlog(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int) { VectorMath.map(x, out, n, VectorMath.log) }
    static func vtanh(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int) { VectorMath.map(x, out, n, VectorMath.tanh) }
    static func vsigmoid(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int) { VectorMath.map(x, out, n, VectorMath.sigmoid) }
    static func vsoftplus(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int) { VectorMath.map(x, out, n, VectorMath.softplus) }
}

extension Double: VectorMathElement {
    static func vexp(_ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, _ n: Int) { VectorMath.map(x, out, n, VectorMath.exp) }
    static func vlog(_ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, _ n: Int) { VectorMath.map(x, out, n, VectorMath.log) }
    static func vtanh(_ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, _ n: Int) { VectorMath.map(x, out, n, VectorMath.tanh) }
    static func vsigmoid(_ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, _ n: Int) { VectorMath.map(x, out, n, VectorMath.sigmoid) }
    static func vsoftplus(_ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, _ n: Int) { VectorMath.map(x, out, n, VectorMath.softplus) }
}

extension VectorMath {
    /// softplus(x) = max(x, 0) + ln(1 + e^(−|x|)) for eight floats; ln(1 + u) for u = e^(−|x|) in (0, 1] as
    /// ln w + (u − (w − 1)) / w with w = 1 + u rounded (the quotient restores what rounding w lost), so the
    /// result keeps its relative accuracy for large negative x where it is about e^x.
    @inline(__always)
    static func softplus(_ x: F8) -> F8 {
        let magnitude = unsafeBitCast(unsafeBitCast(x, to: SIMD8<UInt32>.self) & 0x7FFF_FFFF, to: F8.self)
        let u = exp(-magnitude), w = 1 + u
        var log1p = log(w) + (u - (w - 1)) / w
        log1p.replace(with: u, where: w .== 1)   // u below half an ulp of 1: ln(1 + u) = u to float precision
        var positive = x
        positive.replace(with: 0, where: x .< 0)
        var out = positive + log1p
        out.replace(with: x, where: x .!= x)
        return out
    }

    /// softplus for four doubles, as the float32 one.
    @inline(__always)
    static func softplus(_ x: D4) -> D4 {
        let magnitude = unsafeBitCast(unsafeBitCast(x, to: SIMD4<UInt64>.self) & 0x7FFF_FFFF_FFFF_FFFF, to: D4.self)
        let u = exp(-magnitude), w = 1 + u
        var log1p = log(w) + (u - (w - 1)) / w
        log1p.replace(with: u, where: w .== 1)
        var positive = x
        positive.replace(with: 0, where: x .< 0)
        var out = positive + log1p
        out.replace(with: x, where: x .!= x)
        return out
    }
}
