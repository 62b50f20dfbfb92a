import COpenBLAS

/// Float64 LAPACK calls on one matrix at a time, in column-major arrays. float32 tensors are factorised in
/// float64 and rounded back (more accurate, and one code path). Each returns nil when LAPACK reports a
/// failure (a singular or indefinite matrix, no convergence).
enum LAPACK {
    /// LU-factorises the column-major n×n matrix `a` in place; returns the pivots, or nil if it is singular.
    static func luFactor(_ a: inout [Double], n: Int) -> [blasint]? {
        let (pivots, singular) = luFactorAllowingSingular(&a, n: n)
        return singular ? nil : pivots
    }

    /// LU-factorises in place even when the matrix is singular (a zero on U's diagonal), for determinants.
    static func luFactorAllowingSingular(_ a: inout [Double], n: Int) -> (pivots: [blasint], singular: Bool) {
        if n == 0 { return ([], false) }
        var nn = blasint(n), lda = blasint(n), info: blasint = 0
        var pivots = [blasint](repeating: 0, count: n)
        dgetrf_(&nn, &nn, &a, &lda, &pivots, &info)
        return (pivots, info != 0)
    }

    /// Inverts the column-major n×n matrix `a` in place; false if it is singular.
    static func invert(_ a: inout [Double], n: Int) -> Bool {
        if n == 0 { return true }
        guard let pivots = luFactor(&a, n: n) else { return false }
        var nn = blasint(n), lda = blasint(n), info: blasint = 0, lwork: blasint = -1, query = 0.0
        dgetri_(&nn, &a, &lda, pivots, &query, &lwork, &info)
        lwork = blasint(Swift.max(Int(query), n))
        var work = [Double](repeating: 0, count: Int(lwork))
        dgetri_(&nn, &a, &lda, pivots, &work, &lwork, &info)
        return info == 0
    }

    /// Solves op(A) X = B for the column-major n×n `a` (LU-factorised here) and n×k `b` (overwritten by X);
    /// `transpose` solves Aᵀ X = B. False if A is singular.
    static func solve(_ a: inout [Double], _ b: inout [Double], n: Int, k: Int, transpose: Bool) -> Bool {
        if n == 0 || k == 0 { return true }
        guard let pivots = luFactor(&a, n: n) else { return false }
        var nn = blasint(n), kk = blasint(k), lda = blasint(n), info: blasint = 0
        var trans = CChar(UInt8(ascii: transpose ? "T" : "N"))
        dgetrs_(&trans, &nn, &kk, a, &lda, pivots, &b, &lda, &info)
        return info == 0
    }

    /// The Cholesky factor of a symmetric positive-definite column-major matrix: `upper` keeps U (A = UᵀU)
    /// in the upper triangle; the other triangle is left as it was. False if A is not positive definite.
    static func cholesky(_ a: inout [Double], n: Int, upper: Bool) -> Bool {
        if n == 0 { return true }
        var nn = blasint(n), info: blasint = 0
        var uplo = CChar(UInt8(ascii: upper ? "U" : "L"))
        dpotrf_(&uplo, &nn, &a, &nn, &info)
        return info == 0
    }

    /// The reduced QR factorisation of the column-major m×n `a`: Q (m×k) and R (k×n), k = min(m, n), column-major.
    static func qr(_ a: [Double], m: Int, n: Int) -> (q: [Double], r: [Double])? {
        let k = Swift.min(m, n)
        var r = [Double](repeating: 0, count: k * n)
        if k == 0 { return ([Double](repeating: 0, count: m * k), r) }
        var work = a, mm = blasint(m), nn = blasint(n), kk = blasint(k), lda = blasint(m), info: blasint = 0
        var tau = [Double](repeating: 0, count: k), lwork: blasint = -1, query = 0.0
        dgeqrf_(&mm, &nn, &work, &lda, &tau, &query, &lwork, &info)
        lwork = blasint(Swift.max(Int(query), n, 1))
        var scratch = [Double](repeating: 0, count: Int(lwork))
        dgeqrf_(&mm, &nn, &work, &lda, &tau, &scratch, &lwork, &info)
        guard info == 0 else { return nil }
        for j in 0..<n { for i in 0...Swift.min(j, k - 1) { r[i + j * k] = work[i + j * m] } }
        lwork = -1
        dorgqr_(&mm, &kk, &kk, &work, &lda, tau, &query, &lwork, &info)
        lwork = blasint(Swift.max(Int(query), k, 1))
        scratch = [Double](repeating: 0, count: Int(lwork))
        dorgqr_(&mm, &kk, &kk, &work, &lda, tau, &scratch, &lwork, &info)
        guard info == 0 else { return nil }
        return (Array(work[0..<(m * k)]), r)
    }

