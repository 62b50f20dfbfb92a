// Vectorised eˣ, tanh and σ for the fused loops of compiled programs: SIMD lanes, no libm call per element,
// each within a few ulp of libm over the whole range (Tests/TapeGradTests/Compile/VectorKernelsTests.swift
// measures the error). eˣ is 2ⁿ·p(r) with n = round(x/ln 2) and r = x − n·ln 2 (in two parts); 2ⁿ is
// built in the exponent bits, in two factors so that subnormal results stay exact.

/// The element types of compiled programs.
protocol JitFloat: BLASElement {
    /// out[i] = eˣ⁽ⁱ⁾.
    static func vexp(_ x: UnsafePointer<Self>, _ out: UnsafeMutablePointer<Self>, _ n: Int)
    /// out[i] = tanh x[i].
    static func vtanh(_ x: UnsafePointer<Self>, _ out: UnsafeMutablePointer<Self>, _ n: Int)
    /// out[i] = σ(x[i]) = 1 / (1 + e^(−x[i])).
    static func vsigmoid(_ x: UnsafePointer<Self>, _ out: UnsafeMutablePointer<Self>, _ n: Int)
    /// out[i] = tanh(x[i]·c + d) (the product and the sum rounded separately, as two eager ops).
    static func vtanhAffine(_ x: UnsafePointer<Self>, _ c: Self, _ d: Self, _ out: UnsafeMutablePointer<Self>, _ n: Int)
    /// out[i] = x[i] where x[i] > 0, else 0 (NaN gives 0, as the eager kernel), as a select.
    static func vrelu(_ x: UnsafePointer<Self>, _ out: UnsafeMutablePointer<Self>, _ n: Int)
    /// out[i] = g[i] where x[i] > 0, else 0.
    static func vpassWherePositive(_ g: UnsafePointer<Self>, _ x: UnsafePointer<Self>, _ out: UnsafeMutablePointer<Self>, _ n: Int)
}

extension Float: JitFloat {
    typealias V = SIMD8<Float>

    @inline(__always)
    static func exp8(_ x: V) -> V {
        // Clamped with selects (the generic pointwiseMin/Max are not inlined).
        var c = x
        c.replace(with: -104, where: x .< -104)
        c.replace(with: 89, where: x .> 89)
        // Adding and subtracting 1.5·2²³ rounds to the nearest integer and leaves it in the low mantissa bits.
        let shifted = c * 1.442_695_04 + 12_582_912
        let n = shifted - 12_582_912
        let r = c - n * 0.693_359_375 + n * 2.121_944_4e-4
        var p = V(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_9e-3
        p = p * r + 4.166_579_59e-2
        p = p * r + 1.666_666_55e-1
        p = p * r + 5.000_000_12e-1
        let y = p * (r * r) + r + 1
        let k = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000
        let k1 = k &>> 1, k2 = k &- k1
        let s1 = unsafeBitCast((k1 &+ 127) &<< 23, to: V.self), s2 = unsafeBitCast((k2 &+ 127) &<< 23, to: V.self)
        var out = y * s1 * s2
        out.replace(with: .infinity, where: x .> 88.722_839)
        out.replace(with: 0, where: x .< -103.972_08)
        out.replace(with: x, where: x .!= x)
        return out
    }

    @inline(__always)
    static func tanh8(_ x: V) -> V {
        let signBit = SIMD8<UInt32>(repeating: 0x8000_0000)
        let bits = unsafeBitCast(x, to: SIMD8<UInt32>.self)
        var a = unsafeBitCast(bits & ~signBit, to: V.self)
        a.replace(with: 20, where: a .> 20)   // tanh 20 = 1 in float; NaN stays NaN
        let t = a + a
        // expm1(t): e^t − 1 from t = 0.5 up, a Taylor polynomial below (no cancellation); each only when a lane needs it.
        let isLarge = t .>= 0.5
        if all(isLarge) {
            let em1 = exp8(t) - 1
            let y = em1 / (em1 + 2)
            return unsafeBitCast(unsafeBitCast(y, to: SIMD8<UInt32>.self) | (bits & signBit), to: V.self)
        }
        var p = V(repeating: 1.0 / 362_880)
        p = p * t + 1.0 / 40_320
        p = p * t + 1.0 / 5_040
        p = p * t + 1.0 / 720
        p = p * t + 1.0 / 120
        p = p * t + 1.0 / 24
        p = p * t + 1.0 / 6
        p = p * t + 0.5
        var em1 = p * (t * t) + t
        if any(isLarge) { em1.replace(with: exp8(t) - 1, where: isLarge) }
        let y = em1 / (em1 + 2)
        return unsafeBitCast(unsafeBitCast(y, to: SIMD8<UInt32>.self) | (bits & signBit), to: V.self)
    }

    static func vexp(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        mapLanes(x, out, n, exp8)
    }

    static func vtanh(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        mapLanes(x, out, n, tanh8)
    }

    static func vsigmoid(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        mapLanes(x, out, n) { 1 / (1 + exp8(-$0)) }
    }

    static func vtanhAffine(_ x: UnsafePointer<Float>, _ c: Float, _ d: Float, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        mapLanes(x, out, n) { tanh8($0 * c + d) }
    }

    static func vrelu(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        mapLanes(x, out, n) { v in var r = v; r.replace(with: 0, where: .!(v .> 0)); return r }
    }

    static func vpassWherePositive(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        var i = 0
        while i + 8 <= n {
            var r = UnsafeRawPointer(g + i).loadUnaligned(as: V.self)
            r.replace(with: 0, where: .!(UnsafeRawPointer(x + i).loadUnaligned(as: V.self) .> 0))
            UnsafeMutableRawPointer(out + i).storeBytes(of: r, as: V.self)
            i += 8
        }
        while i < n { out[i] = x[i] > 0 ? g[i] : 0; i += 1 }
    }

    /// Applies `f` eight lanes at a time; the tail goes through a zero-padded vector.
    @inline(__always)
    static func mapLanes(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int, _ f: (V) -> V) {
        var i = 0
        while i + 8 <= n {
            UnsafeMutableRawPointer(out + i).storeBytes(of: f(UnsafeRawPointer(x + i).loadUnaligned(as: V.self)), as: V.self)
            i += 8
        }
        if i < n {
            var v = V()
            for j in 0..<(n - i) { v[j] = x[i + j] }
            let r = f(v)
            for j in 0..<(n - i) { out[i + j] = r[j] }
        }
    }
}

extension Double: JitFloat {
    typealias V = SIMD4<Double>

