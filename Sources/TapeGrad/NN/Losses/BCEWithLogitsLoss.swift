/// Binary cross-entropy on logits, MindSpore's `nn.BCEWithLogitsLoss`, computed stably with softplus:
/// ℓ = w ⊙ (p ⊙ y ⊙ softplus(−x) + (1 − y) ⊙ softplus(x)), with `posWeight` p and `weight` w broadcast.
///
/// ```swift
/// let loss = BCEWithLogitsLoss()(logits, targets)
/// ```
public final class BCEWithLogitsLoss: Cell, @unchecked Sendable {
    /// The reduction.
    public let reduction: Reduction
    /// Element weights, or nil.
    public let weight: Tensor?
    /// Weights of the positive class, or nil.
    public let posWeight: Tensor?

    /// `BCEWithLogitsLoss(reduction: .mean, weight: nil, posWeight: nil)`.
    public init(reduction: Reduction = .mean, weight: Tensor? = nil, posWeight: Tensor? = nil) {
        self.reduction = reduction
        self.weight = weight
        self.posWeight = posWeight
        super.init()
    }

    /// The loss.
    public override func construct(_ logits: Tensor, _ target: Tensor) -> Tensor {
        guard logits.shape == target.shape else {
            reportError(TensorError(op: "BCEWithLogitsLoss", message: "logits \(logits.shape) and target \(target.shape) differ"))
            return Tensor.placeholder(dtype: logits.dtype)
        }
        let y = target.astype(logits.dtype)
        var positive = y * softplus(-logits)
        if let posWeight { positive = positive * posWeight }
        var loss = positive + (1 - y) * softplus(logits)
        if let weight { loss = loss * weight }
        return reduction(loss)
    }
}
