// Adding into and filling slices along an axis, and taking from the flattened tensor.

/// `x` with the slices of `y` added at positions `indices` along `axis` (repeated indices accumulate);
/// `y` has x's shape except `indices.count` along the axis. MindSpore `ops.index_add(x, indices, y, axis)`.
/// ∂L/∂x = G; ∂L/∂y = the slices of G at the indices.
///
/// ```swift
/// indexAdd(Tensor.zeros([3, 2]), indices: Tensor([0, 0] as [Int32]), y: Tensor([[1, 2], [3, 4]]), axis: 0)
/// // [[4, 6], [0, 0], [0, 0]]
/// ```
public func indexAdd(_ x: Tensor, indices: Tensor, y: Tensor, axis: Int) -> Tensor {
    guard let (positions, selection) = x.slicePositions(axis: axis, index: indices, op: "indexAdd") else { return Tensor.placeholder(dtype: x.dtype) }
    guard y.shape == selection else {
        reportError(TensorError(op: "indexAdd", message: "y of shape \(y.shape) must have shape \(selection) (x's shape with \(indices.count) along axis \(axis))"))
        return Tensor.placeholder(dtype: x.dtype)
    }
    return x + y.astype(x.dtype).addingAt(flat: positions, into: x.shape)
}

/// `x` with the slices at positions `index` along `axis` set to `value` (a rank-0 tensor).
/// MindSpore `ops.index_fill(x, axis, index, value)`.
/// ∂L/∂x = G with the filled slices zeroed; ∂L/∂value = Σ G over the filled slices.
///
/// ```swift
/// indexFill(Tensor([[1, 2], [3, 4]]), axis: 1, index: Tensor([0] as [Int32]), value: Tensor(9))   // [[9, 2], [9, 4]]
/// ```
public func indexFill(_ x: Tensor, axis: Int, index: Tensor, value: Tensor) -> Tensor {
    guard let (positions, selection) = x.slicePositions(axis: axis, index: index, op: "indexFill") else { return Tensor.placeholder(dtype: x.dtype) }
    guard value.rank == 0 else {
        reportError(TensorError(op: "indexFill", message: "value must be a rank-0 tensor, got shape \(value.shape)"))
        return Tensor.placeholder(dtype: x.dtype)
    }
    return x.replacing(flat: positions, with: value.astype(x.dtype).broadcast(to: selection))
}

/// The elements of the flattened `input` at the int32 `index` (negative entries count from the end);
/// the result has index's shape. MindSpore `ops.take(input, index)`. ∂L/∂input = G scatter-added back.
///
/// ```swift
/// take(Tensor([[1, 2], [3, 4]]), index: Tensor([3, 0] as [Int32]))   // [4, 1]
/// ```
public func take(_ input: Tensor, index: Tensor) -> Tensor {
    let flat = input.reshaped(to: [input.count])
    guard index.dtype == .int32 else {
        reportError(TensorError(op: "take", message: "index must be int32, got \(index.dtype)"))
        return Tensor.placeholder(dtype: input.dtype)
    }
    let n = input.count
    var positions = index.asArray(Int32.self).map(Int.init)
    for k in positions.indices {
        guard positions[k] >= -n && positions[k] < n else {
            reportError(TensorError(op: "take", message: "index \(positions[k]) is out of range for \(n) elements (shape \(input.shape))"))
            return Tensor.placeholder(dtype: input.dtype)
        }
        if positions[k] < 0 { positions[k] += n }
    }
    return flat.taking(flat: positions, shape: index.shape)
}

extension Tensor {
    /// Flat positions of the slices along `axis` at the 1-D int32 `index`, and the selection's shape.
    func slicePositions(axis: Int, index: Tensor, op: String) -> (positions: [Int], shape: [Int])? {
        guard index.rank <= 1, index.dtype == .int32 else {
            reportError(TensorError(op: op, message: "index must be a 1-D int32 tensor, got \(index.dtype) of shape \(index.shape)"))
            return nil
        }
        guard let a = normalizedAxis(axis, op: op), rank > 0 else {
            if rank == 0 { reportError(TensorError(op: op, message: "input must have rank ≥ 1, got shape []")) }
            return nil
        }
        var items = [TensorIndex](repeating: .slice(start: nil, end: nil, step: 1), count: a)
        items.append(.indices(index.reshaped(to: [index.count])))
        return resolve(items, op: op)
    }
}
