// Multi-layer, optionally bidirectional recurrent layers: MindSpore's nn.RNN, nn.LSTM and nn.GRU, with
// their parameter names (`weight_ih_l0`, `weight_hh_l0_reverse`, `bias_ih_l1`, …), order and layout, so a
// MindSpore checkpoint maps one to one. The LSTM runs its recurrence as one fused op (Ops/Recurrence.swift).

/// The shared machinery of ``RNN``, ``LSTM`` and ``GRU`` (MindSpore's `_RNNBase`).
///
/// Parameters, for layer `l` and direction suffix `""` or `"_reverse"`: `weight_ih_l{l}` `[G·H, in]`,
/// `weight_hh_l{l}` `[G·H, H]`, `bias_ih_l{l}`, `bias_hh_l{l}` `[G·H]` (G = 1, 4, 3 gates), all drawn from
/// U(−1/√H, 1/√H), listed as MindSpore lists them: every W_ih, then every W_hh, every b_ih, every b_hh.
///
/// ```swift
/// let lstm = LSTM(inputSize: 8, hiddenSize: 16, numLayers: 2, bidirectional: true)
/// lstm.trainableParams().map(\.name).prefix(2)   // ["weight_ih_l0", "weight_ih_l0_reverse"]
/// ```
open class RecurrentBase: Cell {
    /// Which recurrence this layer runs.
    public enum Mode: Sendable {
        /// Elman RNN with tanh.
        case rnnTanh
        /// Elman RNN with ReLU.
        case rnnRelu
        /// LSTM, gates (i, f, g, o).
        case lstm
        /// GRU, gates (r, z, n).
        case gru
    }

    /// Every W_ih, by layer then direction.
    public let weightIhList: [Parameter]
    /// Every W_hh.
    public let weightHhList: [Parameter]
    /// Every b_ih (empty without bias).
    public let biasIhList: [Parameter]
    /// Every b_hh (empty without bias).
    public let biasHhList: [Parameter]
    /// The recurrence.
    public let mode: Mode
    /// Input features.
    public let inputSize: Int
    /// Hidden features.
    public let hiddenSize: Int
    /// Stacked layers.
    public let numLayers: Int
    /// Whether inputs and outputs are `[N, T, ·]` instead of `[T, N, ·]`.
    public let batchFirst: Bool
    /// Whether each layer also runs backwards in time (outputs concatenated: 2H features).
    public let bidirectional: Bool
    /// Dropout between layers (training only).
    public let dropout: Double
    private let _dropout: Dropout

    /// A recurrent layer; `seed` fixes its initial parameters (else the ``setSeed(_:)`` stream).
    public init(mode: Mode, inputSize: Int, hiddenSize: Int, numLayers: Int = 1, hasBias: Bool = true, batchFirst: Bool = false,
                dropout: Double = 0, bidirectional: Bool = false, seed: UInt64? = nil) {
        self.mode = mode
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.numLayers = Swift.max(numLayers, 0)
        self.batchFirst = batchFirst
        self.bidirectional = bidirectional
        self.dropout = dropout
        // An out-of-range `dropout` is reported below in this layer's own words, not by the inner Dropout.
        _dropout = Dropout(p: dropout >= 0 && dropout < 1 ? dropout : 0, seed: seed.map { $0 &+ 0xD0 })
        let gates = mode == .lstm ? 4 : mode == .gru ? 3 : 1
        let directions = bidirectional ? 2 : 1
        let init_ = Initializer.uniform(scale: 1 / Double(Swift.max(hiddenSize, 1)).squareRoot())
        var wih: [Parameter] = [], whh: [Parameter] = [], bih: [Parameter] = [], bhh: [Parameter] = []
        var s = seed
        func next() -> UInt64? { defer { s = s.map { $0 &+ 1 } }; return s }
        for layer in 0..<self.numLayers {
            for direction in 0..<directions {
                let suffix = "_l\(layer)" + (direction == 1 ? "_reverse" : "")
                let layerInput = layer == 0 ? inputSize : hiddenSize * directions
                wih.append(Parameter(init_.make([gates * hiddenSize, layerInput], seed: next()), name: "weight_ih" + suffix))
                whh.append(Parameter(init_.make([gates * hiddenSize, hiddenSize], seed: next()), name: "weight_hh" + suffix))
                if hasBias {
                    bih.append(Parameter(init_.make([gates * hiddenSize], seed: next()), name: "bias_ih" + suffix))
                    bhh.append(Parameter(init_.make([gates * hiddenSize], seed: next()), name: "bias_hh" + suffix))
                }
            }
        }
        (weightIhList, weightHhList, biasIhList, biasHhList) = (wih, whh, bih, bhh)
        super.init()
        if dropout < 0 || dropout >= 1 {
            reportError(TensorError(op: typeName, message: "dropout must be in [0, 1), got \(dropout)"))
        }
    }

