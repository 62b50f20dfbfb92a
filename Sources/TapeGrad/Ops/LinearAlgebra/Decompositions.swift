// Matrix factorisations through LAPACK, each with its standard matrix-calculus pullback written in ops.

/// The Cholesky factor of each symmetric positive-definite matrix: lower L with A = L Lᵀ (or, with `upper`,
/// U = Lᵀ with A = Uᵀ U), reading only A's lower triangle. A matrix that is not positive definite is reported.
/// With Φ(X) = the lower triangle of X with its diagonal halved:
/// ∂L/∂A = ½ (S + Sᵀ), S = L⁻ᵀ Φ(Lᵀ Ḡ_L) L⁻¹.
///
/// ```swift
/// cholesky(Tensor([[4, 2], [2, 2]]))   // [[2, 0], [1, 1]]
/// ```
public func cholesky(_ x: Tensor, upper: Bool = false) -> Tensor {
    let dtype = x.dtype.floatingPoint
    guard let (batch, n, _) = x.matrixShape(op: "cholesky", square: true) else { return Tensor.placeholder(dtype: dtype) }
    // potrf on the row-major buffer read column-major (Aᵀ = A) with "U" reads row-major's lower triangle and
    // leaves U, whose row-major reading is L; the other triangle is cleared here.
    let result = Tensor.forEachMatrix(x.scalars, count: batch.reduce(1, *), size: n * n) { m in
        var a = m
        guard LAPACK.cholesky(&a, n: n, upper: true) else { return nil }
        for i in 0..<n { for j in (i + 1)..<Swift.max(n, i + 1) { a[i * n + j] = 0 } }
        return a
    }
    guard let result else {
        reportError(TensorError(op: "cholesky", message: "argument input of shape \(x.shape) holds a matrix that is not positive definite"))
        return Tensor.placeholder(dtype: dtype)
    }
    var lower = Tensor(result, shape: x.shape).converted(to: dtype)
    if x.isRecorded {
        lower = lower.recorded(x) { g in
            let l = cholesky(x)
            let phi = Tensor.triangleMask(rows: n, cols: n, lower: true, diagonal: 0.5, dtype: g.dtype)
            let lInverse = inv(l)
            let s = matmul(matmul(lInverse, matmul(l, g, transposeA: true) * phi, transposeA: true), lInverse)
            return (s + s.matrixTransposed) * 0.5
        }
    }
    return upper ? lower.matrixTransposed : lower
}

/// The reduced QR factorisation A = Q R of each `[m, n]` matrix: Q `[m, k]` with orthonormal columns and R
/// `[k, n]` upper triangular, k = min(m, n) (LAPACK's Householder geqrf/orgqr; R's diagonal may be negative).
/// For m ≥ n, with M = R Ḡ_Rᵀ − Ḡ_Qᵀ Q and copyltu(M) its lower triangle mirrored upward:
/// ∂L/∂A = (Ḡ_Q + Q copyltu(M)) R⁻ᵀ. For m < n, A = [X | Y] with X square: ∂L/∂Y = Q Ḡ_{R_Y} and ∂L/∂X is the
/// square formula with Ḡ_Q + Y Ḡ_{R_Y}ᵀ. A singular leading block makes R⁻¹ fail, which is reported.
///
/// ```swift
/// let (q, r) = qr(Tensor([[3, 0], [4, 5]]))   // q·r == [[3, 0], [4, 5]]
/// ```
public func qr(_ x: Tensor) -> (q: Tensor, r: Tensor) {
    let dtype = x.dtype.floatingPoint
    guard let (batch, m, n) = x.matrixShape(op: "qr", square: false) else { return (Tensor.placeholder(dtype: dtype), Tensor.placeholder(dtype: dtype)) }
    let k = Swift.min(m, n), values = x.scalars
    var qs: [Double] = [], rs: [Double] = []
    for b in 0..<batch.reduce(1, *) {
        let a = Tensor.transposedArray(Array(values[(b * m * n)..<((b + 1) * m * n)]), rows: m, cols: n)
        guard let (q, r) = LAPACK.qr(a, m: m, n: n) else {
            reportError(TensorError(op: "qr", message: "LAPACK failed on argument input of shape \(x.shape)"))
            return (Tensor.placeholder(dtype: dtype), Tensor.placeholder(dtype: dtype))
        }
        qs += Tensor.transposedArray(q, rows: k, cols: m)
        rs += Tensor.transposedArray(r, rows: n, cols: k)
    }
    var q = Tensor(qs, shape: batch + [m, k]).converted(to: dtype), r = Tensor(rs, shape: batch + [k, n]).converted(to: dtype)
    guard x.isRecorded else { return (q, r) }
    // One node carries both outputs' gradients: Q and R are recorded as views of a packed [m + k, n'] result.
    let packed = qrBackwardNode(x, q: q, r: r, m: m, n: n, k: k)
    q = packed.q; r = packed.r
    return (q, r)
}

