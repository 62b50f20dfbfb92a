import Foundation

// Inverse, linear solves, determinants and least squares through LAPACK's LU and SVD, with their pullbacks.
// A singular matrix where the result does not exist (inv, solve) is reported as an error, never a silent
// NaN; det and slogdet of a singular matrix are 0 and (0, −∞), and their gradient there is reported.

/// The inverse of each square matrix, A⁻¹ (LU with partial pivoting). ∂L/∂A = −A⁻ᵀ G A⁻ᵀ.
/// A singular matrix is reported as an error.
///
/// ```swift
/// inv(Tensor([[2, 0], [0, 4]]))   // [[0.5, 0], [0, 0.25]]
/// ```
public func inv(_ x: Tensor) -> Tensor {
    guard let (batch, n, _) = x.matrixShape(op: "inv", square: true) else { return Tensor.placeholder(dtype: x.dtype.floatingPoint) }
    // Row-major A read column-major is Aᵀ, and (Aᵀ)⁻¹ read back row-major is A⁻¹: no transposed copies.
    let result = Tensor.forEachMatrix(x.scalars, count: batch.reduce(1, *), size: n * n) { m in
        var a = m
        return LAPACK.invert(&a, n: n) ? a : nil
    }
    guard let result else {
        reportError(TensorError(op: "inv", message: "argument input of shape \(x.shape) holds a singular matrix"))
        return Tensor.placeholder(dtype: x.dtype.floatingPoint)
    }
    let out = Tensor(result, shape: x.shape).converted(to: x.dtype.floatingPoint)
    guard x.isRecorded else { return out }
    return out.recorded(x) { g in
        let y = out.saved(for: x, recompute: inv)
        return -matmul(matmul(y, g, transposeA: true), y, transposeB: true)
    }
}

/// Solves A X = B for X (MindSpore's `scipy.linalg.solve` / PyTorch's `linalg.solve`): A is `[..., n, n]`,
/// B is `[..., n, k]` or vectors `[..., n]` (1-D, or A's shape without its last dimension); batch dimensions broadcast. A singular A is reported.
/// ∂L/∂B = A⁻ᵀ G (a solve with Aᵀ), ∂L/∂A = −(∂L/∂B) Xᵀ.
///
/// ```swift
/// solve(Tensor([[2, 0], [0, 4]]), Tensor([2, 2]))   // [1, 0.5]
/// ```
public func solve(_ a: Tensor, _ b: Tensor) -> Tensor {
    let dtype = DType.promoted(a.dtype, b.dtype).floatingPoint
    guard let (batchA, n, _) = a.matrixShape(op: "solve", argument: "a", square: true) else { return Tensor.placeholder(dtype: dtype) }
    // B is a batch of vectors when it is 1-D or has A's shape without the last dimension (PyTorch's rule).
    if b.rank == 1 || (b.rank == a.rank - 1 && b.shape == Array(a.shape.dropLast())) {
        let x = solve(a, b.expandingShape(at: b.rank))
        return x.squeezingShape(at: [x.rank - 1])
    }
    guard let (batchB, rows, k) = b.matrixShape(op: "solve", argument: "b", square: false), rows == n,
          let batch = Broadcasting.shape(batchA, batchB) else {
        reportError(TensorError(op: "solve", message: "argument b of shape \(b.shape) does not fit a of shape \(a.shape)"))
        return Tensor.placeholder(dtype: dtype)
    }
    let lhs = a.astype(dtype).broadcast(to: batch + [n, n]), rhs = b.astype(dtype).broadcast(to: batch + [n, k])
    let bValues = rhs.scalars
    var index = 0
    // A's buffer read column-major is Aᵀ, so LAPACK solves (Aᵀ)ᵀ X = B with trans = "T"; B needs a column-major copy.
    let result = Tensor.forEachMatrix(lhs.scalars, count: batch.reduce(1, *), size: n * n) { m in
        var factor = m
        var x = Tensor.transposedArray(Array(bValues[(index * n * k)..<((index + 1) * n * k)]), rows: n, cols: k)
        index += 1
        return LAPACK.solve(&factor, &x, n: n, k: k, transpose: true) ? Tensor.transposedArray(x, rows: k, cols: n) : nil
    }
    guard let result else {
        reportError(TensorError(op: "solve", message: "argument a of shape \(a.shape) holds a singular matrix"))
        return Tensor.placeholder(dtype: dtype)
    }
    let out = Tensor(result, shape: batch + [n, k]).converted(to: dtype)
    guard lhs.isRecorded || rhs.isRecorded else { return out }
    return out.recorded(lhs, rhs) { g, needed in
        let gb = solve(lhs.matrixTransposed, g)
        let x = out.saved(for: lhs.isRecordedOnActiveTape ? lhs : rhs) { _ in solve(lhs, rhs) }
        return (needed[0] ? -matmul(gb, x, transposeB: true) : nil, needed[1] ? gb : nil)
    }
}

