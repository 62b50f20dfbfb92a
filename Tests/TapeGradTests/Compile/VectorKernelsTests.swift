import Foundation
import XCTest
@testable import TapeGrad

/// The vectorised eˣ, tanh and σ of compiled programs against libm in double precision (the float32
/// kernels) or long double / careful identities (the float64 kernels), in ulp of the result.
final class VectorKernelsTests: XCTestCase {
    /// Distance in units in the last place of `reference` (rounded to Float).
    func ulps(_ got: Float, _ reference: Double) -> Double {
        let r = Float(reference)
        if got == r || (got.isNaN && r.isNaN) { return 0 }
        if r.isInfinite || got.isInfinite { return .infinity }
        let ulp = r == 0 ? Float.leastNonzeroMagnitude : r.ulp
        return Swift.abs(Double(got) - reference) / Double(ulp)
    }

    func ulps(_ got: Double, _ reference: Double) -> Double {
        if got == reference || (got.isNaN && reference.isNaN) { return 0 }
        if reference.isInfinite || got.isInfinite { return .infinity }
        return Swift.abs(got - reference) / (reference == 0 ? Double.leastNonzeroMagnitude : reference.ulp)
    }

    /// Sample points: a dense sweep plus the edges (tiny, subnormal-producing, overflow, NaN).
    func points(limit: Double, count: Int = 20_000) -> [Double] {
        var xs = (0..<count).map { -limit + 2 * limit * Double($0) / Double(count - 1) }
        xs += [0, -0.0, 1e-30, -1e-30, 1e-8, 0.124, 0.125, 0.126, 0.2499, 0.25, 0.2501, 0.5]
        return xs
    }

    func run(_ kernel: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void, _ xs: [Float]) -> [Float] {
        var out = [Float](repeating: 0, count: xs.count)
        xs.withUnsafeBufferPointer { x in out.withUnsafeMutableBufferPointer { kernel(x.baseAddress!, $0.baseAddress!, xs.count) } }
        return out
    }

    func run(_ kernel: (UnsafePointer<Double>, UnsafeMutablePointer<Double>, Int) -> Void, _ xs: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: xs.count)
        xs.withUnsafeBufferPointer { x in out.withUnsafeMutableBufferPointer { kernel(x.baseAddress!, $0.baseAddress!, xs.count) } }
        return out
    }

    func testFloatExpIsWithinTwoUlpIncludingSubnormalsAndOverflow() {
        let xs = points(limit: 104).map { Float($0) } + [88.7, 88.8, -87.5, -100, -104, .infinity, -.infinity]
        let ys = run(Float.vexp, xs)
        var worst = 0.0
        for (x, y) in zip(xs, ys) {
            let reference = Foundation.exp(Double(x))
            // Subnormal results: within one subnormal step.
            if Float(reference) < Float.leastNormalMagnitude { XCTAssertLessThanOrEqual(Swift.abs(Double(y) - reference), Double(Float.leastNonzeroMagnitude) * 2, "exp(\(x))"); continue }
            worst = Swift.max(worst, ulps(y, reference))
        }
        XCTAssertLessThanOrEqual(worst, 2)
        XCTAssertTrue(run(Float.vexp, [.nan])[0].isNaN)
    }

    func testFloatTanhIsWithinThreeUlp() {
        let xs = points(limit: 12).map { Float($0) } + [30, -30, .infinity, -.infinity, 1e-20, -1e-20]
        let ys = run(Float.vtanh, xs)
        var worst = 0.0
        for (x, y) in zip(xs, ys) { worst = Swift.max(worst, ulps(y, Foundation.tanh(Double(x)))) }
        XCTAssertLessThanOrEqual(worst, 3)
        XCTAssertTrue(run(Float.vtanh, [.nan])[0].isNaN)
        XCTAssertEqual(run(Float.vtanh, [-0.0])[0].sign, .minus)
    }

    func testFloatSigmoidIsWithinThreeUlp() {
        let xs = points(limit: 30).map { Float($0) }
        let ys = run(Float.vsigmoid, xs)
        var worst = 0.0
        for (x, y) in zip(xs, ys) { worst = Swift.max(worst, ulps(y, 1 / (1 + Foundation.exp(-Double(x))))) }
        XCTAssertLessThanOrEqual(worst, 3)
    }

    func testDoubleKernelsAreWithinAFewUlpOfLibm() {
        let xs = points(limit: 700)
        var worst = 0.0
        for (x, y) in zip(xs, run(Double.vexp, xs)) { worst = Swift.max(worst, ulps(y, Foundation.exp(x))) }
        XCTAssertLessThanOrEqual(worst, 3, "exp")
        let ts = points(limit: 20) + [1e-300, -1e-300, 50, -50]
        worst = 0
        for (x, y) in zip(ts, run(Double.vtanh, ts)) { worst = Swift.max(worst, ulps(y, Foundation.tanh(x))) }
        XCTAssertLessThanOrEqual(worst, 4, "tanh")
        XCTAssertTrue(run(Double.vexp, [.nan, -800, 800]).elementsEqual([.nan, 0, .infinity]) { $0 == $1 || ($0.isNaN && $1.isNaN) })
    }
}
