// MindSpore's `vmap(fn, in_axes=0, out_axes=0)`: maps a function over a batch axis of its inputs.
//
// This first version has no per-op batching rules: it runs `fn` once per batch element on slices and
// stacks the results. The semantics (axes, broadcasting of unmapped inputs, structure) are MindSpore's,
// and the result is differentiable (slicing and stacking are recorded ops); the speed is that of a loop.

/// The axes of `vmap`: one axis for every input (or output), or one per input (nil: not mapped).
///
/// ```swift
/// let f = { (t: [Tensor]) in t[0] * t[1] }
/// vmap(f, inAxes: 0)          // every input mapped along axis 0
/// vmap(f, inAxes: [0, nil])   // the first mapped, the second passed whole to every call
/// ```
public enum VMapAxes: Sendable, Equatable, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral, ExpressibleByNilLiteral {
    /// The same axis for all (nil: none mapped): `.all(1)`, written `1`.
    case all(Int?)
    /// One axis per input or output, in order: `.each([0, nil])`, written `[0, nil]`.
    case each([Int?])

    /// `inAxes: 1` (every input along axis 1).
    public init(integerLiteral value: Int) { self = .all(value) }
    /// `inAxes: [0, nil]` (the first input along axis 0, the second not mapped).
    public init(arrayLiteral elements: Int?...) { self = .each(elements) }
    /// `outAxes: nil` (no output mapped: each must be the same for every batch element).
    public init(nilLiteral: ()) { self = .all(nil) }

    func resolved(count: Int, what: String) throws -> [Int?] {
        switch self {
        case .all(let axis): return Array(repeating: axis, count: count)
        case .each(let axes):
            guard axes.count == count else {
                throw vmapError("the length of \(what) (\(axes.count)) differs from the number of \(what == "in_axes" ? "inputs" : "outputs") (\(count))")
            }
            return axes
        }
    }
}

func vmapError(_ message: String) -> GradError { .tensor(TensorError(op: "vmap", message: message)) }

/// The function made by ``vmap(_:inAxes:outAxes:)-([Tensor])->Output``.
///
/// ```swift
/// let rowNorms = vmap({ (t: [Tensor]) in (t[0] * t[0]).sum() }, inAxes: 0)
/// try rowNorms([Tensor([[1, 2], [3, 4]])])   // [5, 25]
/// ```
public struct VMapFunction {
    let inAxes: VMapAxes
    let outAxes: VMapAxes
    let arity: Int?
    let fn: ([Tensor]) -> TensorTree

    /// Maps `fn` over the batch axis. Throws for mismatched batch sizes, axes out of range, no mapped
    /// input, an unmapped output (out axis nil) that differs across the batch, or an op error in `fn`.
    ///
    /// ```swift
    /// try vmap({ (t: [Tensor]) in t[0] * t[1] }, inAxes: [0, nil])([Tensor([[1, 2], [3, 4]]), Tensor([10, 20])])
    /// // [[10, 40], [30, 80]]
    /// ```
    public func callAsFunction(_ inputs: [Tensor]) throws -> TensorTree {
        if let arity, inputs.count != arity { throw GradError.wrongInputCount(expected: arity, got: inputs.count) }
        let axes = try inAxes.resolved(count: inputs.count, what: "in_axes")
        var batch: Int?
        var normalized: [Int?] = []
        for (x, axis) in zip(inputs, axes) {
            guard let axis else { normalized.append(nil); continue }
            let a = axis < 0 ? axis + x.rank : axis
            guard a >= 0, a < x.rank else { throw vmapError("in_axes \(axis) is out of range for an input of shape \(x.shape)") }
            if let batch, batch != x.shape[a] { throw vmapError("the mapped axes have different sizes (\(batch) and \(x.shape[a]))") }
            batch = x.shape[a]
            normalized.append(a)
        }
        guard let size = batch else { throw vmapError("in_axes maps no input: at least one must be mapped") }

        let sink = ErrorSink()
        var results: [TensorTree] = []
        ErrorChecking.$sink.withValue(sink) {
            for b in 0..<size {
                let args = zip(inputs, normalized).map { x, a in
                    a.map { x.sliced(alongAxis: $0, from: b, to: b + 1).squeezingShape(at: [$0]) } ?? x
                }
                results.append(fn(args))
            }
        }
        if let error = sink.firstError { throw GradError.tensor(error) }
        guard let first = results.first else { return .tuple([]) }

        let columns = first.tensors.indices.map { j in results.map { $0.tensors.count > j ? $0.tensors[j] : Tensor.placeholder() } }
        let outAxesList = try outAxes.resolved(count: columns.count, what: "out_axes")
        let stacked = try zip(columns, outAxesList).map { column, axis -> Tensor in
            guard let axis else {
                // Not mapped: every call must have given the same value.
                if column.contains(where: { $0.shape != column[0].shape || $0.scalars != column[0].scalars }) {
                    throw vmapError("an output with out_axes None varies across the batch")
                }
                return column[0]
            }
            let rank = column[0].rank + 1
            let a = axis < 0 ? axis + rank : axis
            guard a >= 0, a < rank else { throw vmapError("out_axes \(axis) is out of range for an output of rank \(rank - 1)") }
            return try withErrorChecking { stack(column, alongAxis: a) }
        }
        return first.replacingTensors(stacked)
    }

