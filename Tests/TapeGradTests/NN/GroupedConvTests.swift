import XCTest
@testable import TapeGrad

/// Grouped and depthwise convolutions (MindSpore's `group`) against real MindSpore 2.10
/// (`Oracle/grouped_conv_oracle.py` → `Fixtures/grouped_conv.json`): output, ∂x and ∂ of every parameter, and the
/// bound of the default initialisers on the grouped weight shapes.
extension ConvLayersOracleTests {
    func testGroupedConv2dMatchesMindSpore() throws {
        let n = try check("Conv2d", fixture: "grouped_conv.json") { a, p in
            Conv2d(inChannels: a["in_channels"] as? Int ?? 0, outChannels: a["out_channels"] as? Int ?? 0,
                   kernelSize: Self.pair(a["kernel_size"], 0), stride: Self.pair(a["stride"], 1), padMode: Self.padMode(a),
                   dilation: Self.pair(a["dilation"], 1), group: a["group"] as? Int ?? 1, hasBias: a["has_bias"] as? Bool ?? false,
                   weightInit: p["weight"], biasInit: p["bias"])
        }
        XCTAssertEqual(n, 4)
    }

    func testGroupedConv1dMatchesMindSpore() throws {
        let n = try check("Conv1d", fixture: "grouped_conv.json") { a, p in
            Conv1d(inChannels: a["in_channels"] as? Int ?? 0, outChannels: a["out_channels"] as? Int ?? 0, kernelSize: a["kernel_size"] as? Int ?? 0,
                   stride: a["stride"] as? Int ?? 1, padMode: Self.padMode(a), dilation: a["dilation"] as? Int ?? 1, group: a["group"] as? Int ?? 1,
                   hasBias: a["has_bias"] as? Bool ?? false, weightInit: p["weight"], biasInit: p["bias"])
        }
        XCTAssertEqual(n, 3)
    }

    func testGroupedConv2dTransposeMatchesMindSpore() throws {
        let n = try check("Conv2dTranspose", fixture: "grouped_conv.json") { a, p in
            Conv2dTranspose(inChannels: a["in_channels"] as? Int ?? 0, outChannels: a["out_channels"] as? Int ?? 0,
                            kernelSize: Self.pair(a["kernel_size"], 0), stride: Self.pair(a["stride"], 1), padMode: Self.padMode(a),
                            outputPadding: Self.pair(a["output_padding"], 0), dilation: Self.pair(a["dilation"], 1),
                            group: a["group"] as? Int ?? 1, hasBias: a["has_bias"] as? Bool ?? false, weightInit: p["weight"], biasInit: p["bias"])
        }
        XCTAssertEqual(n, 3)
    }

    /// MindSpore reads the fan-in from the grouped weight shape ((in/group)·kh·kw; (out/group)·kh·kw transposed):
    /// TapeGrad's default weights and biases have MindSpore's shapes and reach toward the same bound 1/√fanIn,
    /// well past the ungrouped bound.
    func testGroupedLayersDrawTheirDefaultsWithMindSporesGroupedFanIn() throws {
        let rows = try loadFixture("grouped_conv.json")["init"] as? [[String: Any]] ?? []
        XCTAssertEqual(rows.count, 3)
        for row in rows {
            let layer = row["layer"] as? String ?? "?", a = row["args"] as? [String: Any] ?? [:]
            let (i, o, k, g) = (a["in_channels"] as? Int ?? 0, a["out_channels"] as? Int ?? 0, a["kernel_size"] as? Int ?? 0, a["group"] as? Int ?? 1)
            let cell: Cell & HasWeightAndBias
            switch layer {
            case "Conv2d": cell = Conv2d(inChannels: i, outChannels: o, kernelSize: k, group: g, hasBias: true, seed: 3)
            case "Conv1d": cell = Conv1d(inChannels: i, outChannels: o, kernelSize: k, group: g, hasBias: true, seed: 3)
            default: cell = Conv2dTranspose(inChannels: i, outChannels: o, kernelSize: k, group: g, hasBias: true, seed: 3)
            }
            let bound = row["bound"] as? Double ?? 0
            XCTAssertEqual(cell.weightValue.shape, row["weight_shape"] as? [Int], layer)
            for (name, t, floor) in [("weight", cell.weightValue, 0.9), ("bias", cell.biasValue, 0.5)] {
                let largest = t.scalars.map { Swift.abs($0) }.max() ?? 0
                XCTAssertLessThanOrEqual(largest, bound * (1 + 1e-6), "\(layer) \(name)")
                XCTAssertGreaterThan(largest, floor * bound, "\(layer) \(name): drawn with a smaller bound than MindSpore's")
            }
            let mindSpore = row["max_abs_weight"] as? Double ?? 0
            XCTAssertGreaterThan(mindSpore, 0.9 * bound, "\(layer): the fixture's own weights reach the bound")
        }
    }
}

