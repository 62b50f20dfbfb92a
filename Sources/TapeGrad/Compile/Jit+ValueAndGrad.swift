// `jit(valueAndGrad(f, …))`: the forward and its backward compiled together, from trace-level derivative
// rules (VJPRules.swift), and replayed without a tape.

/// A compiled value-and-gradient function, made by ``jit(_:checked:strict:cacheSize:)-(ValueAndGradFunction<Output>,_,_,_)``.
/// Call it as the function it compiles; the result has the same structure.
///
/// Compiled: `gradPosition` (one or several positions) and explicit `weights`, for a function returning one
/// tensor. Other forms (`hasAux`, `sensParam`, `returnIds`, several outputs) run eagerly, or throw
/// ``JitError/unsupported(_:)`` when strict.
///
/// ```swift
/// let step = jit(try valueAndGrad({ x, w in tanh(matmul(x, w)).sum() }, gradPosition: 1))
/// let (value, dw) = try step(x, w)
/// ```
public struct JitValueAndGradFunction<Output>: @unchecked Sendable {
    // Sendable: every field is immutable; the wrapped closures are those of the value-and-gradient function,
    // run while tracing (one thread at a time) and, in checked or fallback mode, as it would run them.
    let function: ValueAndGradFunction<Output>
    let core: JitCore?
    let unsupported: String?
    let strict: Bool

    /// Runs the compiled forward and backward on `inputs` (tracing first for a new signature).
    ///
    /// ```swift
    /// let (value, dx) = try jit(try valueAndGrad({ x in (x * x).sum() }))([x])
    /// ```
    public func callAsFunction(_ inputs: [Tensor]) throws -> (value: Output, gradients: TensorTree) {
        guard let core, case .gradients(let positions, let parameters) = core.mode else {
            if strict, let unsupported { throw JitError.unsupported(unsupported) }
            return try function(inputs)
        }
        // Anything the eager function rejects (input count, positions out of range) it reports itself.
        if let arity = function.arity, inputs.count != arity { return try function(inputs) }
        if positions.contains(where: { $0 >= inputs.count }) { return try function(inputs) }
        let outputs: [Tensor]
        do {
            outputs = try core.call(inputs)
        } catch JitError.unsupported where !strict {
            // A form the compiled path cannot return (several outputs): the function as it is.
            return try function(inputs)
        }
        let inputGradients = Array(outputs[1..<(1 + positions.count)])
        let parameterGradients = Array(outputs[(1 + positions.count)...])
        let reached = Array(zip(parameters, parameterGradients))
        let gradients = function.spec.shaped(inputGradients: inputGradients, parameterGradients: parameterGradients, reachedParameters: reached)
        guard let value = function.makeValue(.tensor(outputs[0])) else {
            throw GradError.tensor(TensorError(op: "valueAndGrad", message: "the output does not have the declared type"))
        }
        return (value, gradients)
    }

    /// `step(x, y)`.
    ///
    /// ```swift
    /// let (value, dy) = try jit(try valueAndGrad({ x, y in (x * y).sum() }, gradPosition: 1))(x, y)
    /// ```
    public func callAsFunction(_ inputs: Tensor...) throws -> (value: Output, gradients: TensorTree) { try callAsFunction(inputs) }

    /// Traces, cache and fallbacks so far (all zeros for a form that always runs eagerly).
    ///
    /// ```swift
    /// let g = jit(try valueAndGrad({ x in (x * x).sum() }))
    /// _ = try g(x)
    /// print(g.diagnostics.compiledCallCount)   // 1
    /// ```
    public var diagnostics: JitDiagnostics {
        core?.diagnostics ?? JitDiagnostics(traceCount: 0, cachedSignatureCount: 0, compiledCallCount: 0, eagerCallCount: 0, eagerFallbackReason: unsupported)
    }
}

/// Compiles a value-and-gradient function: forward and backward are traced together on the first call per
/// signature and replayed after (the options as for ``jit(_:checked:strict:cacheSize:)-(@Sendable (Tensor) -> Tensor,_,_,_)``).
///
/// ```swift
/// let gradFn = jit(try valueAndGrad({ x in (tanh(x) * x).sum() }))
/// let (value, dx) = try gradFn(x)
/// ```
public func jit<Output>(_ function: ValueAndGradFunction<Output>, checked: Bool = false, strict: Bool = false,
                        cacheSize: Int = 8) -> JitValueAndGradFunction<Output> {
    let spec = function.spec
    let options = JitOptions(checked: checked, strict: strict, cacheSize: Swift.max(cacheSize, 1))
    var reason: String?
    if spec.hasAux { reason = "hasAux" }
    if spec.sensParam { reason = "sensParam" }
    if spec.returnIds { reason = "returnIds" }
    var positions: [Int] = []
    switch spec.inputs {
    case .positions(let p) where !p.isEmpty: positions = p
    case .none: break
    default: reason = reason ?? "this choice of gradient positions"
    }
    var parameters: [Parameter] = []
    switch spec.weights {
    case .none: break
    case .explicit(let selection): parameters = selection.parameters
    case .used: reason = reason ?? "the parameters the output reaches (no explicit weights)"
    }
    guard reason == nil else { return JitValueAndGradFunction(function: function, core: nil, unsupported: reason, strict: strict) }
    let core = JitCore(forward: function.forward, mode: .gradients(positions: positions, parameters: parameters), options: options)
    return JitValueAndGradFunction(function: function, core: core, unsupported: nil, strict: strict)
}
