// Gather (embedding lookup) and its scatter-add backward in the replay loop. The indices arrive in the
// program's dtype; each is checked (finite, integral, in range) before it is used.

extension JitInterpreter {
    /// The index `value` as an Int when it is a valid index below `length`.
    @inline(__always)
    static func sliceIndex<T: JitFloat>(_ value: T, length: Int) -> Int? {
        guard value.isFinite, value >= 0, value < T(length), value.rounded(.towardZero) == value else { return nil }
        return Int(value)
    }

    /// out[o, j, :] = x[o, indices[j], :] for x viewed as [outer, length, inner]; the error of the eager op
    /// for an index out of range (nothing is read past x).
    static func gather<T: JitFloat>(_ x: UnsafeMutablePointer<T>, _ indices: UnsafeMutablePointer<T>, _ out: UnsafeMutablePointer<T>,
                                    outer: Int, length: Int, inner: Int, count: Int) -> TensorError? {
        for j in 0..<count where sliceIndex(indices[j], length: length) == nil {
            let v = indices[j], shown = v.isFinite && v.rounded(.towardZero) == v && Swift.abs(v) < 1e15 ? "\(Int(v))" : "\(v)"
            return TensorError(op: "gather", message: "index \(shown) is out of range for an axis of length \(length) (expected 0 ≤ index < \(length))")
        }
        for o in 0..<outer {
            for j in 0..<count {
                let i = Int(indices[j])
                (out + (o * count + j) * inner).update(from: x + (o * length + i) * inner, count: inner)
            }
        }
        return nil
    }

    /// out = zeros of [outer, length, inner] with g[o, j, :] added at out[o, indices[j], :] (in the order of j,
    /// as the eager scatter-add). Invalid indices were rejected by the forward gather of the same call.
    static func gatherBackward<T: JitFloat>(_ g: UnsafeMutablePointer<T>, _ indices: UnsafeMutablePointer<T>, _ out: UnsafeMutablePointer<T>,
                                            outer: Int, length: Int, inner: Int, count: Int) {
        out.update(repeating: 0, count: outer * length * inner)
        for o in 0..<outer {
            for j in 0..<count {
                guard let i = sliceIndex(indices[j], length: length) else { continue }
                let src = g + (o * count + j) * inner, dst = out + (o * length + i) * inner
                for t in 0..<inner { dst[t] += src[t] }
            }
        }
    }
}
