// 2-D convolution (NCHW) as im2col + one gemm per image, and its two backward ops (input and weight
// gradients), each a kernel of flagged gemms and col2im/im2col. The three ops are each other's pullbacks,
// so derivatives of any order flow through convolutions; with no enclosing tape the backward ops are plain
// kernel calls.

/// Geometry of a 2-D window sliding over an image: kernel, stride, dilation and the padding on each side.
public struct Window2D: Sendable, Equatable {
    /// Kernel height and width.
    public var kernel: (Int, Int)
    /// Vertical and horizontal stride.
    public var stride: (Int, Int)
    /// Vertical and horizontal dilation.
    public var dilation: (Int, Int)
    /// Padding: top, bottom, left, right.
    public var padding: (top: Int, bottom: Int, left: Int, right: Int)

    /// A window.
    public init(kernel: (Int, Int), stride: (Int, Int) = (1, 1), dilation: (Int, Int) = (1, 1),
                padding: (top: Int, bottom: Int, left: Int, right: Int) = (0, 0, 0, 0)) {
        self.kernel = kernel
        self.stride = stride
        self.dilation = dilation
        self.padding = padding
    }

    /// Two windows are equal when kernel, stride, dilation and padding all are.
    public static func == (a: Window2D, b: Window2D) -> Bool {
        a.kernel == b.kernel && a.stride == b.stride && a.dilation == b.dilation && a.padding == b.padding
    }

    /// The padding MindSpore's `pad_mode="same"` uses for an `h × w` input: output ⌈size/stride⌉, the total
    /// padding split with the extra row or column at the bottom or right.
    public static func samePadding(height h: Int, width w: Int, kernel: (Int, Int), stride: (Int, Int), dilation: (Int, Int) = (1, 1))
        -> (top: Int, bottom: Int, left: Int, right: Int) {
        func split(_ size: Int, _ k: Int, _ s: Int, _ d: Int) -> (Int, Int) {
            // Checked: absurd sizes give an impossible padding (Int.max), which the op then reports.
            let s = Swift.max(s, 1)
            guard size >= 0, k >= 0, d >= 0, let padded = SizeArithmetic.sum(size, s - 1),
                  let covered = SizeArithmetic.product(padded / s - 1, s),
                  let span = SizeArithmetic.product(k - 1, d).flatMap({ SizeArithmetic.sum(covered, $0) }) else { return (Int.max, Int.max) }
            let total = Swift.max(span - size + 1, 0)
            return (total / 2, total - total / 2)
        }
        let (t, b) = split(h, kernel.0, stride.0, dilation.0), (l, r) = split(w, kernel.1, stride.1, dilation.1)
        return (t, b, l, r)
    }

    /// The output height and width for an `h × w` input, or nil if the window does not fit.
    func outputSize(height h: Int, width w: Int) -> (Int, Int)? {
        guard kernel.0 > 0, kernel.1 > 0, stride.0 > 0, stride.1 > 0, dilation.0 > 0, dilation.1 > 0,
              padding.top >= 0, padding.bottom >= 0, padding.left >= 0, padding.right >= 0 else { return nil }
        // Checked: a kernel, dilation or padding near Int.max is an error, not an overflow.
        func extent(_ size: Int, _ before: Int, _ after: Int, _ k: Int, _ d: Int, _ s: Int) -> Int? {
            guard let span = SizeArithmetic.product(k - 1, d), let padded = SizeArithmetic.sum(size, before).flatMap({ SizeArithmetic.sum($0, after) }),
                  padded > span else { return nil }
            return (padded - span - 1) / s + 1
        }
        guard let oh = extent(h, padding.top, padding.bottom, kernel.0, dilation.0, stride.0),
              let ow = extent(w, padding.left, padding.right, kernel.1, dilation.1, stride.1) else { return nil }
        return (oh, ow)
    }
}

