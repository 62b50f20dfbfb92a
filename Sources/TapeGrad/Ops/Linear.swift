// The fully connected map y = act(x·Wᵀ + b) as one recorded op: the bias is written into the output
// before the gemm, which then accumulates onto it (β = 1), and ReLU is applied in place, so the forward
// makes one pass over the output besides the gemm instead of three. When the product is partitioned
// (``ProductThreading``), each thread does all three on its own block of the output.

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
    // Each block of the output (the whole output, or one per thread when the product is partitioned) gets its
    // bias rows, then the gemm accumulating onto them, then ReLU, while it is still in cache.
    func run<T: BLASElement>(_: T.Type, relu: (UnsafeMutablePointer<T>, Int) -> Void) {
        let px = x.buffer.pointer(T.self), pw = weight.buffer.pointer(T.self), po = out.buffer.pointer(T.self)
        let pb = bias.map { $0.buffer.pointer(T.self) }
        GEMMPartition.run(m: m, n: n, k: k) { rows, cols in
            let block = po + rows.lowerBound * n + cols.lowerBound
            if let pb {
                for row in 0..<rows.count { (block + row * n).update(from: pb + cols.lowerBound, count: cols.count) }
            }
            // The block's rows of x and of W (= columns of Wᵀ), as one gemm: the work is split already.
            T.gemm(transA: false, transB: true, m: rows.count, n: cols.count, k: k, alpha: 1, a: px + rows.lowerBound * k, lda: k,
                   b: pw + cols.lowerBound * k, ldb: k, beta: pb == nil ? 0 : 1, c: block, ldc: n, mode: .openBLAS)
            guard applyRelu else { return }
            if cols.count == n { relu(block, rows.count * n) } else { for row in 0..<rows.count { relu(block + row * n, cols.count) } }
        }
    }
    switch dtype {
    case .float32: run(Float.self, relu: reluInPlace)
    case .float64: run(Double.self, relu: reluInPlace)
    default: break   // float32 and float64 only (guarded above)
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
