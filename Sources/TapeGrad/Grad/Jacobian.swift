// MindSpore's `jacrev` and `jacfwd`: full Jacobians, by replaying one recorded forward pass.

/// A function returning the Jacobian of `fn` at its inputs, made by ``jacrev(_:gradPosition:hasAux:)-(Tensor)->Output``
/// or ``jacfwd(_:gradPosition:hasAux:)-(Tensor)->Output``.
///
/// The block for output j and input i has shape `outputⱼ.shape + inputᵢ.shape`. Structure as MindSpore:
/// one output and one position → a bare tensor; one of either → a tuple; both several → a tuple over
/// outputs of tuples over positions. With `hasAux`, `(jacobian, aux)`.
///
/// ```swift
/// let jac = try jacrev({ x in x * x }, gradPosition: 0)(Tensor([1, 2]))   // [[2, 0], [0, 4]]
/// ```
public struct JacobianFunction {
    enum Mode { case reverse, forward }
    let mode: Mode
    let gradPosition: GradPosition
    let hasAux: Bool
    let arity: Int?
    let forward: ([Tensor]) -> TensorTree

    /// The Jacobian at `inputs`. Throws ``GradError`` for a position outside the inputs, a wrong input
    /// count, or an op error inside `fn`.
    ///
    /// ```swift
    /// let jac = try jacrev({ (t: [Tensor]) in t[0] * t[1] }, gradPosition: [0, 1])([a, b])   // (diag(b), diag(a))
    /// ```
    public func callAsFunction(_ inputs: [Tensor]) throws -> TensorTree {
        if let arity, inputs.count != arity { throw GradError.wrongInputCount(expected: arity, got: inputs.count) }
        let positions = try checkedPositions(gradPosition, inputCount: inputs.count)
        let (blocks, output) = mode == .reverse
            ? try reverseJacobian(inputs: inputs, positions: positions)
            : try forwardJacobian(inputs: inputs, positions: positions)
        let jacobian = jacobianStructure(blocks)
        return hasAux ? [jacobian, auxOutputs(output)] : jacobian
    }

    /// `jacFn(x, y)`.
    ///
    /// ```swift
    /// let jacFn = jacrev({ x, y in x * y }, gradPosition: [0, 1])
    /// let jac = try jacFn(x, y)   // (∂/∂x, ∂/∂y) = (diag(y), diag(x))
    /// ```
    public func callAsFunction(_ inputs: Tensor...) throws -> TensorTree { try callAsFunction(inputs) }

    /// Reverse mode: one replay of the forward's tape per output element, each giving a row.
    private func reverseJacobian(inputs: [Tensor], positions: [Int]) throws -> (blocks: [[Tensor]], output: TensorTree) {
        let recording = try GradientEngine.record(inputs: inputs, positions: positions, parameters: .none, forward: forward)
        let differentiated = try recording.differentiatedOutput(hasAux: hasAux)
        let outs = differentiated.tensors
        let sealed = SealedRecording(recording, outputs: outs)
        var blocks: [[Tensor]] = []
        for (j, out) in outs.enumerated() {
            var rows = [[Tensor]](repeating: [], count: positions.count)
            for k in 0..<out.count {
                let r = try sealed.pullback(output: j, seed: basisTensor(shape: out.shape, dtype: out.dtype, index: k))
                for (i, p) in positions.enumerated() { rows[i].append(r.inputGradients[p] ?? Tensor.zeros(like: inputs[p])) }
            }
            blocks.append(try positions.enumerated().map { i, p in
                try assembleJacobian(rows[i], rows: true, outerShape: out.shape, innerShape: inputs[p].shape, dtype: inputs[p].dtype)
            })
        }
        return (blocks, recording.output.detached)
    }

    /// Forward mode: the pullback transposed once (see ``jvp(_:_:_:)-(Tensor)->Output``), then one replay per
    /// input element, each giving a column.
    private func forwardJacobian(inputs: [Tensor], positions: [Int]) throws -> (blocks: [[Tensor]], output: TensorTree) {
        let (output, differentiated, linear) = try makeLinearization(inputs: inputs, positions: positions, hasAux: hasAux, forward: forward)
        let outs = differentiated.tensors
        var columns = [[[Tensor]]](repeating: [[Tensor]](repeating: [], count: positions.count), count: outs.count)
        let zeros = inputs.map { Tensor.zeros(like: $0) }
        for (i, p) in positions.enumerated() {
            for k in 0..<inputs[p].count {
                var tangents = zeros
                tangents[p] = basisTensor(shape: inputs[p].shape, dtype: inputs[p].dtype, index: k)
                let product = try linear(tangents).tensors
                for j in outs.indices { columns[j][i].append(product[j]) }
            }
        }
        let blocks = try outs.indices.map { j in
            try positions.enumerated().map { i, p in
                try assembleJacobian(columns[j][i], rows: false, outerShape: outs[j].shape, innerShape: inputs[p].shape, dtype: outs[j].dtype)
            }
        }
        return (blocks, output)
    }
}

// MARK: - jacrev

/// MindSpore's `jacrev(fn, grad_position=0, has_aux=False)`: the Jacobian by reverse mode, one backward
/// replay per output element (best when outputs are fewer than inputs). The forward runs once.
///
/// ```swift
/// let jac = try jacrev({ x in x * x * x }, gradPosition: 0)(Tensor([1, 2]))   // diag(3x²) = [[3, 0], [0, 12]]
/// ```
public func jacrev<Output: TensorTreeConvertible>(
    _ fn: @escaping (Tensor) -> Output, gradPosition: GradPosition = 0, hasAux: Bool = false
) -> JacobianFunction {
    JacobianFunction(mode: .reverse, gradPosition: gradPosition, hasAux: hasAux, arity: 1, forward: { fn($0[0]).tensorTree })
}

