import XCTest
@testable import TapeGrad

/// `Conv1d`, `Conv2dTranspose`, `AdaptiveAvgPool2d`, `Upsample` and their ops: float64 gradients against finite
/// differences, and values derived by hand.
extension LayerGradientCheckTests {
    func testConvolutionAndResamplingLayerGradientsMatchFiniteDifferences() throws {
        setSeed(12)
        try check("Conv1d same stride 2 bias", Conv1d(inChannels: 2, outChannels: 3, kernelSize: 3, stride: 2, hasBias: true), r([2, 2, 7], 40))
        try check("Conv1d pad dilation", Conv1d(inChannels: 3, outChannels: 2, kernelSize: 2, padMode: .pad(2), dilation: 3), r([1, 3, 5], 41))
        try check("Conv2dTranspose same stride 2 bias", Conv2dTranspose(inChannels: 2, outChannels: 3, kernelSize: 3, stride: 2, hasBias: true),
                  r([2, 2, 3, 2], 42))
        try check("Conv2dTranspose valid dilation", Conv2dTranspose(inChannels: 2, outChannels: 2, kernelSize: (2, 3), stride: (2, 1),
                                                                     padMode: .valid, dilation: (1, 2)), r([1, 2, 3, 3], 43))
        try check("Conv2dTranspose pad, output padding", Conv2dTranspose(inChannels: 1, outChannels: 2, kernelSize: 3, stride: 2,
                                                                          padMode: .pad(top: 1, bottom: 0, left: 2, right: 1),
                                                                          outputPadding: 1, hasBias: true), r([2, 1, 3, 3], 44))
        try check("AdaptiveAvgPool2d", AdaptiveAvgPool2d(outputSize: (3, nil)), r([2, 2, 5, 3], 45))
        try check("Upsample nearest", Upsample(size: [5, 7]), r([1, 2, 3, 4], 46))
        try check("Upsample bilinear corners", Upsample(size: [4, 7], mode: .bilinear, alignCorners: true), r([1, 2, 3, 4], 47))
        try check("Upsample linear", Upsample(size: [9], mode: .linear), r([2, 2, 4], 48))
    }

    func testConv2dTransposeOpGradientsMatchFiniteDifferencesInBothArguments() throws {
        let window = Window2D(kernel: (3, 2), stride: (2, 3), dilation: (1, 2), padding: (1, 2, 0, 1))
        // A convolution under `window` maps 5 × 9 back to 3 × 3.
        let result = try checkGradients("conv2dTranspose", at: [r([2, 3, 3, 3], 50), r([3, 2, 3, 2], 51)]) {
            conv2dTranspose($0[0], weight: $0[1], window: window, outputSize: (5, 9))
        }
        XCTAssertLessThan(result.worstRelativeError, 1e-6, "\(result)")
    }

    /// ⟨conv2d(y, W), x⟩ = ⟨y, conv2dTranspose(x, W)⟩ for every y and x: the transpose is conv2d's adjoint.
    func testConv2dTransposeIsTheAdjointOfConv2d() throws {
        let window = Window2D(kernel: (3, 3), stride: (2, 2), padding: (1, 1, 1, 1))
        let (w, x, y) = (r([4, 2, 3, 3], 52), r([2, 4, 3, 3], 53), r([2, 2, 6, 5], 54))
        let left = try withErrorChecking { (conv2d(y, weight: w, window: window) * x).sum().item() }
        let right = try withErrorChecking { (y * conv2dTranspose(x, weight: w, window: window, outputSize: (6, 5))).sum().item() }
        XCTAssertEqual(left, right, accuracy: 1e-12 * Swift.max(1, Swift.abs(left)))
    }

