// The float64 half of VectorMath: eˣ, ln x, tanh x and σ(x) on four doubles, the same algorithms as the
// float32 ones with longer polynomials (Taylor series, whose coefficients need no fitting).
//
// Accuracy, measured in release against Foundation's libm (glibc's exp, log, tanh and log1p, each within 1 ulp
// of the exact result), on 10 M bit patterns spread evenly over all doubles and 10 M over magnitudes
// 10⁻³…800, both signs (`tapegrad-bench --only VMA`; the tests check a coarser sweep against these bounds):
//   distance from glibc  exp 1 ulp · log 1 · tanh 3 · sigmoid 3 · softplus 3 (σ and softplus against
//   glibc's exp/log1p composed as in the float32 test).
// The edges are libm's, as for float32.

extension VectorMath {
    typealias D4 = SIMD4<Double>

    /// eˣ for four doubles: 2ᵏ·p(r) with k = round(x / ln 2), r = x − k·ln 2 (ln 2 in two parts) and e^r by
    /// its Taylor series to degree 13 on |r| ≤ ln 2 / 2 (truncation below 10⁻¹⁷); 2ᵏ in two factors, so a
    /// subnormal result is rounded once. x > 709.78 gives +∞, x < −745.13 gives 0, NaN stays NaN.
    @inline(__always)
    static func exp(_ x: D4) -> D4 {
        var c = x
        c.replace(with: -746, where: x .< -746)
        c.replace(with: 710, where: x .> 710)
        let shifted = c * 1.442_695_040_888_963_4 + 6_755_399_441_055_744
        let n = shifted - 6_755_399_441_055_744
        let r = c - n * 6.931_471_803_691_238_164_90e-01 - n * 1.908_214_929_270_587_700_02e-10
        var p = D4(repeating: 1.0 / 6_227_020_800)
        p = p * r + 1.0 / 479_001_600
        p = p * r + 1.0 / 39_916_800
        p = p * r + 1.0 / 3_628_800
        p = p * r + 1.0 / 362_880
        p = p * r + 1.0 / 40_320
        p = p * r + 1.0 / 5_040
        p = p * r + 1.0 / 720
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        let y = p * (r * r) + r + 1
        let k = unsafeBitCast(shifted, to: SIMD4<Int64>.self) &- 0x4338_0000_0000_0000
        let k1 = k &>> 1, k2 = k &- k1
        let s1 = unsafeBitCast((k1 &+ 1023) &<< 52, to: D4.self), s2 = unsafeBitCast((k2 &+ 1023) &<< 52, to: D4.self)
        return y * s1 * s2   // the edges come from the clamps, as in the float32 `exp`
    }

    /// ln x for four doubles: as the float32 `log`, with subnormals scaled by 2⁵⁴ and R = Σ 2z^j/(2j + 1)
    /// to j = 11 (z ≤ 0.0295: truncation below 10⁻¹⁸).
    @inline(__always)
    static func log(_ x: D4) -> D4 {
        let isSubnormal = x .< Double.leastNormalMagnitude
        var v = x
        v.replace(with: x * 18_014_398_509_481_984, where: isSubnormal)   // 2⁵⁴
        var bias = SIMD4<Int64>(repeating: 0)
        bias.replace(with: 54, where: isSubnormal)
        let ix = unsafeBitCast(v, to: SIMD4<Int64>.self) &+ (0x3FF0_0000_0000_0000 - 0x3FE6_A09E_667F_3BCD)
        // k as a double through the 1.5·2⁵² trick (|k| < 2⁵¹).
        let k = unsafeBitCast(((ix &>> 52) &- 1023 &- bias) &+ 0x4338_0000_0000_0000, to: D4.self) - 6_755_399_441_055_744
        let m = unsafeBitCast((ix & 0x000F_FFFF_FFFF_FFFF) &+ 0x3FE6_A09E_667F_3BCD, to: D4.self)
        let f = m - 1
        let s = f / (f + 2), z = s * s
        var r = D4(repeating: 2.0 / 23)
        r = r * z + 2.0 / 21
        r = r * z + 2.0 / 19
        r = r * z + 2.0 / 17
        r = r * z + 2.0 / 15
        r = r * z + 2.0 / 13
        r = r * z + 2.0 / 11
        r = r * z + 2.0 / 9
        r = r * z + 2.0 / 7
        r = r * z + 2.0 / 5
        r = r * z + 2.0 / 3
        r = r * z
        let halfSquare = 0.5 * f * f
        var out = k * 6.931_471_803_691_238_164_90e-01
            + (f - (halfSquare - (s * (halfSquare + r) + k * 1.908_214_929_270_587_700_02e-10)))
        out.replace(with: .nan, where: x .< 0)
        out.replace(with: -.infinity, where: x .== 0)
        out.replace(with: .infinity, where: x .== .infinity)
        out.replace(with: x, where: x .!= x)
        return out
    }

