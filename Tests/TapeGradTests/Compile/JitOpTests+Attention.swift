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

    func testTransformerEncoderLayerCompilesWithoutDropout() throws {
        let layer = TransformerEncoderLayer(dModel: 8, nhead: 2, dimFeedforward: 16, dropout: 0, seed: 74)
        let normFirst = TransformerEncoderLayer(dModel: 8, nhead: 2, dimFeedforward: 16, dropout: 0, normFirst: true, seed: 75)
        let x = Tensor.randomNormal([4, 2, 8], seed: 76)
        try check("encoder layer", [x], exact: false) { layer($0[0]) }
        try check("encoder layer, norm first", [x], exact: false) { normFirst($0[0]) }
    }
}
