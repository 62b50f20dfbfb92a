// 2-D convolution (NCHW) as im2col + one gemm per image; the pullback uses gemms with transpose flags and
// col2im. (Its pullback is computed with kernels, not recorded ops: second-order gradients through conv2d
// are not supported yet.)

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
            let out = (size + s - 1) / Swift.max(s, 1)
            let total = Swift.max((out - 1) * s + (k - 1) * d + 1 - size, 0)
            return (total / 2, total - total / 2)
        }
        let (t, b) = split(h, kernel.0, stride.0, dilation.0), (l, r) = split(w, kernel.1, stride.1, dilation.1)
        return (t, b, l, r)
    }

    /// The output height and width for an `h × w` input, or nil if the window does not fit.
    func outputSize(height h: Int, width w: Int) -> (Int, Int)? {
        let effH = (kernel.0 - 1) * dilation.0 + 1, effW = (kernel.1 - 1) * dilation.1 + 1
        let ph = h + padding.top + padding.bottom, pw = w + padding.left + padding.right
        guard kernel.0 > 0, kernel.1 > 0, stride.0 > 0, stride.1 > 0, dilation.0 > 0, dilation.1 > 0, ph >= effH, pw >= effW else { return nil }
        return ((ph - effH) / stride.0 + 1, (pw - effW) / stride.1 + 1)
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

    /// (∂L/∂x, ∂L/∂W) from ∂L/∂y.
    static func backward<T: BLASElement>(_: T.Type, x: Tensor, weight: Tensor, g: Tensor, window: Window2D,
                                         needInput: Bool, needWeight: Bool) -> (Tensor?, Tensor?) {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (o, outH, outW) = (g.shape[1], g.shape[2], g.shape[3])
        let ckk = c * window.kernel.0 * window.kernel.1, plane = outH * outW
        let cols = Tensor.uninitialized([ckk, plane], dtype: x.dtype)
        let dx = needInput ? Tensor.zeros(x.shape, dtype: x.dtype) : nil
        let dw = needWeight ? Tensor.zeros(weight.shape, dtype: x.dtype) : nil
        let px = x.buffer.pointer(T.self), pw = weight.buffer.pointer(T.self), pg = g.buffer.pointer(T.self)
        let pc = cols.buffer.pointer(T.self)
        for b in 0..<n {
            let gb = pg + b * o * plane
            if let dw {
                // ∂W += G_b · cols_bᵀ
                im2col(px + b * c * h * w, channels: c, height: h, width: w, window: window, outH: outH, outW: outW, into: pc)
                T.gemm(transA: false, transB: true, m: o, n: ckk, k: plane, alpha: 1, a: gb, lda: plane, b: pc, ldb: plane,
                       beta: 1, c: dw.buffer.pointer(T.self), ldc: ckk)
            }
            if let dx {
                // ∂cols_b = Wᵀ · G_b, then col2im.
                T.gemm(transA: true, transB: false, m: ckk, n: plane, k: o, alpha: 1, a: pw, lda: ckk, b: gb, ldb: plane,
                       beta: 0, c: pc, ldc: plane)
                col2im(pc, channels: c, height: h, width: w, window: window, outH: outH, outW: outW, into: dx.buffer.pointer(T.self) + b * c * h * w)
            }
        }
        return (dx, dw)
    }
}

/// 2-D cross-correlation of `x: (N, C, H, W)` with `weight: (O, C, kh, kw)`, MindSpore's `ops.conv2d` (no bias).
///
/// ∂L/∂W = Σ_b G_b · im2col(x_b)ᵀ and ∂L/∂x_b = col2im(Wᵀ · G_b), all as flagged gemms.
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
    guard x.rank == 4, weight.rank == 4, x.shape[1] == weight.shape[1], weight.shape[2] == window.kernel.0, weight.shape[3] == window.kernel.1,
          let (outH, outW) = window.outputSize(height: x.shape[2], width: x.shape[3]) else {
        reportError(TensorError(op: "conv2d", message: "input \(x.shape) and weight \(weight.shape) do not fit the window (kernel \(window.kernel), stride \(window.stride), dilation \(window.dilation), padding \(window.padding))"))
        return Tensor.placeholder(dtype: dtype)
    }
    let xs = x.converted(to: dtype), ws = weight.converted(to: dtype)
    let out = dtype == .float64
        ? ConvolutionKernels.forward(Double.self, x: xs, weight: ws, window: window, outH: outH, outW: outW)
        : ConvolutionKernels.forward(Float.self, x: xs, weight: ws, window: window, outH: outH, outW: outW)
    guard x.isRecorded || weight.isRecorded else { return out }
    return out.recorded(x, weight) { g, needed in
        let gs = g.converted(to: dtype)
        let (dx, dw) = dtype == .float64
            ? ConvolutionKernels.backward(Double.self, x: xs, weight: ws, g: gs, window: window, needInput: needed[0], needWeight: needed[1])
            : ConvolutionKernels.backward(Float.self, x: xs, weight: ws, g: gs, window: window, needInput: needed[0], needWeight: needed[1])
        return (dx, dw)
    }
}
