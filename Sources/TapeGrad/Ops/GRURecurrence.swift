// The GRU recurrence over a whole sequence as one recorded op, in the shape of the LSTM's
// (Recurrence.swift): per step one gemm and one elementwise pass, backward the same in reverse, and a
// fallback to differentiable ops under higher-order differentiation.

/// The GRU recurrence, MindSpore's gate order (reset r, update z, new n):
///
///     [h_r, h_z, h_n] = h_{t−1}·W_hhᵀ + b_hh,  [i_r, i_z, i_n] = xw[t]
///     r = σ(i_r + h_r), z = σ(i_z + h_z), n = tanh(i_n + r ⊙ h_n),  h_t = n + z ⊙ (h_{t−1} − n)
///
/// `xw` is `[T, N, 3H]` (X·W_ihᵀ + b_ih for every step), `weightHH` `[3H, H]`, `biasHH` `[3H]` or nil,
/// `h0` `[N, H]`. Returns h₁…h_T, `[T, N, H]`.
///
/// Backward, with dh = ∂L/∂h_t + carried: dn = dh ⊙ (1 − z) ⊙ (1 − n²), dz = dh ⊙ (h_{t−1} − n) ⊙ z(1 − z),
/// dr = dn ⊙ h_n ⊙ r(1 − r); ∂xw = [dr, dz, dn]; ∂(h·W_hhᵀ + b_hh) = [dr, dz, dn ⊙ r]; the carry is
/// dh ⊙ z + that·W_hh; ∂W_hh = Σ_t (its rows)ᵀ·h_{t−1}, ∂b_hh = Σ_t its rows.
///
/// ```swift
/// // doc-example: internal
/// let (T, N, H) = (5, 2, 4)
/// let (xw, w, b, h) = (Tensor.zeros([T, N, 3 * H]), Tensor.zeros([3 * H, H]), Tensor.zeros([3 * H]), Tensor.zeros([N, H]))
/// let outputs = gruRecurrence(xw, weightHH: w, biasHH: b, h0: h)     // [T, N, H]
/// ```
func gruRecurrence(_ xw: Tensor, weightHH w: Tensor, biasHH b: Tensor?, h0: Tensor) -> Tensor {
    let dtype = xw.dtype
    let hidden = w.rank == 2 ? w.shape[1] : 0
    guard xw.rank == 3, w.rank == 2, h0.rank == 2, dtype.isFloatingPoint, w.dtype == dtype, h0.dtype == dtype,
          b.map({ $0.dtype == dtype && $0.shape == [3 * hidden] }) ?? true,
          xw.shape[2] == 3 * hidden, w.shape[0] == 3 * hidden, h0.shape == [xw.shape[1], hidden],
          xw.shape[0] > 0, xw.shape[1] > 0, hidden > 0 else {
        reportError(TensorError(op: "GRU", message: "expects xw [T, N, 3H], weightHH [3H, H], biasHH [3H], h0 [N, H] of one float dtype"
            + " with T, N, H > 0, got \(xw.shape), \(w.shape), \(b?.shape ?? []), \(h0.shape)"))
        return Tensor.placeholder(dtype: dtype)
    }
    let (steps, n) = (xw.shape[0], xw.shape[1])
    let inputs = [xw, w, h0] + (b.map { [$0] } ?? [])
    if recordingTapeCount(inputs) > 1 {
        var h = h0, outs: [Tensor] = []
        for t in 0..<steps {
            h = gruStep(xw.sliced(alongAxis: 0, from: t, to: t + 1).squeezingShape(at: [0]), h, w, b, hidden: hidden)
            outs.append(h)
        }
        return stack(outs, alongAxis: 0)
    }
    let out = Tensor.uninitialized([steps, n, hidden], dtype: dtype)
    // Saved per step: r, z, n and h_n (the recurrent part of the new gate), [T, N, 4H].
    let saved = Tensor.uninitialized([steps, n, 4 * hidden], dtype: dtype)
    func run<E: BLASElement>(_: E.Type) {
        GRUKernels.forward(xw: xw.buffer.pointer(E.self), w: w.buffer.pointer(E.self), b: b?.buffer.pointer(E.self),
                           h0: h0.buffer.pointer(E.self), saved: saved.buffer.pointer(E.self), out: out.buffer.pointer(E.self),
                           steps: steps, n: n, hidden: hidden)
    }
    if dtype == .float32 { run(Float.self) } else { run(Double.self) }
    withExtendedLifetime(inputs) {}
    guard inputs.contains(where: \.isRecorded) else { return out }
    return out.recorded(inputs: inputs) { g, needed in
        let g = g.converted(to: dtype)
        let dxw = Tensor.uninitialized([steps, n, 3 * hidden], dtype: dtype), dgh = Tensor.uninitialized([steps, n, 3 * hidden], dtype: dtype)
        let dw = Tensor.uninitialized([3 * hidden, hidden], dtype: dtype), dh0 = Tensor.uninitialized([n, hidden], dtype: dtype)
        func back<E: BLASElement>(_: E.Type) {
            GRUKernels.backward(g: g.buffer.pointer(E.self), w: w.buffer.pointer(E.self), h0: h0.buffer.pointer(E.self),
                                saved: saved.buffer.pointer(E.self), out: out.buffer.pointer(E.self), dxw: dxw.buffer.pointer(E.self),
                                dgh: dgh.buffer.pointer(E.self), dw: dw.buffer.pointer(E.self), dh0: dh0.buffer.pointer(E.self),
                                steps: steps, n: n, hidden: hidden, needWeight: needed[1])
        }
        if dtype == .float32 { back(Float.self) } else { back(Double.self) }
        withExtendedLifetime((g, w, h0, saved, out)) {}
        let db = needed[3] ? dgh.reshaped(to: [steps * n, 3 * hidden]).sum(alongAxes: [0]) : nil
        return [needed[0] ? dxw : nil, needed[1] ? dw : nil, needed[2] ? dh0 : nil, db]
    }
}

