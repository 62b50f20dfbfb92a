// MindSpore's `value_and_grad` and `grad`, on closures (of 1…4 tensors or an array) and on cells.

/// A function that returns the forward value and the gradients, made by ``valueAndGrad(_:gradPosition:weights:hasAux:returnIds:sensParam:)-((Tensor)->Output,_,_,_,_,_)``.
///
/// Call it with the function's inputs: `gradFn(x, y)` or `gradFn([x, y])`. With `sensParam`, pass the
/// sensitivity as `sens:` or as the last input.
///
/// ```swift
/// let gradFn = try valueAndGrad({ x, y in x * y }, gradPosition: 1)
/// let (value, dy) = try gradFn(x, y)      // dy is a bare tensor: .tensor(x)
/// ```
public struct ValueAndGradFunction<Output> {
    let spec: GradSpec
    let arity: Int?
    let forward: ([Tensor]) -> TensorTree
    /// Rebuilds the declared output type (a tensor, a tree, `[Tensor]` or a tuple of tensors) from the tree.
    let makeValue: (TensorTree) -> Output?

    /// Runs the forward once and returns `(value, gradients)`; `value` is the full output (also with `hasAux`).
    public func callAsFunction(_ inputs: [Tensor], sens: TensorTree? = nil) throws -> (value: Output, gradients: TensorTree) {
        let (output, gradients) = try spec.evaluate(inputs: inputs, sens: sens, arity: arity, forward: forward)
        guard let value = makeValue(output) else {
            throw GradError.tensor(TensorError(op: "valueAndGrad", message: "the output \(output.shortDescription) does not have the declared type"))
        }
        return (value, gradients)
    }

    /// `gradFn(x, y)`.
    public func callAsFunction(_ inputs: Tensor...) throws -> (value: Output, gradients: TensorTree) {
        try callAsFunction(inputs, sens: nil)
    }

    /// `gradFn(x, y, sens: s)` (with `sensParam`): `s` is ∂L/∂output, one tensor or a tuple per output.
    public func callAsFunction(_ inputs: Tensor..., sens: TensorTree) throws -> (value: Output, gradients: TensorTree) {
        try callAsFunction(inputs, sens: sens)
    }

    /// `gradFn(x, y, sens: s)` with a single sens tensor.
    public func callAsFunction(_ inputs: Tensor..., sens: Tensor) throws -> (value: Output, gradients: TensorTree) {
        try callAsFunction(inputs, sens: .tensor(sens))
    }
}

extension ValueAndGradFunction where Output: TensorTreeConvertible {
    init(spec: GradSpec, arity: Int?, forward: @escaping ([Tensor]) -> TensorTree) {
        self.init(spec: spec, arity: arity, forward: forward, makeValue: { Output(tensorTree: $0) })
    }
}

/// A function that returns the gradients only, made by ``grad(_:gradPosition:weights:hasAux:returnIds:sensParam:)-((Tensor)->Output,_,_,_,_,_)``.
/// With `hasAux` it returns `(gradients, aux)`, aux always a tuple.
///
/// ```swift
/// let dx = try grad({ x in x * x }, gradPosition: 0)(Tensor([3]))   // .tensor([6])
/// ```
public struct GradFunction {
    let spec: GradSpec
    let arity: Int?
    let forward: ([Tensor]) -> TensorTree

    /// Runs the forward once and returns the gradients (or `(gradients, aux)` with `hasAux`).
    public func callAsFunction(_ inputs: [Tensor], sens: TensorTree? = nil) throws -> TensorTree {
        let (output, gradients) = try spec.evaluate(inputs: inputs, sens: sens, arity: arity, forward: forward)
        guard spec.hasAux else { return gradients }
        return [gradients, .tuple(Array(output.elements.dropFirst()))]
    }

    /// `gradFn(x, y)`.
    public func callAsFunction(_ inputs: Tensor...) throws -> TensorTree { try callAsFunction(inputs, sens: nil) }

    /// `gradFn(x, y, sens: s)`.
    public func callAsFunction(_ inputs: Tensor..., sens: TensorTree) throws -> TensorTree { try callAsFunction(inputs, sens: sens) }

    /// `gradFn(x, y, sens: s)` with a single sens tensor.
    public func callAsFunction(_ inputs: Tensor..., sens: Tensor) throws -> TensorTree { try callAsFunction(inputs, sens: .tensor(sens)) }
}

/// Builds the `_Grad` spec with MindSpore's construction-time checks.
func makeGradSpec(
    gradPosition: GradPosition?, weights: (any GradWeights)?, hasAux: Bool, returnIds: Bool, sensParam: Bool
) throws -> GradSpec {
    guard gradPosition != nil || weights != nil else { throw GradError.gradPositionAndWeightsBothNone }
    try gradPosition?.validate()
    return GradSpec(
        inputs: gradPosition.map { .positions($0.list) } ?? .none,
        weights: weights.map { .explicit($0.weightSelection) } ?? .none,
        hasAux: hasAux, returnIds: returnIds, sensParam: sensParam)
}

