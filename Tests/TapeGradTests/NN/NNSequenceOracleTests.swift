import XCTest
@testable import TapeGrad

/// The sequence layers against `Oracle/nn_sequence_oracle.py`'s fixture (real MindSpore 2.10): parameters
/// are set by MindSpore's names, then outputs, input gradients and parameter gradients must agree.
final class NNSequenceOracleTests: XCTestCase {
    func assertClose(_ a: Tensor, _ expected: Any?, _ what: String, rtol: Double = 1e-4, atol: Double = 1e-5) throws {
        let e = try fixtureTensor(expected)
        XCTAssertEqual(a.shape, e.shape, what)
        guard a.shape == e.shape else { return }
        let (x, y) = (a.scalars, e.scalars)
        for i in 0..<x.count where x[i] != y[i] {
            if !(Swift.abs(x[i] - y[i]) <= atol + rtol * Swift.abs(y[i])) {
                XCTFail("\(what): element \(i): \(x[i]) vs MindSpore \(y[i])"); return
            }
        }
    }

    /// The layer of a case, and the forward pass the oracle ran (outputs in the oracle's order).
    func make(_ c: [String: Any]) throws -> (Cell, ([Tensor]) -> [Tensor]) {
        let args = c["args"] as? [String: Any] ?? [:]
        // The oracle stores MindSpore's bool masks as int32; replay them as the bool tensors MindSpore was given.
        var masks = try (c["masks"] as? [String: Any] ?? [:]).mapValues { try fixtureTensor($0) }
        for (name, m) in masks where name.hasSuffix("mask") && m.dtype == .int32 { masks[name] = m.astype(.bool) }
        func int(_ k: String, _ d: Int = 0) -> Int { args[k] as? Int ?? d }
        func bool(_ k: String) -> Bool { args[k] as? Bool ?? false }
        let (inSize, hidden, layers) = (int("input_size"), int("hidden_size"), int("num_layers", 1))
        switch c["layer"] as? String ?? "" {
        case "LSTM":
            let l = LSTM(inputSize: inSize, hiddenSize: hidden, numLayers: layers, hasBias: args["has_bias"] as? Bool ?? true,
                         batchFirst: bool("batch_first"), bidirectional: bool("bidirectional"))
            return (l, { xs in
                let (o, (h, c)) = l(xs[0], hx: xs.count == 3 ? (xs[1], xs[2]) : nil, seqLength: masks["seq_length"])
                return [o, h, c]
            })
        case "GRU":
            let g = GRU(inputSize: inSize, hiddenSize: hidden, numLayers: layers, batchFirst: bool("batch_first"), bidirectional: bool("bidirectional"))
            return (g, { xs in let (o, h) = g(xs[0], hx: xs.count == 2 ? xs[1] : nil, seqLength: masks["seq_length"]); return [o, h] })
        case "RNN":
            let r = RNN(inputSize: inSize, hiddenSize: hidden, numLayers: layers,
                        nonlinearity: RNNNonlinearity(rawValue: args["nonlinearity"] as? String ?? "tanh") ?? .tanh,
                        batchFirst: bool("batch_first"), bidirectional: bool("bidirectional"))
            return (r, { xs in let (o, h) = r(xs[0], hx: xs.count == 2 ? xs[1] : nil, seqLength: masks["seq_length"]); return [o, h] })
        case "LSTMCell":
            let l = LSTMCell(inputSize: inSize, hiddenSize: hidden)
            return (l, { xs in let (h, c) = l(xs[0], hx: (xs[1], xs[2])); return [h, c] })
        case "GRUCell":
            let g = GRUCell(inputSize: inSize, hiddenSize: hidden)
            return (g, { xs in [g(xs[0], xs[1])] })
        case "RNNCell":
            let r = RNNCell(inputSize: inSize, hiddenSize: hidden, nonlinearity: RNNNonlinearity(rawValue: args["nonlinearity"] as? String ?? "tanh") ?? .tanh)
            return (r, { xs in [r(xs[0], xs[1])] })
        case "MultiheadAttention":
            let m = MultiheadAttention(embedDim: int("embed_dim"), numHeads: int("num_heads"), kdim: args["kdim"] as? Int,
                                       vdim: args["vdim"] as? Int, batchFirst: bool("batch_first"))
            let average = args["average_attn_weights"] as? Bool ?? true
            return (m, { xs in
                let (q, k, v) = xs.count == 1 ? (xs[0], xs[0], xs[0]) : (xs[0], xs[1], xs[2])
                let (o, w) = m(q, k, v, keyPaddingMask: masks["key_padding_mask"], attnMask: masks["attn_mask"], averageAttnWeights: average)
                return [o, w ?? Tensor.placeholder()]
            })
        case "TransformerEncoderLayer", "TransformerEncoder":
            let layer = TransformerEncoderLayer(dModel: int("d_model"), nhead: int("nhead"), dimFeedforward: int("dim_feedforward"), dropout: 0,
                                                activation: TransformerActivation(rawValue: args["activation"] as? String ?? "relu") ?? .relu,
                                                batchFirst: bool("batch_first"), normFirst: bool("norm_first"))
            if c["layer"] as? String == "TransformerEncoder" {
                let e = TransformerEncoder(encoderLayer: layer, numLayers: int("num_layers"), norm: LayerNorm(normalizedShape: [int("d_model")]))
                return (e, { xs in [e(xs[0])] })
            }
            return (layer, { xs in [layer(xs[0], srcKeyPaddingMask: masks["src_key_padding_mask"])] })
        case "TransformerDecoderLayer":
            let d = TransformerDecoderLayer(dModel: int("d_model"), nhead: int("nhead"), dimFeedforward: int("dim_feedforward"), dropout: 0)
            return (d, { xs in [d(xs[0], memory: xs[1], tgtMask: masks["tgt_mask"])] })
        case "TransformerDecoder":
            let layer = TransformerDecoderLayer(dModel: int("d_model"), nhead: int("nhead"), dimFeedforward: int("dim_feedforward"), dropout: 0)
            let d = TransformerDecoder(decoderLayer: layer, numLayers: int("num_layers"), norm: LayerNorm(normalizedShape: [int("d_model")]))
            return (d, { xs in [d(xs[0], memory: xs[1], memoryKeyPaddingMask: masks["memory_key_padding_mask"])] })
        case "Transformer":
            let t = Transformer(dModel: int("d_model"), nhead: int("nhead"), numEncoderLayers: 1, numDecoderLayers: 1,
                                dimFeedforward: int("dim_feedforward"), dropout: 0, batchFirst: bool("batch_first"))
            return (t, { xs in [t(xs[0], tgt: xs[1], tgtMask: masks["tgt_mask"])] })
        default:
            throw FixtureError("unknown layer \(c["layer"] ?? "?")")
        }
    }

