/// MindSpore's `nn.ForwardValueAndGrad`: a cell wrapping a network that returns
/// `(network(inputs), gradients)`, the gradients shaped as ``GradOperation``'s. Being a ``Cell`` itself,
/// it nests inside other cells.
///
/// With `sensParam` the sensitivity is the last input, as in MindSpore, or the labeled `sens:` argument
/// of ``valueAndGradients(_:sens:)`` (MindSpore's `construct` rejects a `sens` keyword; see the README's
/// differences). To differentiate a plain closure this way, wrap it in a ``LambdaCell``.
///
/// ```swift
/// let net = Dense(inChannels: 2, outChannels: 1)
/// let x = Tensor([[1, 2]]), label = Tensor([[1]])
/// let train = try ForwardValueAndGrad(WithLossCell(net, MSELoss()), weights: try ParameterTuple(net.trainableParams()),
///                                     getAll: true, getByList: true)
/// let (loss, grads) = try train(x, label)   // as MindSpore's train_network(x, label)
/// print(train([x, label]))                  // (loss, ((dx, dlabel), (dweight, dbias)))
/// ```
public final class ForwardValueAndGrad: Cell, @unchecked Sendable {
    /// The wrapped network.
    public let network: Cell
    private let _spec: GradSpec

    /// Wraps `network`. Throws ``GradError/weightsMustBeParameterArray(got:)`` when `getByList` is set and
    /// `weights` is not an array or ParameterTuple (nil or a bare Parameter), as MindSpore does.
    public init(_ network: Cell, weights: (any GradWeights)? = nil, getAll: Bool = false, getByList: Bool = false, sensParam: Bool = false) throws {
        if getByList {
            switch weights?.weightSelection {
            case .list?: break
            case .single?: throw GradError.weightsMustBeParameterArray(got: "<class 'abc.Parameter'>")
            case nil: throw GradError.weightsMustBeParameterArray(got: "<class 'NoneType'>")
            }
        }
        self.network = network
        self._spec = GradOperation(getAll: getAll, getByList: getByList, sensParam: sensParam).spec(weights)
        super.init()
    }

    /// MindSpore's `auto_prefix`: the wrapped network's parameters keep their names.
    public override var autoPrefix: Bool { false }

    /// Runs the network once and returns `(value, gradients)`; throws ``GradError`` on a bad call.
    /// With `sensParam`, the sens is the last input, or `sens:` (needed for a tuple of sens, one per output).
    public func valueAndGradients(_ inputs: [Tensor], sens: TensorTree? = nil) throws -> (value: TensorTree, gradients: TensorTree) {
        let network = self.network
        let (value, gradients) = try _spec.evaluate(inputs: inputs, sens: sens, arity: nil, forward: { network($0) })
        return (value, gradients)
    }

    /// `fvg.valueAndGradients(x, y)`.
    public func valueAndGradients(_ inputs: Tensor...) throws -> (value: TensorTree, gradients: TensorTree) {
        try valueAndGradients(inputs)
    }

    /// `let (loss, grads) = try fvg(x)`: MindSpore's `train_network(x)`; throws ``GradError`` on a bad call.
    public func callAsFunction(_ x: Tensor) throws -> (value: TensorTree, gradients: TensorTree) {
        try valueAndGradients([x])
    }

    /// `let (loss, grads) = try fvg(x, label)`: MindSpore's `train_network(x, label)`.
    public func callAsFunction(_ x: Tensor, _ y: Tensor) throws -> (value: TensorTree, gradients: TensorTree) {
        try valueAndGradients([x, y])
    }

    /// `let (loss, grads) = try fvg(x, y, z)`.
    public func callAsFunction(_ x: Tensor, _ y: Tensor, _ z: Tensor) throws -> (value: TensorTree, gradients: TensorTree) {
        try valueAndGradients([x, y, z])
    }

    /// `let (loss, grads) = try fvg(a, b, c, d)`.
    public func callAsFunction(_ a: Tensor, _ b: Tensor, _ c: Tensor, _ d: Tensor) throws -> (value: TensorTree, gradients: TensorTree) {
        try valueAndGradients([a, b, c, d])
    }

    /// `let (loss, grads) = try fvg(x, y, sens: s)` (with `sensParam`).
    public func callAsFunction(_ inputs: Tensor..., sens: Tensor) throws -> (value: TensorTree, gradients: TensorTree) {
        try valueAndGradients(inputs, sens: .tensor(sens))
    }

    /// The cell's forward: the tuple `(value, gradients)`. A bad call is reported like a tensor op's error
    /// (thrown from an enclosing gradient function or checking scope).
    public override func construct(_ inputs: [Tensor]) -> TensorTree {
        do {
            let (value, gradients) = try valueAndGradients(inputs)
            return [value, gradients]
        } catch let error as GradError {
            if case .tensor(let inner) = error { reportError(inner) } else {
                reportError(TensorError(op: "ForwardValueAndGrad", message: error.description))
            }
        } catch {
            reportError(TensorError(op: "ForwardValueAndGrad", message: "\(error)"))
        }
        return .tuple([])
    }
}
