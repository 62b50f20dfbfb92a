// Parameter-free layers with MindSpore's names.

/// `nn.ReLU`: max(x, 0).
///
/// ```swift
/// let y = ReLU()(Tensor([-1, 2]))   // [0, 2]
/// ```
public final class ReLU: Cell {
    /// A ReLU layer.
    public override init() { super.init() }
    /// max(x, 0).
    public override func construct(_ x: Tensor) -> Tensor { relu(x) }
}

/// `nn.Sigmoid`: 1 / (1 + e⁻ˣ).
public final class Sigmoid: Cell {
    /// A sigmoid layer.
    public override init() { super.init() }
    /// σ(x).
    public override func construct(_ x: Tensor) -> Tensor { sigmoid(x) }
}

/// `nn.Tanh`.
public final class Tanh: Cell {
    /// A tanh layer.
    public override init() { super.init() }
    /// tanh x.
    public override func construct(_ x: Tensor) -> Tensor { tanh(x) }
}

/// `nn.GELU(approximate=True)`: the tanh approximation by default, the erf form otherwise.
public final class GELU: Cell {
    /// Whether the tanh approximation is used.
    public let approximate: Bool
    /// A GELU layer.
    public init(approximate: Bool = true) { self.approximate = approximate; super.init() }
    /// GELU(x).
    public override func construct(_ x: Tensor) -> Tensor { gelu(x, approximate: approximate) }
}

/// `nn.Softmax(axis=-1)`.
public final class Softmax: Cell {
    /// The axis normalised over.
    public let axis: Int
    /// A softmax layer.
    public init(axis: Int = -1) { self.axis = axis; super.init() }
    /// softmax along `axis`.
    public override func construct(_ x: Tensor) -> Tensor { x.softmax(alongAxis: axis) }
}

/// `nn.LogSoftmax(axis=-1)`.
public final class LogSoftmax: Cell {
    /// The axis normalised over.
    public let axis: Int
    /// A log-softmax layer.
    public init(axis: Int = -1) { self.axis = axis; super.init() }
    /// log softmax along `axis`.
    public override func construct(_ x: Tensor) -> Tensor { x.logSoftmax(alongAxis: axis) }
}

/// `nn.Flatten`: `(N, …)` → `(N, ∏…)`.
///
/// ```swift
/// Flatten()(Tensor.zeros([2, 3, 4])).shape   // [2, 12]
/// ```
public final class Flatten: Cell {
    /// A flatten layer.
    public override init() { super.init() }
    /// x reshaped to `[N, -1]`.
    public override func construct(_ x: Tensor) -> Tensor {
        guard x.rank >= 1 else {
            reportError(TensorError(op: "Flatten", message: "needs at least one dimension, got shape \(x.shape)"))
            return Tensor.placeholder(dtype: x.dtype)
        }
        return x.reshaped(to: [x.shape[0], x.shape.dropFirst().reduce(1, *)])
    }
}

/// `nn.SequentialCell`: runs its cells in order. Sub-cells are named `0`, `1`, … as in MindSpore
/// (so parameters are `0.weight`, `2.bias`).
///
/// ```swift
/// let mlp = SequentialCell([Dense(inChannels: 4, outChannels: 8), ReLU(), Dense(inChannels: 8, outChannels: 2)])
/// ```
public final class SequentialCell: Cell {
    /// The cells, in order.
    public let cells: [Cell]
    /// A sequence of one-input cells.
    public init(_ cells: [Cell]) { self.cells = cells; super.init() }
    /// Sub-cells named by their index.
    public override func subCells() -> [(name: String, cell: Cell)] { cells.enumerated().map { (String($0.offset), $0.element) } }
    /// Each cell applied to the previous one's output.
    public override func construct(_ x: Tensor) -> Tensor { cells.reduce(x) { $1($0) } }
}

/// `nn.Dropout(p=0.5)`: in training, zeroes each element with probability `p` and scales the rest by
/// 1/(1 − p); in evaluation (``Cell/setTrain(_:)`` false) the identity. Masks come from a seeded generator.
public final class Dropout: Cell {
    /// The drop probability.
    public let p: Double
    private var _generator: RandomGenerator

    /// A dropout layer; `seed` fixes its masks (else the ``setSeed(_:)`` stream).
    public init(p: Double = 0.5, seed: UInt64? = nil) {
        self.p = Swift.min(Swift.max(p, 0), 1)
        _generator = RandomGenerator(seed: seed ?? nextInitializerSeed())
        super.init()
    }

    /// `p=0.5`, as MindSpore prints a Dropout.
    public override var extendRepr: String { "p=\(p)" }

    /// The masked, rescaled input in training; the input otherwise. ∂L/∂x = G ⊙ mask / (1 − p).
    public override func construct(_ x: Tensor) -> Tensor {
        guard isTraining, p > 0 else { return x }
        guard p < 1 else { return x * 0 }
        let mask = Tensor.randomUniform(x.shape, dtype: x.dtype.floatingPoint, using: &_generator)
        return x * (greaterEqual(mask, Tensor(p).astype(mask.dtype)) / (1 - p))
    }
}
