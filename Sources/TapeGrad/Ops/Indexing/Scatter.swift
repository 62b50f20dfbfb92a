// Element-wise gathering and scattering along an axis, masked fills, index selection and nonzero.
// Index tensors are int32 (negative entries count from the end); masks are bool tensors (or numeric, non-zero = true).

extension Tensor {
    /// Checks an `index` tensor for the element-wise gather/scatter family and returns, for each of its
    /// elements, the flat position in `self` it addresses (its own coordinates with `axis` replaced by
    /// its value), or nil after reporting.
    func elementPositions(axis: Int, index: Tensor, op: String) -> (axis: Int, positions: [Int])? {
        guard let a = normalizedAxis(axis, op: op), rank > 0 else {
            if rank == 0 { reportError(TensorError(op: op, message: "input must have rank ≥ 1, got shape []")) }
            return nil
        }
        guard index.dtype == .int32 else {
            reportError(TensorError(op: op, message: "index must be int32, got \(index.dtype)"))
            return nil
        }
        guard index.rank == rank, (0..<rank).allSatisfy({ $0 == a || index.shape[$0] <= shape[$0] }) else {
            reportError(TensorError(op: op, message: "index of shape \(index.shape) must have the input's rank \(rank) and no dimension larger than the input's \(shape) off axis \(axis)"))
            return nil
        }
        let n = shape[a], strides = Tensor.strides(of: shape), indexStrides = Tensor.strides(of: index.shape)
        let values = index.asArray(Int32.self)
        var positions = [Int](repeating: 0, count: values.count)
        for k in 0..<values.count {
            var i = Int(values[k])
            guard i >= -n && i < n else {
                reportError(TensorError(op: op, message: "index \(i) is out of range for axis \(axis) of size \(n) (shape \(shape))"))
                return nil
            }
            if i < 0 { i += n }
            var rest = k, p = 0
            for d in 0..<rank {
                let c = rest / indexStrides[d]
                rest -= c * indexStrides[d]
                p += (d == a ? i : c) * strides[d]
            }
            positions[k] = p
        }
        return (a, positions)
    }

    /// Flat positions in `self` of the leading block of shape `block` (each dimension ≤ self's).
    func blockPositions(_ block: [Int]) -> [Int] {
        let strides = Tensor.strides(of: shape)
        return Tensor.combine(block.enumerated().map { d, n in (0..<n).map { $0 * strides[d] } })
    }
}

/// out[i][j][k] = input[i][index[i][j][k]][k] for `axis` 1 (likewise for any axis): picks one element
/// per index entry; the result has `index`'s shape. MindSpore `ops.gather_elements(input, dim, index)`.
/// ∂L/∂input = G scatter-added at the picked positions.
///
/// ```swift
/// gatherElements(Tensor([[1, 2], [3, 4]]), axis: 1, index: Tensor([[0, 0], [1, 0]] as [[Int32]]))   // [[1, 1], [4, 3]]
/// ```
public func gatherElements(_ input: Tensor, axis: Int, index: Tensor) -> Tensor {
    guard let (_, positions) = input.elementPositions(axis: axis, index: index, op: "gatherElements") else { return Tensor.placeholder(dtype: input.dtype) }
    return input.taking(flat: positions, shape: index.shape)
}

/// NumPy's name for ``gatherElements(_:axis:index:)``: values along `axis` at `indices`.
///
/// ```swift
/// let (v, i) = topk(x, k: 2); takeAlongAxis(x, indices: i, axis: -1) == v
/// ```
public func takeAlongAxis(_ input: Tensor, indices: Tensor, axis: Int) -> Tensor {
    gatherElements(input, axis: axis, index: indices)
}

/// A copy of `input` with `src[c]` written at the position `index[c]` along `axis` (c running over
/// `index`'s shape; `src` has at least that shape). MindSpore `ops.scatter(input, axis, index, src)`.
/// Repeated targets: the last write wins.
/// ∂L/∂input = G with the written elements zeroed; ∂L/∂src = G at the written positions (0 for
/// overwritten writes and for src elements outside `index`'s shape).
///
/// ```swift
/// scatter(Tensor.zeros([2, 3]), axis: 1, index: Tensor([[2], [0]] as [[Int32]]), src: Tensor([[5], [6]]))
/// // [[0, 0, 5], [6, 0, 0]]
/// ```
public func scatter(_ input: Tensor, axis: Int, index: Tensor, src: Tensor) -> Tensor {
    guard let (_, positions) = input.elementPositions(axis: axis, index: index, op: "scatter") else { return Tensor.placeholder(dtype: input.dtype) }
    guard src.rank == index.rank, zip(index.shape, src.shape).allSatisfy({ $0 <= $1 }) else {
        reportError(TensorError(op: "scatter", message: "src of shape \(src.shape) must cover index's shape \(index.shape)"))
        return Tensor.placeholder(dtype: input.dtype)
    }
    let values = src.astype(input.dtype).taking(flat: src.blockPositions(index.shape), shape: index.shape)
    return input.replacing(flat: positions, with: values)
}