/// LU-factorises every matrix and returns (sign of det, log |det|) per matrix; singular gives (0, −∞).
private func signAndLogDeterminant(_ x: Tensor, n: Int, count: Int) -> (sign: [Double], log: [Double]) {
    let values = x.scalars
    var signs: [Double] = [], logs: [Double] = []
    for b in 0..<count {
        var a = Array(values[(b * n * n)..<((b + 1) * n * n)])
        let (pivots, _) = LAPACK.luFactorAllowingSingular(&a, n: n)
        var sign = 1.0, total = 0.0
        for i in 0..<n {
            let u = a[i * n + i]
            if pivots[i] != Int32(i + 1) { sign = -sign }
            if u == 0 { sign = 0; total = -.infinity; break }
            if u < 0 { sign = -sign }
            total += Foundation.log(Swift.abs(u))
        }
        signs.append(sign); logs.append(total)
    }
    return (signs, logs)
}

/// The determinant of each square matrix (LU). ∂L/∂A = G · adj(A)ᵀ: G · det(A) · A⁻ᵀ for invertible matrices;
/// when a matrix of the batch is singular, the adjugate from the SVD A = U S Vᵀ,
/// adj(A)ᵀ = det(U) det(V) · U diag(Πⱼ≠ᵢ sⱼ) Vᵀ (as PyTorch), which stays finite.
///
/// ```swift
/// det(Tensor([[1, 2], [3, 4]]))   // -2
/// ```
public func det(_ x: Tensor) -> Tensor {
    guard let (batch, n, _) = x.matrixShape(op: "det", square: true) else { return Tensor.placeholder(dtype: x.dtype.floatingPoint) }
    let (signs, logs) = signAndLogDeterminant(x, n: n, count: batch.reduce(1, *))
    let values = zip(signs, logs).map { $0 == 0 ? 0 : $0 * Foundation.exp($1) }
    let out = Tensor(values, shape: batch).converted(to: x.dtype.floatingPoint)
    guard x.isRecorded else { return out }
    let singular = signs.contains(0)
    return out.recorded(x) { g in
        let g = g.reshaped(to: batch + [1, 1])
        guard singular else { return g * out.saved(for: x, recompute: det).reshaped(to: batch + [1, 1]) * inv(x).matrixTransposed }
        let (s, u, v) = svd(x)
        // det(U) det(V) = ±1, constant almost everywhere.
        let orientation = zip(signAndLogDeterminant(u, n: n, count: signs.count).sign, signAndLogDeterminant(v, n: n, count: signs.count).sign).map(*)
        let eye = Tensor.eye(n, dtype: s.dtype)
        let others = (s.expandingShape(at: s.rank - 1) * (1 - eye) + eye).prod(alongAxes: [s.rank])   // Πⱼ≠ᵢ sⱼ
        let adjugateT = matmul(u * others.expandingShape(at: others.rank - 1), v, transposeB: true)
        return g * Tensor(orientation, shape: batch + [1, 1]).converted(to: s.dtype) * adjugateT
    }
}