    var directions: Int { bidirectional ? 2 : 1 }

    /// Runs every layer. `h0`/`c0` are `[layers·directions, N, H]` (zeros when nil; `c0` only for the LSTM).
    /// Returns the last layer's outputs and the final states, shaped like `h0`.
    func run(_ x: Tensor, h0: Tensor?, c0: Tensor?, seqLength: Tensor? = nil) -> (output: Tensor, h: Tensor, c: Tensor?) {
        let dtype = x.dtype
        guard x.rank == 3, x.shape[2] == inputSize, dtype.isFloatingPoint, numLayers > 0 else {
            reportError(TensorError(op: typeName, message: "expects a float input of shape [T, N, \(inputSize)]"
                + "\(batchFirst ? " (batchFirst: [N, T, \(inputSize)])" : ""), got \(x.shape) \(dtype)"))
            return (Tensor.placeholder(dtype: dtype), Tensor.placeholder(dtype: dtype), nil)
        }
        var input = batchFirst ? x.transposed(permutation: [1, 0, 2]) : x
        let (steps, n) = (input.shape[0], input.shape[1])
        let stateShape = [numLayers * directions, n, hiddenSize]
        for (name, state) in [("hx", h0), ("cx", c0)] {
            if let state, state.shape != stateShape {
                reportError(TensorError(op: typeName, message: "\(name) must have shape \(stateShape), got \(state.shape)"))
                return (Tensor.placeholder(dtype: dtype), Tensor.placeholder(dtype: dtype), nil)
            }
        }
        guard steps > 0 else {
            reportError(TensorError(op: typeName, message: "the sequence is empty (input shape \(x.shape))"))
            return (Tensor.placeholder(dtype: dtype), Tensor.placeholder(dtype: dtype), nil)
        }
        var lengths: [Int]? = nil
        if let seqLength {
            let values = seqLength.dtype == .int32 ? seqLength.asArray(Int32.self).map(Int.init) : []
            guard seqLength.dtype == .int32, seqLength.shape == [n], values.allSatisfy({ (0...steps).contains($0) }) else {
                reportError(TensorError(op: typeName, message: "seqLength must be int32 of shape [\(n)] with values in 0...\(steps),"
                    + " got \(seqLength.dtype) \(seqLength.shape)"))
                return (Tensor.placeholder(dtype: dtype), Tensor.placeholder(dtype: dtype), nil)
            }
            lengths = values
        }
        func state(_ s: Tensor?, _ k: Int) -> Tensor {
            guard let s else { return Tensor.zeros([n, hiddenSize], dtype: dtype) }
            return s.sliced(alongAxis: 0, from: k, to: k + 1).reshaped(to: [n, hiddenSize]).astype(dtype)
        }
        var hs: [Tensor] = [], cs: [Tensor] = []
        _dropout.setTrain(isTraining)
        for layer in 0..<numLayers {
            var outputs: [Tensor] = []
            for direction in 0..<directions {
                let k = layer * directions + direction
                let w = weightIhList[k].value.astype(dtype), u = weightHhList[k].value.astype(dtype)
                let bi = biasIhList.isEmpty ? nil : biasIhList[k].value.astype(dtype)
                let bh = biasHhList.isEmpty ? nil : biasHhList[k].value.astype(dtype)
                let reverse = { (t: Tensor) in lengths.map { reverseSequence(t, lengths: $0) } ?? t.reversedAlongFirstAxis() }
                let seq = direction == 1 ? reverse(input) : input
                let (out, h, c) = lengths.map { maskedDirection(seq, w, u, bi, bh, state(h0, k), state(c0, k), lengths: $0) }
                    ?? runDirection(seq, w, u, bi, bh, state(h0, k), state(c0, k))
                outputs.append(direction == 1 ? reverse(out) : out)
                hs.append(h)
                if let c { cs.append(c) }
            }
            input = outputs.count == 1 ? outputs[0] : concat(outputs, alongAxis: 2)
            if dropout > 0 && layer < numLayers - 1 { input = _dropout(input) }
        }
        let output = batchFirst ? input.transposed(permutation: [1, 0, 2]) : input
        return (output, stack(hs, alongAxis: 0), cs.isEmpty ? nil : stack(cs, alongAxis: 0))
    }

