import XCTest
import Foundation
@testable import TapeGrad

/// Hand-derived values of the LAPACK-backed ops and einsum, and their errors.
final class LinearAlgebraValueTests: XCTestCase {
    func close(_ t: Tensor, _ expected: [Double], _ tol: Double = 1e-9, file: StaticString = #filePath, line: UInt = #line) {
        let v = t.scalars
        XCTAssertEqual(v.count, expected.count, "\(v) vs \(expected)", file: file, line: line)
        for (a, b) in zip(v, expected) { XCTAssertEqual(a, b, accuracy: tol, "\(v) vs \(expected)", file: file, line: line) }
    }
    let a = Tensor([[4, 1, 2], [1, 5, 3], [2, 3, 6]] as [[Double]])

    func testInverseTimesMatrixIsIdentity() {
        close(matmul(inv(a), a), [1, 0, 0, 0, 1, 0, 0, 0, 1])
        close(inv(Tensor([[1, 2], [3, 4]] as [[Double]])), [-2, 1, 1.5, -0.5])
    }

    func testSolveMatchesInverseAndHandlesVectorsAndBatches() {
        let b = Tensor([[1, 2], [3, 4], [5, 6]] as [[Double]])
        close(solve(a, b), matmul(inv(a), b).scalars)
        close(solve(Tensor([[2, 0], [0, 4]] as [[Double]]), Tensor([2, 2] as [Double])), [1, 0.5])
        let batch = stack([a, a * 2])
        close(solve(batch, b), matmul(inv(batch), b).scalars)
    }

    func testDeterminantAndSlogdetOfKnownMatrices() {
        close(det(Tensor([[1, 2], [3, 4]] as [[Double]])), [-2])
        close(det(a), [4 * (30 - 9) - 1 * (6 - 6) + 2 * (3 - 10)])
        let (s, l) = slogdet(Tensor([[1, 2], [3, 4]] as [[Double]]))
        close(s, [-1]); close(l, [Foundation.log(2)])
        close(det(Tensor([[1, 2], [2, 4]] as [[Double]])), [0])
        let (s0, l0) = slogdet(Tensor([[1, 2], [2, 4]] as [[Double]]))
        XCTAssertEqual(s0.item(), 0); XCTAssertEqual(l0.item(), -.infinity)
    }

    func testSingularInverseIsAnErrorNamingTheOp() {
        XCTAssertThrowsError(try withErrorChecking { inv(Tensor([[1, 2], [2, 4]] as [[Double]])) }) { error in
            XCTAssertEqual((error as? TensorError)?.op, "inv")
        }
        XCTAssertThrowsError(try withErrorChecking { cholesky(Tensor([[1, 2], [2, 1]] as [[Double]])) })
        XCTAssertThrowsError(try withErrorChecking { inv(Tensor.zeros([2, 3])) })
    }

    func testCholeskyReconstructsAndIsLower() {
        let l = cholesky(a)
        close(matmul(l, l, transposeB: true), a.scalars)
        XCTAssertEqual(l.scalars[1], 0); XCTAssertEqual(l.scalars[2], 0); XCTAssertEqual(l.scalars[5], 0)
        close(cholesky(Tensor([[4, 2], [2, 2]] as [[Double]])), [2, 0, 1, 1])
        close(cholesky(Tensor([[4, 2], [2, 2]] as [[Double]]), upper: true), [2, 1, 0, 1])
    }

    func testQRReconstructsWithOrthonormalQ() {
        for x in [Tensor.randomNormal([4, 3], dtype: .float64, seed: 3), Tensor.randomNormal([3, 4], dtype: .float64, seed: 4)] {
            let (q, r) = qr(x)
            close(matmul(q, r), x.scalars)
            let k = Swift.min(x.shape[0], x.shape[1])
            close(matmul(q, q, transposeA: true), Tensor.eye(k, dtype: .float64).scalars)
            XCTAssertEqual(r.scalars[r.shape[1]], 0)   // below the diagonal
        }
    }

