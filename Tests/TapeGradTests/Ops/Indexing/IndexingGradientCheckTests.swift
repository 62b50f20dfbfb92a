import XCTest
@testable import TapeGrad

/// Every differentiable indexing, selection, shape and sampling op against central finite differences in
/// float64 (worst relative error < 1e-6), over shapes with negative axes, broadcasting and empty dimensions;
/// and second derivatives (the pullbacks are differentiable ops) for the ops whose pullback is not linear.
final class IndexingGradientCheckTests: XCTestCase {
    typealias Case = (name: String, inputs: [Tensor], f: ([Tensor]) -> Tensor)

    func r(_ shape: [Int], _ seed: UInt64) -> Tensor { Tensor.randomUniform(shape, lower: -2, upper: 2, dtype: .float64, seed: seed) }
    func i32(_ v: [Int32], _ shape: [Int]) -> Tensor { Tensor(v, shape: shape) }

    var cases: [Case] {
        let x = r([3, 4], 1), t = r([2, 3, 4], 2)
        let m = greater(x, Tensor(0.0 as Double))
        var c: [Case] = [
            ("x[2]", [x], { $0[0][2] }),
            ("x[-1, 1..<3]", [x], { $0[0][-1, 1..<3] }),
            ("x[..., 0]", [t], { $0[0][..., 0] }),
            ("x[0, ..., 1]", [t], { $0[0][0, ..., 1] }),
            ("x[::-2, newAxis]", [x], { $0[0][TensorIndex.slice(start: nil, end: nil, step: -2), TensorIndex.newAxis] }),
            ("x[1...]", [x], { $0[0][1...] }),
            ("x[idx] repeated", [x], { $0[0][self.i32([2, 0, 2, 2], [2, 2])] }),
            ("x[1, ..., idx] separated", [t], { $0[0][1, ..., self.i32([3, 0], [2])] }),
            ("x[mask: m]", [x], { $0[0][mask: m] }),
            ("x[1..<1] empty", [x], { $0[0][1..<1] }),
            ("maskedSelect broadcast", [x], { maskedSelect($0[0], mask: Tensor([1, 0, 1, 1] as [Double])) }),
        ]
        // Writes: both the old value and the written value get gradients.
        c += [
            ("write row", [x, r([4], 3)], { var y = $0[0]; y[1] = $0[1]; return y * y }),
            ("write broadcast scalar", [t, r([], 4)], { var y = $0[0]; y[..., 2] = $0[1]; return y }),
            ("write idx repeated (last wins)", [x, r([3, 4], 5)], { var y = $0[0]; y[self.i32([2, 0, 2], [3])] = $0[1]; return y * 2 }),
            ("write mask", [x, r([], 6)], { var y = $0[0]; y[mask: m] = $0[1]; return y * y }),
            ("write twice", [x, r([2], 7), r([], 8)], { var y = $0[0]; y[0, 1..<3] = $0[1]; y[0, 2] = $0[2]; return y * $0[0] }),
        ]
        let index = i32([0, 3, 3, 1, 2, 0, 1, 1, 2], [3, 3])
        c += [
            ("gatherElements axis 1", [x], { gatherElements($0[0], axis: 1, index: index) }),
            ("takeAlongAxis axis 0", [x], { takeAlongAxis($0[0], indices: self.i32([2, 0, 1, 1, 0, 0, 2, 2], [2, 4]), axis: 0) }),
            ("scatter input and src", [x, r([3, 2], 9)], { scatter($0[0], axis: -1, index: self.i32([3, 1, 0, 2, 2, 1], [3, 2]), src: $0[1]) }),
            ("scatter src larger", [x, r([2, 3], 10)], { scatter($0[0], axis: 1, index: self.i32([1, 2], [2, 1]), src: $0[1]) }),
            ("scatterAdd repeated", [x, r([3, 2], 11)], { scatterAdd($0[0], axis: 1, index: self.i32([3, 3, 0, 1, 2, 2], [3, 2]), src: $0[1]) * $0[0] }),
            ("maskedFill input and value", [x, r([], 12)], { maskedFill($0[0], mask: Tensor([1, 0, 0, 1] as [Double]), value: $0[1]) * $0[0] }),
            ("indexSelect axis -1", [t], { indexSelect($0[0], axis: -1, index: self.i32([3, 3, 0], [3])) }),
        ]
        let d = Tensor((0..<24).map { Double(($0 * 7) % 24) * 0.3 - 3 }, shape: [2, 3, 4])   // distinct: no ties
        c += [
            ("topk largest", [d], { topk($0[0], k: 2).values }),
            ("topk smallest axis 0", [d], { topk($0[0], k: 1, axis: 0, largest: false).values }),
            ("sort ascending", [d], { sort($0[0]).values }),
            ("sort descending axis 1", [d], { sort($0[0], axis: 1, descending: true).values }),
            ("cumsum axis 1", [t], { cumsum($0[0], axis: 1) }),
            ("cumsum axis -1", [t], { cumsum($0[0], axis: -1) }),
            ("cumprod axis 2", [t], { cumprod($0[0], axis: 2) }),
            ("cumprod with zeros", [Tensor([[2, 0, 3, 0.5], [0, 1.5, 0, 2], [1, 2, -1, 0]] as [[Double]])], { cumprod($0[0], axis: 1) }),
            ("cumprod with zeros axis 0", [Tensor([[2, 0], [0, 3], [1.5, 0]] as [[Double]])], { cumprod($0[0], axis: 0) }),
            ("cummax axis 1", [d], { cummax($0[0], axis: 1).values }),
        ]
        c += [
            ("split sizes", [t], { concat(split($0[0], sizes: [1, 2], axis: 1).map { $0 * $0 }, alongAxis: 1) }),
            ("chunk", [x], { let p = chunk($0[0], chunks: 3, axis: -1); return p.count == 2 ? p[0] * p[1] : $0[0] }),
            ("narrow", [t], { narrow($0[0], axis: -1, start: -3, length: 2) }),
            ("tile", [x], { tile($0[0], multiples: [2, 1, 3]) }),
            ("repeatInterleave", [x], { repeatInterleave($0[0], repeats: [1, 0, 3], axis: 0) }),
            ("repeatInterleave flat", [x], { repeatInterleave($0[0], repeats: [2]) }),
            ("pad constant", [t], { pad($0[0], padding: [1, 2, 0, 1], value: 3) }),
            ("pad constant crop", [t], { pad($0[0], padding: [-1, 1]) }),
            ("pad reflect", [t], { pad($0[0], padding: [3, 2, 2, 1], mode: .reflect) }),
            ("pad replicate", [t], { pad($0[0], padding: [2, 3, 1, 0], mode: .replicate) }),
            ("flip", [t], { flip($0[0], axes: [0, -1]) }),
            ("roll", [t], { roll($0[0], shifts: [1, -5], axes: [0, 2]) }),
            ("roll flat", [x], { roll($0[0], shifts: [5]) }),
            ("triu", [t], { triu($0[0], diagonal: 1) }),
            ("tril", [x], { tril($0[0], diagonal: -1) }),
            ("diag vector", [r([3], 13)], { diag($0[0], offset: -1) }),
            ("diag matrix", [x], { diag($0[0], offset: 1) }),
            ("diagonal", [t], { diagonal($0[0], offset: -1, axis1: 2, axis2: 0) }),
            ("trace", [x], { trace($0[0]) }),
            ("meshgrid xy", [r([3], 14), r([2], 15)], { let g = meshgrid([$0[0], $0[1]]); return g[0] * g[1] }),
            ("flatten", [t], { $0[0].flatten(startDim: 0, endDim: 1) }),
            ("unflatten", [x], { $0[0].unflatten(axis: -1, sizes: [2, -1]) }),
            ("movedim", [t], { $0[0].movedim(source: [0, 1], destination: [2, 0]) }),
            ("indexAdd repeated", [x, r([3, 4], 18)], { indexAdd($0[0], indices: self.i32([2, 0, 2], [3]), y: $0[1], axis: 0) * $0[0] }),
            ("indexFill input and value", [t, r([], 19)], { indexFill($0[0], axis: -1, index: self.i32([0, 2], [2]), value: $0[1]) * $0[0] }),
            ("take", [x], { take($0[0], index: self.i32([11, 0, -1, 5], [2, 2])) }),
            ("cummin axis 0", [d], { cummin($0[0], axis: 0).values }),
            ("msort", [d], { msort($0[0]) }),
            ("hstack", [r([2, 1], 20), x.sliced(alongAxis: 0, from: 0, to: 2)], { hstack([$0[0], $0[1]]) }),
            ("vstack", [r([4], 21), x], { vstack([$0[0], $0[1]]) }),
            ("unbind", [t], { let p = unbind($0[0], axis: 1); return p[0] * p[1] + p[2] }),
            ("tensorSplit", [x], { let p = tensorSplit($0[0], indices: [1, 1, 3], axis: 1); return concat([p[0] * 2, p[1], p[2] * p[2], p[3]], alongAxis: 1) }),
            ("swapaxes", [t], { $0[0].swapaxes(0, -1) }),
            ("rot90", [t], { rot90($0[0], k: 3, axes: [0, 2]) }),
            ("diagEmbed", [x], { diagEmbed($0[0], offset: 1, axis1: 0, axis2: 2) }),
            ("normal mean and std", [r([3, 1], 16), r([4], 17)], { normal(mean: $0[0], standardDeviation: $0[1], seed: 3) }),
        ]
        return c
    }

