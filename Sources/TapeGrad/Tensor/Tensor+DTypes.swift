// Tensors of the storage dtypes (bool, uint8, int64, float16, bfloat16): building, reading and converting.

extension Tensor {
    /// A tensor of any element type from a flat row-major array and a shape: `Int64`, `UInt8`, `Float16`
    /// and ``BFloat16`` arrays give int64, uint8, float16 and bfloat16 tensors.
    ///
    /// ```swift
    /// let steps = Tensor([3] as [Int64], shape: [])          // int64, as PyTorch's num_batches_tracked
    /// let half = Tensor([1.5, 2, 3, 4] as [Float16], shape: [2, 2])
    /// ```
    @_disfavoredOverload
    public init<T: TensorScalar>(_ values: [T], shape: [Int]) { self = Tensor.fromArray(values, shape: shape) }

    /// A 1-D tensor of any element type: `Tensor([1, 2] as [Int64])`, `Tensor([7] as [UInt8])`.
    @_disfavoredOverload
    public init<T: TensorScalar>(_ values: [T]) { self = Tensor.fromArray(values, shape: [values.count]) }

    /// A bool tensor from a flat row-major array and a shape.
    ///
    /// ```swift
    /// let mask = Tensor([true, false, false, true], shape: [2, 2])
    /// ```
    public init(_ values: [Bool], shape: [Int]) {
        self = Tensor.fromArray(values.map { $0 ? UInt8(1) : 0 }, shape: shape, dtype: .bool)
    }

    /// A 1-D bool tensor: `Tensor([true, false])`.
    public init(_ values: [Bool]) { self.init(values, shape: [values.count]) }

    /// A rank-0 bool tensor: `Tensor(true)`.
    public init(_ scalar: Bool) { self.init([scalar], shape: []) }

    /// Reads every element as a `Bool`: non-zero (and NaN) is `true`, as a cast to bool.
    ///
    /// ```swift
    /// Tensor([0, 2, -1]).asArray(Bool.self)   // [false, true, true]
    /// ```
    public func asArray(_ type: Bool.Type) -> [Bool] {
        converted(to: .bool).asArray(UInt8.self).map { $0 != 0 }
    }
}

extension DType {
    /// Converts `count` elements of `source` into `target` (whose dtype may differ):
    ///
    /// * to a floating dtype: rounds to nearest-even (float32 → float16/bfloat16 as PyTorch and MindSpore;
    ///   overflow gives ±inf; float64 → bfloat16 rounds through float32, as PyTorch);
    /// * float → integer: truncates toward zero; int32 and int64 saturate (NaN → 0), uint8 wraps the
    ///   truncated value to 8 bits (−1.5 → 255, 300.7 → 44), as MindSpore 2.10's cast does;
    /// * integer → integer: wraps to the target's width (int64 → int32 keeps the low 32 bits), as NumPy;
    /// * anything → bool: non-zero (and NaN) is true.
    ///
    /// ```swift
    /// Tensor([0.1]).astype(.float16).scalars   // [0.0999755859375]
    /// ```
    static func convert(_ source: TensorBuffer, to target: TensorBuffer, count n: Int) {
        let toBool = target.dtype == .bool
        func inner<S: TensorScalar, D: TensorScalar>(_: S.Type, _: D.Type) {
            let s = source.pointer(S.self), d = target.pointer(D.self)
            if toBool {
                for i in 0..<n { d[i] = D(wrappingInt64: s[i] == 0 ? 0 : 1) }
            } else if D.dtype.isFloatingPoint {
                if S.dtype.isFloatingPoint {
                    for i in 0..<n { d[i] = D(fromDouble: s[i].doubleValue) }
                } else {
                    for i in 0..<n { d[i] = D(wrappingInt64: s[i].int64Value) }
                }
            } else if S.dtype.isFloatingPoint {
                for i in 0..<n { d[i] = D(fromDouble: s[i].doubleValue) }
            } else {
                for i in 0..<n { d[i] = D(wrappingInt64: s[i].int64Value) }
            }
        }
        func from<S: TensorScalar>(_: S.Type) {
            switch target.dtype {
            case .float32: inner(S.self, Float.self)
            case .float64: inner(S.self, Double.self)
            case .int32: inner(S.self, Int32.self)
            case .int64: inner(S.self, Int64.self)
            case .uint8, .bool: inner(S.self, UInt8.self)
            case .float16: inner(S.self, Float16.self)
            case .bfloat16:
                if S.self == Float.self {
                    // float32 → bfloat16 directly, without the trip through Double.
                    let s = source.pointer(Float.self), d = target.pointer(BFloat16.self)
                    for i in 0..<n { d[i] = BFloat16(s[i]) }
                } else {
                    inner(S.self, BFloat16.self)
                }
            }
        }
        switch source.dtype {
        case .float32: from(Float.self)
        case .float64: from(Double.self)
        case .int32: from(Int32.self)
        case .int64: from(Int64.self)
        case .uint8, .bool: from(UInt8.self)
        case .float16: from(Float16.self)
        case .bfloat16: from(BFloat16.self)
        }
    }
}
