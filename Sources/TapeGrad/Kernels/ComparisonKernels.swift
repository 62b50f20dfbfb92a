// Comparisons written straight into bool bytes: one pass over the operands, 1 byte out per element.

enum ComparisonKernels {
    /// out[i] = a[i] ∘ b[i] ? 1 : 0 over one row with strides (0 or 1 for the contiguous fast path).
    /// NaN compares false with everything, as IEEE (so `equal(nan, nan)` is false).
    @inline(__always)
    static func row<T: Comparable>(
        _ op: BinaryOp, _ a: UnsafePointer<T>, _ sa: Int, _ b: UnsafePointer<T>, _ sb: Int,
        _ out: UnsafeMutablePointer<UInt8>, _ n: Int
    ) {
        switch op {
        case .equal: for i in 0..<n { out[i] = a[i * sa] == b[i * sb] ? 1 : 0 }
        case .greater: for i in 0..<n { out[i] = a[i * sa] > b[i * sb] ? 1 : 0 }
        case .greaterEqual: for i in 0..<n { out[i] = a[i * sa] >= b[i * sb] ? 1 : 0 }
        case .less: for i in 0..<n { out[i] = a[i * sa] < b[i * sb] ? 1 : 0 }
        case .lessEqual: for i in 0..<n { out[i] = a[i * sa] <= b[i * sb] ? 1 : 0 }
        default: for i in 0..<n { out[i] = 0 }   // only the comparisons reach here
        }
    }

    /// `op` on `a` and `b` (already of one dtype) broadcast to `outShape`, as a bool tensor. float16,
    /// bfloat16 and bool compare in their ``DType/kernelDType`` (exact: the conversion is lossless).
    static func compare(_ op: BinaryOp, _ a: Tensor, _ b: Tensor, outShape: [Int]) -> Tensor {
        let kernel = a.dtype.kernelDType
        if kernel != a.dtype { return compare(op, a.converted(to: kernel), b.converted(to: kernel), outShape: outShape) }
        let out = Tensor.uninitialized(outShape, dtype: .bool)
        let n = out.count
        func run<T: TensorScalar & Comparable>(_: T.Type) {
            let pa = UnsafePointer(a.buffer.pointer(T.self)), pb = UnsafePointer(b.buffer.pointer(T.self))
            let po = out.buffer.pointer(UInt8.self)
            if a.shape == b.shape {
                Parallel.chunks(n) { s, c in row(op, pa + s, 1, pb + s, 1, po + s, c) }
            } else if b.count == 1 && a.count == n {
                Parallel.chunks(n) { s, c in row(op, pa + s, 1, pb, 0, po + s, c) }
            } else if a.count == 1 && b.count == n {
                Parallel.chunks(n) { s, c in row(op, pa, 0, pb + s, 1, po + s, c) }
            } else {
                let sa = Broadcasting.strides(of: a.shape, in: outShape), sb = Broadcasting.strides(of: b.shape, in: outShape)
                Broadcasting.forEachRow(outShape: outShape, aStrides: sa, bStrides: sb) { ia, ib, io, len, ta, tb in
                    row(op, pa + ia, ta, pb + ib, tb, po + io, len)
                }
            }
        }
        switch a.dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        case .int32: run(Int32.self)
        case .int64: run(Int64.self)
        case .uint8: run(UInt8.self)
        case .bool, .float16, .bfloat16: break   // compared in their kernel dtype above
        }
        return withExtendedLifetime((a, b)) { out }
    }
}
