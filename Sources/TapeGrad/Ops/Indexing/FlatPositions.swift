// The three kernels that indexing, selection and layout ops are built on: reading elements at flat
// (row-major) positions, adding values back at flat positions — each the other's pullback — and
// replacing elements at flat positions (a recorded write). Every op that only moves elements
// (subscripts, flip, roll, tile, pad, diagonal, sort's values…) computes its positions once and calls
// one of these, so its gradient is right by construction and its hot loop runs over contiguous buffers.

extension Tensor {
    /// Row-major strides of `shape`, in elements.
    static func strides(of shape: [Int]) -> [Int] {
        var s = [Int](repeating: 1, count: shape.count)
        var acc = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) { s[i] = acc; acc &*= Swift.max(shape[i], 1) }
        return s
    }

    /// Flat positions of the Cartesian product of per-dimension offset lists, in row-major order:
    /// position = Σ offsets[d][i_d]; an offset of −1 in any dimension makes the whole position −1.
    static func combine(_ offsets: [[Int]]) -> [Int] {
        var total = 1
        for list in offsets { total *= list.count }
        var out = [Int](repeating: 0, count: total)
        guard total > 0 else { return out }
        out.withUnsafeMutableBufferPointer { dst in
            // Fill dimension by dimension, outermost first: after step d the first Π_{e≤d} nₑ entries hold the
            // partial sums; expanding from the back lets each step work in place.
            var filled = 1
            for list in offsets {
                let n = list.count
                list.withUnsafeBufferPointer { l in
                    for p in stride(from: filled - 1, through: 0, by: -1) {
                        let base = dst[p], at = p * n
                        if base < 0 {
                            for k in 0..<n { dst[at + k] = -1 }
                        } else {
                            for k in 0..<n { let o = l[k]; dst[at + k] = o < 0 ? -1 : base + o }
                        }
                    }
                }
                filled *= n
            }
        }
        return out
    }

    /// out[k] = self[positions[k]], shaped `outShape`; a position of −1 reads 0.
    /// ∂L/∂x = G scatter-added back at the positions (repeated positions accumulate).
    func taking(flat positions: [Int], shape outShape: [Int]) -> Tensor {
        let out = Tensor.uninitialized(outShape, dtype: dtype)
        func run<T: TensorScalar>(_: T.Type) {
            let src = buffer.pointer(T.self), dst = out.buffer.pointer(T.self)
            positions.withUnsafeBufferPointer { p in
                for k in 0..<p.count { let i = p[k]; dst[k] = i >= 0 ? src[i] : 0 }
            }
        }
        switch dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        case .int32: run(Int32.self)
        case .int64: run(Int64.self)
        case .uint8, .bool: run(UInt8.self)   // bool is stored as one byte, 0 or 1
        case .float16: run(Float16.self)
        case .bfloat16: run(BFloat16.self)
        }
        guard isRecorded else { return out }
        let original = shape
        return out.recorded(self) { g in g.addingAt(flat: positions, into: original) }
    }

    /// Zeros of `target` with `self`'s k-th element added at `positions[k]` (−1: dropped).
    /// ∂L/∂self = G taken at the positions.
    func addingAt(flat positions: [Int], into target: [Int]) -> Tensor {
        var out = Tensor.zeros(target, dtype: dtype)
        guard out.shape == target else { return out }   // `target` was invalid: already reported
        func run<T: TensorScalar>(_: T.Type) {
            let src = buffer.pointer(T.self)
            out.withUnsafeMutableBufferPointer(as: T.self) { dst in
                positions.withUnsafeBufferPointer { p in
                    for k in 0..<p.count where p[k] >= 0 { dst[p[k]] += src[k] }
                }
            }
        }
        switch dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        case .int32:
            // Wrapping addition: an int32 overflow must not trap.
            let src = buffer.pointer(Int32.self)
            out.withUnsafeMutableBufferPointer(as: Int32.self) { dst in
                for k in 0..<positions.count where positions[k] >= 0 { dst[positions[k]] &+= src[k] }
            }
        case .int64:
            let src = buffer.pointer(Int64.self)
            out.withUnsafeMutableBufferPointer(as: Int64.self) { dst in
                for k in 0..<positions.count where positions[k] >= 0 { dst[positions[k]] &+= src[k] }
            }
        case .uint8, .bool, .float16, .bfloat16:
            // Accumulated in the kernel dtype (wrapping int for uint8/bool, float32 for the halves), rounded back once.
            let wide: DType = dtype.isFloatingPoint ? .float32 : .int64
            return converted(to: wide).addingAt(flat: positions, into: target).converted(to: dtype)
        }
        guard isRecorded else { return out }
        let original = shape
        return out.recorded(self) { g in g.taking(flat: positions, shape: original) }
    }

    /// `self` with the element at `positions[k]` replaced by `values`'s k-th element (values has
    /// `self`'s dtype and `positions.count` elements). On a repeated position the last write wins.
    /// ∂L/∂x = G with the written positions zeroed; ∂L/∂values = G at the positions for the winning
    /// writes, 0 for the overwritten ones.
    func replacing(flat positions: [Int], with values: Tensor) -> Tensor {
        var out = detached
        func run<T: TensorScalar>(_: T.Type) {
            let src = values.buffer.pointer(T.self)
            out.withUnsafeMutableBufferPointer(as: T.self) { dst in
                positions.withUnsafeBufferPointer { p in
                    for k in 0..<p.count where p[k] >= 0 { dst[p[k]] = src[k] }
                }
            }
        }
        switch dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        case .int32: run(Int32.self)
        case .int64: run(Int64.self)
        case .uint8, .bool: run(UInt8.self)
        case .float16: run(Float16.self)
        case .bfloat16: run(BFloat16.self)
        }
        guard isRecorded || values.isRecorded else { return out }
        // The winning write of each position, and a 0/1 mask of the untouched ones (constants).
        var keep = [Double](repeating: 1, count: count)
        var winners = positions
        for k in stride(from: positions.count - 1, through: 0, by: -1) where positions[k] >= 0 {
            if keep[positions[k]] != 0 { keep[positions[k]] = 0 } else { winners[k] = -1 }   // a later write already won
        }
        let keepMask = Tensor(keep, shape: shape).converted(to: dtype)
        let valueShape = values.shape
        return out.recorded(self, values) { g, needed in
            (needed[0] ? g * keepMask : nil, needed[1] ? g.taking(flat: winners, shape: valueShape) : nil)
        }
    }
}