    /// One direction of one layer over `seq` `[T, N, in]`: outputs `[T, N, H]`, final h (and c).
    private func runDirection(_ seq: Tensor, _ w: Tensor, _ u: Tensor, _ bi: Tensor?, _ bh: Tensor?,
                              _ h0: Tensor, _ c0: Tensor) -> (Tensor, Tensor, Tensor?) {
        let (steps, n, features) = (seq.shape[0], seq.shape[1], seq.shape[2])
        let flat = seq.reshaped(to: [steps * n, features])
        switch mode {
        case .lstm:
            var bias: Tensor? = nil
            if let bi, let bh { bias = bi + bh }
            let xw = linear(flat, weight: w, bias: bias).reshaped(to: [steps, n, 4 * hiddenSize])
            let hc = lstmRecurrence(xw, weightHH: u, h0: h0, c0: c0)
            let out = hc.sliced(alongAxis: 0, from: 0, to: steps)
            let h = hc.sliced(alongAxis: 0, from: steps - 1, to: steps).reshaped(to: [n, hiddenSize])
            let c = hc.sliced(alongAxis: 0, from: steps, to: steps + 1).reshaped(to: [n, hiddenSize])
            return (out, h, c)
        case .gru:
            let xw = linear(flat, weight: w, bias: bi).reshaped(to: [steps, n, 3 * hiddenSize])
            let out = gruRecurrence(xw, weightHH: u, biasHH: bh, h0: h0)
            return (out, out.sliced(alongAxis: 0, from: steps - 1, to: steps).reshaped(to: [n, hiddenSize]), nil)
        case .rnnTanh, .rnnRelu:
            let width = hiddenSize
            let xw = linear(flat, weight: w, bias: bi).reshaped(to: [steps, n, width])
            var h = h0
            var outs: [Tensor] = []
            for t in 0..<steps {
                let xt = xw.sliced(alongAxis: 0, from: t, to: t + 1).reshaped(to: [n, width])
                h = rnnStep(xt, h, u, bh, mode == .rnnTanh ? .tanh : .relu)
                outs.append(h)
            }
            return (stack(outs, alongAxis: 0), h, nil)
        }
    }
}

/// `nn.LSTM(input_size, hidden_size, num_layers=1, has_bias=True, batch_first=False, dropout=0.0,
/// bidirectional=False)`. Input `[T, N, inputSize]` (or `[N, T, ·]` with `batchFirst`); returns the last
/// layer's outputs `[T, N, D·H]` and `(h_n, c_n)`, each `[numLayers·D, N, H]` (D = 2 if bidirectional).
///
/// Each direction of each layer is one gemm for the input projection of all steps, then per step one gemm
/// and one fused elementwise pass (backward: the same, in reverse).
///
/// ```swift
/// let lstm = LSTM(inputSize: 10, hiddenSize: 16, numLayers: 2, batchFirst: true)
/// let (output, (hn, cn)) = lstm(x, hx: nil)      // x [3, 5, 10] → output [3, 5, 16], hn/cn [2, 3, 16]
/// let y = lstm(x)                                  // just the output
/// ```
public final class LSTM: RecurrentBase {
    /// An LSTM.
    public init(inputSize: Int, hiddenSize: Int, numLayers: Int = 1, hasBias: Bool = true, batchFirst: Bool = false,
                dropout: Double = 0, bidirectional: Bool = false, seed: UInt64? = nil) {
        super.init(mode: .lstm, inputSize: inputSize, hiddenSize: hiddenSize, numLayers: numLayers, hasBias: hasBias,
                   batchFirst: batchFirst, dropout: dropout, bidirectional: bidirectional, seed: seed)
    }

