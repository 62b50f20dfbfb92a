// Single-step recurrent cells (MindSpore's nn.RNNCell, nn.LSTMCell, nn.GRUCell) and the step functions
// the multi-layer RNN and GRU share. Gate layouts follow MindSpore: LSTM (i, f, g, o), GRU (r, z, n).

/// The non-linearity of an Elman RNN (MindSpore's `nonlinearity`: `"tanh"` or `"relu"`).
public enum RNNNonlinearity: String, Sendable {
    /// h = tanh(…), the default.
    case tanh
    /// h = relu(…).
    case relu
}

/// x·W_ihᵀ + b_ih as one gemm (bias written first, β = 1).
func inputProjection(_ x: Tensor, _ w: Tensor, _ b: Tensor?) -> Tensor { linear(x, weight: w, bias: b) }

/// One Elman step: h′ = act(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh), with `xw` = x·W_ihᵀ + b_ih precomputed.
func rnnStep(_ xw: Tensor, _ h: Tensor, _ wHH: Tensor, _ bHH: Tensor?, _ act: RNNNonlinearity) -> Tensor {
    let pre = xw + linear(h, weight: wHH, bias: bHH)
    return act == .tanh ? tanh(pre) : relu(pre)
}

/// One GRU step (MindSpore's `_gru_cell`, gates r, z, n in that order):
/// r = σ(i_r + h_r), z = σ(i_z + h_z), n = tanh(i_n + r ⊙ h_n), h′ = n + z ⊙ (h − n),
/// where `[i_r, i_z, i_n]` = x·W_ihᵀ + b_ih (`xw`) and `[h_r, h_z, h_n]` = h·W_hhᵀ + b_hh.
func gruStep(_ xw: Tensor, _ h: Tensor, _ wHH: Tensor, _ bHH: Tensor?, hidden: Int) -> Tensor {
    let hw = linear(h, weight: wHH, bias: bHH)
    let rz = sigmoid(xw.sliced(alongAxis: 1, from: 0, to: 2 * hidden) + hw.sliced(alongAxis: 1, from: 0, to: 2 * hidden))
    let r = rz.sliced(alongAxis: 1, from: 0, to: hidden), z = rz.sliced(alongAxis: 1, from: hidden, to: 2 * hidden)
    let newGate = tanh(xw.sliced(alongAxis: 1, from: 2 * hidden, to: 3 * hidden) + r * hw.sliced(alongAxis: 1, from: 2 * hidden, to: 3 * hidden))
    return newGate + z * (h - newGate)
}

/// The shared parameters of the single-step cells: `weight_ih` `[chunks·H, inputSize]`, `weight_hh`
/// `[chunks·H, H]`, `bias_ih`, `bias_hh` `[chunks·H]`, all U(−1/√H, 1/√H) as in MindSpore's `RNNCellBase`.
///
/// ```swift
/// let cell = GRUCell(inputSize: 3, hiddenSize: 4)
/// cell.weightIh.shape   // [12, 3]
/// ```
open class RNNCellBase: Cell {
    /// W_ih, named `weight_ih`.
    public let weightIh: Parameter
    /// W_hh, named `weight_hh`.
    public let weightHh: Parameter
    /// b_ih, named `bias_ih`, or nil without bias.
    public let biasIh: Parameter?
    /// b_hh, named `bias_hh`, or nil without bias.
    public let biasHh: Parameter?
    /// Input features.
    public let inputSize: Int
    /// Hidden features.
    public let hiddenSize: Int

    /// The parameters of a cell with `chunks` gates; `seed` fixes the initial values.
    public init(inputSize: Int, hiddenSize: Int, hasBias: Bool, chunks: Int, seed: UInt64? = nil) {
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        let init_ = Initializer.uniform(scale: 1 / Double(Swift.max(hiddenSize, 1)).squareRoot())
        let rows = chunks * hiddenSize
        weightIh = Parameter(init_.make([rows, inputSize], seed: seed), name: "weight_ih")
        weightHh = Parameter(init_.make([rows, hiddenSize], seed: seed.map { $0 &+ 1 }), name: "weight_hh")
        biasIh = hasBias ? Parameter(init_.make([rows], seed: seed.map { $0 &+ 2 }), name: "bias_ih") : nil
        biasHh = hasBias ? Parameter(init_.make([rows], seed: seed.map { $0 &+ 3 }), name: "bias_hh") : nil
        super.init()
    }

    func checkStep(_ x: Tensor, _ h: Tensor, _ op: String) -> Bool {
        guard x.rank == 2, x.shape[1] == inputSize, h.shape == [x.shape[0], hiddenSize] else {
            reportError(TensorError(op: op, message: "expects x [N, \(inputSize)] and hx [N, \(hiddenSize)], got x \(x.shape), hx \(h.shape)"))
            return false
        }
        return true
    }
}

