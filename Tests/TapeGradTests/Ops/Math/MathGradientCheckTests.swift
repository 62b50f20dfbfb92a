import XCTest
import Foundation
@testable import TapeGrad

/// Every differentiable op of the math, activation, statistics and linear-algebra families checked against
/// central finite differences in float64 (worst relative error < 1e-6), on shapes with broadcasting and
/// rank-0 operands, inputs kept away from kinks and poles.
final class MathGradientCheckTests: XCTestCase {
    struct Case {
        let name: String
        let inputs: [Tensor]
        let f: ([Tensor]) -> Tensor
    }

    func r(_ shape: [Int], _ seed: UInt64, lo: Double = -2, hi: Double = 2) -> Tensor {
        Tensor.randomUniform(shape, lower: lo, upper: hi, dtype: .float64, seed: seed)
    }
    /// ±[0.3, 2): away from 0.
    func offZero(_ shape: [Int], _ seed: UInt64) -> Tensor { r(shape, seed, lo: 0.3, hi: 2) * sign(r(shape, seed + 1000)) }
    /// A well-conditioned symmetric positive-definite matrix (as a function of a free matrix, for the checks).
    static func spd(_ x: Tensor) -> Tensor {
        let n = x.shape[x.rank - 1]
        return matmul(x, x, transposeB: true) + Tensor.eye(n, dtype: .float64) * Double(n)
    }
    static func sym(_ x: Tensor) -> Tensor { (x + x.matrixTransposed) * 0.5 }

    var elementwise: [Case] {
        let x = r([3, 4], 1), unit = r([3, 4], 2, lo: -0.9, hi: 0.9), pos = r([3, 4], 3, lo: 0.5, hi: 3)
        let big = r([3, 4], 4, lo: 1.2, hi: 3)
        return [
            Case(name: "frac", inputs: [r([3, 4], 5, lo: 0.1, hi: 0.9) + 1]) { frac($0[0]) },
            Case(name: "tan", inputs: [unit]) { tan($0[0]) },
            Case(name: "asin", inputs: [unit]) { asin($0[0]) },
            Case(name: "acos", inputs: [unit]) { acos($0[0]) },
            Case(name: "atan", inputs: [x]) { atan($0[0]) },
            Case(name: "sinh", inputs: [x]) { sinh($0[0]) },
            Case(name: "cosh", inputs: [x]) { cosh($0[0]) },
            Case(name: "asinh", inputs: [x]) { asinh($0[0]) },
            Case(name: "acosh", inputs: [big]) { acosh($0[0]) },
            Case(name: "atanh", inputs: [unit]) { atanh($0[0]) },
            Case(name: "log1p", inputs: [pos]) { log1p($0[0]) },
            Case(name: "expm1", inputs: [x]) { expm1($0[0]) },
            Case(name: "log2", inputs: [pos]) { log2($0[0]) },
            Case(name: "log10", inputs: [pos]) { log10($0[0]) },
            Case(name: "exp2", inputs: [x]) { exp2($0[0]) },
            Case(name: "erfc", inputs: [x]) { erfc($0[0]) },
            Case(name: "erfinv", inputs: [unit]) { erfinv($0[0]) },
            Case(name: "lgamma", inputs: [pos]) { lgamma($0[0]) },
            Case(name: "lgamma negative", inputs: [r([5], 6, lo: -2.8, hi: -2.2)]) { lgamma($0[0]) },
            Case(name: "digamma", inputs: [pos]) { digamma($0[0]) },
            Case(name: "polygamma 2", inputs: [pos]) { polygamma(2, $0[0]) },
            Case(name: "reciprocal", inputs: [offZero([3, 4], 7)]) { reciprocal($0[0]) },
            Case(name: "atan2 broadcast", inputs: [x, offZero([4], 8)]) { atan2($0[0], $0[1]) },
            Case(name: "hypot broadcast", inputs: [offZero([3, 1], 9), offZero([4], 10)]) { hypot($0[0], $0[1]) },
            Case(name: "remainder", inputs: [r([3, 4], 11, lo: 0.1, hi: 0.9) + Tensor([[-3], [2], [5]] as [[Double]]), Tensor([1.5, -1.5, 2.5, -2.5] as [Double]) + r([4], 12, lo: 0, hi: 0.01)]) { remainder($0[0], $0[1]) },
            Case(name: "fmod", inputs: [r([3, 4], 13, lo: 0.1, hi: 0.9) + Tensor([[-3], [2], [5]] as [[Double]]), Tensor([1.5, -1.5, 2.5, -2.5] as [Double]) + r([4], 14, lo: 0, hi: 0.01)]) { fmod($0[0], $0[1]) },
            Case(name: "lerp tensor weight", inputs: [x, r([4], 15), r([3, 1], 16)]) { lerp($0[0], $0[1], weight: $0[2]) },
            Case(name: "lerp scalar weight", inputs: [x, r([], 17)]) { lerp($0[0], $0[1], weight: 0.3) },
            Case(name: "clamp tensor bounds", inputs: [x, r([4], 18, lo: -1.5, hi: -0.5), r([3, 1], 19, lo: 0.5, hi: 1.5)]) { clamp($0[0], min: $0[1], max: $0[2]) },
            Case(name: "clamp scalar", inputs: [x]) { clamp($0[0], min: -1.01, max: nil) },
            Case(name: "nanToNum", inputs: [x]) { nanToNum(`where`(Tensor([0, 1, 0, 1] as [Double]), Tensor([.infinity, -.infinity, .nan, .nan] as [Double]), $0[0]), posinf: 5, neginf: -5) },
            Case(name: "rank-0 tan", inputs: [r([], 20, lo: -1, hi: 1)]) { tan($0[0]) },
        ]
    }

