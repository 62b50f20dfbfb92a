import XCTest
@testable import TapeGrad

/// Each op with a trace rule: the jitted value and gradients against eager `valueAndGrad`.
///
/// Exact (bit-identical) where the compiled program performs the same float operations in the same order as
/// the eager kernels: arithmetic, scalar ops, relu, square, sqrt, products (the same cblas call), linear, and
/// eˣ, ln, tanh and σ (eager and jit call the same VectorMath loops). Within a relative tolerance where it may
/// not: sums (the gradient of a broadcast, `sum`, `mean`) accumulate in another order.
final class JitOpTests: XCTestCase {
    /// Compares jit(valueAndGrad(f)) with valueAndGrad(f) for every input position.
    func check(_ name: String, _ inputs: [Tensor], exact: Bool, tolerance: Double = 2e-6,
               file: StaticString = #filePath, line: UInt = #line, _ f: @escaping @Sendable ([Tensor]) -> Tensor) throws {
        let positions = GradPosition.indices(Array(inputs.indices))
        let eagerFn = try valueAndGrad(f, gradPosition: positions, inputCount: inputs.count)
        let jitFn = jit(eagerFn, strict: true)
        let (v0, g0) = try eagerFn(inputs)
        // Twice: the first call traces, the second replays.
        for call in 0..<2 {
            let (v1, g1) = try jitFn(inputs)
            let expected = [v0] + g0.tensors, got = [v1] + g1.tensors
            XCTAssertEqual(expected.count, got.count, "\(name): output count", file: file, line: line)
            for (k, (e, g)) in zip(expected, got).enumerated() {
                XCTAssertEqual(e.shape, g.shape, "\(name) output \(k) shape", file: file, line: line)
                let a = e.scalars, b = g.scalars
                if exact {
                    XCTAssertEqual(a.map { $0.bitPattern }, b.map { $0.bitPattern }, "\(name) output \(k) (call \(call)) not bit-identical: \(a) vs \(b)", file: file, line: line)
                } else {
                    for (u, v) in zip(a, b) {
                        XCTAssertLessThanOrEqual(Swift.abs(u - v), tolerance * Swift.max(1, Swift.abs(u)), "\(name) output \(k): \(u) vs \(v)", file: file, line: line)
                    }
                }
            }
        }
        XCTAssertEqual(jitFn.diagnostics.traceCount, 1, name, file: file, line: line)
        XCTAssertNil(jitFn.diagnostics.eagerFallbackReason, name, file: file, line: line)
    }

    let a = Tensor.randomNormal([3, 4], seed: 1), b = Tensor.randomNormal([3, 4], seed: 2)
    let row = Tensor.randomNormal([4], seed: 3), positive = Tensor.randomUniform([3, 4], lower: 0.5, upper: 2, seed: 4)

    func testArithmeticIsBitIdentical() throws {
        try check("add", [a, b], exact: true) { $0[0] + $0[1] }
        try check("sub", [a, b], exact: true) { $0[0] - $0[1] }
        try check("mul", [a, b], exact: true) { $0[0] * $0[1] }
        try check("div", [a, positive], exact: true) { $0[0] / $0[1] }
        try check("neg", [a], exact: true) { -$0[0] }
        try check("chain", [a, b], exact: true) { ($0[0] * $0[1] - $0[0]) / ($0[1] * $0[1] + 1) }
    }

    func testScalarOpsAreBitIdentical() throws {
        try check("x + c", [a], exact: true) { $0[0] + 0.1 }
        try check("x - c", [a], exact: true) { $0[0] - 0.3 }
        try check("x * c", [a], exact: true) { $0[0] * 1.01 }
        try check("x / c", [a], exact: true) { $0[0] / 3 }
        try check("c - x", [a], exact: true) { 2 - $0[0] }
        try check("c / x", [positive], exact: true) { 2 / $0[0] }
        // x·c + d runs as one merged step (Lowering.swift), still rounding the product and the sum separately.
        try check("x * c + d", [a], exact: true) { $0[0] * 1.01 + 0.1 }
    }

    func testOtherUnaryOpsAreBitIdentical() throws {
        try check("relu", [a], exact: true) { relu($0[0]) }
        try check("square", [a], exact: true) { square($0[0]) }
        try check("sqrt", [positive], exact: true) { sqrt($0[0]) }
        try check("log", [positive], exact: true) { log($0[0]) }
    }

    func testVectorisedFunctionsAreBitIdentical() throws {
        try check("exp", [a], exact: true) { exp($0[0]) }
        try check("log", [positive], exact: true) { log($0[0]) }
        try check("tanh", [a], exact: true) { tanh($0[0]) }
        try check("sigmoid", [a], exact: true) { sigmoid($0[0]) }
        try check("tanh chain", [a], exact: true) { x in
            var x = x[0]
            for _ in 0..<20 { x = tanh(x * 1.01 + 0.1) }
            return x
        }
    }

