// Stacking and unstacking, swapping and rotating dimensions, diagonal embedding.

/// Joins tensors along their second dimension (the first for 1-D tensors). MindSpore `ops.hstack(tensors)`.
/// ∂L/∂xᵢ = the slice of G that xᵢ filled.
///
/// ```swift
/// hstack([Tensor([[1], [2]]), Tensor([[3], [4]])])   // [[1, 3], [2, 4]]
/// ```
public func hstack(_ tensors: [Tensor]) -> Tensor {
    concat(tensors, alongAxis: tensors.first.map { $0.rank <= 1 ? 0 : 1 } ?? 0)
}

/// Joins tensors along their first dimension, 1-D tensors as rows. MindSpore `ops.vstack(inputs)`.
///
/// ```swift
/// vstack([Tensor([1, 2]), Tensor([3, 4])])   // [[1, 2], [3, 4]]
/// ```
public func vstack(_ tensors: [Tensor]) -> Tensor {
    concat(tensors.map { $0.rank <= 1 ? $0.reshaped(to: [1, $0.count]) : $0 }, alongAxis: 0)
}

/// The slices along `axis`, each without that dimension. MindSpore `ops.unbind(input, dim)`.
/// ∂L/∂x = the slices' G stacked back.
///
/// ```swift
/// unbind(Tensor([[1, 2], [3, 4]]), axis: 1).map(\.scalars)   // [[1, 3], [2, 4]]
/// ```
public func unbind(_ input: Tensor, axis: Int = 0) -> [Tensor] {
    guard let a = input.normalizedAxis(axis, op: "unbind"), input.rank > 0 else {
        if input.rank == 0 { reportError(TensorError(op: "unbind", message: "input must have rank ≥ 1, got shape []")) }
        return []
    }
    var rest = input.shape
    rest.remove(at: a)
    return (0..<input.shape[a]).map { input.sliced(alongAxis: a, from: $0, to: $0 + 1).reshaped(to: rest) }
}

/// Pieces along `axis`: `sections` nearly equal ones (the first n mod sections one element longer), or
/// cut before each of the ascending `indices`. MindSpore `ops.tensor_split(input, indices_or_sections, axis)`.
///
/// ```swift
/// tensorSplit(Tensor([1, 2, 3, 4, 5]), sections: 3).map(\.shape)    // [[2], [2], [1]]
/// tensorSplit(Tensor([1, 2, 3, 4, 5]), indices: [1, 4]).map(\.shape) // [[1], [3], [1]]
/// ```
public func tensorSplit(_ input: Tensor, sections: Int, axis: Int = 0) -> [Tensor] {
    guard sections > 0 else {
        reportError(TensorError(op: "tensorSplit", message: "sections must be > 0, got \(sections)"))
        return []
    }
    guard let a = input.normalizedAxis(axis, op: "tensorSplit"), input.rank > 0 else {
        if input.rank == 0 { reportError(TensorError(op: "tensorSplit", message: "input must have rank ≥ 1, got shape []")) }
        return []
    }
    let n = input.shape[a]
    return split(input, sizes: (0..<sections).map { n / sections + ($0 < n % sections ? 1 : 0) }, axis: a)
}

/// ``tensorSplit(_:sections:axis:)`` cutting before each index (ascending, within the dimension).
///
/// ```swift
/// tensorSplit(Tensor([[1, 2, 3]]), indices: [2], axis: 1).map(\.shape)   // [[1, 2], [1, 1]]
/// ```
public func tensorSplit(_ input: Tensor, indices: [Int], axis: Int = 0) -> [Tensor] {
    guard let a = input.normalizedAxis(axis, op: "tensorSplit"), input.rank > 0 else {
        if input.rank == 0 { reportError(TensorError(op: "tensorSplit", message: "input must have rank ≥ 1, got shape []")) }
        return []
    }
    let n = input.shape[a]
    let cuts = [0] + indices + [n]
    guard zip(cuts, cuts.dropFirst()).allSatisfy({ $0 <= $1 }), indices.allSatisfy({ $0 >= 0 && $0 <= n }) else {
        reportError(TensorError(op: "tensorSplit", message: "indices \(indices) must ascend within 0...\(n) (axis \(axis) of shape \(input.shape))"))
        return []
    }
    return split(input, sizes: zip(cuts, cuts.dropFirst()).map { $1 - $0 }, axis: a)
}

