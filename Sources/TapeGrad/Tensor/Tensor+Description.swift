import Foundation

extension Tensor: CustomStringConvertible, CustomDebugStringConvertible {
    /// MindSpore's printed form: `Tensor(shape=[2], dtype=Float32, value= [ 1.00000000e+00,  2.00000000e+00])`.
    ///
    /// Past 1,000 elements the values are summarised as MindSpore (NumPy) does: the first and last three
    /// entries of each long axis around `...`, so a 100 × 100 tensor prints 13 short lines.
    ///
    /// ```swift
    /// print(Tensor([1, 2]))
    /// print(Tensor.zeros([100, 100]))   // [[ 0.00000000e+00,  0.00000000e+00,  0.00000000e+00 ...  0.00000000e+00, …
    /// ```
    public var description: String {
        "Tensor(shape=\(shape), dtype=\(dtype), value=\(rank <= 1 ? " " : "\n")\(formattedValues()))"
    }

    /// The same as ``description``.
    public var debugDescription: String { description }

    /// NumPy's `threshold` and `edgeitems`, which MindSpore's printing uses.
    static let summaryThreshold = 1000, summaryEdgeItems = 3

    /// The values as nested brackets, as MindSpore prints them: float32/float64 in `%.8e`, float16 and
    /// bfloat16 in `%.4e`, integers right-aligned in decimal, bool as `True`/`False` padded to five
    /// characters; past 1,000 elements only the first and last 3 along each axis, with `...`.
    func formattedValues() -> String {
        let summarise = count > Tensor.summaryThreshold
        let edge = Tensor.summaryEdgeItems
        // The indices shown along each axis (nil marks the `...`).
        let shown: [[Int?]] = shape.map { n in
            summarise && n > 2 * edge ? Array(0..<edge) + [nil] + Array((n - edge)..<n) : Array(0..<n)
        }
        let strides: [Int] = {
            var out = [Int](repeating: 1, count: shape.count)
            var s = 1
            for d in stride(from: shape.count - 1, through: 0, by: -1) { out[d] = s; s *= shape[d] }
            return out
        }()
        let isInteger = !dtype.isFloatingPoint && dtype != .bool
        let floats: [Double] = dtype.isFloatingPoint ? scalars : []
        let ints: [Int64] = dtype.isFloatingPoint ? [] : asArray(Int64.self)
        let floatFormat = dtype == .float16 || dtype == .bfloat16 ? "%.4e" : "%.8e"
        func format(_ i: Int) -> String {
            if dtype == .bool { return ints[i] != 0 ? " True" : "False" }
            return isInteger ? String(ints[i]) : Tensor.formatFloat(floats[i], floatFormat)
        }
        if rank == 0 {
            // MindSpore's rank-0 bool is `value= True`: no padding.
            return count == 0 ? "[]" : dtype == .bool ? format(0).trimmingCharacters(in: .whitespaces) : format(0)
        }

        // Integers are right-aligned to the widest value shown, as NumPy pads them.
        var width = 0
        if isInteger {
            func measure(_ dim: Int, _ offset: Int) {
                for i in shown[dim] {
                    guard let i else { continue }
                    if dim == rank - 1 { width = Swift.max(width, format(offset + i).count) }
                    else { measure(dim + 1, offset + i * strides[dim]) }
                }
            }
            measure(0, 0)
        }
        func padded(_ i: Int) -> String {
            let s = format(i)
            return s.count < width ? String(repeating: " ", count: width - s.count) + s : s
        }

        var out = ""
        func emit(_ dim: Int, _ offset: Int) {
            out += "["
            let items = shown[dim]
            for (k, i) in items.enumerated() {
                let last = k == items.count - 1
                if dim == rank - 1 {
                    guard let i else { out += "..."; out += " "; continue }
                    out += padded(offset + i)
                    if !last { out += items[k + 1] == nil ? " " : ", " }
                } else {
                    let indent = String(repeating: " ", count: dim + 1)
                    guard let i else { out += "...\n" + indent; continue }
                    emit(dim + 1, offset + i * strides[dim])
                    if !last { out += ",\n" + indent }
                }
            }
            out += "]"
        }
        emit(0, 0)
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