    @inline(__always)
    static func exp4(_ x: V) -> V {
        var c = x
        c.replace(with: -746, where: x .< -746)
        c.replace(with: 710, where: x .> 710)
        let shifted = c * 1.442_695_040_888_963_4 + 6_755_399_441_055_744
        let n = shifted - 6_755_399_441_055_744
        let r = c - n * 6.931_471_803_691_238_164_90e-01 - n * 1.908_214_929_270_587_700_02e-10
        // Taylor to degree 13 on |r| ≤ ln 2 / 2: truncation below 10⁻¹⁷.
        var p = V(repeating: 1.0 / 6_227_020_800)
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
        let s1 = unsafeBitCast((k1 &+ 1023) &<< 52, to: V.self), s2 = unsafeBitCast((k2 &+ 1023) &<< 52, to: V.self)
        var out = y * s1 * s2
        out.replace(with: .infinity, where: x .> 709.782_712_893_384)
        out.replace(with: 0, where: x .< -745.133_219_101_941_1)
        out.replace(with: x, where: x .!= x)
        return out
    }

    @inline(__always)
    static func tanh4(_ x: V) -> V {
        let signBit = SIMD4<UInt64>(repeating: 0x8000_0000_0000_0000)
        let bits = unsafeBitCast(x, to: SIMD4<UInt64>.self)
        var a = unsafeBitCast(bits & ~signBit, to: V.self)
        a.replace(with: 40, where: a .> 40)
        let t = a + a
        var p = V(repeating: 1.0 / 1_307_674_368_000)   // 1/15!
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
        var em1 = p * (t * t) + t
        let isLarge = t .>= 0.5
        if any(isLarge) { em1.replace(with: exp4(t) - 1, where: isLarge) }
        let y = em1 / (em1 + 2)
        return unsafeBitCast(unsafeBitCast(y, to: SIMD4<UInt64>.self) | (bits & signBit), to: V.self)
    }

    static func vexp(_ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, _ n: Int) { mapLanes(x, out, n, exp4) }
    static func vtanh(_ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, _ n: Int) { mapLanes(x, out, n, tanh4) }
    static func vsigmoid(_ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, _ n: Int) {
        mapLanes(x, out, n) { 1 / (1 + exp4(-$0)) }
    }

    static func vtanhAffine(_ x: UnsafePointer<Double>, _ c: Double, _ d: Double, _ out: UnsafeMutablePointer<Double>, _ n: Int) {
        mapLanes(x, out, n) { tanh4($0 * c + d) }
    }

    static func vrelu(_ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, _ n: Int) {
        mapLanes(x, out, n) { v in var r = v; r.replace(with: 0, where: .!(v .> 0)); return r }
    }

    static func vpassWherePositive(_ g: UnsafePointer<Double>, _ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, _ n: Int) {
        var i = 0
        while i + 4 <= n {
            var r = UnsafeRawPointer(g + i).loadUnaligned(as: V.self)
            r.replace(with: 0, where: .!(UnsafeRawPointer(x + i).loadUnaligned(as: V.self) .> 0))
            UnsafeMutableRawPointer(out + i).storeBytes(of: r, as: V.self)
            i += 4
        }
        while i < n { out[i] = x[i] > 0 ? g[i] : 0; i += 1 }
    }

    @inline(__always)
    static func mapLanes(_ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, _ n: Int, _ f: (V) -> V) {
        var i = 0
        while i + 4 <= n {
            UnsafeMutableRawPointer(out + i).storeBytes(of: f(UnsafeRawPointer(x + i).loadUnaligned(as: V.self)), as: V.self)
            i += 4
        }
        if i < n {
            var v = V()
            for j in 0..<(n - i) { v[j] = x[i + j] }
            let r = f(v)
            for j in 0..<(n - i) { out[i + j] = r[j] }
        }
    }
}
