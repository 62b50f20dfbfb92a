// Max and average pooling over (N, C, H, W), with their backward ops: each backward is linear in the
// upstream gradient and recorded with its adjoint as pullback, so derivatives of any order flow through.

enum PoolingKernels {
    /// Max pooling; also returns, for each output, the flat input index it came from (−1 if the window is empty).
    /// The first maximum of a window in row-major order wins; a NaN wins over numbers (the last NaN).
    static func maxForward<T: BLASElement>(_: T.Type, _ x: Tensor, _ window: Window2D, _ outH: Int, _ outW: Int) -> (Tensor, [Int]) {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let out = Tensor.uninitialized([n, c, outH, outW], dtype: x.dtype)
        let px = x.buffer.pointer(T.self), po = out.buffer.pointer(T.self)
        // Without padding every window lies inside the image: its elements are at fixed offsets from its origin,
        // the same in every plane, so they are listed once (as Int32 when a plane's indices fit).
        let unpadded = window.padding == (0, 0, 0, 0) && h * w <= Int(Int32.max)
        var origins: [Int32] = [], offsets: [Int32] = []
        if unpadded {
            let (kh, kw) = window.kernel, (sh, sw) = window.stride, (dh, dw) = window.dilation
            origins.reserveCapacity(outH * outW)
            for oy in 0..<outH { for ox in 0..<outW { origins.append(Int32(oy * sh * w + ox * sw)) } }
            for i in 0..<kh { for j in 0..<kw { offsets.append(Int32(i * dh * w + j * dw)) } }
        }
        // Every entry is written below (each plane's outputs, on either path): no fill pass first.
        let total = n * c * outH * outW
        let argmax = [Int](unsafeUninitializedCapacity: total) { am, initialized in
            initialized = total   // (the buffer may be longer than asked for)
            guard let pa = am.baseAddress else { return }
            // Planes are independent: split them over the cores (each worker writes only its planes' outputs).
            Parallel.forEachRange(items: n * c, itemCost: h * w) { first, end in
                for plane in first..<end {
                    let base = plane * h * w
                    var k = plane * outH * outW
                    if unpadded {
                        maxPlaneUnpadded(px + base, base: base, origins: origins, offsets: offsets, out: po + k, argmax: pa + k)
                        continue
                    }
                    for oy in 0..<outH {
                        for ox in 0..<outW {
                            var best = -T.infinity, at = -1
                            forEachInside(window, oy, ox, h, w) { idx in
                                let v = px[base + idx]
                                if at < 0 || v > best || v.isNaN { best = v; at = base + idx }
                            }
                            po[k] = at < 0 ? 0 : best
                            pa[k] = at
                            k += 1
                        }
                    }
                }
            }
        }
        return (out, argmax)
    }

    /// One plane of unpadded max pooling: output k is the window at `origins[k]` with elements at `offsets`
    /// (row-major). The same comparison as the general loop: a later element wins when it is greater or NaN.
    @inline(__always)
    private static func maxPlaneUnpadded<T: BLASElement>(_ p: UnsafePointer<T>, base: Int, origins: [Int32], offsets: [Int32],
                                                         out: UnsafeMutablePointer<T>, argmax: UnsafeMutablePointer<Int>) {
        var k = 0
        if T.self == Float.self {
            // Eight windows at a time with SIMD selects: a branch per comparison is a coin flip for the branch
            // predictor on real activations.
            k = p.withMemoryRebound(to: Float.self, capacity: 1) { pf in
                out.withMemoryRebound(to: Float.self, capacity: origins.count) { of in
                    maxEights(pf, base: base, origins: origins, offsets: offsets, out: of, argmax: argmax)
                }
            }
        }
        while k < origins.count {
            let origin = Int(origins[k])
            var best = p[origin], at = origin
            for offset in offsets.dropFirst() {
                let v = p[origin + Int(offset)]
                if v > best || v.isNaN { best = v; at = origin + Int(offset) }
            }
            out[k] = best
            argmax[k] = base + at
            k += 1
        }
    }

