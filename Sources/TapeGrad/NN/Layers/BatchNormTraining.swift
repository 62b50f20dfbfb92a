import Foundation

// Training-mode batch normalisation as one recorded op: a fused forward and a fused first-order pullback over
// contiguous (N, C, L) loops, and the same pullback written in differentiable ops when it is itself differentiated.

/// Training-mode batch norm of `x` viewed as (N, C, L) (float32 or float64; γ and β of shape [C] in the same
/// dtype — the caller casts), per channel c over its M = N·L values:
///
///     μ_c = Σ x / M,  σ²_c = Σ (x − μ_c)² / M,  r_c = 1/√(σ²_c + ε),  x̂ = (x − μ_c)·r_c,  y = x̂·γ_c + β_c
///
/// Returns y with the batch mean μ and biased variance σ² ([C], not recorded, for the moving statistics).
/// Pullback, per channel, with upstream G:
///
///     ∂L/∂β_c = Σ G,  ∂L/∂γ_c = Σ G·x̂,  ∂L/∂x = γ_c·r_c·(G − Σ G/M − x̂·Σ G·x̂/M)
///
/// computed by one fused kernel (two passes over x and G); when the pullback is itself being differentiated
/// (G, x or γ recorded on an active tape), by the same formula in differentiable ops, so higher derivatives hold.
///
/// ```swift
/// // doc-example: internal
/// let x = Tensor.randomNormal([4, 3, 5], seed: 1)
/// let (y, mean, variance) = batchNormTraining(x, gamma: Tensor.ones([3]), beta: Tensor.zeros([3]), eps: 1e-5)
/// // y: [4, 3, 5], each channel of mean 0; mean, variance: [3]
/// ```
func batchNormTraining(_ x: Tensor, gamma: Tensor, beta: Tensor, eps: Double) -> (output: Tensor, mean: Tensor, variance: Tensor) {
    let t = x.dtype
    guard x.rank == 3, t == .float32 || t == .float64, gamma.shape == [x.shape[1]], beta.shape == [x.shape[1]] else {
        reportError(TensorError(op: "batchNormTraining", message: "expected a float32 or float64 input (N, C, L) with γ and β of shape [C], "
            + "got \(x.shape) (\(x.dtype)), γ \(gamma.shape), β \(beta.shape)"))
        return (Tensor.placeholder(dtype: t), Tensor.placeholder(dtype: t), Tensor.placeholder(dtype: t))
    }
    let stats = t == .float64
        ? BatchNormKernels.forward(Double.self, x.detached, gamma.detached, beta.detached, eps: eps)
        : BatchNormKernels.forward(Float.self, x.detached, gamma.detached, beta.detached, eps: eps)
    guard x.isRecordedOnActiveTape || gamma.isRecordedOnActiveTape || beta.isRecordedOnActiveTape else { return stats }
    let y = stats.output.recorded(inputs: [x, gamma, beta]) { g, needed in
        if g.isRecordedOnActiveTape || x.isRecordedOnActiveTape || gamma.isRecordedOnActiveTape {
            return batchNormTrainingPullback(g, x, gamma, eps: eps, needed: needed)
        }
        let (dx, dGamma, dBeta) = t == .float64
            ? BatchNormKernels.backward(Double.self, g.converted(to: t), x.detached, gamma.detached, eps: eps)
            : BatchNormKernels.backward(Float.self, g.converted(to: t), x.detached, gamma.detached, eps: eps)
        return [needed[0] ? dx : nil, needed[1] ? dGamma : nil, needed[2] ? dBeta : nil]
    }
    return (y, stats.mean, stats.variance)
}

/// The pullback of ``batchNormTraining(_:gamma:beta:eps:)`` in differentiable ops (μ and r recomputed from x).
private func batchNormTrainingPullback(_ g: Tensor, _ x: Tensor, _ gamma: Tensor, eps: Double, needed: InputMask) -> [Tensor?] {
    let channels = x.shape[1], m = Double(x.shape[0] * x.shape[2])
    let centered = x - x.mean(alongAxes: [0, 2], keepDims: true)
    let r = rsqrt((centered * centered).mean(alongAxes: [0, 2], keepDims: true) + eps)
    let normalized = centered * r
    let sumG = g.sum(alongAxes: [0, 2], keepDims: true), sumGX = (g * normalized).sum(alongAxes: [0, 2], keepDims: true)
    let dx = needed[0] ? (g - sumG / m - normalized * (sumGX / m)) * (r * gamma.reshaped(to: [channels, 1])) : nil
    return [dx, needed[1] ? sumGX.reshaped(to: [channels]) : nil, needed[2] ? sumG.reshaped(to: [channels]) : nil]
}

