// Max and average pooling over (N, C, H, W), with their pullbacks.

enum PoolingKernels {
    /// Max pooling; also returns, for each output, the flat input index it came from (−1 if the window is empty).
    static func maxForward<T: BLASElement>(_: T.Type, _ x: Tensor, _ window: Window2D, _ outH: Int, _ outW: Int) -> (Tensor, [Int]) {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let out = Tensor.uninitialized([n, c, outH, outW], dtype: x.dtype)
        var argmax = [Int](repeating: -1, count: n * c * outH * outW)
        let px = x.buffer.pointer(T.self), po = out.buffer.pointer(T.self)
        var k = 0
        for plane in 0..<(n * c) {
            let base = plane * h * w
            for oy in 0..<outH {
                for ox in 0..<outW {
                    var best = -T.infinity, at = -1
                    forEachInside(window, oy, ox, h, w) { idx in
                        let v = px[base + idx]
                        if at < 0 || v > best || v.isNaN { best = v; at = base + idx }
                    }
                    po[k] = at < 0 ? 0 : best
                    argmax[k] = at
                    k += 1
                }
            }
        }
        return (out, argmax)
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
        reportError(TensorError(op: op, message: "input \(x.shape) does not fit the window (kernel \(window.kernel), stride \(window.stride), padding \(window.padding))"))
        return nil
    }
    return size
}

/// Max pooling over `(N, C, H, W)`. ∂L/∂x routes each output's gradient to the input that was the maximum.
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
    return out.recorded(x) { g in
        let flat = g.reshaped(to: [-1])
        let valid = argmax.indices.filter { argmax[$0] >= 0 }
        let picked = gather(flat, indices: Tensor(valid.map { Int32($0) }))
        return scatterAdd(picked, indices: valid.map { argmax[$0] }, indexShape: [valid.count], into: [inputShape.reduce(1, *)], axis: 0)
            .reshaped(to: inputShape)
    }
}

/// Average pooling over `(N, C, H, W)`; windows average only the positions inside the image (padding is not
/// counted, as MindSpore's `pad_mode="same"`). ∂L/∂x spreads each output's gradient evenly over its window.
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
    return out.recorded(x) { g in
        let gs = g.converted(to: dtype)
        return dtype == .float64
            ? PoolingKernels.averageBackward(Double.self, gs, inputShape, window) : PoolingKernels.averageBackward(Float.self, gs, inputShape, window)
    }
}
