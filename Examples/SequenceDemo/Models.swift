// The two models: a small Transformer encoder and a (bidirectional for sorting) LSTM, each reading token
// embeddings and predicting one digit per position. Both return logits `[N·L, 10]`.
import TapeGrad

/// Token embedding + learned positions → TransformerEncoder (batch first) → Dense to 10 digits.
final class TransformerModel: Cell {
    let embedding: Embedding
    let positions: Parameter
    let encoder: TransformerEncoder
    let head: Dense
    let length: Int

    init(task: Task, dModel: Int = 64, heads: Int = 4, layers: Int = 2, feedforward: Int = 128) {
        length = task.length
        embedding = Embedding(vocabSize: task.vocabulary, embeddingSize: dModel)
        embedding.embeddingTable.value = Tensor.randomNormal([task.vocabulary, dModel], standardDeviation: 0.3, seed: 11)
        positions = Parameter(Tensor.randomNormal([task.length, dModel], standardDeviation: 0.3, seed: 12), name: "positions")
        let layer = TransformerEncoderLayer(dModel: dModel, nhead: heads, dimFeedforward: feedforward, dropout: 0, batchFirst: true)
        encoder = TransformerEncoder(encoderLayer: layer, numLayers: layers)
        head = Dense(inChannels: dModel, outChannels: 10)
        super.init()
    }

    override func construct(_ tokens: Tensor) -> Tensor {
        let x = embedding(tokens) + positions.value                       // [N, L, d]
        let h = encoder(x)
        return head(h.reshaped(to: [-1, h.shape[2]]))                     // [N·L, 10]
    }
}

/// Token embedding → LSTM (2 layers; bidirectional for sorting, which needs the whole sequence at every
/// position; forward-only for addition, where the carry flows from the least significant digit) → Dense.
final class LSTMModel: Cell {
    let embedding: Embedding
    let lstm: LSTM
    let head: Dense

    init(task: Task, embed: Int = 32, hidden: Int = 128) {
        let bidirectional = task == .sort
        embedding = Embedding(vocabSize: task.vocabulary, embeddingSize: embed)
        embedding.embeddingTable.value = Tensor.randomNormal([task.vocabulary, embed], standardDeviation: 0.3, seed: 13)
        lstm = LSTM(inputSize: embed, hiddenSize: hidden, numLayers: 2, batchFirst: true, bidirectional: bidirectional)
        head = Dense(inChannels: hidden * (bidirectional ? 2 : 1), outChannels: 10)
        super.init()
    }

    override func construct(_ tokens: Tensor) -> Tensor {
        let h = lstm(embedding(tokens))                                   // [N, L, D·H]
        return head(h.reshaped(to: [-1, h.shape[2]]))
    }
}
