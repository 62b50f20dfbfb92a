// MindSpore's `jvp` and `linearize`: Jacobian-vector products J·v, by transposing the pullback.
//
// The pullback u ↦ Jᵀ·u of a recorded forward is linear in u. Recording it once on a second tape (with u
// as the differentiation variable) and replaying that tape backwards from v gives (Jᵀ)ᵀ·v = J·v. The
// forward runs once, the backward once (recorded), and each tangent costs one replay of the second tape.

/// The linear map v ↦ J·v of a recorded forward, ready for any number of tangents (MindSpore's `jvp_fn`
/// from `linearize`). Calls replay a sealed tape, so they are safe from several threads at once.
///
/// ```swift
/// let (y, jvpFn) = try linearize({ x in x * x }, Tensor([1, 2]))
/// try jvpFn(Tensor([1, 0]))   // [2, 0]
/// try jvpFn(Tensor([0, 1]))   // [0, 4]
/// ```
public struct JVPFunction: Sendable {
    /// The transposed pullback u ↦ Jᵀ·u, recorded: its inputs are the output cotangents u, its outputs
    /// the gradients of the differentiated input positions.
    let transposed: SealedRecording
    /// The forward's inputs (shapes and dtypes of the tangents).
    let inputs: [Tensor]
    let positions: [Int]
    /// The differentiated output's structure (tensor, or tuple of tensors).
    let structure: TensorTree

    /// J·v for one tangent per input (of its input's shape), shaped like the function's output.
    /// Throws ``GradError/tangentCountMismatch(expected:got:)`` or ``GradError/tangentShapeMismatch(position:expected:got:)``.
    ///
    /// ```swift
    /// let (_, jvpFn) = try linearize({ (t: [Tensor]) in t[0] * t[1] }, [a, b])
    /// let dy = try jvpFn([va, vb])   // va ⊙ b + a ⊙ vb
    /// ```
    public func callAsFunction(_ tangents: [Tensor]) throws -> TensorTree {
        guard tangents.count == inputs.count else { throw GradError.tangentCountMismatch(expected: inputs.count, got: tangents.count) }
        for (i, (v, x)) in zip(tangents, inputs).enumerated() where v.shape != x.shape {
            throw GradError.tangentShapeMismatch(position: i, expected: x.shape, got: v.shape)
        }
        let seeds = positions.map { tangents[$0].astype(inputs[$0].dtype) }
        let r = try transposed.recording.replay(outputs: transposed.outputs, seeds: seeds)
        let cotangents = transposed.recording.inputs
        return structure.replacingTensors(cotangents.indices.map { r.inputGradients[$0] ?? Tensor.zeros(like: cotangents[$0]) })
    }

    /// `jvpFn(v)` for a function of one tensor, `jvpFn(v1, v2)` for several.
    ///
    /// ```swift
    /// let (_, jvpFn) = try linearize({ x in x * x }, Tensor([1, 2]))
    /// let dy = try jvpFn(Tensor([1, 1]))   // 2x ⊙ v = [2, 4]
    /// ```
    public func callAsFunction(_ tangents: Tensor...) throws -> TensorTree { try callAsFunction(tangents) }
}

/// Records `forward` and its transposed pullback with respect to `positions`: returns the full output,
/// the differentiated part and the linear map.
func makeLinearization(
    inputs: [Tensor], positions: [Int], hasAux: Bool, forward: ([Tensor]) -> TensorTree
) throws -> (output: TensorTree, differentiated: TensorTree, jvp: JVPFunction) {
    let recording = try GradientEngine.record(inputs: inputs, positions: positions, parameters: .none, forward: forward)
    let differentiated = try recording.differentiatedOutput(hasAux: hasAux)
    let outs = differentiated.tensors
    let forwardPass = SealedRecording(recording, outputs: outs)

    // u ↦ Jᵀ·u, recorded with u as the leaves. Any u will do (the map is linear): ones, as MindSpore.
    var failure: Error?
    let transposed = try GradientEngine.record(
        inputs: outs.map { Tensor.ones(like: $0.detached) }, positions: Array(outs.indices), parameters: .none
    ) { us in
        do {
            let r = try forwardPass.recording.replay(outputs: outs, seeds: us)
            return TensorTree(positions.map { r.inputGradients[$0] ?? Tensor.zeros(like: inputs[$0]) })
        } catch {
            failure = error
            return .tuple([])
        }
    }
    if let failure {
        transposed.tape.close()
        throw failure
    }
    let linear = JVPFunction(transposed: SealedRecording(transposed, outputs: transposed.output.tensors),
                             inputs: inputs, positions: positions, structure: differentiated.detached)
    return (recording.output.detached, differentiated.detached, linear)
}

