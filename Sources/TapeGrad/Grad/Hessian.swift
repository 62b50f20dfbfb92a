// Hessians and Hessian-vector products, by reverse-over-reverse: the gradient ∇f is computed inside a
// second recorded computation (the pullbacks being written in ops, the backward pass is itself
// recorded), then that second tape is replayed backwards.

/// Records x ↦ (f(x), ∇ₚf(x)) for the positions `positions` on a fresh tape whose leaves are those inputs.
/// The gradient is of the sum of f's elements (ones as the seed), as for ``grad(_:gradPosition:weights:hasAux:returnIds:sensParam:)-8l5fv``.
private func recordGradient(
    inputs: [Tensor], positions: [Int], forward: ([Tensor]) -> Tensor
) throws -> (recording: Recording, value: Tensor, gradients: [Tensor]) {
    var failure: Error?
    let recording = try GradientEngine.record(inputs: inputs, positions: positions, parameters: .none) { xs in
        do {
            let inner = try GradientEngine.run(inputs: xs, positions: positions, parameters: .none, hasAux: false, sens: nil) {
                .tensor(forward($0))
            }
            return .tuple([inner.output] + positions.map { .tensor(inner.inputGradients[$0] ?? Tensor.zeros(like: xs[$0])) })
        } catch {
            failure = error
            return .tuple([])
        }
    }
    if let failure {
        recording.tape.close()
        throw failure
    }
    let parts = recording.output.elements
    return (recording, parts[0].tensors.first ?? Tensor.placeholder(), parts.dropFirst().flatMap(\.tensors))
}

/// The Hessian-vector product H·v of `fn` at `inputs` (H the Hessian of the sum of `fn`'s elements with
/// respect to every input, v one tangent per input), and the value of `fn`.
///
/// Costs one recorded forward and backward and one backward of that: about two to three gradients.
///
/// ```swift
/// // f(x) = Σ x³: H = diag(6x), so H·v = 6x ⊙ v
/// let (value, hv) = try hvp({ (t: [Tensor]) in (t[0] * t[0] * t[0]).sum() }, [Tensor([1, 2])], [Tensor([1, 1])])
/// // hv = [[6, 12]]
/// ```
public func hvp(_ fn: ([Tensor]) -> Tensor, _ inputs: [Tensor], _ v: [Tensor]) throws -> (value: Tensor, hvp: [Tensor]) {
    guard v.count == inputs.count else { throw GradError.tangentCountMismatch(expected: inputs.count, got: v.count) }
    for (i, (t, x)) in zip(v, inputs).enumerated() where t.shape != x.shape {
        throw GradError.tangentShapeMismatch(position: i, expected: x.shape, got: t.shape)
    }
    let positions = Array(inputs.indices)
    let (recording, value, gradients) = try recordGradient(inputs: inputs, positions: positions, forward: fn)
    defer { recording.tape.close() }
    // H is symmetric, so the pullback of ∇f at v is Hᵀ·v = H·v.
    let r = try recording.replay(outputs: gradients, seeds: zip(v, inputs).map { $0.astype($1.dtype) })
    return (value.detachedIfNotNested, positions.map { r.inputGradients[$0] ?? Tensor.zeros(like: inputs[$0]) })
}

/// H·v for a function of one tensor.
///
/// ```swift
/// let (value, hv) = try hvp({ x in (x * x * x).sum() }, Tensor([1, 2]), Tensor([1, 0]))   // hv = [6, 0]
/// ```
public func hvp(_ fn: (Tensor) -> Tensor, _ x: Tensor, _ v: Tensor) throws -> (value: Tensor, hvp: Tensor) {
    let r = try hvp({ fn($0[0]) }, [x], [v])
    return (r.value, r.hvp[0])
}

/// The Hessian of `fn` (of the sum of its elements) with respect to the inputs at `gradPosition`, as
/// JAX's `hessian`: one position gives a tensor of shape `x.shape + x.shape`; several give a tuple over
/// positions i of tuples over positions j of ∂²f/∂xᵢ∂xⱼ, of shape `xᵢ.shape + xⱼ.shape`.
///
/// The gradient is recorded once; each row is one backward replay of that record.
///
/// ```swift
/// let h = try hessian({ (t: [Tensor]) in (t[0] * t[0] * t[1]).sum() }, gradPosition: [0, 1])([x, y])
/// // h[0][0] = diag(2y), h[0][1] = diag(2x), h[1][0] = diag(2x), h[1][1] = 0
/// ```
public func hessian(_ fn: @escaping ([Tensor]) -> Tensor, gradPosition: GradPosition = 0) -> HessianFunction {
    HessianFunction(gradPosition: gradPosition, arity: nil, forward: fn)
}

/// The Hessian of a function of one tensor.
///
/// ```swift
/// let h = try hessian({ x in (x * x * x).sum() })(Tensor([1, 2]))   // [[6, 0], [0, 12]]
/// ```
public func hessian(_ fn: @escaping (Tensor) -> Tensor) -> HessianFunction {
    HessianFunction(gradPosition: 0, arity: 1, forward: { fn($0[0]) })
}

/// The function made by ``hessian(_:gradPosition:)``.
///
/// ```swift
/// let h = try hessian({ x in (x * x).sum() })(Tensor([1, 2]))   // 2·I
/// ```
public struct HessianFunction {
    let gradPosition: GradPosition
    let arity: Int?
    let forward: ([Tensor]) -> Tensor

    /// The Hessian at `inputs`; throws ``GradError`` for a bad position or count, or an op error in `fn`.
    ///
    /// ```swift
    /// let h = try hessian({ (t: [Tensor]) in (t[0] * t[1]).sum() }, gradPosition: [0, 1])([x, y])   // h[0][1] = I
    /// ```
    public func callAsFunction(_ inputs: [Tensor]) throws -> TensorTree {
        if let arity, inputs.count != arity { throw GradError.wrongInputCount(expected: arity, got: inputs.count) }
        let positions = try checkedPositions(gradPosition, inputCount: inputs.count)
        let (recording, _, gradients) = try recordGradient(inputs: inputs, positions: positions, forward: forward)
        let sealed = SealedRecording(recording, outputs: gradients)
        var blocks: [[Tensor]] = []
        for (i, p) in positions.enumerated() {
            var rows = [[Tensor]](repeating: [], count: positions.count)
            for k in 0..<inputs[p].count {
                let seed = basisTensor(shape: inputs[p].shape, dtype: gradients[i].dtype, index: k)
                let r = try sealed.pullback(output: i, seed: seed)
                for (j, q) in positions.enumerated() { rows[j].append(r.inputGradients[q] ?? Tensor.zeros(like: inputs[q])) }
            }
            blocks.append(try positions.enumerated().map { j, q in
                try assembleJacobian(rows[j], rows: true, outerShape: inputs[p].shape, innerShape: inputs[q].shape, dtype: inputs[q].dtype)
            })
        }
        return positions.count == 1 ? .tensor(blocks[0][0]) : .tuple(blocks.map { TensorTree($0) })
    }

    /// `hessianFn(x)` or `hessianFn(x, y)`.
    ///
    /// ```swift
    /// let hessianFn = hessian({ x in (x * x * x).sum() })
    /// let h = try hessianFn(Tensor([1, 2]))   // [[6, 0], [0, 12]]
    /// ```
    public func callAsFunction(_ inputs: Tensor...) throws -> TensorTree { try callAsFunction(inputs) }
}
