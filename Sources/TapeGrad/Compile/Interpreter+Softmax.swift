// The softmax kernel of the replay loop: along the middle axis of [outer, size, inner], stable (the
// maximum subtracted first), the exponentials through the vector eˣ over each outer block.

extension JitInterpreter {
    /// out = softmax(x) (or log-softmax) along the middle axis of x viewed as [outer, size, inner]:
    /// eˣ⁻ᵐ / Σ eˣ⁻ᵐ, or x − m − log Σ eˣ⁻ᵐ, with m the maximum along the axis.
    static func softmax<T: JitFloat>(_ x: UnsafeMutablePointer<T>, _ out: UnsafeMutablePointer<T>, outer: Int, size: Int, inner: Int, log: Bool) {
        if inner == 1 { return softmaxRows(x, out, rows: outer, size: size, log: log) }
        let block = size * inner
        withUnsafeTemporaryAllocation(of: T.self, capacity: block + 2 * inner) { buffer in
            let e = buffer.baseAddress.unsafelyUnwrapped, maximum = e + block, sum = maximum + inner
            for o in 0..<outer {
                let src = x + o * block, dst = out + o * block
                maximum.update(from: src, count: inner)
                for j in 1..<Swift.max(size, 1) {
                    let row = src + j * inner
                    for i in 0..<inner where row[i] > maximum[i] || row[i].isNaN { maximum[i] = row[i] }
                }
                for j in 0..<size {
                    let row = src + j * inner, shifted = dst + j * inner
                    for i in 0..<inner { shifted[i] = row[i] - maximum[i] }
                }
                T.vexp(dst, e, block)
                sum.update(repeating: 0, count: inner)
                for j in 0..<size {
                    let row = e + j * inner
                    for i in 0..<inner { sum[i] += row[i] }
                }
                if log {
                    for i in 0..<inner { sum[i] = T.log(sum[i]) }
                    for j in 0..<size {
                        let row = dst + j * inner
                        for i in 0..<inner { row[i] = row[i] - sum[i] }
                    }
                } else {
                    for j in 0..<size {
                        let row = dst + j * inner, ej = e + j * inner
                        for i in 0..<inner { row[i] = ej[i] / sum[i] }
                    }
                }
            }
        }
    }

    /// The same along contiguous rows (the last axis): one pass for the maximum, the vector eˣ over the rows.
    static func softmaxRows<T: JitFloat>(_ x: UnsafeMutablePointer<T>, _ out: UnsafeMutablePointer<T>, rows: Int, size: Int, log: Bool) {
        for r in 0..<rows {
            let row = x + r * size, dst = out + r * size
            var m = row[0]
            for j in 1..<Swift.max(size, 1) where row[j] > m || row[j].isNaN { m = row[j] }
            for j in 0..<size { dst[j] = row[j] - m }
        }
        if !log {
            T.vexp(out, out, rows * size)
            for r in 0..<rows {
                let dst = out + r * size
                var sum: T = 0
                for j in 0..<size { sum += dst[j] }
                for j in 0..<size { dst[j] = dst[j] / sum }
            }
            return
        }
        withUnsafeTemporaryAllocation(of: T.self, capacity: size) { buffer in
            let e = buffer.baseAddress.unsafelyUnwrapped
            for r in 0..<rows {
                let dst = out + r * size
                T.vexp(dst, e, size)
                var sum: T = 0
                for j in 0..<size { sum += e[j] }
                let l = T.log(sum)
                for j in 0..<size { dst[j] = dst[j] - l }
            }
        }
    }
}