extension TensorTree {
    /// The same structure with its tensors replaced, in depth-first order, by `replacements`.
    func replacingTensors(_ replacements: [Tensor]) -> TensorTree {
        var index = 0
        func walk(_ tree: TensorTree) -> TensorTree {
            switch tree {
            case .tensor(let old):
                defer { index += 1 }
                return .tensor(index < replacements.count ? replacements[index] : Tensor.zeros(like: old))
            case .tuple(let items): return .tuple(items.map(walk))
            default: return tree
            }
        }
        return walk(self)
    }
}

/// The full jvp: value, J·v and (with `hasAux`) the remaining outputs.
func evaluateJVP(
    inputs: [Tensor], tangents: [Tensor], hasAux: Bool, forward: ([Tensor]) -> TensorTree
) throws -> (value: TensorTree, jvp: TensorTree, aux: TensorTree) {
    guard tangents.count == inputs.count else { throw GradError.tangentCountMismatch(expected: inputs.count, got: tangents.count) }
    let (output, differentiated, linear) = try makeLinearization(
        inputs: inputs, positions: Array(inputs.indices), hasAux: hasAux, forward: forward)
    let product = try linear(tangents)
    var aux = TensorTree.tuple([])
    if hasAux {
        let rest = Array(output.elements.dropFirst())
        aux = rest.count == 1 ? rest[0] : .tuple(rest)
    }
    return (differentiated, product, aux)
}

// MARK: - jvp

/// MindSpore's `jvp(fn, inputs, v)`: the value of `fn` at `x` and the Jacobian-vector product
/// J·v = Σⱼ ∂fn/∂xⱼ · vⱼ, shaped like the output.
///
/// Built by transposing the pullback (one forward, one recorded backward, one replay); differentiable
/// again when an enclosing computation records `x` or `v`.
///
/// ```swift
/// let (y, dy) = try jvp({ x in x * x * x }, Tensor([1, 2]), Tensor([3, 4]))   // y = [1, 8], dy = 3x²·v = [9, 48]
/// ```
public func jvp<Output: TensorTreeConvertible>(_ fn: (Tensor) -> Output, _ x: Tensor, _ v: Tensor) throws -> (value: Output, jvp: Output) {
    let r = try evaluateJVP(inputs: [x], tangents: [v], hasAux: false) { fn($0[0]).tensorTree }
    return (try typed(r.value, "jvp"), try typed(r.jvp, "jvp"))
}

/// `jvp` of a function of two tensors, with one tangent per input.
///
/// ```swift
/// let (y, dy) = try jvp({ x, y in x * x * y }, [x, y], [vx, vy])   // 2xy·vx + x²·vy
/// ```
public func jvp<Output: TensorTreeConvertible>(
    _ fn: (Tensor, Tensor) -> Output, _ inputs: [Tensor], _ v: [Tensor]
) throws -> (value: Output, jvp: Output) {
    guard inputs.count == 2 else { throw GradError.wrongInputCount(expected: 2, got: inputs.count) }
    let r = try evaluateJVP(inputs: inputs, tangents: v, hasAux: false) { fn($0[0], $0[1]).tensorTree }
    return (try typed(r.value, "jvp"), try typed(r.jvp, "jvp"))
}

/// `jvp` of a function of three tensors.
///
/// ```swift
/// let (y, dy) = try jvp({ x, y, z in x * y * z }, [x, y, z], [vx, vy, vz])
/// ```
public func jvp<Output: TensorTreeConvertible>(
    _ fn: (Tensor, Tensor, Tensor) -> Output, _ inputs: [Tensor], _ v: [Tensor]
) throws -> (value: Output, jvp: Output) {
    guard inputs.count == 3 else { throw GradError.wrongInputCount(expected: 3, got: inputs.count) }
    let r = try evaluateJVP(inputs: inputs, tangents: v, hasAux: false) { fn($0[0], $0[1], $0[2]).tensorTree }
    return (try typed(r.value, "jvp"), try typed(r.jvp, "jvp"))
}