    func testBroadcastingOpsSumTheGradientBack() throws {
        try check("add row", [a, row], exact: false) { $0[0] + $0[1] }
        try check("mul row", [a, row], exact: false) { $0[0] * $0[1] }
        try check("div row", [a, row * row + 1], exact: false) { $0[0] / $0[1] }
        try check("sub scalar tensor", [a, Tensor(2)], exact: false) { $0[0] - $0[1] }
        try check("broadcast", [row], exact: false) { $0[0].broadcast(to: [3, 4]) * 2 }
    }

    func testReductionsAndReshape() throws {
        try check("sum", [a], exact: false) { $0[0].sum() }
        try check("sum axis 0", [a], exact: false) { $0[0].sum(alongAxes: [0]) }
        try check("sum axis 1 kept", [a], exact: false) { $0[0].sum(alongAxes: [1], keepDims: true) * 3 }
        try check("mean", [a], exact: false) { $0[0].mean() }
        try check("mean axis 1", [a], exact: false) { $0[0].mean(alongAxes: [1]) }
        try check("reshape", [a], exact: true) { $0[0].reshaped(to: [2, 6]) * 2 }
    }

    func testProductsAndLinearAreBitIdentical() throws {
        let x = Tensor.randomNormal([5, 3], seed: 5), w = Tensor.randomNormal([4, 3], seed: 6), bias = Tensor.randomNormal([4], seed: 7)
        let wt = Tensor.randomNormal([3, 4], seed: 8)
        try check("matmul", [x, wt], exact: true) { matmul($0[0], $0[1]) }
        try check("matmul tB", [x, w], exact: true) { matmul($0[0], $0[1], transposeB: true) }
        try check("matmul tA", [wt, wt], exact: true) { matmul($0[0], $0[1], transposeA: true) }
        try check("matmul tA tB", [x, Tensor.randomNormal([4, 5], seed: 12)], exact: true) { matmul($0[0], $0[1], transposeA: true, transposeB: true) }
        try check("linear", [x, w, bias], exact: true) { linear($0[0], weight: $0[1], bias: $0[2]) }
        try check("linear relu", [x, w, bias], exact: true) { linear($0[0], weight: $0[1], bias: $0[2], relu: true) }
        try check("linear no bias", [x, w], exact: true) { linear($0[0], weight: $0[1], bias: nil) }
    }

    func testSparseSoftmaxCrossEntropyMean() throws {
        let logits = Tensor.randomNormal([6, 5], seed: 9)
        let labels = Tensor([0, 4, 2, 1, 3, 2] as [Int32])
        let loss = SoftmaxCrossEntropyWithLogits(sparse: true, reduction: .mean)
        try check("sparse softmax cross-entropy", [logits], exact: false) { loss($0[0], labels) }
        let f = jit(try valueAndGrad({ (x: Tensor, y: Tensor) in loss(x, y) }, gradPosition: 0), strict: true)
        let (v, g) = try f(logits, labels)
        let (v0, g0) = try valueAndGrad({ (x: Tensor, y: Tensor) in loss(x, y) }, gradPosition: 0)(logits, labels)
        XCTAssertEqual(v.item(), v0.item(), accuracy: 1e-6)
        for (u, w) in zip(g.asTensor.scalars, g0.asTensor.scalars) { XCTAssertEqual(u, w, accuracy: 1e-6) }
        // The labels are an input of the trace, not a constant: other labels give the other loss.
        let other = Tensor([1, 1, 1, 1, 1, 1] as [Int32])
        XCTAssertEqual(try f(logits, other).value.item(), try valueAndGrad({ (x: Tensor, y: Tensor) in loss(x, y) })(logits, other).value.item(), accuracy: 1e-6)
        XCTAssertEqual(f.diagnostics.traceCount, 1)
    }

    func testFloat64ValuesAndGradients() throws {
        let x = Tensor.randomNormal([4, 3], dtype: .float64, seed: 10), w = Tensor.randomNormal([2, 3], dtype: .float64, seed: 11)
        try check("float64 tanh chain", [x], exact: false, tolerance: 1e-13) { x in
            var x = x[0]
            for _ in 0..<10 { x = tanh(x * 1.01 + 0.1) }
            return (x * x).sum()
        }
        try check("float64 exp sigmoid", [x], exact: true) { sigmoid(exp($0[0]) - 1) }
        try check("float64 linear", [x, w], exact: true) { linear($0[0], weight: $0[1], bias: nil, relu: true) }
    }
}
