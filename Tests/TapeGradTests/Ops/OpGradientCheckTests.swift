import XCTest
@testable import TapeGrad

/// Every differentiable op checked against central finite differences, on several shapes including
/// broadcasting and rank-0 operands: float64 worst relative error < 1e-6, float32 < 1e-3.
final class OpGradientCheckTests: XCTestCase {
    struct Case {
        let name: String
        let inputs: [Tensor]
        let f: ([Tensor]) -> Tensor
    }

    /// Values in [lo, hi), away from the kinks the cases avoid.
    func r(_ shape: [Int], _ seed: UInt64, lo: Double = -2, hi: Double = 2) -> Tensor {
        Tensor.randomUniform(shape, lower: lo, upper: hi, dtype: .float64, seed: seed)
    }
    func pos(_ shape: [Int], _ seed: UInt64) -> Tensor { r(shape, seed, lo: 0.5, hi: 2) }
    /// Values bounded away from 0 (for relu/abs/leakyRelu kinks): ±[0.3, 2).
    func offZero(_ shape: [Int], _ seed: UInt64) -> Tensor {
        let magnitude = r(shape, seed, lo: 0.3, hi: 2), signs = r(shape, seed + 1000)
        return magnitude * sign(signs)
    }

    var cases: [Case] {
        var c: [Case] = []
        // Arithmetic with broadcasting and rank-0 operands.
        for (sa, sb) in [([2, 3], [2, 3]), ([2, 3], [3]), ([2, 1], [1, 3]), ([2, 3], []), ([], [4]), ([4, 1, 3], [2, 1])] {
            let a = r(sa, 1), b = pos(sb, 2)
            c.append(Case(name: "add \(sa)+\(sb)", inputs: [a, b]) { $0[0] + $0[1] })
            c.append(Case(name: "sub \(sa)-\(sb)", inputs: [a, b]) { $0[0] - $0[1] })
            c.append(Case(name: "mul \(sa)*\(sb)", inputs: [a, b]) { $0[0] * $0[1] })
            c.append(Case(name: "div \(sa)/\(sb)", inputs: [a, b]) { $0[0] / $0[1] })
            c.append(Case(name: "maximum \(sa),\(sb)", inputs: [a, b]) { maximum($0[0], $0[1]) })
            c.append(Case(name: "minimum \(sa),\(sb)", inputs: [a, b]) { minimum($0[0], $0[1]) })
            c.append(Case(name: "pow \(sa)^\(sb)", inputs: [pos(sa, 3), r(sb, 4)]) { pow($0[0], $0[1]) })
        }
        let x = r([3, 4], 5)
        c += [
            Case(name: "neg", inputs: [x]) { -$0[0] },
            Case(name: "tensor+scalar", inputs: [x]) { $0[0] + 1.5 },
            Case(name: "scalar-tensor", inputs: [x]) { 1.5 - $0[0] },
            Case(name: "tensor*scalar", inputs: [x]) { $0[0] * -2.5 },
            Case(name: "scalar*tensor", inputs: [x]) { 3 * $0[0] },
            Case(name: "tensor/scalar", inputs: [x]) { $0[0] / 4 },
            Case(name: "scalar/tensor", inputs: [pos([3, 4], 6)]) { 2 / $0[0] },
            Case(name: "pow scalar", inputs: [pos([3, 4], 7)]) { pow($0[0], 2.5) },
            Case(name: "exp", inputs: [x]) { exp($0[0]) },
            Case(name: "log", inputs: [pos([3, 4], 8)]) { log($0[0]) },
            Case(name: "sqrt", inputs: [pos([3, 4], 9)]) { sqrt($0[0]) },
            Case(name: "rsqrt", inputs: [pos([3, 4], 10)]) { rsqrt($0[0]) },
            Case(name: "abs", inputs: [offZero([3, 4], 11)]) { abs($0[0]) },
            Case(name: "sin", inputs: [x]) { sin($0[0]) },
            Case(name: "cos", inputs: [x]) { cos($0[0]) },
            Case(name: "tanh", inputs: [x]) { tanh($0[0]) },
            Case(name: "sigmoid", inputs: [x]) { sigmoid($0[0]) },
            Case(name: "relu", inputs: [offZero([3, 4], 12)]) { relu($0[0]) },
            Case(name: "leakyRelu", inputs: [offZero([3, 4], 13)]) { leakyRelu($0[0], alpha: 0.1) },
            Case(name: "gelu approximate", inputs: [x]) { gelu($0[0]) },
            Case(name: "gelu exact", inputs: [x]) { gelu($0[0], approximate: false) },
            Case(name: "softplus", inputs: [x]) { softplus($0[0]) },
            Case(name: "square", inputs: [x]) { square($0[0]) },
            Case(name: "erf", inputs: [x]) { erf($0[0]) },
            Case(name: "clip", inputs: [r([3, 4], 14, lo: -3, hi: 3)]) { clip($0[0], min: -1.05, max: 1.05) },
            Case(name: "where", inputs: [x, r([4], 15)]) { `where`(greater($0[0], Tensor(0.1 as Double)), $0[0], $0[1]) },
            Case(name: "rank-0 exp", inputs: [r([], 16)]) { exp($0[0]) },
        ]
        // Matrix products: all flag combinations, batched with broadcast batch dimensions.
        let a = r([3, 4], 20), b = r([4, 5], 21), at = r([4, 3], 22), bt = r([5, 4], 23)
        c += [
            Case(name: "matmul", inputs: [a, b]) { matmul($0[0], $0[1]) },
            Case(name: "matmul Aᵀ", inputs: [at, b]) { matmul($0[0], $0[1], transposeA: true) },
            Case(name: "matmul Bᵀ", inputs: [a, bt]) { matmul($0[0], $0[1], transposeB: true) },
            Case(name: "matmul AᵀBᵀ", inputs: [at, bt]) { matmul($0[0], $0[1], transposeA: true, transposeB: true) },
            Case(name: "matmul batched [2,3,4]·[4,5]", inputs: [r([2, 3, 4], 24), b]) { matmul($0[0], $0[1]) },
            Case(name: "matmul batched [1,3,4]·[2,4,5]", inputs: [r([1, 3, 4], 25), r([2, 4, 5], 26)]) { matmul($0[0], $0[1]) },
            Case(name: "linear", inputs: [a, r([5, 4], 41), r([5], 42)]) { linear($0[0], weight: $0[1], bias: $0[2]) },
            Case(name: "linear relu", inputs: [offZero([3, 4], 43), r([5, 4], 44), r([5], 45)]) { linear($0[0], weight: $0[1], bias: $0[2], relu: true) },
            Case(name: "linear no bias", inputs: [a, r([5, 4], 46)]) { linear($0[0], weight: $0[1], bias: nil) },
            Case(name: "matmul batched Bᵀ", inputs: [r([2, 3, 4], 27), r([2, 5, 4], 28)]) { matmul($0[0], $0[1], transposeB: true) },
        ]
        // Shape ops.
        let t = r([2, 3, 4], 30)
        c += [
            Case(name: "transpose perm", inputs: [t]) { $0[0].transposed(permutation: [2, 0, 1]) },
            Case(name: "transpose last two", inputs: [t]) { $0[0].transposed() },
            Case(name: "reshape", inputs: [t]) { $0[0].reshaped(to: [4, -1]) },
            Case(name: "expandDims", inputs: [x]) { [w = r([3, 2, 4], 31)] in $0[0].expandingShape(at: 1) * w },
            Case(name: "squeeze", inputs: [r([3, 1, 4], 32)]) { $0[0].squeezingShape(at: [1]) },
            Case(name: "broadcastTo", inputs: [r([3, 1], 33)]) { $0[0].broadcast(to: [2, 3, 4]) },
            Case(name: "slice axis 1", inputs: [t]) { $0[0].sliced(alongAxis: 1, from: 1, to: 3) },
            Case(name: "slice axis -1", inputs: [t]) { $0[0].sliced(alongAxis: -1, from: 0, to: 2) },
            Case(name: "concat axis 1", inputs: [t, r([2, 2, 4], 34)]) { concat([$0[0], $0[1]], alongAxis: 1) },
            Case(name: "stack axis 0", inputs: [x, r([3, 4], 35)]) { stack([$0[0], $0[1]], alongAxis: 0) },
            Case(name: "stack axis 2", inputs: [x, r([3, 4], 36)]) { stack([$0[0], $0[1]], alongAxis: 2) },
            Case(name: "astype int32→float64 path", inputs: [x]) { $0[0].astype(.float64) * $0[0] },
            Case(name: "gather", inputs: [r([5, 3], 37)]) { gather($0[0], indices: Tensor([4, 0, 4, 2] as [Int32])) },
            Case(name: "gather axis 1", inputs: [r([2, 5, 3], 38)]) { gather($0[0], indices: Tensor([[1, 3], [3, 0]] as [[Int32]]), axis: 1) },
        ]
        // Reductions and normalisations.
        c += [
            Case(name: "sum all", inputs: [t]) { $0[0].sum() },
            Case(name: "sum axes [0,2]", inputs: [t]) { $0[0].sum(alongAxes: [0, 2]) },
            Case(name: "sum keepDims", inputs: [t]) { $0[0].sum(alongAxes: [1], keepDims: true) },
            Case(name: "mean all", inputs: [t]) { $0[0].mean() },
            Case(name: "mean axis -1 keepDims", inputs: [t]) { $0[0].mean(alongAxes: [-1], keepDims: true) },
            Case(name: "max all", inputs: [t]) { $0[0].max() },
            Case(name: "max axis 1", inputs: [t]) { $0[0].max(alongAxes: [1]) },
            Case(name: "min axes [0,1] keepDims", inputs: [t]) { $0[0].min(alongAxes: [0, 1], keepDims: true) },
            Case(name: "logSumExp axis 2", inputs: [t]) { $0[0].logSumExp(alongAxes: [2]) },
            Case(name: "logSumExp all", inputs: [t]) { $0[0].logSumExp() },
        ]
        for axis in [0, 1, 2, -1] {
            c.append(Case(name: "softmax axis \(axis)", inputs: [t]) { $0[0].softmax(alongAxis: axis) })
            c.append(Case(name: "logSoftmax axis \(axis)", inputs: [t]) { $0[0].logSoftmax(alongAxis: axis) })
        }
        return c
    }

    func testEveryOpMatchesFiniteDifferencesInFloat64() throws {
        var worst = 0.0
        for c in cases {
            let result = try checkGradients(c.name, at: c.inputs, of: c.f)
            XCTAssertLessThan(result.worstRelativeError, 1e-6, "\(result)")
            worst = Swift.max(worst, result.worstRelativeError)
        }
        print("float64 gradient checks: \(cases.count) cases, worst relative error \(worst)")
    }

    func testEveryOpMatchesFiniteDifferencesInFloat32() throws {
        var worst = 0.0
        for c in cases {
            let result = try checkGradients(c.name, at: c.inputs, dtype: .float32, of: c.f)
            XCTAssertLessThan(result.worstRelativeError, 1e-3, "\(result)")
            worst = Swift.max(worst, result.worstRelativeError)
        }
        print("float32 gradient checks: \(cases.count) cases, worst relative error \(worst)")
    }

    func testCheckGradientsCatchesAWrongPullback() throws {
        // stopGradient inside makes the tape's gradient half the true one: the check must notice.
        let result = try checkGradients("x·stop(x)", at: [r([4], 40)]) { $0[0] * stopGradient($0[0]) }
        XCTAssertGreaterThan(result.worstRelativeError, 0.1)
    }
}
