// `jit` on the layers it newly covers, beside eager execution in the same run (interleaved rep by rep):
// JT — a TransformerEncoderLayer (d 64, 4 heads, feed-forward 128, L 32, N 8, dropout 0) forward + backward
// with respect to its weights, and an Embedding + LayerNorm + Dense classifier step. Ratio: jit ÷ eager time.
import TapeGrad

func jitCoverageRow(_ name: String, _ eager: () -> Void, _ compiled: () -> Void, fallback: String?) {
    if let fallback { print("JT \(name): runs eagerly: \(fallback)") }
    let (e, j) = interleaved(reps: reps * 5, eager, compiled)
    let (em, elo, ehi) = e.scaled(1e3), (jm, jlo, jhi) = j.scaled(1e3)
    report(Record(workload: "JT", variant: "\(name), eager valueAndGrad(weights:)", threads: threadLabel, metric: "ms",
                  value: em, min: elo, max: ehi, floor: nil, ratio: nil))
    report(Record(workload: "JT", variant: "\(name), jit(valueAndGrad(weights:))", threads: threadLabel, metric: "ms",
                  value: jm, min: jlo, max: jhi, floor: em, ratio: jm / em))
}

/// The JT rows (`--only JT`).
func jitCoverageWorkloads(_ only: Set<String>) {
    guard only.contains("JT") else { return }
    let layer = TransformerEncoderLayer(dModel: 64, nhead: 4, dimFeedforward: 128, dropout: 0, seed: 1)
    let x = Tensor.randomNormal([32, 8, 64], seed: 2)
    if let eager = try? valueAndGrad({ (x: Tensor) in square(layer(x)).mean() }, gradPosition: nil, weights: layer.trainableParams()) {
        let compiled = jit(eager)
        _ = try? compiled(x)
        jitCoverageRow("TransformerEncoderLayer d64 h4 L32 N8", { _ = try? eager(x) }, { _ = try? compiled(x) },
                       fallback: compiled.diagnostics.eagerFallbackReason)
    }
    let embedding = Embedding(vocabSize: 1000, embeddingSize: 64, seed: 3), norm = LayerNorm(normalizedShape: [64])
    let head = Dense(inChannels: 64, outChannels: 10, seed: 4), loss = SoftmaxCrossEntropyWithLogits(sparse: true, reduction: .mean)
    let ids = Tensor((0..<256).map { Int32(($0 * 37) % 1000) }), labels = Tensor((0..<256).map { Int32($0 % 10) })
    let weights = embedding.trainableParams() + norm.trainableParams() + head.trainableParams()
    if let eager = try? valueAndGrad({ (ids: Tensor, y: Tensor) in loss(head(norm(embedding(ids))), y) }, gradPosition: nil, weights: weights) {
        let compiled = jit(eager)
        _ = try? compiled(ids, labels)
        jitCoverageRow("Embedding 1000×64 + LayerNorm + Dense, 256 ids", { _ = try? eager(ids, labels) }, { _ = try? compiled(ids, labels) },
                       fallback: compiled.diagnostics.eagerFallbackReason)
    }
}
