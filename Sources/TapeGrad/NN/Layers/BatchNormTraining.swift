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
/// computed by one fused kernel (one pass reading x and G, one writing, with the forward's μ and σ²); when the
/// pullback is itself being differentiated (G, x or γ recorded on an active tape), by the same formula in
/// differentiable ops, so higher derivatives hold.
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
    let result = (stats.output, Tensor(stats.mean, shape: [x.shape[1]]).converted(to: t), Tensor(stats.variance, shape: [x.shape[1]]).converted(to: t))
    guard x.isRecordedOnActiveTape || gamma.isRecordedOnActiveTape || beta.isRecordedOnActiveTape else { return result }
    let y = stats.output.recorded(inputs: [x, gamma, beta]) { g, needed in
        if g.isRecordedOnActiveTape || x.isRecordedOnActiveTape || gamma.isRecordedOnActiveTape {
            return batchNormTrainingPullback(g, x, gamma, eps: eps, needed: needed)
        }
        let (dx, dGamma, dBeta) = t == .float64
            ? BatchNormKernels.backward(Double.self, g.converted(to: t), x.detached, gamma.detached, mean: stats.mean, variance: stats.variance, eps: eps)
            : BatchNormKernels.backward(Float.self, g.converted(to: t), x.detached, gamma.detached, mean: stats.mean, variance: stats.variance, eps: eps)
        return [needed[0] ? dx : nil, needed[1] ? dGamma : nil, needed[2] ? dBeta : nil]
    }
    return (y, result.1, result.2)
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

/// The contiguous loops behind ``batchNormTraining(_:gamma:beta:eps:)``: each channel's values are N runs of L
/// contiguous elements; sums accumulate in Double over four independent chains (so the loop is not bound by the
/// latency of one chain of additions).
enum BatchNormKernels {
    /// Σ a and Σ a·(b − μ) over one run (Σ (a − μ)² when b is nil).
    @inline(__always)
    private static func runSums<T: FloatingElement>(_ a: UnsafePointer<T>, _ b: UnsafePointer<T>?, mu: Double, count l: Int) -> (Double, Double) {
        var u0 = 0.0, u1 = 0.0, u2 = 0.0, u3 = 0.0, v0 = 0.0, v1 = 0.0, v2 = 0.0, v3 = 0.0
        var j = 0
        if let b {
            while j + 4 <= l {
                let a0 = Double(a[j]), a1 = Double(a[j + 1]), a2 = Double(a[j + 2]), a3 = Double(a[j + 3])
                u0 += a0; u1 += a1; u2 += a2; u3 += a3
                v0 += a0 * (Double(b[j]) - mu); v1 += a1 * (Double(b[j + 1]) - mu)
                v2 += a2 * (Double(b[j + 2]) - mu); v3 += a3 * (Double(b[j + 3]) - mu)
                j += 4
            }
            while j < l { let a0 = Double(a[j]); u0 += a0; v0 += a0 * (Double(b[j]) - mu); j += 1 }
        } else {
            while j + 4 <= l {
                let d0 = Double(a[j]) - mu, d1 = Double(a[j + 1]) - mu, d2 = Double(a[j + 2]) - mu, d3 = Double(a[j + 3]) - mu
                u0 += d0; u1 += d1; u2 += d2; u3 += d3
                v0 += d0 * d0; v1 += d1 * d1; v2 += d2 * d2; v3 += d3 * d3
                j += 4
            }
            while j < l { let d0 = Double(a[j]) - mu; u0 += d0; v0 += d0 * d0; j += 1 }
        }
        return ((u0 + u1) + (u2 + u3), (v0 + v1) + (v2 + v3))
    }

    /// Calls `body` on disjoint ranges of channels, on the machine's cores when the tensor is large (each range
    /// reads and writes only its own channels' rows and entries).
    private static func forChannels(_ c: Int, elements: Int, _ body: (Range<Int>) -> Void) {
        let parts = elements >= Parallel.threshold ? Swift.min(Parallel.cores, c) : 1
        guard parts > 1 else { body(0..<c); return }
        withoutActuallyEscaping(body) { body in
            let task = UnsafeSendable(body)
            DispatchQueue.concurrentPerform(iterations: parts) { i in task.value((i * c / parts)..<((i + 1) * c / parts)) }
        }
    }

