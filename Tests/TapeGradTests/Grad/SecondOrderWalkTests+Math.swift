import XCTest
@testable import TapeGrad

/// The second-order walk's rows for the math table (trigonometric, exponential, special functions, rounding,
/// clamping), the activations, and the comparison, logical and classification ops.
extension SecondOrderWalkTests {
    /// A float64 tensor from literal values.
    static func values(_ v: [Double], _ shape: [Int]) -> Tensor { Tensor(v, shape: shape) }
    /// A 0/1 mask (or any non-differentiable result) as float64, so that it multiplies float64 inputs.
    static func asDouble(_ t: Tensor) -> Tensor { t.astype(.float64) }

    static var smoothMath: [Row] {
        let x = u([2, 3], 300)
        let unit = u([2, 3], 301, lo: -0.9, hi: 0.9)          // |x| < 1: asin, acos, atanh, erfinv
        return [
            Row("tan", inputs: [u([2, 3], 302, lo: -1.2, hi: 1.2)]) { tan($0[0]) },
            Row("asin", inputs: [unit]) { asin($0[0]) },
            Row("acos", inputs: [unit]) { acos($0[0]) },
            Row("atan", inputs: [x]) { atan($0[0]) },
            Row("sinh", inputs: [x]) { sinh($0[0]) },
            Row("cosh", inputs: [x]) { cosh($0[0]) },
            Row("asinh", inputs: [x]) { asinh($0[0]) },
            Row("acosh", "x > 1", inputs: [u([2, 3], 303, lo: 1.2, hi: 3)]) { acosh($0[0]) },
            Row("atanh", inputs: [unit]) { atanh($0[0]) },
            Row("atan2", "broadcast, away from the origin", inputs: [off([2, 3], 304), off([3], 305)]) { atan2($0[0], $0[1]) },
            Row("hypot", "broadcast, away from the origin", inputs: [off([2, 3], 306), off([3], 307)]) { hypot($0[0], $0[1]) },
            Row("log1p", inputs: [u([2, 3], 308, lo: -0.5, hi: 2)]) { log1p($0[0]) },
            Row("expm1", inputs: [x]) { expm1($0[0]) },
            Row("log2", inputs: [pos([2, 3], 309)]) { log2($0[0]) },
            Row("log10", inputs: [pos([2, 3], 310)]) { log10($0[0]) },
            Row("exp2", inputs: [x]) { exp2($0[0]) },
            Row("reciprocal", inputs: [off([2, 3], 311)]) { reciprocal($0[0]) },
            Row("lerp", "tensor weight, all three differentiated", inputs: [x, u([3], 312), u([2, 3], 313, lo: 0, hi: 1)]) {
                lerp($0[0], $0[1], weight: $0[2]) * $0[0]
            },
            Row("lerp", "scalar weight", inputs: [x, u([2, 3], 314)]) { square(lerp($0[0], $0[1], weight: 0.3)) },
            Row("erfc", inputs: [x]) { erfc($0[0]) },
            Row("erfinv", inputs: [unit]) { erfinv($0[0]) },
            Row("lgamma", inputs: [pos([2, 3], 315)]) { lgamma($0[0]) },
            Row("digamma", inputs: [pos([2, 3], 316)]) { digamma($0[0]) },
            Row("polygamma", "n = 1", inputs: [pos([2, 3], 317)]) { polygamma(1, $0[0]) },
            Row("polygamma", "n = 2", inputs: [pos([2, 3], 318)]) { polygamma(2, $0[0]) },
            Row("polygamma", "n = 0 is digamma", inputs: [pos([2, 3], 319)]) { polygamma(0, $0[0]) },
            Row("clamp", "scalar bounds", inputs: [values([-2.5, -0.4, 0.2, 0.9, 1.7, 3.1], [2, 3])]) { square(clamp($0[0], min: -1, max: 1.5)) },
            Row("clamp", "lower bound only", inputs: [values([-2.5, -0.4, 0.2, 0.9, 1.7, 3.1], [2, 3])]) { square(clamp($0[0], min: 0)) * $0[0] },
            Row("clamp", "tensor bounds, bounds differentiated", inputs: [
                values([-2.5, -0.4, 0.2, 0.9, 1.7, 3.1], [2, 3]), values([-1, 0.1, -0.5], [3]), values([1.5, 0.6, 2], [3]),
            ]) { square(clamp($0[0], min: $0[1], max: $0[2])) * $0[0] },
            Row("nanToNum", "finite input: the identity", inputs: [x]) { square(nanToNum($0[0])) * $0[0] },
            Row("frac", "away from integers", inputs: [values([-1.7, -0.3, 0.4, 1.25, 2.6, -2.2], [2, 3])]) { square(frac($0[0])) * $0[0] },
            // ∂(a mod b)/∂a = 1, ∂(a mod b)/∂b = −⌊a/b⌋ (a constant): a/b stays away from integers.
            Row("remainder", "broadcast", inputs: [values([-2.3, 0.7, 3.9, 1.3, -0.6, 4.6], [2, 3]), values([1.5, 1.1, -1.7], [3])]) {
                square(remainder($0[0], $0[1]))
            },
            Row("floorMod", inputs: [values([-2.3, 0.7, 3.9, 1.3, -0.6, 4.6], [2, 3]), values([1.5, 1.1, 1.7], [3])]) { square(floorMod($0[0], $0[1])) },
            Row("mod", inputs: [values([-2.3, 0.7, 3.9, 1.3, -0.6, 4.6], [2, 3]), values([1.5, 1.1, 1.7], [3])]) { square(mod($0[0], $0[1])) },
            Row("fmod", "broadcast, negative dividend", inputs: [values([-2.3, 0.7, 3.9, 1.3, -0.6, 4.6], [2, 3]), values([1.5, -1.1, 1.7], [3])]) {
                square(fmod($0[0], $0[1]))
            },
        ]
    }