/// Townsend's SVD pullback, in ops (see ``svd(_:)``).
private func svdBackward(_ x: Tensor, gs: Tensor, gu: Tensor, gv: Tensor) -> Tensor {
    let (s, u, v) = svd(x)
    let k = s.shape[s.rank - 1], dtype = gs.dtype
    let row = s.expandingShape(at: s.rank - 1), column = s.expandingShape(at: s.rank)   // [.., 1, k], [.., k, 1]
    let eye = Tensor.eye(k, dtype: dtype)
    let f = (1 - eye) / (row * row - column * column + eye)
    let utgu = matmul(u, gu, transposeA: true), vtgv = matmul(v, gv, transposeA: true)
    let j = f * (utgu - utgu.matrixTransposed), kk = f * (vtgv - vtgv.matrixTransposed)
    let core = j * row + eye * gs.expandingShape(at: gs.rank - 1) + column * kk
    var grad = matmul(matmul(u, core), v, transposeB: true)
    let m = u.shape[u.rank - 2], n = v.shape[v.rank - 2]
    let guScaled = gu / row, gvScaled = gv / row                                           // Ḡ S⁻¹
    if m > k {
        let projected = guScaled - matmul(u, matmul(u, guScaled, transposeA: true))          // (I − UUᵀ) Ḡ_U S⁻¹
        grad = grad + matmul(projected, v, transposeB: true)
    }
    if n > k {
        let projected = gvScaled - matmul(v, matmul(v, gvScaled, transposeA: true))          // (I − VVᵀ) Ḡ_V S⁻¹
        grad = grad + matmul(u, projected, transposeB: true)
    }
    return grad
}

/// The QR pullback for m ≥ n: M = R Ḡ_Rᵀ − Ḡ_Qᵀ Q, ∂L/∂A = (Ḡ_Q + Q copyltu(M)) R⁻ᵀ.
private func qrBackward(q: Tensor, r: Tensor, gq: Tensor, gr: Tensor) -> Tensor {
    let k = r.shape[r.rank - 2], dtype = gq.dtype
    let mm = matmul(r, gr, transposeB: true) - matmul(gq, q, transposeA: true)
    let strictly = mm * Tensor.triangleMask(rows: k, cols: k, lower: true, diagonal: 0, dtype: dtype)
    let copied = mm * Tensor.triangleMask(rows: k, cols: k, lower: true, dtype: dtype) + strictly.matrixTransposed
    return matmul(gq + matmul(q, copied), inv(r), transposeB: true)
}

