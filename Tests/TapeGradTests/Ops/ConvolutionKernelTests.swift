import XCTest
@testable import TapeGrad

/// The convolution and max-pooling kernels against direct loops written from the definitions: the batched
/// im2col (images side by side, one gemm per group; the 'same'-padding rows copied in one block) and the
/// unpadded/SIMD max pooling must give the per-element answers of the textbook formulas.
final class ConvolutionKernelTests: XCTestCase {
    /// From the definition, y[b, o, oy, ox] = Σ_{c,i,j} x[b, c, yy, xx] · w[o, c, i, j] with yy = oy·sh − pt + i·dh,
    /// xx = ox·sw − pl + j·dw (terms outside the image dropped), and for an upstream g the derivatives of ⟨y, g⟩:
    /// ∂x[b, c, yy, xx] = Σ g[b, o, oy, ox] · w[o, c, i, j] and ∂w[o, c, i, j] = Σ g[b, o, oy, ox] · x[b, c, yy, xx].
    private func direct(_ x: [Double], _ xs: [Int], _ w: [Double], _ ws: [Int], _ g: [Double], _ window: Window2D, _ outH: Int, _ outW: Int)
        -> (y: [Double], dx: [Double], dw: [Double]) {
        let (n, c, h, wd) = (xs[0], xs[1], xs[2], xs[3]), o = ws[0]
        var y = [Double](repeating: 0, count: n * o * outH * outW), dx = [Double](repeating: 0, count: x.count), dw = [Double](repeating: 0, count: w.count)
        for b in 0..<n { for oc in 0..<o { for oy in 0..<outH { for ox in 0..<outW {
            let out = ((b * o + oc) * outH + oy) * outW + ox
            for ch in 0..<c { for i in 0..<ws[2] { for j in 0..<ws[3] {
                let yy = oy * window.stride.0 - window.padding.top + i * window.dilation.0
                let xx = ox * window.stride.1 - window.padding.left + j * window.dilation.1
                guard yy >= 0, yy < h, xx >= 0, xx < wd else { continue }
                let xi = ((b * c + ch) * h + yy) * wd + xx, wi = ((oc * c + ch) * ws[2] + i) * ws[3] + j
                y[out] += x[xi] * w[wi]
                dx[xi] += g[out] * w[wi]
                dw[wi] += g[out] * x[xi]
            } } }
        } } } }
        return (y, dx, dw)
    }

    /// Windows that take the contiguous 'same' path, strides, dilations and uneven padding.
    private let windows: [(String, Window2D, [Int], [Int])] = [
        ("3×3 same", Window2D(kernel: (3, 3), padding: (1, 1, 1, 1)), [5, 3, 7, 6], [4, 3, 3, 3]),
        ("3×2 same, uneven", Window2D(kernel: (3, 2), padding: (1, 1, 0, 1)), [4, 2, 5, 9], [3, 2, 3, 2]),
        ("3×3 stride 2, pad 1", Window2D(kernel: (3, 3), stride: (2, 2), padding: (1, 1, 1, 1)), [3, 2, 9, 8], [2, 2, 3, 3]),
        ("2×3 dilation 2, stride (1, 2)", Window2D(kernel: (2, 3), stride: (1, 2), dilation: (2, 2), padding: (0, 2, 2, 1)), [3, 2, 6, 7], [3, 2, 2, 3]),
        ("5×5 pad 3, wider than the input", Window2D(kernel: (5, 5), padding: (3, 3, 3, 3)), [2, 1, 3, 4], [2, 1, 5, 5]),
    ]

    func testConvolutionAndItsTwoGradientsMatchTheDirectSumsForEveryGrouping() throws {
        for (name, window, xs, ws) in windows {
            guard let (outH, outW) = window.outputSize(height: xs[2], width: xs[3]) else { return XCTFail("\(name): no output size") }
            let x = Tensor.randomUniform(xs, lower: -1, upper: 1, dtype: .float64, seed: 1)
            let w = Tensor.randomUniform(ws, lower: -1, upper: 1, dtype: .float64, seed: 2)
            let g = Tensor.randomUniform([xs[0], ws[0], outH, outW], lower: -1, upper: 1, dtype: .float64, seed: 3)
            let (xv, wv, gv) = (x.scalars, w.scalars, g.scalars)
            let (y, dxExpected, dwExpected) = direct(xv, xs, wv, ws, gv, window, outH, outW)
            let colsPerImage = xs[1] * ws[2] * ws[3] * outH * outW
            // Budgets: the whole batch, two images per group (a last group of one when the batch is odd), one image.
            for budget in [ConvolutionKernels.groupBudget, 2 * colsPerImage, colsPerImage] {
                let got = ConvolutionKernels.forward(Double.self, x: x, weight: w, window: window, outH: outH, outW: outW, budget: budget).scalars
                XCTAssertEqual(got.count, y.count)
                for k in y.indices { XCTAssertEqual(got[k], y[k], accuracy: 1e-12, "\(name), budget \(budget): y[\(k)]") }
                let dx = ConvolutionKernels.inputGradient(Double.self, g: g, weight: w, inputShape: xs, window: window, budget: budget).scalars
                let dw = ConvolutionKernels.weightGradient(Double.self, x: x, g: g, weightShape: ws, window: window, budget: budget).scalars
                for e in xv.indices { XCTAssertEqual(dx[e], dxExpected[e], accuracy: 1e-12, "\(name), budget \(budget): ∂x[\(e)]") }
                for e in wv.indices { XCTAssertEqual(dw[e], dwExpected[e], accuracy: 1e-12, "\(name), budget \(budget): ∂w[\(e)]") }
            }
        }
    }

