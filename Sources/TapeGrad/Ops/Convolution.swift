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
    return out.recorded(x, weight) { g, needed in
        let gs = g.converted(to: dtype)
        let (dx, dw) = dtype == .float64
            ? ConvolutionKernels.backward(Double.self, x: xs, weight: ws, g: gs, window: window, needInput: needed[0], needWeight: needed[1])
            : ConvolutionKernels.backward(Float.self, x: xs, weight: ws, g: gs, window: window, needInput: needed[0], needWeight: needed[1])
        return (dx, dw)
    }
}
