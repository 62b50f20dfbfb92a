// The LSTM recurrence over a whole sequence as one recorded op, and reversal along time.
//
// Per step: one gemm (h_{t−1}·W_hhᵀ accumulated onto the precomputed input gates, β = 1) and one
// elementwise pass over the gates. The pullback is backpropagation through time in the same shape: one
// elementwise pass and one gemm per step, and one gemm for ∂L/∂W_hh over all steps at the end.
// When more than one tape records the inputs (a higher-order gradient), the recurrence is built from
// differentiable ops instead (`lstmRecurrenceComposed`), so second derivatives come out right.

/// The LSTM recurrence, MindSpore's gate order (input i, forget f, cell g, output o):
///
///     gates = xw[t] + h_{t−1}·W_hhᵀ,  i = σ(·), f = σ(·), g = tanh(·), o = σ(·)
///     c_t = f ⊙ c_{t−1} + i ⊙ g,      h_t = o ⊙ tanh(c_t)
///
/// `xw` is `[T, N, 4H]` (the input projection X·W_ihᵀ + b_ih + b_hh for every step, one gemm), `weightHH`
/// `[4H, H]`, `h0`/`c0` `[N, H]`. Returns `[T + 1, N, H]`: rows `0..<T` are h₁…h_T, row T is c_T.
///
/// Backward through time, with dc carried and dh = ∂L/∂h_t + dgates_{t+1}·W_hh:
/// dc ← dc + dh ⊙ o ⊙ (1 − tanh²c_t); dgates = [dc⊙g⊙i(1−i), dc⊙c_{t−1}⊙f(1−f), dc⊙i⊙(1−g²), dh⊙tanh c_t⊙o(1−o)];
/// dc_{t−1} = dc ⊙ f; ∂L/∂W_hh = Σ_t dgates_tᵀ·h_{t−1}; ∂L/∂xw = dgates.
///
/// ```swift
/// // doc-example: internal
/// let (T, N, H) = (5, 2, 4)
/// let (xw, w, h, c) = (Tensor.zeros([T, N, 4 * H]), Tensor.zeros([4 * H, H]), Tensor.zeros([N, H]), Tensor.zeros([N, H]))
/// let hc = lstmRecurrence(xw, weightHH: w, h0: h, c0: c)     // [T + 1, N, H]
/// let outputs = hc.sliced(alongAxis: 0, from: 0, to: T)
/// ```
func lstmRecurrence(_ xw: Tensor, weightHH w: Tensor, h0: Tensor, c0: Tensor) -> Tensor {
    let dtype = xw.dtype
    guard xw.rank == 3, w.rank == 2, h0.rank == 2, c0.rank == 2, dtype.isFloatingPoint,
          [w.dtype, h0.dtype, c0.dtype].allSatisfy({ $0 == dtype }) else {
        reportError(TensorError(op: "LSTM", message: "expects xw [T, N, 4H], weightHH [4H, H], h0 and c0 [N, H] of one float dtype,"
            + " got \(xw.shape) \(xw.dtype), \(w.shape) \(w.dtype), \(h0.shape) \(h0.dtype), \(c0.shape) \(c0.dtype)"))
        return Tensor.placeholder(dtype: dtype)
    }
    let (steps, n, hidden) = (xw.shape[0], xw.shape[1], w.shape[1])
    guard xw.shape[2] == 4 * hidden, w.shape[0] == 4 * hidden, h0.shape == [n, hidden], c0.shape == [n, hidden],
          steps > 0, n > 0, hidden > 0 else {
        reportError(TensorError(op: "LSTM", message: "shapes do not agree: xw \(xw.shape), weightHH \(w.shape), h0 \(h0.shape),"
            + " c0 \(c0.shape) (expected [T, N, 4H], [4H, H], [N, H], [N, H] with T, N, H > 0)"))
        return Tensor.placeholder(dtype: dtype)
    }
    let inputs = [xw, w, h0, c0]
    if recordingTapeCount(inputs) > 1 { return lstmRecurrenceComposed(xw, weightHH: w, h0: h0, c0: c0) }
    let out = Tensor.uninitialized([steps + 1, n, hidden], dtype: dtype)
    let gates = Tensor.uninitialized([steps, n, 4 * hidden], dtype: dtype)
    let cells = Tensor.uninitialized([steps, n, hidden], dtype: dtype)
    func run<E: BLASElement>(_: E.Type) {
        LSTMKernels.forward(xw: xw.buffer.pointer(E.self), w: w.buffer.pointer(E.self), h0: h0.buffer.pointer(E.self),
                            c0: c0.buffer.pointer(E.self), gates: gates.buffer.pointer(E.self), cells: cells.buffer.pointer(E.self),
                            out: out.buffer.pointer(E.self), steps: steps, n: n, hidden: hidden)
    }
    if dtype == .float32 { run(Float.self) } else { run(Double.self) }
    withExtendedLifetime(inputs) {}
    guard inputs.contains(where: \.isRecorded) else { return out }
    return out.recorded(inputs: inputs) { g, needed in
        let g = g.converted(to: dtype)
        let dxw = Tensor.uninitialized([steps, n, 4 * hidden], dtype: dtype)
        let dw = Tensor.uninitialized([4 * hidden, hidden], dtype: dtype)
        let dh0 = Tensor.uninitialized([n, hidden], dtype: dtype), dc0 = Tensor.uninitialized([n, hidden], dtype: dtype)
        func back<E: BLASElement>(_: E.Type) {
            LSTMKernels.backward(g: g.buffer.pointer(E.self), w: w.buffer.pointer(E.self), h0: h0.buffer.pointer(E.self),
                                 c0: c0.buffer.pointer(E.self), gates: gates.buffer.pointer(E.self), cells: cells.buffer.pointer(E.self),
                                 out: out.buffer.pointer(E.self), dxw: dxw.buffer.pointer(E.self), dw: dw.buffer.pointer(E.self),
                                 dh0: dh0.buffer.pointer(E.self), dc0: dc0.buffer.pointer(E.self),
                                 steps: steps, n: n, hidden: hidden, needWeight: needed[1])
        }
        if dtype == .float32 { back(Float.self) } else { back(Double.self) }
        withExtendedLifetime((g, w, h0, c0, gates, cells, out)) {}
        return [needed[0] ? dxw : nil, needed[1] ? dw : nil, needed[2] ? dh0 : nil, needed[3] ? dc0 : nil]
    }
}

