import XCTest
@testable import TapeGrad

/// Caller errors of the sequence layers are thrown from a checking scope, naming the layer and the shapes.
final class SequenceLayerErrorTests: XCTestCase {
    func assertThrows(_ what: String, mentioning needle: String, _ body: () -> Void, line: UInt = #line) {
        XCTAssertThrowsError(try withErrorChecking(body), line: line) { error in
            XCTAssertTrue("\(error)".contains(needle), "\(what): \(error)", line: line)
        }
    }

    func testRecurrentLayersReportWrongShapes() {
        let lstm = LSTM(inputSize: 3, hiddenSize: 4, numLayers: 2)
        assertThrows("feature size", mentioning: "LSTM") { _ = lstm(Tensor.zeros([5, 2, 7])) }
        assertThrows("rank", mentioning: "[T, N, 3]") { _ = lstm(Tensor.zeros([5, 3])) }
        assertThrows("hx shape", mentioning: "hx must have shape [2, 2, 4]") {
            _ = lstm(Tensor.zeros([5, 2, 3]), hx: (Tensor.zeros([1, 2, 4]), Tensor.zeros([2, 2, 4])))
        }
        assertThrows("seqLength too long", mentioning: "seqLength") { _ = lstm(Tensor.zeros([5, 2, 3]), hx: nil, seqLength: Tensor([6, 1] as [Int32])) }
        assertThrows("seqLength float", mentioning: "seqLength") { _ = lstm(Tensor.zeros([5, 2, 3]), hx: nil, seqLength: Tensor([5, 1] as [Float])) }
        assertThrows("empty sequence", mentioning: "empty") { _ = GRU(inputSize: 3, hiddenSize: 4)(Tensor.zeros([0, 2, 3])) }
        assertThrows("cell state", mentioning: "GRUCell") { _ = GRUCell(inputSize: 3, hiddenSize: 4)(Tensor.zeros([2, 3]), Tensor.zeros([2, 5])) }
        assertThrows("bad dropout", mentioning: "dropout") { _ = RNN(inputSize: 3, hiddenSize: 4, dropout: 1.5) }
    }

    func testAttentionReportsWrongShapesAndMasks() {
        let mha = MultiheadAttention(embedDim: 8, numHeads: 2)
        let x = Tensor.zeros([4, 2, 8])
        assertThrows("embed dim", mentioning: "MultiheadAttention") { _ = mha(Tensor.zeros([4, 2, 6]), x, x) }
        assertThrows("key/value mismatch", mentioning: "value [S, N, 8]") { _ = mha(x, x, Tensor.zeros([3, 2, 8])) }
        assertThrows("padding mask", mentioning: "keyPaddingMask must have shape [2, 4]") {
            _ = mha(x, x, x, keyPaddingMask: Tensor.zeros([4, 2]))
        }
        assertThrows("attn mask", mentioning: "attnMask") { _ = mha(x, x, x, attnMask: Tensor.zeros([3, 4])) }
        assertThrows("heads", mentioning: "divisible") { _ = MultiheadAttention(embedDim: 6, numHeads: 4) }
        assertThrows("transformer batch", mentioning: "one batch size") {
            let t = Transformer(dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 8)
            _ = t(Tensor.zeros([3, 2, 8]), tgt: Tensor.zeros([3, 3, 8]))
        }
    }

    func testAFullyMaskedRowGivesNaNLikeMindSporeAndCausalMaskHidesTheFuture() throws {
        let mha = MultiheadAttention(embedDim: 4, numHeads: 1, seed: 1)
        let x = Tensor.randomNormal([3, 1, 4], seed: 2)
        let (_, w) = mha(x, x, x, isCausal: true)
        let weights = try XCTUnwrap(w).scalars       // [1, 3, 3]
        XCTAssertEqual([weights[1], weights[2], weights[5]], [0, 0, 0])
        XCTAssertEqual(weights[0], 1, accuracy: 1e-6)
        let (out, _) = mha(x, x, x, keyPaddingMask: Tensor([[1, 1, 1]] as [[Int32]]))
        XCTAssertTrue(out.scalars.allSatisfy(\.isNaN))
    }
}