    /// The reduced SVD of the column-major m×n `a`: U (m×k), S (k, descending), Vᵀ (k×n), column-major.
    static func svd(_ a: [Double], m: Int, n: Int) -> (u: [Double], s: [Double], vt: [Double])? {
        let k = Swift.min(m, n)
        if k == 0 { return ([Double](repeating: 0, count: m * k), [], [Double](repeating: 0, count: k * n)) }
        var work = a, mm = blasint(m), nn = blasint(n), lda = blasint(m), ldu = blasint(m), ldvt = blasint(k)
        var s = [Double](repeating: 0, count: k), u = [Double](repeating: 0, count: m * k), vt = [Double](repeating: 0, count: k * n)
        var iwork = [blasint](repeating: 0, count: 8 * k), info: blasint = 0, lwork: blasint = -1, query = 0.0
        var jobz = CChar(UInt8(ascii: "S"))
        dgesdd_(&jobz, &mm, &nn, &work, &lda, &s, &u, &ldu, &vt, &ldvt, &query, &lwork, &iwork, &info)
        lwork = blasint(Swift.max(Int(query), 1))
        var scratch = [Double](repeating: 0, count: Int(lwork))
        dgesdd_(&jobz, &mm, &nn, &work, &lda, &s, &u, &ldu, &vt, &ldvt, &scratch, &lwork, &iwork, &info)
        return info == 0 ? (u, s, vt) : nil
    }

    /// Eigenvalues (ascending) and eigenvectors (columns, column-major) of a symmetric matrix, reading the
    /// column-major `upper` or lower triangle.
    static func symmetricEigen(_ a: [Double], n: Int, upper: Bool) -> (values: [Double], vectors: [Double])? {
        if n == 0 { return ([], []) }
        var vectors = a, nn = blasint(n), info: blasint = 0, lwork: blasint = -1, liwork: blasint = -1
        var values = [Double](repeating: 0, count: n), query = 0.0, iquery: blasint = 0
        var jobz = CChar(UInt8(ascii: "V")), uplo = CChar(UInt8(ascii: upper ? "U" : "L"))
        dsyevd_(&jobz, &uplo, &nn, &vectors, &nn, &values, &query, &lwork, &iquery, &liwork, &info)
        lwork = blasint(Swift.max(Int(query), 1)); liwork = Swift.max(iquery, 1)
        var scratch = [Double](repeating: 0, count: Int(lwork)), iscratch = [blasint](repeating: 0, count: Int(liwork))
        dsyevd_(&jobz, &uplo, &nn, &vectors, &nn, &values, &scratch, &lwork, &iscratch, &liwork, &info)
        return info == 0 ? (values, vectors) : nil
    }

    /// The minimum-norm least-squares solution X (n×k, column-major) of min ‖AX − B‖ for column-major m×n `a`
    /// and m×k `b`, and the effective rank of A.
    static func leastSquares(_ a: [Double], _ b: [Double], m: Int, n: Int, k: Int) -> (x: [Double], rank: Int)? {
        if n == 0 || k == 0 { return ([Double](repeating: 0, count: n * k), 0) }
        let ldb = Swift.max(m, n, 1)
        var work = a, rhs = [Double](repeating: 0, count: ldb * k)
        for j in 0..<k { for i in 0..<m { rhs[i + j * ldb] = b[i + j * m] } }
        if m == 0 { return ([Double](repeating: 0, count: n * k), 0) }
        var mm = blasint(m), nn = blasint(n), kk = blasint(k), lda = blasint(m), ldbb = blasint(ldb)
        var s = [Double](repeating: 0, count: Swift.min(m, n)), rcond = -1.0, rank: blasint = 0, info: blasint = 0
        var lwork: blasint = -1, query = 0.0, iquery: blasint = 0
        dgelsd_(&mm, &nn, &kk, &work, &lda, &rhs, &ldbb, &s, &rcond, &rank, &query, &lwork, &iquery, &info)
        lwork = blasint(Swift.max(Int(query), 1))
        var scratch = [Double](repeating: 0, count: Int(lwork)), iscratch = [blasint](repeating: 0, count: Swift.max(Int(iquery), 1))
        dgelsd_(&mm, &nn, &kk, &work, &lda, &rhs, &ldbb, &s, &rcond, &rank, &scratch, &lwork, &iscratch, &info)
        guard info == 0 else { return nil }
        var x = [Double](repeating: 0, count: n * k)
        for j in 0..<k { for i in 0..<n { x[i + j * n] = rhs[i + j * ldb] } }
        return (x, Int(rank))
    }
}
