// Integer labels and indices from Swift `Int` arrays, and typed reads of a single element.

extension Tensor {
    /// A 1-D int32 tensor from `Int`s, e.g. class labels: `Tensor(labels)` with `labels: [Int]`.
    /// A value outside Int32's range is reported as an error of op `Tensor.init`.
    ///
    /// ```swift
    /// let labels: [Int] = [0, 2, 1]
    /// let t = Tensor(labels)   // shape [3], dtype int32
    /// ```
    /// (An integer *literal* array, `Tensor([0, 2, 1])`, stays float32, as before.)
    @_disfavoredOverload
    public init(_ values: [Int]) { self = Tensor.fromArray(Tensor.int32Values(values), shape: [values.count]) }

    /// An int32 tensor from a flat row-major array of `Int`s and a shape.
    ///
    /// ```swift
    /// let indices: [Int] = [0, 1, 2, 3]
    /// let t = Tensor(indices, shape: [2, 2])
    /// ```
    @_disfavoredOverload
    public init(_ values: [Int], shape: [Int]) { self = Tensor.fromArray(Tensor.int32Values(values), shape: shape) }

    /// A 2-D int32 tensor from rows of `Int`s. Ragged rows are an error.
    ///
    /// ```swift
    /// let rows: [[Int]] = [[0, 1], [2, 3]]
    /// let t = Tensor(rows)   // shape [2, 2], int32
    /// ```
    @_disfavoredOverload
    public init(_ rows: [[Int]]) { self = Tensor.fromNested(rows.map(Tensor.int32Values)) }

    /// A rank-0 int32 tensor from an `Int`.
    ///
    /// ```swift
    /// let n = 3
    /// let t = Tensor(n)   // Tensor(3), int32
    /// ```
    @_disfavoredOverload
    public init(_ scalar: Int) { self = Tensor.fromArray(Tensor.int32Values([scalar]), shape: []) }

    static func int32Values(_ values: [Int]) -> [Int32] {
        var out: [Int32] = []
        out.reserveCapacity(values.count)
        for v in values {
            guard let narrowed = Int32(exactly: v) else {
                reportError(TensorError(op: "Tensor.init", message: "value \(v) does not fit in int32"))
                return [Int32](repeating: 0, count: values.count)
            }
            out.append(narrowed)
        }
        return out
    }

    /// The single element of a one-element tensor, converted to `type` (integers truncate toward zero).
    ///
    /// A tensor with more than one element is reported like ``item()`` reports it (thrown from an
    /// enclosing checking scope, where zero is returned).
    ///
    /// ```swift
    /// let loss: Float = Tensor(0.25).item(as: Float.self)
    /// let label = Tensor([2] as [Int32]).item(as: Int32.self)   // 2
    /// ```
    public func item<T: TensorScalar>(as type: T.Type) -> T {
        guard count == 1 else {
            reportError(TensorError(op: "item", message: "a tensor of shape \(shape) has \(count) elements, not one"))
            return .zero
        }
        return withUnsafeBufferPointer(as: T.self) { $0[0] }
    }
}