    /// One gemm over all images sums ∂W in a different order than image-by-image accumulation: in float32 it
    /// must stay within rounding of the float64 value (here 64 images of 14×14, as in the W6 benchmark's conv2).
    func testFloat32WeightGradientOverAWholeBatchIsWithinRoundingOfFloat64() {
        let window = Window2D(kernel: (3, 3), padding: (1, 1, 1, 1))
        let x = Tensor.randomUniform([64, 4, 14, 14], lower: -1, upper: 1, dtype: .float64, seed: 4)
        let g = Tensor.randomUniform([64, 5, 14, 14], lower: -1, upper: 1, dtype: .float64, seed: 5)
        let exact = ConvolutionKernels.weightGradient(Double.self, x: x, g: g, weightShape: [5, 4, 3, 3], window: window, budget: 1).scalars
        let single = ConvolutionKernels.weightGradient(Float.self, x: x.converted(to: .float32), g: g.converted(to: .float32),
                                                       weightShape: [5, 4, 3, 3], window: window).scalars
        // Each entry sums 64·196 products of magnitude ≤ 1: float32 rounding is a few 1e-6 of that sum's scale.
        for k in exact.indices { XCTAssertEqual(single[k], exact[k], accuracy: 2e-3, "∂w[\(k)]") }
        XCTAssertEqual(exact.count, 180)
    }

    /// Max pooling from the definition: the first maximum of the window in row-major order, a NaN beating
    /// numbers (the last NaN); padding positions are not candidates.
    private func directMaxPool(_ x: [Double], _ shape: [Int], _ window: Window2D, _ outH: Int, _ outW: Int) -> (values: [Double], argmax: [Int]) {
        let (planes, h, w) = (shape[0] * shape[1], shape[2], shape[3])
        var values: [Double] = [], argmax: [Int] = []
        for p in 0..<planes { for oy in 0..<outH { for ox in 0..<outW {
            var best = 0.0, at = -1
            for i in 0..<window.kernel.0 { for j in 0..<window.kernel.1 {
                let yy = oy * window.stride.0 - window.padding.top + i * window.dilation.0
                let xx = ox * window.stride.1 - window.padding.left + j * window.dilation.1
                guard yy >= 0, yy < h, xx >= 0, xx < w else { continue }
                let idx = (p * h + yy) * w + xx, v = x[idx]
                if at < 0 || v > best || v.isNaN { best = v; at = idx }
            } }
            values.append(best); argmax.append(at)
        } } }
        return (values, argmax)
    }

    func testMaxPoolingPicksTheFirstMaximumOrTheLastNaNOnEveryPath() {
        let cases: [(String, Window2D, [Int])] = [
            ("2×2 stride 2 (SIMD, rows of 9 with a tail)", Window2D(kernel: (2, 2), stride: (2, 2)), [2, 3, 10, 19]),
            ("2×2 stride 2, 7×7 planes", Window2D(kernel: (2, 2), stride: (2, 2)), [3, 2, 14, 14]),
            ("3×3 stride 2", Window2D(kernel: (3, 3), stride: (2, 2)), [2, 2, 11, 9]),
            ("2×3 stride 1, dilation 2", Window2D(kernel: (2, 3), dilation: (2, 2)), [1, 2, 7, 8]),
            ("3×3 stride 2, padded", Window2D(kernel: (3, 3), stride: (2, 2), padding: (1, 1, 1, 0)), [2, 2, 6, 5]),
        ]
        for (name, window, shape) in cases {
            guard let (outH, outW) = window.outputSize(height: shape[2], width: shape[3]) else { return XCTFail("\(name): no output size") }
            // Few distinct values, so windows hold ties; a sprinkling of NaNs.
            var values = Tensor.randomUniform(shape, lower: 0, upper: 4, dtype: .float64, seed: 6).scalars.map { $0.rounded(.down) }
            for k in stride(from: 5, to: values.count, by: 23) { values[k] = .nan }
            for k in stride(from: 6, to: values.count, by: 37) { values[k] = .nan }
            let (expected, expectedArgmax) = directMaxPool(values, shape, window, outH, outW)
            for dtype in [DType.float32, .float64] {
                let x = Tensor(values, shape: shape).converted(to: dtype)
                let (out, argmax) = dtype == .float32
                    ? PoolingKernels.maxForward(Float.self, x, window, outH, outW) : PoolingKernels.maxForward(Double.self, x, window, outH, outW)
                XCTAssertEqual(argmax, expectedArgmax, "\(name) \(dtype): argmax")
                for (k, (got, want)) in zip(out.scalars, expected).enumerated() where !(got == want || (got.isNaN && want.isNaN)) {
                    XCTFail("\(name) \(dtype): y[\(k)] = \(got), expected \(want)")
                }
                // The backward scatters each upstream value to its argmax (summing where windows overlap).
                let g = Tensor.randomUniform([shape[0], shape[1], outH, outW], lower: -1, upper: 1, dtype: dtype, seed: 7)
                var dx = [Double](repeating: 0, count: values.count)
                for (k, at) in expectedArgmax.enumerated() where at >= 0 { dx[at] += g.scalars[k] }
                let got = dtype == .float32
                    ? PoolingKernels.maxBackward(Float.self, g, argmax, shape).scalars : PoolingKernels.maxBackward(Double.self, g, argmax, shape).scalars
                for k in dx.indices { XCTAssertEqual(got[k], dx[k], accuracy: 1e-6, "\(name) \(dtype): ∂x[\(k)]") }
            }
        }
    }
}
