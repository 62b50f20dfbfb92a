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

/// Checks that `target` holds integer (int32, int64 or uint8) class indices in `[0, classes)` (or equal to `ignoreIndex`), and reports
/// the first that does not, naming the loss, the argument, the value and the range (decision 10: MindSpore
/// accepts them silently and returns garbage).
func checkClassIndices(_ target: Tensor, classes: Int, ignoreIndex: Int?, op: String, argument: String) -> Bool {
    guard !target.dtype.isFloatingPoint, target.dtype != .bool else {
        reportError(TensorError(op: op, message: "\(argument) must be integer class indices (int32 or int64), got \(target.dtype) (TypeError)"))
        return false
    }
    for (i, c) in target.asArray(Int64.self).enumerated() where (c < 0 || Int(c) >= classes) && Int(c) != ignoreIndex {
        let also = ignoreIndex.map { " or equal ignoreIndex (\($0))" } ?? ""
        reportError(TensorError(op: op, message: "\(argument)[\(i)] = \(c) is out of range: a class index must be in [0, \(classes))\(also)"))
        return false
    }
    return true
}

/// −Σ_c wᵢ,c · xᵢ,c per row, counting 0 (not 0 · (−∞) = NaN) where the weight is 0: a masked logit (−∞)
/// outside the target adds nothing, and its gradient is 0.
func negativeWeightedRowSum(_ w: Tensor, _ x: Tensor) -> Tensor {
    -`where`(w.detached, w * x, Tensor.zeros([], dtype: x.dtype)).sum(alongAxes: [1])
}

/// Negative log-likelihood, MindSpore's `nn.NLLLoss`, for log-probabilities `(N, C)` and int32 classes `(N,)`:
/// ℓᵢ = −w[tᵢ] · xᵢ,tᵢ; `mean` divides the sum by Σᵢ w[tᵢ]. Targets equal to `ignoreIndex` contribute nothing;
/// other targets outside `[0, C)` are an error; masked (−∞) log-probabilities off the target add 0.
///
/// ```swift
/// let loss = NLLLoss()(logits.logSoftmax(alongAxis: 1), labels)
/// ```
public final class NLLLoss: Cell, @unchecked Sendable {
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
        guard checkClassIndices(target, classes: logProbabilities.shape[1], ignoreIndex: ignoreIndex, op: "NLLLoss", argument: "target") else {
            return Tensor.placeholder(dtype: logProbabilities.dtype)
        }
        let w = targetWeights(target, classes: logProbabilities.shape[1], weight: weight, ignoreIndex: ignoreIndex, dtype: logProbabilities.dtype)
        let perSample = negativeWeightedRowSum(w, logProbabilities)
        switch reduction {
        case .none: return perSample
        case .sum: return perSample.sum()
        case .mean: return perSample.sum() / w.sum()
        }
    }
}
