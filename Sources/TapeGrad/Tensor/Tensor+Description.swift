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

    /// The values as nested brackets, floats in `%.8e` and integers right-aligned, as MindSpore prints them.
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
        let isInteger = dtype == .int32
        func format(_ v: Double) -> String {
            if isInteger { return String(Int64(v)) }
            if v.isNaN { return "nan" }
            if v.isInfinite { return v < 0 ? "-inf" : "inf" }
            let s = String(format: "%.8e", v)
            return v.sign == .minus ? s : " " + s
        }
        let values = scalars
        if rank == 0 { return values.isEmpty ? "[]" : format(values[0]) }

        // Integers are right-aligned to the widest value shown, as NumPy pads them.
        var width = 0
        if isInteger {
            func measure(_ dim: Int, _ offset: Int) {
                for i in shown[dim] {
                    guard let i else { continue }
                    if dim == rank - 1 { width = Swift.max(width, format(values[offset + i]).count) }
                    else { measure(dim + 1, offset + i * strides[dim]) }
                }
            }
            measure(0, 0)
        }
        func padded(_ v: Double) -> String {
            let s = format(v)
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
                    out += padded(values[offset + i])
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
        lhs.shape == rhs.shape && lhs.dtype == rhs.dtype && lhs.scalars == rhs.scalars
    }
}
