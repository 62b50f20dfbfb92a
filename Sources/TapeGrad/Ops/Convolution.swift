// 2-D convolution (NCHW) as im2col + one gemm per group of images (the whole batch unless its im2col matrix
// would pass 16 MB), and its two backward ops (input and weight gradients), each a kernel of flagged gemms
// and col2im/im2col. The three ops are each other's pullbacks,
// so derivatives of any order flow through convolutions; with no enclosing tape the backward ops are plain
// kernel calls.

enum ConvolutionKernels {
    /// The most elements an im2col matrix over several images may hold (16 MB of float32): a batch is
    /// convolved in groups of that many images (at least one), each group with one gemm per product. The
    /// kernels take it as `budget` (tests pass small ones to exercise several groups).
    static let groupBudget = 1 << 22

    /// The images per group for im2col matrices of `colsPerImage` elements (at least one).
    static func groupSize(batch n: Int, colsPerImage: Int, budget: Int) -> Int { Swift.max(1, Swift.min(n, budget / Swift.max(colsPerImage, 1))) }

    /// The range of output columns `ox` whose input column `ox·sw − pl + j·dw` lies inside `0..<width`.
    @inline(__always)
    static func insideColumns(outW: Int, width: Int, stride sw: Int, offset: Int) -> Range<Int> {
        // ox·sw + offset ≥ 0  ⇔  ox ≥ ⌈−offset / sw⌉;  ox·sw + offset ≤ width − 1  ⇔  ox ≤ ⌊(width − 1 − offset) / sw⌋.
        let lo = offset >= 0 ? 0 : (-offset + sw - 1) / sw, last = width - 1 - offset
        let hi = last < 0 ? 0 : Swift.min(outW, last / sw + 1)
        return lo < hi ? lo..<hi : 0..<0
    }

    /// cols[(c·kh + i)·kw + j, oy·ow + ox] = x[c, oy·sh − pt + i·dh, ox·sw − pl + j·dw] (0 outside), with
    /// `ld` elements between rows of `cols` (`outH·outW` for one image alone; more when images sit side by side).
    static func im2col<T: BLASElement>(_ x: UnsafePointer<T>, channels: Int, height: Int, width: Int, window: Window2D,
                                       outH: Int, outW: Int, into cols: UnsafeMutablePointer<T>, ld: Int) {
        let (kh, kw) = window.kernel, (sh, sw) = window.stride, (dh, dw) = window.dilation
        let (pt, pl) = (window.padding.top, window.padding.left)
        // Stride 1 with the output as wide as the input ('same' padding): output row oy + 1 reads the input
        // row after oy's, so the rows inside the image are one contiguous copy (border columns fixed after).
        let contiguous = sw == 1 && sh * width == outW
        for c in 0..<channels {
            for i in 0..<kh {
                let rows = insideColumns(outW: outH, width: height, stride: sh, offset: i * dh - pt)
                for j in 0..<kw {
                    let row = cols + ((c * kh + i) * kw + j) * ld
                    let offset = j * dw - pl
                    let inside = insideColumns(outW: outW, width: width, stride: sw, offset: offset)
                    if contiguous {
                        guard !inside.isEmpty, !rows.isEmpty else { row.update(repeating: 0, count: outH * outW); continue }
                        // dst[q] = src[q + offset] for q = oy·outW + ox, src the input shifted by i·dh − pt rows.
                        let src = x + (c * height + i * dh - pt) * width + offset
                        let start = rows.lowerBound * outW + inside.lowerBound, end = (rows.upperBound - 1) * outW + inside.upperBound
                        row.update(repeating: 0, count: start)
                        (row + start).update(from: src + start, count: end - start)
                        (row + end).update(repeating: 0, count: outH * outW - end)
                        zeroBorders(row, rows: rows, outW: outW, inside: inside)
                        continue
                    }
                    for oy in 0..<outH {
                        let dst = row + oy * outW
                        guard rows.contains(oy), !inside.isEmpty else {
                            dst.update(repeating: 0, count: outW)
                            continue
                        }
                        let src = x + (c * height + oy * sh - pt + i * dh) * width + offset
                        if inside.lowerBound > 0 { dst.update(repeating: 0, count: inside.lowerBound) }
                        if sw == 1 {
                            (dst + inside.lowerBound).update(from: src + inside.lowerBound, count: inside.count)
                        } else {
                            for ox in inside { dst[ox] = src[ox * sw] }
                        }
                        if inside.upperBound < outW { (dst + inside.upperBound).update(repeating: 0, count: outW - inside.upperBound) }
                    }
                }
            }
        }
    }