    func testSequenceLayersMatchMindSpore() throws {
        let fixture = try loadFixture("oracle_nn_sequence.json")
        let cases = fixture["cases"] as? [[String: Any]] ?? []
        XCTAssertEqual(cases.count, 22)
        for c in cases {
            let name = c["name"] as? String ?? "?"
            let (cell, forward) = try make(c)
            // Parameters by MindSpore name: every name must exist on the Swift side and vice versa.
            let params = c["params"] as? [String: Any] ?? [:]
            let swiftNames = Set(cell.parametersAndNames().map(\.name))
            XCTAssertEqual(swiftNames, Set(params.keys), "\(name): parameter names")
            for (pname, p) in cell.parametersAndNames() {
                if let v = params[pname] { p.replaceStoredValue(with: try fixtureTensor(v)) }
            }
            let inputs = try (c["inputs"] as? [Any] ?? []).map { try fixtureTensor($0) }
            let sens = try (c["sens"] as? [Any] ?? []).map { try fixtureTensor($0) }
            let outputs = try withErrorChecking { forward(inputs) }
            for (k, expected) in (c["outputs"] as? [Any] ?? []).enumerated() {
                try assertClose(outputs[k], expected, "\(name) output \(k)")
            }
            let weights = cell.trainableParams()
            let loss = { (xs: [Tensor]) -> Tensor in zip(forward(xs), sens).map { ($0 * $1).sum() }.reduce(Tensor(0), +) }
            let positions = GradPosition.indices(Array(inputs.indices))
            let (_, grads) = try valueAndGrad({ (xs: [Tensor]) in loss(xs) }, gradPosition: positions, weights: weights)(inputs)
            let inputGrads = inputs.count == 1 ? [grads[0].asTensor] : grads[0].elements.map(\.asTensor)
            for (k, expected) in (c["input_grads"] as? [Any] ?? []).enumerated() {
                try assertClose(inputGrads[k], expected, "\(name) ∂L/∂input \(k)")
            }
            let paramGrads = c["param_grads"] as? [String: Any] ?? [:]
            for (p, g) in zip(weights, grads[1].elements) {
                try assertClose(g.asTensor, paramGrads[p.name], "\(name) ∂L/∂\(p.name)")
            }
        }
    }
}
