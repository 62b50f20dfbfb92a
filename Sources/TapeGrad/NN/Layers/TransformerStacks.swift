// Stacks of transformer layers: MindSpore's nn.TransformerEncoder, nn.TransformerDecoder and nn.Transformer.

/// Builds `count` layers with `make` and gives them all the first one's parameter values (MindSpore builds
/// one fresh layer and deep-copies it, so every copy starts equal).
func identicalCopies<L: Cell>(_ count: Int, _ make: () -> L) -> [L] {
    let first = make()
    return (0..<Swift.max(count, 0)).map { _ in
        let copy = make()
        for (a, b) in zip(copy.parameters(), first.parameters()) { a.replaceStoredValue(with: b.storedValue) }
        return copy
    }
}

/// `nn.TransformerEncoder(encoder_layer, num_layers, norm=None)`: `numLayers` copies of a layer with
/// `encoderLayer`'s settings — as in MindSpore, a fresh layer is built and deep-copied, so all copies start
/// with the same parameters (not `encoderLayer`'s own) — then the optional final `norm`.
///
/// ```swift
/// let encoder = TransformerEncoder(encoderLayer: TransformerEncoderLayer(dModel: 32, nhead: 4), numLayers: 2)
/// let y = encoder(x)
/// ```
public final class TransformerEncoder: Cell {
    /// The layers, `layers.0`, `layers.1`, ….
    public let layers: CellList
    /// The final normalisation, if any.
    public let norm: Cell?
    /// The number of layers.
    public let numLayers: Int

    /// An encoder of `numLayers` identical copies of a layer configured like `encoderLayer`.
    public init(encoderLayer: TransformerEncoderLayer, numLayers: Int, norm: Cell? = nil, seed: UInt64? = nil) {
        let c = encoderLayer.config
        let fresh = { TransformerEncoderLayer(dModel: c.dModel, nhead: c.nhead, dimFeedforward: c.dimFeedforward, dropout: c.dropout,
                                              activation: c.activation, layerNormEps: c.layerNormEps, batchFirst: c.batchFirst,
                                              normFirst: c.normFirst, seed: seed) }
        layers = CellList(identicalCopies(numLayers, fresh))
        self.norm = norm
        self.numLayers = numLayers
        super.init()
    }

    /// Every layer in turn, then `norm`.
    public func callAsFunction(_ src: Tensor, srcMask: Tensor? = nil, srcKeyPaddingMask: Tensor? = nil) -> Tensor {
        var x = src
        for case let layer as TransformerEncoderLayer in layers.cells {
            x = layer(x, srcMask: srcMask, srcKeyPaddingMask: srcKeyPaddingMask)
        }
        return norm.map { $0(x) } ?? x
    }

    /// The encoder without masks.
    public override func construct(_ src: Tensor) -> Tensor { self(src, srcMask: nil, srcKeyPaddingMask: nil) }

    /// `layers`, then `norm`.
    public override func subCells() -> [(name: String, cell: Cell)] { [("layers", layers as Cell)] + (norm.map { [("norm", $0)] } ?? []) }
}

/// `nn.TransformerDecoder(decoder_layer, num_layers, norm=None)`: `numLayers` identical copies of a layer
/// configured like `decoderLayer` (as ``TransformerEncoder``), each attending to `memory`, then `norm`.
///
/// ```swift
/// let decoder = TransformerDecoder(decoderLayer: TransformerDecoderLayer(dModel: 32, nhead: 4), numLayers: 2)
/// let y = decoder(tgt, memory: memory, tgtIsCausal: true)
/// ```
public final class TransformerDecoder: Cell {
    /// The layers, `layers.0`, `layers.1`, ….
    public let layers: CellList
    /// The final normalisation, if any.
    public let norm: Cell?
    /// The number of layers.
    public let numLayers: Int

    /// A decoder of `numLayers` identical copies of a layer configured like `decoderLayer`.
    public init(decoderLayer: TransformerDecoderLayer, numLayers: Int, norm: Cell? = nil, seed: UInt64? = nil) {
        let c = decoderLayer.config
        layers = CellList(identicalCopies(numLayers) {
            TransformerDecoderLayer(dModel: c.dModel, nhead: c.nhead, dimFeedforward: c.dimFeedforward, dropout: c.dropout,
                                    activation: c.activation, layerNormEps: c.layerNormEps, batchFirst: c.batchFirst,
                                    normFirst: c.normFirst, seed: seed)
        })
        self.norm = norm
        self.numLayers = numLayers
        super.init()
    }

    /// Every layer in turn over `tgt` with `memory`, then `norm`.
    public func callAsFunction(_ tgt: Tensor, memory: Tensor, tgtMask: Tensor? = nil, memoryMask: Tensor? = nil,
                               tgtKeyPaddingMask: Tensor? = nil, memoryKeyPaddingMask: Tensor? = nil, tgtIsCausal: Bool = false) -> Tensor {
        var x = tgt
        for case let layer as TransformerDecoderLayer in layers.cells {
            x = layer(x, memory: memory, tgtMask: tgtMask, memoryMask: memoryMask, tgtKeyPaddingMask: tgtKeyPaddingMask,
                      memoryKeyPaddingMask: memoryKeyPaddingMask, tgtIsCausal: tgtIsCausal)
        }
        return norm.map { $0(x) } ?? x
    }