    /// Outputs `0..<8·⌊count / 8⌋` of ``maxPlaneUnpadded(_:base:origins:offsets:out:argmax:)`` for float32, eight
    /// windows per step; returns how many it did.
    @inline(__always)
    private static func maxEights(_ p: UnsafePointer<Float>, base: Int, origins: [Int32], offsets: [Int32],
                                  out: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int>) -> Int {
        origins.withUnsafeBufferPointer { og in
            offsets.withUnsafeBufferPointer { of in
                guard let po = og.baseAddress else { return 0 }
                var k = 0
                while k + 8 <= og.count {
                    let o = UnsafeRawPointer(po + k).loadUnaligned(as: SIMD8<Int32>.self)
                    @inline(__always) func gather(_ i: SIMD8<Int32>) -> SIMD8<Float> {
                        SIMD8(p[Int(i[0])], p[Int(i[1])], p[Int(i[2])], p[Int(i[3])], p[Int(i[4])], p[Int(i[5])], p[Int(i[6])], p[Int(i[7])])
                    }
                    var at = o &+ of[0]
                    var best = gather(at)
                    for e in 1..<of.count {
                        let i = o &+ of[e], v = gather(i)
                        let take = (v .> best) .| (v .!= v)
                        best.replace(with: v, where: take)
                        at.replace(with: i, where: take)
                    }
                    UnsafeMutableRawPointer(out + k).storeBytes(of: best, as: SIMD8<Float>.self)
                    UnsafeMutableRawPointer(argmax + k).storeBytes(of: SIMD8<Int>(truncatingIfNeeded: at) &+ base, as: SIMD8<Int>.self)
                    k += 8
                }
                return k
            }
        }
    }

    /// Average pooling over the window's positions inside the image (padding is not counted), with the count
    /// of each window for the pullback.
    static func averageForward<T: BLASElement>(_: T.Type, _ x: Tensor, _ window: Window2D, _ outH: Int, _ outW: Int) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let out = Tensor.uninitialized([n, c, outH, outW], dtype: x.dtype)
        let px = x.buffer.pointer(T.self), po = out.buffer.pointer(T.self)
        var k = 0
        for plane in 0..<(n * c) {
            let base = plane * h * w
            for oy in 0..<outH {
                for ox in 0..<outW {
                    var sum: T = 0, count = 0
                    forEachInside(window, oy, ox, h, w) { idx in sum += px[base + idx]; count += 1 }
                    po[k] = count > 0 ? sum / T(count) : 0
                    k += 1
                }
            }
        }
        return out
    }

    static func averageBackward<T: BLASElement>(_: T.Type, _ g: Tensor, _ inputShape: [Int], _ window: Window2D) -> Tensor {
        let (n, c, h, w) = (inputShape[0], inputShape[1], inputShape[2], inputShape[3])
        let (outH, outW) = (g.shape[2], g.shape[3])
        let dx = Tensor.zeros(inputShape, dtype: g.dtype)
        let pg = g.buffer.pointer(T.self), pd = dx.buffer.pointer(T.self)
        var k = 0
        for plane in 0..<(n * c) {
            let base = plane * h * w
            for oy in 0..<outH {
                for ox in 0..<outW {
                    var count = 0
                    forEachInside(window, oy, ox, h, w) { _ in count += 1 }
                    if count > 0 {
                        let share = pg[k] / T(count)
                        forEachInside(window, oy, ox, h, w) { idx in pd[base + idx] += share }
                    }
                    k += 1
                }
            }
        }
        return dx
    }

    /// dx[argmax[k]] += g[k]: max pooling's backward, a scatter by the saved argmax (−1: no input).
    /// The argmax of each (n, c) output plane points into the same input plane, so planes are scattered
    /// (and zeroed first) in parallel.
    static func maxBackward<T: FloatingElement>(_: T.Type, _ g: Tensor, _ argmax: [Int], _ inputShape: [Int]) -> Tensor {
        let dx = Tensor.uninitialized(inputShape, dtype: g.dtype)
        let pg = g.buffer.pointer(T.self), pd = dx.buffer.pointer(T.self)
        let planes = inputShape.count == 4 ? inputShape[0] * inputShape[1] : 0, planeSize = planes > 0 ? dx.count / planes : 0
        argmax.withUnsafeBufferPointer { at in
            guard planes > 0, at.count % planes == 0 else {
                pd.initialize(repeating: 0, count: dx.count)
                for k in 0..<at.count where at[k] >= 0 { pd[at[k]] += pg[k] }
                return
            }
            let outputsPerPlane = at.count / planes
            Parallel.forEachRange(items: planes, itemCost: planeSize) { first, end in
                (pd + first * planeSize).initialize(repeating: 0, count: (end - first) * planeSize)
                for k in (first * outputsPerPlane)..<(end * outputsPerPlane) where at[k] >= 0 { pd[at[k]] += pg[k] }
            }
        }
        return dx
    }

    /// out[k] = u[argmax[k]] (0 where argmax is −1): the adjoint of ``maxBackward(_:_:_:_:)``.
    static func maxGather<T: FloatingElement>(_: T.Type, _ u: Tensor, _ argmax: [Int], _ outputShape: [Int]) -> Tensor {
        let out = Tensor.uninitialized(outputShape, dtype: u.dtype)
        let pu = u.buffer.pointer(T.self), po = out.buffer.pointer(T.self)
        argmax.withUnsafeBufferPointer { at in
            for k in 0..<at.count { po[k] = at[k] >= 0 ? pu[at[k]] : 0 }
        }
        return out
    }

    @inline(__always)
    static func forEachInside(_ window: Window2D, _ oy: Int, _ ox: Int, _ h: Int, _ w: Int, _ body: (Int) -> Void) {
        for i in 0..<window.kernel.0 {
            let y = oy * window.stride.0 - window.padding.top + i * window.dilation.0
            guard y >= 0 && y < h else { continue }
            for j in 0..<window.kernel.1 {
                let xx = ox * window.stride.1 - window.padding.left + j * window.dilation.1
                if xx >= 0 && xx < w { body(y * w + xx) }
            }
        }
    }
}

