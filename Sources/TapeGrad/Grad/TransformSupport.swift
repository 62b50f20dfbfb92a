// Small pieces shared by the functional transforms (jacrev, jacfwd, hessian, hvp).

/// MindSpore's `_check_grad_position` for jacfwd/jacrev: every position in `[0, inputCount)`, no duplicates.
func checkedPositions(_ gradPosition: GradPosition, inputCount: Int) throws -> [Int] {
    let list = gradPosition.list
    if list.isEmpty { throw GradError.emptyPositions }
    if let bad = list.first(where: { $0 < 0 || $0 >= inputCount }) {
        throw GradError.gradPositionOutOfRange(position: bad, inputCount: inputCount)
    }
    if Set(list).count != list.count { throw GradError.duplicatePositions(list) }
    return list
}

/// The `index`-th basis tensor of a shape: one at `index` (row-major), zeros elsewhere.
func basisTensor(shape: [Int], dtype: DType, index: Int) -> Tensor {
    var t = Tensor.zeros(shape, dtype: .float64)
    t.withUnsafeMutableBufferPointer(as: Double.self) { $0[index] = 1 }
    return dtype == .float64 ? t : t.converted(to: dtype)
}

/// Stacks the slices of a Jacobian (each of shape `sliceShape`) into one tensor of shape
/// `outerShape + innerShape`: along a new first axis for rows (reverse mode), a new last axis for
/// columns (forward mode). Stacking is a recorded op, so the result is differentiable when nested.
func assembleJacobian(_ slices: [Tensor], rows: Bool, outerShape: [Int], innerShape: [Int], dtype: DType) throws -> Tensor {
    guard !slices.isEmpty else { return Tensor.zeros(outerShape + innerShape, dtype: dtype) }
    return try withErrorChecking {
        let stacked = stack(slices, alongAxis: rows ? 0 : slices[0].rank)
        return stacked.reshaped(to: outerShape + innerShape)
    }
}

/// MindSpore's Jacobian structure (`_jac_postprocess`): `blocks[j][i]` is ∂output j/∂input i. One block
/// comes back bare; one output or one position gives a flat tuple; otherwise a tuple over outputs of
/// tuples over positions.
func jacobianStructure(_ blocks: [[Tensor]]) -> TensorTree {
    let outputs = blocks.count, positions = blocks.first?.count ?? 0
    if outputs == 1 && positions == 1 { return .tensor(blocks[0][0]) }
    if positions == 1 { return TensorTree(blocks.map { $0[0] }) }
    if outputs == 1 { return TensorTree(blocks[0]) }
    return .tuple(blocks.map { TensorTree($0) })
}

/// `aux` as MindSpore returns it next to a Jacobian or a jvp: the second output bare, or a tuple of the rest.
func auxOutputs(_ output: TensorTree) -> TensorTree {
    let rest = Array(output.elements.dropFirst())
    return rest.count == 1 ? rest[0] : .tuple(rest)
}
