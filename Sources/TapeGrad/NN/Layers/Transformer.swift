// Transformer blocks, MindSpore's nn.TransformerEncoderLayer, nn.TransformerEncoder and
// nn.TransformerDecoderLayer (2.10), with their defaults, sub-cell names and initialisers.

/// The feed-forward activation of a transformer block (MindSpore's `activation`: `'relu'` or `'gelu'`).
public enum TransformerActivation: String, Sendable {
    /// ReLU (the default).
    case relu
    /// GELU, exact (erf) form as `ops.gelu`.
    case gelu

    func callAsFunction(_ x: Tensor) -> Tensor { self == .relu ? TapeGrad.relu(x) : TapeGrad.gelu(x, approximate: false) }
}

/// The settings a transformer block is built from (what `TransformerEncoder` copies).
public struct TransformerLayerConfig: Sendable, Equatable {
    /// d_model.
    public var dModel: Int
    /// Heads.
    public var nhead: Int
    /// Feed-forward width.
    public var dimFeedforward: Int
    /// Dropout probability.
    public var dropout: Double
    /// Feed-forward activation.
    public var activation: TransformerActivation
    /// LayerNorm ε.
    public var layerNormEps: Double
    /// `[N, L, E]` inputs.
    public var batchFirst: Bool
    /// Pre-norm (norm before each block) instead of post-norm.
    public var normFirst: Bool
}

/// `nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward=2048, dropout=0.1, activation='relu',
/// layer_norm_eps=1e-5, batch_first=False, norm_first=False)`:
///
///     post-norm: x = norm1(x + SA(x)),  x = norm2(x + FF(x))
///     pre-norm:  x = x + SA(norm1(x)),  x = x + FF(norm2(x))
///
/// with SA self-attention (``MultiheadAttention``) and FF = dense2(dropout(act(dense1(x)))), dropouts after
/// each block. Sub-cells `self_attn`, `dense1`, `dense2`, `norm1`, `norm2` as in MindSpore.
///
/// ```swift
/// let layer = TransformerEncoderLayer(dModel: 32, nhead: 4, dimFeedforward: 64, batchFirst: true)
/// let y = layer(x)                                          // x [N, L, 32]
/// let z = layer(x, srcKeyPaddingMask: padding)              // padding [N, L], int32 1 = ignore
/// ```
public final class TransformerEncoderLayer: Cell {
    /// Self-attention.
    public let selfAttn: MultiheadAttention
    /// d_model → dim_feedforward.
    public let dense1: Dense
    /// dim_feedforward → d_model.
    public let dense2: Dense
    /// The first LayerNorm.
    public let norm1: LayerNorm
    /// The second LayerNorm.
    public let norm2: LayerNorm
    /// The settings.
    public let config: TransformerLayerConfig
    private let _dropout: Dropout, _dropout1: Dropout, _dropout2: Dropout

    /// An encoder layer with MindSpore's defaults; `seed` fixes the initial parameters and dropout masks.
    public init(dModel: Int, nhead: Int, dimFeedforward: Int = 2048, dropout: Double = 0.1, activation: TransformerActivation = .relu,
                layerNormEps: Double = 1e-5, batchFirst: Bool = false, normFirst: Bool = false, seed: UInt64? = nil) {
        config = TransformerLayerConfig(dModel: dModel, nhead: nhead, dimFeedforward: dimFeedforward, dropout: dropout,
                                        activation: activation, layerNormEps: layerNormEps, batchFirst: batchFirst, normFirst: normFirst)
        let s = { (k: UInt64) in seed.map { $0 &+ k &* 16 } }
        selfAttn = MultiheadAttention(embedDim: dModel, numHeads: nhead, dropout: dropout, batchFirst: batchFirst, seed: s(1))
        dense1 = Dense(inChannels: dModel, outChannels: dimFeedforward, seed: s(2))
        dense2 = Dense(inChannels: dimFeedforward, outChannels: dModel, seed: s(3))
        norm1 = LayerNorm(normalizedShape: [dModel], epsilon: layerNormEps)
        norm2 = LayerNorm(normalizedShape: [dModel], epsilon: layerNormEps)
        (_dropout, _dropout1, _dropout2) = (Dropout(p: dropout, seed: s(4)), Dropout(p: dropout, seed: s(5)), Dropout(p: dropout, seed: s(6)))
        super.init()
    }

    /// The layer applied to `src`; `srcMask` is the attention mask, `srcKeyPaddingMask` marks padded keys.
    public func callAsFunction(_ src: Tensor, srcMask: Tensor? = nil, srcKeyPaddingMask: Tensor? = nil) -> Tensor {
        for d in [_dropout, _dropout1, _dropout2] { d.setTrain(isTraining) }
        func sa(_ x: Tensor) -> Tensor {
            _dropout1(selfAttn(x, x, x, keyPaddingMask: srcKeyPaddingMask, needWeights: false, attnMask: srcMask).output)
        }
        func ff(_ x: Tensor) -> Tensor { _dropout2(dense2(_dropout(config.activation(dense1(x))))) }
        if config.normFirst {
            let x = src + sa(norm1(src))
            return x + ff(norm2(x))
        }
        let x = norm1(src + sa(src))
        return norm2(x + ff(x))
    }