    /// Zeroes the columns outside `inside` in rows `rows` of an [outH, outW] plane (a padding of a column or two:
    /// single stores, not memset calls).
    @inline(__always)
    static func zeroBorders<T: BLASElement>(_ plane: UnsafeMutablePointer<T>, rows: Range<Int>, outW: Int, inside: Range<Int>) {
        guard inside.lowerBound > 0 || inside.upperBound < outW else { return }
        for oy in rows {
            let r = plane + oy * outW
            for ox in 0..<inside.lowerBound { r[ox] = 0 }
            for ox in inside.upperBound..<outW { r[ox] = 0 }
        }
    }

    /// The adjoint of im2col: adds each column entry back into its image position (`ld` as in im2col). In the
    /// contiguous case (see im2col) the entries that fall on padding are zeroed in `cols` first, which is why
    /// `cols` is mutable: it is scratch.
    static func col2im<T: BLASElement>(_ cols: UnsafeMutablePointer<T>, channels: Int, height: Int, width: Int, window: Window2D,
                                       outH: Int, outW: Int, into x: UnsafeMutablePointer<T>, ld: Int) {
        let (kh, kw) = window.kernel, (sh, sw) = window.stride, (dh, dw) = window.dilation
        let (pt, pl) = (window.padding.top, window.padding.left)
        let contiguous = sw == 1 && sh * width == outW
        for c in 0..<channels {
            for i in 0..<kh {
                let rows = insideColumns(outW: outH, width: height, stride: sh, offset: i * dh - pt)
                for j in 0..<kw {
                    let row = cols + ((c * kh + i) * kw + j) * ld
                    let offset = j * dw - pl
                    let inside = insideColumns(outW: outW, width: width, stride: sw, offset: offset)
                    guard !inside.isEmpty, !rows.isEmpty else { continue }
                    if contiguous {
                        zeroBorders(row, rows: rows, outW: outW, inside: inside)
                        let dst = x + (c * height + i * dh - pt) * width + offset
                        let start = rows.lowerBound * outW + inside.lowerBound, end = (rows.upperBound - 1) * outW + inside.upperBound
                        for q in start..<end { dst[q] += row[q] }
                        continue
                    }
                    for oy in rows {
                        let dst = x + (c * height + oy * sh - pt + i * dh) * width + offset
                        let src = row + oy * outW
                        if sw == 1 {
                            for ox in inside { dst[ox] += src[ox] }
                        } else {
                            for ox in inside { dst[ox * sw] += src[ox] }
                        }
                    }
                }
            }
        }
    }

    /// The im2col matrices of images `first..<first + count` side by side: [C·kh·kw, count·plane], in parallel.
    static func im2colGroup<T: BLASElement>(_ x: UnsafePointer<T>, first: Int, count: Int, channels c: Int, height h: Int, width w: Int,
                                            window: Window2D, outH: Int, outW: Int, into cols: UnsafeMutablePointer<T>) {
        let plane = outH * outW, ckk = c * window.kernel.0 * window.kernel.1
        Parallel.forEachRange(items: count, itemCost: ckk * plane) { lo, hi in
            for b in lo..<hi {
                im2col(x + (first + b) * c * h * w, channels: c, height: h, width: w, window: window, outH: outH, outW: outW,
                       into: cols + b * plane, ld: count * plane)
            }
        }
    }