    /// Conv1d is conv2d over the (N, C, 1, W) view: the same numbers as the 2-D layer on a height-1 image.
    func testConv1dEqualsConv2dOnAHeightOneImage() throws {
        let w = r([3, 2, 1, 4], 55), b = r([3], 56), x = r([2, 2, 9], 57)
        let one = Conv1d(inChannels: 2, outChannels: 3, kernelSize: 4, stride: 2, hasBias: true, weightInit: w, biasInit: b, dtype: .float64)
        let two = Conv2d(inChannels: 2, outChannels: 3, kernelSize: (1, 4), stride: (1, 2), hasBias: true, weightInit: w, biasInit: b, dtype: .float64)
        let a = try withErrorChecking { one(x) }, c = try withErrorChecking { two(x.reshaped(to: [2, 2, 1, 9])) }
        XCTAssertEqual(a.shape, [2, 3, 5])
        XCTAssertEqual(a.scalars, c.scalars)
        XCTAssertEqual(Conv1d(inChannels: 2, outChannels: 3, kernelSize: 4, weightInit: r([3, 2, 4], 58)).weight.value.shape, [3, 2, 1, 4])
        XCTAssertEqual(one.extendRepr, "input_channels=2, output_channels=3, kernel_size=(1, 4), stride=(1, 2), pad_mode=same, "
            + "padding=(0, 0, 0, 0), dilation=(1, 1), group=1, has_bias=True, format=NCHW")   // MindSpore's, without the initialisers
    }

    /// 5 → 3 bins [0, 2), [1, 4), [3, 5) (overlapping, as MindSpore's ⌊i·5/3⌋ … ⌈(i+1)·5/3⌉), and their gradient.
    func testAdaptiveAvgPool2dBinsOverlapAsMindSporeSays() throws {
        let x = Tensor([1, 2, 3, 4, 5] as [Double], shape: [1, 1, 1, 5])
        let y = try withErrorChecking { adaptiveAvgPool2d(x, outputSize: (nil, 3)) }
        XCTAssertEqual(y.scalars, [1.5, 3, 4.5])
        let g = try grad({ (t: Tensor) in adaptiveAvgPool2d(t, outputSize: (1, 3)).sum() })(x).asTensor
        XCTAssertEqual(g.scalars, [0.5, 0.5 + 1.0 / 3, 1.0 / 3, 1.0 / 3 + 0.5, 0.5].map { $0 }, "each bin spreads 1/|bin|")
    }

    /// Nearest reads ⌊i·n/m⌋; bilinear half-pixel 2 → 4 gives [a, ¾a + ¼b, ¼a + ¾b, b]; corners aligned 2 → 3 gives the midpoint.
    func testInterpolationWeightsByHand() throws {
        let row = Tensor([10, 20, 30] as [Double], shape: [1, 1, 3])
        XCTAssertEqual(try withErrorChecking { interpolate(row, size: [7]) }.scalars, [10, 10, 10, 20, 20, 30, 30])
        let pair = Tensor([0, 8] as [Double], shape: [1, 1, 1, 2])
        XCTAssertEqual(try withErrorChecking { interpolate(pair, size: [1, 4], mode: .bilinear) }.scalars, [0, 2, 6, 8])
        XCTAssertEqual(try withErrorChecking { interpolate(pair, size: [1, 3], mode: .bilinear, alignCorners: true) }.scalars, [0, 4, 8])
        XCTAssertEqual(try withErrorChecking { interpolate(Tensor([0, 8] as [Double], shape: [1, 1, 2]), size: [1], mode: .linear, alignCorners: true) }.scalars, [0])
        // nearest-exact reads ⌊(i + ½)·3/7⌋ = 0, 0, 1, 1, 1, 2, 2 (nearest: ⌊i·3/7⌋ = 0, 0, 0, 1, 1, 2, 2).
        XCTAssertEqual(try withErrorChecking { interpolate(row, size: [7], mode: .nearestExact) }.scalars, [10, 10, 20, 20, 20, 30, 30])
        // area 4 → 2 averages pairs.
        XCTAssertEqual(try withErrorChecking { interpolate(Tensor([1, 3, 5, 9] as [Double], shape: [1, 1, 4]), size: [2], mode: .area) }.scalars, [2, 7])
    }

