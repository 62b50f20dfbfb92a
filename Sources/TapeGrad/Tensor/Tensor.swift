/// An n-dimensional array of `Float`, `Double` or `Int32` values with value semantics.
///
/// A `Tensor` is a small struct over a shared, contiguous, row-major buffer: copying a tensor is cheap
/// and writing to a shared one copies it first (copy-on-write). Operations on tensors that take part in
/// a gradient computation are recorded on that computation's tape; operations on constants are not.
///
/// ```swift
/// let x = Tensor([[1, 2], [3, 4]])            // shape [2, 2], float32
/// let y = (x * x).sum()                        // Tensor(30.0)
/// let (value, dx) = try valueWithGradient(at: x) { x in (x * x).sum() }
/// // value = 30, dx = [[2, 4], [6, 8]]
/// ```
public struct Tensor: Sendable {
    @usableFromInline var buffer: TensorBuffer
    /// The size of each dimension; `[]` for a scalar (rank-0) tensor.
    public private(set) var shape: [Int]
    /// Where this tensor sits on the tapes that record it; `nil` for a constant.
    var tracking: Tracking?

    @inline(__always)
    init(buffer: TensorBuffer, shape: [Int]) {
        self.buffer = buffer
        self.shape = shape
        self.tracking = nil
    }

    /// The element type.
    public var dtype: DType { buffer.dtype }
    /// The number of elements (the product of `shape`; 1 for a scalar).
    public var count: Int { buffer.count }
    /// The number of dimensions.
    public var rank: Int { shape.count }
    /// Whether this tensor is recorded on a gradient tape (it depends on something being differentiated).
    public var isRecorded: Bool { tracking != nil }

    /// The same values and shape, cut off from every tape: gradients do not flow through it.
    var detached: Tensor { Tensor(buffer: buffer, shape: shape) }

    /// A tensor sharing this one's buffer under another shape with the same element count.
    @inline(__always)
    func sharingBuffer(shape newShape: [Int]) -> Tensor { Tensor(buffer: buffer, shape: newShape) }

    /// Calls `body` with the elements as a contiguous buffer of `T`, converting first if the dtype differs.
    ///
    /// ```swift
    /// let total = Tensor([1, 2, 3]).withUnsafeBufferPointer(as: Float.self) { $0.reduce(0, +) }   // 6
    /// ```
    public func withUnsafeBufferPointer<T: TensorScalar, R>(
        as type: T.Type, _ body: (UnsafeBufferPointer<T>) throws -> R
    ) rethrows -> R {
        let source = dtype == T.dtype ? buffer : converted(to: T.dtype).buffer
        return try withExtendedLifetime(source) {
            try body(UnsafeBufferPointer(start: source.pointer(T.self), count: source.count))
        }
    }

    /// Calls `body` with the elements as a mutable contiguous buffer, copying first if the buffer is shared.
    /// The tensor must already have dtype `T` (use ``astype(_:)`` first); otherwise it is converted.
    ///
    /// A tensor that a running gradient computation records cannot be written this way: the write would
    /// silently cut it from the gradient. Inside the gradient function this is reported as a
    /// ``TensorError`` (op `withUnsafeMutableBufferPointer`) and thrown from it; `body` then runs on a
    /// scratch copy and the tensor is left unchanged. Write into `stopGradient(x)` (a constant) or build the
    /// value with tensor operations instead. A constant, or a tensor whose computation has ended, is
    /// written in place.
    ///
    /// ```swift
    /// var t = Tensor.zeros([3])
    /// t.withUnsafeMutableBufferPointer(as: Float.self) { $0[1] = 5 }   // [0, 5, 0]
    /// ```
    public mutating func withUnsafeMutableBufferPointer<T: TensorScalar, R>(
        as type: T.Type, _ body: (inout UnsafeMutableBufferPointer<T>) throws -> R
    ) rethrows -> R {
        if isRecordedOnActiveTape {
            reportError(TensorError(op: "withUnsafeMutableBufferPointer", message: "cannot write into a tensor of shape \(shape) that "
                + "a gradient computation records: the write would cut it from the gradient (write into stopGradient(x), a "
                + "constant, or compute the new value with tensor operations)"))
            let scratch = converted(to: T.dtype).buffer.copy()
            var pointer = UnsafeMutableBufferPointer(start: scratch.pointer(T.self), count: scratch.count)
            return try withExtendedLifetime(scratch) { try body(&pointer) }
        }
        if dtype != T.dtype {
            buffer = converted(to: T.dtype).buffer
        } else if !isKnownUniquelyReferenced(&buffer) {
            buffer = buffer.copy()
        }
        tracking = nil
        var pointer = UnsafeMutableBufferPointer(start: buffer.pointer(T.self), count: buffer.count)
        return try body(&pointer)
    }
}

extension Tensor {
    /// Reads every element converted to `T` (integers truncate toward zero).
    ///
    /// ```swift
    /// Tensor([1.5, -2.5]).asArray(Int32.self)   // [1, -2]
    /// ```
    public func asArray<T: TensorScalar>(_ type: T.Type) -> [T] {
        withUnsafeBufferPointer(as: T.self) { Array($0) }
    }

    /// The elements as `Double`s, whatever the dtype.
    public var scalars: [Double] { asArray(Double.self) }

    /// The single element of a one-element tensor, as a `Double`.
    ///
    /// A tensor with more than one element is a caller error: it is reported like any shape error
    /// (thrown from an enclosing ``withErrorChecking(_:)-77gbz`` scope, where `nan` is returned).
    ///
    /// ```swift
    /// Tensor(3).item()   // 3.0
    /// ```
    public func item() -> Double {
        guard count == 1 else {
            reportError(TensorError(op: "item", message: "a tensor of shape \(shape) has \(count) elements, not one"))
            return .nan
        }
        return withUnsafeBufferPointer(as: Double.self) { $0[0] }
    }
}