    /// Moves `count` blocks of [rows, plane] (image-major, `src[b, r, :]`) to [rows, count·plane]
    /// (`dst[r, b·plane …]`), or back with `toImages`.
    static func regroup<T: BLASElement>(_ src: UnsafePointer<T>, _ dst: UnsafeMutablePointer<T>, count: Int, rows: Int, plane: Int, toImages: Bool) {
        Parallel.forEachRange(items: count, itemCost: rows * plane) { lo, hi in
            for b in lo..<hi {
                for r in 0..<rows {
                    let image = b * rows * plane + r * plane, side = r * count * plane + b * plane
                    if toImages { (dst + image).update(from: src + side, count: plane) } else { (dst + side).update(from: src + image, count: plane) }
                }
            }
        }
    }

    /// Y_b = W · im2col(x_b) for a group of images at once: one gemm [O, C·kh·kw] · [C·kh·kw, G·plane]; with
    /// `groups` > 1, one gemm per channel group k on the weight rows, im2col rows and output rows of that group
    /// (pointer offsets, no copies): Y[k·O/g ..< (k+1)·O/g] = W[k·O/g ..< (k+1)·O/g] · cols[k·C·kh·kw/g ..< (k+1)·C·kh·kw/g].
    static func forward<T: BLASElement>(_: T.Type, x: Tensor, weight: Tensor, window: Window2D, outH: Int, outW: Int,
                                        groups: Int = 1, budget: Int = groupBudget) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let o = weight.shape[0], ckk = c * window.kernel.0 * window.kernel.1, plane = outH * outW
        guard ckk > 0, plane > 0, o > 0 else { return Tensor.zeros([n, o, outH, outW], dtype: x.dtype) }
        let out = Tensor.uninitialized([n, o, outH, outW], dtype: x.dtype)
        let group = groupSize(batch: n, colsPerImage: ckk * plane, budget: budget)
        let cols = Tensor.uninitialized([ckk, group * plane], dtype: x.dtype)
        let side = group > 1 ? Tensor.uninitialized([o, group * plane], dtype: x.dtype) : nil
        let px = x.buffer.pointer(T.self), pw = weight.buffer.pointer(T.self)
        let pc = cols.buffer.pointer(T.self), po = out.buffer.pointer(T.self)
        for first in stride(from: 0, to: n, by: group) {
            let count = Swift.min(group, n - first)
            im2colGroup(px, first: first, count: count, channels: c, height: h, width: w, window: window, outH: outH, outW: outW, into: pc)
            // One image: straight into the output; several: side by side, then moved to image-major order.
            let sidePointer = count > 1 ? side?.buffer.pointer(T.self) : nil
            let target = sidePointer ?? po + first * o * plane, (og, kg, ld) = (o / groups, ckk / groups, count * plane)
            for k in 0..<groups {
                T.gemm(transA: false, transB: false, m: og, n: ld, k: kg, alpha: 1, a: pw + k * og * kg, lda: kg, b: pc + k * kg * ld, ldb: ld,
                       beta: 0, c: target + k * og * ld, ldc: ld)
            }
            if let sidePointer { regroup(sidePointer, po + first * o * plane, count: count, rows: o, plane: plane, toImages: true) }
        }
        return withExtendedLifetime((cols, side)) { out }
    }

    /// ∂L/∂x of a convolution: for a group of images, cols = Wᵀ · [G_b side by side] (one gemm with the transpose
    /// flag), scattered back image by image by col2im. The input's height and width come from `inputShape` (a
    /// stride may drop trailing rows). With `groups` > 1, one gemm per channel group on that group's slices.
    static func inputGradient<T: BLASElement>(_: T.Type, g: Tensor, weight: Tensor, inputShape: [Int], window: Window2D,
                                              groups: Int = 1, budget: Int = groupBudget) -> Tensor {
        let (n, c, h, w) = (inputShape[0], inputShape[1], inputShape[2], inputShape[3])
        let (o, outH, outW) = (g.shape[1], g.shape[2], g.shape[3])
        let ckk = c * window.kernel.0 * window.kernel.1, plane = outH * outW
        guard ckk > 0, plane > 0, o > 0 else { return Tensor.zeros(inputShape, dtype: g.dtype) }
        let dx = Tensor.uninitialized(inputShape, dtype: g.dtype)
        let group = groupSize(batch: n, colsPerImage: ckk * plane, budget: budget)
        let cols = Tensor.uninitialized([ckk, group * plane], dtype: g.dtype)
        let side = group > 1 ? Tensor.uninitialized([o, group * plane], dtype: g.dtype) : nil
        let pw = weight.buffer.pointer(T.self), pg = g.buffer.pointer(T.self)
        let pc = cols.buffer.pointer(T.self), pd = dx.buffer.pointer(T.self)
        for first in stride(from: 0, to: n, by: group) {
            let count = Swift.min(group, n - first)
            var gs = UnsafePointer(pg + first * o * plane)
            if count > 1, let side {
                regroup(gs, side.buffer.pointer(T.self), count: count, rows: o, plane: plane, toImages: false)
                gs = UnsafePointer(side.buffer.pointer(T.self))
            }
            let (og, kg, ld) = (o / groups, ckk / groups, count * plane)
            for k in 0..<groups {
                T.gemm(transA: true, transB: false, m: kg, n: ld, k: og, alpha: 1, a: pw + k * og * kg, lda: kg, b: gs + k * og * ld, ldb: ld,
                       beta: 0, c: pc + k * kg * ld, ldc: ld)
            }
            Parallel.forEachRange(items: count, itemCost: ckk * plane) { lo, hi in
                for b in lo..<hi {
                    let image = pd + (first + b) * c * h * w
                    image.update(repeating: 0, count: c * h * w)
                    col2im(pc + b * plane, channels: c, height: h, width: w, window: window, outH: outH, outW: outW, into: image, ld: count * plane)
                }
            }
        }
        return withExtendedLifetime((cols, side)) { dx }
    }

    /// ∂L/∂W of a convolution: Σ_b G_b · im2col(x_b)ᵀ, for a group of images one gemm over all their output
    /// positions ([G_b side by side] · [im2col(x_b) side by side]ᵀ), groups accumulated by the gemm (β = 1). With
    /// `groups` > 1, one gemm per channel group writing that group's rows of ∂W.
    static func weightGradient<T: BLASElement>(_: T.Type, x: Tensor, g: Tensor, weightShape: [Int], window: Window2D,
                                               groups: Int = 1, budget: Int = groupBudget) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (o, outH, outW) = (g.shape[1], g.shape[2], g.shape[3])
        let ckk = c * window.kernel.0 * window.kernel.1, plane = outH * outW
        guard n > 0, ckk > 0, plane > 0, o > 0 else { return Tensor.zeros(weightShape, dtype: g.dtype) }
        let dw = Tensor.uninitialized(weightShape, dtype: g.dtype)
        let group = groupSize(batch: n, colsPerImage: ckk * plane, budget: budget)
        let cols = Tensor.uninitialized([ckk, group * plane], dtype: g.dtype)
        let side = group > 1 ? Tensor.uninitialized([o, group * plane], dtype: g.dtype) : nil
        let px = x.buffer.pointer(T.self), pg = g.buffer.pointer(T.self)
        let pc = cols.buffer.pointer(T.self), pd = dw.buffer.pointer(T.self)
        for first in stride(from: 0, to: n, by: group) {
            let count = Swift.min(group, n - first)
            im2colGroup(px, first: first, count: count, channels: c, height: h, width: w, window: window, outH: outH, outW: outW, into: pc)
            var gs = UnsafePointer(pg + first * o * plane)
            if count > 1, let side {
                regroup(gs, side.buffer.pointer(T.self), count: count, rows: o, plane: plane, toImages: false)
                gs = UnsafePointer(side.buffer.pointer(T.self))
            }
            let (og, kg, ld) = (o / groups, ckk / groups, count * plane)
            for k in 0..<groups {
                T.gemm(transA: false, transB: true, m: og, n: kg, k: ld, alpha: 1, a: gs + k * og * ld, lda: ld, b: pc + k * kg * ld, ldb: ld,
                       beta: first == 0 ? 0 : 1, c: pd + k * og * kg, ldc: kg)
            }
        }
        return withExtendedLifetime((cols, side)) { dw }
    }
}

