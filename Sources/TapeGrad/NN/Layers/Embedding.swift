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

    /// An embedding; `embeddingTable` gives explicit initial values.
    public init(vocabSize: Int, embeddingSize: Int, embeddingTable: Tensor? = nil, seed: UInt64? = nil) {
        self.embeddingTable = Parameter(embeddingTable ?? Initializer.normal(sigma: 0.01, mean: 0).make([vocabSize, embeddingSize], seed: seed),
                                        name: "embedding_table")
        super.init()
    }

    /// The rows at `ids`.
    public override func construct(_ ids: Tensor) -> Tensor { gather(embeddingTable.value, indices: ids, axis: 0) }
}