    var activations: [Case] {
        let x = offZero([3, 4], 30)
        return [
            Case(name: "silu", inputs: [x]) { silu($0[0]) },
            Case(name: "elu", inputs: [x]) { elu($0[0], alpha: 0.7) },
            Case(name: "selu", inputs: [x]) { selu($0[0]) },
            Case(name: "celu", inputs: [x]) { celu($0[0], alpha: 1.3) },
            Case(name: "mish", inputs: [x]) { mish($0[0]) },
            Case(name: "hardswish", inputs: [r([3, 4], 31, lo: -2.9, hi: 2.9)]) { hardswish($0[0]) },
            Case(name: "hardsigmoid", inputs: [r([3, 4], 32, lo: -2.9, hi: 2.9)]) { hardsigmoid($0[0]) },
            Case(name: "hardtanh", inputs: [x]) { hardtanh($0[0], minVal: -1.05, maxVal: 1.05) },
            Case(name: "softsign", inputs: [x]) { softsign($0[0]) },
            Case(name: "logSigmoid", inputs: [r([3, 4], 33, lo: -20, hi: 20)]) { logSigmoid($0[0]) },
            Case(name: "relu6", inputs: [r([3, 4], 34, lo: -2, hi: 8) + 0.01]) { relu6($0[0]) },
            Case(name: "prelu", inputs: [offZero([2, 3, 2], 35), r([3], 36)]) { prelu($0[0], weight: $0[1]) },
            Case(name: "glu", inputs: [r([2, 6], 37)]) { glu($0[0]) },
            Case(name: "glu axis 0", inputs: [r([4, 3], 38)]) { glu($0[0], axis: 0) },
        ]
    }

    var reductions: [Case] {
        let x = r([3, 4], 40)
        var withZeros = r([3, 4], 41).scalars
        withZeros[1] = 0; withZeros[6] = 0; withZeros[7] = 0
        let zeros = Tensor(withZeros, shape: [3, 4])
        return [
            Case(name: "prod all", inputs: [x]) { $0[0].prod() },
            Case(name: "prod axis -1", inputs: [x]) { $0[0].prod(alongAxes: [-1]) },
            Case(name: "prod with zeros", inputs: [zeros]) { $0[0].prod(alongAxes: [1], keepDims: true) },
            Case(name: "prod odd axis 0", inputs: [r([5, 2], 42)]) { $0[0].prod(alongAxes: [0]) },
            Case(name: "variance", inputs: [x]) { $0[0].variance(alongAxes: [1]) },
            Case(name: "variance correction 1", inputs: [x]) { $0[0].variance(alongAxes: [0], correction: 1, keepDims: true) },
            Case(name: "std", inputs: [x]) { $0[0].std(correction: 1) },
            Case(name: "norm 2", inputs: [x]) { $0[0].norm(alongAxes: [1]) },
            Case(name: "norm 1", inputs: [offZero([3, 4], 43)]) { $0[0].norm(p: 1, alongAxes: [0]) },
            Case(name: "norm inf", inputs: [x]) { $0[0].norm(p: .infinity, alongAxes: [-1]) },
            Case(name: "norm 3", inputs: [offZero([3, 4], 44)]) { $0[0].norm(p: 3) },
            Case(name: "logCumSumExp", inputs: [x]) { $0[0].logCumSumExp(alongAxis: 1) },
            Case(name: "logCumSumExp axis 0", inputs: [r([4, 2], 45, lo: -30, hi: 30)]) { $0[0].logCumSumExp(alongAxis: 0) },
            Case(name: "amax", inputs: [x]) { $0[0].amax(alongAxes: [0]) },
            Case(name: "amin", inputs: [x]) { $0[0].amin(alongAxes: [1], keepDims: true) },
            Case(name: "median", inputs: [x]) { $0[0].median(alongAxis: 1).values },
            Case(name: "median all", inputs: [x]) { $0[0].median() },
            Case(name: "masked mean", inputs: [x]) { $0[0].mean(alongAxes: [1], where: Tensor([1, 0, 1, 1] as [Double])) },
        ]
    }

