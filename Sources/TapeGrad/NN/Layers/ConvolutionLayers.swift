/// How convolution and pooling layers pad, MindSpore's `pad_mode`.
public enum PadMode: Sendable, Equatable {
    /// Output ⌈size / stride⌉, padding split with the extra row or column at the bottom or right.
    case same
    /// No padding.
    case valid
    /// Explicit padding: top, bottom, left, right.
    case pad(top: Int, bottom: Int, left: Int, right: Int)

    /// `.pad` with the same padding on every side.
    public static func pad(_ p: Int) -> PadMode { .pad(top: p, bottom: p, left: p, right: p) }

    func window(height: Int, width: Int, kernel: (Int, Int), stride: (Int, Int), dilation: (Int, Int)) -> Window2D {
        switch self {
        case .valid: return Window2D(kernel: kernel, stride: stride, dilation: dilation)
        case .pad(let t, let b, let l, let r): return Window2D(kernel: kernel, stride: stride, dilation: dilation, padding: (t, b, l, r))
        case .same:
            return Window2D(kernel: kernel, stride: stride, dilation: dilation,
                            padding: Window2D.samePadding(height: height, width: width, kernel: kernel, stride: stride, dilation: dilation))
        }
    }
}

/// `nn.Conv2d` on NCHW input: weight `(out, in, kh, kw)` (`weight`), optional bias `(out,)` (`bias`),
/// im2col + one gemm per group of images. Defaults as MindSpore: pad mode `same`, no bias, W ~ HeUniform(√5)
/// (U(−1/√fanIn, 1/√fanIn)), b ~ U(−1/√fanIn, 1/√fanIn).
///
/// ```swift
/// let conv = Conv2d(inChannels: 1, outChannels: 8, kernelSize: (3, 3), padMode: .same, hasBias: true)
/// conv(Tensor.zeros([4, 1, 8, 8])).shape   // [4, 8, 8, 8]
/// ```
public final class Conv2d: Cell, @unchecked Sendable {
    /// The kernels.
    public let weight: Parameter
    /// The bias, if any.
    public let bias: Parameter?
    /// Kernel size, stride, dilation and padding mode.
    public let kernelSize: (Int, Int), stride: (Int, Int), dilation: (Int, Int), padMode: PadMode
    /// Input and output channels.
    public let inChannels: Int, outChannels: Int

    /// A convolution layer; `weightInit`/`biasInit` give explicit initial values, otherwise they are drawn in `dtype`.
    public init(inChannels: Int, outChannels: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1), padMode: PadMode = .same,
                dilation: (Int, Int) = (1, 1), hasBias: Bool = false, weightInit: Tensor? = nil, biasInit: Tensor? = nil,
                dtype: DType = .float32, seed: UInt64? = nil) {
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.dilation = dilation
        self.padMode = padMode
        let shape = [outChannels, inChannels, kernelSize.0, kernelSize.1]
        let w = weightInit ?? Initializer.heUniform(negativeSlope: 5.0.squareRoot()).make(shape, dtype: dtype, seed: seed)
        if weightInit != nil, w.shape != shape {
            reportError(TensorError(op: "Conv2d", message: "weightInit has shape \(w.shape), expected \(shape)"))
        }
        weight = Parameter(w, name: "weight")
        // Checked: the initialiser above has already reported a shape whose size overflows.
        let fanIn = Double(Swift.max(SizeArithmetic.elementCount([inChannels, kernelSize.0, kernelSize.1]) ?? 1, 1))
        let b = hasBias ? biasInit ?? Initializer.uniform(scale: 1 / fanIn.squareRoot()).make([outChannels], dtype: dtype, seed: seed.map { $0 &+ 1 }) : nil
        if let b, biasInit != nil, b.shape != [outChannels] {
            reportError(TensorError(op: "Conv2d", message: "biasInit has shape \(b.shape), expected \([outChannels])"))
        }
        bias = b.map { Parameter($0, name: "bias") }
        super.init()
    }

    /// A square kernel: `Conv2d(inChannels: 1, outChannels: 8, kernelSize: 3)`.
    public convenience init(inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1, padMode: PadMode = .same,
                            dilation: Int = 1, hasBias: Bool = false, weightInit: Tensor? = nil, biasInit: Tensor? = nil,
                            dtype: DType = .float32, seed: UInt64? = nil) {
        self.init(inChannels: inChannels, outChannels: outChannels, kernelSize: (kernelSize, kernelSize), stride: (stride, stride),
                  padMode: padMode, dilation: (dilation, dilation), hasBias: hasBias, weightInit: weightInit, biasInit: biasInit,
                  dtype: dtype, seed: seed)
    }

    /// conv2d(x, W) + b.
    public override func construct(_ x: Tensor) -> Tensor {
        guard x.rank == 4, x.shape[1] == inChannels else {
            reportLayerError("Conv2d(inChannels: \(inChannels), outChannels: \(outChannels), kernelSize: \(kernelSize))",
                             "got input \(x.shape); expected (N, \(inChannels), H, W)")
            return Tensor.placeholder(dtype: x.dtype)
        }
        let window = padMode.window(height: x.shape[2], width: x.shape[3], kernel: kernelSize, stride: stride, dilation: dilation)
        let y = conv2d(x, weight: weight.value, window: window)
        guard let bias else { return y }
        return y + bias.value.reshaped(to: [1, -1, 1, 1])
    }

    /// MindSpore's printed configuration: `input_channels=3, output_channels=8, kernel_size=(3, 3), …`.
    public override var extendRepr: String {
        "input_channels=\(inChannels), output_channels=\(outChannels), kernel_size=\(kernelSize), stride=\(stride), "
            + "pad_mode=\(padMode.mindSporeName), padding=\(padMode.mindSporePadding), dilation=\(dilation), group=1, "
            + "has_bias=\(bias != nil ? "True" : "False"), format=NCHW"
    }
}