/// What is wrong with `groups` for a convolution over `channels` input and `outChannels` output channels whose
/// weight holds `weightChannels` input channels per output channel (C/groups), or nil when they fit.
func convolutionGroupProblem(channels c: Int, outChannels o: Int, weightChannels wc: Int, groups: Int) -> String? {
    guard groups >= 1 else { return "groups ≥ 1 (got \(groups))" }
    guard SizeArithmetic.product(wc, groups) == c else {
        return groups == 1 ? "the input's \(c) channels to equal the weight's C = \(wc)"
            : "the input's \(c) channels to equal groups \(groups) × the weight's C/groups = \(wc)"
    }
    guard o % groups == 0 else { return "the \(o) output channels to be divisible by groups \(groups)" }
    return nil
}

/// 2-D cross-correlation of `x: (N, C, H, W)` with `weight: (O, C/groups, kh, kw)`, MindSpore's `ops.conv2d`
/// (no bias). With `groups` = g the channels split into g groups and output channel o sees only input group
/// k = ⌊o·g/O⌋: y[b, o] = Σ_{c < C/g} W[o, c] ⋆ x[b, k·C/g + c]; g = C = O is a depthwise convolution.
///
/// ∂L/∂W = Σ_b G_b · im2col(x_b)ᵀ and ∂L/∂x_b = col2im(Wᵀ · G_b), all as flagged gemms (one per group, on the
/// group's slices). Both are ops with pullbacks of their own (`conv2dBackpropFilter`, `conv2dBackpropInput`,
/// carrying `groups`), so second derivatives flow through.
///
/// ```swift
/// let y = conv2d(x, weight: w, window: Window2D(kernel: (3, 3), padding: (1, 1, 1, 1)))   // same size
/// let image = Tensor.randomNormal([1, 4, 5, 5], seed: 1)
/// let depthwise = Tensor.randomNormal([4, 1, 3, 3], seed: 2)   // (O, C/groups, kh, kw), groups = C = O = 4
/// conv2d(image, weight: depthwise, window: Window2D(kernel: (3, 3)), groups: 4).shape   // [1, 4, 3, 3]
/// ```
public func conv2d(_ x: Tensor, weight: Tensor, window: Window2D, groups: Int = 1) -> Tensor {
    let dtype = DType.promoted(x.dtype, weight.dtype).floatingPoint
    if dtype.kernelDType != dtype {
        // float16/bfloat16 convolve in float32 and round back once (recorded through astype).
        return conv2d(x.astype(.float32), weight: weight.astype(.float32), window: window, groups: groups).astype(dtype)
    }
    func fail(_ expected: String) -> Tensor {
        reportError(TensorError(op: "conv2d", message: "input \(x.shape) and weight \(weight.shape) with groups \(groups), kernel \(window.kernel), "
            + "stride \(window.stride), dilation \(window.dilation), padding \(window.padding): expected \(expected)"))
        return Tensor.placeholder(dtype: dtype)
    }
    guard x.rank == 4, weight.rank == 4 else { return fail("a rank-4 (N, C, H, W) input and a rank-4 (O, C/groups, kh, kw) weight") }
    if let problem = convolutionGroupProblem(channels: x.shape[1], outChannels: weight.shape[0], weightChannels: weight.shape[1], groups: groups) {
        return fail(problem)
    }
    guard weight.shape[2] == window.kernel.0, weight.shape[3] == window.kernel.1 else {
        return fail("the weight's kernel \(weight.shape[2])×\(weight.shape[3]) to equal the window's")
    }
    guard let (outH, outW) = window.outputSize(height: x.shape[2], width: x.shape[3]) else {
        return fail("positive kernel, stride and dilation, padding ≥ 0, and a padded input at least as large as the dilated kernel")
    }
    // The output and the im2col matrix [C·kh·kw, outH·outW] are new sizes: check both.
    guard Tensor.canAllocate([x.shape[0], weight.shape[0], outH, outW], dtype: dtype, op: "conv2d"),
          Tensor.canAllocate([x.shape[1], weight.shape[2], weight.shape[3], outH, outW], dtype: dtype, op: "conv2d") else {
        return Tensor.placeholder(dtype: dtype)
    }
    let xs = x.converted(to: dtype), ws = weight.converted(to: dtype)
    let out = dtype == .float64
        ? ConvolutionKernels.forward(Double.self, x: xs, weight: ws, window: window, outH: outH, outW: outW, groups: groups)
        : ConvolutionKernels.forward(Float.self, x: xs, weight: ws, window: window, outH: outH, outW: outW, groups: groups)
    guard x.isRecorded || weight.isRecorded else { return out }
    let (inputShape, weightShape) = (x.shape, weight.shape)
    // The pullback is made of the two recorded ops below, so a gradient penalty (‖∂y/∂x‖²) differentiates it again.
    return out.recorded(x, weight) { g, needed in
        (needed[0] ? conv2dBackpropInput(g, weight: weight, inputShape: inputShape, window: window, groups: groups) : nil,
         needed[1] ? conv2dBackpropFilter(x, gradient: g, weightShape: weightShape, window: window, groups: groups) : nil)
    }
}

