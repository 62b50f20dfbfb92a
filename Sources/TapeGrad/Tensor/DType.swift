/// The element type of a ``Tensor``.
///
/// `float32` is the default, as in MindSpore. Mixed dtypes promote along
/// `int32 < float32 < float64`, as in MindSpore and NumPy:
///
/// ```swift
/// let a = Tensor([1, 2] as [Int32])      // int32
/// let b = a + Tensor([0.5, 0.5])        // float32
/// ```
public enum DType: Int, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// 32-bit signed integers: indices and labels.
    case int32 = 0
    /// 32-bit IEEE floats, the default.
    case float32 = 1
    /// 64-bit IEEE floats, used for gradient checking.
    case float64 = 2

    /// Bytes per element.
    public var byteSize: Int { self == .float64 ? 8 : 4 }

    /// Whether the dtype holds floating-point values.
    public var isFloatingPoint: Bool { self != .int32 }

    /// The name MindSpore prints: `Float32`, `Float64`, `Int32`.
    public var description: String {
        switch self {
        case .int32: return "Int32"
        case .float32: return "Float32"
        case .float64: return "Float64"
        }
    }

    /// The lower-case name used in fixtures and by MindSpore's `dtype` strings (`"float32"`).
    public var name: String { description.lowercased() }

    /// Parses a lower-case dtype name such as `"float32"`.
    ///
    /// ```swift
    /// DType(name: "float64")   // .float64
    /// ```
    public init?(name: String) {
        switch name.lowercased() {
        case "int32": self = .int32
        case "float32": self = .float32
        case "float64": self = .float64
        default: return nil
        }
    }

    /// The dtype two operands promote to: the wider of the two.
    ///
    /// ```swift
    /// DType.promoted(.int32, .float32)   // .float32
    /// ```
    public static func promoted(_ a: DType, _ b: DType) -> DType {
        a.rawValue >= b.rawValue ? a : b
    }

    /// The floating-point dtype used to compute a float-only function of this dtype (int32 → float32).
    public var floatingPoint: DType { self == .int32 ? .float32 : self }
}
