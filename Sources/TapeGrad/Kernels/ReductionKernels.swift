/// The reductions the kernels implement.
enum ReductionOp { case sum, max, min }

enum ReductionKernels {
    /// Reduces `x` along one axis, keeping that axis with size 1. Walks the input as
    /// `[outer, length, inner]` so the inner loop is contiguous and vectorises.
    static func reduce(_ op: ReductionOp, _ x: Tensor, axis: Int) -> Tensor {
        let shape = x.shape
        let length = shape[axis]
        let outer = shape[..<axis].reduce(1, *)
        let inner = shape[(axis + 1)...].reduce(1, *)
        var outShape = shape
        outShape[axis] = 1
        let out = Tensor.uninitialized(outShape, dtype: x.dtype)
        switch x.dtype {
        case .float32: reduceFloats(op, x.buffer.pointer(Float.self), out.buffer.pointer(Float.self), outer, length, inner)
        case .float64: reduceFloats(op, x.buffer.pointer(Double.self), out.buffer.pointer(Double.self), outer, length, inner)
        case .int32: reduceInts(op, x.buffer.pointer(Int32.self), out.buffer.pointer(Int32.self), outer, length, inner)
        }
        return withExtendedLifetime(x) { out }
    }

    @inline(__always)
    static func reduceFloats<T: FloatingElement>(
        _ op: ReductionOp, _ src: UnsafeMutablePointer<T>, _ dst: UnsafeMutablePointer<T>, _ outer: Int, _ length: Int, _ inner: Int
    ) {
        for o in 0..<outer {
            let d = dst + o * inner, s = src + o * length * inner
            guard length > 0 else {
                // An empty sum is 0; an empty max/min has no value.
                for j in 0..<inner { d[j] = op == .sum ? 0 : .nan }
                continue
            }
            d.update(from: s, count: inner)
            for k in 1..<Swift.max(length, 1) {
                let row = s + k * inner
                switch op {
                case .sum: for j in 0..<inner { d[j] += row[j] }
                case .max: for j in 0..<inner { let v = row[j]; d[j] = v > d[j] || v.isNaN ? v : d[j] }
                case .min: for j in 0..<inner { let v = row[j]; d[j] = v < d[j] || v.isNaN ? v : d[j] }
                }
            }
        }
    }

    static func reduceInts(
        _ op: ReductionOp, _ src: UnsafeMutablePointer<Int32>, _ dst: UnsafeMutablePointer<Int32>, _ outer: Int, _ length: Int, _ inner: Int
    ) {
        for o in 0..<outer {
            let d = dst + o * inner, s = src + o * length * inner
            guard length > 0 else {
                for j in 0..<inner { d[j] = 0 }
                continue
            }
            d.update(from: s, count: inner)
            for k in 1..<Swift.max(length, 1) {
                let row = s + k * inner
                switch op {
                case .sum: for j in 0..<inner { d[j] = d[j] &+ row[j] }
                case .max: for j in 0..<inner { d[j] = Swift.max(d[j], row[j]) }
                case .min: for j in 0..<inner { d[j] = Swift.min(d[j], row[j]) }
                }
            }
        }
    }
}