/// ∂L/∂x of ``conv2d(_:weight:window:groups:)`` as an op of its own (MindSpore's `Conv2DBackpropInput`, a transposed
/// convolution): `dx_b = col2im(Wᵀ · G_b)` with `dx` of shape `inputShape` (per channel group with `groups` > 1).
///
/// Linear in both arguments, so its pullback is made of the convolution family again:
/// ∂L/∂G = conv2d(U, W) and ∂L/∂W = conv2dBackpropFilter(U, G), for an upstream U shaped like the input.
///
/// ```swift
/// // doc-example: internal
/// let (x, w, window) = (Tensor.zeros([1, 1, 4, 4]), Tensor.zeros([2, 1, 3, 3]), Window2D(kernel: (3, 3)))
/// let g = Tensor.ones([1, 2, 2, 2])   // the shape of conv2d(x, weight: w, window: window)
/// let dx = conv2dBackpropInput(g, weight: w, inputShape: x.shape, window: window)   // = ∂⟨conv2d(x, w), g⟩/∂x
/// let dx2 = conv2dBackpropInput(g, weight: w, inputShape: [1, 2, 4, 4], window: window, groups: 2)   // [1, 2, 4, 4]
/// ```
func conv2dBackpropInput(_ gradient: Tensor, weight: Tensor, inputShape: [Int], window: Window2D, groups: Int = 1) -> Tensor {
    let dtype = DType.promoted(gradient.dtype, weight.dtype).floatingPoint
    guard gradient.rank == 4, weight.rank == 4, inputShape.count == 4, gradient.shape[0] == inputShape[0], gradient.shape[1] == weight.shape[0],
          convolutionGroupProblem(channels: inputShape[1], outChannels: weight.shape[0], weightChannels: weight.shape[1], groups: groups) == nil,
          weight.shape[2] == window.kernel.0, weight.shape[3] == window.kernel.1,
          let (outH, outW) = window.outputSize(height: inputShape[2], width: inputShape[3]), gradient.shape[2] == outH, gradient.shape[3] == outW else {
        reportError(TensorError(op: "conv2dBackpropInput", message: "gradient \(gradient.shape) and weight \(weight.shape) do not fit an input of shape \(inputShape) with groups \(groups) under the window (kernel \(window.kernel), stride \(window.stride), dilation \(window.dilation), padding \(window.padding))"))
        return Tensor.placeholder(dtype: dtype)
    }
    let gs = gradient.converted(to: dtype), ws = weight.converted(to: dtype)
    let out = dtype == .float64
        ? ConvolutionKernels.inputGradient(Double.self, g: gs, weight: ws, inputShape: inputShape, window: window, groups: groups)
        : ConvolutionKernels.inputGradient(Float.self, g: gs, weight: ws, inputShape: inputShape, window: window, groups: groups)
    guard gradient.isRecordedOnActiveTape || weight.isRecordedOnActiveTape else { return out }
    let weightShape = weight.shape
    return out.recorded(gradient, weight) { u, needed in
        (needed[0] ? conv2d(u, weight: weight, window: window, groups: groups) : nil,
         needed[1] ? conv2dBackpropFilter(u, gradient: gradient, weightShape: weightShape, window: window, groups: groups) : nil)
    }
}

