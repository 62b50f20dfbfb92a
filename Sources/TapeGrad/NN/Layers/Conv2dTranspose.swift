/// `nn.Conv2dTranspose` on NCHW input, MindSpore 2.10's semantics: ``conv2dTranspose(_:weight:window:outputSize:groups:)``
/// with weight `(in, out/group, kh, kw)` (`weight`, MindSpore's layout, so checkpoints map) and optional bias `(out,)`.
///
/// Output size along each axis, with the dilated kernel k′ = d·(k − 1) + 1:
/// - `same`: H·s (the convolution it transposes pads max(k′ − s, 0), the extra row at the bottom/right);
/// - `valid`: H·s + max(k′ − s, 0);
/// - `pad`: H·s − (top + bottom) + k′ − s, then `outputPadding` more rows (columns) of zeros at the bottom (right).
///
/// As in MindSpore, `outputPadding` appends zeros after the bias is added (PyTorch instead extends the
/// convolution into those rows); it must be in [0, max(stride, dilation)) and needs pad mode `pad`.
/// Defaults as MindSpore: pad mode `same`, group 1, no bias, W ~ HeUniform(√5) on the `(in, out/group, kh, kw)` shape
/// (fan-in (out/group)·kh·kw), b ~ U(−1/√fanIn, 1/√fanIn) with the same fan-in. `group` = g connects input group k
/// only to output group k (g = in = out: depthwise); both channel counts must be divisible by g.
///
/// ```swift
/// let up = Conv2dTranspose(inChannels: 8, outChannels: 4, kernelSize: 3, stride: 2, hasBias: true)
/// up(Tensor.zeros([1, 8, 5, 5])).shape   // [1, 4, 10, 10]
/// let exact = Conv2dTranspose(inChannels: 8, outChannels: 4, kernelSize: 3, stride: 2, padMode: .pad(1), outputPadding: 1)
/// exact(Tensor.zeros([1, 8, 5, 5])).shape   // [1, 4, 10, 10]
/// Conv2dTranspose(inChannels: 8, outChannels: 4, kernelSize: 3, group: 2).weight.value.shape   // [8, 2, 3, 3]
/// ```
public final class Conv2dTranspose: Cell, @unchecked Sendable {
    /// The kernels, `(in, out/group, kh, kw)`.
    public let weight: Parameter
    /// The bias `(out,)`, if any.
    public let bias: Parameter?
    /// Input and output channels.
    public let inChannels: Int, outChannels: Int
    /// Kernel size, stride, dilation and the zeros appended at the bottom and right.
    public let kernelSize: (Int, Int), stride: (Int, Int), dilation: (Int, Int), outputPadding: (Int, Int)
    /// How the convolution being transposed pads.
    public let padMode: PadMode
    /// The number of channel groups.
    public let group: Int

