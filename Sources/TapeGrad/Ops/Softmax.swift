// softmax and logSoftmax along one axis, numerically stable, with their pullbacks.

extension Tensor {
    /// Normalised exponentials along `axis`: eˣ / Σ eˣ, computed after subtracting the maximum.
    /// ∂L/∂x = y ⊙ (G − Σ(G ⊙ y)) along the axis.
    ///
    /// ```swift
    /// Tensor([[1, 1]]).softmax(alongAxis: -1)   // [[0.5, 0.5]]
    /// ```
    public func softmax(alongAxis axis: Int = -1) -> Tensor {
        guard let a = normalizedAxis(axis, op: "softmax") else { return Tensor.placeholder(dtype: dtype.floatingPoint) }
        let x = converted(to: dtype.floatingPoint)
        let shifted = exp(x - x.reduceKernel(.max, axes: rank == 0 ? [] : [a]))
        let y = shifted / shifted.reduceKernel(.sum, axes: rank == 0 ? [] : [a])
        guard isRecorded else { return y }
        return y.recorded(self, trace: rank == 0 ? nil : .softmax(axis: a)) { g in
            let y = y.saved(for: self) { $0.softmax(alongAxis: a) }
            return y * (g - (g * y).sum(alongAxes: [a], keepDims: true))
        }
    }

    /// log(softmax(x)) along `axis`, computed as x − max − log Σ e^(x − max).
    /// ∂L/∂x = G − softmax(x) ⊙ Σ G along the axis.
    public func logSoftmax(alongAxis axis: Int = -1) -> Tensor {
        guard let a = normalizedAxis(axis, op: "logSoftmax") else { return Tensor.placeholder(dtype: dtype.floatingPoint) }
        let x = converted(to: dtype.floatingPoint)
        let axes = rank == 0 ? [] : [a]
        let shifted = x - x.reduceKernel(.max, axes: axes)
        let y = shifted - log(exp(shifted).reduceKernel(.sum, axes: axes))
        guard isRecorded else { return y }
        return y.recorded(self, trace: rank == 0 ? nil : .logSoftmax(axis: a)) { g in
            let y = y.saved(for: self) { $0.logSoftmax(alongAxis: a) }
            return g - exp(y) * g.sum(alongAxes: axes, keepDims: true)
        }
    }
}
