/// The reductions the kernels implement.
enum ReductionOp { case sum, max, min }

enum ReductionKernels {
    /// Reduces `x` along one axis, keeping that axis with size 1. Walks the input as
    /// `[outer, length, inner]` so the inner loop is contiguous and vectorises.
    static func reduce(_ op: ReductionOp, _ x: Tensor, axis: Int) -> Tensor {
        let shape = x.shape
        let length = shape[axis]
        let outer = SizeArithmetic.count(of: shape[..<axis])
        let inner = SizeArithmetic.count(of: shape[(axis + 1)...])
        var outShape = shape
        outShape[axis] = 1
        let out = Tensor.uninitialized(outShape, dtype: x.dtype)
        switch x.dtype {
        case .float32: reduceFloats(op, x.buffer.pointer(Float.self), out.buffer.pointer(Float.self), outer, length, inner)
        case .float64: reduceFloats(op, x.buffer.pointer(Double.self), out.buffer.pointer(Double.self), outer, length, inner)
        case .int32: reduceInts(op, x.buffer.pointer(Int32.self), out.buffer.pointer(Int32.self), outer, length, inner)
        case .int64: reduceInts(op, x.buffer.pointer(Int64.self), out.buffer.pointer(Int64.self), outer, length, inner)
        case .uint8: reduceInts(op, x.buffer.pointer(UInt8.self), out.buffer.pointer(UInt8.self), outer, length, inner)
        case .bool, .float16, .bfloat16:
            // Callers pass the kernel dtype (Tensor.reduceKernel); compute there if one did not.
            let wide = reduce(op, x.converted(to: x.dtype.kernelDType), axis: axis)
            return withExtendedLifetime(x) { wide.converted(to: x.dtype) }
        }
        return withExtendedLifetime(x) { out }
    }

    /// Σ x over a contiguous run, with eight independent accumulators so the loop vectorises
    /// (a single running sum is a serial dependency the compiler may not reorder).
    @inline(__always)
    static func contiguousSum<T: FloatingElement>(_ x: UnsafePointer<T>, _ n: Int) -> T {
        var acc = SIMD8<T>()
        var i = 0
        while i + 8 <= n {
            acc += UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<T>.self)
            i += 8
        }
        var total = acc.sum()
        while i < n { total += x[i]; i += 1 }
        return total
    }

    @inline(__always)
    static func reduceFloats<T: FloatingElement>(
        _ op: ReductionOp, _ src: UnsafeMutablePointer<T>, _ dst: UnsafeMutablePointer<T>, _ outer: Int, _ length: Int, _ inner: Int
    ) {
        if op == .sum && inner == 1 {
            // Reducing contiguous runs (the last axis, or everything): vectorised sums.
            for o in 0..<outer { dst[o] = contiguousSum(src + o * length, length) }
            return
        }
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

    static func reduceInts<T: FixedWidthInteger>(
        _ op: ReductionOp, _ src: UnsafeMutablePointer<T>, _ dst: UnsafeMutablePointer<T>, _ outer: Int, _ length: Int, _ inner: Int
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
