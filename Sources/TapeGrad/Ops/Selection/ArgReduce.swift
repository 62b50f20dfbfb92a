// Positions of extremes: argmax, argmin and topk.

extension Tensor {
    /// The position of the largest element along `axis` (over the flattened tensor when nil), as int32;
    /// the first one on ties, a NaN counts as largest. MindSpore `ops.argmax(input, dim, keepdim)`.
    /// Not differentiable.
    ///
    /// ```swift
    /// Tensor([[1, 5, 2], [7, 0, 7]]).argmax(axis: 1)   // [1, 0]
    /// ```
    public func argmax(axis: Int? = nil, keepDims: Bool = false) -> Tensor {
        argExtremum(axis: axis, keepDims: keepDims, op: "argmax") { lessNaNLast($1, $0) }
    }

    /// The position of the smallest element along `axis` (flattened when nil), as int32; the first on
    /// ties. MindSpore `ops.argmin(input, axis, keepdims)`. Not differentiable.
    ///
    /// ```swift
    /// Tensor([[1, 5, 2], [7, 0, 7]]).argmin(axis: 1, keepDims: true)   // [[0], [1]]
    /// ```
    public func argmin(axis: Int? = nil, keepDims: Bool = false) -> Tensor {
        argExtremum(axis: axis, keepDims: keepDims, op: "argmin") { a, b in
            if b.isNaN { return false }
            if a.isNaN { return true }
            return a < b
        }
    }

    /// `better(a, b)`: whether `a` beats the current best `b`.
    private func argExtremum(axis: Int?, keepDims: Bool, op: String, better: (Double, Double) -> Bool) -> Tensor {
        let source: Tensor, a: Int
        if let axis {
            source = atLeast1D
            guard let n = source.normalizedAxis(axis, op: op) else { return Tensor.placeholder(dtype: .int32) }
            a = n
        } else {
            source = detached.reshaped(to: [count]); a = 0
        }
        guard source.shape[a] > 0 else {
            reportError(TensorError(op: op, message: "axis \(axis.map(String.init) ?? "nil") of shape \(shape) is empty: no \(op == "argmax" ? "maximum" : "minimum")"))
            return Tensor.placeholder(dtype: .int32)
        }
        let lanes = Lanes(shape: source.shape, axis: a)
        let values = source.scalars
        var out = [Int32](repeating: 0, count: lanes.count)
        for lane in 0..<lanes.count {
            let base = lanes.base(lane)
            var best = values[base], at = 0
            for i in 1..<lanes.length where better(values[base + i * lanes.inner], best) {
                best = values[base + i * lanes.inner]; at = i
            }
            out[lane] = Int32(at)
        }
        var outShape: [Int]
        if axis == nil {
            outShape = keepDims ? [Int](repeating: 1, count: rank) : []
        } else {
            outShape = source.shape
            if keepDims { outShape[a] = 1 } else { outShape.remove(at: a) }
            if rank == 0 { outShape = [] }
        }
        return Tensor(out, shape: outShape)
    }
}

/// The `k` largest (or smallest) elements along `axis` and their int32 positions, sorted (largest first
/// when `largest`); ties keep the lower position first. MindSpore `ops.topk(input, k, dim, largest, sorted)`.
/// ∂L/∂input = G scattered back to the picked positions (the indices get no gradient).
///
/// ```swift
/// let (values, indices) = topk(Tensor([1, 4, 2, 4]), k: 2)   // [4, 4], [1, 3]
/// ```
public func topk(_ input: Tensor, k: Int, axis: Int = -1, largest: Bool = true) -> (values: Tensor, indices: Tensor) {
    let x = input.atLeast1D
    guard let a = x.normalizedAxis(axis, op: "topk") else { return (Tensor.placeholder(dtype: input.dtype), Tensor.placeholder(dtype: .int32)) }
    guard k >= 0 && k <= x.shape[a] else {
        reportError(TensorError(op: "topk", message: "k = \(k) must be in 0...\(x.shape[a]) (the size of axis \(axis) of shape \(input.shape))"))
        return (Tensor.placeholder(dtype: input.dtype), Tensor.placeholder(dtype: .int32))
    }
    let (order, positions) = x.sortOrder(axis: a, descending: largest, keep: k)
    var outShape = x.shape
    outShape[a] = k
    let indices = Tensor(order, shape: outShape)
    let values = x.taking(flat: positions, shape: outShape)
    return input.rank == 0 ? (values.reshaped(to: []), indices.reshaped(to: [])) : (values, indices)
}
