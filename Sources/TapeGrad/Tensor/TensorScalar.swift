import Foundation

/// A Swift type that a ``Tensor`` can hold: `Float`, `Double` or `Int32`.
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
}

extension Float: TensorScalar {
    public static var dtype: DType { .float32 }
    @inlinable public init(fromDouble value: Double) { self = Float(value) }
    @inlinable public var doubleValue: Double { Double(self) }
}

extension Double: TensorScalar {
    public static var dtype: DType { .float64 }
    @inlinable public init(fromDouble value: Double) { self = value }
    @inlinable public var doubleValue: Double { self }
}

extension Int32: TensorScalar {
    public static var dtype: DType { .int32 }
    @inlinable public init(fromDouble value: Double) {
        // Truncate toward zero as MindSpore's casts do; saturate instead of trapping on out-of-range values.
        if value.isNaN { self = 0 } else if value >= 2147483647 { self = .max } else if value <= -2147483648 { self = .min } else { self = Int32(value.rounded(.towardZero)) }
    }
    @inlinable public var doubleValue: Double { Double(self) }
}

/// The floating-point element types that kernels compute with. Each maps the elementary functions
/// to the C library's single- or double-precision version, so specialised loops call them directly.
public protocol FloatingElement: TensorScalar, BinaryFloatingPoint, SIMDScalar {
    static func exp(_ x: Self) -> Self
    static func log(_ x: Self) -> Self
    static func tanh(_ x: Self) -> Self
    static func sin(_ x: Self) -> Self
    static func cos(_ x: Self) -> Self
    static func pow(_ x: Self, _ y: Self) -> Self
    static func erf(_ x: Self) -> Self
    static func log1p(_ x: Self) -> Self
}

extension Float: FloatingElement {
    @inlinable public static func exp(_ x: Float) -> Float { Foundation.expf(x) }
    @inlinable public static func log(_ x: Float) -> Float { Foundation.logf(x) }
    @inlinable public static func tanh(_ x: Float) -> Float { Foundation.tanhf(x) }
    @inlinable public static func sin(_ x: Float) -> Float { Foundation.sinf(x) }
    @inlinable public static func cos(_ x: Float) -> Float { Foundation.cosf(x) }
    @inlinable public static func pow(_ x: Float, _ y: Float) -> Float { Foundation.powf(x, y) }
    @inlinable public static func erf(_ x: Float) -> Float { Foundation.erff(x) }
    @inlinable public static func log1p(_ x: Float) -> Float { Foundation.log1pf(x) }
}

extension Double: FloatingElement {
    @inlinable public static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    @inlinable public static func log(_ x: Double) -> Double { Foundation.log(x) }
    @inlinable public static func tanh(_ x: Double) -> Double { Foundation.tanh(x) }
    @inlinable public static func sin(_ x: Double) -> Double { Foundation.sin(x) }
    @inlinable public static func cos(_ x: Double) -> Double { Foundation.cos(x) }
    @inlinable public static func pow(_ x: Double, _ y: Double) -> Double { Foundation.pow(x, y) }
    @inlinable public static func erf(_ x: Double) -> Double { Foundation.erf(x) }
    @inlinable public static func log1p(_ x: Double) -> Double { Foundation.log1p(x) }
}