/// Records Q and R so that their cotangents meet in one pullback (the QR gradient needs both at once).
private func qrBackwardNode(_ x: Tensor, q: Tensor, r: Tensor, m: Int, n: Int, k: Int) -> (q: Tensor, r: Tensor) {
    let axis = q.rank - 2
    // Pack [Q | 0] over [R] along the row axis, record the pack, and slice the two outputs back out of it.
    let width = Swift.max(k, n)
    let qPadded = k < width ? q.padded(alongAxis: q.rank - 1, before: 0, after: width - k) : q
    let rPadded = n < width ? r.padded(alongAxis: r.rank - 1, before: 0, after: width - n) : r
    let pack = concat([qPadded, rPadded], alongAxis: axis).recorded(x) { g in
        let (q, r) = qr(x)
        let gq = g.sliced(alongAxis: axis, from: 0, to: m).sliced(alongAxis: axis + 1, from: 0, to: k)
        let gr = g.sliced(alongAxis: axis, from: m, to: m + k).sliced(alongAxis: axis + 1, from: 0, to: n)
        if m >= n { return qrBackward(q: q, r: r, gq: gq, gr: gr) }
        // Wide: A = [X | Y] with X square, R = [R_X | QᵀY]; Y's part flows straight back and adds Y Ḡ_Yᵀ to Ḡ_Q.
        let last = axis + 1
        let y = x.sliced(alongAxis: last, from: m, to: n)
        let grX = gr.sliced(alongAxis: last, from: 0, to: m), grY = gr.sliced(alongAxis: last, from: m, to: n)
        let gx = qrBackward(q: q, r: r.sliced(alongAxis: last, from: 0, to: m), gq: gq + matmul(y, grY, transposeB: true), gr: grX)
        return concat([gx, matmul(q, grY)], alongAxis: last)
    }
    let qOut = pack.sliced(alongAxis: axis, from: 0, to: m).sliced(alongAxis: axis + 1, from: 0, to: k)
    let rOut = pack.sliced(alongAxis: axis, from: m, to: m + k).sliced(alongAxis: axis + 1, from: 0, to: n)
    return (qOut, rOut)
}

/// The reduced singular value decomposition A = U diag(S) Vᵀ of each `[m, n]` matrix (LAPACK's gesdd):
/// S descending `[k]`, U `[m, k]`, V `[n, k]`, k = min(m, n) — MindSpore's `ops.svd` order (s, u, v).
/// With F_ij = 1/(s_j² − s_i²) off the diagonal (0 on it), J = F ⊙ (UᵀḠ_U − Ḡ_UᵀU), K = F ⊙ (VᵀḠ_V − Ḡ_VᵀV):
/// ∂L/∂A = U (J S + diag(Ḡ_S) + S K) Vᵀ + (I − UUᵀ) Ḡ_U S⁻¹ Vᵀ + U S⁻¹ Ḡ_Vᵀ (I − VVᵀ) (Townsend's formula).
/// The singular vectors are defined up to sign, so only sign-invariant uses of them (u vᵀ, u ⊙ u, …) have a
/// meaningful gradient; repeated or zero singular values make the vectors' gradient infinite, as in PyTorch.
///
/// ```swift
/// svd(Tensor([[3, 0], [0, -4]])).s   // [4, 3]
/// ```
public func svd(_ x: Tensor) -> (s: Tensor, u: Tensor, v: Tensor) {
    let dtype = x.dtype.floatingPoint
    let failed = (Tensor.placeholder(dtype: dtype), Tensor.placeholder(dtype: dtype), Tensor.placeholder(dtype: dtype))
    guard let (batch, m, n) = x.matrixShape(op: "svd", square: false) else { return failed }
    let k = Swift.min(m, n), values = x.scalars
    var us: [Double] = [], ss: [Double] = [], vs: [Double] = []
    for b in 0..<batch.reduce(1, *) {
        // The row-major buffer read column-major is Aᵀ = V S Uᵀ: LAPACK's Vᵀ buffer read row-major is U, and its
        // U buffer read row-major is Vᵀ.
        let a = Array(values[(b * m * n)..<((b + 1) * m * n)])
        guard let (ut, s, vt) = LAPACK.svd(a, m: n, n: m) else {
            reportError(TensorError(op: "svd", message: "the SVD of argument input of shape \(x.shape) did not converge"))
            return failed
        }
        us += vt; ss += s; vs += Tensor.transposedArray(ut, rows: k, cols: n)
    }
    var s = Tensor(ss, shape: batch + [k]).converted(to: dtype)
    var u = Tensor(us, shape: batch + [m, k]).converted(to: dtype), v = Tensor(vs, shape: batch + [n, k]).converted(to: dtype)
    guard x.isRecorded else { return (s, u, v) }
    // One node carries the three cotangents (the vectors' gradient needs them together): s, u and v are
    // recorded as slices of a packed [k + m + n, k] result.
    let axis = x.rank - 2
    let pack = concat([s.expandingShape(at: axis), u, v], alongAxis: axis).recorded(x) { g in
        let gs = g.sliced(alongAxis: axis, from: 0, to: 1).squeezingShape(at: [axis])
        let gu = g.sliced(alongAxis: axis, from: 1, to: 1 + m), gv = g.sliced(alongAxis: axis, from: 1 + m, to: 1 + m + n)
        return svdBackward(x, gs: gs, gu: gu, gv: gv)
    }
    s = pack.sliced(alongAxis: axis, from: 0, to: 1).squeezingShape(at: [axis])
    u = pack.sliced(alongAxis: axis, from: 1, to: 1 + m)
    v = pack.sliced(alongAxis: axis, from: 1 + m, to: 1 + m + n)
    return (s, u, v)
}