// MARK: - valueAndGrad

/// MindSpore's `value_and_grad`: a function returning the forward value and the gradients with respect to
/// the inputs at `gradPosition` and to `weights`.
///
/// The result's shape follows MindSpore exactly: one position gives a bare tensor, several a tuple;
/// a bare Parameter as `weights` gives a bare tensor, an array or ParameterTuple a tuple; both give
/// `(inputs, weights)`. With `hasAux` only the first output is differentiated; `returnIds` pairs each
/// gradient with its position or parameter name. Construction throws ``GradError`` for
/// `gradPosition == nil && weights == nil`, negative or duplicate positions.
///
/// ```swift
/// let f = { (x: Tensor, y: Tensor, z: Tensor) in x * y * z }
/// let (out, dy) = try valueAndGrad(f, gradPosition: 1)(x, y, z)
/// ```
public func valueAndGrad<Output: TensorTreeConvertible>(
    _ fn: @escaping (Tensor) -> Output, gradPosition: GradPosition? = 0, weights: (any GradWeights)? = nil,
    hasAux: Bool = false, returnIds: Bool = false, sensParam: Bool = false
) throws -> ValueAndGradFunction<Output> {
    ValueAndGradFunction(spec: try makeGradSpec(gradPosition: gradPosition, weights: weights, hasAux: hasAux, returnIds: returnIds, sensParam: sensParam),
                         arity: 1, forward: { fn($0[0]).tensorTree })
}

/// `valueAndGrad` for a function of two tensors.
public func valueAndGrad<Output: TensorTreeConvertible>(
    _ fn: @escaping (Tensor, Tensor) -> Output, gradPosition: GradPosition? = 0, weights: (any GradWeights)? = nil,
    hasAux: Bool = false, returnIds: Bool = false, sensParam: Bool = false
) throws -> ValueAndGradFunction<Output> {
    ValueAndGradFunction(spec: try makeGradSpec(gradPosition: gradPosition, weights: weights, hasAux: hasAux, returnIds: returnIds, sensParam: sensParam),
                         arity: 2, forward: { fn($0[0], $0[1]).tensorTree })
}

/// `valueAndGrad` for a function of three tensors.
public func valueAndGrad<Output: TensorTreeConvertible>(
    _ fn: @escaping (Tensor, Tensor, Tensor) -> Output, gradPosition: GradPosition? = 0, weights: (any GradWeights)? = nil,
    hasAux: Bool = false, returnIds: Bool = false, sensParam: Bool = false
) throws -> ValueAndGradFunction<Output> {
    ValueAndGradFunction(spec: try makeGradSpec(gradPosition: gradPosition, weights: weights, hasAux: hasAux, returnIds: returnIds, sensParam: sensParam),
                         arity: 3, forward: { fn($0[0], $0[1], $0[2]).tensorTree })
}

/// `valueAndGrad` for a function of four tensors.
public func valueAndGrad<Output: TensorTreeConvertible>(
    _ fn: @escaping (Tensor, Tensor, Tensor, Tensor) -> Output, gradPosition: GradPosition? = 0, weights: (any GradWeights)? = nil,
    hasAux: Bool = false, returnIds: Bool = false, sensParam: Bool = false
) throws -> ValueAndGradFunction<Output> {
    ValueAndGradFunction(spec: try makeGradSpec(gradPosition: gradPosition, weights: weights, hasAux: hasAux, returnIds: returnIds, sensParam: sensParam),
                         arity: 4, forward: { fn($0[0], $0[1], $0[2], $0[3]).tensorTree })
}

/// `valueAndGrad` for a function of any number of tensors, given as an array.
///
/// With `inputCount`, a call with another number of inputs throws ``GradError/wrongInputCount(expected:got:)``
/// (a TypeError, as for a closure of fixed arity) before `fn` runs; without it, `fn` indexing past the
/// array traps, as any Swift array does.
///
/// ```swift
/// let gradFn = try valueAndGrad({ (t: [Tensor]) in (t[0] * t[1] + t[2]).sum() }, gradPosition: [0, 2], inputCount: 3)
/// ```
public func valueAndGrad<Output: TensorTreeConvertible>(
    _ fn: @escaping ([Tensor]) -> Output, gradPosition: GradPosition? = 0, weights: (any GradWeights)? = nil,
    hasAux: Bool = false, returnIds: Bool = false, sensParam: Bool = false, inputCount: Int? = nil
) throws -> ValueAndGradFunction<Output> {
    ValueAndGradFunction(spec: try makeGradSpec(gradPosition: gradPosition, weights: weights, hasAux: hasAux, returnIds: returnIds, sensParam: sensParam),
                         arity: inputCount, forward: { fn($0).tensorTree })
}

