/// Mean absolute error, MindSpore's `nn.L1Loss`: ℓ = reduce(|pred − label|).
///
/// ```swift
/// L1Loss()(Tensor([1, 2]), Tensor([2, 4]))   // 1.5
/// ```
public final class L1Loss: Cell, @unchecked Sendable {
    /// The reduction.
    public let reduction: Reduction
    /// `L1Loss(reduction: .mean)`.
    public init(reduction: Reduction = .mean) { self.reduction = reduction; super.init() }
    /// reduce(|prediction − label|).
    public override func construct(_ prediction: Tensor, _ label: Tensor) -> Tensor {
        guard Broadcasting.shape(prediction.shape, label.shape) != nil else {
            reportLayerError("L1Loss(reduction: .\(reduction))", "got prediction \(prediction.shape) and label \(label.shape); expected shapes that broadcast")
            return Tensor.placeholder(dtype: prediction.dtype)
        }
        return reduction(abs(prediction - label))
    }
}
