// The product reduction and the log-cumulative-sum-exp scan.

extension Tensor {
    /// The product of the elements along `axes` (all when nil), keeping them as 1 when `keepDims`; an empty
    /// product is 1. Computed as a balanced tree of elementwise products, so the gradient is exact with zeros:
    /// ∂L/∂xᵢ = G ⊙ Πⱼ≠ᵢ xⱼ (never the 0/0 of G ⊙ y / xᵢ).
    ///
    /// ```swift
    /// Tensor([[1, 2], [3, 4]]).prod(alongAxes: [1])   // [2, 12]
    /// ```
    public func prod(alongAxes axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        guard let axes = reductionAxes(axes, op: "prod") else { return Tensor.placeholder(dtype: dtype) }
        let kept = (0..<rank).filter { !axes.contains($0) }
        let n = axes.reduce(1) { $0 * shape[$1] }
        var t = transposed(permutation: kept + axes).reshaped(to: kept.map { shape[$0] } + [n])
        let last = t.rank - 1
        if n == 0 { t = Tensor.ones(kept.map { shape[$0] } + [1], dtype: dtype) }
        var length = Swift.max(n, 1)
        while length > 1 {
            if length % 2 == 1 {
                var padShape = t.shape
                padShape[last] = 1
                t = concat([t, Tensor.ones(padShape, dtype: dtype)], alongAxis: last)
                length += 1
            }
            let half = length / 2
            t = t.sliced(alongAxis: last, from: 0, to: half) * t.sliced(alongAxis: last, from: half, to: length)
            length = half
        }
        return t.reshaped(to: reducedShape(axes, keepDims: keepDims))
    }

    /// log Σⱼ≤ᵢ e^(xⱼ) along `axis` (MindSpore's `ops.logcumsumexp`), computed stably as a running log-add-exp.
    /// ∂L/∂xⱼ = Σᵢ≥ⱼ Gᵢ e^(xⱼ − yᵢ), evaluated in log space separately for the positive and negative parts of G.
    ///
    /// ```swift
    /// Tensor([0, 0, 0]).logCumSumExp(alongAxis: 0)   // [0, ln 2, ln 3]
    /// ```
    public func logCumSumExp(alongAxis axis: Int) -> Tensor {
        guard let a = normalizedAxis(axis, op: "logcumsumexp") else { return Tensor.placeholder(dtype: dtype.floatingPoint) }
        return logCumSumExp(axis: a, reverse: false)
    }

    /// The scan along a normalised axis, from the front or (`reverse`) from the back.
    func logCumSumExp(axis a: Int, reverse: Bool) -> Tensor {
        let x = converted(to: dtype.floatingPoint)
        let out = Tensor.uninitialized(x.shape, dtype: x.dtype)
        let length = rank == 0 ? 1 : shape[a]
        let outer = rank == 0 ? 1 : shape[..<a].reduce(1, *), inner = rank == 0 ? 1 : shape[(a + 1)...].reduce(1, *)
        func scan<T: MathElement>(_: T.Type) {
            let src = x.buffer.pointer(T.self), dst = out.buffer.pointer(T.self)
            for o in 0..<outer {
                for j in 0..<inner {
                    var running = -T.infinity
                    for step in 0..<length {
                        let k = reverse ? length - 1 - step : step
                        let i = (o * length + k) * inner + j
                        running = Tensor.logAddExp(running, src[i])
                        dst[i] = running
                    }
                }
            }
        }
        if x.dtype == .float64 { scan(Double.self) } else { scan(Float.self) }
        withExtendedLifetime(x) {}
        guard isRecorded else { return out }
        return out.recorded(self) { g in
            let y = out.saved(for: self) { $0.logCumSumExp(axis: a, reverse: reverse) }
            let zero = Tensor.zeros([], dtype: g.dtype)
            let positive = exp(self + (log(maximum(g, zero)) - y).logCumSumExp(axis: a, reverse: !reverse))
            let negative = exp(self + (log(maximum(-g, zero)) - y).logCumSumExp(axis: a, reverse: !reverse))
            return positive - negative
        }
    }

    /// log(eᵃ + eᵇ) without overflow; −∞ is the identity.
    @inline(__always)
    static func logAddExp<T: MathElement>(_ a: T, _ b: T) -> T {
        if a == -T.infinity { return b }
        if b == -T.infinity || a.isNaN { return a }
        if a == b { return a + T(0.6931471805599453) }
        let m = Swift.max(a, b), d = Swift.abs(a - b)
        return m + T.log1p(T.exp(-d))
    }
}
