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
    /// ∂L/∂xⱼ = Σᵢ≥ⱼ Gᵢ e^(xⱼ − yᵢ), evaluated by a backward recurrence whose factors e^(yⱼ − yⱼ₊₁) and
    /// e^(xⱼ − yⱼ) never exceed 1; that pullback is itself differentiable (to any order).
    ///
    /// ```swift
    /// Tensor([0, 0, 0]).logCumSumExp(alongAxis: 0)   // [0, ln 2, ln 3]
    /// ```
    public func logCumSumExp(alongAxis axis: Int) -> Tensor {
        guard let a = normalizedAxis(axis, op: "logcumsumexp") else { return Tensor.placeholder(dtype: dtype.floatingPoint) }
        let x = astype(dtype.floatingPoint)
        let out = Tensor.uninitialized(x.shape, dtype: x.dtype)
        let (outer, length, inner) = scanLayout(axis: a)
        func scan<T: MathElement>(_: T.Type) {
            let src = x.buffer.pointer(T.self), dst = out.buffer.pointer(T.self)
            for o in 0..<outer {
                for j in 0..<inner {
                    var running = -T.infinity
                    for k in 0..<length {
                        let i = (o * length + k) * inner + j
                        running = Tensor.logAddExp(running, src[i])
                        dst[i] = running
                    }
                }
            }
        }
        if x.dtype == .float64 { scan(Double.self) } else { scan(Float.self) }
        guard isRecorded else { return withExtendedLifetime(x) { out } }
        return out.recorded(x) { g in
            let y = out.saved(for: x) { $0.logCumSumExp(alongAxis: a) }
            return logCumSumExpAdjoint(g, x, y, axis: a, later: true)
        }
    }

    /// (outer, length, inner) of a scan along the normalised axis `a` (a rank-0 tensor is one run of one).
    func scanLayout(axis a: Int) -> (Int, Int, Int) {
        rank == 0 ? (1, 1, 1) : (shape[..<a].reduce(1, *), shape[a], shape[(a + 1)...].reduce(1, *))
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

/// The two adjoint scans of logCumSumExp, each the other's pullback (so every derivative order exists):
/// with `later`, outⱼ = Σᵢ≥ⱼ aᵢ e^(xⱼ − yᵢ); otherwise outᵢ = Σⱼ≤ᵢ aⱼ e^(xⱼ − yᵢ) — for y = logCumSumExp(x).
/// Pullbacks (cotangent h): later → ∂a = U(h), ∂x = h ⊙ out, ∂y = −a ⊙ U(h); earlier → ∂a = B(h),
/// ∂x = a ⊙ B(h), ∂y = −h ⊙ out (U the earlier scan, B the later one).
func logCumSumExpAdjoint(_ a: Tensor, _ x: Tensor, _ y: Tensor, axis: Int, later: Bool) -> Tensor {
    let dtype = DType.promoted(a.dtype, x.dtype)
    let av = a.converted(to: dtype), xv = x.converted(to: dtype), yv = y.converted(to: dtype)
    let out = Tensor.uninitialized(x.shape, dtype: dtype)
    let (outer, length, inner) = x.scanLayout(axis: axis)
    func run<T: MathElement>(_: T.Type) {
        let pa = av.buffer.pointer(T.self), px = xv.buffer.pointer(T.self), py = yv.buffer.pointer(T.self)
        let po = out.buffer.pointer(T.self)
        // e^(u − v) for u ≤ v; both −∞ (an empty prefix) contributes nothing.
        func ratio(_ u: T, _ v: T) -> T { let d = u - v; return d.isNaN ? 0 : T.exp(d) }
        for o in 0..<outer {
            for j in 0..<inner {
                let at = { (k: Int) in (o * length + k) * inner + j }
                if later {
                    // Tⱼ = aⱼ + e^(yⱼ − yⱼ₊₁) Tⱼ₊₁, outⱼ = e^(xⱼ − yⱼ) Tⱼ.
                    var t: T = 0
                    for k in stride(from: length - 1, through: 0, by: -1) {
                        let i = at(k)
                        t = pa[i] + (k + 1 < length ? ratio(py[i], py[at(k + 1)]) * t : 0)
                        po[i] = ratio(px[i], py[i]) * t
                    }
                } else {
                    // Uᵢ = aᵢ e^(xᵢ − yᵢ) + e^(yᵢ₋₁ − yᵢ) Uᵢ₋₁.
                    var u: T = 0
                    for k in 0..<length {
                        let i = at(k)
                        u = pa[i] * ratio(px[i], py[i]) + (k > 0 ? ratio(py[at(k - 1)], py[i]) * u : 0)
                        po[i] = u
                    }
                }
            }
        }
    }
    if dtype == .float64 { run(Double.self) } else { run(Float.self) }
    withExtendedLifetime((av, xv, yv)) {}
    guard a.isRecorded || x.isRecorded || y.isRecorded else { return out }
    return out.recorded(inputs: [a, x, y]) { h, needed in
        let other = logCumSumExpAdjoint(h, x, y, axis: axis, later: !later)
        let value = out.saved(for: a.isRecordedOnActiveTape ? a : x) { _ in logCumSumExpAdjoint(a, x, y, axis: axis, later: later) }
        if later {
            return [needed[0] ? other : nil, needed[1] ? h * value : nil, needed[2] ? -(a * other) : nil]
        }
        return [needed[0] ? other : nil, needed[1] ? a * other : nil, needed[2] ? -(h * value) : nil]
    }
}