    static var activations: [Row] {
        let x = u([2, 3], 330)
        let kinked = values([-2.4, -0.7, -0.2, 0.3, 0.8, 1.9], [2, 3])       // off 0 and off ±1
        let hard = values([-4.5, -2.1, -0.6, 0.9, 2.7, 6.8], [2, 3])         // off −3, 0, 3 and 6
        return [
            Row("silu", inputs: [x]) { silu($0[0]) },
            Row("elu", "both sides of 0", inputs: [kinked]) { elu($0[0], alpha: 0.7) },
            Row("selu", "both sides of 0", inputs: [kinked]) { selu($0[0]) },
            Row("celu", "both sides of 0", inputs: [kinked]) { celu($0[0], alpha: 1.3) },
            Row("mish", inputs: [x]) { mish($0[0]) },
            Row("relu6", "below, inside and above", inputs: [hard]) { square(relu6($0[0])) * $0[0] },
            Row("hardsigmoid", "below, inside and above", inputs: [hard]) { square(hardsigmoid($0[0])) * $0[0] },
            Row("hardswish", "below, inside and above", inputs: [hard]) { hardswish($0[0]) },
            Row("hardtanh", "default bounds", inputs: [kinked]) { square(hardtanh($0[0])) * $0[0] },
            Row("hardtanh", "custom bounds", inputs: [hard]) { square(hardtanh($0[0], minVal: -2, maxVal: 3)) * $0[0] },
            Row("softsign", inputs: [kinked]) { softsign($0[0]) },
            Row("logSigmoid", inputs: [x]) { logSigmoid($0[0]) },
            Row("prelu", "per-channel slope differentiated", inputs: [values([-1.5, 0.4, -0.3, 2.1, 0.7, -0.9, 1.2, -2.2], [2, 2, 2]), values([0.25, -0.4], [2])]) {
                square(prelu($0[0], weight: $0[1]))
            },
            Row("prelu", "one slope", inputs: [kinked, values([0.3], [1])]) { prelu($0[0], weight: $0[1]) * $0[0] },
            Row("glu", "last axis", inputs: [u([3, 4], 331)]) { glu($0[0]) },
            Row("glu", "axis 0", inputs: [u([4, 3], 332)]) { square(glu($0[0], axis: 0)) },
        ]
    }

