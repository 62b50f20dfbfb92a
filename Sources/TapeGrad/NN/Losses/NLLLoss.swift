/// Per-row class weights for int32 targets: `weight[tᵢ]` in the target's column (0 for `ignoreIndex` or an
/// index out of range) — a constant `(N, C)` mask.
func targetWeights(_ target: Tensor, classes: Int, weight: Tensor?, ignoreIndex: Int, dtype: DType) -> Tensor {
    let t = target.asArray(Int32.self)
    let w = weight?.scalars
    var rows = [Double](repeating: 0, count: t.count * classes)
    for (i, c) in t.enumerated() where Int(c) != ignoreIndex && c >= 0 && Int(c) < classes {
        rows[i * classes + Int(c)] = w.map { $0[Int(c)] } ?? 1
    }
    return Tensor(rows, shape: [t.count, classes]).converted(to: dtype)
}

/// Negative log-likelihood, MindSpore's `nn.NLLLoss`, for log-probabilities `(N, C)` and int32 classes `(N,)`:
/// ℓᵢ = −w[tᵢ] · xᵢ,tᵢ; `mean` divides the sum by Σᵢ w[tᵢ]. Targets equal to `ignoreIndex` contribute nothing.
///
/// ```swift
/// let loss = NLLLoss()(logits.logSoftmax(alongAxis: 1), labels)
/// ```
public final class NLLLoss: Cell {
    /// Per-class weights `(C,)`, or nil for ones.
    public let weight: Tensor?
    /// A target value that is ignored.
    public let ignoreIndex: Int
    /// The reduction.
    public let reduction: Reduction

    /// `NLLLoss(weight: nil, ignoreIndex: -100, reduction: .mean)`.
    public init(weight: Tensor? = nil, ignoreIndex: Int = -100, reduction: Reduction = .mean) {
        self.weight = weight
        self.ignoreIndex = ignoreIndex
        self.reduction = reduction
        super.init()
    }

    /// The loss.
    public override func construct(_ logProbabilities: Tensor, _ target: Tensor) -> Tensor {
        guard logProbabilities.rank == 2, target.shape == [logProbabilities.shape[0]] else {
            reportError(TensorError(op: "NLLLoss", message: "expects (N, C) input and (N,) target, got \(logProbabilities.shape) and \(target.shape)"))
            return Tensor.placeholder(dtype: logProbabilities.dtype)
        }
        let w = targetWeights(target, classes: logProbabilities.shape[1], weight: weight, ignoreIndex: ignoreIndex, dtype: logProbabilities.dtype)
        let perSample = -(w * logProbabilities).sum(alongAxes: [1])
        switch reduction {
        case .none: return perSample
        case .sum: return perSample.sum()
        case .mean: return perSample.sum() / w.sum()
        }
    }
}