/// The same recurrence from differentiable ops (matmul, slices, σ, tanh, stack): the path taken under
/// higher-order differentiation, and the reference the fused kernel is tested against.
func lstmRecurrenceComposed(_ xw: Tensor, weightHH w: Tensor, h0: Tensor, c0: Tensor) -> Tensor {
    let steps = xw.shape[0], hidden = w.shape[1]
    var h = h0, c = c0
    var rows: [Tensor] = []
    for t in 0..<steps {
        let gates = xw.sliced(alongAxis: 0, from: t, to: t + 1).squeezingShape(at: [0]) + matmul(h, w, transposeB: true)
        (h, c) = lstmPointwise(gates, c, hidden: hidden)
        rows.append(h)
    }
    rows.append(c)
    return stack(rows, alongAxis: 0)
}

/// One LSTM step's elementwise part from differentiable ops: (h, c) from the gate pre-activations.
func lstmPointwise(_ gates: Tensor, _ cPrev: Tensor, hidden: Int) -> (h: Tensor, c: Tensor) {
    let i = sigmoid(gates.sliced(alongAxis: 1, from: 0, to: hidden))
    let f = sigmoid(gates.sliced(alongAxis: 1, from: hidden, to: 2 * hidden))
    let g = tanh(gates.sliced(alongAxis: 1, from: 2 * hidden, to: 3 * hidden))
    let o = sigmoid(gates.sliced(alongAxis: 1, from: 3 * hidden, to: 4 * hidden))
    let c = f * cPrev + i * g
    return (o * tanh(c), c)
}

/// The number of distinct recording tapes that track any of `inputs` (0: nothing records; 1: an ordinary
/// gradient; more: a higher-order gradient, where pullbacks must themselves be differentiable).
func recordingTapeCount(_ inputs: [Tensor]) -> Int {
    var tapes: [ObjectIdentifier] = []
    for input in inputs {
        var link = input.tracking
        while let l = link {
            let id = ObjectIdentifier(l.tape)
            if l.tape.isRecording && !tapes.contains(id) { tapes.append(id) }
            link = l.outer
        }
    }
    return tapes.count
}

extension Tensor {
    /// The tensor with its first axis reversed (time, for the backward direction of a bidirectional RNN).
    /// ∂L/∂x = G reversed along the same axis.
    ///
    /// ```swift
    /// // doc-example: internal
    /// Tensor([[1, 2], [3, 4]]).reversedAlongFirstAxis()   // [[3, 4], [1, 2]]
    /// ```
    func reversedAlongFirstAxis() -> Tensor {
        guard rank > 0 else { return self }
        let out = Tensor.uninitialized(shape, dtype: dtype)
        let length = shape[0], row = (length == 0 ? 0 : count / length) * dtype.byteSize
        for t in 0..<length where row > 0 {
            (out.buffer.raw + t * row).copyMemory(from: buffer.raw + (length - 1 - t) * row, byteCount: row)
        }
        guard isRecorded else { return out }
        return out.recorded(self) { g in g.reversedAlongFirstAxis() }
    }
}

