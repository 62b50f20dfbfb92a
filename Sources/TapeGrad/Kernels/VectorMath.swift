// Eight-wide eˣ, σ and tanh for the fused recurrent kernels: libm's expf is one call per element and does
// not vectorise, and in the LSTM's elementwise pass it costs more than the recurrent gemm.

enum VectorMath {
    /// eˣ for eight floats: 2ⁿ·p(r) with n = round(x / ln 2), r = x − n·ln 2 (in two parts) and Cephes's
    /// degree-6 polynomial for expf; relative error within a few ulp. Inputs are clamped to [−87, 88], so
    /// the result never overflows or becomes subnormal (eˣ of larger |x| saturates there).
    @inline(__always)
    static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let x = pointwiseMin(pointwiseMax(x, SIMD8(repeating: -87)), SIMD8(repeating: 88))
        // Adding and subtracting 1.5·2²³ rounds to the nearest integer, and leaves that integer in the low
        // mantissa bits (no per-lane conversion calls).
        let shifted = x * 1.442_695_04 + 12_582_912
        let n = shifted - 12_582_912
        let r = x - n * 0.693_359_375 + n * 2.121_944_4e-4
        var p = SIMD8<Float>(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_9e-3
        p = p * r + 4.166_579_59e-2
        p = p * r + 1.666_666_55e-1
        p = p * r + 5.000_000_12e-1
        let y = p * (r * r) + r + 1
        let integer = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000
        return y * unsafeBitCast((integer &+ 127) &<< 23, to: SIMD8<Float>.self)
    }

    /// σ(x) = 1 / (1 + e⁻ˣ).
    @inline(__always)
    static func sigmoid(_ x: SIMD8<Float>) -> SIMD8<Float> { 1 / (1 + exp(-x)) }

    /// tanh x = sign(x)·(1 − e^(−2|x|)) / (1 + e^(−2|x|)).
    @inline(__always)
    static func tanh(_ x: SIMD8<Float>) -> SIMD8<Float> {
        // |x| and the sign through the sign bit, without lane-wise selects.
        let signBit = SIMD8<UInt32>(repeating: 0x8000_0000)
        let bits = unsafeBitCast(x, to: SIMD8<UInt32>.self)
        let magnitude = unsafeBitCast(bits & ~signBit, to: SIMD8<Float>.self)
        let e = exp(magnitude * -2)
        let t = (1 - e) / (1 + e)
        return unsafeBitCast(unsafeBitCast(t, to: SIMD8<UInt32>.self) | (bits & signBit), to: SIMD8<Float>.self)
    }

    /// Eight floats from `p` (no alignment needed).
    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self) }

    /// Stores eight floats at `p`.
    @inline(__always)
    static func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self) }
}