    func testSVDReconstructsAndSortsValuesDescending() {
        close(svd(Tensor([[3, 0], [0, -4]] as [[Double]])).s, [4, 3])
        for x in [Tensor.randomNormal([4, 3], dtype: .float64, seed: 5), Tensor.randomNormal([2, 3, 5], dtype: .float64, seed: 6)] {
            let (s, u, v) = svd(x)
            close(matmul(u * s.expandingShape(at: s.rank - 1), v, transposeB: true), x.scalars)
        }
    }

    func testEighDiagonalisesASymmetricMatrix() {
        let (e, v) = eigh(a)
        close(matmul(matmul(v, a, transposeA: true), v), [e.scalars[0], 0, 0, 0, e.scalars[1], 0, 0, 0, e.scalars[2]], 1e-9)
        XCTAssertLessThan(e.scalars[0], e.scalars[1])
        close(eigh(Tensor([[2, 0], [0, 1]] as [[Double]])).eigenvalues, [1, 2])
    }

    func testLeastSquaresRecoversAnExactSolution() {
        close(lstsq(Tensor([[1, 0], [0, 1], [0, 0]] as [[Double]]), Tensor([1, 2, 3] as [Double])), [1, 2])
        let x = Tensor.randomNormal([5, 3], dtype: .float64, seed: 7), w = Tensor.randomNormal([3, 2], dtype: .float64, seed: 8)
        close(lstsq(x, matmul(x, w)), w.scalars, 1e-9)
    }

    func testEinsumMatchesMatmulTraceOuterAndBroadcast() {
        let x = Tensor.randomNormal([2, 3, 4], dtype: .float64, seed: 9), y = Tensor.randomNormal([2, 4, 5], dtype: .float64, seed: 10)
        close(einsum("bij,bjk->bik", x, y), matmul(x, y).scalars)
        close(einsum("ii->", a), [15])
        close(einsum("ii->i", a), [4, 5, 6])
        close(einsum("i,j", Tensor([1, 2] as [Double]), Tensor([3, 4, 5] as [Double])), [3, 4, 5, 6, 8, 10])
        close(einsum("ij->ji", a), a.scalars)
        close(einsum("...ij,jk->...ik", x, y.sliced(alongAxis: 0, from: 0, to: 1).reshaped(to: [4, 5])),
              matmul(x, y.sliced(alongAxis: 0, from: 0, to: 1).reshaped(to: [4, 5])).scalars)
        close(einsum("bij,bjk,kl->il", x, y, Tensor.ones([5, 2], dtype: .float64)),
              matmul(matmul(x, y).sum(alongAxes: [0]), Tensor.ones([5, 2], dtype: .float64)).scalars)
        XCTAssertThrowsError(try withErrorChecking { einsum("ij,jk->ik", a, Tensor.zeros([2, 2])) })
        XCTAssertThrowsError(try withErrorChecking { einsum("ij->k", a) })
    }

    func testMatrixNormsOfAKnownMatrix() {
        let m = Tensor([[1, -2], [3, 4]] as [[Double]])
        close(matrixNorm(m), [Double(30).squareRoot()])
        close(matrixNorm(m, ord: .one), [6]); close(matrixNorm(m, ord: .minusOne), [4])
        close(matrixNorm(m, ord: .infinity), [7]); close(matrixNorm(m, ord: .minusInfinity), [3])
        let s = svd(m).s.scalars
        close(matrixNorm(m, ord: .nuc), [s[0] + s[1]]); close(matrixNorm(m, ord: .two), [s[0]]); close(matrixNorm(m, ord: .minusTwo), [s[1]])
    }

    func testDotOuterBmm() {
        close(dot(Tensor([1, 2, 3] as [Double]), Tensor([4, 5, 6] as [Double])), [32])
        close(outer(Tensor([1, 2] as [Double]), Tensor([3, 4, 5] as [Double])), [3, 4, 5, 6, 8, 10])
        close(bmm(Tensor.ones([2, 1, 3], dtype: .float64), Tensor.ones([2, 3, 1], dtype: .float64)), [3, 3])
        XCTAssertThrowsError(try withErrorChecking { bmm(Tensor.ones([1, 3]), Tensor.ones([3, 1])) })
    }
}
