import Foundation
import XCTest
@testable import TapeGrad

/// Hand-derived values for the conventions of the math, logic and statistics ops, and their argument errors.
final class MathConventionTests: XCTestCase {
    func values(_ t: Tensor) -> [Double] { t.scalars }
    func grad(_ x: Tensor, _ f: (Tensor) -> Tensor) throws -> [Double] { try gradient(at: x) { f($0).sum() }.scalars }
    func assertError(_ op: String, file: StaticString = #filePath, line: UInt = #line, _ body: () -> Tensor) {
        XCTAssertThrowsError(try withErrorChecking { body() }, file: file, line: line) { error in
            XCTAssertEqual((error as? TensorError)?.op, op, "\(error)", file: file, line: line)
        }
    }

    func testRoundingConventions() {
        XCTAssertEqual(values(round(Tensor([0.5, 1.5, 2.5, -0.5, -1.5] as [Double]))), [0, 2, 2, -0, -2])
        XCTAssertEqual(values(floor(Tensor([-1.5, 1.5]))), [-2, 1])
        XCTAssertEqual(values(ceil(Tensor([-1.5, 1.5]))), [-1, 2])
        XCTAssertEqual(values(trunc(Tensor([-1.7, 1.7]))), [-1, 1])
        XCTAssertEqual(values(frac(Tensor([-1.25, 2.5]))), [-0.25, 0.5])
        XCTAssertEqual(floor(Tensor([1, 2] as [Int32])).dtype, .int32)
        XCTAssertEqual(tan(Tensor([1] as [Int32])).dtype, .float32)
    }

    func testRemainderTakesTheDivisorsSignAndFmodTheDividends() {
        XCTAssertEqual(values(remainder(Tensor([-3, 3, -3, 3]), Tensor([2, -2, -2, 2]))), [1, -1, -1, 1])
        XCTAssertEqual(values(fmod(Tensor([-3, 3, -3, 3]), Tensor([2, -2, -2, 2]))), [-1, 1, -1, 1])
        XCTAssertEqual(values(floorDivide(Tensor([-3, 7] as [Int32]), Tensor([2, 2] as [Int32]))), [-2, 3])
        XCTAssertEqual(values(remainder(Tensor([-7, 5] as [Int32]), Tensor([3, 0] as [Int32]))), [2, 0])   // a zero divisor gives 0
        XCTAssertEqual(remainder(Tensor([-7] as [Int32]), Tensor([3] as [Int32])).dtype, .int32)
    }

    func testSpecialFunctionValues() {
        XCTAssertEqual(digamma(Tensor([1] as [Double])).item(), -0.5772156649015329, accuracy: 1e-13)
        XCTAssertEqual(digamma(Tensor([0.5] as [Double])).item(), -1.9635100260214235, accuracy: 1e-13)
        XCTAssertEqual(polygamma(1, Tensor([1] as [Double])).item(), Double.pi * Double.pi / 6, accuracy: 1e-12)
        XCTAssertEqual(polygamma(2, Tensor([1] as [Double])).item(), -2.4041138063191885, accuracy: 1e-11)   // −2ζ(3)
        XCTAssertEqual(lgamma(Tensor([5] as [Double])).item(), Foundation.log(24), accuracy: 1e-13)
        let x = Tensor([-0.99, -0.5, 0, 0.3, 0.999] as [Double])
        for (a, b) in zip(values(erf(erfinv(x))), values(x)) { XCTAssertEqual(a, b, accuracy: 1e-14) }
        XCTAssertEqual(values(erfinv(Tensor([1, -1, 2] as [Double]))).map { $0.isNaN ? 99 : $0 }, [.infinity, -.infinity, 99])
        XCTAssertEqual(values(isnan(Tensor([1, .nan]))), [0, 1])
        XCTAssertEqual(values(isfinite(Tensor([1, .nan, .infinity]))), [1, 0, 0])
        XCTAssertEqual(values(nanToNum(Tensor([.nan, .infinity, -.infinity, 1]))), [0, Double(Float.greatestFiniteMagnitude), -Double(Float.greatestFiniteMagnitude), 1])
    }

    func testProductGradientIsExactWithZeros() throws {
        XCTAssertEqual(try grad(Tensor([2, 0, 3] as [Double])) { $0.prod() }, [0, 6, 0])
        XCTAssertEqual(try grad(Tensor([0, 0, 3] as [Double])) { $0.prod() }, [0, 0, 0])
        XCTAssertEqual(try grad(Tensor([2, 5, 3] as [Double])) { $0.prod() }, [15, 6, 10])
        XCTAssertEqual(values(Tensor.zeros([0, 3]).prod(alongAxes: [0])), [1, 1, 1])
    }

