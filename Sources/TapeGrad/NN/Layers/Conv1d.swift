/// `nn.Conv1d` on `(N, C, W)` input, as MindSpore 2.10 builds it: a ``conv2d(_:weight:window:groups:)`` over the input
/// viewed as `(N, C, 1, W)` (a reshape that shares the buffer) with a 1 × k window. The weight keeps MindSpore's
/// real parameter shape `(out, in/group, 1, k)`, so checkpoints map name for name and shape for shape; `bias` is `(out,)`.
///
/// Defaults as MindSpore: pad mode `same`, stride 1, dilation 1, group 1, no bias, W ~ HeUniform(√5)
/// (U(−1/√fanIn, 1/√fanIn)), b ~ U(−1/√fanIn, 1/√fanIn) with fanIn = (in/group)·k. `.pad(p)` pads p zeros at both
/// ends; `.pad(top: 0, bottom: 0, left: l, right: r)` pads l and r. `group` = g splits the channels into g groups
/// (output channel o sees input group ⌊o·g/out⌋; g = in = out is depthwise); both channel counts must be divisible by g.
///
/// Output length: ⌈W / stride⌉ (`same`), ⌊(W + pads − d·(k − 1) − 1) / stride⌋ + 1 (`valid`, `pad`).
///
/// ```swift
/// let conv = Conv1d(inChannels: 3, outChannels: 8, kernelSize: 5, stride: 2, hasBias: true)
/// conv(Tensor.zeros([4, 3, 20])).shape   // [4, 8, 10]
/// conv.weight.value.shape                // [8, 3, 1, 5], MindSpore's layout
/// Conv1d(inChannels: 4, outChannels: 6, kernelSize: 3, group: 2).weight.value.shape   // [6, 2, 1, 3]
/// ```
public final class Conv1d: Cell, @unchecked Sendable {
    /// The kernels, `(out, in, 1, k)`.
    public let weight: Parameter
    /// The bias `(out,)`, if any.
    public let bias: Parameter?
    /// Input and output channels.
    public let inChannels: Int, outChannels: Int
    /// Kernel width, stride, dilation and group count.
    public let kernelSize: Int, stride: Int, dilation: Int, group: Int
    /// How the input is padded.
    public let padMode: PadMode

    /// A 1-D convolution layer; `weightInit` (`(out, in/group, k)` or `(out, in/group, 1, k)`) and `biasInit` give explicit
    /// initial values, otherwise they are drawn in `dtype`.
    public init(inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1, padMode: PadMode = .same,
                dilation: Int = 1, group: Int = 1, hasBias: Bool = false, weightInit: Tensor? = nil, biasInit: Tensor? = nil,
                dtype: DType = .float32, seed: UInt64? = nil) {
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.dilation = dilation
        self.group = group
        self.padMode = padMode
        let configuration = "Conv1d(inChannels: \(inChannels), outChannels: \(outChannels), kernelSize: \(kernelSize))"
        func fail(_ message: String) { reportError(TensorError(op: configuration, message: message)) }
        if inChannels < 1 || outChannels < 1 { fail("inChannels and outChannels must be ≥ 1") }
        if kernelSize < 1 || stride < 1 || dilation < 1 { fail("kernelSize (\(kernelSize)), stride (\(stride)) and dilation (\(dilation)) must be ≥ 1") }
        if group < 1 || inChannels % Swift.max(group, 1) != 0 || outChannels % Swift.max(group, 1) != 0 {
            fail("group \(group) must be ≥ 1 and divide inChannels (\(inChannels)) and outChannels (\(outChannels))")
        }
        if Conv1d.ends(of: padMode) == nil {
            fail("padMode \(padMode) is not a 1-D padding: expected .same, .valid, .pad(p) with p ≥ 0 or .pad(top: 0, bottom: 0, left: l, right: r)")
        }
        let shape = [Swift.max(outChannels, 0), Swift.max(inChannels, 0) / Swift.max(group, 1), 1, Swift.max(kernelSize, 0)]
        var w = weightInit ?? Initializer.heUniform(negativeSlope: 5.0.squareRoot()).make(shape, dtype: dtype, seed: seed)
        if let given = weightInit {
            if given.shape == [shape[0], shape[1], shape[3]] { w = given.reshaped(to: shape) }
            if w.shape != shape { fail("weightInit has shape \(given.shape), expected \([shape[0], shape[1], shape[3]]) or \(shape)") }
        }
        weight = Parameter(w, name: "weight")
        // Checked: the initialiser above has already reported a shape whose size overflows.
        let fanIn = Double(Swift.max(SizeArithmetic.elementCount([shape[1], kernelSize]) ?? 1, 1))   // MindSpore: (in/group)·k
        let b = hasBias ? biasInit ?? Initializer.uniform(scale: 1 / fanIn.squareRoot()).make([shape[0]], dtype: dtype, seed: seed.map { $0 &+ 1 }) : nil
        if let b, biasInit != nil, b.shape != [outChannels] { fail("biasInit has shape \(b.shape), expected \([outChannels])") }
        bias = b.map { Parameter($0, name: "bias") }
        super.init()
    }