extension Tensor {
    /// Swaps two dimensions. MindSpore `ops.swapaxes(input, axis0, axis1)`. ∂L/∂x = G swapped back.
    ///
    /// ```swift
    /// Tensor.zeros([2, 3, 4]).swapaxes(0, 2).shape   // [4, 3, 2]
    /// ```
    public func swapaxes(_ axis0: Int, _ axis1: Int) -> Tensor {
        guard let a = normalizedAxis(axis0, op: "swapaxes"), let b = normalizedAxis(axis1, op: "swapaxes") else { return Tensor.placeholder(dtype: dtype) }
        if rank == 0 { return self }
        var perm = Array(0..<rank)
        perm.swapAt(a, b)
        return transposed(permutation: perm)
    }
}

/// Rotates by 90° `k` times in the plane of `axes` (from the first towards the second).
/// MindSpore `ops.rot90(input, k, dims)`. ∂L/∂x = G rotated back.
///
/// ```swift
/// rot90(Tensor([[1, 2], [3, 4]]))   // [[2, 4], [1, 3]]
/// ```
public func rot90(_ input: Tensor, k: Int = 1, axes: [Int] = [0, 1]) -> Tensor {
    guard axes.count == 2, let d = input.distinctAxes(axes, op: "rot90") else {
        if axes.count != 2 { reportError(TensorError(op: "rot90", message: "axes must hold two dimensions, got \(axes)")) }
        return Tensor.placeholder(dtype: input.dtype)
    }
    switch ((k % 4) + 4) % 4 {
    case 1: return flip(input, axes: [d[1]]).swapaxes(d[0], d[1])
    case 2: return flip(input, axes: d)
    case 3: return flip(input, axes: [d[0]]).swapaxes(d[0], d[1])
    default: return input
    }
}

/// A tensor whose planes (`axis1`, `axis2`) hold the last dimension of `input` on diagonal `offset`, zeros
/// elsewhere; the result has one more dimension. MindSpore `ops.diag_embed(input, offset, dim1, dim2)`.
/// ∂L/∂x = the same diagonal of G.
///
/// ```swift
/// diagEmbed(Tensor([[1, 2]]))   // [[[1, 0], [0, 2]]]
/// ```
public func diagEmbed(_ input: Tensor, offset: Int = 0, axis1: Int = -2, axis2: Int = -1) -> Tensor {
    let x = input.atLeast1D
    let outRank = x.rank + 1
    guard let d1 = x.normalizedAxis(axis1, rank: outRank, op: "diagEmbed"), let d2 = x.normalizedAxis(axis2, rank: outRank, op: "diagEmbed") else {
        return Tensor.placeholder(dtype: input.dtype)
    }
    guard d1 != d2 else {
        reportError(TensorError(op: "diagEmbed", message: "axis1 \(axis1) and axis2 \(axis2) are the same dimension"))
        return Tensor.placeholder(dtype: input.dtype)
    }
    let n = x.shape[x.rank - 1], size = n &+ Swift.abs(offset)
    guard offset != Int.min, size >= n else {
        reportError(TensorError(op: "diagEmbed", message: "offset \(offset) is too large"))
        return Tensor.placeholder(dtype: input.dtype)
    }
    var outShape = [Int](repeating: size, count: outRank)
    var batch = Array(x.shape.dropLast()).makeIterator()
    for k in 0..<outRank where k != d1 && k != d2 { outShape[k] = batch.next() ?? 1 }
    guard Tensor.validCount(outShape, op: "diagEmbed") != nil else { return Tensor.placeholder(dtype: input.dtype) }
    let strides = Tensor.strides(of: outShape)
    var offsets: [[Int]] = []
    for k in 0..<outRank where k != d1 && k != d2 { offsets.append((0..<outShape[k]).map { $0 * strides[k] }) }
    let r1 = Swift.max(-offset, 0), r2 = Swift.max(offset, 0)
    offsets.append((0..<n).map { ($0 + r1) * strides[d1] + ($0 + r2) * strides[d2] })
    return x.addingAt(flat: Tensor.combine(offsets), into: outShape)
}
