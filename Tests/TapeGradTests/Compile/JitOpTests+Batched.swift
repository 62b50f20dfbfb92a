import XCTest
@testable import TapeGrad

/// Batched products and sums over any set of axes, jitted against eager `valueAndGrad`.
///
/// Bit-identical where the compiled program makes the same gemm calls in the same order (a batched product
/// whose operands have the full batch, and its gradients); within 2·10⁻⁶ relative where a gradient is summed
/// over broadcast batch dimensions or a sum runs over several axes (the accumulation order differs).
extension JitOpTests {
    func testBatchedMatmulIsOneGemmPerItem() throws {
        let a = Tensor.randomNormal([2, 3, 4, 5], seed: 20), b = Tensor.randomNormal([2, 3, 5, 6], seed: 21)
        let bt = Tensor.randomNormal([2, 3, 6, 5], seed: 22), at = Tensor.randomNormal([2, 3, 5, 4], seed: 23)
        try check("batched", [a, b], exact: true) { matmul($0[0], $0[1]) }
        try check("batched tB", [a, bt], exact: true) { matmul($0[0], $0[1], transposeB: true) }
        try check("batched tA", [at, b], exact: true) { matmul($0[0], $0[1], transposeA: true) }
        try check("batched tA tB", [at, bt], exact: true) { matmul($0[0], $0[1], transposeA: true, transposeB: true) }
        try check("batched chain", [a, b], exact: false) { (tanh(matmul($0[0], $0[1])) * 2).sum() }
    }

    func testBatchedMatmulBroadcastsBatchDimensions() throws {
        let a = Tensor.randomNormal([2, 3, 4, 5], seed: 24)
        try check("rank 4 · rank 2", [a, Tensor.randomNormal([5, 6], seed: 25)], exact: false) { matmul($0[0], $0[1]) }
        try check("rank 2 · rank 3", [Tensor.randomNormal([4, 5], seed: 26), Tensor.randomNormal([3, 5, 6], seed: 27)], exact: false) { matmul($0[0], $0[1]) }
        try check("[2, 1] · [3] batch", [Tensor.randomNormal([2, 1, 4, 5], seed: 28), Tensor.randomNormal([3, 5, 6], seed: 29)], exact: false) {
            matmul($0[0], $0[1])
        }
        try check("attention scores", [Tensor.randomNormal([2, 4, 8], seed: 30), Tensor.randomNormal([2, 4, 8], seed: 31)], exact: false) {
            matmul($0[0], $0[1], transposeB: true) / 8
        }
    }

    func testBatchedMatmulRetracesOnANewBatch() throws {
        let f = jit(try valueAndGrad({ a, b in matmul(a, b).sum() }, gradPosition: [0, 1]), strict: true)
        for batch in [2, 5] {
            let a = Tensor.randomNormal([batch, 3, 4], seed: 32), b = Tensor.randomNormal([4, 2], seed: 33)
            let (v, g) = try f(a, b)
            let (v0, g0) = try valueAndGrad({ a, b in matmul(a, b).sum() }, gradPosition: [0, 1])(a, b)
            XCTAssertEqual(v.item(), v0.item(), accuracy: 1e-5)
            for (x, y) in zip(g.tensors, g0.tensors) {
                XCTAssertEqual(x.shape, y.shape)
                for (u, w) in zip(x.scalars, y.scalars) { XCTAssertEqual(u, w, accuracy: 1e-5) }
            }
        }
        XCTAssertEqual(f.diagnostics.traceCount, 2)
    }

    func testSumsOverNonAdjacentAxes() throws {
        let x = Tensor.randomNormal([2, 3, 4, 5], seed: 34)
        try check("sum [0, 2]", [x], exact: false) { $0[0].sum(alongAxes: [0, 2]) }
        try check("sum [1, 3] kept", [x], exact: false) { $0[0].sum(alongAxes: [1, 3], keepDims: true) * 2 }
        try check("sum [0, 1, 3]", [x], exact: false) { $0[0].sum(alongAxes: [0, 1, 3]) }
        try check("sum [3, 0] unordered", [x], exact: false) { $0[0].sum(alongAxes: [3, 0]) }
        try check("mean [0, 2]", [x], exact: false) { $0[0].mean(alongAxes: [0, 2]) }
        try check("mean [0, 3] kept", [x], exact: false) { $0[0].mean(alongAxes: [0, 3], keepDims: true) }
        // A broadcast over non-adjacent axes: its gradient is such a sum.
        try check("broadcast [3, 1] to [2, 3, 4]", [Tensor.randomNormal([3, 1], seed: 35), Tensor.randomNormal([2, 3, 4], seed: 36)], exact: false) {
            $0[0] * $0[1]
        }
    }
}