/// The grouped layers' parameters, for the initialiser test.
protocol HasWeightAndBias {
    var weightValue: Tensor { get }
    var biasValue: Tensor { get }
}
extension Conv2d: HasWeightAndBias {
    var weightValue: Tensor { weight.value }
    var biasValue: Tensor { bias?.value ?? Tensor.zeros([0]) }
}
extension Conv1d: HasWeightAndBias {
    var weightValue: Tensor { weight.value }
    var biasValue: Tensor { bias?.value ?? Tensor.zeros([0]) }
}
extension Conv2dTranspose: HasWeightAndBias {
    var weightValue: Tensor { weight.value }
    var biasValue: Tensor { bias?.value ?? Tensor.zeros([0]) }
}

/// Grouped convolution ops and layers: float64 gradients against finite differences, the grouped op against the
/// ungrouped one on each channel slice, and the adjoint identity with the transposed convolution.
extension LayerGradientCheckTests {
    func testGroupedConvolutionLayerGradientsMatchFiniteDifferences() throws {
        setSeed(21)
        try check("Conv2d group 2 bias", Conv2d(inChannels: 4, outChannels: 6, kernelSize: 3, group: 2, hasBias: true), r([2, 4, 4, 3], 70))
        try check("Conv2d depthwise stride 2", Conv2d(inChannels: 3, outChannels: 3, kernelSize: 3, stride: 2, padMode: .pad(1), group: 3),
                  r([2, 3, 5, 4], 71))
        try check("Conv1d group 2", Conv1d(inChannels: 4, outChannels: 2, kernelSize: 3, dilation: 2, group: 2, hasBias: true), r([2, 4, 7], 72))
        try check("Conv2dTranspose group 2 stride 2 bias", Conv2dTranspose(inChannels: 4, outChannels: 2, kernelSize: 3, stride: 2, group: 2,
                                                                          hasBias: true), r([1, 4, 3, 2], 73))
        try check("Conv2dTranspose depthwise", Conv2dTranspose(inChannels: 2, outChannels: 2, kernelSize: (2, 3), padMode: .valid, group: 2),
                  r([2, 2, 3, 3], 74))
    }

    func testGroupedConvolutionOpGradientsMatchFiniteDifferencesInBothArguments() throws {
        let window = Window2D(kernel: (2, 3), stride: (2, 1), dilation: (1, 2), padding: (1, 0, 2, 1))
        let rows: [(String, [Tensor], ([Tensor]) -> Tensor)] = [
            ("conv2d groups 3", [r([2, 6, 5, 4], 80), r([3, 2, 2, 3], 81)], { conv2d($0[0], weight: $0[1], window: window, groups: 3) }),
            ("conv2dTranspose groups 2", [r([2, 4, 3, 3], 82), r([4, 1, 2, 3], 83)],
             { conv2dTranspose($0[0], weight: $0[1], window: window, outputSize: (5, 4), groups: 2) }),
            ("conv2dBackpropInput groups 2", [r([1, 4, 3, 3], 84), r([4, 2, 2, 3], 85)],
             { conv2dBackpropInput($0[0], weight: $0[1], inputShape: [1, 4, 5, 4], window: window, groups: 2) }),
            ("conv2dBackpropFilter groups 2", [r([1, 4, 5, 4], 86), r([1, 6, 3, 3], 87)],
             { conv2dBackpropFilter($0[0], gradient: $0[1], weightShape: [6, 2, 2, 3], window: window, groups: 2) }),
        ]
        for (name, inputs, f) in rows {
            let result = try checkGradients(name, at: inputs, of: f)
            XCTAssertLessThan(result.worstRelativeError, 1e-6, "\(name): \(result)")
        }
    }