    /// A transposed convolution layer; `weightInit`/`biasInit` give explicit initial values, otherwise they are drawn in `dtype`.
    public init(inChannels: Int, outChannels: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1), padMode: PadMode = .same,
                outputPadding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1), group: Int = 1, hasBias: Bool = false,
                weightInit: Tensor? = nil, biasInit: Tensor? = nil, dtype: DType = .float32, seed: UInt64? = nil) {
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.dilation = dilation
        self.outputPadding = outputPadding
        self.padMode = padMode
        self.group = group
        let configuration = "Conv2dTranspose(inChannels: \(inChannels), outChannels: \(outChannels), kernelSize: \(kernelSize))"
        func fail(_ message: String) { reportError(TensorError(op: configuration, message: message)) }
        if inChannels < 1 || outChannels < 1 { fail("inChannels and outChannels must be ≥ 1") }
        if Swift.min(kernelSize.0, kernelSize.1, stride.0, stride.1, dilation.0, dilation.1) < 1 {
            fail("kernelSize \(kernelSize), stride \(stride) and dilation \(dilation) must be ≥ 1")
        }
        if group < 1 || inChannels % Swift.max(group, 1) != 0 || outChannels % Swift.max(group, 1) != 0 {
            fail("group \(group) must be ≥ 1 and divide inChannels (\(inChannels)) and outChannels (\(outChannels))")
        }
        if case .pad(let t, let b, let l, let r) = padMode, Swift.min(t, b, l, r) < 0 { fail("padding \(padMode) must be ≥ 0") }
        if outputPadding.0 < 0 || outputPadding.0 >= Swift.max(stride.0, dilation.0) || outputPadding.1 < 0 || outputPadding.1 >= Swift.max(stride.1, dilation.1) {
            fail("outputPadding \(outputPadding) must be in [0, max(stride, dilation)) on each axis")
        }
        if outputPadding != (0, 0), padMode.mindSporeName != "pad" { fail("outputPadding \(outputPadding) needs padMode .pad") }
        let shape = [Swift.max(inChannels, 0), Swift.max(outChannels, 0) / Swift.max(group, 1), Swift.max(kernelSize.0, 0), Swift.max(kernelSize.1, 0)]
        let w = weightInit ?? Initializer.heUniform(negativeSlope: 5.0.squareRoot()).make(shape, dtype: dtype, seed: seed)
        if weightInit != nil, w.shape != shape { fail("weightInit has shape \(w.shape), expected \(shape)") }
        weight = Parameter(w, name: "weight")
        // Checked: the initialiser above has already reported a shape whose size overflows.
        let fanIn = Double(Swift.max(SizeArithmetic.elementCount(Array(shape.dropFirst())) ?? 1, 1))   // MindSpore: (out/group)·kh·kw
        let b = hasBias ? biasInit ?? Initializer.uniform(scale: 1 / fanIn.squareRoot()).make([Swift.max(outChannels, 0)], dtype: dtype, seed: seed.map { $0 &+ 1 }) : nil
        if let b, biasInit != nil, b.shape != [outChannels] { fail("biasInit has shape \(b.shape), expected \([outChannels])") }
        bias = b.map { Parameter($0, name: "bias") }
        super.init()
    }

    /// A square kernel: `Conv2dTranspose(inChannels: 8, outChannels: 4, kernelSize: 3, stride: 2)`.
    public convenience init(inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1, padMode: PadMode = .same,
                            outputPadding: Int = 0, dilation: Int = 1, group: Int = 1, hasBias: Bool = false,
                            weightInit: Tensor? = nil, biasInit: Tensor? = nil, dtype: DType = .float32, seed: UInt64? = nil) {
        self.init(inChannels: inChannels, outChannels: outChannels, kernelSize: (kernelSize, kernelSize), stride: (stride, stride),
                  padMode: padMode, outputPadding: (outputPadding, outputPadding), dilation: (dilation, dilation), group: group,
                  hasBias: hasBias, weightInit: weightInit, biasInit: biasInit, dtype: dtype, seed: seed)
    }

    /// The output size MindSpore gives an `h × w` input (before `outputPadding`) and the window of the convolution
    /// being transposed, or nil when a size is not positive or overflows.
    func geometry(height h: Int, width w: Int) -> (size: (Int, Int), window: Window2D)? {
        guard Swift.min(kernelSize.0, kernelSize.1, stride.0, stride.1, dilation.0, dilation.1) >= 1 else { return nil }
        if case .pad(let t, let b, let l, let r) = padMode, Swift.min(t, b, l, r) < 0 { return nil }
        func length(_ n: Int, _ k: Int, _ s: Int, _ d: Int, _ pads: Int?) -> Int? {
            guard let dilated = SizeArithmetic.product(k - 1, d).flatMap({ SizeArithmetic.sum($0, 1) }),
                  let scaled = SizeArithmetic.product(n, s), let pads else { return nil }
            switch padMode {
            case .same: return scaled
            case .valid: return SizeArithmetic.sum(scaled, Swift.max(dilated - s, 0))
            case .pad: return SizeArithmetic.sum(scaled, dilated - s - pads)
            }
        }
        var padding = (top: 0, bottom: 0, left: 0, right: 0)
        if case .pad(let t, let b, let l, let r) = padMode { padding = (t, b, l, r) }
        guard let oh = length(h, kernelSize.0, stride.0, dilation.0, SizeArithmetic.sum(padding.top, padding.bottom)),
              let ow = length(w, kernelSize.1, stride.1, dilation.1, SizeArithmetic.sum(padding.left, padding.right)), oh > 0, ow > 0 else { return nil }
        if case .same = padMode {
            padding = Window2D.samePadding(height: oh, width: ow, kernel: kernelSize, stride: stride, dilation: dilation)
        }
        return ((oh, ow), Window2D(kernel: kernelSize, stride: stride, dilation: dilation, padding: padding))
    }

    /// conv2dTranspose(x, W) + b, then `outputPadding` zero rows and columns: an `(N, out, H′, W′)` result.
    public override func construct(_ x: Tensor) -> Tensor {
        let configuration = "Conv2dTranspose(inChannels: \(inChannels), outChannels: \(outChannels), kernelSize: \(kernelSize), "
            + "stride: \(stride), padMode: \(padMode.mindSporeName), dilation: \(dilation)\(group == 1 ? "" : ", group: \(group)"))"
        guard x.rank == 4, x.shape[1] == inChannels else {
            reportLayerError(configuration, "got input \(x.shape); expected (N, \(inChannels), H, W)")
            return Tensor.placeholder(dtype: x.dtype)
        }
        guard group >= 1, inChannels % group == 0, outChannels % group == 0, outputPadding.0 >= 0, outputPadding.1 >= 0, let (size, window) = geometry(height: x.shape[2], width: x.shape[3]),
              window.outputSize(height: size.0, width: size.1).map({ $0 == (x.shape[2], x.shape[3]) }) == true else {
            reportLayerError(configuration, "got input \(x.shape); expected a positive output size from positive kernel, stride and "
                + "dilation, padding ≥ 0 and a group ≥ 1 dividing both channel counts")
            return Tensor.placeholder(dtype: x.dtype)
        }
        var y = conv2dTranspose(x, weight: weight.value, window: window, outputSize: size, groups: group)
        if let bias { y = y + bias.value.reshaped(to: [1, -1, 1, 1]) }
        guard outputPadding != (0, 0) else { return y }
        return pad(y, padding: [0, outputPadding.1, 0, outputPadding.0])
    }

    /// MindSpore's printed configuration: `input_channels=8, output_channels=4, kernel_size=(3, 3), …`.
    public override var extendRepr: String {
        "input_channels=\(inChannels), output_channels=\(outChannels), kernel_size=\(kernelSize), stride=\(stride), "
            + "pad_mode=\(padMode.mindSporeName), padding=\(padMode.mindSporePadding), dilation=\(dilation), group=\(group), "
            + "has_bias=\(bias != nil ? "True" : "False"), format=NCHW"
    }
}