/// The fused GRU loops over raw buffers.
enum GRUKernels {
    static func forward<E: BLASElement>(
        xw: UnsafePointer<E>, w: UnsafePointer<E>, b: UnsafePointer<E>?, h0: UnsafePointer<E>,
        saved: UnsafeMutablePointer<E>, out: UnsafeMutablePointer<E>, steps: Int, n: Int, hidden: Int
    ) {
        let g3 = 3 * hidden, g4 = 4 * hidden, plane = n * hidden
        let gh = UnsafeMutablePointer<E>.allocate(capacity: n * g3)
        defer { gh.deallocate() }
        for t in 0..<steps {
            let hPrev = t == 0 ? h0 : UnsafePointer(out + (t - 1) * plane)
            if let b { for row in 0..<n { (gh + row * g3).update(from: b, count: g3) } }
            E.gemm(transA: false, transB: true, m: n, n: g3, k: hidden, alpha: 1, a: hPrev, lda: hidden,
                   b: w, ldb: hidden, beta: b == nil ? 0 : 1, c: gh, ldc: g3)
            let x = xw + t * n * g3, s = saved + t * n * g4, ht = out + t * plane
            for row in 0..<n {
                let xr = x + row * g3, hr = gh + row * g3, sr = s + row * g4, hp = hPrev + row * hidden, o = ht + row * hidden
                // r and z, then n = tanh(x_n + r ⊙ h_n), through VectorMath's loops.
                for j in 0..<(2 * hidden) { sr[j] = xr[j] + hr[j] }
                E.vsigmoid(sr, sr, 2 * hidden)
                for j in 0..<hidden { sr[2 * hidden + j] = xr[2 * hidden + j] + sr[j] * hr[2 * hidden + j]; sr[3 * hidden + j] = hr[2 * hidden + j] }
                E.vtanh(sr + 2 * hidden, sr + 2 * hidden, hidden)
                for j in 0..<hidden { let nn = sr[2 * hidden + j]; o[j] = nn + sr[hidden + j] * (hp[j] - nn) }
            }
        }
    }

    static func backward<E: BLASElement>(
        g: UnsafePointer<E>, w: UnsafePointer<E>, h0: UnsafePointer<E>, saved: UnsafePointer<E>, out: UnsafePointer<E>,
        dxw: UnsafeMutablePointer<E>, dgh: UnsafeMutablePointer<E>, dw: UnsafeMutablePointer<E>, dh0: UnsafeMutablePointer<E>,
        steps: Int, n: Int, hidden: Int, needWeight: Bool
    ) {
        let g3 = 3 * hidden, g4 = 4 * hidden, plane = n * hidden
        // dh0 carries ∂L/∂h_t from the later steps.
        dh0.update(repeating: 0, count: plane)
        for t in stride(from: steps - 1, through: 0, by: -1) {
            let s = saved + t * n * g4, up = g + t * plane, dx = dxw + t * n * g3, dg = dgh + t * n * g3
            let hPrev = t == 0 ? h0 : out + (t - 1) * plane
            for row in 0..<n {
                let sr = s + row * g4, dxr = dx + row * g3, dgr = dg + row * g3
                for j in 0..<hidden {
                    let k = row * hidden + j
                    let r = sr[j], z = sr[hidden + j], nn = sr[2 * hidden + j], hn = sr[3 * hidden + j]
                    let dh = up[k] + dh0[k]
                    let dn = dh * (1 - z) * (1 - nn * nn)
                    let dz = dh * (hPrev[k] - nn) * z * (1 - z)
                    let dr = dn * hn * r * (1 - r)
                    dxr[j] = dr; dxr[hidden + j] = dz; dxr[2 * hidden + j] = dn
                    dgr[j] = dr; dgr[hidden + j] = dz; dgr[2 * hidden + j] = dn * r
                    dh0[k] = dh * z
                }
            }
            E.gemm(transA: false, transB: false, m: n, n: hidden, k: g3, alpha: 1, a: dg, lda: g3,
                   b: w, ldb: hidden, beta: 1, c: dh0, ldc: hidden)
        }
        guard needWeight else { return }
        E.gemm(transA: true, transB: false, m: g3, n: hidden, k: n, alpha: 1, a: dgh, lda: g3, b: h0, ldb: hidden, beta: 0, c: dw, ldc: hidden)
        if steps > 1 {
            E.gemm(transA: true, transB: false, m: g3, n: hidden, k: (steps - 1) * n, alpha: 1, a: dgh + n * g3, lda: g3,
                   b: out, ldb: hidden, beta: 1, c: dw, ldc: hidden)
        }
    }
}