/// `jvp` of a function of an array of tensors.
///
/// ```swift
/// let (y, dy) = try jvp({ (t: [Tensor]) in t[0] * t[1] }, [a, b], [va, vb])
/// ```
public func jvp<Output: TensorTreeConvertible>(
    _ fn: ([Tensor]) -> Output, _ inputs: [Tensor], _ v: [Tensor]
) throws -> (value: Output, jvp: Output) {
    let r = try evaluateJVP(inputs: inputs, tangents: v, hasAux: false) { fn($0).tensorTree }
    return (try typed(r.value, "jvp"), try typed(r.jvp, "jvp"))
}

/// `jvp` of a cell's forward pass.
///
/// ```swift
/// let (y, dy) = try jvp(net, [x, y], [v, v])
/// ```
public func jvp(_ network: Cell, _ inputs: [Tensor], _ v: [Tensor]) throws -> (value: TensorTree, jvp: TensorTree) {
    let r = try evaluateJVP(inputs: inputs, tangents: v, hasAux: false) { network($0) }
    return (r.value, r.jvp)
}

/// `jvp(fn, inputs, v, has_aux=True)`: J·v of the first output only; the others come back as `aux`
/// (the second output bare, or a tuple of the rest).
///
/// ```swift
/// let (y, dy, aux) = try jvp({ (t: [Tensor]) -> TensorTree in [.tensor(t[0] * t[0]), .tensor(t[0])] }, [x], [v], hasAux: true)
/// ```
public func jvp<Output: TensorTreeConvertible>(
    _ fn: ([Tensor]) -> Output, _ inputs: [Tensor], _ v: [Tensor], hasAux: Bool
) throws -> (value: TensorTree, jvp: TensorTree, aux: TensorTree) {
    try evaluateJVP(inputs: inputs, tangents: v, hasAux: hasAux) { fn($0).tensorTree }
}

/// `jvp(net, inputs, v, has_aux=True)` of a cell.
///
/// ```swift
/// let (y, dy, aux) = try jvp(net, [x, y], [v, v], hasAux: true)
/// ```
public func jvp(_ network: Cell, _ inputs: [Tensor], _ v: [Tensor], hasAux: Bool) throws -> (value: TensorTree, jvp: TensorTree, aux: TensorTree) {
    try evaluateJVP(inputs: inputs, tangents: v, hasAux: hasAux) { network($0) }
}

// MARK: - linearize

/// MindSpore's `linearize(fn, inputs)`: the value of `fn` and a reusable ``JVPFunction`` v ↦ J·v, so
/// that many tangents cost one replay each and no further forward pass.
///
/// ```swift
/// let (y, jvpFn) = try linearize({ (t: [Tensor]) in t[0] * t[1] }, [a, b])
/// let dy = try jvpFn([va, vb])   // va ⊙ b + a ⊙ vb
/// ```
public func linearize<Output: TensorTreeConvertible>(_ fn: ([Tensor]) -> Output, _ inputs: [Tensor]) throws -> (value: Output, jvp: JVPFunction) {
    let r = try makeLinearization(inputs: inputs, positions: Array(inputs.indices), hasAux: false) { fn($0).tensorTree }
    return (try typed(r.differentiated, "linearize"), r.jvp)
}

/// `linearize` of a function of one tensor.
///
/// ```swift
/// let (y, jvpFn) = try linearize({ x in sin(x) }, x)   // jvpFn(v) = cos(x) ⊙ v
/// ```
public func linearize<Output: TensorTreeConvertible>(_ fn: (Tensor) -> Output, _ x: Tensor) throws -> (value: Output, jvp: JVPFunction) {
    let r = try makeLinearization(inputs: [x], positions: [0], hasAux: false) { fn($0[0]).tensorTree }
    return (try typed(r.differentiated, "linearize"), r.jvp)
}
