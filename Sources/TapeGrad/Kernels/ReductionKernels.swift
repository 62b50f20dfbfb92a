/// The reductions the kernels implement.
enum ReductionOp { case sum, max, min }

enum ReductionKernels {
    /// Reduces `x` along one axis, keeping that axis with size 1. Walks the input as
    /// `[outer, length, inner]` so the inner loop is contiguous.
    static func reduce(_ op: ReductionOp, _ x: Tensor, axis: Int) -> Tensor {
        let shape = x.shape
        let length = shape[axis]
        let outer = shape[..<axis].reduce(1, *)
        let inner = shape[(axis + 1)...].reduce(1, *)
        var outShape = shape
        outShape[axis] = 1
        let out = Tensor.uninitialized(outShape, dtype: x.dtype)
        func run<T: TensorScalar & Comparable>(_: T.Type, _ zero: T, _ add: (T, T) -> T) {
            let src = x.buffer.pointer(T.self), dst = out.buffer.pointer(T.self)
            for o in 0..<outer {
                let d = dst + o * inner
                let s = src + o * length * inner
                if length == 0 {
                    // An empty sum is 0; an empty max/min has no value: NaN for floats, 0 for ints.
                    for j in 0..<inner { d[j] = op == .sum ? zero : (T.dtype.isFloatingPoint ? T(fromDouble: .nan) : zero) }
                    continue
                }
                for j in 0..<inner { d[j] = s[j] }
                for k in 1..<max(length, 1) {
                    let row = s + k * inner
                    switch op {
                    case .sum: for j in 0..<inner { d[j] = add(d[j], row[j]) }
                    case .max: for j in 0..<inner where row[j] > d[j] || row[j] != row[j] { d[j] = row[j] }
                    case .min: for j in 0..<inner where row[j] < d[j] || row[j] != row[j] { d[j] = row[j] }
                    }
                }
            }
        }
        switch x.dtype {
        case .float32: run(Float.self, 0, +)
        case .float64: run(Double.self, 0, +)
        case .int32: run(Int32.self, 0, &+)
        }
        return withExtendedLifetime(x) { out }
    }
}