/// `input` with `src[c]` added at the position `index[c]` along `axis`; repeated targets accumulate.
/// PyTorch `scatter_add` (MindSpore `ops.tensor_scatter_elements(…, reduction="add")`).
/// ∂L/∂input = G; ∂L/∂src = G gathered at the positions (0 outside `index`'s shape).
///
/// ```swift
/// scatterAdd(Tensor.zeros([3]), axis: 0, index: Tensor([0, 0, 2] as [Int32]), src: Tensor([1, 2, 3]))   // [3, 0, 3]
/// ```
public func scatterAdd(_ input: Tensor, axis: Int, index: Tensor, src: Tensor) -> Tensor {
    guard let (_, positions) = input.elementPositions(axis: axis, index: index, op: "scatterAdd") else { return Tensor.placeholder(dtype: input.dtype) }
    guard src.rank == index.rank, zip(index.shape, src.shape).allSatisfy({ $0 <= $1 }) else {
        reportError(TensorError(op: "scatterAdd", message: "src of shape \(src.shape) must cover index's shape \(index.shape)"))
        return Tensor.placeholder(dtype: input.dtype)
    }
    let values = src.astype(input.dtype).taking(flat: src.blockPositions(index.shape), shape: index.shape)
    return input + values.addingAt(flat: positions, into: input.shape)
}

/// `input` with `value` wherever `mask` (bool, or numeric non-zero; broadcast to input's shape) is true.
/// MindSpore `ops.masked_fill(input_x, mask, value)`.
/// ∂L/∂input = G where the mask is 0; ∂L/∂value = Σ G where the mask is 1.
///
/// ```swift
/// maskedFill(Tensor([1, 2, 3]), mask: Tensor([false, true, false]), value: Tensor(9))   // [1, 9, 3]
/// ```
public func maskedFill(_ input: Tensor, mask: Tensor, value: Tensor) -> Tensor {
    guard Broadcasting.shape(mask.shape, input.shape) == input.shape else {
        reportError(TensorError(op: "maskedFill", message: "mask of shape \(mask.shape) does not broadcast to input's shape \(input.shape)"))
        return Tensor.placeholder(dtype: input.dtype)
    }
    guard value.rank == 0 else {
        reportError(TensorError(op: "maskedFill", message: "value must be a rank-0 tensor, got shape \(value.shape)"))
        return Tensor.placeholder(dtype: input.dtype)
    }
    return `where`(mask, value.astype(input.dtype), input)
}

/// ``maskedFill(_:mask:value:)`` with a constant value.
///
/// ```swift
/// maskedFill(Tensor([1, 2, 3]), mask: Tensor([0, 1, 0]), value: -1)   // [1, -1, 3]
/// ```
public func maskedFill(_ input: Tensor, mask: Tensor, value: Double) -> Tensor {
    maskedFill(input, mask: mask, value: Tensor.full([], value: value, dtype: input.dtype))
}

/// The elements of `input` where `mask` (bool, or numeric non-zero; broadcast together with input) is true, as a
/// 1-D tensor. MindSpore `ops.masked_select(input, mask)`. ∂L/∂input = G scattered back (summed over
/// broadcast dimensions).
///
/// ```swift
/// maskedSelect(Tensor([[1, 2], [3, 4]]), mask: Tensor([true, false]))   // [1, 3]
/// ```
public func maskedSelect(_ input: Tensor, mask: Tensor) -> Tensor {
    guard let shape = Broadcasting.shape(input.shape, mask.shape) else {
        reportError(TensorError(op: "maskedSelect", message: "mask of shape \(mask.shape) does not broadcast with input's shape \(input.shape)"))
        return Tensor.placeholder(dtype: input.dtype)
    }
    return input.broadcast(to: shape)[mask: mask.detached.broadcastKernel(to: shape)]
}

/// The slices of `input` along `axis` at the 1-D int32 `index`. MindSpore `ops.index_select(input, axis, index)`.
/// ∂L/∂input = G scatter-added back along the axis.
///
/// ```swift
/// indexSelect(Tensor([[1, 2], [3, 4], [5, 6]]), axis: 0, index: Tensor([2, 2] as [Int32]))   // [[5, 6], [5, 6]]
/// ```
public func indexSelect(_ input: Tensor, axis: Int, index: Tensor) -> Tensor {
    guard index.rank == 1, index.dtype == .int32 else {
        reportError(TensorError(op: "indexSelect", message: "index must be a 1-D int32 tensor, got \(index.dtype) of shape \(index.shape)"))
        return Tensor.placeholder(dtype: input.dtype)
    }
    guard let a = input.normalizedAxis(axis, op: "indexSelect"), input.rank > 0 else {
        if input.rank == 0 { reportError(TensorError(op: "indexSelect", message: "input must have rank ≥ 1, got shape []")) }
        return Tensor.placeholder(dtype: input.dtype)
    }
    var items = [TensorIndex](repeating: .slice(start: nil, end: nil, step: 1), count: a)
    items.append(.indices(index))
    guard let (positions, outShape) = input.resolve(items, op: "indexSelect") else { return Tensor.placeholder(dtype: input.dtype) }
    return input.taking(flat: positions, shape: outShape)
}

/// The coordinates of the non-zero elements, as an int32 tensor of shape `[count, rank]` in row-major
/// order. MindSpore `ops.nonzero(input)` (which returns int64). Not differentiable.
///
/// ```swift
/// nonzero(Tensor([[0, 1], [2, 0]]))   // [[0, 1], [1, 0]]
/// ```
public func nonzero(_ input: Tensor) -> Tensor {
    let strides = Tensor.strides(of: input.shape)
    var coordinates: [Int32] = []
    var found = 0
    input.withUnsafeBufferPointer(as: Double.self) { p in
        for k in 0..<p.count where p[k] != 0 {
            var rest = k
            for d in 0..<input.rank {
                let c = rest / strides[d]
                rest -= c * strides[d]
                coordinates.append(Int32(truncatingIfNeeded: c))
            }
            found += 1
        }
    }
    return Tensor(coordinates, shape: [found, input.rank])
}
