import Foundation
import XCTest
@testable import TapeGrad

/// VectorMath's eˣ, ln x, tanh, σ and softplus against libm, in ulp of the result: float32 against the float64
/// libm result on a sweep of bit patterns over the whole float range (every 30,011th here, which a debug
/// build runs in seconds; `tapegrad-bench --only VMA` runs every 101st in release), float64 against glibc's
/// own ≤ 1 ulp functions. The bounds are the measured worst cases (VectorMath.swift's header), so a change
/// that loses accuracy fails here.
final class VectorMathTests: XCTestCase {
    /// |got − reference| in units of the last place of the float binade of `reference` (subnormals: the
    /// smallest subnormal); 0 for equal values, both NaN, or the same infinity; ∞ when only one is NaN or ∞.
    func ulps(_ got: Float, _ reference: Double) -> Double {
        let rounded = Float(reference)
        if got == rounded || (got.isNaN && reference.isNaN) { return 0 }
        if got.isNaN || reference.isNaN || got.isInfinite || rounded.isInfinite { return .infinity }
        let magnitude = Swift.abs(reference)
        let ulp = magnitude < Double(Float.leastNormalMagnitude) ? Double(Float.leastNonzeroMagnitude)
            : Double(sign: .plus, exponent: magnitude.exponent - 23, significand: 1)
        return Swift.abs(Double(got) - reference) / ulp
    }

    func ulps(_ got: Double, _ reference: Double) -> Double {
        if got == reference || (got.isNaN && reference.isNaN) { return 0 }
        if got.isNaN || reference.isNaN || got.isInfinite || reference.isInfinite { return .infinity }
        let magnitude = Swift.abs(reference)
        let ulp = magnitude < Double.leastNormalMagnitude ? Double.leastNonzeroMagnitude : magnitude.ulp
        return Swift.abs(got - reference) / ulp
    }

    /// Every `stride`-th bit pattern of the non-negative and negative floats, and the specials.
    func floatSweep(stride: UInt32 = 30_011) -> [Float] {
        var xs: [Float] = []
        var bits: UInt32 = 0
        while bits < 0x7F80_0000 {
            xs.append(Float(bitPattern: bits)); xs.append(Float(bitPattern: bits | 0x8000_0000))
            bits += stride
        }
        return xs + [0, -0.0, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude, .greatestFiniteMagnitude,
                     -.greatestFiniteMagnitude, .infinity, -.infinity, .nan, 1e-30, 1e-4, -1e-4, 0.6249, 0.625, 0.6251, 88.72283, 88.72284,
                     -87.33655, -103.27892, -103.97207, -103.97209, -104, 1, 2, 0.5]
    }

    func run<T>(_ kernel: (UnsafePointer<T>, UnsafeMutablePointer<T>, Int) -> Void, _ xs: [T]) -> [T] {
        Array(unsafeUninitializedCapacity: xs.count) { out, count in
            xs.withUnsafeBufferPointer { kernel($0.baseAddress!, out.baseAddress!, xs.count) }
            count = xs.count
        }
    }

    /// The worst ulp error of `kernel` over the sweep and the input where it occurs.
    func worstFloat(_ kernel: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void, _ xs: [Float],
                    _ reference: (Double) -> Double) -> (ulps: Double, at: Float) {
        var worst = (ulps: 0.0, at: Float.nan)
        for (x, y) in zip(xs, run(kernel, xs)) {
            let e = ulps(y, reference(Double(x)))
            if e > worst.ulps { worst = (e, x) }
        }
        return worst
    }