enum ConvolutionKernels {
    /// cols[(c·kh + i)·kw + j, oy·ow + ox] = x[c, oy·sh − pt + i·dh, ox·sw − pl + j·dw] (0 outside).
    static func im2col<T: BLASElement>(_ x: UnsafePointer<T>, channels: Int, height: Int, width: Int, window: Window2D,
                                       outH: Int, outW: Int, into cols: UnsafeMutablePointer<T>) {
        let (kh, kw) = window.kernel, (sh, sw) = window.stride, (dh, dw) = window.dilation
        let (pt, pl) = (window.padding.top, window.padding.left)
        let plane = outH * outW
        for c in 0..<channels {
            for i in 0..<kh {
                for j in 0..<kw {
                    let row = cols + ((c * kh + i) * kw + j) * plane
                    for oy in 0..<outH {
                        let y = oy * sh - pt + i * dh
                        let dst = row + oy * outW
                        guard y >= 0 && y < height else {
                            for ox in 0..<outW { dst[ox] = 0 }
                            continue
                        }
                        let src = x + (c * height + y) * width
                        for ox in 0..<outW {
                            let xx = ox * sw - pl + j * dw
                            dst[ox] = xx >= 0 && xx < width ? src[xx] : 0
                        }
                    }
                }
            }
        }
    }

    /// The adjoint of im2col: adds each column entry back into its image position.
    static func col2im<T: BLASElement>(_ cols: UnsafePointer<T>, channels: Int, height: Int, width: Int, window: Window2D,
                                       outH: Int, outW: Int, into x: UnsafeMutablePointer<T>) {
        let (kh, kw) = window.kernel, (sh, sw) = window.stride, (dh, dw) = window.dilation
        let (pt, pl) = (window.padding.top, window.padding.left)
        let plane = outH * outW
        for c in 0..<channels {
            for i in 0..<kh {
                for j in 0..<kw {
                    let row = cols + ((c * kh + i) * kw + j) * plane
                    for oy in 0..<outH {
                        let y = oy * sh - pt + i * dh
                        guard y >= 0 && y < height else { continue }
                        let dst = x + (c * height + y) * width
                        let src = row + oy * outW
                        for ox in 0..<outW {
                            let xx = ox * sw - pl + j * dw
                            if xx >= 0 && xx < width { dst[xx] += src[ox] }
                        }
                    }
                }
            }
        }
    }

