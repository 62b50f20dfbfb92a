// Reductions that test or count elements, and MindSpore's amax/amin spellings of max/min.

extension Tensor {
    /// The maximum along `axes` (MindSpore's `ops.amax`); tied maxima share the gradient equally:
    /// ∂L/∂xᵢ = G / k for each of the k elements equal to the maximum.
    ///
    /// ```swift
    /// Tensor([[1, 5], [5, 4]]).amax(alongAxes: [0])   // [5, 5]
    /// ```
    public func amax(alongAxes axes: [Int]? = nil, keepDims: Bool = false) -> Tensor { max(alongAxes: axes, keepDims: keepDims) }

    /// The minimum along `axes` (MindSpore's `ops.amin`); tied minima share the gradient equally.
    ///
    /// ```swift
    /// Tensor([[1, 5], [0, 4]]).amin(alongAxes: [1])   // [1, 0]
    /// ```
    public func amin(alongAxes axes: [Int]? = nil, keepDims: Bool = false) -> Tensor { min(alongAxes: axes, keepDims: keepDims) }

    /// True where any element along `axes` is true (non-zero), as a bool tensor (false over an empty range),
    /// as MindSpore's `Tensor.any`. Not differentiable.
    ///
    /// ```swift
    /// Tensor([[0, 1], [0, 0]]).any(alongAxes: [1])   // [true, false] (Bool)
    /// ```
    public func any(alongAxes axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let count = countNonzero(alongAxes: axes, keepDims: keepDims)
        return greater(count, Tensor.zeros([], dtype: .int32))
    }

    /// True where every element along `axes` is true (non-zero), as a bool tensor (true over an empty range),
    /// as MindSpore's `Tensor.all`. Not differentiable.
    ///
    /// ```swift
    /// Tensor([[1, 1], [0, 1]]).all(alongAxes: [1])   // [true, false] (Bool)
    /// ```
    public func all(alongAxes axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let zeros = Tensor.ones(shape, dtype: dtype).countNonzero(alongAxes: axes, keepDims: keepDims)
        return equal(countNonzero(alongAxes: axes, keepDims: keepDims), zeros)
    }

    /// The number of non-zero elements along `axes` (all when nil), as int32 (MindSpore's `ops.count_nonzero`).
    ///
    /// ```swift
    /// Tensor([[0, 1], [2, 3]]).countNonzero(alongAxes: [1])   // [1, 2]
    /// ```
    public func countNonzero(alongAxes axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        guard let axes = reductionAxes(axes, op: "countNonzero") else { return Tensor.placeholder(dtype: .int32) }
        let nonzero = notEqual(detached, Tensor.zeros([], dtype: dtype)).converted(to: .float64)
        return nonzero.reduceKernel(.sum, axes: axes).sharingBuffer(shape: reducedShape(axes, keepDims: keepDims)).converted(to: .int32)
    }
}