    /// Per-channel Σ a and Σ a·(b − μ_c) over (N, C, L); without b, Σ (a − μ_c) and Σ (a − μ_c)².
    private static func channelSums<T: FloatingElement>(_ a: UnsafePointer<T>, _ b: UnsafePointer<T>?, mean: [Double],
                                                        n: Int, c: Int, l: Int) -> (first: [Double], second: [Double]) {
        var s1 = [Double](repeating: 0, count: c), s2 = [Double](repeating: 0, count: c)
        s1.withUnsafeMutableBufferPointer { s1 in
            s2.withUnsafeMutableBufferPointer { s2 in
                let out = UnsafeSendable((s1.baseAddress, s2.baseAddress))
                forChannels(c, elements: n * c * l) { channels in
                    guard let p1 = out.value.0, let p2 = out.value.1 else { return }
                    for i in 0..<n {
                        for k in channels {
                            let row = (i * c + k) * l
                            let (u, v) = runSums(a + row, b.map { $0 + row }, mu: mean[k], count: l)
                            p1[k] += u
                            p2[k] += v
                        }
                    }
                }
            }
        }
        return (s1, s2)
    }

    /// out = x·p_c + q_c (+ g·s_c when g is given), over (N, C, L).
    private static func affine<T: FloatingElement>(_ x: UnsafePointer<T>, _ g: UnsafePointer<T>?, _ out: UnsafeMutablePointer<T>,
                                                  p: [Double], q: [Double], s: [Double], n: Int, c: Int, l: Int) {
        forChannels(c, elements: n * c * l) { channels in
            for i in 0..<n {
                for k in channels {
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
    }

    /// y, μ and σ² (biased) of x (dtype T, (N, C, L)), γ and β of any floating dtype: two reading passes and one
    /// writing pass.
    static func forward<T: FloatingElement>(_: T.Type, _ x: Tensor, _ gamma: Tensor, _ beta: Tensor, eps: Double)
        -> (output: Tensor, mean: [Double], variance: [Double]) {
        let (n, c, l) = (x.shape[0], x.shape[1], x.shape[2])
        let m = Double(n * l)
        let px = UnsafePointer(x.buffer.pointer(T.self))
        let mean = channelSums(px, nil, mean: [Double](repeating: 0, count: c), n: n, c: c, l: l).first.map { $0 / m }
        // The corrected two-pass variance: (Σ (x − μ)² − (Σ (x − μ))²/M) / M, the second term the rounding of μ.
        let centered = channelSums(px, nil, mean: mean, n: n, c: c, l: l)
        let variance = (0..<c).map { Swift.max((centered.second[$0] - centered.first[$0] * centered.first[$0] / m) / m, 0) }
        let g = gamma.converted(to: .float64).scalars, b = beta.converted(to: .float64).scalars
        let scale = (0..<c).map { g[$0] / (variance[$0] + eps).squareRoot() }
        let shift = (0..<c).map { b[$0] - mean[$0] * scale[$0] }
        let out = Tensor.uninitialized(x.shape, dtype: T.dtype)
        affine(px, nil, out.buffer.pointer(T.self), p: scale, q: shift, s: [], n: n, c: c, l: l)
        return (out, mean, variance)
    }

    /// ∂L/∂x, ∂L/∂γ, ∂L/∂β for upstream g and x (both dtype T, (N, C, L)), given the forward's μ and σ²: one
    /// reading pass and one writing pass.
    static func backward<T: FloatingElement>(_: T.Type, _ g: Tensor, _ x: Tensor, _ gamma: Tensor, mean: [Double], variance: [Double], eps: Double)
        -> (dx: Tensor, dGamma: Tensor, dBeta: Tensor) {
        let (n, c, l) = (x.shape[0], x.shape[1], x.shape[2])
        let m = Double(n * l)
        let px = UnsafePointer(x.buffer.pointer(T.self)), pg = UnsafePointer(g.buffer.pointer(T.self))
        let r = variance.map { 1 / ($0 + eps).squareRoot() }
        // Σ G and Σ G·(x − μ); Σ G·x̂ = r·Σ G·(x − μ).
        let (sumG, sumGC) = channelSums(pg, px, mean: mean, n: n, c: c, l: l)
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