/// ∂L/∂W of ``conv2d(_:weight:window:groups:)`` as an op of its own (MindSpore's `Conv2DBackpropFilter`):
/// `dW = Σ_b G_b · im2col(x_b)ᵀ`, of shape `weightShape` (per channel group with `groups` > 1).
///
/// Linear in both arguments: ∂L/∂x = conv2dBackpropInput(G, V) and ∂L/∂G = conv2d(x, V), for an upstream V
/// shaped like the weight.
///
/// ```swift
/// // doc-example: internal
/// let (x, w, window) = (Tensor.zeros([1, 1, 4, 4]), Tensor.zeros([2, 1, 3, 3]), Window2D(kernel: (3, 3)))
/// let g = Tensor.ones([1, 2, 2, 2])   // the shape of conv2d(x, weight: w, window: window)
/// let dw = conv2dBackpropFilter(x, gradient: g, weightShape: w.shape, window: window)   // = ∂⟨conv2d(x, w), g⟩/∂w
/// let dw2 = conv2dBackpropFilter(Tensor.zeros([1, 2, 4, 4]), gradient: g, weightShape: w.shape, window: window, groups: 2)
/// ```
func conv2dBackpropFilter(_ x: Tensor, gradient: Tensor, weightShape: [Int], window: Window2D, groups: Int = 1) -> Tensor {
    let dtype = DType.promoted(x.dtype, gradient.dtype).floatingPoint
    guard x.rank == 4, gradient.rank == 4, weightShape.count == 4, gradient.shape[0] == x.shape[0], gradient.shape[1] == weightShape[0],
          convolutionGroupProblem(channels: x.shape[1], outChannels: weightShape[0], weightChannels: weightShape[1], groups: groups) == nil,
          weightShape[2] == window.kernel.0, weightShape[3] == window.kernel.1,
          let (outH, outW) = window.outputSize(height: x.shape[2], width: x.shape[3]), gradient.shape[2] == outH, gradient.shape[3] == outW else {
        reportError(TensorError(op: "conv2dBackpropFilter", message: "input \(x.shape) and gradient \(gradient.shape) do not fit a weight of shape \(weightShape) with groups \(groups) under the window (kernel \(window.kernel), stride \(window.stride), dilation \(window.dilation), padding \(window.padding))"))
        return Tensor.placeholder(dtype: dtype)
    }
    let xs = x.converted(to: dtype), gs = gradient.converted(to: dtype)
    let out = dtype == .float64
        ? ConvolutionKernels.weightGradient(Double.self, x: xs, g: gs, weightShape: weightShape, window: window, groups: groups)
        : ConvolutionKernels.weightGradient(Float.self, x: xs, g: gs, weightShape: weightShape, window: window, groups: groups)
    guard x.isRecordedOnActiveTape || gradient.isRecordedOnActiveTape else { return out }
    let inputShape = x.shape
    return out.recorded(x, gradient) { v, needed in
        (needed[0] ? conv2dBackpropInput(gradient, weight: v, inputShape: inputShape, window: window, groups: groups) : nil,
         needed[1] ? conv2d(x, weight: v, window: window, groups: groups) : nil)
    }
}