/// The eigenvalues (ascending) and orthonormal eigenvectors (columns) of each symmetric matrix, reading its
/// lower triangle (LAPACK's syevd). With E the eigenvalues and F_ij = 1/(E_j − E_i) off the diagonal (0 on it):
/// ∂L/∂A = V (diag(Ḡ_E) + F ⊙ (Vᵀ Ḡ_V)) Vᵀ. Repeated eigenvalues make F infinite, as in PyTorch.
///
/// ```swift
/// eigh(Tensor([[2, 0], [0, 1]])).eigenvalues   // [1, 2]
/// ```
public func eigh(_ x: Tensor) -> (eigenvalues: Tensor, eigenvectors: Tensor) {
    let dtype = x.dtype.floatingPoint
    guard let (batch, n, _) = x.matrixShape(op: "eigh", square: true) else { return (Tensor.placeholder(dtype: dtype), Tensor.placeholder(dtype: dtype)) }
    let values = x.scalars
    var es: [Double] = [], vs: [Double] = []
    for b in 0..<batch.reduce(1, *) {
        // Read column-major the buffer is Aᵀ, whose upper triangle is A's lower one; eigenvector columns come
        // back column-major, so their row-major reading is Vᵀ.
        guard let (e, v) = LAPACK.symmetricEigen(Array(values[(b * n * n)..<((b + 1) * n * n)]), n: n, upper: true) else {
            reportError(TensorError(op: "eigh", message: "the eigensolver did not converge on argument input of shape \(x.shape)"))
            return (Tensor.placeholder(dtype: dtype), Tensor.placeholder(dtype: dtype))
        }
        es += e; vs += Tensor.transposedArray(v, rows: n, cols: n)
    }
    var e = Tensor(es, shape: batch + [n]).converted(to: dtype), v = Tensor(vs, shape: batch + [n, n]).converted(to: dtype)
    guard x.isRecorded else { return (e, v) }
    e = e.recorded(x) { g in
        let (_, v) = eigh(x)
        return matmul(v * g.expandingShape(at: g.rank - 1), v, transposeB: true)
    }
    v = v.recorded(x) { g in
        let (e, v) = eigh(x)
        let gap = e.expandingShape(at: e.rank - 1) - e.expandingShape(at: e.rank)   // gap_ij = E_j − E_i
        let offDiagonal = 1 - Tensor.eye(n, dtype: g.dtype)
        let f = offDiagonal / (gap + Tensor.eye(n, dtype: g.dtype))
        return matmul(matmul(v, matmul(v, g, transposeA: true) * f), v, transposeB: true)
    }
    return (e, v)
}