    /// The layer without masks.
    public override func construct(_ src: Tensor) -> Tensor { self(src, srcMask: nil, srcKeyPaddingMask: nil) }

    /// MindSpore's sub-cell names.
    public override func subCells() -> [(name: String, cell: Cell)] {
        [("self_attn", selfAttn), ("dense1", dense1), ("dense2", dense2), ("norm1", norm1), ("norm2", norm2)]
    }
}

/// `nn.TransformerDecoderLayer(d_model, nhead, dim_feedforward=2048, dropout=0.1, activation='relu',
/// layer_norm_eps=1e-5, batch_first=False, norm_first=False)`: self-attention on `tgt`, attention over
/// `memory`, feed-forward, each with a residual and a LayerNorm (`norm1`…`norm3`; before each block with
/// `normFirst`).
///
/// ```swift
/// let layer = TransformerDecoderLayer(dModel: 32, nhead: 4)
/// let y = layer(tgt, memory: memory, tgtIsCausal: true)
/// ```
public final class TransformerDecoderLayer: Cell {
    /// Self-attention over the target.
    public let selfAttn: MultiheadAttention
    /// Attention from the target to the memory.
    public let multiheadAttn: MultiheadAttention
    /// d_model → dim_feedforward.
    public let dense1: Dense
    /// dim_feedforward → d_model.
    public let dense2: Dense
    /// LayerNorms of the three blocks.
    public let norm1: LayerNorm, norm2: LayerNorm, norm3: LayerNorm
    /// The settings.
    public let config: TransformerLayerConfig
    private let _dropouts: [Dropout]

    /// A decoder layer with MindSpore's defaults.
    public init(dModel: Int, nhead: Int, dimFeedforward: Int = 2048, dropout: Double = 0.1, activation: TransformerActivation = .relu,
                layerNormEps: Double = 1e-5, batchFirst: Bool = false, normFirst: Bool = false, seed: UInt64? = nil) {
        config = TransformerLayerConfig(dModel: dModel, nhead: nhead, dimFeedforward: dimFeedforward, dropout: dropout,
                                        activation: activation, layerNormEps: layerNormEps, batchFirst: batchFirst, normFirst: normFirst)
        let s = { (k: UInt64) in seed.map { $0 &+ k &* 16 } }
        selfAttn = MultiheadAttention(embedDim: dModel, numHeads: nhead, dropout: dropout, batchFirst: batchFirst, seed: s(1))
        multiheadAttn = MultiheadAttention(embedDim: dModel, numHeads: nhead, dropout: dropout, batchFirst: batchFirst, seed: s(2))
        dense1 = Dense(inChannels: dModel, outChannels: dimFeedforward, seed: s(3))
        dense2 = Dense(inChannels: dimFeedforward, outChannels: dModel, seed: s(4))
        norm1 = LayerNorm(normalizedShape: [dModel], epsilon: layerNormEps)
        norm2 = LayerNorm(normalizedShape: [dModel], epsilon: layerNormEps)
        norm3 = LayerNorm(normalizedShape: [dModel], epsilon: layerNormEps)
        _dropouts = (5..<9).map { Dropout(p: dropout, seed: s(UInt64($0))) }
        super.init()
    }

    /// The layer applied to `tgt` attending to `memory`. `tgtIsCausal` adds the causal mask to the self-attention.
    public func callAsFunction(_ tgt: Tensor, memory: Tensor, tgtMask: Tensor? = nil, memoryMask: Tensor? = nil,
                               tgtKeyPaddingMask: Tensor? = nil, memoryKeyPaddingMask: Tensor? = nil, tgtIsCausal: Bool = false) -> Tensor {
        for d in _dropouts { d.setTrain(isTraining) }
        func sa(_ x: Tensor) -> Tensor {
            _dropouts[1](selfAttn(x, x, x, keyPaddingMask: tgtKeyPaddingMask, needWeights: false, attnMask: tgtMask, isCausal: tgtIsCausal).output)
        }
        func mha(_ x: Tensor) -> Tensor {
            _dropouts[2](multiheadAttn(x, memory, memory, keyPaddingMask: memoryKeyPaddingMask, needWeights: false, attnMask: memoryMask).output)
        }
        func ff(_ x: Tensor) -> Tensor { _dropouts[3](dense2(_dropouts[0](config.activation(dense1(x))))) }
        if config.normFirst {
            var x = tgt + sa(norm1(tgt))
            x = x + mha(norm2(x))
            return x + ff(norm3(x))
        }
        var x = norm1(tgt + sa(tgt))
        x = norm2(x + mha(x))
        return norm3(x + ff(x))
    }

    /// `layer(tgt, memory)` without masks.
    public override func construct(_ tgt: Tensor, _ memory: Tensor) -> Tensor { self(tgt, memory: memory) }

    /// MindSpore's sub-cell names.
    public override func subCells() -> [(name: String, cell: Cell)] {
        [("self_attn", selfAttn), ("multihead_attn", multiheadAttn), ("dense1", dense1), ("dense2", dense2),
         ("norm1", norm1), ("norm2", norm2), ("norm3", norm3)]
    }
}
