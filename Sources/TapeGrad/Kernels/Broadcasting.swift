/// NumPy's broadcasting rules: shapes are aligned at their last dimension, and each pair of sizes must
/// be equal or contain a 1.
enum Broadcasting {
    /// The broadcast result shape of `a` and `b`, or nil if they do not broadcast.
    static func shape(_ a: [Int], _ b: [Int]) -> [Int]? {
        if a == b { return a }
        let rank = max(a.count, b.count)
        var out = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            if da == db || db == 1 { out[i] = da } else if da == 1 { out[i] = db } else { return nil }
        }
        return out
    }

    /// Element strides of `shape` seen through the broadcast `target` shape (0 along broadcast dimensions).
    static func strides(of shape: [Int], in target: [Int]) -> [Int] {
        var strides = [Int](repeating: 0, count: target.count)
        var step = 1
        let offset = target.count - shape.count
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[i + offset] = shape[i] == 1 ? 0 : step
            step *= shape[i]
        }
        return strides
    }

    /// Calls `row(aOffset, bOffset, outOffset, length, aStep, bStep)` for each run of the innermost
    /// dimension of `outShape`, walking `a` and `b` with their broadcast strides.
    @inline(__always)
    static func forEachRow(
        outShape: [Int], aStrides: [Int], bStrides: [Int],
        _ row: (_ a: Int, _ b: Int, _ out: Int, _ n: Int, _ sa: Int, _ sb: Int) -> Void
    ) {
        let rank = outShape.count
        if rank == 0 { row(0, 0, 0, 1, 0, 0); return }
        let n = outShape[rank - 1]
        let total = SizeArithmetic.count(of: outShape)
        guard n > 0, total > 0 else { return }
        let sa = aStrides[rank - 1], sb = bStrides[rank - 1]
        var index = [Int](repeating: 0, count: rank)
        var aOff = 0, bOff = 0, outOff = 0
        while outOff < total {
            row(aOff, bOff, outOff, n, sa, sb)
            outOff += n
            var d = rank - 2
            while d >= 0 {
                index[d] += 1
                aOff += aStrides[d]; bOff += bStrides[d]
                if index[d] < outShape[d] { break }
                aOff -= aStrides[d] * outShape[d]; bOff -= bStrides[d] * outShape[d]
                index[d] = 0
                d -= 1
            }
            if d < 0 { break }
        }
    }

    /// Copies `source` (of `shape`) broadcast to `target`.
    static func expand<T>(_ source: UnsafePointer<T>, shape: [Int], to target: [Int], into out: UnsafeMutablePointer<T>) {
        let s = strides(of: shape, in: target)
        forEachRow(outShape: target, aStrides: s, bStrides: s) { a, _, o, n, sa, _ in
            if sa == 0 {
                let v = source[a]
                for i in 0..<n { out[o + i] = v }
            } else {
                for i in 0..<n { out[o + i] = source[a + i] }
            }
        }
    }
}
