import Foundation

/// Scalar special functions the C library lacks, in float64 (float32 kernels round the result).
enum SpecialFunctions {
    /// The inverse error function: erf(erfinv(y)) = y on (−1, 1); ±∞ at ±1; NaN outside.
    /// Giles' single-precision approximation, refined by two Newton steps.
    static func erfinv(_ y: Double) -> Double {
        if y.isNaN || y < -1 || y > 1 { return .nan }
        if y == 1 { return .infinity }
        if y == -1 { return -.infinity }
        var w = -Foundation.log((1 - y) * (1 + y))
        var x: Double
        if w < 5 {
            w -= 2.5
            var p = 2.81022636e-08
            for c in [3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
                      -0.00417768164, 0.246640727, 1.50140941] { p = c + p * w }
            x = p * y
        } else {
            w = w.squareRoot() - 3
            var p = -0.000200214257
            for c in [0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613,
                      0.00943887047, 1.00167406, 2.83297682] { p = c + p * w }
            x = p * y
        }
        let scale = 2 / Double.pi.squareRoot()
        for _ in 0..<2 {
            let slope = scale * Foundation.exp(-x * x)
            guard slope > 0 else { break }
            x -= (Foundation.erf(x) - y) / slope
        }
        return x
    }

    /// The digamma function ψ(x) = Γ′(x)/Γ(x): −∞ at 0, NaN at the negative integers.
    static func digamma(_ value: Double) -> Double {
        var x = value
        if x.isNaN || x == -.infinity { return .nan }
        if x == .infinity { return .infinity }
        if x == 0 { return -.infinity }
        var result = 0.0
        if x < 0 {
            if x == x.rounded(.down) { return .nan }
            // Reflection: ψ(x) = ψ(1 − x) − π / tan(πx).
            result = -Double.pi / Foundation.tan(Double.pi * x)
            x = 1 - x
        }
        while x < 10 { result -= 1 / x; x += 1 }
        let r = 1 / (x * x)
        var tail: Double = 1.0 / 132
        for c: Double in [1.0 / 240, 1.0 / 252, 1.0 / 120, 1.0 / 12] { tail = c - r * tail }
        tail *= r
        return result + Foundation.log(x) - 0.5 / x - tail
    }

    /// The polygamma function ψ⁽ⁿ⁾(x) = dⁿψ/dxⁿ for n ≥ 1: (−1)ⁿ⁺¹ n! ζ(n + 1, x), the Hurwitz zeta summed
    /// directly up to x + k ≥ n + 15 and by its Euler–Maclaurin tail beyond. NaN at the non-positive integers.
    static func polygamma(_ n: Int, _ value: Double) -> Double {
        if n == 0 { return digamma(value) }
        guard n > 0, value.isFinite else { return value == .infinity ? 0 : .nan }
        if value <= 0 && value == value.rounded(.down) { return .nan }
        let s = Double(n + 1)
        var x = value, sum = 0.0
        let bound = Double(n) + 15
        while x < bound { sum += Foundation.pow(x, -s); x += 1 }
        // ζ(s, x) ≈ x^(1−s)/(s−1) + x^(−s)/2 + Σⱼ B₂ⱼ/(2j)! · s(s+1)…(s+2j−2) · x^(−s−2j+1).
        sum += Foundation.pow(x, 1 - s) / (s - 1) + 0.5 * Foundation.pow(x, -s)
        let bernoulli: [Double] = [0.16666666666666666, -0.03333333333333333, 0.023809523809523808, -0.03333333333333333, 0.07575757575757576, -0.2531135531135531]
        var rising = s, factorial = 2.0, power = Foundation.pow(x, -s - 1)
        for (j, b) in bernoulli.enumerated() {
            sum += b / factorial * rising * power
            let k = Double(2 * j + 2)
            rising *= (s + k - 1) * (s + k)
            factorial *= (k + 1) * (k + 2)
            power /= x * x
        }
        var nFactorial = 1.0
        for k in 1...n { nFactorial *= Double(k) }
        return (n % 2 == 1 ? 1 : -1) * nFactorial * sum
    }
}
