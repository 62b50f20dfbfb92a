/// Mean squared error, MindSpore's `nn.MSELoss`: ℓ = reduce((pred − label)²).
/// ∂ℓ/∂label is exactly −∂ℓ/∂pred.
///
/// ```swift
/// let loss = MSELoss()(Tensor([1, 2]), Tensor([1, 4]))   // 2
/// ```
public final class MSELoss: Cell, @unchecked Sendable {
    /// The reduction.
    public let reduction: Reduction

    /// `MSELoss(reduction: .mean)`.
    public init(reduction: Reduction = .mean) {
        self.reduction = reduction
        super.init()
    }

    /// reduce((prediction − label)²).
    public override func construct(_ prediction: Tensor, _ label: Tensor) -> Tensor {
        guard Broadcasting.shape(prediction.shape, label.shape) != nil else {
            reportLayerError("MSELoss(reduction: .\(reduction))", "got prediction \(prediction.shape) and label \(label.shape); expected shapes that broadcast")
            return Tensor.placeholder(dtype: prediction.dtype)
        }
        return reduction(square(prediction - label))
    }

}
