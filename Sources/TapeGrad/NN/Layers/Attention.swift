// Multi-head attention, MindSpore's nn.MultiheadAttention (2.10), computed as strided batched gemms: the
// heads are read in place from the projections (no per-head copies, no transposes), and the per-head
// outputs are written straight into the [L, N, E] layout the output projection reads.

/// `nn.MultiheadAttention(embed_dim, num_heads, dropout=0.0, has_bias=True, batch_first=False)`:
///
///     q, k, v = query·W_qᵀ + b_q, key·W_kᵀ + b_k, value·W_vᵀ + b_v      (W = in_proj_weight split in 3)
///     head_h  = softmax(q_h·k_hᵀ / √d + mask) · v_h                      (d = embed_dim / num_heads)
///     output  = concat(heads) · W_outᵀ + b_out                           (out_proj, a Dense)
///
/// Shapes: `query` `[L, N, E]`, `key`/`value` `[S, N, E]` (`[N, L, E]` with `batchFirst`; `[L, E]` unbatched).
/// Returns the output (shaped like `query`) and, with `needWeights`, the attention weights `[N, L, S]`
/// averaged over heads (or `[N, H, L, S]` with `averageAttnWeights: false`), taken after dropout as
/// MindSpore returns them.
///
/// Masks: `keyPaddingMask` `[N, S]` and `attnMask` `[L, S]` or `[N·H, L, S]`. A bool mask (what
/// ``greater(_:_:)`` and the other comparisons return) is MindSpore's boolean mask: true = not attended,
/// i.e. −∞ added; an integer mask (int32, int64, uint8) counts the same way, non-zero = not attended. A float
/// mask is added to the scores. `isCausal`
/// adds the causal mask (position i attends to j ≤ i), an addition: 2.10's `MultiheadAttention` has no such flag.
///
/// Parameters as MindSpore names them: `in_proj_weight` `[3E, E]` (XavierUniform), `in_proj_bias` `[3E]`
/// (zeros), `out_proj.weight`, `out_proj.bias` (Dense's initialisers). With `kdim`/`vdim` other than E,
/// separate `q_proj_weight` `[E, E]`, `k_proj_weight` `[E, kdim]`, `v_proj_weight` `[E, vdim]` replace
/// `in_proj_weight`.
///
/// ```swift
/// let mha = MultiheadAttention(embedDim: 16, numHeads: 4)
/// let (out, weights) = mha(x, x, x, keyPaddingMask: padding)   // x [L, N, 16]; weights [N, L, L]
/// ```
public final class MultiheadAttention: Cell {
    /// The packed q, k, v projection `[3E, E]` (nil with separate projections).
    public let inProjWeight: Parameter?
    /// The query projection `[E, E]` when key or value have other sizes than E (else nil).
    public let qProjWeight: Parameter?
    /// The key projection `[E, kdim]` (or nil).
    public let kProjWeight: Parameter?
    /// The value projection `[E, vdim]` (or nil).
    public let vProjWeight: Parameter?
    /// Its bias `[3E]`, or nil without bias.
    public let inProjBias: Parameter?
    /// The output projection.
    public let outProj: Dense
    /// E.
    public let embedDim: Int
    /// Key features.
    public let kdim: Int
    /// Value features.
    public let vdim: Int
    /// H.
    public let numHeads: Int
    /// Whether inputs are `[N, L, E]`.
    public let batchFirst: Bool
    /// Dropout on the attention weights (training only).
    public let dropout: Double
    private let _dropout: Dropout

    /// Multi-head attention; `embedDim` must be divisible by `numHeads`. `seed` fixes the initial parameters.
    public init(embedDim: Int, numHeads: Int, dropout: Double = 0, hasBias: Bool = true, kdim: Int? = nil, vdim: Int? = nil,
                batchFirst: Bool = false, seed: UInt64? = nil) {
        self.embedDim = embedDim
        self.kdim = kdim ?? embedDim
        self.vdim = vdim ?? embedDim
        self.numHeads = numHeads
        self.batchFirst = batchFirst
        self.dropout = dropout
        let xavier = Initializer.xavierUniform(gain: 1)
        if self.kdim == embedDim && self.vdim == embedDim {
            inProjWeight = Parameter(xavier.make([3 * embedDim, embedDim], seed: seed), name: "in_proj_weight")
            (qProjWeight, kProjWeight, vProjWeight) = (nil, nil, nil)
        } else {
            inProjWeight = nil
            qProjWeight = Parameter(xavier.make([embedDim, embedDim], seed: seed), name: "q_proj_weight")
            kProjWeight = Parameter(xavier.make([embedDim, self.kdim], seed: seed.map { $0 &+ 3 }), name: "k_proj_weight")
            vProjWeight = Parameter(xavier.make([embedDim, self.vdim], seed: seed.map { $0 &+ 4 }), name: "v_proj_weight")
        }
        inProjBias = hasBias ? Parameter(Tensor.zeros([3 * embedDim]), name: "in_proj_bias") : nil
        outProj = Dense(inChannels: embedDim, outChannels: embedDim, hasBias: hasBias, seed: seed.map { $0 &+ 1 })
        _dropout = Dropout(p: dropout, seed: seed.map { $0 &+ 2 })
        super.init()
        if numHeads <= 0 || embedDim % Swift.max(numHeads, 1) != 0 {
            reportError(TensorError(op: "MultiheadAttention", message: "embedDim \(embedDim) must be divisible by numHeads \(numHeads)"))
        }
    }