private func poolingGeometry(_ x: Tensor, _ window: Window2D, op: String) -> (Int, Int)? {
    guard x.rank == 4, let size = window.outputSize(height: x.shape[2], width: x.shape[3]) else {
        reportError(TensorError(op: op, message: "input \(x.shape) does not fit the window (kernel \(window.kernel), stride \(window.stride), "
            + "dilation \(window.dilation), padding \(window.padding)); expected a rank-4 (N, C, H, W) input no smaller than the window, "
            + "positive kernel, stride and dilation, and padding ≥ 0"))
        return nil
    }
    guard Tensor.canAllocate([x.shape[0], x.shape[1], size.0, size.1], dtype: .float64, op: op) else { return nil }
    return size
}

/// Max pooling over `(N, C, H, W)`. ∂L/∂x routes each output's gradient to the input that was the maximum
/// (a scatter by the saved argmax, itself an op whose pullback gathers, so second derivatives flow through).
///
/// ```swift
/// maxPool2d(x, window: Window2D(kernel: (2, 2), stride: (2, 2)))
/// ```
public func maxPool2d(_ x: Tensor, window: Window2D) -> Tensor {
    let dtype = x.dtype.floatingPoint
    // float16/bfloat16 pool in float32 and round back (recorded through astype).
    if dtype.kernelDType != dtype { return maxPool2d(x.astype(.float32), window: window).astype(dtype) }
    guard let (outH, outW) = poolingGeometry(x, window, op: "maxPool2d") else { return Tensor.placeholder(dtype: dtype) }
    let xs = x.converted(to: dtype)
    let (out, argmax) = dtype == .float64
        ? PoolingKernels.maxForward(Double.self, xs, window, outH, outW) : PoolingKernels.maxForward(Float.self, xs, window, outH, outW)
    guard x.isRecorded else { return out }
    let inputShape = x.shape
    return out.recorded(x) { g in maxPool2dBackprop(g, argmax: argmax, inputShape: inputShape) }
}

/// Max pooling's backward as an op: `dx[argmax[k]] += G[k]`, zeros elsewhere (`argmax` holds flat input indices,
/// −1 for an empty window). Linear in G; its pullback gathers, ∂L/∂G[k] = U[argmax[k]].
///
/// ```swift
/// // doc-example: internal
/// let g = Tensor([5, 7])
/// let dx = maxPool2dBackprop(g, argmax: [3, 0], inputShape: [1, 1, 2, 2])   // g[0] at index 3, g[1] at 0
/// ```
func maxPool2dBackprop(_ g: Tensor, argmax: [Int], inputShape: [Int]) -> Tensor {
    let dtype = g.dtype.floatingPoint
    guard g.count == argmax.count else {   // the argmax indices were taken in an input of `inputShape`
        reportError(TensorError(op: "maxPool2dBackprop", message: "gradient \(g.shape) does not fit \(argmax.count) argmax entries into an input of shape \(inputShape)"))
        return Tensor.placeholder(dtype: dtype)
    }
    let gs = g.converted(to: dtype)
    let out = dtype == .float64 ? PoolingKernels.maxBackward(Double.self, gs, argmax, inputShape) : PoolingKernels.maxBackward(Float.self, gs, argmax, inputShape)
    guard g.isRecordedOnActiveTape else { return out }
    let outputShape = g.shape
    return out.recorded(g) { u in maxPool2dGather(u, argmax: argmax, outputShape: outputShape) }
}