/// The contiguous loops behind ``batchNormTraining(_:gamma:beta:eps:)``; sums accumulate in Double.
enum BatchNormKernels {
    /// Per-channel Σ a and Σ a·(b − shift_c) over (N, C, L), in one pass.
    private static func channelSums<T: FloatingElement>(_ a: UnsafePointer<T>, _ b: UnsafePointer<T>?, shift: [Double],
                                                        n: Int, c: Int, l: Int) -> (first: [Double], second: [Double]) {
        var s1 = [Double](repeating: 0, count: c), s2 = [Double](repeating: 0, count: c)
        for i in 0..<n {
            for k in 0..<c {
                let row = (i * c + k) * l
                var u = 0.0, v = 0.0
                let mu = shift[k]
                if let b {
                    for j in row..<(row + l) { let av = Double(a[j]); u += av; v += av * (Double(b[j]) - mu) }
                } else {
                    for j in row..<(row + l) { let av = Double(a[j]); u += av; v += (av - mu) * (av - mu) }
                }
                s1[k] += u
                s2[k] += v
            }
        }
        return (s1, s2)
    }

    /// out = x·p_c + q_c (+ g·s_c when g is given), over (N, C, L).
    private static func affine<T: FloatingElement>(_ x: UnsafePointer<T>, _ g: UnsafePointer<T>?, _ out: UnsafeMutablePointer<T>,
                                                  p: [Double], q: [Double], s: [Double], n: Int, c: Int, l: Int) {
        for i in 0..<n {
            for k in 0..<c {
                let row = (i * c + k) * l
                let pk = T(p[k]), qk = T(q[k])
                if let g {
                    let sk = T(s[k])
                    for j in row..<(row + l) { out[j] = x[j] * pk + g[j] * sk + qk }
                } else {
                    for j in row..<(row + l) { out[j] = x[j] * pk + qk }
                }
            }
        }
    }

    /// y, μ and σ² of x (dtype T, (N, C, L)), γ and β of any floating dtype.
    static func forward<T: FloatingElement>(_: T.Type, _ x: Tensor, _ gamma: Tensor, _ beta: Tensor, eps: Double)
        -> (output: Tensor, mean: Tensor, variance: Tensor) {
        let (n, c, l) = (x.shape[0], x.shape[1], x.shape[2])
        let m = Double(n * l)
        let px = UnsafePointer(x.buffer.pointer(T.self))
        let sums = channelSums(px, nil, shift: [Double](repeating: 0, count: c), n: n, c: c, l: l).first
        let mean = sums.map { $0 / m }
        let variance = channelSums(px, nil, shift: mean, n: n, c: c, l: l).second.map { $0 / m }
        let g = gamma.converted(to: .float64).scalars, b = beta.converted(to: .float64).scalars
        let scale = (0..<c).map { g[$0] / (variance[$0] + eps).squareRoot() }
        let shift = (0..<c).map { b[$0] - mean[$0] * scale[$0] }
        let out = Tensor.uninitialized(x.shape, dtype: T.dtype)
        affine(px, nil, out.buffer.pointer(T.self), p: scale, q: shift, s: [], n: n, c: c, l: l)
        return (out, Tensor(mean, shape: [c]).converted(to: T.dtype), Tensor(variance, shape: [c]).converted(to: T.dtype))
    }

    /// ∂L/∂x, ∂L/∂γ, ∂L/∂β for upstream g and x (both dtype T, (N, C, L)).
    static func backward<T: FloatingElement>(_: T.Type, _ g: Tensor, _ x: Tensor, _ gamma: Tensor, eps: Double)
        -> (dx: Tensor, dGamma: Tensor, dBeta: Tensor) {
        let (n, c, l) = (x.shape[0], x.shape[1], x.shape[2])
        let m = Double(n * l)
        let px = UnsafePointer(x.buffer.pointer(T.self)), pg = UnsafePointer(g.buffer.pointer(T.self))
        let mean = channelSums(px, nil, shift: [Double](repeating: 0, count: c), n: n, c: c, l: l).first.map { $0 / m }
        let r = channelSums(px, nil, shift: mean, n: n, c: c, l: l).second.map { 1 / ($0 / m + eps).squareRoot() }
        // Σ G and Σ G·(x − μ); Σ G·x̂ = r·Σ G·(x − μ).
        let (sumG, sumGC) = channelSums(pg, px, shift: mean, n: n, c: c, l: l)
        let gm = gamma.converted(to: .float64).scalars
        // ∂L/∂x = γr·G − γr³·ΣG(x−μ)/M · x + (γr³·ΣG(x−μ)·μ − γr·ΣG)/M, one pass over x and G.
        var p = [Double](repeating: 0, count: c), q = p, s = p
        for k in 0..<c {
            let gr = gm[k] * r[k], gr3 = gr * r[k] * r[k]
            s[k] = gr
            p[k] = -gr3 * sumGC[k] / m
            q[k] = (gr3 * sumGC[k] * mean[k] - gr * sumG[k]) / m
        }
        let dx = Tensor.uninitialized(x.shape, dtype: T.dtype)
        affine(px, pg, dx.buffer.pointer(T.self), p: p, q: q, s: s, n: n, c: c, l: l)
        let dGamma = Tensor((0..<c).map { sumGC[$0] * r[$0] }, shape: [c]).converted(to: T.dtype)
        return (dx, dGamma, Tensor(sumG, shape: [c]).converted(to: T.dtype))
    }
}
