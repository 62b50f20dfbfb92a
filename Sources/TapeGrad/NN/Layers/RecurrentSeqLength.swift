// Variable-length sequences for the recurrent layers (MindSpore's `seq_length`): past its length a
// sequence's state is held and its outputs are zero, and the backward direction reverses only the real
// part of each sequence. Built from differentiable ops, one step at a time.

extension RecurrentBase {
    /// One direction of one layer over `seq` `[T, N, in]` with per-sample `lengths`:
    /// s_t = m_t ⊙ cell(x_t, s_{t−1}) + (1 − m_t) ⊙ s_{t−1}, y_t = m_t ⊙ h_t, with m_t = [t < length].
    func maskedDirection(_ seq: Tensor, _ w: Tensor, _ u: Tensor, _ bi: Tensor?, _ bh: Tensor?, _ h0: Tensor, _ c0: Tensor,
                         lengths: [Int]) -> (Tensor, Tensor, Tensor?) {
        let (steps, n, features) = (seq.shape[0], seq.shape[1], seq.shape[2])
        let dtype = seq.dtype
        let width = mode == .lstm ? 4 * hiddenSize : mode == .gru ? 3 * hiddenSize : hiddenSize
        var bias = bi
        if mode == .lstm, let bi, let bh { bias = bi + bh }
        let xw = linear(seq.reshaped(to: [steps * n, features]), weight: w, bias: bias).reshaped(to: [steps, n, width])
        var h = h0, c = c0
        var outs: [Tensor] = []
        for t in 0..<steps {
            let xt = xw.sliced(alongAxis: 0, from: t, to: t + 1).reshaped(to: [n, width])
            let keep = Tensor(lengths.map { t < $0 ? 1.0 : 0.0 }, shape: [n, 1]).astype(dtype)
            let newH: Tensor
            switch mode {
            case .lstm:
                let (hn, cn) = lstmPointwise(xt + matmul(h, u, transposeB: true), c, hidden: hiddenSize)
                c = keep * cn + (1 - keep) * c
                newH = hn
            case .gru: newH = gruStep(xt, h, u, bh, hidden: hiddenSize)
            case .rnnTanh, .rnnRelu: newH = rnnStep(xt, h, u, bh, mode == .rnnTanh ? .tanh : .relu)
            }
            h = keep * newH + (1 - keep) * h
            outs.append(keep * newH)
        }
        return (stack(outs, alongAxis: 0), h, mode == .lstm ? c : nil)
    }
}

/// MindSpore's `ReverseSequence(seq_dim=0, batch_dim=1)`: for sample b, steps `0..<length_b` of `x` `[T, N, …]`
/// in reverse order, the rest unchanged. A gather, so ∂L/∂x is the same permutation of G.
///
/// ```swift
/// // doc-example: internal
/// let x = Tensor.zeros([4, 2, 3])   // [T, N, features]
/// reverseSequence(x, lengths: [3, 1])   // sample 0: x₂ x₁ x₀ x₃…, sample 1 unchanged
/// ```
func reverseSequence(_ x: Tensor, lengths: [Int]) -> Tensor {
    let (steps, n) = (x.shape[0], x.shape[1])
    var index = [Int32](repeating: 0, count: steps * n)
    for t in 0..<steps {
        for b in 0..<n {
            let source = t < lengths[b] ? lengths[b] - 1 - t : t
            index[t * n + b] = Int32(source * n + b)
        }
    }
    let rest = Array(x.shape.dropFirst(2))
    let flat = x.reshaped(to: [steps * n] + rest)
    return gather(flat, indices: Tensor(index, shape: [steps * n]), axis: 0).reshaped(to: x.shape)
}