    /// `decoder(tgt, memory)` without masks.
    public override func construct(_ tgt: Tensor, _ memory: Tensor) -> Tensor { self(tgt, memory: memory) }

    /// `layers`, then `norm`.
    public override func subCells() -> [(name: String, cell: Cell)] { [("layers", layers as Cell)] + (norm.map { [("norm", $0)] } ?? []) }
}

/// `nn.Transformer(d_model=512, nhead=8, num_encoder_layers=6, num_decoder_layers=6, dim_feedforward=2048,
/// dropout=0.1, activation='relu', layer_norm_eps=1e-5, batch_first=False, norm_first=False)`: an encoder
/// and a decoder, each ending in a LayerNorm; every parameter with more than one dimension is then redrawn
/// from XavierUniform, as MindSpore does. Unlike MindSpore 2.10 (which compares `src`'s batch with itself),
/// a `tgt` batch that differs from `src`'s is reported.
///
/// ```swift
/// let model = Transformer(dModel: 32, nhead: 4, numEncoderLayers: 2, numDecoderLayers: 2, dimFeedforward: 64)
/// let y = model(src, tgt: tgt, tgtIsCausal: true)     // src [S, N, 32], tgt [T, N, 32] → [T, N, 32]
/// ```
public final class Transformer: Cell {
    /// The encoder (with its final norm).
    public let encoder: TransformerEncoder
    /// The decoder (with its final norm).
    public let decoder: TransformerDecoder
    /// d_model.
    public let dModel: Int
    /// Whether inputs are `[N, L, E]`.
    public let batchFirst: Bool

    /// A Transformer with MindSpore's defaults.
    public init(dModel: Int = 512, nhead: Int = 8, numEncoderLayers: Int = 6, numDecoderLayers: Int = 6, dimFeedforward: Int = 2048,
                dropout: Double = 0.1, activation: TransformerActivation = .relu, layerNormEps: Double = 1e-5,
                batchFirst: Bool = false, normFirst: Bool = false, seed: UInt64? = nil) {
        let encoderLayer = TransformerEncoderLayer(dModel: dModel, nhead: nhead, dimFeedforward: dimFeedforward, dropout: dropout,
                                                   activation: activation, layerNormEps: layerNormEps, batchFirst: batchFirst, normFirst: normFirst)
        let decoderLayer = TransformerDecoderLayer(dModel: dModel, nhead: nhead, dimFeedforward: dimFeedforward, dropout: dropout,
                                                   activation: activation, layerNormEps: layerNormEps, batchFirst: batchFirst, normFirst: normFirst)
        encoder = TransformerEncoder(encoderLayer: encoderLayer, numLayers: numEncoderLayers,
                                     norm: LayerNorm(normalizedShape: [dModel], epsilon: layerNormEps), seed: seed)
        decoder = TransformerDecoder(decoderLayer: decoderLayer, numLayers: numDecoderLayers,
                                     norm: LayerNorm(normalizedShape: [dModel], epsilon: layerNormEps), seed: seed.map { $0 &+ 1 })
        self.dModel = dModel
        self.batchFirst = batchFirst
        super.init()
        var s = seed
        for (_, p) in parametersAndNames() where p.shape.count > 1 {
            p.replaceStoredValue(with: Initializer.xavierUniform(gain: 1).make(p.shape, seed: s))
            s = s.map { $0 &+ 1 }
        }
    }

    /// The decoder's output for `tgt` attending to the encoded `src`.
    public func callAsFunction(_ src: Tensor, tgt: Tensor, srcMask: Tensor? = nil, tgtMask: Tensor? = nil, memoryMask: Tensor? = nil,
                               srcKeyPaddingMask: Tensor? = nil, tgtKeyPaddingMask: Tensor? = nil, memoryKeyPaddingMask: Tensor? = nil,
                               tgtIsCausal: Bool = false) -> Tensor {
        let batchAxis = batchFirst ? 0 : 1
        guard src.shape.last == dModel, tgt.shape.last == dModel,
              src.rank != 3 || (tgt.rank == 3 && src.shape[batchAxis] == tgt.shape[batchAxis]) else {
            reportError(TensorError(op: "Transformer", message: "src and tgt must have \(dModel) features and one batch size,"
                + " got \(src.shape) and \(tgt.shape)"))
            return Tensor.placeholder(dtype: src.dtype)
        }
        let memory = encoder(src, srcMask: srcMask, srcKeyPaddingMask: srcKeyPaddingMask)
        return decoder(tgt, memory: memory, tgtMask: tgtMask, memoryMask: memoryMask, tgtKeyPaddingMask: tgtKeyPaddingMask,
                       memoryKeyPaddingMask: memoryKeyPaddingMask, tgtIsCausal: tgtIsCausal)
    }

    /// `model(src, tgt)` without masks.
    public override func construct(_ src: Tensor, _ tgt: Tensor) -> Tensor { self(src, tgt: tgt) }
}
