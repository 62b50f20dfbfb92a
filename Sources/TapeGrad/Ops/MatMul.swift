import Foundation

// Matrix products through cblas, with MindSpore's MatMul(transpose_a, transpose_b) flags.

/// The matrix product `op(a) · op(b)`, where `op` transposes the last two dimensions when its flag is set
/// (passed to cblas as a flag; nothing is copied). Rank-2 operands give a matrix; higher ranks are batches
/// whose leading dimensions broadcast.
///
/// With C = A·B: ∂L/∂A = G·Bᵀ and ∂L/∂B = Aᵀ·G (the transposed forms follow; all run as flagged gemms).
///
/// ```swift
/// let c = matmul(Tensor([[1, 2]]), Tensor([[3], [4]]))      // [[11]]
/// let d = matmul(x, w, transposeB: true)                      // x · wᵀ, as in nn.Dense
/// ```
public func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
    guard a.rank >= 2, b.rank >= 2 else {
        reportError(TensorError(op: "matmul", message: "operands must have rank ≥ 2, got shapes \(a.shape) and \(b.shape)"))
        return Tensor.placeholder(dtype: DType.promoted(a.dtype, b.dtype))
    }
    let m = transposeA ? a.shape[a.rank - 1] : a.shape[a.rank - 2]
    let k = transposeA ? a.shape[a.rank - 2] : a.shape[a.rank - 1]
    let kb = transposeB ? b.shape[b.rank - 1] : b.shape[b.rank - 2]
    let n = transposeB ? b.shape[b.rank - 2] : b.shape[b.rank - 1]
    let batchA = Array(a.shape.dropLast(2)), batchB = Array(b.shape.dropLast(2))
    guard k == kb, let batch = Broadcasting.shape(batchA, batchB) else {
        reportError(TensorError(op: "matmul", message: "shapes \(a.shape) and \(b.shape) are incompatible: expected the contracted dimensions to match (\(k) vs \(kb)) and the batch dimensions to broadcast"
            + " (transposeA: \(transposeA), transposeB: \(transposeB))"))
        return Tensor.placeholder(dtype: DType.promoted(a.dtype, b.dtype))
    }
    let dtype = DType.promoted(a.dtype, b.dtype)
    if dtype.kernelDType != dtype {
        // float16/bfloat16 (and bool): a float32 (int32) product, rounded back once — recorded through astype.
        let k = dtype.kernelDType
        return matmul(a.astype(k), b.astype(k), transposeA: transposeA, transposeB: transposeB).astype(dtype)
    }
    guard Tensor.canAllocate(batch + [m, n], dtype: dtype, op: "matmul") else { return Tensor.placeholder(dtype: dtype) }
    let lhs = a.converted(to: dtype), rhs = b.converted(to: dtype)
    let out = Tensor.uninitialized(batch + [m, n], dtype: dtype)
    let batchCount = SizeArithmetic.count(of: batch)
    let strideA = Broadcasting.strides(of: batchA, in: batch), strideB = Broadcasting.strides(of: batchB, in: batch)
    var offsetsA = [Int](repeating: 0, count: batchCount), offsetsB = [Int](repeating: 0, count: batchCount)
    if !batch.isEmpty {
        var index = 0
        Broadcasting.forEachRow(outShape: batch, aStrides: strideA, bStrides: strideB) { ia, ib, _, len, sa, sb in
            for i in 0..<len { offsetsA[index] = (ia + i * sa) * m * k; offsetsB[index] = (ib + i * sb) * k * n; index += 1 }
        }
    }
    let (lda, ldb) = (transposeA ? m : k, transposeB ? k : n)
    // An empty product never reaches BLAS (its leading dimensions would be illegal): the sums are empty.
    let empty = m == 0 || n == 0 || k == 0
    if empty { memset(out.buffer.raw, 0, out.count * dtype.byteSize) }
    // Integer products wrap, as NumPy's; a plain triple loop (BLAS has no integer gemm).
    func integerProduct<T: FixedWidthInteger>(_: T.Type) {
        let pa = lhs.buffer.pointer(T.self), pb = rhs.buffer.pointer(T.self), pc = out.buffer.pointer(T.self)
        for bi in 0..<batchCount {
            let A = pa + offsetsA[bi], B = pb + offsetsB[bi], C = pc + bi * m * n
            for i in 0..<m {
                for j in 0..<n {
                    var acc: T = 0
                    for p in 0..<k {
                        let x = transposeA ? A[p * m + i] : A[i * k + p]
                        let y = transposeB ? B[j * k + p] : B[p * n + j]
                        acc = acc &+ x &* y
                    }
                    C[i * n + j] = acc
                }
            }
        }
    }
    switch empty ? nil : dtype {
    case .float32?:
        let pa = lhs.buffer.pointer(Float.self), pb = rhs.buffer.pointer(Float.self), pc = out.buffer.pointer(Float.self)
        for i in 0..<batchCount {
            BLAS.gemm(transA: transposeA, transB: transposeB, m: m, n: n, k: k, alpha: 1, a: pa + offsetsA[i], lda: lda,
                      b: pb + offsetsB[i], ldb: ldb, beta: 0, c: pc + i * m * n, ldc: n)
        }
    case .float64?:
        let pa = lhs.buffer.pointer(Double.self), pb = rhs.buffer.pointer(Double.self), pc = out.buffer.pointer(Double.self)
        for i in 0..<batchCount {
            BLAS.gemm(transA: transposeA, transB: transposeB, m: m, n: n, k: k, alpha: 1, a: pa + offsetsA[i], lda: lda,
                      b: pb + offsetsB[i], ldb: ldb, beta: 0, c: pc + i * m * n, ldc: n)
        }
    case nil: break
    case .int32?: integerProduct(Int32.self)
    case .int64?: integerProduct(Int64.self)
    case .uint8?: integerProduct(UInt8.self)
    case .bool?, .float16?, .bfloat16?: break   // computed in their kernel dtype above
    }
    withExtendedLifetime((lhs, rhs)) {}
    guard a.isRecorded || b.isRecorded else { return out }
    return out.recorded(a, b, trace: .matmul(transposeA: transposeA, transposeB: transposeB)) { g, needed in
        var da: Tensor?, db: Tensor?
        switch (transposeA, transposeB) {
        case (false, false):
            if needed[0] { da = matmul(g, b, transposeB: true) }
            if needed[1] { db = matmul(a, g, transposeA: true) }
        case (true, false):
            if needed[0] { da = matmul(b, g, transposeB: true) }
            if needed[1] { db = matmul(a, g) }
        case (false, true):
            if needed[0] { da = matmul(g, b) }
            if needed[1] { db = matmul(g, a, transposeA: true) }
        case (true, true):
            if needed[0] { da = matmul(b, g, transposeA: true, transposeB: true) }
            if needed[1] { db = matmul(g, a, transposeA: true, transposeB: true) }
        }
        return (da?.unbroadcast(to: a.shape), db?.unbroadcast(to: b.shape))
    }
}
