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
    /// With `jit: true`: the forward and backward compiled (Compile/), replayed each step.
    private let _jitted: JitCore?

    /// Wraps `network` (a cell whose output is the loss) and `optimizer`. Throws
    /// ``OptimizerError/invalidArgument(optimizer:argument:value:expected:)`` for a non-finite `sens`, and
    /// whatever ``Optimizer/validate()`` finds wrong with the optimizer's arguments.
    ///
    /// With `jit`, the forward and backward are traced on the first step for each signature of input shapes
    /// and dtypes and replayed after (see `jit(_:checked:strict:cacheSize:)` (of a function of tensors));
    /// the optimizer's update stays eager. A network that does not compile (a layer with state, an op without a
    /// trace rule) trains eagerly; ``jitDiagnostics`` says why.
    ///
    /// ```swift
    /// let step = try TrainOneStepCell(WithLossCell(net, SoftmaxCrossEntropyWithLogits(sparse: true, reduction: .mean)),
    ///                                 optimizer: SGD(params: net.trainableParams()), jit: true)
    /// ```
    public init(_ network: Cell, optimizer: Optimizer, sens: Double = 1, clipping: GradientClipping? = nil, jit: Bool = false) throws {
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
        _jitted = jit ? JitCore(forward: { network($0) }, mode: .gradients(positions: [], parameters: optimizer.parameters), options: JitOptions()) : nil
        super.init()
    }

    /// With `jit: true`, what the compiled step has done (traces, cached signatures, why it runs eagerly); nil otherwise.
    ///
    /// ```swift
    /// let step = try TrainOneStepCell(netWithLoss, optimizer: opt, jit: true)
    /// print(step.jitDiagnostics?.eagerFallbackReason ?? "compiled")
    /// ```
    public var jitDiagnostics: JitDiagnostics? { _jitted?.diagnostics }

    /// MindSpore's `auto_prefix=False`.
    public override var autoPrefix: Bool { false }

    /// Forward, backward and update; returns the loss. A call that throws changes nothing: the step is a
    /// transaction, so running statistics and random draws staged by the forward are rolled back, and the
    /// optimizer checks everything before it updates a parameter.
    public func step(_ inputs: [Tensor]) throws -> Tensor {
        try Transaction.run {
            let value: Tensor, computed: [Tensor]
            if let jitted = _jitted {
                let outputs = try jitted.call(inputs)
                (value, computed) = (outputs[0], Array(outputs.dropFirst()))
            } else {
                let (loss, gradients) = try _grad.valueAndGradients(inputs)
                value = try loss.tensor()   // a network with several outputs throws here, before any update
                computed = gradients.tensors
            }
            var grads = sens == 1 ? computed : computed.map { $0 * sens }
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