    static func forward<T: BLASElement>(_: T.Type, x: Tensor, weight: Tensor, window: Window2D, outH: Int, outW: Int) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let o = weight.shape[0], ckk = c * window.kernel.0 * window.kernel.1, plane = outH * outW
        guard ckk > 0, plane > 0, o > 0 else { return Tensor.zeros([n, o, outH, outW], dtype: x.dtype) }
        let out = Tensor.uninitialized([n, o, outH, outW], dtype: x.dtype)
        let cols = Tensor.uninitialized([ckk, plane], dtype: x.dtype)
        let px = x.buffer.pointer(T.self), pw = weight.buffer.pointer(T.self)
        let pc = cols.buffer.pointer(T.self), po = out.buffer.pointer(T.self)
        for b in 0..<n {
            im2col(px + b * c * h * w, channels: c, height: h, width: w, window: window, outH: outH, outW: outW, into: pc)
            T.gemm(transA: false, transB: false, m: o, n: plane, k: ckk, alpha: 1, a: pw, lda: ckk, b: pc, ldb: plane,
                   beta: 0, c: po + b * o * plane, ldc: plane)
        }
        return out
    }

    /// ∂L/∂x of a convolution: for each image, cols = Wᵀ · G_b (a gemm with the transpose flag) scattered back
    /// by col2im. The input's height and width come from `inputShape` (a stride may drop trailing rows).
    static func inputGradient<T: BLASElement>(_: T.Type, g: Tensor, weight: Tensor, inputShape: [Int], window: Window2D) -> Tensor {
        let (n, c, h, w) = (inputShape[0], inputShape[1], inputShape[2], inputShape[3])
        let (o, outH, outW) = (g.shape[1], g.shape[2], g.shape[3])
        let ckk = c * window.kernel.0 * window.kernel.1, plane = outH * outW
        let dx = Tensor.zeros(inputShape, dtype: g.dtype)
        guard ckk > 0, plane > 0, o > 0 else { return dx }
        let cols = Tensor.uninitialized([ckk, plane], dtype: g.dtype)
        let pw = weight.buffer.pointer(T.self), pg = g.buffer.pointer(T.self)
        let pc = cols.buffer.pointer(T.self), pd = dx.buffer.pointer(T.self)
        for b in 0..<n {
            T.gemm(transA: true, transB: false, m: ckk, n: plane, k: o, alpha: 1, a: pw, lda: ckk, b: pg + b * o * plane, ldb: plane,
                   beta: 0, c: pc, ldc: plane)
            col2im(pc, channels: c, height: h, width: w, window: window, outH: outH, outW: outW, into: pd + b * c * h * w)
        }
        return dx
    }

    /// ∂L/∂W of a convolution: Σ_b G_b · im2col(x_b)ᵀ, accumulated by the gemm itself (β = 1 after the first image).
    static func weightGradient<T: BLASElement>(_: T.Type, x: Tensor, g: Tensor, weightShape: [Int], window: Window2D) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (o, outH, outW) = (g.shape[1], g.shape[2], g.shape[3])
        let ckk = c * window.kernel.0 * window.kernel.1, plane = outH * outW
        guard n > 0, ckk > 0, plane > 0, o > 0 else { return Tensor.zeros(weightShape, dtype: g.dtype) }
        let dw = Tensor.uninitialized(weightShape, dtype: g.dtype)
        let cols = Tensor.uninitialized([ckk, plane], dtype: g.dtype)
        let px = x.buffer.pointer(T.self), pg = g.buffer.pointer(T.self)
        let pc = cols.buffer.pointer(T.self), pd = dw.buffer.pointer(T.self)
        for b in 0..<n {
            im2col(px + b * c * h * w, channels: c, height: h, width: w, window: window, outH: outH, outW: outW, into: pc)
            T.gemm(transA: false, transB: true, m: o, n: ckk, k: plane, alpha: 1, a: pg + b * o * plane, lda: plane, b: pc, ldb: plane,
                   beta: b == 0 ? 0 : 1, c: pd, ldc: ckk)
        }
        return dw
    }
}