/// The sign and the logarithm of the absolute value of each determinant (MindSpore's `ops.slogdet`), stable
/// where det itself would overflow. ∂L/∂A = G_log · A⁻ᵀ; the sign is not differentiable.
///
/// ```swift
/// let (sign, logAbsDet) = slogdet(Tensor([[1, 2], [3, 4]]))   // -1, ln 2
/// ```
public func slogdet(_ x: Tensor) -> (sign: Tensor, logAbsDet: Tensor) {
    let dtype = x.dtype.floatingPoint
    guard let (batch, n, _) = x.matrixShape(op: "slogdet", square: true) else { return (Tensor.placeholder(dtype: dtype), Tensor.placeholder(dtype: dtype)) }
    let (signs, logs) = signAndLogDeterminant(x, n: n, count: batch.reduce(1, *))
    let sign = Tensor(signs, shape: batch).converted(to: dtype), logAbs = Tensor(logs, shape: batch).converted(to: dtype)
    guard x.isRecorded else { return (sign, logAbs) }
    return (sign, logAbs.recorded(x) { g in g.reshaped(to: batch + [1, 1]) * inv(x).matrixTransposed })
}

/// The least-squares solution X of min ‖A X − B‖ (minimum-norm when A is rank-deficient; LAPACK's SVD-based
/// gelsd): A is `[..., m, n]`, B `[..., m, k]` or `[..., m]`, with one batch shape. With Z = (AᵀA)⁻¹ G and
/// residual R = B − A X: ∂L/∂B = A Z, ∂L/∂A = R Zᵀ − A Z Xᵀ — valid for full column rank; the gradient of a
/// rank-deficient problem is reported as an error.
///
/// ```swift
/// lstsq(Tensor([[1, 0], [0, 1], [0, 0]]), Tensor([1, 2, 3]))   // [1, 2]
/// ```
public func lstsq(_ a: Tensor, _ b: Tensor) -> Tensor {
    let dtype = DType.promoted(a.dtype, b.dtype).floatingPoint
    guard let (batch, m, n) = a.matrixShape(op: "lstsq", argument: "a", square: false) else { return Tensor.placeholder(dtype: dtype) }
    if b.rank == 1 || (b.rank == a.rank - 1 && b.shape == Array(a.shape.dropLast())) {
        let x = lstsq(a, b.expandingShape(at: b.rank))
        return x.squeezingShape(at: [x.rank - 1])
    }
    guard let (batchB, rows, k) = b.matrixShape(op: "lstsq", argument: "b", square: false), rows == m, batchB == batch else {
        reportError(TensorError(op: "lstsq", message: "argument b of shape \(b.shape) does not fit a of shape \(a.shape)"))
        return Tensor.placeholder(dtype: dtype)
    }
    let aValues = a.scalars, bValues = b.scalars
    var solution: [Double] = [], fullRank = true
    for i in 0..<batch.reduce(1, *) {
        let am = Tensor.transposedArray(Array(aValues[(i * m * n)..<((i + 1) * m * n)]), rows: m, cols: n)
        let bm = Tensor.transposedArray(Array(bValues[(i * m * k)..<((i + 1) * m * k)]), rows: m, cols: k)
        guard let (x, rank) = LAPACK.leastSquares(am, bm, m: m, n: n, k: k) else {
            reportError(TensorError(op: "lstsq", message: "the SVD of argument a of shape \(a.shape) did not converge"))
            return Tensor.placeholder(dtype: dtype)
        }
        if rank < n { fullRank = false }
        solution += Tensor.transposedArray(x, rows: k, cols: n)
    }
    let out = Tensor(solution, shape: batch + [n, k]).converted(to: dtype)
    guard a.isRecorded || b.isRecorded else { return out }
    let lhs = a.astype(dtype), rhs = b.astype(dtype)
    return out.recorded(lhs, rhs) { g, needed in
        guard fullRank else {
            reportError(TensorError(op: "lstsq", message: "the gradient needs argument a to have full column rank"))
            return (nil, nil)
        }
        let x = lstsq(lhs, rhs)
        let z = solve(matmul(lhs, lhs, transposeA: true), g)
        let az = matmul(lhs, z)
        let residual = rhs - matmul(lhs, x)
        return (needed[0] ? matmul(residual, z, transposeB: true) - matmul(az, x, transposeB: true) : nil, needed[1] ? az : nil)
    }
}