    func testAmaxSharesTheGradientAmongTies() throws {
        XCTAssertEqual(try grad(Tensor([1, 3, 3] as [Double])) { $0.amax() }, [0, 0.5, 0.5])
        XCTAssertEqual(try grad(Tensor([[1, 1], [0, 2]] as [[Double]])) { $0.amin(alongAxes: [1]) }, [0.5, 0.5, 1, 0])
    }

    func testStatisticsConventions() throws {
        XCTAssertEqual(Tensor([1, 2, 3, 4]).variance().item(), 1.25)
        XCTAssertEqual(Tensor([1, 2, 3, 4] as [Double]).variance(correction: 1).item(), 5.0 / 3, accuracy: 1e-15)
        XCTAssertEqual(Tensor([1, 3]).std().item(), 1)
        XCTAssertEqual(Tensor([3, 1, 4, 2]).median().item(), 2)
        let (m, i) = Tensor([[3, 1, 2], [9, 7, 8]]).median(alongAxis: 1)
        XCTAssertEqual(values(m), [2, 8]); XCTAssertEqual(values(i), [2, 2]); XCTAssertEqual(i.dtype, .int32)
        XCTAssertEqual(Tensor([1, 2, 3]).mean(alongAxes: nil, where: Tensor([1, 0, 1])).item(), 2)
        for (a, b) in zip(values(Tensor([0, 0, 0] as [Double]).logCumSumExp(alongAxis: 0)), [0, Foundation.log(2.0), Foundation.log(3.0)] as [Double]) {
            XCTAssertEqual(a, b, accuracy: 1e-15)
        }
        XCTAssertEqual(values(Tensor([-.infinity, 0] as [Double]).logCumSumExp(alongAxis: 0)), [-.infinity, 0])
        // Far-apart values: every factor of the backward recurrence stays ≤ 1, so the gradient is exact, not NaN.
        let wide = try grad(Tensor([1000, -1000, 0] as [Double])) { $0.logCumSumExp(alongAxis: 0) }
        XCTAssertEqual(wide[0], 3, accuracy: 1e-12); XCTAssertEqual(wide[1], 0, accuracy: 1e-12); XCTAssertEqual(wide[2], 0, accuracy: 1e-12)
        XCTAssertEqual(try grad(Tensor([-.infinity, 0] as [Double])) { $0.logCumSumExp(alongAxis: 0) }, [0, 1])
        XCTAssertEqual(try grad(Tensor([0, 0] as [Double])) { $0.norm() }, [0, 0])   // the subgradient at 0
        XCTAssertEqual(Tensor([3, -4]).norm(p: .infinity).item(), 4)
        XCTAssertEqual(values(Tensor([[0, 1], [2, 3]]).countNonzero(alongAxes: [1])), [1, 2])
        XCTAssertEqual(values(Tensor.zeros([0, 2]).all(alongAxes: [0])), [1, 1])
        XCTAssertEqual(values(Tensor.zeros([0, 2]).any(alongAxes: [0])), [0, 0])
    }

    func testComparisonsReturnBoolTensors() {
        XCTAssertEqual(notEqual(Tensor([1, 2] as [Int32]), Tensor([1, 3] as [Int32])).dtype, .bool)
        XCTAssertEqual(values(notEqual(Tensor([.nan]), Tensor([.nan]))), [1])
        XCTAssertEqual(values(logicalXor(Tensor([1, 1, 0]), Tensor([2, 0, 0]))), [0, 1, 0])
        XCTAssertEqual(values(logicalAnd(Tensor([1, 1, 0]), Tensor([-2, 0, 0]))), [1, 0, 0])
        XCTAssertEqual(values(logicalOr(Tensor([1, 0, 0]), Tensor([0, 3, 0]))), [1, 1, 0])
        XCTAssertEqual(values(logicalNot(Tensor([0, 2]))), [1, 0])
        let c = isclose(Tensor([1, 2, .infinity, .nan] as [Double]), Tensor([1.000001, 2.1, .infinity, .nan] as [Double]))
        XCTAssertEqual(c.dtype, .bool); XCTAssertEqual(values(c), [1, 0, 1, 0])
        XCTAssertTrue(allclose(Tensor([1, .nan]), Tensor([1, .nan]), equalNan: true))
        XCTAssertFalse(allclose(Tensor([1, 2]), Tensor([1, 2.1])))
    }

