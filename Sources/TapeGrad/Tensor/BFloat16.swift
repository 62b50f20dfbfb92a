/// A brain float: the top 16 bits of a float32 (sign, 8 exponent bits, 7 fraction bits), the element of a
/// `bfloat16` tensor.
///
/// Swift has no bfloat16, so this is a storage type: arithmetic converts to `Float`, computes there and
/// rounds back. Rounding from `Float` is to nearest, ties to even (as PyTorch and MindSpore do); a NaN stays
/// a (quiet) NaN.
///
/// ```swift
/// BFloat16(Float(1) / 3).floatValue     // 0.333984375
/// Tensor([1.5, 2] as [BFloat16]).dtype  // .bfloat16
/// ```
public struct BFloat16: Sendable, Hashable, Comparable, Numeric, CustomStringConvertible, ExpressibleByFloatLiteral {
    /// The 16 stored bits.
    public var bitPattern: UInt16

    /// The value with these bits.
    ///
    /// ```swift
    /// BFloat16(bitPattern: 0x3F80).floatValue   // 1.0
    /// ```
    public init(bitPattern: UInt16) { self.bitPattern = bitPattern }

    /// Rounds a `Float` to the nearest bfloat16, ties to even; NaN gives a quiet NaN of the same sign.
    ///
    /// ```swift
    /// BFloat16(Float(65520)).floatValue   // 65536
    /// ```
    public init(_ value: Float) {
        let bits = value.bitPattern
        if value.isNaN {
            bitPattern = UInt16(truncatingIfNeeded: bits >> 16) | 0x0040
        } else {
            // Adding 0x7FFF plus the lowest kept bit rounds to nearest, ties to even; a carry into the
            // exponent is the right answer (up to infinity on overflow).
            let rounding = UInt32(0x7FFF) &+ ((bits >> 16) & 1)
            bitPattern = UInt16(truncatingIfNeeded: (bits &+ rounding) >> 16)
        }
    }

    /// The exact `Float` with the same value.
    ///
    /// ```swift
    /// BFloat16(2.5).floatValue   // 2.5
    /// ```
    public var floatValue: Float { Float(bitPattern: UInt32(bitPattern) << 16) }

    /// A literal, rounded: `let h: BFloat16 = 0.1` holds 0.10009765625.
    public init(floatLiteral value: Float) { self.init(value) }
    /// An integer literal, rounded: `let h: BFloat16 = 257` holds 256.
    public init(integerLiteral value: Int) { self.init(Float(value)) }
    /// The value if an integer converts exactly, else nil: `BFloat16(exactly: 257)` is nil.
    public init?<T: BinaryInteger>(exactly source: T) {
        guard let f = Float(exactly: source) else { return nil }
        self.init(f)
        guard Float(exactly: source) == floatValue else { return nil }
    }

    /// |x|: `BFloat16(-2).magnitude` is 2.
    public var magnitude: BFloat16 { BFloat16(bitPattern: bitPattern & 0x7FFF) }
    /// The sum, rounded once: `BFloat16(256) + BFloat16(1)` is 256.
    public static func + (a: BFloat16, b: BFloat16) -> BFloat16 { BFloat16(a.floatValue + b.floatValue) }
    /// The difference, rounded once: `BFloat16(3) - BFloat16(0.5)` is 2.5.
    public static func - (a: BFloat16, b: BFloat16) -> BFloat16 { BFloat16(a.floatValue - b.floatValue) }
    /// The product, rounded once: `BFloat16(3) * BFloat16(0.5)` is 1.5.
    public static func * (a: BFloat16, b: BFloat16) -> BFloat16 { BFloat16(a.floatValue * b.floatValue) }
    /// `a *= b`: `var h: BFloat16 = 3; h *= 2` gives 6.
    public static func *= (a: inout BFloat16, b: BFloat16) { a = a * b }
    /// Equality of values (`-0 == 0`, NaN is unequal to everything): `BFloat16(0.1) == BFloat16(0.1001)` is true.
    public static func == (a: BFloat16, b: BFloat16) -> Bool { a.floatValue == b.floatValue }
    /// Orders by value (NaN is unordered): `BFloat16(1) < BFloat16(2)`.
    public static func < (a: BFloat16, b: BFloat16) -> Bool { a.floatValue < b.floatValue }
    /// Hashes the value (both zeros alike), so `Set([BFloat16(0), BFloat16(-0.0)]).count` is 1.
    public func hash(into hasher: inout Hasher) { hasher.combine(floatValue == 0 ? 0 : floatValue) }

    /// The value as printed by `Float`: `BFloat16(0.1).description` is `"0.100097656"`.
    public var description: String { floatValue.description }
}

extension BFloat16: TensorScalar {
    /// The dtype that stores this type.
    public static var dtype: DType { .bfloat16 }
    /// Rounds through `Float` (double rounding, as PyTorch's `double → bfloat16`).
    public init(fromDouble value: Double) { self.init(Float(value)) }
    /// The value as a `Double` (exact).
    public var doubleValue: Double { Double(floatValue) }
    /// Rounds to nearest.
    public init(wrappingInt64 value: Int64) { self.init(Float(value)) }
    /// Truncated toward zero, saturating; NaN → 0.
    public var int64Value: Int64 { Int64(fromDouble: doubleValue) }
}
