// VectorMath (Sources/TapeGrad/Kernels/VectorMath*.swift) through the eager ops:
// - VM: ns per element of eager exp, log, tanh and sigmoid on 16, 1 K and 1 M floats, beside the scalar libm
//   loop the eager kernels ran before (expf, logf, tanhf, the two-branch σ with expf) over the same buffer,
//   interleaved rep by rep; the ratio column is eager ÷ libm loop. The eager figure includes the op's own
//   overhead (allocating the output), which dominates at 16 elements; at 1 M elements the eager op splits
//   the loop over the cores (`--threads 1` keeps it on one).
// - VMA: the accuracy sweep behind the bounds in VectorMath.swift's header: every 101st bit pattern of the
//   positive and negative floats (42.5 M inputs) through the eager float32 ops against the float64 libm
//   result, and 10 M + 10 M float64 inputs against glibc; prints the worst error in ulp and where.
import Foundation
import TapeGrad

func vectorMathWorkloads(_ only: Set<String>) {
    if only.contains("VM") { vectorMathSpeed() }
    if only.contains("VMA") { vectorMathAccuracy() }
}

func vectorMathSpeed() {
    let functions: [(String, (Tensor) -> Tensor, (Float) -> Float)] = [
        ("exp", exp, { Foundation.expf($0) }),
        ("log", log, { Foundation.logf($0) }),
        ("tanh", tanh, { Foundation.tanhf($0) }),
        ("sigmoid", sigmoid, { v in v >= 0 ? 1 / (1 + Foundation.expf(-v)) : Foundation.expf(v) / (1 + Foundation.expf(v)) }),
    ]
    for n in [16, 1024, 1 << 20] {
        // log gets positive inputs; the others a normal spread.
        let normal = Tensor.randomNormal([n], seed: 5)
        let positive = Tensor.randomUniform([n], lower: 0.01, upper: 10, seed: 6)
        let inner = Swift.max(1, (1 << 20) / n)
        for (name, op, scalar) in functions {
            let x = name == "log" ? positive : normal
            let values = x.withUnsafeBufferPointer(as: Float.self) { Array($0) }
            var out = [Float](repeating: 0, count: n)
            let (eager, libm) = interleaved(reps: reps * 2, {
                for _ in 0..<inner { _ = op(x) }
            }, {
                for _ in 0..<inner {
                    values.withUnsafeBufferPointer { src in
                        out.withUnsafeMutableBufferPointer { dst in for i in 0..<n { dst[i] = scalar(src[i]) } }
                    }
                }
            })
            let scale = 1e9 / Double(n * inner)
            let (em, elo, ehi) = eager.scaled(scale), (lm, _, _) = libm.scaled(scale)
            report(Record(workload: "VM", variant: "\(name) eager, \(n) floats (floor: scalar libm loop)", threads: threadLabel,
                          metric: "ns_per_element", value: em, min: elo, max: ehi, floor: lm, ratio: em / lm))
        }
    }
}

/// |got − reference| in ulp of the reference's float binade (0 for equal values or both NaN; ∞ when one is
/// NaN or infinite and the other not).
func floatULPs(_ got: Float, _ reference: Double) -> Double {
    let rounded = Float(reference)
    if got == rounded || (got.isNaN && reference.isNaN) { return 0 }
    if got.isNaN || reference.isNaN || got.isInfinite || rounded.isInfinite { return .infinity }
    let magnitude = Swift.abs(reference)
    let ulp = magnitude < Double(Float.leastNormalMagnitude) ? Double(Float.leastNonzeroMagnitude)
        : Double(sign: .plus, exponent: magnitude.exponent - 23, significand: 1)
    return Swift.abs(Double(got) - reference) / ulp
}

func doubleULPs(_ got: Double, _ reference: Double) -> Double {
    if got == reference || (got.isNaN && reference.isNaN) { return 0 }
    if got.isNaN || reference.isNaN || got.isInfinite || reference.isInfinite { return .infinity }
    let magnitude = Swift.abs(reference)
    return Swift.abs(got - reference) / (magnitude < Double.leastNormalMagnitude ? Double.leastNonzeroMagnitude : magnitude.ulp)
}

func vectorMathAccuracy() {
    let sigmoidReference: (Double) -> Double = { $0 >= 0 ? 1 / (1 + Foundation.exp(-$0)) : Foundation.exp($0) / (1 + Foundation.exp($0)) }
    let functions: [(String, (Tensor) -> Tensor, (Double) -> Double)] = [
        ("exp", exp, { Foundation.exp($0) }), ("log", log, { Foundation.log($0) }), ("tanh", tanh, { Foundation.tanh($0) }),
        ("sigmoid", sigmoid, sigmoidReference),
        ("softplus", softplus, { Swift.max($0, 0) + Foundation.log1p(Foundation.exp(-Swift.abs($0))) }),
    ]
    // float32: every 101st bit pattern of both signs, in blocks of 1 M, plus the specials.
    let specials: [Float] = [0, -0.0, .infinity, -.infinity, .nan, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 1e-4, 0.625, 88.72284]
    for (name, op, reference) in functions {
        var worst = (ulps: 0.0, at: Float.nan), count = 0
        var start: UInt32 = 0
        while start < 0x7F80_0000 {
            var xs: [Float] = start == 0 ? specials : []
            var bits = start
            while bits < 0x7F80_0000 && xs.count < 1 << 20 {
                xs.append(Float(bitPattern: bits)); xs.append(Float(bitPattern: bits | 0x8000_0000))
                bits += 101
            }
            start = bits
            let ys = op(Tensor(xs, shape: [xs.count])).withUnsafeBufferPointer(as: Float.self) { Array($0) }
            for (x, y) in zip(xs, ys) {
                let e = floatULPs(y, reference(Double(x)))
                if e > worst.ulps { worst = (e, x) }
            }
            count += xs.count
        }
        print(String(format: "VMA float32 %-8@ worst %.3f ulp at x = %@ (%d inputs)", name, worst.ulps, "\(worst.at)", count))
    }
    // float64: 10 M bit patterns spread over all doubles and 10 M over magnitudes 1e-3…800, both signs.
    for (name, op, reference) in functions {
        var worst = (ulps: 0.0, at: Double.nan), count = 0
        for (low, high) in [(Double.leastNonzeroMagnitude, Double.greatestFiniteMagnitude), (1e-3, 800.0)] {
            let step = (high.bitPattern - low.bitPattern) / 5_000_000
            for block in 0..<10 {
                var xs: [Double] = []
                for i in 0..<500_000 {
                    let x = Double(bitPattern: low.bitPattern + UInt64(block * 500_000 + i) * step)
                    xs.append(x); xs.append(-x)
                }
                let ys = op(Tensor(xs, shape: [xs.count])).withUnsafeBufferPointer(as: Double.self) { Array($0) }
                for (x, y) in zip(xs, ys) {
                    let e = doubleULPs(y, reference(x))
                    if e > worst.ulps { worst = (e, x) }
                }
                count += xs.count
            }
        }
        print(String(format: "VMA float64 %-8@ worst %.3f ulp at x = %@ (%d inputs)", name, worst.ulps, "\(worst.at)", count))
    }
}