    func testClampWithTensorBoundsAndCrossedBounds() throws {
        XCTAssertEqual(values(clamp(Tensor([1, 5, 9]), min: Tensor([2]), max: Tensor([6, 6, 8]))), [2, 5, 8])
        XCTAssertEqual(values(clamp(Tensor([1, 5, 9]), min: Tensor([7]), max: Tensor([3]))), [3, 3, 3])   // min > max gives max
        let (_, g) = try valueWithGradient(at: [Tensor([1, 5, 9] as [Double]), Tensor([2] as [Double]), Tensor([6] as [Double])]) {
            clamp($0[0], min: $0[1], max: $0[2]).sum()
        }
        XCTAssertEqual(g.map(\.scalars), [[0, 1, 0], [1], [1]])
        XCTAssertEqual(values(clamp(Tensor([-2, 0.5, 3]), min: 0)), [0, 0.5, 3])
    }

    func testActivationValues() {
        XCTAssertEqual(values(relu6(Tensor([-1, 3, 8]))), [0, 3, 6])
        XCTAssertEqual(values(hardsigmoid(Tensor([-4, 0, 4]))), [0, 0.5, 1])
        XCTAssertEqual(values(softsign(Tensor([-1, 3]))), [-0.5, 0.75])
        XCTAssertEqual(values(prelu(Tensor([[-2, 3]]), weight: Tensor([0.25, 0.5]))), [-0.5, 3])
        XCTAssertEqual(values(glu(Tensor([[1, 0]]))), [0.5])
        XCTAssertEqual(selu(Tensor([1] as [Double])).item(), 1.0507009873554805, accuracy: 1e-15)
        XCTAssertEqual(logSigmoid(Tensor([-800] as [Double])).item(), -800)   // no overflow
    }

    func testBadArgumentsAreErrorsNamingTheOp() {
        assertError("polygamma") { polygamma(-1, Tensor([1])) }
        assertError("glu") { glu(Tensor.zeros([2, 3])) }
        assertError("prelu") { prelu(Tensor.zeros([2, 3]), weight: Tensor.zeros([2])) }
        assertError("hardtanh") { hardtanh(Tensor.zeros([2]), minVal: 1, maxVal: -1) }
        assertError("celu") { celu(Tensor.zeros([2]), alpha: 0) }
        assertError("isclose") { isclose(Tensor.zeros([2]), Tensor.zeros([2]), rtol: -1) }
        assertError("median") { Tensor.zeros([0, 2]).median(alongAxis: 0).values }
        assertError("mean") { Tensor.zeros([2, 3]).mean(alongAxes: nil, where: Tensor.zeros([2])) }
        assertError("atan2") { atan2(Tensor.zeros([2]), Tensor.zeros([3])) }
        assertError("prod") { Tensor.zeros([2]).prod(alongAxes: [3]) }
        assertError("norm") { Tensor.zeros([2]).norm(p: .nan) }
        assertError("logcumsumexp") { Tensor.zeros([2]).logCumSumExp(alongAxis: 2) }
        assertError("solve") { solve(Tensor.eye(3), Tensor.zeros([2, 1])) }
        assertError("dot") { dot(Tensor.zeros([2]), Tensor.zeros([3])) }
        assertError("einsum") { einsum("ij,jk", Tensor.zeros([2, 3])) }
    }

    func testGradientsThatCannotBeComputedThrow() {
        XCTAssertThrowsError(try gradient(at: Tensor([[1, 2], [2, 4]] as [[Double]])) { slogdet($0).logAbsDet })
    }

    /// det's gradient at a singular matrix is the adjugate's transpose (cofactor matrix), not an error or NaN.
    func testDeterminantGradientAtASingularMatrixIsTheCofactorMatrix() throws {
        // [[a, b], [c, d]] → cofactors [[d, −c], [−b, a]].
        let g = try grad(Tensor([[1, 2], [2, 4]] as [[Double]])) { det($0) }
        for (a, b) in zip(g, [4, -2, -2, 1] as [Double]) { XCTAssertEqual(a, b, accuracy: 1e-12) }
        let m = Tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]] as [[Double]])   // rank 2
        let cofactors: [Double] = [-3, 6, -3, 6, -12, 6, -3, 6, -3]
        let batch = stack([m, Tensor.eye(3, dtype: .float64)])
        let gb = try grad(batch) { det($0) }
        for (a, b) in zip(gb, cofactors + [1, 0, 0, 0, 1, 0, 0, 0, 1]) { XCTAssertEqual(a, b, accuracy: 1e-10) }
    }
}