/// `nn.RNNCell(input_size, hidden_size, has_bias=True, nonlinearity='tanh')`:
/// h′ = act(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh).
///
/// ```swift
/// let cell = RNNCell(inputSize: 3, hiddenSize: 4)
/// let h1 = cell(x, h0)      // x [N, 3], h0 [N, 4] → [N, 4]
/// ```
public final class RNNCell: RNNCellBase {
    /// tanh or relu.
    public let nonlinearity: RNNNonlinearity

    /// An Elman cell.
    public init(inputSize: Int, hiddenSize: Int, hasBias: Bool = true, nonlinearity: RNNNonlinearity = .tanh, seed: UInt64? = nil) {
        self.nonlinearity = nonlinearity
        super.init(inputSize: inputSize, hiddenSize: hiddenSize, hasBias: hasBias, chunks: 1, seed: seed)
    }

    /// The next hidden state from `x` `[N, inputSize]` and `hx` `[N, hiddenSize]`.
    public override func construct(_ x: Tensor, _ hx: Tensor) -> Tensor {
        guard checkStep(x, hx, "RNNCell") else { return Tensor.placeholder(dtype: x.dtype) }
        return rnnStep(inputProjection(x, weightIh.value, biasIh?.value), hx, weightHh.value, biasHh?.value, nonlinearity)
    }
}

/// `nn.GRUCell(input_size, hidden_size, has_bias=True)`: gates (r, z, n) as in MindSpore,
/// h′ = n + z ⊙ (h − n) with n = tanh(i_n + r ⊙ h_n).
///
/// ```swift
/// let cell = GRUCell(inputSize: 3, hiddenSize: 4)
/// let h1 = cell(x, h0)
/// ```
public final class GRUCell: RNNCellBase {
    /// A GRU cell.
    public init(inputSize: Int, hiddenSize: Int, hasBias: Bool = true, seed: UInt64? = nil) {
        super.init(inputSize: inputSize, hiddenSize: hiddenSize, hasBias: hasBias, chunks: 3, seed: seed)
    }

    /// The next hidden state from `x` `[N, inputSize]` and `hx` `[N, hiddenSize]`.
    public override func construct(_ x: Tensor, _ hx: Tensor) -> Tensor {
        guard checkStep(x, hx, "GRUCell") else { return Tensor.placeholder(dtype: x.dtype) }
        return gruStep(inputProjection(x, weightIh.value, biasIh?.value), hx, weightHh.value, biasHh?.value, hidden: hiddenSize)
    }
}

/// `nn.LSTMCell(input_size, hidden_size, has_bias=True)`: gates (i, f, g, o) as in MindSpore,
/// c′ = σ(f) ⊙ c + σ(i) ⊙ tanh(g), h′ = σ(o) ⊙ tanh(c′). Returns `(h′, c′)`.
///
/// ```swift
/// let cell = LSTMCell(inputSize: 3, hiddenSize: 4)
/// let (h1, c1) = cell(x, hx: (h0, c0))
/// ```
public final class LSTMCell: RNNCellBase {
    /// An LSTM cell.
    public init(inputSize: Int, hiddenSize: Int, hasBias: Bool = true, seed: UInt64? = nil) {
        super.init(inputSize: inputSize, hiddenSize: hiddenSize, hasBias: hasBias, chunks: 4, seed: seed)
    }

    /// `(h′, c′)` from `x` `[N, inputSize]` and `hx = (h, c)`, each `[N, hiddenSize]`.
    public func callAsFunction(_ x: Tensor, hx: (h: Tensor, c: Tensor)) -> (h: Tensor, c: Tensor) {
        guard checkStep(x, hx.h, "LSTMCell"), checkStep(x, hx.c, "LSTMCell") else {
            return (Tensor.placeholder(dtype: x.dtype), Tensor.placeholder(dtype: x.dtype))
        }
        var b: Tensor? = nil
        if let bi = biasIh?.value, let bh = biasHh?.value { b = bi + bh }
        let gates = linear(x, weight: weightIh.value, bias: b) + matmul(hx.h, weightHh.value, transposeB: true)
        return lstmPointwise(gates, hx.c, hidden: hiddenSize)
    }

    /// MindSpore's tuple form: `net([x, h, c])` gives `(h′, c′)`.
    public override func construct(_ inputs: [Tensor]) -> TensorTree {
        guard inputs.count == 3 else {
            reportError(TensorError(op: "LSTMCell", message: "takes x, h and c (3 inputs), got \(inputs.count)"))
            return .tuple([])
        }
        let (h, c) = self(inputs[0], hx: (inputs[1], inputs[2]))
        return TensorTree([h, c])
    }
}
