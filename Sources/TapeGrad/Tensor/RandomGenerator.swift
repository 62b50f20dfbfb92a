/// TapeGrad's own pseudo-random generator (xoshiro256**, seeded through SplitMix64), so that the
/// same seed gives the same numbers on every machine and every Swift version.
///
/// ```swift
/// var rng = RandomGenerator(seed: 42)
/// let u = rng.nextUniform()          // in [0, 1)
/// let t = Tensor.randomNormal([2, 3], seed: 7)
/// ```
public struct RandomGenerator: RandomNumberGenerator, Sendable {
    private var s0, s1, s2, s3: UInt64

    /// A generator whose whole stream is fixed by `seed`.
    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(); s1 = splitMix(); s2 = splitMix(); s3 = splitMix()
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// A uniform `Double` in `[0, 1)` with 53 random bits.
    public mutating func nextUniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// A standard normal `Double` (Box–Muller).
    public mutating func nextNormal() -> Double {
        var u1 = nextUniform()
        while u1 <= 0 { u1 = nextUniform() }
        let u2 = nextUniform()
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }
}

import Foundation

extension Tensor {
    /// Normally distributed values, reproducible from `seed`.
    ///
    /// ```swift
    /// let w = Tensor.randomNormal([64, 10], mean: 0, standardDeviation: 0.01, seed: 1)
    /// ```
    public static func randomNormal(
        _ shape: [Int], mean: Double = 0, standardDeviation: Double = 1, dtype: DType = .float32, seed: UInt64
    ) -> Tensor {
        var rng = RandomGenerator(seed: seed)
        return randomNormal(shape, mean: mean, standardDeviation: standardDeviation, dtype: dtype, using: &rng)
    }

    /// Normally distributed values drawn from `generator`.
    public static func randomNormal(
        _ shape: [Int], mean: Double = 0, standardDeviation: Double = 1, dtype: DType = .float32,
        using generator: inout RandomGenerator
    ) -> Tensor {
        guard let n = validAllocation(shape, dtype: .float64, op: "randomNormal") else { return placeholder(dtype: dtype) }
        var values = [Double](repeating: 0, count: n)
        for i in 0..<n { values[i] = mean + standardDeviation * generator.nextNormal() }
        return fromArray(values, shape: shape).converted(to: dtype)
    }

    /// Uniformly distributed values in `[lower, upper)`, reproducible from `seed`.
    ///
    /// ```swift
    /// let b = Tensor.randomUniform([10], lower: -0.1, upper: 0.1, seed: 3)
    /// ```
    public static func randomUniform(
        _ shape: [Int], lower: Double = 0, upper: Double = 1, dtype: DType = .float32, seed: UInt64
    ) -> Tensor {
        var rng = RandomGenerator(seed: seed)
        return randomUniform(shape, lower: lower, upper: upper, dtype: dtype, using: &rng)
    }

    /// Uniformly distributed values in `[lower, upper)` drawn from `generator`.
    public static func randomUniform(
        _ shape: [Int], lower: Double = 0, upper: Double = 1, dtype: DType = .float32,
        using generator: inout RandomGenerator
    ) -> Tensor {
        guard let n = validAllocation(shape, dtype: .float64, op: "randomUniform") else { return placeholder(dtype: dtype) }
        var values = [Double](repeating: 0, count: n)
        for i in 0..<n { values[i] = lower + (upper - lower) * generator.nextUniform() }
        return fromArray(values, shape: shape).converted(to: dtype)
    }
}
