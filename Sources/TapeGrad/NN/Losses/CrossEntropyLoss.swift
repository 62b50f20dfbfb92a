/// Cross-entropy on logits, MindSpore's `nn.CrossEntropyLoss`, with int32 class indices `(N,)` or class
/// probabilities `(N, C)` as targets.
///
/// With indices: ℓᵢ = (1 − ε)·(−w[tᵢ] log pᵢ,tᵢ) + (ε/C)·(−Σ_c w_c log pᵢ,c), `mean` dividing by Σᵢ w[tᵢ];
/// with probabilities q: ℓᵢ = −Σ_c w_c q̃ᵢ,c log pᵢ,c with q̃ = (1 − ε)q + ε/C, `mean` dividing by N.
/// Here p = softmax(logits) and ε the label smoothing. Class indices outside `[0, C)` (other than
/// `ignoreIndex`) are an error; masked logits (−∞) where the target has no mass add 0 to the loss and get a
/// zero gradient.
///
/// ```swift
/// let loss = CrossEntropyLoss()(logits, Tensor([3, 1] as [Int32]))
/// ```
public final class CrossEntropyLoss: Cell, @unchecked Sendable {
    /// Per-class weights `(C,)`, or nil for ones.
    public let weight: Tensor?
    /// A target class that is ignored (indices only).
    public let ignoreIndex: Int
    /// The reduction.
    public let reduction: Reduction
    /// ε.
    public let labelSmoothing: Double

    /// `CrossEntropyLoss(weight: nil, ignoreIndex: -100, reduction: .mean, labelSmoothing: 0)`.
    public init(weight: Tensor? = nil, ignoreIndex: Int = -100, reduction: Reduction = .mean, labelSmoothing: Double = 0) {
        self.weight = weight
        self.ignoreIndex = ignoreIndex
        self.reduction = reduction
        self.labelSmoothing = labelSmoothing
        super.init()
    }

    /// The loss.
    public override func construct(_ logits: Tensor, _ target: Tensor) -> Tensor {
        guard logits.rank == 2 else {
            reportError(TensorError(op: "CrossEntropyLoss", message: "expects (N, C) logits, got \(logits.shape)"))
            return Tensor.placeholder(dtype: logits.dtype)
        }
        let classes = logits.shape[1]
        let logp = logits.logSoftmax(alongAxis: 1)
        let classWeights = weight?.astype(logp.dtype) ?? Tensor.ones([classes], dtype: logp.dtype)
        if !target.dtype.isFloatingPoint {   // class indices: int32, int64 (PyTorch), uint8
            guard target.shape == [logits.shape[0]] else {
                reportError(TensorError(op: "CrossEntropyLoss", message: "class-index target \(target.shape) does not fit logits \(logits.shape)"))
                return Tensor.placeholder(dtype: logits.dtype)
            }
            guard checkClassIndices(target, classes: classes, ignoreIndex: ignoreIndex, op: "CrossEntropyLoss", argument: "target") else {
                return Tensor.placeholder(dtype: logits.dtype)
            }
            let w = targetWeights(target, classes: classes, weight: weight, ignoreIndex: ignoreIndex, dtype: logp.dtype)
            var perSample = negativeWeightedRowSum(w, logp)
            if labelSmoothing != 0 {
                let keep = Tensor(target.asArray(Int32.self).map { Int($0) == ignoreIndex ? 0.0 : 1.0 }, shape: [target.count, 1])
                    .converted(to: logp.dtype)
                let smooth = -(logp * classWeights * keep).sum(alongAxes: [1]) / Double(classes)
                perSample = perSample * (1 - labelSmoothing) + smooth * labelSmoothing
            }
            switch reduction {
            case .none: return perSample
            case .sum: return perSample.sum()
            case .mean: return perSample.sum() / w.sum()
            }
        }
        guard target.shape == logits.shape else {
            reportError(TensorError(op: "CrossEntropyLoss", message: "probability target \(target.shape) does not fit logits \(logits.shape)"))
            return Tensor.placeholder(dtype: logits.dtype)
        }
        var q = target.astype(logp.dtype)
        if labelSmoothing != 0 { q = q * (1 - labelSmoothing) + labelSmoothing / Double(classes) }
        let perSample = negativeWeightedRowSum(q * classWeights, logp)
        return reduction(perSample)
    }
}