/// The fused LSTM loops over raw buffers.
enum LSTMKernels {
    /// Forward: saves the activated gates `[T, N, 4H]` and the cell states `[T, N, H]`, writes h_t into
    /// `out[t]` and c_T into `out[T]`.
    static func forward<E: BLASElement>(
        xw: UnsafePointer<E>, w: UnsafePointer<E>, h0: UnsafePointer<E>, c0: UnsafePointer<E>,
        gates: UnsafeMutablePointer<E>, cells: UnsafeMutablePointer<E>, out: UnsafeMutablePointer<E>,
        steps: Int, n: Int, hidden: Int
    ) {
        let g4 = 4 * hidden, plane = n * hidden
        gates.update(from: xw, count: steps * n * g4)
        for t in 0..<steps {
            let gt = gates + t * n * g4
            let hPrev = t == 0 ? h0 : UnsafePointer(out + (t - 1) * plane)
            let cPrev = t == 0 ? c0 : UnsafePointer(cells + (t - 1) * plane)
            E.gemm(transA: false, transB: true, m: n, n: g4, k: hidden, alpha: 1, a: hPrev, lda: hidden,
                   b: w, ldb: hidden, beta: 1, c: gt, ldc: g4)
            let ct = cells + t * plane, ht = out + t * plane
            if E.self == Float.self && hidden % 8 == 0 {
                forwardRowsFloat(gt, cPrev, ct, ht, n: n, hidden: hidden)
                continue
            }
            // VectorMath's loops over each row's gates: the same bits as the eight-lane float32 pass.
            for b in 0..<n {
                let row = gt + b * g4, cp = cPrev + b * hidden, cr = ct + b * hidden, hr = ht + b * hidden
                E.vsigmoid(row, row, 2 * hidden)
                E.vtanh(row + 2 * hidden, row + 2 * hidden, hidden)
                E.vsigmoid(row + 3 * hidden, row + 3 * hidden, hidden)
                for j in 0..<hidden { cr[j] = row[hidden + j] * cp[j] + row[j] * row[2 * hidden + j] }
                E.vtanh(cr, hr, hidden)
                for j in 0..<hidden { hr[j] = row[3 * hidden + j] * hr[j] }
            }
        }
        (out + steps * plane).update(from: cells + (steps - 1) * plane, count: plane)
    }

    /// One forward step's elementwise pass for float32, eight lanes at a time (same formulas as the scalar loop).
    static func forwardRowsFloat<E>(_ gt: UnsafeMutablePointer<E>, _ cPrev: UnsafePointer<E>, _ ct: UnsafeMutablePointer<E>,
                                    _ ht: UnsafeMutablePointer<E>, n: Int, hidden: Int) {
        let g = UnsafeMutableRawPointer(gt).assumingMemoryBound(to: Float.self), cp = UnsafeRawPointer(cPrev).assumingMemoryBound(to: Float.self)
        let c = UnsafeMutableRawPointer(ct).assumingMemoryBound(to: Float.self), h = UnsafeMutableRawPointer(ht).assumingMemoryBound(to: Float.self)
        for b in 0..<n {
            let row = g + b * 4 * hidden
            for j in stride(from: 0, to: hidden, by: 8) {
                let i = VectorMath.sigmoid(VectorMath.load(row + j)), f = VectorMath.sigmoid(VectorMath.load(row + hidden + j))
                let gg = VectorMath.tanh(VectorMath.load(row + 2 * hidden + j)), o = VectorMath.sigmoid(VectorMath.load(row + 3 * hidden + j))
                VectorMath.store(i, row + j); VectorMath.store(f, row + hidden + j)
                VectorMath.store(gg, row + 2 * hidden + j); VectorMath.store(o, row + 3 * hidden + j)
                let k = b * hidden + j
                let cell = f * VectorMath.load(cp + k) + i * gg
                VectorMath.store(cell, c + k)
                VectorMath.store(o * VectorMath.tanh(cell), h + k)
            }
        }
    }

