import XCTest
@testable import TapeGrad

/// Attention's head products (`headMatmul`, read and written through strided views) jitted against eager:
/// the products are the eager gemm calls (bit-identical on their own); through softmax and the layers'
/// sums the results agree within 2·10⁻⁶ relative.
extension JitOpTests {
    func testSlicesAlongAnAxisAreBitIdentical() throws {
        let x = Tensor.randomNormal([3, 6, 2], seed: 77)
        try check("slice axis 1", [x], exact: true) { $0[0].sliced(alongAxis: 1, from: 2, to: 5) * 2 }
        try check("slice axis 0", [x], exact: true) { $0[0].sliced(alongAxis: 0, from: 1, to: 3) * 2 }
        try check("slice last axis", [x], exact: true) { $0[0].sliced(alongAxis: -1, from: 1, to: 2) * 2 }
        try check("two slices of one tensor", [x], exact: true) { $0[0].sliced(alongAxis: 1, from: 0, to: 3) * $0[0].sliced(alongAxis: 1, from: 3, to: 6) }
    }

    func testMultiheadAttentionCompiles() throws {
        let timeMajor = MultiheadAttention(embedDim: 8, numHeads: 2, seed: 70)
        let batchMajor = MultiheadAttention(embedDim: 8, numHeads: 4, batchFirst: true, seed: 71)
        let x = Tensor.randomNormal([5, 3, 8], seed: 72), memory = Tensor.randomNormal([4, 3, 8], seed: 73)
        try check("self-attention (packed projection), [L, N, E]", [x], exact: false) { timeMajor($0[0], $0[0], $0[0]) }
        try check("cross-attention, [L, N, E]", [x, memory], exact: false) { timeMajor($0[0], $0[1], $0[1]) }
        try check("self-attention, batch first", [x], exact: false) { batchMajor($0[0], $0[0], $0[0]) }
        try check("attention weights", [x, memory], exact: false) { timeMajor($0[0], $0[1], $0[1]).weights ?? $0[0] }
    }

    func testAttentionMasks() throws {
        let mha = MultiheadAttention(embedDim: 8, numHeads: 2, seed: 78)
        let x = Tensor.randomNormal([5, 3, 8], seed: 79)
        // A float (additive) mask captured by the function is a constant of the trace.
        let additive = Tensor.randomNormal([5, 5], seed: 80)
        try check("float attnMask", [x], exact: false) { mha($0[0], $0[0], $0[0], attnMask: additive).output }
        // A boolean mask is turned into an additive one on the host while tracing: it runs eagerly, with the eager result.
        let padding = Tensor([false, false, false, true, true, false, false, false, false, false, false, true, false, false, false], shape: [3, 5])
        let f = jit(try valueAndGrad({ (x: Tensor) in mha(x, x, x, keyPaddingMask: padding).output.sum() }))
        let (v, g) = try f(x)
        let (v0, g0) = try valueAndGrad({ (x: Tensor) in mha(x, x, x, keyPaddingMask: padding).output.sum() })(x)
        XCTAssertEqual(v.item(), v0.item())
        XCTAssertEqual(g.asTensor.scalars, g0.asTensor.scalars)
        XCTAssertTrue(f.diagnostics.eagerFallbackReason?.contains("made inside the traced function") ?? false, "\(String(describing: f.diagnostics.eagerFallbackReason))")
    }

    func testTransformerEncoderLayerCompilesWithoutDropout() throws {
        let layer = TransformerEncoderLayer(dModel: 8, nhead: 2, dimFeedforward: 16, dropout: 0, seed: 74)
        let normFirst = TransformerEncoderLayer(dModel: 8, nhead: 2, dimFeedforward: 16, dropout: 0, normFirst: true, seed: 75)
        let x = Tensor.randomNormal([4, 2, 8], seed: 76)
        try check("encoder layer", [x], exact: false) { layer($0[0]) }
        try check("encoder layer, norm first", [x], exact: false) { normFirst($0[0]) }
    }
}