    /// tanh x for four doubles: tanh |x| = u / (u + 2) with u = e^(2|x|) − 1, u from its Taylor series (degree
    /// 20, truncation below 10⁻¹⁹) below 2|x| = 1, where e^(2|x|) − 1 would lose bits, and from `exp` above;
    /// |x| is capped at 40 (tanh 40 = 1 in double), the sign copied back. tanh(−0) = −0, tanh ±∞ = ±1, NaN
    /// stays NaN.
    @inline(__always)
    static func tanh(_ x: D4) -> D4 {
        let signBit = SIMD4<UInt64>(repeating: 0x8000_0000_0000_0000)
        let bits = unsafeBitCast(x, to: SIMD4<UInt64>.self)
        var a = unsafeBitCast(bits & ~signBit, to: D4.self)
        a.replace(with: 40, where: a .> 40)
        let t = a + a
        let isLarge = t .>= 1
        var u: D4
        if all(isLarge) {
            u = exp(t) - 1
        } else {
            var p = D4(repeating: 1.0 / 2_432_902_008_176_640_000)   // 1/20!
            p = p * t + 1.0 / 121_645_100_408_832_000
            p = p * t + 1.0 / 6_402_373_705_728_000
            p = p * t + 1.0 / 355_687_428_096_000
            p = p * t + 1.0 / 20_922_789_888_000
            p = p * t + 1.0 / 1_307_674_368_000
            p = p * t + 1.0 / 87_178_291_200
            p = p * t + 1.0 / 6_227_020_800
            p = p * t + 1.0 / 479_001_600
            p = p * t + 1.0 / 39_916_800
            p = p * t + 1.0 / 3_628_800
            p = p * t + 1.0 / 362_880
            p = p * t + 1.0 / 40_320
            p = p * t + 1.0 / 5_040
            p = p * t + 1.0 / 720
            p = p * t + 1.0 / 120
            p = p * t + 1.0 / 24
            p = p * t + 1.0 / 6
            p = p * t + 0.5
            u = p * (t * t) + t
            if any(isLarge) { u.replace(with: exp(t) - 1, where: isLarge) }
        }
        let y = u / (u + 2)
        return unsafeBitCast(unsafeBitCast(y, to: SIMD4<UInt64>.self) | (bits & signBit), to: D4.self)
    }

    /// σ(x) for four doubles, as the float32 `sigmoid`: 1 / (1 + e^(−|x|)) for x ≥ 0, e^(−|x|) / (1 + e^(−|x|))
    /// below.
    @inline(__always)
    static func sigmoid(_ x: D4) -> D4 {
        let magnitude = unsafeBitCast(unsafeBitCast(x, to: SIMD4<UInt64>.self) & 0x7FFF_FFFF_FFFF_FFFF, to: D4.self)
        let e = exp(-magnitude), d = 1 + e
        let lost = e - (d - 1)
        var numerator = D4(repeating: 1)
        numerator.replace(with: e, where: x .< 0)
        let q = numerator / d
        return q - q * (lost / d)
    }

    /// Four doubles from `p` (no alignment needed).
    @inline(__always)
    static func load(_ p: UnsafePointer<Double>) -> D4 { UnsafeRawPointer(p).loadUnaligned(as: D4.self) }

    /// Stores four doubles at `p`.
    @inline(__always)
    static func store(_ v: D4, _ p: UnsafeMutablePointer<Double>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: D4.self) }

    /// out[i] = f(x[i]) four lanes at a time, the last n mod 4 through one padded vector (padding 1).
    @inline(__always)
    static func map(_ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, _ n: Int, _ f: (D4) -> D4) {
        var i = 0
        while i + 4 <= n {
            store(f(load(x + i)), out + i)
            i += 4
        }
        if i < n {
            var v = D4(repeating: 1)
            for j in 0..<(n - i) { v[j] = x[i + j] }
            let r = f(v)
            for j in 0..<(n - i) { out[i + j] = r[j] }
        }
    }
}