/// 2-D cross-correlation of `x: (N, C, H, W)` with `weight: (O, C, kh, kw)`, MindSpore's `ops.conv2d` (no bias).
///
/// ∂L/∂W = Σ_b G_b · im2col(x_b)ᵀ and ∂L/∂x_b = col2im(Wᵀ · G_b), all as flagged gemms. Both are ops with
/// pullbacks of their own (`conv2dBackpropFilter`, `conv2dBackpropInput`), so second derivatives flow through.
///
/// ```swift
/// let y = conv2d(x, weight: w, window: Window2D(kernel: (3, 3), padding: (1, 1, 1, 1)))   // same size
/// ```
public func conv2d(_ x: Tensor, weight: Tensor, window: Window2D) -> Tensor {
    let dtype = DType.promoted(x.dtype, weight.dtype).floatingPoint
    if dtype.kernelDType != dtype {
        // float16/bfloat16 convolve in float32 and round back once (recorded through astype).
        return conv2d(x.astype(.float32), weight: weight.astype(.float32), window: window).astype(dtype)
    }
    func fail(_ expected: String) -> Tensor {
        reportError(TensorError(op: "conv2d", message: "input \(x.shape) and weight \(weight.shape) with kernel \(window.kernel), stride "
            + "\(window.stride), dilation \(window.dilation), padding \(window.padding): expected \(expected)"))
        return Tensor.placeholder(dtype: dtype)
    }
    guard x.rank == 4, weight.rank == 4 else { return fail("a rank-4 (N, C, H, W) input and a rank-4 (O, C, kh, kw) weight") }
    guard x.shape[1] == weight.shape[1] else { return fail("the input's \(x.shape[1]) channels to equal the weight's C = \(weight.shape[1])") }
    guard weight.shape[2] == window.kernel.0, weight.shape[3] == window.kernel.1 else {
        return fail("the weight's kernel \(weight.shape[2])×\(weight.shape[3]) to equal the window's")
    }
    guard let (outH, outW) = window.outputSize(height: x.shape[2], width: x.shape[3]) else {
        return fail("positive kernel, stride and dilation, padding ≥ 0, and a padded input at least as large as the dilated kernel")
    }
    // The output and the im2col matrix [C·kh·kw, outH·outW] are new sizes: check both.
    guard Tensor.canAllocate([x.shape[0], weight.shape[0], outH, outW], dtype: dtype, op: "conv2d"),
          Tensor.canAllocate([SizeArithmetic.count(of: weight.shape.dropFirst()), outH, outW], dtype: dtype, op: "conv2d") else {
        return Tensor.placeholder(dtype: dtype)
    }
    let xs = x.converted(to: dtype), ws = weight.converted(to: dtype)
    let out = dtype == .float64
        ? ConvolutionKernels.forward(Double.self, x: xs, weight: ws, window: window, outH: outH, outW: outW)
        : ConvolutionKernels.forward(Float.self, x: xs, weight: ws, window: window, outH: outH, outW: outW)
    guard x.isRecorded || weight.isRecorded else { return out }
    let (inputShape, weightShape) = (x.shape, weight.shape)
    // The pullback is made of the two recorded ops below, so a gradient penalty (‖∂y/∂x‖²) differentiates it again.
    return out.recorded(x, weight) { g, needed in
        (needed[0] ? conv2dBackpropInput(g, weight: weight, inputShape: inputShape, window: window) : nil,
         needed[1] ? conv2dBackpropFilter(x, gradient: g, weightShape: weightShape, window: window) : nil)
    }
}

/// ∂L/∂x of ``conv2d(_:weight:window:)`` as an op of its own (MindSpore's `Conv2DBackpropInput`, a transposed
/// convolution): `dx_b = col2im(Wᵀ · G_b)` with `dx` of shape `inputShape`.
///
/// Linear in both arguments, so its pullback is made of the convolution family again:
/// ∂L/∂G = conv2d(U, W) and ∂L/∂W = conv2dBackpropFilter(U, G), for an upstream U shaped like the input.
///
/// ```swift
/// // doc-example: internal
/// let (x, w, window) = (Tensor.zeros([1, 1, 4, 4]), Tensor.zeros([2, 1, 3, 3]), Window2D(kernel: (3, 3)))
/// let g = Tensor.ones([1, 2, 2, 2])   // the shape of conv2d(x, weight: w, window: window)
/// let dx = conv2dBackpropInput(g, weight: w, inputShape: x.shape, window: window)   // = ∂⟨conv2d(x, w), g⟩/∂x
/// ```
func conv2dBackpropInput(_ gradient: Tensor, weight: Tensor, inputShape: [Int], window: Window2D) -> Tensor {
    let dtype = DType.promoted(gradient.dtype, weight.dtype).floatingPoint
    guard gradient.rank == 4, weight.rank == 4, inputShape.count == 4, gradient.shape[0] == inputShape[0], gradient.shape[1] == weight.shape[0],
          weight.shape[1] == inputShape[1], weight.shape[2] == window.kernel.0, weight.shape[3] == window.kernel.1,
          let (outH, outW) = window.outputSize(height: inputShape[2], width: inputShape[3]), gradient.shape[2] == outH, gradient.shape[3] == outW else {
        reportError(TensorError(op: "conv2dBackpropInput", message: "gradient \(gradient.shape) and weight \(weight.shape) do not fit an input of shape \(inputShape) under the window (kernel \(window.kernel), stride \(window.stride), dilation \(window.dilation), padding \(window.padding))"))
        return Tensor.placeholder(dtype: dtype)
    }
    let gs = gradient.converted(to: dtype), ws = weight.converted(to: dtype)
    let out = dtype == .float64
        ? ConvolutionKernels.inputGradient(Double.self, g: gs, weight: ws, inputShape: inputShape, window: window)
        : ConvolutionKernels.inputGradient(Float.self, g: gs, weight: ws, inputShape: inputShape, window: window)
    guard gradient.isRecordedOnActiveTape || weight.isRecordedOnActiveTape else { return out }
    let weightShape = weight.shape
    return out.recorded(gradient, weight) { u, needed in
        (needed[0] ? conv2d(u, weight: weight, window: window) : nil,
         needed[1] ? conv2dBackpropFilter(u, gradient: gradient, weightShape: weightShape, window: window) : nil)
    }
}