    var linearAlgebra: [Case] {
        let m = r([3, 3], 50), batch = r([2, 3, 3], 51)
        let wellConditioned = { (x: Tensor) in x + Tensor.eye(3, dtype: .float64) * 3 }
        return [
            Case(name: "inv", inputs: [m]) { inv(wellConditioned($0[0])) },
            Case(name: "inv batch", inputs: [batch]) { inv(wellConditioned($0[0])) },
            Case(name: "solve", inputs: [m, r([3, 2], 52)]) { solve(wellConditioned($0[0]), $0[1]) },
            Case(name: "solve vector broadcast", inputs: [batch, r([3], 53)]) { solve(wellConditioned($0[0]), $0[1]) },
            Case(name: "det", inputs: [m]) { det($0[0]) },
            Case(name: "det batch", inputs: [batch]) { det($0[0]) },
            Case(name: "slogdet", inputs: [m]) { slogdet($0[0]).logAbsDet },
            Case(name: "cholesky", inputs: [m]) { cholesky(Self.spd($0[0])) },
            Case(name: "cholesky upper batch", inputs: [batch]) { cholesky(Self.spd($0[0]), upper: true) },
            Case(name: "qr Q and R", inputs: [r([4, 3], 54)]) { x in let (q, r) = qr(x[0]); return q.sum(alongAxes: [0]) * 0.7 + r.sum(alongAxes: [0]) },
            Case(name: "qr wide batch", inputs: [r([2, 2, 4], 79)]) { x in let (q, r) = qr(x[0]); return concat([q, r], alongAxis: 2) },
            Case(name: "qr square", inputs: [m]) { x in let (q, r) = qr(x[0]); return concat([q, r]) },
            Case(name: "svd values", inputs: [r([4, 3], 55)]) { svd($0[0]).s },
            Case(name: "svd values wide batch", inputs: [r([2, 2, 3], 56)]) { svd($0[0]).s },
            Case(name: "svd u vᵀ tall", inputs: [r([4, 3], 76)]) { x in let (_, u, v) = svd(x[0]); return matmul(u, v, transposeB: true) },
            Case(name: "svd u vᵀ wide batch", inputs: [r([2, 2, 4], 77)]) { x in let (_, u, v) = svd(x[0]); return matmul(u, v, transposeB: true) },
            Case(name: "svd u ⊙ u, v ⊙ v and s", inputs: [r([3, 5], 78)]) { x in
                let (s, u, v) = svd(x[0])
                return (u * u).sum() * 0.3 + (v * v * Tensor([1, 2, 3] as [Double])).sum() + s.sum(alongAxes: [0]) * 0.5
            },
            Case(name: "eigh values", inputs: [m]) { eigh(Self.sym($0[0])).eigenvalues },
            Case(name: "eigh vectors (sign-free)", inputs: [m]) { x in let v = eigh(Self.sym(x[0])).eigenvectors; return v * v },
            Case(name: "lstsq", inputs: [r([5, 3], 57), r([5, 2], 58)]) { lstsq($0[0], $0[1]) },
            Case(name: "matrixNorm fro", inputs: [m]) { matrixNorm($0[0]) },
            Case(name: "matrixNorm nuc", inputs: [m]) { matrixNorm($0[0], ord: .nuc) },
            Case(name: "matrixNorm 2", inputs: [m]) { matrixNorm($0[0], ord: .two) },
            Case(name: "matrixNorm 1", inputs: [offZero([3, 3], 59)]) { matrixNorm($0[0], ord: .one) },
            Case(name: "matrixNorm inf", inputs: [offZero([3, 3], 60)]) { matrixNorm($0[0], ord: .infinity) },
            Case(name: "einsum matmul", inputs: [r([2, 3], 61), r([3, 4], 62)]) { einsum("ij,jk->ik", $0[0], $0[1]) },
            Case(name: "einsum batch and sum", inputs: [r([2, 3, 4], 63), r([2, 4], 64)]) { einsum("bij,bj->i", $0[0], $0[1]) },
            Case(name: "einsum diagonal", inputs: [m]) { einsum("ii->i", $0[0]) },
            Case(name: "einsum three operands", inputs: [r([2, 3], 65), r([3, 4], 66), r([4], 67)]) { einsum("ij,jk,k->i", $0[0], $0[1], $0[2]) },
            Case(name: "einsum ellipsis broadcast", inputs: [r([2, 1, 3], 68), r([4, 3], 69)]) { einsum("...j,kj->...k", $0[0], $0[1]) },
            Case(name: "dot", inputs: [r([4], 70), r([4], 71)]) { dot($0[0], $0[1]) },
            Case(name: "outer", inputs: [r([3], 72), r([4], 73)]) { outer($0[0], $0[1]) },
            Case(name: "bmm", inputs: [r([2, 3, 4], 74), r([2, 4, 2], 75)]) { bmm($0[0], $0[1]) },
        ]
    }

