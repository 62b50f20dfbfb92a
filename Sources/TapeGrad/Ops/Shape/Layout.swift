// Reshaping and reordering dimensions: split, chunk, narrow, flatten, unflatten, movedim, meshgrid.

extension Tensor {
    /// Dimensions `startDim…endDim` merged into one. MindSpore `ops.flatten(input, start_dim=1, end_dim=-1)`
    /// (MindSpore's default start); a rank-0 tensor becomes `[1]`. ∂L/∂x = G reshaped back.
    ///
    /// ```swift
    /// Tensor.zeros([2, 3, 4]).flatten().shape                        // [2, 12]
    /// Tensor.zeros([2, 3, 4]).flatten(startDim: 0, endDim: 1).shape   // [6, 4]
    /// ```
    public func flatten(startDim: Int = 1, endDim: Int = -1) -> Tensor {
        if rank == 0 { return reshaped(to: [1]) }
        guard let s = normalizedAxis(startDim, op: "flatten"), let e = normalizedAxis(endDim, op: "flatten") else { return Tensor.placeholder(dtype: dtype) }
        guard s <= e else {
            reportError(TensorError(op: "flatten", message: "startDim \(startDim) comes after endDim \(endDim) for shape \(shape)"))
            return Tensor.placeholder(dtype: dtype)
        }
        return reshaped(to: Array(shape[..<s]) + [shape[s...e].reduce(1, *)] + Array(shape[(e + 1)...]))
    }

    /// Dimension `axis` split into `sizes` (one entry may be −1, inferred). MindSpore `ops.unflatten(input, axis, unflattened_size)`.
    ///
    /// ```swift
    /// Tensor.zeros([2, 12]).unflatten(axis: 1, sizes: [3, -1]).shape   // [2, 3, 4]
    /// ```
    public func unflatten(axis: Int, sizes: [Int]) -> Tensor {
        guard let a = normalizedAxis(axis, op: "unflatten"), rank > 0 else {
            if rank == 0 { reportError(TensorError(op: "unflatten", message: "input must have rank ≥ 1, got shape []")) }
            return Tensor.placeholder(dtype: dtype)
        }
        var sizes = sizes
        let known = sizes.filter { $0 != -1 }.reduce(1, *)
        if let k = sizes.firstIndex(of: -1), sizes.filter({ $0 == -1 }).count == 1, known > 0, shape[a] % known == 0 { sizes[k] = shape[a] / known }
        guard sizes.allSatisfy({ $0 >= 0 }), sizes.reduce(1, *) == shape[a] else {
            reportError(TensorError(op: "unflatten", message: "sizes \(sizes) do not multiply to dimension \(axis)'s size \(shape[a]) (shape \(shape))"))
            return Tensor.placeholder(dtype: dtype)
        }
        return reshaped(to: Array(shape[..<a]) + sizes + Array(shape[(a + 1)...]))
    }

    /// Moves dimension `source` to position `destination`, keeping the others in order.
    /// MindSpore `ops.movedim(x, source, destination)`. ∂L/∂x = G moved back.
    ///
    /// ```swift
    /// Tensor.zeros([2, 3, 4]).movedim(source: 0, destination: -1).shape   // [3, 4, 2]
    /// ```
    public func movedim(source: Int, destination: Int) -> Tensor { movedim(source: [source], destination: [destination]) }

    /// Moves several dimensions at once (`source[i]` goes to `destination[i]`).
    ///
    /// ```swift
    /// Tensor.zeros([2, 3, 4]).movedim(source: [0, 1], destination: [2, 0]).shape   // [3, 4, 2]
    /// ```
    public func movedim(source: [Int], destination: [Int]) -> Tensor {
        guard source.count == destination.count else {
            reportError(TensorError(op: "movedim", message: "source \(source) and destination \(destination) must have the same length"))
            return Tensor.placeholder(dtype: dtype)
        }
        if rank == 0 { return self }
        guard let s = distinctAxes(source, op: "movedim"), let d = distinctAxes(destination, op: "movedim") else { return Tensor.placeholder(dtype: dtype) }
        var perm = [Int](repeating: -1, count: rank)
        for (a, b) in zip(s, d) { perm[b] = a }
        var rest = (0..<rank).filter { !s.contains($0) }.makeIterator()
        for i in 0..<rank where perm[i] == -1 { perm[i] = rest.next() ?? 0 }
        return transposed(permutation: perm)
    }
}

/// Elements `start..<start+length` along `axis` (a negative start counts from the end).
/// MindSpore `ops.narrow(input, axis, start, length)`. ∂L/∂x = G padded with zeros back.
///
/// ```swift
/// narrow(Tensor([[1, 2, 3], [4, 5, 6]]), axis: 1, start: 1, length: 2)   // [[2, 3], [5, 6]]
/// ```
public func narrow(_ x: Tensor, axis: Int, start: Int, length: Int) -> Tensor {
    guard let a = x.normalizedAxis(axis, op: "narrow"), x.rank > 0 else {
        if x.rank == 0 { reportError(TensorError(op: "narrow", message: "input must have rank ≥ 1, got shape []")) }
        return Tensor.placeholder(dtype: x.dtype)
    }
    let n = x.shape[a], s = start < 0 ? start + n : start
    guard s >= 0, length >= 0, s <= n - length else {
        reportError(TensorError(op: "narrow", message: "start \(start) and length \(length) leave axis \(axis) of size \(n) (shape \(x.shape))"))
        return Tensor.placeholder(dtype: x.dtype)
    }
    return x.sliced(alongAxis: a, from: s, to: s + length)
}

