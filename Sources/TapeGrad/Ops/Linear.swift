// The fully connected map y = act(x·Wᵀ + b) as one recorded op: the bias is written into the output
// before the gemm, which then accumulates onto it (β = 1), and ReLU is applied in place, so the forward
// makes one pass over the output besides the gemm instead of three.

/// `relu?(x·Wᵀ + b)` for `x: [m, k]`, `weight: [n, k]`, `bias: [n]`, as MindSpore's Dense computes it.
///
/// ∂L/∂x = G′·W, ∂L/∂W = G′ᵀ·x, ∂L/∂b = Σ_rows G′, where G′ = G ⊙ [y > 0] with ReLU and G otherwise.
///
/// ```swift
/// let y = linear(x, weight: w, bias: b, relu: true)   // same as relu(matmul(x, w, transposeB: true) + b)
/// ```
public func linear(_ x: Tensor, weight: Tensor, bias: Tensor?, relu applyRelu: Bool = false) -> Tensor {
    let dtype = x.dtype
    guard x.rank == 2, weight.rank == 2, dtype == .float32 || dtype == .float64, weight.dtype == dtype, bias.map({ $0.dtype == dtype }) ?? true,
          weight.shape[1] == x.shape[1], bias.map({ $0.shape == [weight.shape[0]] }) ?? true,
          x.shape[0] > 0, x.shape[1] > 0, weight.shape[0] > 0 else {
        // Anything unusual (including empty shapes) goes through the composed ops, which also report shape errors.
        var y = matmul(x, weight, transposeB: true)
        if let bias { y = y + bias }
        return applyRelu ? relu(y) : y
    }
    let (m, k, n) = (x.shape[0], x.shape[1], weight.shape[0])
    guard Tensor.canAllocate([m, n], dtype: dtype, op: "linear") else { return Tensor.placeholder(dtype: dtype) }
    let out = Tensor.uninitialized([m, n], dtype: dtype)
    func run<T: FloatingElement>(_: T.Type, gemm: (UnsafePointer<T>, UnsafePointer<T>, T, UnsafeMutablePointer<T>) -> Void) {
        let po = out.buffer.pointer(T.self)
        var beta: T = 0
        if let bias {
            let pb = bias.buffer.pointer(T.self)
            for row in 0..<m { (po + row * n).update(from: pb, count: n) }
            beta = 1
        }
        gemm(x.buffer.pointer(T.self), weight.buffer.pointer(T.self), beta, po)
    }
    switch dtype {
    case .float32:
        run(Float.self) { a, b, beta, c in BLAS.gemm(transA: false, transB: true, m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: k, beta: beta, c: c, ldc: n) }
    case .float64:
        run(Double.self) { a, b, beta, c in BLAS.gemm(transA: false, transB: true, m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: k, beta: beta, c: c, ldc: n) }
    default: break   // float32 and float64 only (guarded above)
    }
    if applyRelu {
        if dtype == .float32 { reluInPlace(out.buffer.pointer(Float.self), m * n) } else { reluInPlace(out.buffer.pointer(Double.self), m * n) }
    }
    withExtendedLifetime((x, weight, bias)) {}
    let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
    guard inputs.contains(where: \.isRecorded) else { return out }
    return out.recorded(inputs: inputs, trace: .linear(relu: applyRelu)) { g, needed in
        let gPre = applyRelu ? passWherePositive(g, out) : g
        return [needed[0] ? matmul(gPre, weight) : nil,
                needed[1] ? matmul(gPre, x, transposeA: true) : nil,
                needed[2] ? gPre.sum(alongAxes: [0]) : nil]
    }
}

/// max(x, 0) in place, as a select so the loop vectorises. Concrete overloads: a generic loop here would
/// go through protocol witnesses.
private func reluInPlace(_ p: UnsafeMutablePointer<Float>, _ n: Int) {
    Parallel.chunks(n) { s, c in
        let q = p + s
        for i in 0..<c { q[i] = q[i] > 0 ? q[i] : 0 }
    }
}

private func reluInPlace(_ p: UnsafeMutablePointer<Double>, _ n: Int) {
    Parallel.chunks(n) { s, c in
        let q = p + s
        for i in 0..<c { q[i] = q[i] > 0 ? q[i] : 0 }
    }
}