    /// The outputs and the final `(h, c)`; `hx` gives the initial states (zeros when nil). `seqLength` (int32 `[N]`)
    /// gives each sequence's real length: past it the state is held and the outputs are zero (MindSpore's `seq_length`).
    public func callAsFunction(_ x: Tensor, hx: (h: Tensor, c: Tensor)?, seqLength: Tensor? = nil) -> (output: Tensor, hx: (h: Tensor, c: Tensor)) {
        let r = run(x, h0: hx?.h, c0: hx?.c, seqLength: seqLength)
        return (r.output, (r.h, r.c ?? Tensor.placeholder(dtype: x.dtype)))
    }

    /// The outputs only.
    public override func construct(_ x: Tensor) -> Tensor { run(x, h0: nil, c0: nil).output }
}

/// `nn.GRU(input_size, hidden_size, num_layers=1, has_bias=True, batch_first=False, dropout=0.0,
/// bidirectional=False)`, gates (r, z, n) as MindSpore. Returns the outputs and h_n `[numLayers·D, N, H]`.
///
/// ```swift
/// let gru = GRU(inputSize: 10, hiddenSize: 16, bidirectional: true)
/// let (output, hn) = gru(x, hx: nil)              // x [5, 3, 10] → output [5, 3, 32], hn [2, 3, 16]
/// ```
public final class GRU: RecurrentBase {
    /// A GRU.
    public init(inputSize: Int, hiddenSize: Int, numLayers: Int = 1, hasBias: Bool = true, batchFirst: Bool = false,
                dropout: Double = 0, bidirectional: Bool = false, seed: UInt64? = nil) {
        super.init(mode: .gru, inputSize: inputSize, hiddenSize: hiddenSize, numLayers: numLayers, hasBias: hasBias,
                   batchFirst: batchFirst, dropout: dropout, bidirectional: bidirectional, seed: seed)
    }

    /// The outputs and the final h; `hx` gives the initial state (zeros when nil), `seqLength` (int32 `[N]`) the
    /// real lengths (past them the state is held and the outputs are zero).
    public func callAsFunction(_ x: Tensor, hx: Tensor?, seqLength: Tensor? = nil) -> (output: Tensor, hx: Tensor) {
        let r = run(x, h0: hx, c0: nil, seqLength: seqLength)
        return (r.output, r.h)
    }

    /// The outputs only.
    public override func construct(_ x: Tensor) -> Tensor { run(x, h0: nil, c0: nil).output }
}

/// `nn.RNN(input_size, hidden_size, num_layers=1, nonlinearity='tanh', has_bias=True, batch_first=False,
/// dropout=0.0, bidirectional=False)`: h_t = act(x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh).
///
/// ```swift
/// let rnn = RNN(inputSize: 10, hiddenSize: 16, nonlinearity: .relu)
/// let (output, hn) = rnn(x, hx: nil)
/// ```
public final class RNN: RecurrentBase {
    /// An Elman RNN.
    public init(inputSize: Int, hiddenSize: Int, numLayers: Int = 1, nonlinearity: RNNNonlinearity = .tanh, hasBias: Bool = true,
                batchFirst: Bool = false, dropout: Double = 0, bidirectional: Bool = false, seed: UInt64? = nil) {
        super.init(mode: nonlinearity == .tanh ? .rnnTanh : .rnnRelu, inputSize: inputSize, hiddenSize: hiddenSize,
                   numLayers: numLayers, hasBias: hasBias, batchFirst: batchFirst, dropout: dropout, bidirectional: bidirectional, seed: seed)
    }

    /// The outputs and the final h; `hx` gives the initial state (zeros when nil), `seqLength` (int32 `[N]`) the
    /// real lengths (past them the state is held and the outputs are zero).
    public func callAsFunction(_ x: Tensor, hx: Tensor?, seqLength: Tensor? = nil) -> (output: Tensor, hx: Tensor) {
        let r = run(x, h0: hx, c0: nil, seqLength: seqLength)
        return (r.output, r.h)
    }

    /// The outputs only.
    public override func construct(_ x: Tensor) -> Tensor { run(x, h0: nil, c0: nil).output }
}