    /// Piecewise-constant ops and 0/1 masks: no derivative of any order (MindSpore's rounding gradient is 0). Each
    /// result multiplies a smooth function of the same inputs, so a leaked derivative would show.
    static var piecewiseConstant: [Row] {
        let x = values([-1.7, -0.3, 0.4, 1.25, 2.6, -2.2], [2, 3])       // away from integers and from 0.5 + ℤ
        let (a, b) = (u([2, 3], 340), u([3], 341))
        let zerosHere = values([1, 0, -2], [3])                          // a constant with zeros
        return [
            Row("floor", "a constant", inputs: [x]) { floor($0[0]) * $0[0] * $0[0] },
            Row("ceil", "a constant", inputs: [x]) { ceil($0[0]) * $0[0] * $0[0] },
            Row("round", "a constant", inputs: [x]) { round($0[0]) * $0[0] * $0[0] },
            Row("trunc", "a constant", inputs: [x]) { trunc($0[0]) * $0[0] * $0[0] },
            Row("floorDivide", "a constant", inputs: [x, values([1.5, 1.1, -1.7], [3])]) { floorDivide($0[0], $0[1]) * $0[0] * $0[1] },
            Row("notEqual", "a constant mask", inputs: [a, b]) { asDouble(notEqual($0[0], $0[1])) * $0[0] * $0[1] },
            Row("logicalAnd", "a constant mask", inputs: [a]) { asDouble(logicalAnd($0[0], zerosHere)) * $0[0] * $0[0] },
            Row("logicalOr", "a constant mask", inputs: [a]) { (asDouble(logicalOr(zerosHere, $0[0] * 0)) + 1) * $0[0] * $0[0] },
            Row("logicalXor", "a constant mask", inputs: [a]) { (asDouble(logicalXor($0[0], zerosHere)) + 1) * $0[0] * $0[0] },
            Row("logicalNot", "a constant mask", inputs: [a]) { (asDouble(logicalNot($0[0])) + 1) * $0[0] * $0[0] },
            Row("isnan", "a constant mask", inputs: [a]) { (asDouble(isnan($0[0])) + 1) * $0[0] * $0[0] },
            Row("isinf", "a constant mask", inputs: [a]) { (asDouble(isinf($0[0])) + 1) * $0[0] * $0[0] },
            Row("isfinite", "a constant mask", inputs: [a]) { asDouble(isfinite($0[0])) * $0[0] * $0[0] },
            Row("isclose", "a constant mask", inputs: [a, b]) { (asDouble(isclose($0[0], $0[1], rtol: 0.5)) + 1) * $0[0] * $0[1] },
            Row("allclose", "a constant flag", inputs: [a, b]) { (allclose($0[0], $0[0]) ? 2.0 : 1.0) * $0[0] * $0[1] },
            Row("countNonzero", "a constant count", inputs: [a]) {
                asDouble($0[0].countNonzero(alongAxes: [1], keepDims: true) + (($0[0] * zerosHere).countNonzero(alongAxes: [1], keepDims: true))) * $0[0] * $0[0]
            },
            Row("any", "a constant flag", inputs: [a]) { (asDouble(($0[0] * 0).any(alongAxes: [1], keepDims: true)) + 1) * $0[0] * $0[0] },
            Row("all", "a constant flag", inputs: [a]) { asDouble(($0[0] * zerosHere).all(alongAxes: [0])) * $0[0] * $0[0] + asDouble($0[0].all()) * $0[0] },
        ]
    }
}