    func testEveryDifferentiableOpMatchesFiniteDifferences() throws {
        var worst = 0.0
        for c in cases {
            let result = try checkGradients(c.name, at: c.inputs, of: c.f)
            XCTAssertLessThan(result.worstRelativeError, 1e-6, "\(result)")
            worst = Swift.max(worst, result.worstRelativeError)
        }
        print("indexing gradient checks: \(cases.count) cases, worst relative error \(worst)")
    }

    /// Second derivatives: the gradient (as a function of x) itself checked against finite differences.
    func testSecondDerivativesFlowThroughThePullbacks() throws {
        let weights = Tensor.randomUniform([3, 4], lower: 0.5, upper: 1.5, dtype: .float64, seed: 30)
        let withZeros = Tensor([[2, 0, 3, 0.5], [0, 1.5, 0, 2], [1, 2, -1, 0]] as [[Double]])
        let secondOrder: [Case] = [
            ("cumprod", [r([3, 4], 31)], { cumprod($0[0], axis: 1) }),
            ("cumprod with zeros", [withZeros], { cumprod($0[0], axis: 1) }),
            ("x[idx]² ", [r([3, 4], 32)], { square($0[0][Tensor([2, 0, 2] as [Int32])]) }),
            ("write then square", [r([3, 4], 33)], { var y = $0[0]; y[1] = $0[0][0] * 2; return y * y }),
            ("sort values cubed", [r([3, 4], 34)], { pow(sort($0[0], axis: 1).values, 3) }),
        ]
        for c in secondOrder {
            let result = try checkGradients("∂ \(c.name)", at: c.inputs) { xs in
                (try? gradient(at: xs[0]) { x in (c.f([x]) * weights).sum() }) ?? Tensor.placeholder(dtype: .float64)
            }
            XCTAssertLessThan(result.worstRelativeError, 1e-6, "\(result)")
        }
    }
}