    /// Bicubic keeps constants and, away from the edges, reproduces a linear ramp exactly (cubic convolution weights sum
    /// to 1 and have first moment t); at the half-pixel edges the dropped taps are renormalised away.
    func testBicubicReproducesConstantsAndRamps() throws {
        let ramp = Tensor((0..<8).map { Double($0) }, shape: [1, 1, 1, 8])
        for corners in [false, true] {
            let y = try withErrorChecking { interpolate(ramp, size: [1, 15], mode: .bicubic, alignCorners: corners) }.scalars
            let constant = try withErrorChecking { interpolate(Tensor.full([1, 1, 3, 8], value: 2.5, dtype: .float64), size: [4, 15], mode: .bicubic, alignCorners: corners) }
            for v in constant.scalars { XCTAssertEqual(v, 2.5, accuracy: 1e-6, "constant, corners \(corners)") }
            for i in 3..<12 {
                let s = corners ? Double(i) * 7 / 14 : (Double(i) + 0.5) * 8 / 15 - 0.5
                XCTAssertEqual(y[i], s, accuracy: 2e-3, "ramp at \(i), corners \(corners)")   // the 1024-step weight table
            }
        }
    }

    /// MindSpore's output_padding appends zeros after the bias: the extra row and column hold 0, not the bias.
    func testConv2dTransposeOutputPaddingAppendsZerosAfterTheBias() throws {
        let layer = Conv2dTranspose(inChannels: 1, outChannels: 1, kernelSize: 3, stride: 2, padMode: .pad(1), outputPadding: 1,
                                    hasBias: true, weightInit: Tensor.ones([1, 1, 3, 3]), biasInit: Tensor([5] as [Float]))
        let y = try withErrorChecking { layer(Tensor.ones([1, 1, 2, 2])) }
        XCTAssertEqual(y.shape, [1, 1, 4, 4])
        XCTAssertEqual(Array(y.scalars[12..<16]), [0, 0, 0, 0])
        XCTAssertEqual(y.scalars[0], 6)   // one input under the kernel, plus the bias
        XCTAssertEqual(layer.extendRepr, "input_channels=1, output_channels=1, kernel_size=(3, 3), stride=(2, 2), pad_mode=pad, padding=1, "
            + "dilation=(1, 1), group=1, has_bias=True, format=NCHW")
    }

    /// float16 inputs resample and convolve in float32 and round back once: float16 out, float32's numbers rounded.
    func testHalfPrecisionInputsGiveHalfPrecisionResults() throws {
        let x = r([1, 2, 3, 4], 59).astype(.float32), w = r([2, 1, 3, 3], 60).astype(.float32)
        let window = Window2D(kernel: (3, 3), stride: (2, 2), padding: (1, 1, 1, 1))
        let ops: [(String, (Tensor, Tensor) -> Tensor)] = [
            ("interpolate", { x, _ in interpolate(x, size: [5, 7], mode: .bilinear) }),
            ("adaptiveAvgPool2d", { x, _ in adaptiveAvgPool2d(x, outputSize: (2, 3)) }),
            ("conv2dTranspose", { x, w in conv2dTranspose(x, weight: w, window: window, outputSize: (5, 7)) }),
        ]
        for (name, f) in ops {
            let full = try withErrorChecking { f(x, w) }, half = try withErrorChecking { f(x.astype(.float16), w.astype(.float16)) }
            XCTAssertEqual(half.dtype, .float16, name)
            XCTAssertEqual(half.shape, full.shape, name)
            // The inputs are rounded to float16 before the float32 computation, so compare at float16's precision.
            for (a, b) in zip(half.scalars, full.scalars) { XCTAssertEqual(a, b, accuracy: 1e-2 * Swift.max(1, Swift.abs(b)), name) }
        }
    }
}
