// Reductions over all or some axes, each with its pullback beside it.

extension Tensor {
    /// Sorted, de-duplicated, non-negative axes (all axes when `axes` is nil), or nil after reporting.
    func reductionAxes(_ axes: [Int]?, op: String) -> [Int]? {
        guard let axes else { return Array(0..<rank) }
        var out = Set<Int>()
        for axis in axes {
            guard let a = normalizedAxis(axis, op: op) else { return nil }
            if rank > 0 { out.insert(a) }
        }
        return out.sorted()
    }

    /// The shape after reducing `axes`, with or without the reduced dimensions kept as 1.
    func reducedShape(_ axes: [Int], keepDims: Bool) -> [Int] {
        var s: [Int] = []
        for (i, d) in shape.enumerated() {
            if axes.contains(i) { if keepDims { s.append(1) } } else { s.append(d) }
        }
        return s
    }

    /// Applies a reduction kernel along `axes` (not recorded); the result keeps the dimensions as 1.
    /// float16/bfloat16 accumulate in float32 and round once; an integer or bool sum is int64 (MindSpore's
    /// `Tensor.sum`/`ops.sum`, as NumPy and PyTorch).
    func reduceKernel(_ op: ReductionOp, axes: [Int]) -> Tensor {
        if op == .sum && !dtype.isFloatingPoint && dtype != .int64 {
            return converted(to: .int64).reduceKernel(op, axes: axes)
        }
        if dtype.kernelDType != dtype {
            return converted(to: dtype.kernelDType).reduceKernel(op, axes: axes).converted(to: dtype)
        }
        if axes.count == rank && rank > 1 {
            // Everything: one contiguous run.
            return ReductionKernels.reduce(op, detached.sharingBuffer(shape: [count]), axis: 0).sharingBuffer(shape: reducedShape(axes, keepDims: true))
        }
        var result = detached
        for axis in axes.reversed() where result.shape[axis] != 1 || op != .sum {
            result = ReductionKernels.reduce(op, result, axis: axis)
        }
        return result.sharingBuffer(shape: reducedShape(axes, keepDims: true))
    }

    /// The sum of all elements, as a rank-0 tensor (int64 for an integer or bool tensor, as MindSpore's
    /// `Tensor.sum`). ∂L/∂x = G broadcast to x's shape.
    ///
    /// ```swift
    /// Tensor([[1, 2], [3, 4]]).sum()   // 10
    /// ```
    public func sum() -> Tensor { sum(alongAxes: nil) }

    /// The sum along `axes` (all when nil), keeping the reduced dimensions as 1 when `keepDims`.
    ///
    /// ```swift
    /// Tensor([[1, 2], [3, 4]]).sum(alongAxes: [1], keepDims: true)   // [[3], [7]]
    /// ```
    public func sum(alongAxes axes: [Int]?, keepDims: Bool = false) -> Tensor {
        guard let axes = reductionAxes(axes, op: "sum") else { return Tensor.placeholder(dtype: dtype) }
        let kept = reduceKernel(.sum, axes: axes)
        let out = kept.sharingBuffer(shape: reducedShape(axes, keepDims: keepDims))
        guard isRecorded else { return out }
        let (keptShape, original) = (kept.shape, shape)
        return out.recorded(self, trace: .sum(axes: axes)) { g in g.reshaped(to: keptShape).broadcast(to: original) }
    }

    /// The mean of all elements, as a rank-0 tensor (int32 inputs give float32).
    public func mean() -> Tensor { mean(alongAxes: nil) }

    /// The mean along `axes`. ∂L/∂x = G / n broadcast back, n the number of reduced elements.
    ///
    /// ```swift
    /// Tensor([[1, 2], [3, 4]]).mean(alongAxes: [0])   // [2, 3]
    /// ```
    public func mean(alongAxes axes: [Int]?, keepDims: Bool = false) -> Tensor {
        guard let axes = reductionAxes(axes, op: "mean") else { return Tensor.placeholder(dtype: dtype.floatingPoint) }
        let n = axes.reduce(1) { $0 * shape[$1] }
        return astype(dtype.floatingPoint).sum(alongAxes: axes, keepDims: keepDims) / Double(n)
    }

    /// The maximum of all elements.
    public func max() -> Tensor { max(alongAxes: nil) }

    /// The maximum along `axes`. The gradient is shared equally among tied maxima, as in MindSpore.
    ///
    /// ```swift
    /// Tensor([[1, 5], [3, 4]]).max(alongAxes: [1])   // [5, 4]
    /// ```
    public func max(alongAxes axes: [Int]?, keepDims: Bool = false) -> Tensor {
        extremum(.max, axes: axes, keepDims: keepDims, op: "max")
    }

    /// The minimum of all elements.
    public func min() -> Tensor { min(alongAxes: nil) }

    /// The minimum along `axes`; ties share the gradient equally.
    public func min(alongAxes axes: [Int]?, keepDims: Bool = false) -> Tensor {
        extremum(.min, axes: axes, keepDims: keepDims, op: "min")
    }

    private func extremum(_ kind: ReductionOp, axes: [Int]?, keepDims: Bool, op: String) -> Tensor {
        guard let axes = reductionAxes(axes, op: op) else { return Tensor.placeholder(dtype: dtype) }
        guard !axes.contains(where: { shape[$0] == 0 }) else {
            reportError(TensorError(op: op, message: "cannot reduce an empty dimension of shape \(shape) (expected at least one element along each reduced axis)"))
            return Tensor.placeholder(dtype: dtype)
        }
        let kept = reduceKernel(kind, axes: axes)
        let out = kept.sharingBuffer(shape: reducedShape(axes, keepDims: keepDims))
        guard isRecorded else { return out }
        let keptShape = kept.shape
        return out.recorded(self) { g in
            let hits = Tensor.numericMask(.equal, self, kept)
            let share = hits / hits.sum(alongAxes: axes, keepDims: true)
            return g.reshaped(to: keptShape) * share
        }
    }

    /// log Σ eˣ along `axes`, computed stably by subtracting the maximum first.
    /// ∂L/∂x = G ⊙ softmax(x) along the axes.
    ///
    /// ```swift
    /// Tensor([0, 0]).logSumExp(alongAxes: [0])   // ln 2
    /// ```
    public func logSumExp(alongAxes axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        guard let axes = reductionAxes(axes, op: "logSumExp") else { return Tensor.placeholder(dtype: dtype.floatingPoint) }
        let x = astype(dtype.floatingPoint)
        let shift = stopGradient(x.reduceKernel(.max, axes: axes))
        let safeShift = `where`(equal(shift, shift) * lessEqual(abs(shift), Tensor(Float.greatestFiniteMagnitude).astype(shift.dtype)),
                                shift, Tensor.zeros([], dtype: shift.dtype))
        let kept = log(exp(x - safeShift).sum(alongAxes: axes, keepDims: true)) + safeShift
        return keepDims ? kept : kept.reshaped(to: x.reducedShape(axes, keepDims: false))
    }
}
