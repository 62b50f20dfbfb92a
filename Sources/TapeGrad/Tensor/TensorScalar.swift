import Foundation

/// A Swift type that a ``Tensor`` can hold: `Float`, `Double`, `Int32`, `Int64`, `UInt8`, `Float16` or
/// ``BFloat16``. (A `bool` tensor is read with `asArray(Bool.self)`; its elements are bytes 0 and 1.)
///
/// ```swift
/// let t = Tensor([1, 2, 3] as [Double])
/// t.asArray(Double.self)   // [1.0, 2.0, 3.0]
/// ```
public protocol TensorScalar: Numeric, Sendable {
    /// The dtype that stores this type.
    static var dtype: DType { get }
    /// Converts from a `Double` (integers truncate toward zero).
    init(fromDouble value: Double)
    /// The value as a `Double`.
    var doubleValue: Double { get }
    /// Converts from an integer: integers wrap to their width (as NumPy's `astype`), floats round.
    init(wrappingInt64 value: Int64)
    /// The value as an `Int64`: integers exactly, floats truncated toward zero (saturating; NaN → 0).
    var int64Value: Int64 { get }
}

extension TensorScalar where Self: BinaryFloatingPoint {
    /// Rounds to nearest.
    @inlinable public init(wrappingInt64 value: Int64) { self = Self(value) }
    /// Truncated toward zero, saturating; NaN → 0.
    @inlinable public var int64Value: Int64 { Int64(fromDouble: doubleValue) }
}

extension TensorScalar where Self: FixedWidthInteger {
    /// Wraps to this type's width.
    @inlinable public init(wrappingInt64 value: Int64) { self = Self(truncatingIfNeeded: value) }
    /// Exact.
    @inlinable public var int64Value: Int64 { Int64(truncatingIfNeeded: self) }
    /// The value as a `Double`.
    @inlinable public var doubleValue: Double { Double(self) }
}

extension Float: TensorScalar {
    /// The dtype that stores this type.
    public static var dtype: DType { .float32 }
    /// Converts from a `Double`.
    @inlinable public init(fromDouble value: Double) { self = Float(value) }
    /// The value as a `Double`.
    @inlinable public var doubleValue: Double { Double(self) }
}

extension Double: TensorScalar {
    /// The dtype that stores this type.
    public static var dtype: DType { .float64 }
    /// Converts from a `Double`.
    @inlinable public init(fromDouble value: Double) { self = value }
    /// The value as a `Double`.
    @inlinable public var doubleValue: Double { self }
}

extension Int32: TensorScalar {
    /// The dtype that stores this type.
    public static var dtype: DType { .int32 }
    /// Converts from a `Double`.
    @inlinable public init(fromDouble value: Double) {
        // Truncate toward zero as MindSpore's casts do; saturate instead of trapping on out-of-range values.
        if value.isNaN { self = 0 } else if value >= 2147483647 { self = .max } else if value <= -2147483648 { self = .min } else { self = Int32(value.rounded(.towardZero)) }
    }
}

extension Int64: TensorScalar {
    /// The dtype that stores this type.
    public static var dtype: DType { .int64 }
    /// Truncates toward zero, saturating; NaN → 0.
    @inlinable public init(fromDouble value: Double) {
        if value.isNaN { self = 0 } else if value >= 9223372036854775807 { self = .max } else if value <= -9223372036854775808 { self = .min } else { self = Int64(value.rounded(.towardZero)) }
    }
}

extension UInt8: TensorScalar {
    /// The dtype that stores this type.
    public static var dtype: DType { .uint8 }
    /// Truncates toward zero, then wraps to 8 bits (-1.5 → 255, 300.7 → 44), as MindSpore's cast.
    @inlinable public init(fromDouble value: Double) { self = UInt8(truncatingIfNeeded: Int64(fromDouble: value)) }
}

extension Float16: TensorScalar {
    /// The dtype that stores this type.
    public static var dtype: DType { .float16 }
    /// Rounds to nearest-even (overflow → ±inf).
    @inlinable public init(fromDouble value: Double) { self = Float16(value) }
    /// The value as a `Double` (exact).
    @inlinable public var doubleValue: Double { Double(self) }
}

/// The floating-point element types that kernels compute with. Each maps the elementary functions
/// to the C library's single- or double-precision version, so specialised loops call them directly.
public protocol FloatingElement: TensorScalar, BinaryFloatingPoint, SIMDScalar, Codable {
    /// eˣ.
    static func exp(_ x: Self) -> Self
    /// ln x.
    static func log(_ x: Self) -> Self
    /// tanh x.
    static func tanh(_ x: Self) -> Self
    /// sin x.
    static func sin(_ x: Self) -> Self
    /// cos x.
    static func cos(_ x: Self) -> Self
    /// xʸ.
    static func pow(_ x: Self, _ y: Self) -> Self
    /// the error function.
    static func erf(_ x: Self) -> Self
    /// ln(1 + x), accurate near 0.
    static func log1p(_ x: Self) -> Self
}

extension Float: FloatingElement {
    /// The C library's single-precision function.
    @inlinable public static func exp(_ x: Float) -> Float { Foundation.expf(x) }
    /// The C library's single-precision function.
    @inlinable public static func log(_ x: Float) -> Float { Foundation.logf(x) }
    /// The C library's single-precision function.
    @inlinable public static func tanh(_ x: Float) -> Float { Foundation.tanhf(x) }
    /// The C library's single-precision function.
    @inlinable public static func sin(_ x: Float) -> Float { Foundation.sinf(x) }
    /// The C library's single-precision function.
    @inlinable public static func cos(_ x: Float) -> Float { Foundation.cosf(x) }
    /// The C library's single-precision function.
    @inlinable public static func pow(_ x: Float, _ y: Float) -> Float { Foundation.powf(x, y) }
    /// The C library's single-precision function.
    @inlinable public static func erf(_ x: Float) -> Float { Foundation.erff(x) }
    /// The C library's single-precision function.
    @inlinable public static func log1p(_ x: Float) -> Float { Foundation.log1pf(x) }
}

extension Double: FloatingElement {
    /// The C library's double-precision function.
    @inlinable public static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    /// The C library's double-precision function.
    @inlinable public static func log(_ x: Double) -> Double { Foundation.log(x) }
    /// The C library's double-precision function.
    @inlinable public static func tanh(_ x: Double) -> Double { Foundation.tanh(x) }
    /// The C library's double-precision function.
    @inlinable public static func sin(_ x: Double) -> Double { Foundation.sin(x) }
    /// The C library's double-precision function.
    @inlinable public static func cos(_ x: Double) -> Double { Foundation.cos(x) }
    /// The C library's double-precision function.
    @inlinable public static func pow(_ x: Double, _ y: Double) -> Double { Foundation.pow(x, y) }
    /// The C library's double-precision function.
    @inlinable public static func erf(_ x: Double) -> Double { Foundation.erf(x) }
    /// The C library's double-precision function.
    @inlinable public static func log1p(_ x: Double) -> Double { Foundation.log1p(x) }
}
