import XCTest
@testable import TapeGrad

/// The library's layers and losses through `jit(valueAndGrad(…, weights:))`: which compile, and why the
/// others run eagerly. Each one's jitted result equals the eager one either way (compiled within 10⁻⁵ relative
/// in float32; a fallback is the eager computation itself).
final class JitSurveyTests: XCTestCase {
    struct Case {
        let name: String
        let inputs: [Tensor]
        let parameters: [Parameter]
        /// Draws random numbers: the eager reference call draws others, so only shapes are compared.
        var random = false
        let loss: @Sendable ([Tensor]) -> Tensor
    }

    /// What compiles now; every other case runs eagerly (its reason is in the README's jit section).
    static let compiled: Set<String> = ["Dense + SoftmaxCrossEntropyWithLogits", "Dense + MSELoss", "softmax", "logSoftmax", "LayerNorm", "Embedding",
                                            "MultiheadAttention", "TransformerEncoderLayer",
                                            "TransformerEncoderLayer (dropout 0.1, evaluation)"]

    static var cases: [Case] {
        let x2 = Tensor.randomNormal([4, 6], seed: 1)
        let labels = Tensor([0, 2, 1, 2] as [Int32])
        let image = Tensor.randomNormal([2, 3, 6, 6], seed: 2)
        let sequence = Tensor.randomNormal([5, 2, 6], seed: 3)   // [T, N, C]
        let dense = Dense(inChannels: 6, outChannels: 3, seed: 4)
        let conv = Conv2d(inChannels: 3, outChannels: 4, kernelSize: 3, hasBias: true, seed: 5)
        let bn = BatchNorm2d(numFeatures: 3).setTrain()
        let ln = LayerNorm(normalizedShape: [6])
        let lstm = LSTM(inputSize: 6, hiddenSize: 4, seed: 6)
        let mha = MultiheadAttention(embedDim: 6, numHeads: 2, seed: 7)
        let encoder = TransformerEncoderLayer(dModel: 6, nhead: 2, dimFeedforward: 8, dropout: 0, seed: 8)
        let evaluated = TransformerEncoderLayer(dModel: 6, nhead: 2, dimFeedforward: 8, dropout: 0.1, seed: 12).setTrain(false)
        let training = TransformerEncoderLayer(dModel: 6, nhead: 2, dimFeedforward: 8, dropout: 0.1, seed: 13).setTrain()
        let gru = GRU(inputSize: 6, hiddenSize: 4, seed: 14)
        let embedding = Embedding(vocabSize: 10, embeddingSize: 6, seed: 9)
        let dropout = Dropout(p: 0.5, seed: 10).setTrain()
        let sce = SoftmaxCrossEntropyWithLogits(sparse: true, reduction: .mean)
        let ce = CrossEntropyLoss()
        let mse = MSELoss()
        let target = Tensor.randomNormal([4, 3], seed: 11)
        let tokens = Tensor([1, 4, 7, 2, 9, 0] as [Int32]).reshaped(to: [2, 3])
        return [
            Case(name: "Dense + SoftmaxCrossEntropyWithLogits", inputs: [x2, labels], parameters: dense.trainableParams()) { sce(dense($0[0]), $0[1]) },
            Case(name: "Dense + CrossEntropyLoss", inputs: [x2, labels], parameters: dense.trainableParams()) { ce(dense($0[0]), $0[1]) },
            Case(name: "Dense + MSELoss", inputs: [x2, target], parameters: dense.trainableParams()) { mse(dense($0[0]), $0[1]) },
            Case(name: "softmax", inputs: [x2], parameters: []) { ($0[0].softmax() * $0[0]).sum() },
            Case(name: "logSoftmax", inputs: [x2], parameters: []) { ($0[0].logSoftmax() * $0[0]).sum() },
            Case(name: "LayerNorm", inputs: [x2], parameters: ln.trainableParams()) { (ln($0[0]) * $0[0]).sum() },
            Case(name: "Conv2d", inputs: [image], parameters: conv.trainableParams()) { square(conv($0[0])).mean() },
            Case(name: "BatchNorm2d (training)", inputs: [image], parameters: bn.trainableParams()) { (bn($0[0]) * $0[0]).mean() },
            Case(name: "LSTM", inputs: [sequence], parameters: lstm.trainableParams()) { square(lstm($0[0])).mean() },
            Case(name: "MultiheadAttention", inputs: [sequence], parameters: mha.trainableParams()) { square(mha($0[0], $0[0], $0[0])).mean() },
            Case(name: "TransformerEncoderLayer", inputs: [sequence], parameters: encoder.trainableParams()) { square(encoder($0[0])).mean() },
            Case(name: "TransformerEncoderLayer (dropout 0.1, evaluation)", inputs: [sequence], parameters: evaluated.trainableParams()) {
                square(evaluated($0[0])).mean()
            },
            Case(name: "TransformerEncoderLayer (dropout 0.1, training)", inputs: [sequence], parameters: training.trainableParams(), random: true) {
                square(training($0[0])).mean()
            },
            Case(name: "GRU", inputs: [sequence], parameters: gru.trainableParams()) { square(gru($0[0])).mean() },
            Case(name: "Embedding", inputs: [tokens], parameters: embedding.trainableParams()) { square(embedding($0[0])).mean() },
            Case(name: "Dropout (training)", inputs: [x2], parameters: [], random: true) { dropout($0[0]).sum() },
        ]
    }

    func testSurveyOfLayersAndLosses() throws {
        var report: [String] = []
        for c in Self.cases {
            let eagerFn = try valueAndGrad(c.loss, gradPosition: nil, weights: c.parameters, inputCount: c.inputs.count)
            let f = jit(eagerFn)
            let (v, g) = try f(c.inputs)
            let reason = f.diagnostics.eagerFallbackReason
            report.append("\(c.name): \(reason.map { "eager — \($0)" } ?? "compiled")")
            XCTAssertEqual(reason == nil, Self.compiled.contains(c.name), "\(c.name): \(reason ?? "compiled")")
            let (v0, g0) = try eagerFn(c.inputs)
            if c.random {
                XCTAssertEqual(v.shape, v0.shape)
                continue
            }
            XCTAssertEqual(v.item(), v0.item(), accuracy: 1e-5 * Swift.max(1, abs(v0.item())), c.name)
            for (a, b) in zip(g.tensors, g0.tensors) {
                for (u, w) in zip(a.scalars, b.scalars) { XCTAssertEqual(u, w, accuracy: 1e-5 * Swift.max(1, abs(w)), c.name) }
            }
        }
        print(report.joined(separator: "\n"))
    }
}