/// The adjoint of ``maxPool2dBackprop(_:argmax:inputShape:)``: `out[k] = U[argmax[k]]` (0 for −1), shaped
/// `outputShape`. Its pullback is the scatter again.
func maxPool2dGather(_ u: Tensor, argmax: [Int], outputShape: [Int]) -> Tensor {
    let dtype = u.dtype.floatingPoint
    guard SizeArithmetic.count(of: outputShape) == argmax.count else {   // the indices point into an input shaped like `u`
        reportError(TensorError(op: "maxPool2dGather", message: "\(argmax.count) argmax entries do not fit an input of shape \(u.shape) and an output of shape \(outputShape)"))
        return Tensor.placeholder(dtype: dtype)
    }
    let us = u.converted(to: dtype)
    let out = dtype == .float64 ? PoolingKernels.maxGather(Double.self, us, argmax, outputShape) : PoolingKernels.maxGather(Float.self, us, argmax, outputShape)
    guard u.isRecordedOnActiveTape else { return out }
    let inputShape = u.shape
    return out.recorded(u) { g in maxPool2dBackprop(g, argmax: argmax, inputShape: inputShape) }
}

/// Average pooling over `(N, C, H, W)`; windows average only the positions inside the image (padding is not
/// counted, as MindSpore's `pad_mode="same"`). ∂L/∂x spreads each output's gradient evenly over its window:
/// ∂L/∂x[i] = Σ_{windows w ∋ i} G[w] / |w|, a linear op whose own pullback is average pooling again.
///
/// ```swift
/// avgPool2d(x, window: Window2D(kernel: (2, 2), stride: (2, 2)))
/// ```
public func avgPool2d(_ x: Tensor, window: Window2D) -> Tensor {
    let dtype = x.dtype.floatingPoint
    // float16/bfloat16 pool in float32 and round back (recorded through astype).
    if dtype.kernelDType != dtype { return avgPool2d(x.astype(.float32), window: window).astype(dtype) }
    guard let (outH, outW) = poolingGeometry(x, window, op: "avgPool2d") else { return Tensor.placeholder(dtype: dtype) }
    let xs = x.converted(to: dtype)
    let out = dtype == .float64
        ? PoolingKernels.averageForward(Double.self, xs, window, outH, outW) : PoolingKernels.averageForward(Float.self, xs, window, outH, outW)
    guard x.isRecorded else { return out }
    let inputShape = x.shape
    return out.recorded(x) { g in avgPool2dBackprop(g, inputShape: inputShape, window: window) }
}

/// Average pooling's backward as an op (the adjoint of ``avgPool2d(_:window:)``): each G[w] / |w| added over
/// window w of an input of shape `inputShape`. Linear in G; its pullback is `avgPool2d(U)`.
///
/// ```swift
/// // doc-example: internal
/// let (x, window) = (Tensor.zeros([1, 1, 4, 4]), Window2D(kernel: (2, 2), stride: (2, 2)))
/// let g = Tensor.ones([1, 1, 2, 2])   // the shape of avgPool2d(x, window: window)
/// let dx = avgPool2dBackprop(g, inputShape: x.shape, window: window)   // = ∂⟨avgPool2d(x), g⟩/∂x
/// ```
func avgPool2dBackprop(_ g: Tensor, inputShape: [Int], window: Window2D) -> Tensor {
    let dtype = g.dtype.floatingPoint
    guard g.rank == 4, inputShape.count == 4, g.shape[0] == inputShape[0], g.shape[1] == inputShape[1],
          let (outH, outW) = window.outputSize(height: inputShape[2], width: inputShape[3]), g.shape[2] == outH, g.shape[3] == outW else {
        reportError(TensorError(op: "avgPool2dBackprop", message: "gradient \(g.shape) does not fit an input of shape \(inputShape) under the window (kernel \(window.kernel), stride \(window.stride), padding \(window.padding))"))
        return Tensor.placeholder(dtype: dtype)
    }
    let gs = g.converted(to: dtype)
    let out = dtype == .float64
        ? PoolingKernels.averageBackward(Double.self, gs, inputShape, window) : PoolingKernels.averageBackward(Float.self, gs, inputShape, window)
    guard g.isRecordedOnActiveTape else { return out }
    return out.recorded(g) { u in avgPool2d(u, window: window) }
}
