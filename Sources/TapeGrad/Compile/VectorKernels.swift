// The vector kernels of compiled programs. eˣ, ln x, tanh and σ are VectorMath's loops (Kernels/VectorMath*.swift),
// the very ones the eager ops call, so a fused step gives the eager op's bits; relu, its backward and the merged
// tanh(x·c + d) step are here.

/// The element types of compiled programs (vexp, vlog, vtanh, vsigmoid come from ``VectorMathElement``,
/// through ``BLASElement``).
protocol JitFloat: BLASElement {
    /// out[i] = tanh(x[i]·c + d) (the product and the sum rounded separately, as two eager ops).
    static func vtanhAffine(_ x: UnsafePointer<Self>, _ c: Self, _ d: Self, _ out: UnsafeMutablePointer<Self>, _ n: Int)
    /// out[i] = x[i] where x[i] > 0, else 0 (NaN gives 0, as the eager kernel), as a select.
    static func vrelu(_ x: UnsafePointer<Self>, _ out: UnsafeMutablePointer<Self>, _ n: Int)
    /// out[i] = g[i] where x[i] > 0, else 0.
    static func vpassWherePositive(_ g: UnsafePointer<Self>, _ x: UnsafePointer<Self>, _ out: UnsafeMutablePointer<Self>, _ n: Int)
}

extension Float: JitFloat {
    static func vtanhAffine(_ x: UnsafePointer<Float>, _ c: Float, _ d: Float, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        VectorMath.map(x, out, n) { VectorMath.tanh($0 * c + d) }
    }

    static func vrelu(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        VectorMath.map(x, out, n) { v in var r = v; r.replace(with: 0, where: .!(v .> 0)); return r }
    }

    static func vpassWherePositive(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        var i = 0
        while i + 8 <= n {
            var r = VectorMath.load(g + i)
            r.replace(with: 0, where: .!(VectorMath.load(x + i) .> 0))
            VectorMath.store(r, out + i)
            i += 8
        }
        while i < n { out[i] = x[i] > 0 ? g[i] : 0; i += 1 }
    }
}

extension Double: JitFloat {
    static func vtanhAffine(_ x: UnsafePointer<Double>, _ c: Double, _ d: Double, _ out: UnsafeMutablePointer<Double>, _ n: Int) {
        VectorMath.map(x, out, n) { VectorMath.tanh($0 * c + d) }
    }

    static func vrelu(_ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, _ n: Int) {
        VectorMath.map(x, out, n) { v in var r = v; r.replace(with: 0, where: .!(v .> 0)); return r }
    }

    static func vpassWherePositive(_ g: UnsafePointer<Double>, _ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, _ n: Int) {
        var i = 0
        while i + 4 <= n {
            var r = VectorMath.load(g + i)
            r.replace(with: 0, where: .!(VectorMath.load(x + i) .> 0))
            VectorMath.store(r, out + i)
            i += 4
        }
        while i < n { out[i] = x[i] > 0 ? g[i] : 0; i += 1 }
    }
}
