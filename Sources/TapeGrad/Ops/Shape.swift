// Ops that change the shape or layout of a tensor, each with its pullback beside it.

extension Tensor {
    /// The same elements under a new shape; one dimension may be `-1` (inferred).
    /// ∂L/∂x = G reshaped back. Free: the buffer is shared.
    ///
    /// ```swift
    /// Tensor.arange(6).reshaped(to: [2, -1])   // shape [2, 3]
    /// ```
    public func reshaped(to newShape: [Int]) -> Tensor {
        var target = newShape
        let inferred = target.indices.filter { target[$0] == -1 }
        let known = SizeArithmetic.elementCount(target.filter { $0 != -1 })
        if inferred.count == 1, let known, known > 0, count % known == 0 { target[inferred[0]] = count / known }
        guard inferred.count <= 1, target.allSatisfy({ $0 >= 0 }), SizeArithmetic.elementCount(target) == count else {
            reportError(TensorError(op: "reshape", message: "cannot reshape a tensor of shape \(shape) (\(count) elements) to \(newShape): "
                + "the new shape must have the same number of elements, with at most one -1 and no other negative size"))
            return Tensor.placeholder(dtype: dtype)
        }
        if target == shape { return self }
        let out = sharingBuffer(shape: target)
        guard isRecorded else { return out }
        let original = shape
        return out.recorded(self, trace: .reshape) { g in g.reshaped(to: original) }
    }

    /// Normalises a possibly negative axis, reporting an error naming `op` when it is out of range.
    func normalizedAxis(_ axis: Int, rank r: Int? = nil, op: String) -> Int? {
        let r = r ?? rank
        let a = axis < 0 ? axis + r : axis
        guard a >= 0 && a < Swift.max(r, 1) || (r == 0 && a == 0) else {
            reportError(TensorError(op: op, message: "axis \(axis) is out of range for a tensor of shape \(shape) (expected \(-Swift.max(r, 1)) ≤ axis < \(Swift.max(r, 1)))"))
            return nil
        }
        return a
    }

    /// Reorders the dimensions: result dimension `i` is input dimension `permutation[i]`.
    /// ∂L/∂x = G permuted by the inverse permutation.
    ///
    /// ```swift
    /// Tensor.zeros([2, 3, 4]).transposed(permutation: [2, 0, 1]).shape   // [4, 2, 3]
    /// ```
    public func transposed(permutation: [Int]) -> Tensor {
        let perm = permutation.map { $0 < 0 ? $0 + rank : $0 }
        guard perm.count == rank, Set(perm) == Set(0..<rank) else {
            reportError(TensorError(op: "transpose", message: "permutation \(permutation) does not fit a tensor of shape \(shape) (expected each of 0..<\(rank) once)"))
            return Tensor.placeholder(dtype: dtype)
        }
        if perm == Array(0..<rank) { return self }
        let outShape = perm.map { shape[$0] }
        var inStrides = [Int](repeating: 1, count: rank)
        for i in stride(from: rank - 2, through: 0, by: -1) { inStrides[i] = inStrides[i + 1] * shape[i + 1] }
        let permutedStrides = perm.map { inStrides[$0] }
        let out = Tensor.uninitialized(outShape, dtype: dtype)
        func copy<T>(_: T.Type) {
            let src = buffer.pointer(T.self), dst = out.buffer.pointer(T.self)
            let zeros = [Int](repeating: 0, count: rank)
            Broadcasting.forEachRow(outShape: outShape, aStrides: permutedStrides, bStrides: zeros) { a, _, o, n, sa, _ in
                for i in 0..<n { dst[o + i] = src[a + i * sa] }
            }
        }
        switch dtype.byteSize {   // a permutation moves bits: one loop per element width
        case 1: copy(UInt8.self)
        case 2: copy(UInt16.self)
        case 4: copy(UInt32.self)
        default: copy(UInt64.self)
        }
        guard isRecorded else { return out }
        var inverse = [Int](repeating: 0, count: rank)
        for (i, p) in perm.enumerated() { inverse[p] = i }
        return out.recorded(self) { g in g.transposed(permutation: inverse) }
    }

