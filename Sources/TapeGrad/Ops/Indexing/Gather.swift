// One-hot encoding and gathering rows (embedding lookup), with the scatter-add that is gather's pullback.

/// One-hot rows for int32 `indices`: shape `indices.shape + [depth]`, `onValue` at each index and
/// `offValue` elsewhere; an index outside `0..<depth` gives a row of `offValue` (as MindSpore). Not
/// differentiable (indices are integers). Float indices are an error (MindSpore: TypeError), not truncated.
///
/// ```swift
/// oneHot(Tensor([2, 0] as [Int32]), depth: 3)   // [[0, 0, 1], [1, 0, 0]]
/// ```
public func oneHot(_ indices: Tensor, depth: Int, onValue: Double = 1, offValue: Double = 0, dtype: DType = .float32) -> Tensor {
    guard depth >= 0 else {
        reportError(TensorError(op: "oneHot", message: "depth must be ≥ 0, got \(depth)"))
        return Tensor.placeholder(dtype: dtype)
    }
    guard !indices.dtype.isFloatingPoint, indices.dtype != .bool else {
        reportError(TensorError(op: "oneHot", message: "indices must be an integer tensor (int32 or int64), got \(indices.dtype) (TypeError)"))
        return Tensor.placeholder(dtype: dtype)
    }
    guard Tensor.canAllocate(indices.shape + [depth], dtype: .float64, op: "oneHot") else { return Tensor.placeholder(dtype: dtype) }
    let idx = indices.asArray(Int32.self)
    var values = [Double](repeating: offValue, count: idx.count * depth)
    for (i, c) in idx.enumerated() where c >= 0 && Int(c) < depth { values[i * depth + Int(c)] = onValue }
    return Tensor(values, shape: indices.shape + [depth]).converted(to: dtype)
}

/// Picks slices of `params` along `axis` at int32 `indices` (an embedding lookup for `axis: 0`).
/// The result has shape `params.shape[..<axis] + indices.shape + params.shape[(axis+1)...]`.
/// ∂L/∂params = G scatter-added back into zeros of params's shape (repeated indices accumulate).
/// Float indices are an error (MindSpore: TypeError), not truncated.
///
/// ```swift
/// gather(Tensor([[1, 2], [3, 4], [5, 6]]), indices: Tensor([2, 0] as [Int32]))   // [[5, 6], [1, 2]]
/// ```
public func gather(_ params: Tensor, indices: Tensor, axis: Int = 0) -> Tensor {
    guard let a = params.normalizedAxis(axis, op: "gather"), params.rank > 0 else {
        if params.rank == 0 { reportError(TensorError(op: "gather", message: "cannot gather from a rank-0 tensor")) }
        return Tensor.placeholder(dtype: params.dtype)
    }
    guard !indices.dtype.isFloatingPoint, indices.dtype != .bool else {
        reportError(TensorError(op: "gather", message: "indices must be an integer tensor (int32 or int64), got \(indices.dtype) (TypeError)"))
        return Tensor.placeholder(dtype: params.dtype)
    }
    let idx = indices.asArray(Int64.self).map { Int($0) }   // int64 indices (PyTorch's) are read exactly
    let length = params.shape[a]
    if let bad = idx.first(where: { $0 < 0 || $0 >= length }) {
        reportError(TensorError(op: "gather", message: "index \(bad) is out of range for axis \(axis) of shape \(params.shape) (expected 0 ≤ index < \(length))"))
        return Tensor.placeholder(dtype: params.dtype)
    }
    let outer = SizeArithmetic.count(of: params.shape[..<a]), inner = SizeArithmetic.count(of: params.shape[(a + 1)...]), width = params.dtype.byteSize
    let outShape = Array(params.shape[..<a]) + indices.shape + Array(params.shape[(a + 1)...])
    guard Tensor.canAllocate(outShape, dtype: params.dtype, op: "gather") else { return Tensor.placeholder(dtype: params.dtype) }
    let out = Tensor.uninitialized(outShape, dtype: params.dtype)
    let row = inner * width
    for o in 0..<outer where row > 0 {
        for (k, i) in idx.enumerated() {
            (out.buffer.raw + (o * idx.count + k) * row).copyMemory(from: params.buffer.raw + (o * length + i) * row, byteCount: row)
        }
    }
    // Recorded also when only the (integer) indices are, so that a trace sees a lookup into a constant table.
    guard params.isRecorded || indices.isRecorded else { return out }
    let paramsShape = params.shape
    // The indices are an input of the record (without a gradient) so that a trace reads them (Compile/).
    return out.recorded(inputs: [params, indices], trace: .gather(axis: a)) { g, needed in
        [needed[0] ? scatterAdd(g, indices: idx, indexShape: indices.shape, into: paramsShape, axis: a) : nil, nil]
    }
}

/// Adds the slices of `g` (shaped like a `gather` result) into zeros of `shape` at `indices` along `axis`.
/// Its pullback is `gather`.
func scatterAdd(_ g: Tensor, indices: [Int], indexShape: [Int], into shape: [Int], axis: Int) -> Tensor {
    let dtype = g.dtype
    if dtype.kernelDType != dtype {
        // float16/bfloat16/bool: accumulate in the kernel dtype, round once.
        let wide = g.astype(dtype.kernelDType)
        return scatterAdd(wide, indices: indices, indexShape: indexShape, into: shape, axis: axis).astype(dtype)
    }
    var out = Tensor.zeros(shape, dtype: dtype)
    let outer = SizeArithmetic.count(of: shape[..<axis]), inner = SizeArithmetic.count(of: shape[(axis + 1)...]), length = shape[axis]
    func run<T: TensorScalar>(_: T.Type) {
        let src = g.buffer.pointer(T.self)
        out.withUnsafeMutableBufferPointer(as: T.self) { dst in
            for o in 0..<outer {
                for (k, i) in indices.enumerated() {
                    let s = (o * indices.count + k) * inner, d = (o * length + i) * inner
                    for j in 0..<inner { dst[d + j] += src[s + j] }
                }
            }
        }
    }
    switch dtype {
    case .float32: run(Float.self)
    case .float64: run(Double.self)
    case .int32: run(Int32.self)
    case .int64: run(Int64.self)
    case .uint8: run(UInt8.self)
    case .bool, .float16, .bfloat16: break   // handled above
    }
    guard g.isRecorded else { return out }
    let indexTensor = Tensor(indices.map(Int32.init), shape: indexShape)
    return out.recorded(g) { gg in gather(gg, indices: indexTensor, axis: axis) }
}
