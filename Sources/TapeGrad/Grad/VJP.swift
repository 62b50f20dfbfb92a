// MindSpore's `vjp`: the forward value and a pullback that maps output cotangents to input gradients,
// reusable without rerunning the forward.

/// A forward pass kept for replays. Its tape is sealed (read-only from then on, so replays on several
/// threads at once are safe) and closed when the last pullback holding it goes away.
final class SealedRecording: Sendable {
    let recording: Recording
    /// The differentiated outputs, still recorded on the sealed tape.
    let outputs: [Tensor]

    init(_ recording: Recording, outputs: [Tensor]) {
        recording.tape.seal()
        self.recording = recording
        self.outputs = outputs
    }

    deinit { recording.tape.close() }

    /// Checks `cotangents` against the outputs (MindSpore's sens rules) and replays the tape from them.
    func pullback(_ cotangents: [Tensor]) throws -> GradientEngine.Result {
        let sens: TensorTree = cotangents.count == 1 ? .tensor(cotangents[0]) : TensorTree(cotangents)
        let seeds = try GradientEngine.seeds(for: outputs, sens: sens)
        return try recording.replay(outputs: outputs, seeds: seeds)
    }

    /// Replays from a single output (`index`) seeded with `seed`, the other outputs seeded with nothing.
    func pullback(output index: Int, seed: Tensor) throws -> GradientEngine.Result {
        try recording.replay(outputs: [outputs[index]], seeds: [seed])
    }
}

/// The pullback returned by ``vjp(_:_:weights:)-(Tensor)->Output``: maps a cotangent of each output
/// (∂L/∂output) to the gradients `Jᵀ·v` of the inputs (and of the `weights`).
///
/// The forward is not rerun: the pullback replays the forward's tape, which it keeps alive, so it can be
/// called any number of times, from any thread. The result is shaped as MindSpore's `vjp_fn` returns it:
/// a tuple with one gradient per input (a 1-tuple for one input); with weights,
/// `(inputGradients, weightGradients)`, the weights part a tuple for an array of parameters and bare for one.
/// Inside an enclosing gradient computation that records the cotangent, the result is differentiable
/// with respect to it (this is how ``jvp(_:_:_:)-(Tensor)->Output`` is built).
///
/// ```swift
/// let (y, pullback) = try vjp({ x in x * x * x }, Tensor([1, 2]))
/// try pullback(Tensor([1, 1]))   // ([3, 12],)
/// try pullback(Tensor([1, 0]))   // ([3, 0],) — no second forward pass
/// ```
public struct PullbackFunction: Sendable {
    let sealed: SealedRecording
    let weights: WeightSelection?

    /// `Jᵀ·v` for one cotangent per output tensor, each of its output's shape and dtype.
    /// Throws ``GradError`` for a wrong count, shape or dtype, as MindSpore does.
    ///
    /// ```swift
    /// let (_, pullback) = try vjp({ x, y -> TensorTree in [.tensor(x * y), .tensor(x + y)] }, x, y)
    /// let (dx, dy) = try (pullback([v1, v2])[0], pullback([v1, v2])[1])   // v1 ⊙ y + v2, v1 ⊙ x + v2
    /// ```
    public func callAsFunction(_ cotangents: [Tensor]) throws -> TensorTree {
        let r = try sealed.pullback(cotangents)
        let recording = sealed.recording
        let inputsPart = TensorTree(recording.inputs.indices.map { r.inputGradients[$0] ?? Tensor.zeros(like: recording.inputs[$0]) })
        switch weights {
        case nil: return inputsPart
        case .single?: return [inputsPart, .tensor(r.parameterGradients[0])]
        case .list?: return [inputsPart, TensorTree(r.parameterGradients)]
        }
    }

    /// `pullback(v)` for a function with one output, or `pullback(v1, v2)` for several.
    ///
    /// ```swift
    /// let (_, pullback) = try vjp({ x in x * x }, Tensor([1, 2]))
    /// let grads = try pullback(Tensor([1, 1]))   // ([2, 4],)
    /// ```
    public func callAsFunction(_ cotangents: Tensor...) throws -> TensorTree { try callAsFunction(cotangents) }
}

/// Records `forward` on `inputs` (all of them differentiated, with `weights`) and seals it.
func makeVJP(
    inputs: [Tensor], weights: (any GradWeights)?, hasAux: Bool, forward: ([Tensor]) -> TensorTree
) throws -> (value: TensorTree, pullback: PullbackFunction, aux: TensorTree) {
    let selection = weights?.weightSelection
    let recording = try GradientEngine.record(
        inputs: inputs, positions: Array(inputs.indices),
        parameters: selection.map { .explicit($0.parameters) } ?? .none, forward: forward)
    let value = try recording.differentiatedOutput(hasAux: hasAux)
    var aux = TensorTree.tuple([])
    if hasAux {
        let rest = Array(recording.output.elements.dropFirst())
        aux = rest.count == 1 ? rest[0].detached : TensorTree.tuple(rest).detached
    }
    let sealed = SealedRecording(recording, outputs: value.tensors)
    return (value.detached, PullbackFunction(sealed: sealed, weights: selection), aux)
}