    func sigmoidReference(_ x: Double) -> Double { x >= 0 ? 1 / (1 + Foundation.exp(-x)) : Foundation.exp(x) / (1 + Foundation.exp(x)) }
    func softplusReference(_ x: Double) -> Double { Swift.max(x, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(x))) }

    func testFloatExpIsWithinOneUlpOverTheWholeRangeIncludingSubnormalResults() {
        let w = worstFloat(Float.vexp, floatSweep(), Foundation.exp)
        XCTAssertLessThanOrEqual(w.ulps, 1, "exp(\(w.at))")
        // Every float near the overflow and underflow thresholds (no selects there: the clamps and the
        // rounding of 2ᵏ·p(r) must overflow and underflow exactly where the rounded libm result does).
        let edges = (Float(88.5).bitPattern...Float(89.5).bitPattern).map { Float(bitPattern: $0) }
            + (Float(103).bitPattern...Float(105).bitPattern).map { -Float(bitPattern: $0) }
        let e = worstFloat(Float.vexp, edges, Foundation.exp)
        XCTAssertLessThanOrEqual(e.ulps, 1, "exp(\(e.at))")
        XCTAssertEqual(run(Float.vexp, [100, -200, .infinity, -.infinity, 0, 88.72284]), [.infinity, 0, .infinity, 0, 1, .infinity])
        // The largest finite result, and a subnormal one (libm's values, not a clamp's e⁸⁸ or e⁻⁸⁷).
        XCTAssertLessThanOrEqual(ulps(run(Float.vexp, [88.72283])[0], Foundation.exp(Double(Float(88.72283)))), 1)
        XCTAssertLessThanOrEqual(ulps(run(Float.vexp, [-100])[0], Foundation.exp(-100.0)), 1)
        XCTAssertTrue(run(Float.vexp, [.nan])[0].isNaN)
    }

    func testFloatLogIsWithinOneUlpIncludingSubnormalInputs() {
        let w = worstFloat(Float.vlog, floatSweep(), Foundation.log)
        XCTAssertLessThanOrEqual(w.ulps, 1, "log(\(w.at))")
        let edges = run(Float.vlog, [0, -0.0, .infinity, 1, .leastNonzeroMagnitude, -1, -.infinity, .nan])
        XCTAssertEqual(Array(edges[..<5]), [-.infinity, -.infinity, .infinity, 0, Foundation.logf(.leastNonzeroMagnitude)])
        XCTAssertTrue(edges[5...].allSatisfy(\.isNaN))
    }

    func testFloatTanhIsWithinTwoUlpWithoutCancellationNearZero() {
        let w = worstFloat(Float.vtanh, floatSweep(), Foundation.tanh)
        XCTAssertLessThanOrEqual(w.ulps, 1.5, "tanh(\(w.at))")
        // The old (1 − e^(−2|x|)) / (1 + e^(−2|x|)) form was off by ~1e-4 relative here.
        XCTAssertEqual(run(Float.vtanh, [1e-4])[0], Float(Foundation.tanh(Double(Float(1e-4)))))
        let edges = run(Float.vtanh, [.infinity, -.infinity, -0.0, .leastNonzeroMagnitude, 100, .nan])
        XCTAssertEqual(Array(edges[..<5]), [1, -1, 0, .leastNonzeroMagnitude, 1])
        XCTAssertEqual(edges[2].sign, .minus)
        XCTAssertTrue(edges[5].isNaN)
    }

    func testFloatSigmoidIsWithinTwoUlpDownIntoTheSubnormals() {
        let w = worstFloat(Float.vsigmoid, floatSweep(), sigmoidReference)
        XCTAssertLessThanOrEqual(w.ulps, 2, "sigmoid(\(w.at))")
        let edges = run(Float.vsigmoid, [-.infinity, .infinity, 0, -100, 100, .nan])
        XCTAssertEqual(Array(edges[..<5]), [0, 1, 0.5, Float(sigmoidReference(-100)), 1])
        XCTAssertTrue(edges[5].isNaN)
    }

    func testFloatSoftplusIsWithinTwoUlp() {
        let w = worstFloat(Float.vsoftplus, floatSweep(), softplusReference)
        XCTAssertLessThanOrEqual(w.ulps, 2, "softplus(\(w.at))")
        XCTAssertEqual(run(Float.vsoftplus, [.infinity, -.infinity, 0]), [.infinity, 0, Float(Foundation.log(2.0))])
    }

    /// Every `stride`-th bit pattern of the doubles from `low` to `high` magnitude, both signs.
    func doubleSweep(_ low: Double, _ high: Double, count: Int = 20_000) -> [Double] {
        let a = low.bitPattern, b = high.bitPattern, step = (b - a) / UInt64(count)
        return (0..<count).flatMap { i -> [Double] in let x = Double(bitPattern: a + UInt64(i) * step); return [x, -x] }
            + [0, -0.0, .infinity, -.infinity, .nan, .leastNonzeroMagnitude, .greatestFiniteMagnitude]
    }

    func worstDouble(_ kernel: (UnsafePointer<Double>, UnsafeMutablePointer<Double>, Int) -> Void, _ xs: [Double],
                     _ reference: (Double) -> Double) -> (ulps: Double, at: Double) {
        var worst = (ulps: 0.0, at: Double.nan)
        for (x, y) in zip(xs, run(kernel, xs)) {
            let e = ulps(y, reference(x))
            if e > worst.ulps { worst = (e, x) }
        }
        return worst
    }

    func testDoubleKernelsAreWithinThreeUlpOfGlibc() {
        let all = doubleSweep(.leastNonzeroMagnitude, .greatestFiniteMagnitude)
        let relevant = doubleSweep(1e-3, 800)
        var w = worstDouble(Double.vexp, all + relevant, Foundation.exp)
        XCTAssertLessThanOrEqual(w.ulps, 1, "exp(\(w.at))")
        w = worstDouble(Double.vlog, all + doubleSweep(0.5, 2), Foundation.log)
        XCTAssertLessThanOrEqual(w.ulps, 1, "log(\(w.at))")
        w = worstDouble(Double.vtanh, all + doubleSweep(1e-3, 20), Foundation.tanh)
        XCTAssertLessThanOrEqual(w.ulps, 3, "tanh(\(w.at))")
        w = worstDouble(Double.vsigmoid, all + relevant, sigmoidReference)
        XCTAssertLessThanOrEqual(w.ulps, 3, "sigmoid(\(w.at))")
        w = worstDouble(Double.vsoftplus, all + relevant, softplusReference)
        XCTAssertLessThanOrEqual(w.ulps, 3, "softplus(\(w.at))")
        // The 20,001 doubles around each threshold (overflow, last subnormal, first normal result).
        let edges = [709.782_712_893_384, -745.133_219_101_941_1, -708.396_418_532_264].flatMap { c in
            (-10_000...10_000).map { Double(bitPattern: c.bitPattern &+ UInt64(bitPattern: Int64($0))) }
        }
        w = worstDouble(Double.vexp, edges, Foundation.exp)
        XCTAssertLessThanOrEqual(w.ulps, 1, "exp(\(w.at))")
        XCTAssertEqual(run(Double.vexp, [800, -800, -.infinity]), [.infinity, 0, 0])
        XCTAssertEqual(run(Double.vlog, [0, .infinity]), [-.infinity, .infinity])
        XCTAssertTrue(run(Double.vlog, [-1, .nan]).allSatisfy(\.isNaN))
        XCTAssertEqual(run(Double.vtanh, [.infinity, -.infinity, 1e-300]), [1, -1, 1e-300])
    }

    /// The tail of a buffer (n not a multiple of the width) goes through a padded vector, so every element
    /// has the bits the full-width path gives it, wherever the buffer starts or ends.
    func testTailElementsGetTheSameBitsAsFullVectors() {
        let xs = (0..<37).map { Float($0) * 0.37 - 6 }
        let whole = run(Float.vtanh, xs)
        for start in 0..<9 {
            let part = run(Float.vtanh, Array(xs[start...]))
            XCTAssertEqual(part.map(\.bitPattern), whole[start...].map(\.bitPattern), "from \(start)")
        }
        let ds = xs.map { Double($0) }
        let wholeDouble = run(Double.vexp, ds)
        for start in 0..<5 {
            XCTAssertEqual(run(Double.vexp, Array(ds[start...])).map(\.bitPattern), wholeDouble[start...].map(\.bitPattern))
        }
    }

    /// Eager exp, log, tanh, sigmoid and softplus are these kernels (any shape, either float dtype).
    func testEagerOpsCallTheVectorKernels() {
        let xs: [Float] = [-3, -0.5, 1e-4, 0.7, 2, 9, 30, 0.3, 0.25, 5, 1.5]
        let positive = xs.map { Swift.abs($0) }
        let t = Tensor(xs, shape: [11]), p = Tensor(positive, shape: [11])
        XCTAssertEqual(exp(t).scalars.map { Float($0) }, run(Float.vexp, xs))
        XCTAssertEqual(log(p).scalars.map { Float($0) }, run(Float.vlog, positive))
        XCTAssertEqual(tanh(t).scalars.map { Float($0) }, run(Float.vtanh, xs))
        XCTAssertEqual(sigmoid(t).scalars.map { Float($0) }, run(Float.vsigmoid, xs))
        XCTAssertEqual(softplus(t).scalars.map { Float($0) }, run(Float.vsoftplus, xs))
        let d = xs.map { Double($0) }
        XCTAssertEqual(tanh(Tensor(d, shape: [11])).scalars, run(Double.vtanh, d))
        XCTAssertEqual(exp(Tensor(d, shape: [11])).scalars, run(Double.vexp, d))
    }
}
