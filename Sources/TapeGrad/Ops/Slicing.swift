// Slicing, concatenation and stacking along an axis, each with its pullback beside it.

extension Tensor {
    /// Copies the block `[outer, length, inner]` view of `self` — elements `start..<start+count` along the
    /// axis — into a new tensor (not recorded).
    func sliceKernel(axis: Int, start: Int, count: Int) -> Tensor {
        let outer = SizeArithmetic.count(of: shape[..<axis]), inner = SizeArithmetic.count(of: shape[(axis + 1)...])
        var outShape = shape
        outShape[axis] = count
        let out = Tensor.uninitialized(outShape, dtype: dtype)
        let width = dtype.byteSize
        let srcRow = shape[axis] * inner * width, dstRow = count * inner * width
        for o in 0..<outer where dstRow > 0 {
            (out.buffer.raw + o * dstRow).copyMemory(from: buffer.raw + o * srcRow + start * inner * width, byteCount: dstRow)
        }
        return out
    }

    /// Elements `start..<end` along `axis` (negative axis counts from the end).
    /// ∂L/∂x = G padded with zeros back to x's shape.
    ///
    /// ```swift
    /// Tensor([[1, 2, 3], [4, 5, 6]]).sliced(alongAxis: 1, from: 1, to: 3)   // [[2, 3], [5, 6]]
    /// ```
    public func sliced(alongAxis axis: Int, from start: Int, to end: Int) -> Tensor {
        guard let a = normalizedAxis(axis, op: "slice"), rank > 0 else {
            if rank == 0 { reportError(TensorError(op: "slice", message: "cannot slice a rank-0 tensor")) }
            return Tensor.placeholder(dtype: dtype)
        }
        guard start >= 0, end <= shape[a], start <= end else {
            reportError(TensorError(op: "slice", message: "range \(start)..<\(end) is out of bounds for axis \(axis) of shape \(shape) (expected 0 ≤ start ≤ end ≤ \(shape[a]))"))
            return Tensor.placeholder(dtype: dtype)
        }
        let out = sliceKernel(axis: a, start: start, count: end - start)
        guard isRecorded else { return out }
        let total = shape[a]
        return out.recorded(self, trace: .slice(axis: a, start: start)) { g in g.padded(alongAxis: a, before: start, after: total - end) }
    }

    /// Zeros added before and after along `axis`. ∂L/∂x = G sliced back.
    func padded(alongAxis axis: Int, before: Int, after: Int) -> Tensor {
        var outShape = shape
        outShape[axis] += before + after
        let out = Tensor.zeros(outShape, dtype: dtype)
        let outer = SizeArithmetic.count(of: shape[..<axis]), inner = SizeArithmetic.count(of: shape[(axis + 1)...])
        let width = dtype.byteSize
        let srcRow = shape[axis] * inner * width, dstRow = outShape[axis] * inner * width
        for o in 0..<outer where srcRow > 0 {
            (out.buffer.raw + o * dstRow + before * inner * width).copyMemory(from: buffer.raw + o * srcRow, byteCount: srcRow)
        }
        guard isRecorded else { return out }
        let length = shape[axis]
        return out.recorded(self) { g in g.sliced(alongAxis: axis, from: before, to: before + length) }
    }
}

/// Joins tensors along an existing axis; all other dimensions must match (dtypes promote).
/// ∂L/∂xᵢ = the slice of G that xᵢ filled.
///
/// ```swift
/// concat([Tensor([[1, 2]]), Tensor([[3, 4]])], alongAxis: 0)   // [[1, 2], [3, 4]]
/// ```
public func concat(_ tensors: [Tensor], alongAxis axis: Int = 0) -> Tensor {
    guard let first = tensors.first else {
        reportError(TensorError(op: "concat", message: "needs at least one tensor, got an empty array"))
        return Tensor.placeholder()
    }
    guard let a = first.normalizedAxis(axis, op: "concat"), first.rank > 0 else {
        if first.rank == 0 { reportError(TensorError(op: "concat", message: "cannot concatenate rank-0 tensors")) }
        return Tensor.placeholder(dtype: first.dtype)
    }
    let dtype = tensors.map(\.dtype).reduce(first.dtype, DType.promoted)
    for t in tensors {
        var s = t.shape, f = first.shape
        guard s.count == f.count else {
            reportError(TensorError(op: "concat", message: "shapes \(tensors.map(\.shape)) differ in rank (expected every tensor to have the first one's rank)"))
            return Tensor.placeholder(dtype: dtype)
        }
        s[a] = 0; f[a] = 0
        guard s == f else {
            reportError(TensorError(op: "concat", message: "shapes \(tensors.map(\.shape)) differ outside axis \(axis) (expected equal sizes in every other dimension)"))
            return Tensor.placeholder(dtype: dtype)
        }
    }
    let lengths = tensors.map { $0.shape[a] }
    var outShape = first.shape
    var total: Int? = 0
    for length in lengths { total = total.flatMap { SizeArithmetic.sum($0, length) } }
    outShape[a] = total ?? -1
    guard total != nil, Tensor.canAllocate(outShape, dtype: dtype, op: "concat") else {
        if total == nil { reportError(TensorError(op: "concat", message: "the lengths \(lengths) along axis \(axis) overflow")) }
        return Tensor.placeholder(dtype: dtype)
    }
    let out = Tensor.uninitialized(outShape, dtype: dtype)
    let outer = SizeArithmetic.count(of: outShape[..<a]), inner = SizeArithmetic.count(of: outShape[(a + 1)...]), width = dtype.byteSize
    let dstRow = outShape[a] * inner * width
    var offset = 0
    for (t, length) in zip(tensors, lengths) {
        let source = t.converted(to: dtype)
        let srcRow = length * inner * width
        for o in 0..<outer where srcRow > 0 {
            (out.buffer.raw + o * dstRow + offset * inner * width).copyMemory(from: source.buffer.raw + o * srcRow, byteCount: srcRow)
        }
        offset += length
    }
    guard tensors.contains(where: \.isRecorded) else { return out }
    return out.recorded(inputs: tensors) { g, needed in
        var start = 0
        return lengths.enumerated().map { i, length in
            defer { start += length }
            return needed[i] ? g.sliced(alongAxis: a, from: start, to: start + length) : nil
        }
    }
}

/// Stacks tensors of one shape along a new axis.
///
/// ```swift
/// stack([Tensor([1, 2]), Tensor([3, 4])], alongAxis: 1)   // [[1, 3], [2, 4]]
/// ```
public func stack(_ tensors: [Tensor], alongAxis axis: Int = 0) -> Tensor {
    guard let first = tensors.first else {
        reportError(TensorError(op: "stack", message: "needs at least one tensor, got an empty array"))
        return Tensor.placeholder()
    }
    guard tensors.allSatisfy({ $0.shape == first.shape }) else {
        reportError(TensorError(op: "stack", message: "shapes \(tensors.map(\.shape)) differ (expected every tensor to have the same shape)"))
        return Tensor.placeholder(dtype: first.dtype)
    }
    guard let a = first.normalizedAxis(axis, rank: first.rank + 1, op: "stack") else { return Tensor.placeholder(dtype: first.dtype) }
    return concat(tensors.map { $0.expandingShape(at: a) }, alongAxis: a)
}