    /// Swaps the last two dimensions (the matrix transpose for rank 2).
    ///
    /// ```swift
    /// Tensor([[1, 2, 3]]).transposed().shape   // [3, 1]
    /// ```
    public func transposed() -> Tensor {
        guard rank >= 2 else { return self }
        var perm = Array(0..<rank)
        perm.swapAt(rank - 1, rank - 2)
        return transposed(permutation: perm)
    }

    /// Inserts a dimension of size 1 at `axis` (−rank−1 ≤ axis ≤ rank).
    ///
    /// ```swift
    /// Tensor([1, 2]).expandingShape(at: 0).shape   // [1, 2]
    /// ```
    public func expandingShape(at axis: Int) -> Tensor {
        guard let a = normalizedAxis(axis, rank: rank + 1, op: "expandDims") else { return Tensor.placeholder(dtype: dtype) }
        var s = shape
        s.insert(1, at: a)
        return reshaped(to: s)
    }

    /// Removes dimensions of size 1: all of them, or those at `axes`.
    ///
    /// ```swift
    /// Tensor.zeros([1, 3, 1]).squeezingShape().shape   // [3]
    /// ```
    public func squeezingShape(at axes: [Int]? = nil) -> Tensor {
        var s: [Int] = []
        if let axes {
            var drop = Set<Int>()
            for axis in axes {
                guard let a = normalizedAxis(axis, op: "squeeze") else { return Tensor.placeholder(dtype: dtype) }
                guard shape[a] == 1 else {
                    reportError(TensorError(op: "squeeze", message: "dimension \(axis) of shape \(shape) is not 1 (only size-1 dimensions can be squeezed)"))
                    return Tensor.placeholder(dtype: dtype)
                }
                drop.insert(a)
            }
            s = shape.enumerated().filter { !drop.contains($0.offset) }.map(\.element)
        } else {
            s = shape.filter { $0 != 1 }
        }
        return reshaped(to: s)
    }

    /// Broadcasts to `target` with NumPy's rules. ∂L/∂x = G summed back to x's shape.
    ///
    /// ```swift
    /// Tensor([1, 2]).broadcast(to: [3, 2]).shape   // [3, 2]
    /// ```
    public func broadcast(to target: [Int]) -> Tensor {
        guard Broadcasting.shape(shape, target) == target else {
            reportError(TensorError(op: "broadcastTo", message: "shape \(shape) does not broadcast to \(target) (expected each dimension, aligned at the end, to equal the target's or be 1)"))
            return Tensor.placeholder(dtype: dtype)
        }
        guard Tensor.canAllocate(target, dtype: dtype, op: "broadcastTo") else { return Tensor.placeholder(dtype: dtype) }
        if target == shape { return self }
        let out = broadcastKernel(to: target)
        guard isRecorded else { return out }
        let original = shape
        return out.recorded(self, trace: .broadcast) { g in g.unbroadcast(to: original) }
    }

    /// A materialised broadcast copy (not recorded); `target` must be a valid broadcast of `shape`.
    func broadcastKernel(to target: [Int]) -> Tensor {
        if target == shape { return detached }
        let out = Tensor.uninitialized(target, dtype: dtype)
        func expand<T>(_: T.Type) {
            Broadcasting.expand(buffer.pointer(T.self), shape: shape, to: target, into: out.buffer.pointer(T.self))
        }
        switch dtype.byteSize {   // copies bits: one loop per element width
        case 1: expand(UInt8.self)
        case 2: expand(UInt16.self)
        case 4: expand(UInt32.self)
        default: expand(UInt64.self)
        }
        return out
    }

    /// The same values in `dtype`. ∂L/∂x = G cast back to x's dtype.
    ///
    /// Floats to integers truncate toward zero (int32/int64 saturate, uint8 wraps); integers to integers
    /// wrap; to float16/bfloat16 rounds to nearest-even; anything to bool is "non-zero".
    ///
    /// ```swift
    /// Tensor([1.5]).astype(.float64).dtype   // .float64
    /// ```
    public func astype(_ target: DType) -> Tensor {
        if target == dtype { return self }
        let out = converted(to: target)
        guard isRecorded else { return out }
        let source = dtype
        return out.recorded(self, trace: .astype) { g in g.astype(source) }
    }
}
