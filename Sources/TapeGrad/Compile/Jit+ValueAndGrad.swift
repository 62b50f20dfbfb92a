// `jit(valueAndGrad(f, …))`: the forward and its backward compiled together, from trace-level derivative
// rules (VJPRules.swift), and replayed without a tape. Every option of the eager function compiles: the
// gradient positions, explicit or reached weights, `hasAux`, `sensParam` and `returnIds`; the result has
// the eager call's structure.

/// A compiled value-and-gradient function, made by ``jit(_:checked:strict:cacheSize:)-(ValueAndGradFunction<Output>,_,_,_)``.
/// Call it as the function it compiles; the result has the same structure and the same values (within the
/// tolerance of vectorised eˣ/tanh/σ and reordered sums).
///
/// Compiled: `gradPosition` (one or several positions), `weights` (explicit, or those the output reaches),
/// `hasAux` (the auxiliary outputs are outputs of the program), `sensParam` (the sens are inputs of the
/// program), `returnIds`, and functions of several outputs. A function that does not trace (an op without a
/// trace rule, a state change) runs eagerly, or throws ``JitError/unsupported(_:)`` when strict.
///
/// ```swift
/// let step = jit(try valueAndGrad({ x, w in tanh(matmul(x, w)).sum() }, gradPosition: 1))
/// let (value, dw) = try step(x, w)
/// ```
public struct JitValueAndGradFunction<Output>: @unchecked Sendable {
    // Sendable: every field is immutable; the wrapped closures are those of the value-and-gradient function,
    // run while tracing (one thread at a time) and, in checked or fallback mode, as it would run them.
    let function: ValueAndGradFunction<Output>
    let core: JitCore
    let strict: Bool

    /// Runs the compiled forward and backward on `inputs` (tracing first for a new signature). With
    /// `sensParam`, the sens is `sens:` or the last input, as for the eager function.
    ///
    /// ```swift
    /// let (value, dx) = try jit(try valueAndGrad({ x in (x * x).sum() }))([x])
    /// ```
    public func callAsFunction(_ inputs: [Tensor], sens: TensorTree? = nil) throws -> (value: Output, gradients: TensorTree) {
        let spec = function.spec
        // Anything the eager function rejects (input count, positions out of range, a missing sens) it reports itself.
        var args = inputs
        var sensTensors: [Tensor] = []
        if spec.sensParam {
            if let sens {
                sensTensors = sens.tensors
            } else if function.arity == nil || args.count != function.arity, let last = args.popLast() {
                sensTensors = [last]
            }
            if sensTensors.isEmpty { return try function(inputs, sens: sens) }
        } else if sens != nil {
            return try function(inputs, sens: sens)
        }
        if let arity = function.arity, args.count != arity { return try function(inputs, sens: sens) }
        if case .positions(let p) = spec.inputs, p.isEmpty || p.contains(where: { $0 >= args.count }) { return try function(inputs, sens: sens) }

        let result: JitResult?
        do {
            result = try core.run(args, sens: sensTensors)
        } catch GradError.tensor(let e) where Cell.isMissingConstruct(e) {
            return try function(inputs, sens: sens)   // the eager TypeError for a cell without this forward
        }
        guard let result else { return try function(inputs, sens: sens) }
        let valueTree = result.value
        var reached: [(Parameter, Tensor)] = []
        var explicit: [Parameter] = []
        switch spec.weights {
        case .none: break
        case .explicit(let selection): explicit = selection.parameters
        case .used: reached = result.parameterGradients.filter(\.reached).map { ($0.0, $0.1) }
        }
        let gradients = spec.shaped(inputGradients: result.inputGradients, parameterGradients: result.gradients(of: explicit),
                                    reachedParameters: reached)
        if core.options.checked {
            let (v0, g0) = try spec.evaluate(inputs: inputs, sens: sens, arity: function.arity, forward: function.forward)
            try JitCore.compare(valueTree.tensors + gradients.tensors, with: v0.tensors + g0.tensors)
        }
        guard let value = function.makeValue(valueTree) else {
            throw GradError.tensor(TensorError(op: "valueAndGrad", message: "the output \(valueTree.shortDescription) does not have the declared type"))
        }
        return (value, gradients)
    }

    /// `step(x, y)`.
    ///
    /// ```swift
    /// let (value, dy) = try jit(try valueAndGrad({ x, y in (x * y).sum() }, gradPosition: 1))(x, y)
    /// ```
    public func callAsFunction(_ inputs: Tensor...) throws -> (value: Output, gradients: TensorTree) { try callAsFunction(inputs, sens: nil) }

    /// `step(x, sens: s)` (with `sensParam`): `s` is ∂L/∂output, one tensor or a tuple per output.
    ///
    /// ```swift
    /// let f = jit(try valueAndGrad({ x in x * x }, sensParam: true))
    /// let (value, dx) = try f(Tensor([1, 2]), sens: .tensor(Tensor([1, 0.5])))   // dx = 2x ⊙ s = [2, 2]
    /// ```
    public func callAsFunction(_ inputs: Tensor..., sens: TensorTree) throws -> (value: Output, gradients: TensorTree) {
        try callAsFunction(inputs, sens: sens)
    }

    /// `step(x, sens: s)` with a single sens tensor.
    ///
    /// ```swift
    /// let f = jit(try valueAndGrad({ x in x * x }, sensParam: true))
    /// let (value, dx) = try f(Tensor([1, 2]), sens: Tensor([1, 0.5]))   // dx = [2, 2]
    /// ```
    public func callAsFunction(_ inputs: Tensor..., sens: Tensor) throws -> (value: Output, gradients: TensorTree) {
        try callAsFunction(inputs, sens: .tensor(sens))
    }

    /// Traces, cache and fallbacks so far.
    ///
    /// ```swift
    /// let g = jit(try valueAndGrad({ x in (x * x).sum() }))
    /// _ = try g(x)
    /// print(g.diagnostics.compiledCallCount)   // 1
    /// ```
    public var diagnostics: JitDiagnostics { core.diagnostics }
}

/// Compiles a value-and-gradient function: forward and backward are traced together on the first call per
/// signature and replayed after (the options as for `jit(_:checked:strict:cacheSize:)` (of a function of tensors)).
///
/// ```swift
/// let gradFn = jit(try valueAndGrad({ x in (tanh(x) * x).sum() }))
/// let (value, dx) = try gradFn(x)
/// ```
public func jit<Output>(_ function: ValueAndGradFunction<Output>, checked: Bool = false, strict: Bool = false,
                        cacheSize: Int = 8) -> JitValueAndGradFunction<Output> {
    let spec = function.spec
    let options = JitOptions(checked: checked, strict: strict, cacheSize: Swift.max(cacheSize, 1))
    let weights: JitGradForm.Weights
    switch spec.weights {
    case .none: weights = .none
    case .explicit(let selection): weights = .explicit(selection.parameters)
    case .used: weights = .used
    }
    let form = JitGradForm(inputs: spec.inputs, weights: weights, hasAux: spec.hasAux)
    let core = JitCore(forward: function.forward, mode: .differentiate(form), options: options)
    return JitValueAndGradFunction(function: function, core: core, strict: strict)
}