extension PadMode {
    /// `same`, `valid` or `pad`, as MindSpore prints `pad_mode`.
    var mindSporeName: String {
        switch self {
        case .same: return "same"
        case .valid: return "valid"
        case .pad: return "pad"
        }
    }

    /// `0`, or `(top, bottom, left, right)`.
    var mindSporePadding: String {
        if case .pad(let t, let b, let l, let r) = self { return t == b && b == l && l == r ? "\(t)" : "(\(t), \(b), \(l), \(r))" }
        return "0"
    }
}

/// The shared shape of the pooling layers: a square window with a stride and a padding mode.
public class Pool2dCell: Cell, @unchecked Sendable {
    /// Kernel size, stride and padding mode.
    public let kernelSize: (Int, Int), stride: (Int, Int), padMode: PadMode
    private let _name: String
    private let _pool: (Tensor, Window2D) -> Tensor

    init(kernelSize: Int, stride: Int, padMode: PadMode, name: String, pool: @escaping (Tensor, Window2D) -> Tensor) {
        self.kernelSize = (kernelSize, kernelSize)
        self.stride = (stride, stride)
        self.padMode = padMode
        _name = name
        _pool = pool
        super.init()
    }

    /// The pooled input.
    public override func construct(_ x: Tensor) -> Tensor {
        guard x.rank == 4 else {
            reportLayerError("\(_name)(kernelSize: \(kernelSize.0), stride: \(stride.0))", "got input \(x.shape); expected (N, C, H, W)")
            return Tensor.placeholder(dtype: x.dtype)
        }
        return _pool(x, padMode.window(height: x.shape[2], width: x.shape[3], kernel: kernelSize, stride: stride, dilation: (1, 1)))
    }

    /// `kernel_size=2, stride=2, pad_mode=VALID`, as MindSpore prints a pooling layer.
    public override var extendRepr: String {
        "kernel_size=\(kernelSize.0), stride=\(stride.0), pad_mode=\(padMode.mindSporeName.uppercased())"
    }
}

/// `nn.MaxPool2d(kernel_size, stride, pad_mode="valid")` on NCHW input: the maximum over each window.
///
/// ```swift
/// MaxPool2d(kernelSize: 2, stride: 2)(Tensor.zeros([1, 1, 4, 4])).shape   // [1, 1, 2, 2]
/// ```
public final class MaxPool2d: Pool2dCell, @unchecked Sendable {
    /// A max-pooling layer.
    public init(kernelSize: Int = 1, stride: Int = 1, padMode: PadMode = .valid) {
        super.init(kernelSize: kernelSize, stride: stride, padMode: padMode, name: "MaxPool2d") { maxPool2d($0, window: $1) }
    }
}

/// `nn.AvgPool2d(kernel_size, stride, pad_mode="valid")` on NCHW input: the mean over each window,
/// padding not counted.
public final class AvgPool2d: Pool2dCell, @unchecked Sendable {
    /// An average-pooling layer.
    public init(kernelSize: Int = 1, stride: Int = 1, padMode: PadMode = .valid) {
        super.init(kernelSize: kernelSize, stride: stride, padMode: padMode, name: "AvgPool2d") { avgPool2d($0, window: $1) }
    }
}
