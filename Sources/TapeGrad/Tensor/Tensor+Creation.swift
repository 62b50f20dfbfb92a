extension Tensor {
    /// Builds a tensor from a flat row-major array and a shape.
    ///
    /// ```swift
    /// let t = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
    /// ```
    /// A shape whose element count differs from `values.count` (or has a negative size) is reported as
    /// an error of op `Tensor.init`.
    public init(_ values: [Float], shape: [Int]) { self = Tensor.fromArray(values, shape: shape) }

    /// Builds a float64 tensor from a flat row-major array and a shape.
    @_disfavoredOverload
    public init(_ values: [Double], shape: [Int]) { self = Tensor.fromArray(values, shape: shape) }

    /// Builds an int32 tensor from a flat row-major array and a shape.
    @_disfavoredOverload
    public init(_ values: [Int32], shape: [Int]) { self = Tensor.fromArray(values, shape: shape) }

    /// A 1-D float32 tensor: `Tensor([1, 2, 3])`.
    public init(_ values: [Float]) { self = Tensor.fromArray(values, shape: [values.count]) }
    /// A 1-D float64 tensor: `Tensor([1, 2] as [Double])`.
    @_disfavoredOverload public init(_ values: [Double]) { self = Tensor.fromArray(values, shape: [values.count]) }
    /// A 1-D int32 tensor: `Tensor([0, 2] as [Int32])`.
    @_disfavoredOverload public init(_ values: [Int32]) { self = Tensor.fromArray(values, shape: [values.count]) }

    /// A 2-D float32 tensor from rows: `Tensor([[1, 2], [3, 4]])`. Ragged rows are an error.
    public init(_ rows: [[Float]]) { self = Tensor.fromNested(rows) }
    /// A 2-D float64 tensor from rows.
    @_disfavoredOverload public init(_ rows: [[Double]]) { self = Tensor.fromNested(rows) }
    /// A 2-D int32 tensor from rows.
    @_disfavoredOverload public init(_ rows: [[Int32]]) { self = Tensor.fromNested(rows) }

    /// A 3-D float32 tensor from nested arrays: `Tensor([[[1], [2]], [[3], [4]]])`.
    public init(_ planes: [[[Float]]]) { self = Tensor.fromNested3(planes) }
    /// A 3-D float64 tensor from nested arrays.
    @_disfavoredOverload public init(_ planes: [[[Double]]]) { self = Tensor.fromNested3(planes) }

    /// A rank-0 float32 tensor: `Tensor(2.5)`.
    public init(_ scalar: Float) { self = Tensor.fromArray([scalar], shape: []) }
    /// A rank-0 float64 tensor: `Tensor(2.5 as Double)`.
    @_disfavoredOverload public init(_ scalar: Double) { self = Tensor.fromArray([scalar], shape: []) }
    /// A rank-0 int32 tensor: `Tensor(Int32(3))`.
    @_disfavoredOverload public init(_ scalar: Int32) { self = Tensor.fromArray([scalar], shape: []) }

    /// A tensor of `shape` whose every element is `value`, in `dtype`.
    ///
    /// ```swift
    /// Tensor(shape: [2, 2], repeating: 7)   // [[7, 7], [7, 7]]
    /// ```
    public init(shape: [Int], repeating value: Double, dtype: DType = .float32) {
        self = Tensor.full(shape, value: value, dtype: dtype)
    }

    /// Zeros of `shape`: `Tensor.zeros([2, 3])`.
    public static func zeros(_ shape: [Int], dtype: DType = .float32) -> Tensor {
        guard let buffer = allocatedBuffer(shape, dtype: dtype, op: "zeros", zeroed: true) else { return placeholder(dtype: dtype) }
        return Tensor(buffer: buffer, shape: shape)
    }

    /// Ones of `shape`: `Tensor.ones([3])`.
    public static func ones(_ shape: [Int], dtype: DType = .float32) -> Tensor { full(shape, value: 1, dtype: dtype) }

    /// Zeros with another tensor's shape and dtype.
    public static func zeros(like other: Tensor) -> Tensor { zeros(other.shape, dtype: other.dtype) }

    /// Ones with another tensor's shape and dtype.
    public static func ones(like other: Tensor) -> Tensor { full(other.shape, value: 1, dtype: other.dtype) }

    /// A tensor of `shape` filled with `value`: `Tensor.full([2], value: 0.5)`.
    public static func full(_ shape: [Int], value: Double, dtype: DType = .float32) -> Tensor {
        guard let buffer = allocatedBuffer(shape, dtype: dtype, op: "full") else { return placeholder(dtype: dtype) }
        let count = buffer.count
        switch dtype {
        case .float32: buffer.pointer(Float.self).initialize(repeating: Float(value), count: count)
        case .float64: buffer.pointer(Double.self).initialize(repeating: value, count: count)
        case .int32: buffer.pointer(Int32.self).initialize(repeating: Int32(fromDouble: value), count: count)
        case .int64: buffer.pointer(Int64.self).initialize(repeating: Int64(fromDouble: value), count: count)
        case .uint8: buffer.pointer(UInt8.self).initialize(repeating: UInt8(fromDouble: value), count: count)
        case .bool: buffer.pointer(UInt8.self).initialize(repeating: value != 0 ? 1 : 0, count: count)
        case .float16: buffer.pointer(Float16.self).initialize(repeating: Float16(value), count: count)
        case .bfloat16: buffer.pointer(BFloat16.self).initialize(repeating: BFloat16(fromDouble: value), count: count)
        }
        return Tensor(buffer: buffer, shape: shape)
    }

    /// Evenly spaced values in `[start, end)`: `Tensor.arange(0, 5)` is `[0, 1, 2, 3, 4]`.
    public static func arange(_ start: Double, _ end: Double, step: Double = 1, dtype: DType = .float32) -> Tensor {
        guard step != 0, step.isFinite, start.isFinite, end.isFinite else {
            reportError(TensorError(op: "arange", message: "start, end and step must be finite and step non-zero, "
                + "got start \(start), end \(end), step \(step)"))
            return placeholder(dtype: dtype)
        }
        let steps = ((end - start) / step).rounded(.up)
        guard steps.isFinite, steps < Double(SizeArithmetic.maximumElementCount) else {
            reportError(TensorError(op: "arange", message: "range [\(start), \(end)) with step \(step) has too many elements "
                + "(the limit is 2^48)"))
            return placeholder(dtype: dtype)
        }
        let n = Swift.max(0, Int(steps))
        guard canAllocate([n], dtype: .float64, op: "arange") else { return placeholder(dtype: dtype) }
        return fromArray((0..<n).map { start + Double($0) * step }, shape: [n]).converted(to: dtype)
    }

    /// Evenly spaced values in `[0, end)`: `Tensor.arange(3)` is `[0, 1, 2]`.
    public static func arange(_ end: Double, dtype: DType = .float32) -> Tensor { arange(0, end, dtype: dtype) }

    /// The `n × n` identity matrix: `Tensor.eye(3)`.
    public static func eye(_ n: Int, dtype: DType = .float32) -> Tensor {
        guard canAllocate([n, n], dtype: .float64, op: "eye") else { return placeholder(dtype: dtype) }
        var t = zeros([n, n], dtype: .float64)
        guard n > 0 else { return t.converted(to: dtype) }
        t.withUnsafeMutableBufferPointer(as: Double.self) { p in for i in 0..<n { p[i * n + i] = 1 } }
        return t.converted(to: dtype)
    }

    // MARK: - Internal builders

    static func fromArray<T: TensorScalar>(_ values: [T], shape: [Int], dtype: DType = T.dtype) -> Tensor {
        guard let count = validCount(shape, op: "Tensor.init") else { return placeholder(dtype: dtype) }
        guard count == values.count else {
            reportError(TensorError(op: "Tensor.init", message: "\(values.count) values do not fill shape \(shape) (\(count) elements)"))
            return placeholder(dtype: dtype)
        }
        guard let buffer = allocatedBuffer(shape, dtype: dtype, op: "Tensor.init") else { return placeholder(dtype: dtype) }
        values.withUnsafeBufferPointer { src in
            if let base = src.baseAddress { buffer.pointer(T.self).initialize(from: base, count: count) }
        }
        return Tensor(buffer: buffer, shape: shape)
    }

    static func fromNested<T: TensorScalar>(_ rows: [[T]]) -> Tensor {
        let width = rows.first?.count ?? 0
        guard rows.allSatisfy({ $0.count == width }) else {
            reportError(TensorError(op: "Tensor.init", message: "ragged rows of lengths \(rows.map(\.count))"))
            return zeros([rows.count, width], dtype: T.dtype)
        }
        return fromArray(rows.flatMap { $0 }, shape: [rows.count, width])
    }

    static func fromNested3<T: TensorScalar>(_ planes: [[[T]]]) -> Tensor {
        let rows = planes.first?.count ?? 0
        let width = planes.first?.first?.count ?? 0
        guard planes.allSatisfy({ $0.count == rows && $0.allSatisfy { $0.count == width } }) else {
            reportError(TensorError(op: "Tensor.init", message: "ragged nested arrays"))
            return zeros([planes.count, rows, width], dtype: T.dtype)
        }
        return fromArray(planes.flatMap { $0.flatMap { $0 } }, shape: [planes.count, rows, width])
    }

    /// The inert rank-0 zero an operation returns after reporting an error inside a checking scope.
    static func placeholder(dtype: DType = .float32) -> Tensor {
        Tensor(buffer: TensorBuffer.make(zeros: dtype, count: 1), shape: [])
    }

    /// An uninitialised tensor for kernels to fill.
    /// `shape` must be valid (see SizeArithmetic.swift): ops check new shapes before they get here.
    @inline(__always)
    static func uninitialized(_ shape: [Int], dtype: DType) -> Tensor {
        Tensor(buffer: TensorBuffer.make(dtype: dtype, count: SizeArithmetic.count(of: shape)), shape: shape)
    }

    /// The same values in another dtype, not recorded on any tape (the differentiable form is `astype`).
    /// The rules are in ``DType/convert(_:to:count:)``.
    func converted(to target: DType) -> Tensor {
        if target == dtype { return detached }
        let out = TensorBuffer.make(dtype: target, count: count)
        DType.convert(buffer, to: out, count: count)
        return withExtendedLifetime(self) { Tensor(buffer: out, shape: shape) }
    }
}