    /// conv2d with groups 2 is conv2d of each half of the channels with its half of the output channels, and its
    /// ∂x and ∂W are the halves' gradients side by side.
    func testAGroupedConvolutionIsTheUngroupedOneOnEachChannelSlice() throws {
        let window = Window2D(kernel: (3, 3), stride: (1, 2), padding: (1, 1, 1, 1))
        let (x, w, g) = (r([3, 4, 5, 6], 90), r([6, 2, 3, 3], 91), r([3, 6, 5, 3], 92))
        let halves = [(x.sliced(alongAxis: 1, from: 0, to: 2), w.sliced(alongAxis: 0, from: 0, to: 3), g.sliced(alongAxis: 1, from: 0, to: 3)),
                      (x.sliced(alongAxis: 1, from: 2, to: 4), w.sliced(alongAxis: 0, from: 3, to: 6), g.sliced(alongAxis: 1, from: 3, to: 6))]
        func close(_ a: Tensor, _ b: Tensor, _ what: String) {
            XCTAssertEqual(a.shape, b.shape, what)
            let worst = zip(a.scalars, b.scalars).map { Swift.abs($0 - $1) }.max() ?? .infinity
            XCTAssertLessThan(worst, 1e-12, what)
        }
        let y = try withErrorChecking { conv2d(x, weight: w, window: window, groups: 2) }
        close(y, try withErrorChecking { concat(halves.map { conv2d($0.0, weight: $0.1, window: window) }, alongAxis: 1) }, "y")
        let dx = try withErrorChecking { conv2dBackpropInput(g, weight: w, inputShape: x.shape, window: window, groups: 2) }
        close(dx, try withErrorChecking {
            concat(halves.map { conv2dBackpropInput($0.2, weight: $0.1, inputShape: $0.0.shape, window: window) }, alongAxis: 1)
        }, "∂x")
        let dw = try withErrorChecking { conv2dBackpropFilter(x, gradient: g, weightShape: w.shape, window: window, groups: 2) }
        close(dw, try withErrorChecking {
            concat(halves.map { conv2dBackpropFilter($0.0, gradient: $0.2, weightShape: $0.1.shape, window: window) }, alongAxis: 0)
        }, "∂W")
        // The kernels over several image groups (a budget of one image's im2col, then two) give the same numbers.
        for budget in [1, 2 * 36 * 15] {
            close(ConvolutionKernels.forward(Double.self, x: x, weight: w, window: window, outH: 5, outW: 3, groups: 2, budget: budget), y, "y, budget \(budget)")
            close(ConvolutionKernels.inputGradient(Double.self, g: g, weight: w, inputShape: x.shape, window: window, groups: 2, budget: budget),
                  dx, "∂x, budget \(budget)")
            close(ConvolutionKernels.weightGradient(Double.self, x: x, g: g, weightShape: w.shape, window: window, groups: 2, budget: budget),
                  dw, "∂W, budget \(budget)")
        }
    }

    /// ⟨conv2d(y, W, groups: 2), x⟩ = ⟨y, conv2dTranspose(x, W, groups: 2)⟩: the grouped transpose is the grouped
    /// convolution's adjoint, with MindSpore's (in, out/group, kh, kw) weight.
    func testGroupedConv2dTransposeIsTheAdjointOfGroupedConv2d() throws {
        let window = Window2D(kernel: (3, 3), stride: (2, 2), padding: (1, 1, 1, 1))
        let (w, x, y) = (r([4, 1, 3, 3], 93), r([2, 4, 3, 3], 94), r([2, 2, 6, 5], 95))
        let left = try withErrorChecking { (conv2d(y, weight: w, window: window, groups: 2) * x).sum().item() }
        let right = try withErrorChecking { (y * conv2dTranspose(x, weight: w, window: window, outputSize: (6, 5), groups: 2)).sum().item() }
        XCTAssertEqual(left, right, accuracy: 1e-12 * Swift.max(1, Swift.abs(left)))
    }
}