    /// The attention output and (with `needWeights`) the attention weights.
    public func callAsFunction(
        _ query: Tensor, _ key: Tensor, _ value: Tensor, keyPaddingMask: Tensor? = nil, needWeights: Bool = true,
        attnMask: Tensor? = nil, averageAttnWeights: Bool = true, isCausal: Bool = false
    ) -> (output: Tensor, weights: Tensor?) {
        let op = "MultiheadAttention"
        let fail = (Tensor.placeholder(dtype: query.dtype), Optional<Tensor>.none)
        guard numHeads > 0, embedDim % numHeads == 0 else {
            reportError(TensorError(op: op, message: "embedDim \(embedDim) must be divisible by numHeads \(numHeads)"))
            return fail
        }
        let batched = query.rank == 3
        guard query.rank == key.rank, key.rank == value.rank, batched || query.rank == 2, query.dtype.isFloatingPoint else {
            reportError(TensorError(op: op, message: "query, key and value must all be 3-D (batched) or 2-D float tensors,"
                + " got \(query.shape), \(key.shape), \(value.shape)"))
            return fail
        }
        // Work in [N, L, E] when batchFirst, [L, N, E] otherwise; unbatched inputs get N = 1.
        let q3 = batched ? query : query.expandingShape(at: batchFirst ? 0 : 1)
        let k3 = batched ? key : key.expandingShape(at: batchFirst ? 0 : 1)
        let v3 = batched ? value : value.expandingShape(at: batchFirst ? 0 : 1)
        let (nAxis, lAxis) = batchFirst ? (0, 1) : (1, 0)
        let (n, l, s, e) = (q3.shape[nAxis], q3.shape[lAxis], k3.shape[lAxis], embedDim)
        guard q3.shape[2] == e, k3.shape[2] == kdim, v3.shape[2] == vdim, v3.shape.prefix(2) == k3.shape.prefix(2), k3.shape[nAxis] == n else {
            reportError(TensorError(op: op, message: "expects query [\(batchFirst ? "N, L" : "L, N"), \(e)], key [\(batchFirst ? "N, S" : "S, N"), \(kdim)]"
                + " and value [\(batchFirst ? "N, S" : "S, N"), \(vdim)], got \(query.shape), \(key.shape), \(value.shape)"))
            return fail
        }
        let dtype = query.dtype
        guard let mask = combinedMask(keyPaddingMask, attnMask, isCausal: isCausal, n: n, l: l, s: s, dtype: dtype, batched: batched) else {
            return fail
        }
        let h = numHeads, d = e / h
        let bias = inProjBias?.value.astype(dtype)
        // Projections. Self-attention (the same tensor three times) runs one packed gemm and reads the three
        // parts through strides; otherwise one gemm per input with its third of the weights.
        let packed: (Tensor, Tensor, Tensor, Int, Int, Int, Int)
        if let wq = qProjWeight?.value.astype(dtype), let wk = kProjWeight?.value.astype(dtype), let wv = vProjWeight?.value.astype(dtype) {
            func project(_ x: Tensor, _ w: Tensor, _ part: Int) -> Tensor {
                linear(x.reshaped(to: [-1, x.shape[2]]), weight: w, bias: bias?.sliced(alongAxis: 0, from: part * e, to: (part + 1) * e))
            }
            packed = (project(q3, wq, 0), project(k3, wk, 1), project(v3, wv, 2), 0, 0, 0, e)
        } else if let w = inProjWeight?.value.astype(dtype), q3.buffer === k3.buffer && k3.buffer === v3.buffer && q3.tracking == k3.tracking && k3.tracking == v3.tracking && q3.shape == k3.shape {
            let qkv = linear(q3.reshaped(to: [-1, e]), weight: w, bias: bias)
            packed = (qkv, qkv, qkv, 0, e, 2 * e, 3 * e)
        } else {
            let w = inProjWeight?.value.astype(dtype) ?? Tensor.zeros([3 * e, e], dtype: dtype)
            func project(_ x: Tensor, _ part: Int) -> Tensor {
                linear(x.reshaped(to: [-1, e]), weight: w.sliced(alongAxis: 0, from: part * e, to: (part + 1) * e),
                       bias: bias?.sliced(alongAxis: 0, from: part * e, to: (part + 1) * e))
            }
            packed = (project(q3, 0), project(k3, 1), project(v3, 2), 0, 0, 0, e)
        }
        let (qp, kp, vp, qOffset, kOffset, vOffset, width) = packed
        // Row r of head (b, h): time-major rows are N·width apart, batch-major rows width apart.
        func view(_ offset: Int, rows: Int) -> HeadView {
            batchFirst ? HeadView(offset: offset, batchStride: rows * width, headStride: d, rowStride: width, rows: rows, cols: d)
                       : HeadView(offset: offset, batchStride: width, headStride: d, rowStride: n * width, rows: rows, cols: d)
        }
        let scoresView = HeadView.contiguous(heads: h, rows: l, cols: s)
        var scores = headMatmul(qp, view(qOffset, rows: l), kp, view(kOffset, rows: s), transposeB: true,
                                alpha: 1 / Double(d).squareRoot(), batch: n, heads: h, outShape: [n, h, l, s], outView: scoresView)
        if let mask { scores = scores + mask }
        var weights = scores.softmax(alongAxis: -1)
        _dropout.setTrain(isTraining)
        if dropout > 0 { weights = _dropout(weights) }
        let outView = batchFirst ? HeadView(offset: 0, batchStride: l * e, headStride: d, rowStride: e, rows: l, cols: d)
                                 : HeadView(offset: 0, batchStride: e, headStride: d, rowStride: n * e, rows: l, cols: d)
        let attended = headMatmul(weights, scoresView, vp, view(vOffset, rows: s), batch: n, heads: h,
                                  outShape: batchFirst ? [n, l, e] : [l, n, e], outView: outView)
        var output = outProj(attended.reshaped(to: [-1, e])).reshaped(to: batchFirst ? [n, l, e] : [l, n, e])
        if !batched { output = output.reshaped(to: [l, e]) }
        guard needWeights else { return (output, nil) }
        var returned = averageAttnWeights ? weights.mean(alongAxes: [1]) : weights
        if !batched { returned = returned.squeezingShape(at: [0]) }
        return (output, returned)
    }