/// ∂L/∂W of ``conv2d(_:weight:window:)`` as an op of its own (MindSpore's `Conv2DBackpropFilter`):
/// `dW = Σ_b G_b · im2col(x_b)ᵀ`, of shape `weightShape`.
///
/// Linear in both arguments: ∂L/∂x = conv2dBackpropInput(G, V) and ∂L/∂G = conv2d(x, V), for an upstream V
/// shaped like the weight.
///
/// ```swift
/// // doc-example: internal
/// let (x, w, window) = (Tensor.zeros([1, 1, 4, 4]), Tensor.zeros([2, 1, 3, 3]), Window2D(kernel: (3, 3)))
/// let g = Tensor.ones([1, 2, 2, 2])   // the shape of conv2d(x, weight: w, window: window)
/// let dw = conv2dBackpropFilter(x, gradient: g, weightShape: w.shape, window: window)   // = ∂⟨conv2d(x, w), g⟩/∂w
/// ```
func conv2dBackpropFilter(_ x: Tensor, gradient: Tensor, weightShape: [Int], window: Window2D) -> Tensor {
    let dtype = DType.promoted(x.dtype, gradient.dtype).floatingPoint
    guard x.rank == 4, gradient.rank == 4, weightShape.count == 4, gradient.shape[0] == x.shape[0], gradient.shape[1] == weightShape[0],
          weightShape[1] == x.shape[1], weightShape[2] == window.kernel.0, weightShape[3] == window.kernel.1,
          let (outH, outW) = window.outputSize(height: x.shape[2], width: x.shape[3]), gradient.shape[2] == outH, gradient.shape[3] == outW else {
        reportError(TensorError(op: "conv2dBackpropFilter", message: "input \(x.shape) and gradient \(gradient.shape) do not fit a weight of shape \(weightShape) under the window (kernel \(window.kernel), stride \(window.stride), dilation \(window.dilation), padding \(window.padding))"))
        return Tensor.placeholder(dtype: dtype)
    }
    let xs = x.converted(to: dtype), gs = gradient.converted(to: dtype)
    let out = dtype == .float64
        ? ConvolutionKernels.weightGradient(Double.self, x: xs, g: gs, weightShape: weightShape, window: window)
        : ConvolutionKernels.weightGradient(Float.self, x: xs, g: gs, weightShape: weightShape, window: window)
    guard x.isRecordedOnActiveTape || gradient.isRecordedOnActiveTape else { return out }
    let inputShape = x.shape
    return out.recorded(x, gradient) { v, needed in
        (needed[0] ? conv2dBackpropInput(gradient, weight: v, inputShape: inputShape, window: window) : nil,
         needed[1] ? conv2d(x, weight: v, window: window) : nil)
    }
}
