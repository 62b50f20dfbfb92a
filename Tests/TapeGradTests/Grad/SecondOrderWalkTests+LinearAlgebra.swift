import XCTest
@testable import TapeGrad

/// The second-order walk's rows for linear algebra (products, solvers, factorisations, matrix norms) and
/// statistics (moments, norms, products, scans, median, amax/amin). Inputs stay away from singularities:
/// positive-definite or diagonally dominant matrices, distinct eigenvalues and distinct singular values.
extension SecondOrderWalkTests {
    /// M Mᵀ + n·I: symmetric positive definite.
    static func positiveDefinite(_ n: Int, _ seed: UInt64) -> Tensor {
        let m = u([n, n], seed, lo: -1, hi: 1)
        return matmul(m, m, transposeB: true) + Tensor.eye(n, dtype: .float64) * Double(n)
    }

    /// A random matrix plus 3·I (well conditioned, det > 0).
    static func wellConditioned(_ n: Int, _ seed: UInt64) -> Tensor {
        u([n, n], seed, lo: -1, hi: 1) + Tensor.eye(n, dtype: .float64) * 3
    }

    /// diag(spread) (padded to m × n) plus a small perturbation: singular (or eigen-) values near `spread`.
    static func nearDiagonal(_ m: Int, _ n: Int, _ spread: [Double], _ seed: UInt64) -> Tensor {
        var d = [Double](repeating: 0, count: m * n)
        for (i, s) in spread.enumerated() { d[i * n + i] = s }
        return values(d, [m, n]) + u([m, n], seed, lo: -0.2, hi: 0.2)
    }

    /// The symmetric part: the walk's inputs are unconstrained, cholesky and eigh read one triangle.
    static func symmetric(_ x: Tensor) -> Tensor { (x + x.transposed()) * 0.5 }

    /// Sign-invariant readings of singular or eigen vectors (a column's sign is arbitrary).
    static func flat(_ xs: [Tensor]) -> Tensor { concat(xs.map { $0.reshaped(to: [-1]) }, alongAxis: 0) }

    static var linearAlgebra: [Row] {
        let (a, b) = (u([3, 4], 400), u([4, 2], 401))
        return [
            Row("dot", inputs: [u([4], 402), u([4], 403)]) { square(dot($0[0], $0[1])) },
            Row("outer", inputs: [u([3], 404), u([2], 405)]) { square(outer($0[0], $0[1])) },
            Row("bmm", inputs: [u([2, 2, 3], 406), u([2, 3, 2], 407)]) { square(bmm($0[0], $0[1])) },
            Row("einsum", "matrix product", inputs: [a, b]) { square(einsum("ij,jk->ik", $0[0], $0[1])) },
            Row("einsum", "batched, transposed output", inputs: [u([2, 2, 3], 408), u([2, 3, 2], 409)]) {
                square(einsum("bij,bjk->bki", $0[0], $0[1]))
            },
            Row("einsum", "diagonal and a full contraction", inputs: [u([3, 3], 410), u([3], 411)]) {
                square(einsum("ii,i->", [$0[0], $0[1]])) + square(einsum("ii->i", $0[0]))
            },
            Row("einsum", "three operands", inputs: [u([2, 3], 412), u([3, 2], 413), u([2], 414)]) { square(einsum("ij,jk,k->i", $0[0], $0[1], $0[2])) },
            Row("inv", inputs: [wellConditioned(3, 415)]) { inv($0[0]) },
            Row("inv", "batched", inputs: [stack([wellConditioned(2, 416), wellConditioned(2, 417)], alongAxis: 0)]) { inv($0[0]) },
            Row("solve", "matrix right-hand side", inputs: [wellConditioned(3, 418), u([3, 2], 419)]) { solve($0[0], $0[1]) },
            Row("solve", "vector right-hand side", inputs: [wellConditioned(3, 420), u([3], 421)]) { square(solve($0[0], $0[1])) },
            Row("det", inputs: [wellConditioned(3, 422)]) { det($0[0]) },
            // Negating the second row of the second matrix makes its determinant negative.
            Row("det", "batched, negative determinant", inputs: [stack([wellConditioned(2, 423), wellConditioned(2, 424) * values([1, 1, -1, -1], [2, 2])], alongAxis: 0)]) {
                det($0[0])
            },
            Row("slogdet", inputs: [wellConditioned(3, 425) * -1]) { x in
                let (sign, logAbs) = slogdet(x[0])
                return (sign + 2) * logAbs
            },
            Row("lstsq", "tall, matrix right-hand side", inputs: [nearDiagonal(4, 2, [2, 1], 426), u([4, 2], 427)]) { lstsq($0[0], $0[1]) },
            Row("lstsq", "vector right-hand side", inputs: [nearDiagonal(4, 3, [2, 1.5, 1], 428), u([4], 429)]) { square(lstsq($0[0], $0[1])) },
            Row("cholesky", "lower", inputs: [positiveDefinite(3, 430)]) { cholesky(symmetric($0[0])) },
            Row("cholesky", "upper, squared", inputs: [positiveDefinite(3, 431)]) { square(cholesky(symmetric($0[0]), upper: true)) },
            Row("qr", "tall", inputs: [nearDiagonal(4, 3, [2, 1.5, 1], 432)]) { x in let (q, r) = qr(x[0]); return flat([q, r]) },
            Row("qr", "square", inputs: [wellConditioned(3, 433)]) { x in let (q, r) = qr(x[0]); return flat([q, square(r)]) },
            Row("qr", "wide", inputs: [nearDiagonal(2, 3, [2, 1], 434)]) { x in let (q, r) = qr(x[0]); return flat([q, r]) },
            Row("svd", "tall: s, u², v²", inputs: [nearDiagonal(4, 3, [3, 2, 1], 435)]) { x in
                let (s, u, v) = svd(x[0]); return flat([s, square(u), square(v)])
            },
            Row("svd", "wide: s, u², v²", inputs: [nearDiagonal(2, 3, [2, 1], 436)]) { x in
                let (s, u, v) = svd(x[0]); return flat([s, square(u), square(v)])
            },
            Row("svd", "square: u S vᵀ", inputs: [nearDiagonal(3, 3, [3, 2, 1], 437)]) { x in
                let (s, u, v) = svd(x[0]); return square(matmul(u * s, v, transposeB: true))
            },
            Row("eigh", "eigenvalues and squared eigenvectors", inputs: [nearDiagonal(3, 3, [3, 1, -1], 438)]) { x in
                let (e, v) = eigh(symmetric(x[0])); return flat([e, square(v)])
            },
            Row("eigh", "eigenvalues only, batched", inputs: [stack([nearDiagonal(2, 2, [2, -1], 439), nearDiagonal(2, 2, [0.5, 3], 440)], alongAxis: 0)]) {
                square(eigh(symmetric($0[0])).eigenvalues)
            },
            Row("matrixNorm", "Frobenius", inputs: [a]) { matrixNorm($0[0]) },
            Row("matrixNorm", "nuclear", inputs: [nearDiagonal(3, 2, [2, 1], 441)]) { matrixNorm($0[0], ord: .nuc) },
            Row("matrixNorm", "spectral", inputs: [nearDiagonal(3, 2, [2, 1], 442)]) { matrixNorm($0[0], ord: .two) },
            Row("matrixNorm", "smallest singular value", inputs: [nearDiagonal(2, 3, [2, 1], 443)]) { matrixNorm($0[0], ord: .minusTwo) },
            Row("matrixNorm", "1, keepDims", inputs: [off([3, 4], 444)]) { square(matrixNorm($0[0], ord: .one, keepDims: true)) * $0[0] },
            Row("matrixNorm", "−1", inputs: [off([3, 4], 445)]) { square(matrixNorm($0[0], ord: .minusOne)) },
            Row("matrixNorm", "∞, batched", inputs: [off([2, 3, 3], 446)]) { square(matrixNorm($0[0], ord: .infinity)) },
            Row("matrixNorm", "−∞", inputs: [off([3, 4], 447)]) { square(matrixNorm($0[0], ord: .minusInfinity)) },
        ]
    }