    func check(_ cases: [Case], file: StaticString = #filePath, line: UInt = #line) throws {
        for c in cases {
            let result = try checkGradients(c.name, at: c.inputs, of: c.f)
            XCTAssertLessThan(result.worstRelativeError, 1e-6, result.description, file: file, line: line)
        }
    }

    func testElementwiseMathGradientsMatchFiniteDifferences() throws { try check(elementwise) }
    func testActivationGradientsMatchFiniteDifferences() throws { try check(activations) }
    func testReductionGradientsMatchFiniteDifferences() throws { try check(reductions) }
    func testLinearAlgebraGradientsMatchFiniteDifferences() throws { try check(linearAlgebra) }

    /// Second derivatives flow through the pullbacks (they are written in ops): d²/dx² of tan, lgamma, and
    /// the inverse's quadratic form.
    func testSecondDerivativesThroughMathPullbacks() throws {
        let x = Tensor([0.3, 1.7] as [Double])
        for (name, f, second) in [
            ("tan", { (t: Tensor) in tan(t) }, { (v: Double) in let t = Foundation.tan(v); return 2 * t * (1 + t * t) }),
            ("lgamma", { (t: Tensor) in lgamma(t) }, { (v: Double) in SpecialFunctions.polygamma(1, v) }),
            ("asinh", { (t: Tensor) in asinh(t) }, { (v: Double) in -v / Foundation.pow(v * v + 1, 1.5) }),
        ] {
            let g2 = try gradient(at: x) { x in ((try? gradient(at: x) { f($0).sum() }) ?? Tensor.zeros(like: x)).sum() }
            for (a, v) in zip(g2.scalars, x.scalars) { XCTAssertEqual(a, second(v), accuracy: 1e-9, name) }
        }
    }

    /// The pullbacks are themselves differentiable: the gradient of each op's gradient matches finite differences
    /// of that gradient (second derivatives of the LAPACK-backed ops, prod, norm, logCumSumExp and einsum).
    func testSecondDerivativesMatchFiniteDifferencesOfTheGradient() throws {
        let m = r([3, 3], 90) + Tensor.eye(3, dtype: .float64) * 3
        let firstOrder: [(String, Tensor, (Tensor) -> Tensor)] = [
            ("logdet", m, { slogdet($0).logAbsDet }),
            ("inv", m, { inv($0).sum() }),
            ("solve", m, { (solve($0, Tensor([1, 2, 3] as [Double])) * Tensor([1, -1, 2] as [Double])).sum() }),
            ("cholesky", r([3, 3], 91), { cholesky(Self.spd($0)).sum() }),
            ("eigh", r([3, 3], 92), { (eigh(Self.sym($0)).eigenvalues * Tensor([1, 2, 3] as [Double])).sum() }),
            ("svd", r([3, 2], 93), { svd($0).s.sum() }),
            ("prod", r([4], 94), { $0.prod() }),
            ("norm", r([4], 95), { $0.norm() }),
            ("logCumSumExp", r([4], 96), { ($0.logCumSumExp(alongAxis: 0) * Tensor([1, -2, 3, 1] as [Double])).sum() }),
            ("einsum", r([2, 2], 97), { einsum("ij,jk,ki->", $0, $0, $0) }),
        ]
        for (name, x, f) in firstOrder {
            let result = try checkGradients("∇" + name, at: [x]) { xs in (try? gradient(at: xs[0], of: f)) ?? Tensor.zeros(like: xs[0]) }
            XCTAssertLessThan(result.worstRelativeError, 1e-5, result.description)
        }
    }
}
