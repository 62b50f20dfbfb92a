/// Softmax cross-entropy, MindSpore's `nn.SoftmaxCrossEntropyWithLogits`:
/// ℓᵢ = −Σⱼ labelᵢⱼ · log softmax(logitsᵢ)ⱼ for logits `(N, C)`.
///
/// With `sparse`, labels are int32 class indices `(N,)`. Gradients keep MindSpore's convention
/// (decision 7): ∂ℓ/∂logits = (softmax(logits) − label) ⊙ ∂ℓᵢ — the true derivative only when each label row
/// sums to 1 — and ∂ℓ/∂label = 0. Sparse labels outside `[0, C)` are an error (decision 10; MindSpore returns
/// `-0`); masked logits (−∞) where the label is 0 add 0 to the loss (not NaN) and get a zero gradient.
///
/// ```swift
/// let sce = SoftmaxCrossEntropyWithLogits(sparse: true, reduction: .mean)
/// let loss = sce(logits, Tensor([3, 0] as [Int32]))
/// ```
public final class SoftmaxCrossEntropyWithLogits: Cell, @unchecked Sendable {
    /// Whether labels are class indices.
    public let sparse: Bool
    /// The reduction over the batch.
    public let reduction: Reduction

    /// `SoftmaxCrossEntropyWithLogits(sparse: false, reduction: .none)`, MindSpore's defaults.
    public init(sparse: Bool = false, reduction: Reduction = .none) {
        self.sparse = sparse
        self.reduction = reduction
        super.init()
    }

    /// The per-sample losses, reduced.
    public override func construct(_ logits: Tensor, _ labels: Tensor) -> Tensor {
        guard logits.rank == 2 else {
            reportError(TensorError(op: "SoftmaxCrossEntropyWithLogits(sparse: \(sparse), reduction: .\(reduction))",
                                    message: "For primitive[SoftmaxCrossEntropyWithLogits], the dimension of logits must be equal to 2, but got \(logits.rank)."))
            return Tensor.placeholder(dtype: logits.dtype)
        }
        if sparse {
            guard labels.shape == [logits.shape[0]] else {
                reportError(TensorError(op: "SoftmaxCrossEntropyWithLogits", message: "sparse labels of shape \(labels.shape) do not fit logits of shape \(logits.shape): expected [\(logits.shape[0])]"))
                return Tensor.placeholder(dtype: logits.dtype)
            }
            guard checkClassIndices(labels, classes: logits.shape[1], ignoreIndex: nil, op: "SoftmaxCrossEntropyWithLogits", argument: "labels") else {
                return Tensor.placeholder(dtype: logits.dtype)
            }
        }
        let dense = sparse ? oneHot(labels, depth: logits.shape[1], dtype: logits.dtype) : labels
        guard dense.shape == logits.shape else {
            reportError(TensorError(op: "SoftmaxCrossEntropyWithLogits(sparse: \(sparse), reduction: .\(reduction))", message: "labels of shape \(labels.shape) do not fit logits of shape \(logits.shape)"))
            return Tensor.placeholder(dtype: logits.dtype)
        }
        return reduction(softmaxCrossEntropy(logits: logits, labels: labels, denseLabels: dense.astype(logits.dtype)))
    }

}

/// ℓᵢ = −Σⱼ yᵢⱼ log softmax(xᵢ)ⱼ with MindSpore's pullback (softmax − y) ⊙ G and a zero label gradient.
func softmaxCrossEntropy(logits: Tensor, labels: Tensor, denseLabels: Tensor) -> Tensor {
    let logProbabilities = logits.detached.logSoftmax(alongAxis: 1)
    let out = negativeWeightedRowSum(denseLabels.detached, logProbabilities)
    guard logits.isRecorded || labels.isRecorded else { return out }
    let probabilities = exp(logProbabilities)
    return out.recorded(inputs: [logits, labels], trace: .softmaxCrossEntropy) { g, needed in
        // Recomputed from the logits when an enclosing computation differentiates this pullback.
        let p = probabilities.saved(for: logits) { $0.softmax(alongAxis: 1) }
        return [needed[0] ? (p - denseLabels) * g.expandingShape(at: 1) : nil,
         needed[1] ? Tensor.zeros(like: labels) : nil]
    }
}