    /// The zeros added at the start and end of the length axis, or nil for a 2-D padding.
    static func ends(of padMode: PadMode) -> (Int, Int)? {
        guard case .pad(let t, let b, let l, let r) = padMode else { return (0, 0) }
        guard l >= 0, r >= 0, (t == 0 && b == 0) || (t == l && b == r && l == r) else { return nil }
        return (l, r)
    }

    /// The window over the `(N, C, 1, W)` view for an input of length `w`.
    func window(length w: Int) -> Window2D {
        let (k, s, d) = ((1, kernelSize), (1, stride), (1, dilation))
        switch padMode {
        case .same: return Window2D(kernel: k, stride: s, dilation: d, padding: Window2D.samePadding(height: 1, width: w, kernel: k, stride: s, dilation: d))
        case .valid: return Window2D(kernel: k, stride: s, dilation: d)
        case .pad:
            let (l, r) = Conv1d.ends(of: padMode) ?? (0, 0)
            return Window2D(kernel: k, stride: s, dilation: d, padding: (0, 0, l, r))
        }
    }

    /// conv1d(x, W) + b: an `(N, out, W′)` result.
    public override func construct(_ x: Tensor) -> Tensor {
        let configuration = "Conv1d(inChannels: \(inChannels), outChannels: \(outChannels), kernelSize: \(kernelSize), stride: \(stride), "
            + "padMode: \(padMode.mindSporeName), dilation: \(dilation)\(group == 1 ? "" : ", group: \(group)"))"
        guard x.rank == 3, x.shape[1] == inChannels else {
            reportLayerError(configuration, "got input \(x.shape); expected (N, \(inChannels), W)")
            return Tensor.placeholder(dtype: x.dtype)
        }
        guard group >= 1, inChannels % group == 0, outChannels % group == 0, Conv1d.ends(of: padMode) != nil, let (_, length) = window(length: x.shape[2]).outputSize(height: 1, width: x.shape[2]) else {
            reportLayerError(configuration, "got input \(x.shape); expected a padded length of at least the dilated kernel "
                + "\(dilation) × (\(kernelSize) − 1) + 1, positive kernel, stride and dilation, and a group ≥ 1 dividing both channel counts")
            return Tensor.placeholder(dtype: x.dtype)
        }
        let image = x.reshaped(to: [x.shape[0], inChannels, 1, x.shape[2]])
        var y = conv2d(image, weight: weight.value, window: window(length: x.shape[2]), groups: group)
        if let bias { y = y + bias.value.reshaped(to: [1, -1, 1, 1]) }
        return y.reshaped(to: [x.shape[0], outChannels, length])
    }

    /// MindSpore's printed configuration: `input_channels=3, output_channels=8, kernel_size=(1, 5), …`.
    public override var extendRepr: String {
        let (l, r) = Conv1d.ends(of: padMode) ?? (0, 0)
        return "input_channels=\(inChannels), output_channels=\(outChannels), kernel_size=(1, \(kernelSize)), stride=(1, \(stride)), "
            + "pad_mode=\(padMode.mindSporeName), padding=(0, 0, \(l), \(r)), dilation=(1, \(dilation)), group=\(group), "
            + "has_bias=\(bias != nil ? "True" : "False"), format=NCHW"
    }
}
