import Foundation

extension Tensor: CustomStringConvertible, CustomDebugStringConvertible {
    /// MindSpore's printed form: `Tensor(shape=[2], dtype=Float32, value= [ 1.00000000e+00,  2.00000000e+00])`.
    ///
    /// ```swift
    /// print(Tensor([1, 2]))
    /// ```
    public var description: String {
        "Tensor(shape=\(shape), dtype=\(dtype), value=\(rank <= 1 ? " " : "\n")\(formattedValues()))"
    }

    /// The same as ``description``.
    public var debugDescription: String { description }

    /// The values as nested brackets, as MindSpore prints them: float32/float64 in `%.8e`, float16 and
    /// bfloat16 in `%.4e`, integers in decimal, bool as `True`/`False` padded to five characters.
    func formattedValues() -> String {
        let text: [String]
        switch dtype {
        case .bool: text = asArray(Bool.self).map { $0 ? " True" : "False" }
        case .int32, .int64, .uint8: text = asArray(Int64.self).map { String($0) }
        case .float16, .bfloat16: text = scalars.map { Tensor.formatFloat($0, "%.4e") }
        case .float32, .float64: text = scalars.map { Tensor.formatFloat($0, "%.8e") }
        }
        let values = Array(0..<text.count)
        let format: (Int) -> String = { text[$0] }
        if rank == 0 {
            // MindSpore's rank-0 bool is `value= True`: no padding.
            return values.isEmpty ? "[]" : dtype == .bool ? text[0].trimmingCharacters(in: .whitespaces) : format(values[0])
        }
        var out = ""
        var index = 0
        func emit(_ dim: Int) {
            out += "["
            let n = shape[dim]
            for i in 0..<n {
                if dim == rank - 1 {
                    out += format(values[index]); index += 1
                    if i < n - 1 { out += ", " }
                } else {
                    emit(dim + 1)
                    if i < n - 1 { out += ",\n" + String(repeating: " ", count: dim + 1) }
                }
            }
            out += "]"
        }
        emit(0)
        return out
    }

    /// One float in `format`, with a space where a minus sign would go; `nan`, `inf`, `-inf` as NumPy.
    static func formatFloat(_ v: Double, _ format: String) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v < 0 ? "-inf" : "inf" }
        let s = String(format: format, v)
        return v.sign == .minus ? s : " " + s
    }
}

extension Tensor {
    /// Whether every element is within `atol + rtol·|other|` of `other`'s (shapes must match; NaNs never match).
    /// Signed zeros compare equal.
    ///
    /// ```swift
    /// Tensor([1, 2]).isClose(to: Tensor([1, 2.0000001]))   // true
    /// ```
    public func isClose(to other: Tensor, rtol: Double = 1e-5, atol: Double = 1e-8) -> Bool {
        guard shape == other.shape else { return false }
        let a = scalars, b = other.scalars
        for i in 0..<a.count {
            if a[i] == b[i] { continue }
            if a[i].isNaN || b[i].isNaN { return false }
            if abs(a[i] - b[i]) > atol + rtol * abs(b[i]) { return false }
        }
        return true
    }
}

extension Tensor: Equatable {
    /// Exact equality of shape, dtype and every element (`-0 == 0`, `nan != nan`).
    public static func == (lhs: Tensor, rhs: Tensor) -> Bool {
        guard lhs.shape == rhs.shape && lhs.dtype == rhs.dtype else { return false }
        // Integers compare exactly (int64 beyond 2⁵³ would round as Doubles).
        return lhs.dtype.isFloatingPoint ? lhs.scalars == rhs.scalars : lhs.asArray(Int64.self) == rhs.asArray(Int64.self)
    }
}
