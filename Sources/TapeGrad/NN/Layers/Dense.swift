/// The fully connected layer y = x·Wᵀ + b, MindSpore's `nn.Dense`, with `W` of shape `[out, in]` and `b` of
/// shape `[out]`. The product runs as one gemm with the transpose flag (no copy of W).
///
/// Defaults as in MindSpore: W ~ HeUniform(√5), i.e. U(−1/√in, 1/√in), and b ~ U(−1/√in, 1/√in).
///
/// ```swift
/// let fc = Dense(inChannels: 10, outChannels: 1)
/// let y = fc(Tensor.randomNormal([16, 10], seed: 0))   // shape [16, 1]
/// ```
public final class Dense: Cell, @unchecked Sendable {
    /// The weight, `[outChannels, inChannels]`.
    public let weight: Parameter
    /// The bias, `[outChannels]`, or nil without bias.
    public let bias: Parameter?
    /// The activation applied after the affine map, if any.
    public let activation: Activation?
    /// Input features.
    public let inChannels: Int
    /// Output features.
    public let outChannels: Int

    /// A dense layer. `weightInit`/`biasInit` give explicit initial values (shapes must match);
    /// otherwise MindSpore's initialisers draw from `seed` (or the stream set by ``setSeed(_:)``) in `dtype`
    /// (`.float64` for a double-precision network).
    public init(
        inChannels: Int, outChannels: Int, weightInit: Tensor? = nil, biasInit: Tensor? = nil,
        hasBias: Bool = true, activation: Activation? = nil, dtype: DType = .float32, seed: UInt64? = nil
    ) {
        self.inChannels = inChannels
        self.outChannels = outChannels
        let bound = 1 / Double(Swift.max(inChannels, 1)).squareRoot()
        let w = weightInit ?? Initializer.heUniform(negativeSlope: 5.0.squareRoot()).make([outChannels, inChannels], dtype: dtype, seed: seed)
        if w.shape != [outChannels, inChannels] {
            reportError(TensorError(op: "Dense", message: "weightInit has shape \(w.shape), expected \([outChannels, inChannels])"))
        }
        weight = Parameter(w, name: "weight")
        if hasBias {
            let b = biasInit ?? Initializer.uniform(scale: bound).make([outChannels], dtype: dtype, seed: seed.map { $0 &+ 1 })
            if b.shape != [outChannels] {
                reportError(TensorError(op: "Dense", message: "biasInit has shape \(b.shape), expected \([outChannels])"))
            }
            bias = Parameter(b, name: "bias")
        } else {
            bias = nil
        }
        self.activation = activation
        super.init()
    }

    /// x·Wᵀ + b, then the activation. `x` is `[…, inChannels]`.
    public override func construct(_ x: Tensor) -> Tensor {
        guard x.rank >= 1, x.shape[x.rank - 1] == inChannels else {
            reportLayerError("Dense(inChannels: \(inChannels), outChannels: \(outChannels))",
                             "got input \(x.shape); expected [..., \(inChannels)] (the last axis holds the \(inChannels) input features)")
            return Tensor.placeholder(dtype: x.dtype)
        }
        let flat = x.rank == 2 ? x : x.reshaped(to: [-1, inChannels])
        var y = linear(flat, weight: weight.value, bias: bias?.value, relu: activation == .relu)
        if x.rank != 2 { y = y.reshaped(to: Array(x.shape.dropLast()) + [outChannels]) }
        guard let activation, activation != .relu else { return y }
        return activation(y)
    }

    /// `input_channels=3, output_channels=5, has_bias=True`, as MindSpore prints a Dense.
    public override var extendRepr: String {
        var s = "input_channels=\(inChannels), output_channels=\(outChannels)"
        if bias != nil { s += ", has_bias=True" }
        if let activation { s += ", activation=\(activation.mindSporeName)()" }
        return s
    }

}