    /// One backward step's elementwise pass for float32, eight lanes at a time.
    static func backwardRowsFloat<E>(_ gt: UnsafePointer<E>, _ dgt: UnsafeMutablePointer<E>, _ ct: UnsafePointer<E>, _ cPrev: UnsafePointer<E>,
                                     _ upstream: UnsafePointer<E>, _ dhCarry: UnsafeMutablePointer<E>, _ dcCarry: UnsafeMutablePointer<E>,
                                     n: Int, hidden: Int) {
        func f(_ p: UnsafePointer<E>) -> UnsafePointer<Float> { UnsafeRawPointer(p).assumingMemoryBound(to: Float.self) }
        func m(_ p: UnsafeMutablePointer<E>) -> UnsafeMutablePointer<Float> { UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self) }
        let (gates, dg, cells, cp, up, dh0, dc0) = (f(gt), m(dgt), f(ct), f(cPrev), f(upstream), m(dhCarry), m(dcCarry))
        for b in 0..<n {
            let row = gates + b * 4 * hidden, drow = dg + b * 4 * hidden
            for j in stride(from: 0, to: hidden, by: 8) {
                let k = b * hidden + j
                let i = VectorMath.load(row + j), fg = VectorMath.load(row + hidden + j)
                let gg = VectorMath.load(row + 2 * hidden + j), o = VectorMath.load(row + 3 * hidden + j)
                let dh = VectorMath.load(up + k) + VectorMath.load(dh0 + k)
                let tc = VectorMath.tanh(VectorMath.load(cells + k))
                let dc = VectorMath.load(dc0 + k) + dh * o * (1 - tc * tc)
                VectorMath.store(dc * gg * i * (1 - i), drow + j)
                VectorMath.store(dc * VectorMath.load(cp + k) * fg * (1 - fg), drow + hidden + j)
                VectorMath.store(dc * i * (1 - gg * gg), drow + 2 * hidden + j)
                VectorMath.store(dh * tc * o * (1 - o), drow + 3 * hidden + j)
                VectorMath.store(dc * fg, dc0 + k)
            }
        }
    }

    /// Backward through time from `g` (`[T + 1, N, H]`: ∂L/∂h_t, then ∂L/∂c_T).
    static func backward<E: BLASElement>(
        g: UnsafePointer<E>, w: UnsafePointer<E>, h0: UnsafePointer<E>, c0: UnsafePointer<E>,
        gates: UnsafePointer<E>, cells: UnsafePointer<E>, out: UnsafePointer<E>,
        dxw: UnsafeMutablePointer<E>, dw: UnsafeMutablePointer<E>, dh0: UnsafeMutablePointer<E>, dc0: UnsafeMutablePointer<E>,
        steps: Int, n: Int, hidden: Int, needWeight: Bool
    ) {
        let g4 = 4 * hidden, plane = n * hidden
        // dh0 carries dgates_{t+1}·W_hh between steps; dc0 carries ∂L/∂c_t.
        dh0.update(repeating: 0, count: plane)
        dc0.update(from: g + steps * plane, count: plane)
        let tanhCell = UnsafeMutablePointer<E>.allocate(capacity: hidden)
        defer { tanhCell.deallocate() }
        for t in stride(from: steps - 1, through: 0, by: -1) {
            let gt = gates + t * n * g4, dgt = dxw + t * n * g4, ct = cells + t * plane, upstream = g + t * plane
            let cPrev = t == 0 ? c0 : cells + (t - 1) * plane
            if E.self == Float.self && hidden % 8 == 0 {
                backwardRowsFloat(gt, dgt, ct, cPrev, upstream, dh0, dc0, n: n, hidden: hidden)
            } else {
            for b in 0..<n {
                let row = gt + b * g4, drow = dgt + b * g4
                E.vtanh(ct + b * hidden, tanhCell, hidden)
                for j in 0..<hidden {
                    let k = b * hidden + j
                    let i = row[j], f = row[hidden + j], gg = row[2 * hidden + j], o = row[3 * hidden + j]
                    let dh = upstream[k] + dh0[k]
                    let tc = tanhCell[j]
                    let dc = dc0[k] + dh * o * (1 - tc * tc)
                    drow[j] = dc * gg * i * (1 - i)
                    drow[hidden + j] = dc * cPrev[k] * f * (1 - f)
                    drow[2 * hidden + j] = dc * i * (1 - gg * gg)
                    drow[3 * hidden + j] = dh * tc * o * (1 - o)
                    dc0[k] = dc * f
                }
            }
            }
            E.gemm(transA: false, transB: false, m: n, n: hidden, k: g4, alpha: 1, a: dgt, lda: g4,
                   b: w, ldb: hidden, beta: 0, c: dh0, ldc: hidden)
        }
        guard needWeight else { return }
        // ∂L/∂W_hh = Σ_t dgates_tᵀ·h_{t−1}: h₀ for the first step, then the contiguous outputs h₁…h_{T−1}.
        E.gemm(transA: true, transB: false, m: g4, n: hidden, k: n, alpha: 1, a: dxw, lda: g4,
               b: h0, ldb: hidden, beta: 0, c: dw, ldc: hidden)
        if steps > 1 {
            E.gemm(transA: true, transB: false, m: g4, n: hidden, k: (steps - 1) * n, alpha: 1, a: dxw + n * g4, lda: g4,
                   b: out, ldb: hidden, beta: 1, c: dw, ldc: hidden)
        }
    }
}