func typed<Output: TensorTreeConvertible>(_ tree: TensorTree, _ api: String) throws -> Output {
    guard let value = Output(tensorTree: tree) else {
        throw GradError.tensor(TensorError(op: api, message: "the output \(tree.shortDescription) does not have the declared type"))
    }
    return value
}

// MARK: - vjp

/// MindSpore's `vjp(fn, *inputs, weights=None)`: runs `fn` once and returns its value and a
/// ``PullbackFunction`` mapping a cotangent `v` of the output to `vᵀ·∂fn/∂x` for every input.
///
/// ```swift
/// let (y, pullback) = try vjp({ x in x * x * x }, Tensor([1, 2]))   // y = [1, 8]
/// let dx = try pullback(Tensor([1, 1]))[0]                         // [3, 12] = 3x²
/// ```
public func vjp<Output: TensorTreeConvertible>(
    _ fn: (Tensor) -> Output, _ x: Tensor, weights: (any GradWeights)? = nil
) throws -> (value: Output, pullback: PullbackFunction) {
    let r = try makeVJP(inputs: [x], weights: weights, hasAux: false) { fn($0[0]).tensorTree }
    return (try typed(r.value, "vjp"), r.pullback)
}

/// `vjp` of a function of two tensors: the pullback returns `(∂x, ∂y)`.
///
/// ```swift
/// let (out, pullback) = try vjp({ x, y in x * y }, x, y)
/// let grads = try pullback(v)   // (v ⊙ y, v ⊙ x)
/// ```
public func vjp<Output: TensorTreeConvertible>(
    _ fn: (Tensor, Tensor) -> Output, _ x: Tensor, _ y: Tensor, weights: (any GradWeights)? = nil
) throws -> (value: Output, pullback: PullbackFunction) {
    let r = try makeVJP(inputs: [x, y], weights: weights, hasAux: false) { fn($0[0], $0[1]).tensorTree }
    return (try typed(r.value, "vjp"), r.pullback)
}

/// `vjp` of a function of three tensors.
///
/// ```swift
/// let (out, pullback) = try vjp({ x, y, z in x * y + z }, x, y, z)
/// ```
public func vjp<Output: TensorTreeConvertible>(
    _ fn: (Tensor, Tensor, Tensor) -> Output, _ x: Tensor, _ y: Tensor, _ z: Tensor, weights: (any GradWeights)? = nil
) throws -> (value: Output, pullback: PullbackFunction) {
    let r = try makeVJP(inputs: [x, y, z], weights: weights, hasAux: false) { fn($0[0], $0[1], $0[2]).tensorTree }
    return (try typed(r.value, "vjp"), r.pullback)
}

/// `vjp` of a function of an array of tensors.
///
/// ```swift
/// let (out, pullback) = try vjp({ (t: [Tensor]) in t[0] * t[1] }, [a, b])
/// ```
public func vjp<Output: TensorTreeConvertible>(
    _ fn: ([Tensor]) -> Output, _ inputs: [Tensor], weights: (any GradWeights)? = nil
) throws -> (value: Output, pullback: PullbackFunction) {
    let r = try makeVJP(inputs: inputs, weights: weights, hasAux: false) { fn($0).tensorTree }
    return (try typed(r.value, "vjp"), r.pullback)
}

/// `vjp` of a cell's forward pass (a custom `bprop` is used, as by every gradient API).
///
/// ```swift
/// let (out, pullback) = try vjp(net, [x], weights: net.trainableParams())
/// let grads = try pullback(v)   // ((dx,), (dweight, dbias)): the inputs part, then the weights part
/// ```
public func vjp(_ network: Cell, _ inputs: [Tensor], weights: (any GradWeights)? = nil) throws -> (value: TensorTree, pullback: PullbackFunction) {
    let r = try makeVJP(inputs: inputs, weights: weights, hasAux: false) { network($0) }
    return (r.value, r.pullback)
}

// MARK: - vjp with has_aux

/// `vjp(fn, *inputs, has_aux=True)`: only the first output is differentiated; the others come back as
/// `aux` (the second output bare, or a tuple of the rest), cut off from the gradient.
///
/// ```swift
/// let (y, pullback, aux) = try vjp({ (t: [Tensor]) -> TensorTree in [.tensor(t[0] * 2), .tensor(t[0] * t[0])] },
///                                  [x], hasAux: true)
/// ```
public func vjp<Output: TensorTreeConvertible>(
    _ fn: ([Tensor]) -> Output, _ inputs: [Tensor], weights: (any GradWeights)? = nil, hasAux: Bool
) throws -> (value: TensorTree, pullback: PullbackFunction, aux: TensorTree) {
    try makeVJP(inputs: inputs, weights: weights, hasAux: hasAux) { fn($0).tensorTree }
}

/// `vjp(net, *inputs, has_aux=True)` of a cell.
///
/// ```swift
/// let (y, pullback, aux) = try vjp(net, [x, y], hasAux: true)
/// ```
public func vjp(
    _ network: Cell, _ inputs: [Tensor], weights: (any GradWeights)? = nil, hasAux: Bool
) throws -> (value: TensorTree, pullback: PullbackFunction, aux: TensorTree) {
    try makeVJP(inputs: inputs, weights: weights, hasAux: hasAux) { network($0) }
}
