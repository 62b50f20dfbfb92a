/// MindSpore's `nn.ForwardValueAndGrad`: a cell wrapping a network that returns
/// `(network(inputs), gradients)`, the gradients shaped as ``GradOperation``'s. Being a ``Cell`` itself,
/// it nests inside other cells.
///
/// With `sensParam` the sensitivity is the last input (positional only, as in MindSpore).
///
/// ```swift
/// let train = try ForwardValueAndGrad(WithLossCell(net, loss), weights: try ParameterTuple(net.trainableParams()),
///                                     getAll: true, getByList: true)
/// let (loss, grads) = try train.valueAndGradients(x, label)
/// print(train([x, label]))   // (loss, ((dx, dlabel), (dweight,)))
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
