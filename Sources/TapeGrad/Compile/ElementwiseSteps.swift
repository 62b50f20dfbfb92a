// The kernel of one fused step over one block: plain loops over contiguous elements (the compiler
// vectorises them), the transcendental functions through the SIMD kernels of VectorKernels.swift. Each
// arithmetic step computes exactly what the eager kernel computes for that element (same operation, same
// order), so only eˣ, tanh, σ and the reductions can differ from eager results.

enum JitElementwise {
    /// out[i] = a[i·sa] ∘ b[i·sb] (strides 0 or 1), `c` and `d` the step's scalars.
    @inline(__always)
    static func apply<T: JitFloat>(_ op: JitStep.Op, _ a: UnsafeMutablePointer<T>, _ sa: Int, _ b: UnsafeMutablePointer<T>, _ sb: Int,
                                   _ c: T, _ d: T, _ out: UnsafeMutablePointer<T>, _ n: Int) {
        switch op {
        case .add: binary(a, sa, b, sb, out, n) { $0 + $1 }
        case .sub: binary(a, sa, b, sb, out, n) { $0 - $1 }
        case .mul: binary(a, sa, b, sb, out, n) { $0 * $1 }
        case .div: binary(a, sa, b, sb, out, n) { $0 / $1 }
        case .tanhBackward: binary(a, sa, b, sb, out, n) { g, y in g * (1 - y * y) }
        case .sigmoidBackward: binary(a, sa, b, sb, out, n) { g, y in g * y * (1 - y) }
        case .reluBackward:
            if sa == 1 && sb == 1 { T.vpassWherePositive(a, b, out, n) } else { binary(a, sa, b, sb, out, n) { g, x in x > 0 ? g : 0 } }
        case .tanhBackwardScaled: binary(a, sa, b, sb, out, n) { g, y in g * (1 - y * y) * c }
        case .affine: for i in 0..<n { out[i] = a[i] * c + d }
        case .tanhAffine: T.vtanhAffine(a, c, d, out, n)
        case .addScalar: for i in 0..<n { out[i] = a[i] + c }
        case .mulScalar: for i in 0..<n { out[i] = a[i] * c }
        case .divScalar: for i in 0..<n { out[i] = a[i] / c }
        case .scalarSub: for i in 0..<n { out[i] = c - a[i] }
        case .scalarDiv: for i in 0..<n { out[i] = c / a[i] }
        case .neg: for i in 0..<n { out[i] = -a[i] }
        case .relu: T.vrelu(a, out, n)
        case .square: for i in 0..<n { out[i] = a[i] * a[i] }
        case .sqrt: for i in 0..<n { out[i] = a[i].squareRoot() }
        case .rsqrt: for i in 0..<n { out[i] = 1 / a[i].squareRoot() }
        case .log: T.vlog(a, out, n)
        case .exp: T.vexp(a, out, n)
        case .tanh: T.vtanh(a, out, n)
        case .sigmoid: T.vsigmoid(a, out, n)
        }
    }

    /// A binary loop specialised on the operands' strides, so the common contiguous case vectorises.
    @inline(__always)
    static func binary<T>(_ a: UnsafeMutablePointer<T>, _ sa: Int, _ b: UnsafeMutablePointer<T>, _ sb: Int,
                          _ out: UnsafeMutablePointer<T>, _ n: Int, _ f: (T, T) -> T) {
        if sa == 1 && sb == 1 {
            for i in 0..<n { out[i] = f(a[i], b[i]) }
        } else if sa == 1 {
            let y = b[0]
            for i in 0..<n { out[i] = f(a[i], y) }
        } else if sb == 1 {
            let x = a[0]
            for i in 0..<n { out[i] = f(x, b[i]) }
        } else {
            let v = f(a[0], b[0])
            for i in 0..<n { out[i] = v }
        }
    }
}