    static var statistics: [Row] {
        let t = u([2, 3, 2], 460)
        let d = distinct([2, 3, 2], 461)
        return [
            Row("variance", "all", inputs: [t]) { square($0[0].variance()) },
            Row("variance", "axis 1, correction 1, keepDims", inputs: [t]) { $0[0].variance(alongAxes: [1], correction: 1, keepDims: true) * $0[0] },
            Row("std", "all", inputs: [t]) { $0[0].std() },
            Row("std", "axes [0, 2], correction 1", inputs: [t]) { $0[0].std(alongAxes: [0, 2], correction: 1) },
            Row("mean", "where mask", inputs: [t]) { square($0[0].mean(alongAxes: [1], where: values([1, 0, 1, 1, 0, 1], [3, 2]))) },
            Row("median", "all, odd count", inputs: [distinct([3, 3], 462)]) { square($0[0].median()) },
            Row("median", "axis 1, even length", inputs: [d]) { square($0[0].median(alongAxis: 1).values) },
            Row("median", "last axis, keepDims", inputs: [distinct([2, 4], 463)]) { square($0[0].median(keepDims: true).values) * $0[0] },
            Row("amax", "all", inputs: [d]) { square($0[0].amax()) },
            Row("amax", "axis 1, keepDims", inputs: [d]) { square($0[0].amax(alongAxes: [1], keepDims: true)) * $0[0] },
            Row("amin", "axes [0, 2]", inputs: [d]) { square($0[0].amin(alongAxes: [0, 2])) },
            Row("norm", "2, all", inputs: [t]) { $0[0].norm() },
            Row("norm", "2, axis 1, keepDims", inputs: [t]) { $0[0].norm(alongAxes: [1], keepDims: true) * $0[0] },
            Row("norm", "1", inputs: [off([2, 3], 464)]) { square($0[0].norm(p: 1, alongAxes: [1])) },
            Row("norm", "3", inputs: [off([2, 3], 465)]) { $0[0].norm(p: 3, alongAxes: [0]) },
            Row("norm", "∞", inputs: [off([2, 3, 2], 471)]) { square($0[0].norm(p: .infinity, alongAxes: [2])) },
            Row("norm", "−∞", inputs: [off([2, 3, 2], 472)]) { square($0[0].norm(p: -.infinity)) },
            Row("norm", "0, a constant count", inputs: [off([2, 3], 466)]) { $0[0].norm(p: 0, alongAxes: [1], keepDims: true) * square($0[0]) },
            Row("prod", "all", inputs: [off([2, 3], 467)]) { $0[0].prod() },
            Row("prod", "odd axis, keepDims", inputs: [off([2, 3], 468)]) { $0[0].prod(alongAxes: [1], keepDims: true) * $0[0] },
            Row("prod", "axes [0, 2]", inputs: [off([3, 2, 5], 469)]) { $0[0].prod(alongAxes: [0, 2]) },
            Row("logCumSumExp", "axis 1", inputs: [t]) { $0[0].logCumSumExp(alongAxis: 1) },
            Row("logCumSumExp", "last axis, squared", inputs: [u([2, 4], 470)]) { square($0[0].logCumSumExp(alongAxis: -1)) },
        ]
    }
}