/// Pieces of `x` along `axis` with the given sizes (they must add up to the dimension).
/// MindSpore `ops.split(tensor, split_size_or_sections=[…], axis)`. ∂L/∂x = the pieces' G joined.
///
/// ```swift
/// split(Tensor([1, 2, 3, 4, 5]), sizes: [2, 3]).map(\.shape)   // [[2], [3]]
/// ```
public func split(_ x: Tensor, sizes: [Int], axis: Int = 0) -> [Tensor] {
    guard let a = x.normalizedAxis(axis, op: "split"), x.rank > 0 else {
        if x.rank == 0 { reportError(TensorError(op: "split", message: "input must have rank ≥ 1, got shape []")) }
        return []
    }
    guard sizes.allSatisfy({ $0 >= 0 }), sizes.reduce(0, +) == x.shape[a] else {
        reportError(TensorError(op: "split", message: "sizes \(sizes) must be ≥ 0 and add up to \(x.shape[a]) (axis \(axis) of shape \(x.shape))"))
        return []
    }
    var start = 0
    return sizes.map { size in
        defer { start += size }
        return x.sliced(alongAxis: a, from: start, to: start + size)
    }
}

/// Pieces of `size` elements along `axis` (the last may be smaller). MindSpore `ops.split(tensor, split_size_or_sections=size, axis)`.
///
/// ```swift
/// split(Tensor([1, 2, 3, 4, 5]), size: 2).map(\.shape)   // [[2], [2], [1]]
/// ```
public func split(_ x: Tensor, size: Int, axis: Int = 0) -> [Tensor] {
    guard size > 0 else {
        reportError(TensorError(op: "split", message: "size must be > 0, got \(size)"))
        return []
    }
    guard let a = x.normalizedAxis(axis, op: "split"), x.rank > 0 else {
        if x.rank == 0 { reportError(TensorError(op: "split", message: "input must have rank ≥ 1, got shape []")) }
        return []
    }
    let n = x.shape[a]
    return split(x, sizes: stride(from: 0, to: n, by: size).map { Swift.min(size, n - $0) }, axis: a)
}

/// `chunks` pieces of ⌈n / chunks⌉ elements along `axis` (fewer when the division leaves no elements
/// for the last). MindSpore `ops.chunk(input, chunks, axis)`.
///
/// ```swift
/// chunk(Tensor([1, 2, 3, 4, 5]), chunks: 3).map(\.shape)   // [[2], [2], [1]]
/// ```
public func chunk(_ x: Tensor, chunks: Int, axis: Int = 0) -> [Tensor] {
    guard chunks > 0 else {
        reportError(TensorError(op: "chunk", message: "chunks must be > 0, got \(chunks)"))
        return []
    }
    guard let a = x.normalizedAxis(axis, op: "chunk"), x.rank > 0 else {
        if x.rank == 0 { reportError(TensorError(op: "chunk", message: "input must have rank ≥ 1, got shape []")) }
        return []
    }
    let n = x.shape[a]
    if n == 0 { return [Tensor](repeating: x, count: chunks) }
    return split(x, size: (n + chunks - 1) / chunks, axis: a)
}

/// Coordinate grids from 1-D tensors: with `"xy"` indexing (MindSpore's default) the first two outputs
/// have shape `[len₁, len₀, …]`, with `"ij"` shape `[len₀, len₁, …]`. MindSpore `ops.meshgrid(*inputs, indexing)`.
/// ∂L/∂xᵢ = G summed over the other dimensions.
///
/// ```swift
/// let g = meshgrid([Tensor([1, 2, 3]), Tensor([4, 5])], indexing: "ij")   // shapes [3, 2] and [3, 2]
/// ```
public func meshgrid(_ tensors: [Tensor], indexing: String = "xy") -> [Tensor] {
    guard indexing == "xy" || indexing == "ij" else {
        reportError(TensorError(op: "meshgrid", message: "indexing must be \"xy\" or \"ij\", got \"\(indexing)\""))
        return []
    }
    guard tensors.allSatisfy({ $0.rank == 1 }) else {
        reportError(TensorError(op: "meshgrid", message: "inputs must be 1-D, got shapes \(tensors.map(\.shape))"))
        return []
    }
    var sizes = tensors.map { $0.shape[0] }
    let swap = indexing == "xy" && tensors.count >= 2
    if swap { sizes.swapAt(0, 1) }
    return tensors.enumerated().map { i, t in
        var position = i
        if swap && i < 2 { position = 1 - i }
        var shape = [Int](repeating: 1, count: tensors.count)
        shape[position] = t.shape[0]
        return t.reshaped(to: shape).broadcast(to: sizes)
    }
}
