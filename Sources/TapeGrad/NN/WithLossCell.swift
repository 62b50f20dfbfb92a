/// A network followed by its loss, MindSpore's `nn.WithLossCell`:
/// `construct(data, label) = loss(backbone(data), label)`. It adds no prefix to parameter names.
///
/// ```swift
/// let net = Dense(inChannels: 2, outChannels: 1)
/// let netWithLoss = WithLossCell(net, MSELoss())
/// let loss = netWithLoss(Tensor([[1, 2]]), Tensor([[3]]))   // a Tensor
/// ```
public final class WithLossCell: Cell, @unchecked Sendable {
    /// The network.
    public let backbone: Cell
    /// The loss, a two-input cell (prediction, label).
    public let lossFunction: Cell

    /// Wraps `backbone` with `lossFunction`.
    public init(_ backbone: Cell, _ lossFunction: Cell) {
        self.backbone = backbone
        self.lossFunction = lossFunction
        super.init()
    }

    /// MindSpore's `auto_prefix=False`.
    public override var autoPrefix: Bool { false }

    /// loss(backbone(data), label).
    public override func construct(_ data: Tensor, _ label: Tensor) -> Tensor {
        let prediction = backbone.construct([data]).asTensor
        return lossFunction.construct([prediction, label]).asTensor
    }
}
