import XCTest
@testable import TapeGrad

/// `Conv1d`, `Conv2dTranspose`, `AdaptiveAvgPool2d` and `Upsample` against real MindSpore 2.10
/// (`Oracle/conv_layers_oracle.py` → `Fixtures/conv_layers.json`): output, ∂x and ∂ of every parameter, with the
/// parameters set from the fixture.
final class ConvLayersOracleTests: XCTestCase {
    static func cases(_ layer: String, fixture: String = "conv_layers.json") throws -> [[String: Any]] {
        let all = try loadFixture(fixture)["cases"] as? [[String: Any]] ?? []
        return all.filter { $0["layer"] as? String == layer }
    }

    func assertClose(_ a: Tensor, _ expected: Any?, _ what: String, rtol: Double = 1e-4, atol: Double = 1e-5) throws {
        let e = try fixtureTensor(expected)
        XCTAssertEqual(a.shape, e.shape, what)
        guard a.shape == e.shape else { return }
        for (i, (x, y)) in zip(a.scalars, e.scalars).enumerated() where !(Swift.abs(x - y) <= atol + rtol * Swift.abs(y)) {
            XCTFail("\(what): element \(i): \(x) vs MindSpore \(y)")
            return
        }
    }

    /// Runs the layer on the fixture's input and compares output and gradients; returns the number of cases.
    @discardableResult
    func check(_ layer: String, fixture: String = "conv_layers.json", build: ([String: Any], [String: Tensor]) throws -> Cell) throws -> Int {
        let cases = try Self.cases(layer, fixture: fixture)
        for c in cases {
            let name = c["name"] as? String ?? "?"
            let args = c["args"] as? [String: Any] ?? [:]
            var params: [String: Tensor] = [:]
            for (key, value) in c["params"] as? [String: Any] ?? [:] { params[key] = try fixtureTensor(value) }
            let cell = try build(args, params)
            let x = try fixtureTensor(c["x"]), sens = try fixtureTensor(c["sens"])
            try assertClose(try withErrorChecking { cell(x) }, c["output"], "\(name) output")
            let named = cell.trainableParams()
            XCTAssertEqual(Set(named.map { $0.name.components(separatedBy: ".").last ?? "" }), Set(params.keys), "\(name) parameters")
            let (_, grads) = try valueAndGrad({ (t: Tensor) in (cell(t) * sens).sum() }, gradPosition: 0, weights: named)(x)
            try assertClose(grads[0].asTensor, c["grad_x"], "\(name) ∂x")
            let expected = c["grad_params"] as? [String: Any] ?? [:]
            for (i, p) in named.enumerated() {
                let key = p.name.components(separatedBy: ".").last ?? ""
                try assertClose(grads[1][i].asTensor, expected[key], "\(name) ∂\(key)")
            }
        }
        return cases.count
    }

    static func pair(_ any: Any?, _ fallback: Int) -> (Int, Int) {
        if let v = any as? [Int], v.count == 2 { return (v[0], v[1]) }
        let n = any as? Int ?? fallback
        return (n, n)
    }

    static func padMode(_ args: [String: Any]) -> PadMode {
        switch args["pad_mode"] as? String ?? "same" {
        case "valid": return .valid
        case "pad":
            if let p = args["padding"] as? [Int], p.count == 4 { return .pad(top: p[0], bottom: p[1], left: p[2], right: p[3]) }
            return .pad(args["padding"] as? Int ?? 0)
        default: return .same
        }
    }

    func testConv1dMatchesMindSpore() throws {
        let n = try check("Conv1d") { a, p in
            Conv1d(inChannels: a["in_channels"] as? Int ?? 0, outChannels: a["out_channels"] as? Int ?? 0, kernelSize: a["kernel_size"] as? Int ?? 0,
                   stride: a["stride"] as? Int ?? 1, padMode: Self.padMode(a), dilation: a["dilation"] as? Int ?? 1,
                   hasBias: a["has_bias"] as? Bool ?? false, weightInit: p["weight"], biasInit: p["bias"])
        }
        XCTAssertEqual(n, 4)
    }

    func testConv2dTransposeMatchesMindSpore() throws {
        let n = try check("Conv2dTranspose") { a, p in
            Conv2dTranspose(inChannels: a["in_channels"] as? Int ?? 0, outChannels: a["out_channels"] as? Int ?? 0,
                            kernelSize: Self.pair(a["kernel_size"], 0), stride: Self.pair(a["stride"], 1), padMode: Self.padMode(a),
                            outputPadding: Self.pair(a["output_padding"], 0), dilation: Self.pair(a["dilation"], 1),
                            hasBias: a["has_bias"] as? Bool ?? false, weightInit: p["weight"], biasInit: p["bias"])
        }
        XCTAssertEqual(n, 7)
    }

    func testAdaptiveAvgPool2dMatchesMindSpore() throws {
        let n = try check("AdaptiveAvgPool2d") { a, _ in
            if let size = a["output_size"] as? Int { return AdaptiveAvgPool2d(outputSize: size) }
            let size = a["output_size"] as? [Any] ?? []
            return AdaptiveAvgPool2d(outputSize: (size.first as? Int, size.last as? Int))
        }
        XCTAssertEqual(n, 6)
    }

    func testUpsampleMatchesMindSpore() throws {
        let n = try check("Upsample") { a, _ in
            let size: [Int]? = (a["size"] as? [Int]) ?? (a["size"] as? Int).map { [$0] }
            let scale: [Double]? = (a["scale_factor"] as? [Double]) ?? (a["scale_factor"] as? Double).map { [$0] }
            return Upsample(size: size, scaleFactor: scale, mode: InterpolationMode(rawValue: a["mode"] as? String ?? "nearest") ?? .nearest,
                            alignCorners: a["align_corners"] as? Bool, recomputeScaleFactor: a["recompute_scale_factor"] as? Bool)
        }
        XCTAssertEqual(n, 24)
    }

    /// MindSpore's own safetensors checkpoint of a Conv1d (`conv`) and a Conv2dTranspose (`up`) loads strictly into
    /// TapeGrad's layers under the same names and shapes, and gives MindSpore's outputs.
    func testAMindSporeCheckpointLoadsStrictlyIntoConv1dAndConv2dTranspose() throws {
        final class Net: Cell, @unchecked Sendable {
            let conv = Conv1d(inChannels: 3, outChannels: 4, kernelSize: 3, stride: 2, hasBias: true)
            let up = Conv2dTranspose(inChannels: 4, outChannels: 2, kernelSize: (2, 3), stride: (2, 2), hasBias: true)
        }
        guard let url = Bundle.module.url(forResource: "Fixtures/conv_layers", withExtension: "safetensors")
            ?? Bundle.module.url(forResource: "conv_layers", withExtension: "safetensors", subdirectory: "Fixtures") else {
            throw FixtureError("missing fixture conv_layers.safetensors")
        }
        let expected = try loadFixture("conv_layers.json")["checkpoint"] as? [String: Any] ?? [:]
        let net = Net()
        try Checkpoint.load(into: net, from: url)
        let params = expected["params"] as? [String: Any] ?? [:]
        XCTAssertEqual(Set(net.parametersAndNames().map(\.name)), Set(params.keys))
        for (name, p) in net.parametersAndNames() { try assertClose(p.value, params[name], name, rtol: 0, atol: 0) }
        try assertClose(try withErrorChecking { net.conv(try fixtureTensor(expected["x_conv"])) }, expected["out_conv"], "conv output")
        try assertClose(try withErrorChecking { net.up(try fixtureTensor(expected["x_up"])) }, expected["out_up"], "up output")
    }
}