    /// `output = mha(query, key, value)` (self-attention when all three are the same tensor).
    public override func construct(_ query: Tensor, _ key: Tensor, _ value: Tensor) -> Tensor {
        self(query, key, value, needWeights: false).output
    }

    /// MindSpore's sub-cell name.
    public override func subCells() -> [(name: String, cell: Cell)] { [("out_proj", outProj)] }

    /// The additive mask `[N or 1, H or 1, L, S]` from the padding mask, the attention mask and causality,
    /// or nil for none; a shape error is reported (and `.some(nil)` is never mistaken for failure).
    private func combinedMask(_ keyPadding: Tensor?, _ attn: Tensor?, isCausal: Bool, n: Int, l: Int, s: Int,
                              dtype: DType, batched: Bool) -> Tensor?? {
        let op = "MultiheadAttention"
        func additive(_ m: Tensor) -> Tensor {
            guard !m.dtype.isFloatingPoint else { return stopGradient(m).astype(dtype) }
            let hidden = m.asArray(Int64.self).map { $0 != 0 ? -Double.infinity : 0 }
            return Tensor(hidden, shape: m.shape).astype(dtype)
        }
        var total: Tensor? = nil
        if let attn {
            if attn.shape == [l, s] {
                total = additive(attn).reshaped(to: [1, 1, l, s])
            } else if attn.shape == [n * numHeads, l, s] {
                total = additive(attn).reshaped(to: [n, numHeads, l, s])
            } else {
                reportError(TensorError(op: op, message: "attnMask must have shape \([l, s]) or \([n * numHeads, l, s]), got \(attn.shape)"))
                return .none
            }
        }
        if let keyPadding {
            let expected = batched ? [n, s] : [s]
            guard keyPadding.shape == expected else {
                reportError(TensorError(op: op, message: "keyPaddingMask must have shape \(expected), got \(keyPadding.shape)"))
                return .none
            }
            let m = additive(keyPadding).reshaped(to: [n, 1, 1, s])
            total = total.map { $0 + m } ?? m
        }
        if isCausal {
            var values = [Double](repeating: 0, count: l * s)
            for i in 0..<l { for j in 0..<s where j > i { values[i * s + j] = -.infinity } }
            let causal = Tensor(values, shape: [1, 1, l, s]).astype(dtype)
            total = total.map { $0 + causal } ?? causal
        }
        return .some(total)
    }
}
