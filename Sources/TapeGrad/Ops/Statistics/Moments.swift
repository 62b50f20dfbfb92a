import Foundation

// Variance, standard deviation, masked mean and median.

extension Tensor {
    /// The variance along `axes` (all when nil): Σ(x − x̄)² / (n − correction), where `correction` is
    /// MindSpore's `ddof` (default 0, the population variance; 1 gives the sample variance). When
    /// n − correction ≤ 0 the result is NaN or ∞, as in MindSpore and PyTorch.
    /// ∂L/∂x = G ⊙ 2(x − x̄) / (n − correction).
    ///
    /// ```swift
    /// Tensor([1, 2, 3, 4]).variance()                  // 1.25
    /// Tensor([1, 2, 3, 4]).variance(correction: 1)     // 1.6666666
    /// ```
    public func variance(alongAxes axes: [Int]? = nil, correction: Int = 0, keepDims: Bool = false) -> Tensor {
        guard let axes = reductionAxes(axes, op: "variance") else { return Tensor.placeholder(dtype: dtype.floatingPoint) }
        let x = astype(dtype.floatingPoint)
        let n = axes.reduce(1) { $0 * shape[$1] }
        let centered = x - x.mean(alongAxes: axes, keepDims: true)
        return (centered * centered).sum(alongAxes: axes, keepDims: keepDims) / Double(n - correction)
    }

    /// The standard deviation √variance along `axes` (see ``variance(alongAxes:correction:keepDims:)``).
    /// ∂L/∂x = G ⊙ (x − x̄) / ((n − correction) σ).
    ///
    /// ```swift
    /// Tensor([1, 3]).std()   // 1
    /// ```
    public func std(alongAxes axes: [Int]? = nil, correction: Int = 0, keepDims: Bool = false) -> Tensor {
        sqrt(variance(alongAxes: axes, correction: correction, keepDims: keepDims))
    }

    /// The mean of the elements where `mask` (bool, or numeric non-zero; broadcast to this shape) is true:
    /// Σ x ⊙ m / Σ m along `axes` (NaN where the mask selects nothing). ∂L/∂x = G ⊙ m / Σ m.
    ///
    /// ```swift
    /// Tensor([1, 2, 3]).mean(alongAxes: nil, where: Tensor([true, false, true]))   // 2
    /// ```
    public func mean(alongAxes axes: [Int]?, keepDims: Bool = false, where mask: Tensor) -> Tensor {
        guard Broadcasting.shape(mask.shape, shape) == shape else {
            reportError(TensorError(op: "mean", message: "argument where of shape \(mask.shape) does not broadcast to \(shape)"))
            return Tensor.placeholder(dtype: dtype.floatingPoint)
        }
        let x = astype(dtype.floatingPoint)
        let m = notEqual(mask.detached, Tensor.zeros([], dtype: mask.dtype)).converted(to: x.dtype).broadcastKernel(to: shape)
        return (x * m).sum(alongAxes: axes, keepDims: keepDims) / m.sum(alongAxes: axes, keepDims: keepDims)
    }

    /// The lower median of all elements (the ⌊(n − 1)/2⌋-th smallest), as MindSpore and PyTorch. ∂L/∂x = G at
    /// the chosen element, 0 elsewhere. An empty tensor is reported as an error.
    ///
    /// ```swift
    /// Tensor([3, 1, 4, 2]).median()   // 2
    /// ```
    public func median() -> Tensor { reshaped(to: [count]).median(alongAxis: 0).values }

    /// The lower median along `axis` and its index there (MindSpore's `ops.median`). NaN sorts last.
    /// ∂L/∂x = G at the chosen element of each slice, 0 elsewhere.
    ///
    /// ```swift
    /// let (values, indices) = Tensor([[3, 1, 2], [9, 7, 8]]).median(alongAxis: 1)   // [2, 8], [2, 2]
    /// ```
    public func median(alongAxis axis: Int = -1, keepDims: Bool = false) -> (values: Tensor, indices: Tensor) {
        guard let a = normalizedAxis(axis, op: "median") else { return (Tensor.placeholder(dtype: dtype), Tensor.placeholder(dtype: .int32)) }
        let length = rank == 0 ? 1 : shape[a]
        guard length > 0 else {
            reportError(TensorError(op: "median", message: "cannot take the median of an empty dimension of shape \(shape)"))
            return (Tensor.placeholder(dtype: dtype), Tensor.placeholder(dtype: .int32))
        }
        let outer = rank == 0 ? 1 : shape[..<a].reduce(1, *), inner = rank == 0 ? 1 : shape[(a + 1)...].reduce(1, *)
        let values = scalars
        var picked = [Double](repeating: 0, count: outer * inner), chosen = [Int32](repeating: 0, count: outer * inner)
        let recorded = isRecorded
        var mask = [Double](repeating: 0, count: recorded ? count : 0)
        var order = [Int](repeating: 0, count: length)
        for o in 0..<outer {
            for j in 0..<inner {
                for k in 0..<length { order[k] = k }
                let at = { (k: Int) in values[(o * length + k) * inner + j] }
                order.sort { p, q in
                    let u = at(p), v = at(q)
                    if u.isNaN || v.isNaN { return !u.isNaN && v.isNaN || (u.isNaN == v.isNaN && p < q) }
                    return u < v || (u == v && p < q)
                }
                let k = order[(length - 1) / 2]
                picked[o * inner + j] = at(k)
                chosen[o * inner + j] = Int32(k)
                if recorded { mask[(o * length + k) * inner + j] = 1 }
            }
        }
        let keptShape = rank == 0 ? [] : reducedShape([a], keepDims: true)
        let outShape = rank == 0 ? [] : reducedShape([a], keepDims: keepDims)
        let out = Tensor(picked, shape: outShape).converted(to: dtype)
        let indices = Tensor(chosen, shape: outShape)
        guard recorded else { return (out, indices) }
        let selector = Tensor(mask, shape: shape).converted(to: dtype)
        return (out.recorded(self) { g in g.reshaped(to: keptShape) * selector }, indices)
    }
}
