/// One training step as a cell, MindSpore's `nn.TrainOneStepCell`: a call runs the network forward,
/// backpropagates through ``ForwardValueAndGrad`` (gradients with respect to the optimizer's parameters,
/// scaled by `sens`, then clipped by `clipping` if given), updates the parameters with the optimizer, and
/// returns the loss.
///
/// ```swift
/// let step = try TrainOneStepCell(WithLossCell(net, SoftmaxCrossEntropyWithLogits(sparse: true, reduction: .mean)),
///                                 optimizer: Adam(params: net.trainableParams(), learningRate: 1e-3))
/// let loss = try step.step(x, labels)
/// ```
public final class TrainOneStepCell: Cell, @unchecked Sendable {
    /// The network with its loss.
    public let network: Cell
    /// The optimizer that owns the parameters being trained.
    public let optimizer: Optimizer
    /// The scale of the loss's gradient (MindSpore's `sens`, 1 by default).
    public let sens: Double
    /// The clipping applied to the gradients before the update (none by default), e.g. `.globalNorm(1)`.
    public let clipping: GradientClipping?
    private let _grad: ForwardValueAndGrad

    /// Wraps `network` (a cell whose output is the loss) and `optimizer`. Throws
    /// ``OptimizerError/invalidArgument(optimizer:argument:value:expected:)`` for a non-finite `sens`, and
    /// whatever ``Optimizer/validate()`` finds wrong with the optimizer's arguments.
    public init(_ network: Cell, optimizer: Optimizer, sens: Double = 1, clipping: GradientClipping? = nil) throws {
        guard sens.isFinite else {
            throw OptimizerError.invalidArgument(optimizer: "TrainOneStepCell", argument: "sens", value: "\(sens)", expected: "a finite number")
        }
        try clipping?.validate()
        try optimizer.validate()
        self.clipping = clipping
        self.network = network
        self.optimizer = optimizer
        self.sens = sens
        _grad = try ForwardValueAndGrad(network, weights: try ParameterTuple(optimizer.parameters), getByList: true)
        super.init()
    }

    /// MindSpore's `auto_prefix=False`.
    public override var autoPrefix: Bool { false }

    /// Forward, backward and update; returns the loss. A call that throws changes nothing: the step is a
    /// transaction, so running statistics and random draws staged by the forward are rolled back, and the
    /// optimizer checks everything before it updates a parameter.
    public func step(_ inputs: [Tensor]) throws -> Tensor {
        try Transaction.run {
            let (loss, gradients) = try _grad.valueAndGradients(inputs)
            let value = try loss.tensor()   // a network with several outputs throws here, before any update
            var grads = sens == 1 ? gradients.tensors : gradients.tensors.map { $0 * sens }
            if let clipping { grads = clipping(grads) }
            try optimizer.step(gradients: grads)
            return value
        }
    }

    /// `try trainStep.step(x, labels)`.
    public func step(_ inputs: Tensor...) throws -> Tensor { try step(inputs) }

    /// The cell form: the loss, with errors reported like a tensor op's.
    public override func construct(_ inputs: [Tensor]) -> TensorTree {
        do {
            return .tensor(try step(inputs))
        } catch let error as GradError {
            if case .tensor(let inner) = error { reportError(inner) } else { reportError(TensorError(op: "TrainOneStepCell", message: error.description)) }
        } catch {
            reportError(TensorError(op: "TrainOneStepCell", message: "\(error)"))
        }
        return .tensor(Tensor.placeholder())
    }
}
