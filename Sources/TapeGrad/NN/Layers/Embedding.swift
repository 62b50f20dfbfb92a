/// `nn.Embedding(vocab_size, embedding_size)`: a lookup table `[vocabSize, embeddingSize]` indexed by int32
/// ids of any shape; the table (named `embedding_table`) is initialised N(0, 0.01) as in MindSpore.
///
/// ```swift
/// let e = Embedding(vocabSize: 100, embeddingSize: 8)
/// e(Tensor([[1, 5]] as [[Int32]])).shape   // [1, 2, 8]
/// ```
public final class Embedding: Cell, @unchecked Sendable {
    /// The table.
    public let embeddingTable: Parameter

    /// The number of rows.
    public let vocabSize: Int
    /// The width of a row.
    public let embeddingSize: Int

    /// An embedding; `embeddingTable` gives explicit initial values, otherwise the table is drawn in `dtype`.
    public init(vocabSize: Int, embeddingSize: Int, embeddingTable: Tensor? = nil, dtype: DType = .float32, seed: UInt64? = nil) {
        self.vocabSize = vocabSize
        self.embeddingSize = embeddingSize
        self.embeddingTable = Parameter(embeddingTable ?? Initializer.normal(sigma: 0.01, mean: 0).make([vocabSize, embeddingSize], dtype: dtype, seed: seed),
                                        name: "embedding_table")
        super.init()
    }

    /// The rows at `ids`; an id outside `0..<vocabSize` is an error naming the layer.
    public override func construct(_ ids: Tensor) -> Tensor {
        let values = ids.scalars
        if let bad = values.first(where: { $0 < 0 || $0 >= Double(vocabSize) || $0 != $0.rounded() }) {
            reportLayerError("Embedding(vocabSize: \(vocabSize), embeddingSize: \(embeddingSize))",
                             "got id \(bad) in input \(ids.shape); expected integer ids in 0..<\(vocabSize)")
            return Tensor.placeholder(dtype: embeddingTable.dtype)
        }
        return gather(embeddingTable.value, indices: ids, axis: 0)
    }

    /// `vocab_size=10, embedding_size=3, dtype=Float32`, as MindSpore prints an Embedding.
    public override var extendRepr: String {
        "vocab_size=\(vocabSize), embedding_size=\(embeddingSize), dtype=\(embeddingTable.dtype)"
    }
}
