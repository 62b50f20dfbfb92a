import COpenBLAS

/// Thin wrappers over cblas. Matrices are row-major; transposes are passed as flags, never copied. A large
/// product may run as several single-threaded gemms on blocks of its output (see ``ProductThreading``).
enum BLAS {
    @inline(__always)
    static func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, mode: ProductThreading = ProductThreading.current
    ) {
        GEMMPartition.run(m: m, n: n, k: k, mode: mode) { rows, cols in
            let (pa, pb) = blockOperands(transA: transA, transB: transB, a: a, lda: lda, b: b, ldb: ldb, rows: rows, columns: cols)
            cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                        blasint(rows.count), blasint(cols.count), blasint(k), alpha, pa, blasint(lda), pb, blasint(ldb),
                        beta, c + rows.lowerBound * ldc + cols.lowerBound, blasint(ldc))
        }
    }

    @inline(__always)
    static func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: Double, a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int, mode: ProductThreading = ProductThreading.current
    ) {
        GEMMPartition.run(m: m, n: n, k: k, mode: mode) { rows, cols in
            let (pa, pb) = blockOperands(transA: transA, transB: transB, a: a, lda: lda, b: b, ldb: ldb, rows: rows, columns: cols)
            cblas_dgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                        blasint(rows.count), blasint(cols.count), blasint(k), alpha, pa, blasint(lda), pb, blasint(ldb),
                        beta, c + rows.lowerBound * ldc + cols.lowerBound, blasint(ldc))
        }
    }

    /// The operands of one output block: rows r of op(A) start at A + r·lda (A + r when A is transposed),
    /// columns c of op(B) at B + c (B + c·ldb when B is transposed).
    @inline(__always)
    static func blockOperands<T>(transA: Bool, transB: Bool, a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int,
                                 rows: Range<Int>, columns: Range<Int>) -> (UnsafePointer<T>, UnsafePointer<T>) {
        (a + (transA ? rows.lowerBound : rows.lowerBound * lda), b + (transB ? columns.lowerBound * ldb : columns.lowerBound))
    }

    /// y ← αx + y.
    @inline(__always) static func axpy(_ n: Int, _ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        cblas_saxpy(blasint(n), alpha, x, 1, y, 1)
    }

    @inline(__always) static func axpy(_ n: Int, _ alpha: Double, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>) {
        cblas_daxpy(blasint(n), alpha, x, 1, y, 1)
    }
}

/// The element types cblas works on, so generic kernels can call the matching gemm (and VectorMath's loops).
protocol BLASElement: VectorMathElement {
    static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Self, a: UnsafePointer<Self>, lda: Int,
                     b: UnsafePointer<Self>, ldb: Int, beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int, mode: ProductThreading)
}

extension BLASElement {
    /// The gemm in the current ``ProductThreading`` mode.
    @inline(__always)
    static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Self, a: UnsafePointer<Self>, lda: Int,
                     b: UnsafePointer<Self>, ldb: Int, beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int) {
        gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc,
             mode: ProductThreading.current)
    }
}

extension Float: BLASElement {
    @inline(__always)
    static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
                     b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, mode: ProductThreading) {
        BLAS.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, mode: mode)
    }
}

extension Double: BLASElement {
    @inline(__always)
    static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
                     b: UnsafePointer<Double>, ldb: Int, beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int, mode: ProductThreading) {
        BLAS.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, mode: mode)
    }
}

extension Tensor {
    /// self ← self + other with cblas axpy (copying first only if the buffer is shared). Not recorded: the
    /// tape uses it to accumulate gradients over fan-out. Shapes and a floating dtype must already agree.
    mutating func addInPlace(_ other: Tensor) {
        let n = count
        switch dtype {
        case .float32:
            let src = other.buffer.pointer(Float.self)
            withUnsafeMutableBufferPointer(as: Float.self) { if let base = $0.baseAddress { BLAS.axpy(n, 1, src, base) } }
        case .float64:
            let src = other.buffer.pointer(Double.self)
            withUnsafeMutableBufferPointer(as: Double.self) { if let base = $0.baseAddress { BLAS.axpy(n, 1, src, base) } }
        default: self = self + other
        }
        withExtendedLifetime(other) {}
    }
}
