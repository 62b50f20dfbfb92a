/// The element type of a ``Tensor``.
///
/// `float32` is the default, as in MindSpore. Mixed dtypes promote as MindSpore 2.10 does (checked with
/// `Oracle/dtypes_oracle.py`): a floating dtype beats an integer one, an integer beats `bool`, and within a
/// kind the wider wins — except that `float16` and `bfloat16` together give `float32`:
///
/// | a ∘ b      | bool     | uint8    | int32    | int64    | float16  | bfloat16 | float32 | float64 |
/// |------------|----------|----------|----------|----------|----------|----------|---------|---------|
/// | bool       | bool     | uint8    | int32    | int64    | float16  | bfloat16 | float32 | float64 |
/// | uint8      | uint8    | uint8    | int32    | int64    | float16  | bfloat16 | float32 | float64 |
/// | int32      | int32    | int32    | int32    | int64    | float16  | bfloat16 | float32 | float64 |
/// | int64      | int64    | int64    | int64    | int64    | float16  | bfloat16 | float32 | float64 |
/// | float16    | float16  | float16  | float16  | float16  | float16  | float32  | float32 | float64 |
/// | bfloat16   | bfloat16 | bfloat16 | bfloat16 | bfloat16 | float32  | bfloat16 | float32 | float64 |
/// | float32    | float32  | float32  | float32  | float32  | float32  | float32  | float32 | float64 |
/// | float64    | float64  | float64  | float64  | float64  | float64  | float64  | float64 | float64 |
///
/// Integer and bool division (`/`) and `pow` give float32 (true division, as MindSpore). `bool` arithmetic
/// stays bool (`+` is or, `*` is and, `-` is xor: the integer result cast back to bool), as MindSpore.
///
/// **Where the arithmetic runs.** float32, float64, int32, int64 and uint8 have their own kernels (integers
/// wrap on overflow, as NumPy). float16 and bfloat16 are storage types: an op converts them to float32,
/// computes there and rounds the result back to nearest-even (so a float16 op is exactly a float32 op
/// followed by one rounding). `bool` computes as int32 and casts back.
///
/// **Gradients** are floating-point: a float16/bfloat16 input gets a float16/bfloat16 gradient (computed
/// through float32). An integer input's gradient is computed in float and cast back, truncating
/// (decision 5); a `bool` input's gradient is cast to bool (non-zero → true), which carries no derivative
/// information — don't differentiate with respect to a mask.
///
/// ```swift
/// let a = Tensor([1, 2] as [Int32])      // int32
/// let b = a + Tensor([0.5, 0.5])        // float32
/// DType.promoted(.float16, .bfloat16)   // .float32
/// ```
public enum DType: Int, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// 32-bit signed integers: indices and labels.
    case int32 = 0
    /// 32-bit IEEE floats, the default.
    case float32 = 1
    /// 64-bit IEEE floats, used for gradient checking.
    case float64 = 2
    /// Booleans, one byte each (0 or 1): masks.
    case bool = 3
    /// 8-bit unsigned integers (wrap on overflow): images.
    case uint8 = 4
    /// 64-bit signed integers: PyTorch's default integer (`num_batches_tracked`, labels).
    case int64 = 5
    /// IEEE half precision (storage; computed in float32).
    case float16 = 6
    /// Brain float: float32's exponent, 8 significand bits (storage; computed in float32).
    case bfloat16 = 7

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .bool, .uint8: return 1
        case .float16, .bfloat16: return 2
        case .int32, .float32: return 4
        case .int64, .float64: return 8
        }
    }

    /// Whether the dtype holds floating-point values (float16, bfloat16, float32, float64).
    public var isFloatingPoint: Bool { kind == 2 }

    /// Whether the dtype holds integers (uint8, int32, int64; not bool).
    public var isInteger: Bool { kind == 1 }

    /// 0 for bool, 1 for the integers, 2 for the floats: the order promotion goes in.
    var kind: Int {
        switch self {
        case .bool: return 0
        case .uint8, .int32, .int64: return 1
        case .float16, .bfloat16, .float32, .float64: return 2
        }
    }

    /// The name MindSpore prints: `Float32`, `Float16`, `BFloat16`, `Int64`, `UInt8`, `Bool`.
    public var description: String {
        switch self {
        case .int32: return "Int32"
        case .float32: return "Float32"
        case .float64: return "Float64"
        case .bool: return "Bool"
        case .uint8: return "UInt8"
        case .int64: return "Int64"
        case .float16: return "Float16"
        case .bfloat16: return "BFloat16"
        }
    }

    /// The lower-case name used in fixtures and by MindSpore's `dtype` strings (`"float32"`, `"bfloat16"`).
    public var name: String { description.lowercased() }

    /// Parses a lower-case dtype name such as `"float32"` (also `"bool_"`, MindSpore's spelling).
    ///
    /// ```swift
    /// DType(name: "float64")   // .float64
    /// ```
    public init?(name: String) {
        let lower = name.lowercased()
        guard let match = DType.allCases.first(where: { $0.name == lower }) ?? (lower == "bool_" ? .bool : nil) else {
            return nil
        }
        self = match
    }

    /// The dtype two operands promote to (the table above).
    ///
    /// ```swift
    /// DType.promoted(.int32, .float32)   // .float32
    /// DType.promoted(.uint8, .bool)      // .uint8
    /// ```
    public static func promoted(_ a: DType, _ b: DType) -> DType {
        if a == b { return a }
        if a.kind != b.kind { return a.kind > b.kind ? a : b }
        if a.byteSize == 2 && b.byteSize == 2 { return .float32 }   // float16 with bfloat16
        return a.byteSize >= b.byteSize ? a : b
    }

    /// The floating-point dtype used to compute a float-only function of this dtype (integers and bool →
    /// float32; a floating dtype stays itself).
    public var floatingPoint: DType { isFloatingPoint ? self : .float32 }

    /// The dtype kernels compute this one in: float16/bfloat16 → float32, bool → int32, the others themselves.
    var kernelDType: DType {
        switch self {
        case .float16, .bfloat16: return .float32
        case .bool: return .int32
        default: return self
        }
    }
}
