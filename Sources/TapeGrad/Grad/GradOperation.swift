/// MindSpore's `GradOperation`: a higher-order function that turns a function or cell into its gradient
/// function.
///
/// * default: the gradient of input 0, bare (`()` if there are no inputs);
/// * `getAll`: the gradients of all inputs, always a tuple (a 1-tuple for one input);
/// * `getByList`: the gradients of `weights`, always a tuple for an array or ParameterTuple, bare for a
///   single Parameter; without `weights`, of the trainable Parameters the output reaches, in order of use;
/// * both: `(inputs, weights)`;
/// * `sensParam`: the sensitivity ∂L/∂output is passed as `sens:` or as the last input.
///
/// ```swift
/// let w = Parameter(Tensor([2]), name: "w")
/// let f = { (x: Tensor, y: Tensor) in x * y * w.value }
/// let gradAll = GradOperation(getAll: true)(f)
/// let grads = try gradAll(Tensor([3]), Tensor([4]))          // (dx, dy) = ([8], [6])
/// let (dx, dy) = (try grads.tensor(at: 0), try grads.tensor(at: 1))
/// let dw = try GradOperation(getByList: true)(f, [w])(Tensor([3]), Tensor([4]))   // ([12],)
/// ```
public struct GradOperation: Sendable {
    /// Whether all inputs are differentiated.
    public let getAll: Bool
    /// Whether the weights are differentiated.
    public let getByList: Bool
    /// Whether a sensitivity is passed.
    public let sensParam: Bool

    /// `GradOperation(get_all=False, get_by_list=False, sens_param=False)`.
    public init(getAll: Bool = false, getByList: Bool = false, sensParam: Bool = false) {
        self.getAll = getAll
        self.getByList = getByList
        self.sensParam = sensParam
    }

    func spec(_ weights: (any GradWeights)?) -> GradSpec {
        let inputs: GradSpec.Inputs = getAll ? .all : (getByList ? .none : .first)
        var w: GradSpec.Weights = .none
        if getByList { w = weights.map { .explicit($0.weightSelection) } ?? .used }
        return GradSpec(inputs: inputs, weights: w, sensParam: sensParam)
    }

    /// The gradient function of a cell (`grad_op(net, weights)`); `weights` is ignored without `getByList`.
    public func callAsFunction(_ network: Cell, _ weights: (any GradWeights)? = nil) -> GradFunction {
        GradFunction(spec: spec(weights), arity: nil, forward: { network($0) })
    }

    /// The gradient function of a closure of one tensor.
    public func callAsFunction<Output: TensorTreeConvertible>(_ fn: @escaping (Tensor) -> Output, _ weights: (any GradWeights)? = nil) -> GradFunction {
        GradFunction(spec: spec(weights), arity: 1, forward: { fn($0[0]).tensorTree })
    }

    /// The gradient function of a closure of two tensors.
    public func callAsFunction<Output: TensorTreeConvertible>(_ fn: @escaping (Tensor, Tensor) -> Output, _ weights: (any GradWeights)? = nil) -> GradFunction {
        GradFunction(spec: spec(weights), arity: 2, forward: { fn($0[0], $0[1]).tensorTree })
    }

    /// The gradient function of a closure of three tensors.
    public func callAsFunction<Output: TensorTreeConvertible>(_ fn: @escaping (Tensor, Tensor, Tensor) -> Output, _ weights: (any GradWeights)? = nil) -> GradFunction {
        GradFunction(spec: spec(weights), arity: 3, forward: { fn($0[0], $0[1], $0[2]).tensorTree })
    }

    /// The gradient function of a closure of four tensors.
    public func callAsFunction<Output: TensorTreeConvertible>(_ fn: @escaping (Tensor, Tensor, Tensor, Tensor) -> Output, _ weights: (any GradWeights)? = nil) -> GradFunction {
        GradFunction(spec: spec(weights), arity: 4, forward: { fn($0[0], $0[1], $0[2], $0[3]).tensorTree })
    }

    /// The gradient function of a closure of an array of tensors. With `inputCount`, a call with another
    /// number of inputs throws ``GradError/wrongInputCount(expected:got:)`` before `fn` runs (without it,
    /// `fn` indexing past the array traps, as any Swift array does).
    public func callAsFunction<Output: TensorTreeConvertible>(_ fn: @escaping ([Tensor]) -> Output, _ weights: (any GradWeights)? = nil, inputCount: Int? = nil) -> GradFunction {
        GradFunction(spec: spec(weights), arity: inputCount, forward: { fn($0).tensorTree })
    }
}