    /// `batched(x, y)`.
    ///
    /// ```swift
    /// let batched = vmap({ x, y in x * y }, inAxes: [0, nil])
    /// let out = try batched(Tensor([[1, 2], [3, 4]]), Tensor([10, 20]))   // [[10, 40], [30, 80]]
    /// ```
    public func callAsFunction(_ inputs: Tensor...) throws -> TensorTree { try callAsFunction(inputs) }
}

/// MindSpore's `vmap(fn, in_axes=0, out_axes=0)`: `fn` mapped over a batch axis of its inputs
/// (`inAxes`, nil for an input passed whole), the batch axis of each output placed at `outAxes`.
///
/// ```swift
/// // A matrix-vector product per batch element, the matrix shared.
/// let mv = vmap({ (t: [Tensor]) in matmul(t[0], t[1].reshaped(to: [3, 1])).reshaped(to: [2]) }, inAxes: [nil, 0])
/// try mv([a, xs])   // a [2, 3], xs [8, 3] → [8, 2]
/// ```
public func vmap<Output: TensorTreeConvertible>(
    _ fn: @escaping ([Tensor]) -> Output, inAxes: VMapAxes = 0, outAxes: VMapAxes = 0
) -> VMapFunction {
    VMapFunction(inAxes: inAxes, outAxes: outAxes, arity: nil, fn: { fn($0).tensorTree })
}

/// `vmap` of a function of one tensor.
///
/// ```swift
/// try vmap({ x in x.sum() })(Tensor([[1, 2], [3, 4]]))   // [3, 7]
/// ```
public func vmap<Output: TensorTreeConvertible>(
    _ fn: @escaping (Tensor) -> Output, inAxes: VMapAxes = 0, outAxes: VMapAxes = 0
) -> VMapFunction {
    VMapFunction(inAxes: inAxes, outAxes: outAxes, arity: 1, fn: { fn($0[0]).tensorTree })
}

/// `vmap` of a function of two tensors.
///
/// ```swift
/// try vmap({ x, y in (x * y).sum() }, inAxes: [0, 1])(a, b)
/// ```
public func vmap<Output: TensorTreeConvertible>(
    _ fn: @escaping (Tensor, Tensor) -> Output, inAxes: VMapAxes = 0, outAxes: VMapAxes = 0
) -> VMapFunction {
    VMapFunction(inAxes: inAxes, outAxes: outAxes, arity: 2, fn: { fn($0[0], $0[1]).tensorTree })
}

/// `vmap` of a cell's forward pass.
///
/// ```swift
/// try vmap(net, inAxes: [0, nil])(xs, w)
/// ```
public func vmap(_ network: Cell, inAxes: VMapAxes = 0, outAxes: VMapAxes = 0) -> VMapFunction {
    VMapFunction(inAxes: inAxes, outAxes: outAxes, arity: nil, fn: { network($0) })
}