/// `jacrev` of a function of two tensors.
///
/// ```swift
/// let jac = try jacrev({ x, y in x * y }, gradPosition: [0, 1])(x, y)   // (diag(y), diag(x))
/// ```
public func jacrev<Output: TensorTreeConvertible>(
    _ fn: @escaping (Tensor, Tensor) -> Output, gradPosition: GradPosition = 0, hasAux: Bool = false
) -> JacobianFunction {
    JacobianFunction(mode: .reverse, gradPosition: gradPosition, hasAux: hasAux, arity: 2, forward: { fn($0[0], $0[1]).tensorTree })
}

/// `jacrev` of a function of three tensors.
///
/// ```swift
/// let jac = try jacrev({ x, y, z in x * y * z }, gradPosition: 2)(x, y, z)
/// ```
public func jacrev<Output: TensorTreeConvertible>(
    _ fn: @escaping (Tensor, Tensor, Tensor) -> Output, gradPosition: GradPosition = 0, hasAux: Bool = false
) -> JacobianFunction {
    JacobianFunction(mode: .reverse, gradPosition: gradPosition, hasAux: hasAux, arity: 3, forward: { fn($0[0], $0[1], $0[2]).tensorTree })
}

/// `jacrev` of a function of an array of tensors.
///
/// ```swift
/// let jac = try jacrev({ (t: [Tensor]) in t[0] * t[1] }, gradPosition: [0, 1])([a, b])
/// ```
public func jacrev<Output: TensorTreeConvertible>(
    _ fn: @escaping ([Tensor]) -> Output, gradPosition: GradPosition = 0, hasAux: Bool = false
) -> JacobianFunction {
    JacobianFunction(mode: .reverse, gradPosition: gradPosition, hasAux: hasAux, arity: nil, forward: { fn($0).tensorTree })
}

/// `jacrev` of a cell's forward pass.
///
/// ```swift
/// let jac = try jacrev(net, gradPosition: 0)(x, y, z)
/// ```
public func jacrev(_ network: Cell, gradPosition: GradPosition = 0, hasAux: Bool = false) -> JacobianFunction {
    JacobianFunction(mode: .reverse, gradPosition: gradPosition, hasAux: hasAux, arity: nil, forward: { network($0) })
}

// MARK: - jacfwd

/// MindSpore's `jacfwd(fn, grad_position=0, has_aux=False)`: the Jacobian by forward mode, one
/// Jacobian-vector product per input element (best when inputs are fewer than outputs). The forward runs
/// once and its pullback is transposed once; each column is then one replay.
///
/// ```swift
/// let jac = try jacfwd({ x in x * x * x }, gradPosition: 0)(Tensor([1, 2]))   // [[3, 0], [0, 12]]
/// ```
public func jacfwd<Output: TensorTreeConvertible>(
    _ fn: @escaping (Tensor) -> Output, gradPosition: GradPosition = 0, hasAux: Bool = false
) -> JacobianFunction {
    JacobianFunction(mode: .forward, gradPosition: gradPosition, hasAux: hasAux, arity: 1, forward: { fn($0[0]).tensorTree })
}

/// `jacfwd` of a function of two tensors.
///
/// ```swift
/// let jac = try jacfwd({ x, y in [x * y, x + y] as TensorTree }, gradPosition: [0, 1])(x, y)
/// ```
public func jacfwd<Output: TensorTreeConvertible>(
    _ fn: @escaping (Tensor, Tensor) -> Output, gradPosition: GradPosition = 0, hasAux: Bool = false
) -> JacobianFunction {
    JacobianFunction(mode: .forward, gradPosition: gradPosition, hasAux: hasAux, arity: 2, forward: { fn($0[0], $0[1]).tensorTree })
}

/// `jacfwd` of a function of three tensors.
///
/// ```swift
/// let jac = try jacfwd({ x, y, z in x * y * z }, gradPosition: 1)(x, y, z)
/// ```
public func jacfwd<Output: TensorTreeConvertible>(
    _ fn: @escaping (Tensor, Tensor, Tensor) -> Output, gradPosition: GradPosition = 0, hasAux: Bool = false
) -> JacobianFunction {
    JacobianFunction(mode: .forward, gradPosition: gradPosition, hasAux: hasAux, arity: 3, forward: { fn($0[0], $0[1], $0[2]).tensorTree })
}

/// `jacfwd` of a function of an array of tensors.
///
/// ```swift
/// let jac = try jacfwd({ (t: [Tensor]) in t[0] * t[1] }, gradPosition: 0)([a, b])
/// ```
public func jacfwd<Output: TensorTreeConvertible>(
    _ fn: @escaping ([Tensor]) -> Output, gradPosition: GradPosition = 0, hasAux: Bool = false
) -> JacobianFunction {
    JacobianFunction(mode: .forward, gradPosition: gradPosition, hasAux: hasAux, arity: nil, forward: { fn($0).tensorTree })
}

/// `jacfwd` of a cell's forward pass.
///
/// ```swift
/// let jac = try jacfwd(net, gradPosition: [0, 1])(x, y)
/// ```
public func jacfwd(_ network: Cell, gradPosition: GradPosition = 0, hasAux: Bool = false) -> JacobianFunction {
    JacobianFunction(mode: .forward, gradPosition: gradPosition, hasAux: hasAux, arity: nil, forward: { network($0) })
}