/// `valueAndGrad` of a cell's forward pass.
///
/// ```swift
/// let (out, dy) = try valueAndGrad(net, gradPosition: 1)(x, y, z)
/// ```
public func valueAndGrad(
    _ network: Cell, gradPosition: GradPosition? = 0, weights: (any GradWeights)? = nil,
    hasAux: Bool = false, returnIds: Bool = false, sensParam: Bool = false
) throws -> ValueAndGradFunction<TensorTree> {
    ValueAndGradFunction(spec: try makeGradSpec(gradPosition: gradPosition, weights: weights, hasAux: hasAux, returnIds: returnIds, sensParam: sensParam),
                         arity: nil, forward: { network($0) })
}

// MARK: - grad

/// MindSpore's `grad`: like ``valueAndGrad(_:gradPosition:weights:hasAux:returnIds:sensParam:)-((Tensor)->Output,_,_,_,_,_)`` but
/// returning only the gradients, or `(gradients, aux)` with `hasAux` (aux always a tuple).
///
/// ```swift
/// let g = try grad({ x, y in x * y }, gradPosition: [0, 1])(x, y)   // (y, x)
/// ```
public func grad<Output: TensorTreeConvertible>(
    _ fn: @escaping (Tensor) -> Output, gradPosition: GradPosition? = 0, weights: (any GradWeights)? = nil,
    hasAux: Bool = false, returnIds: Bool = false, sensParam: Bool = false
) throws -> GradFunction {
    GradFunction(spec: try makeGradSpec(gradPosition: gradPosition, weights: weights, hasAux: hasAux, returnIds: returnIds, sensParam: sensParam),
                 arity: 1, forward: { fn($0[0]).tensorTree })
}

/// `grad` for a function of two tensors.
public func grad<Output: TensorTreeConvertible>(
    _ fn: @escaping (Tensor, Tensor) -> Output, gradPosition: GradPosition? = 0, weights: (any GradWeights)? = nil,
    hasAux: Bool = false, returnIds: Bool = false, sensParam: Bool = false
) throws -> GradFunction {
    GradFunction(spec: try makeGradSpec(gradPosition: gradPosition, weights: weights, hasAux: hasAux, returnIds: returnIds, sensParam: sensParam),
                 arity: 2, forward: { fn($0[0], $0[1]).tensorTree })
}

/// `grad` for a function of three tensors.
public func grad<Output: TensorTreeConvertible>(
    _ fn: @escaping (Tensor, Tensor, Tensor) -> Output, gradPosition: GradPosition? = 0, weights: (any GradWeights)? = nil,
    hasAux: Bool = false, returnIds: Bool = false, sensParam: Bool = false
) throws -> GradFunction {
    GradFunction(spec: try makeGradSpec(gradPosition: gradPosition, weights: weights, hasAux: hasAux, returnIds: returnIds, sensParam: sensParam),
                 arity: 3, forward: { fn($0[0], $0[1], $0[2]).tensorTree })
}

/// `grad` for a function of four tensors.
public func grad<Output: TensorTreeConvertible>(
    _ fn: @escaping (Tensor, Tensor, Tensor, Tensor) -> Output, gradPosition: GradPosition? = 0, weights: (any GradWeights)? = nil,
    hasAux: Bool = false, returnIds: Bool = false, sensParam: Bool = false
) throws -> GradFunction {
    GradFunction(spec: try makeGradSpec(gradPosition: gradPosition, weights: weights, hasAux: hasAux, returnIds: returnIds, sensParam: sensParam),
                 arity: 4, forward: { fn($0[0], $0[1], $0[2], $0[3]).tensorTree })
}

/// `grad` for a function of an array of tensors; `inputCount` as for ``valueAndGrad(_:gradPosition:weights:hasAux:returnIds:sensParam:inputCount:)``.
public func grad<Output: TensorTreeConvertible>(
    _ fn: @escaping ([Tensor]) -> Output, gradPosition: GradPosition? = 0, weights: (any GradWeights)? = nil,
    hasAux: Bool = false, returnIds: Bool = false, sensParam: Bool = false, inputCount: Int? = nil
) throws -> GradFunction {
    GradFunction(spec: try makeGradSpec(gradPosition: gradPosition, weights: weights, hasAux: hasAux, returnIds: returnIds, sensParam: sensParam),
                 arity: inputCount, forward: { fn($0).tensorTree })
}

/// `grad` of a cell's forward pass.
public func grad(
    _ network: Cell, gradPosition: GradPosition? = 0, weights: (any GradWeights)? = nil,
    hasAux: Bool = false, returnIds: Bool = false, sensParam: Bool = false
) throws -> GradFunction {
    GradFunction(spec: try makeGradSpec(gradPosition: gradPosition, weights: weights, hasAux: hasAux, returnIds: returnIds, sensParam: sensParam),
                 arity: nil, forward: { network($0) })
}
