import XCTest
@testable import TapeGrad

/// `BatchNorm2d` against real MindSpore 2.10, `InstanceNorm2d` and `RMSNorm` against PyTorch
/// (`Oracle/norm_layers_oracle.py` → `Fixtures/norm_layers.json`), float64 finite differences, names and modes.
final class NormLayerTests: XCTestCase {
    func assertClose(_ a: Tensor, _ expected: Any?, _ what: String, rtol: Double = 1e-4, atol: Double = 2e-5,
                     file: StaticString = #filePath, line: UInt = #line) throws {
        let e = try fixtureTensor(expected)
        XCTAssertEqual(a.shape, e.shape, what, file: file, line: line)
        for (i, (x, y)) in zip(a.scalars, e.scalars).enumerated() where !(Swift.abs(x - y) <= atol + rtol * Swift.abs(y)) {
            XCTFail("\(what): element \(i): \(x) vs oracle \(y)", file: file, line: line)
            return
        }
    }

    func cases(_ section: String, _ key: String) throws -> [[String: Any]] {
        let doc = try loadFixture("norm_layers.json")
        return (doc[section] as? [String: Any])?[key] as? [[String: Any]] ?? []
    }

    func set(_ p: Parameter, _ c: [String: Any], _ key: String) throws {
        p.value = try fixtureTensor((c["params"] as? [String: Any])?[key])
    }

    // MARK: Oracle fixtures

    func testBatchNorm2dMatchesMindSporeOutputsGradientsAndMovingStatistics() throws {
        let all = try cases("mindspore", "batchnorm2d")
        XCTAssertEqual(all.count, 4)
        for c in all {
            let bn = BatchNorm2d(numFeatures: c["num_features"] as? Int ?? 0, eps: fixtureDouble(c["eps"]) ?? 0,
                                 momentum: fixtureDouble(c["momentum"]) ?? 0, affine: c["affine"] as? Bool ?? true)
            try checkBatchNorm(c, bn, [bn.gamma, bn.beta, bn.movingMean, bn.movingVariance])
        }
    }

    /// BatchNorm1d on (N, C, L) and (N, C), the statistics over N·L (or N) per channel.
    func testBatchNorm1dMatchesMindSporeOnSequencesAndVectors() throws {
        let all = try cases("mindspore", "batchnorm1d")
        XCTAssertEqual(all.count, 4)
        XCTAssertEqual(Set(all.map { (c: [String: Any]) in (try? fixtureTensor(c["x"]))?.rank ?? 0 }), [2, 3])
        for c in all {
            let bn = BatchNorm1d(numFeatures: c["num_features"] as? Int ?? 0, eps: fixtureDouble(c["eps"]) ?? 0,
                                 momentum: fixtureDouble(c["momentum"]) ?? 0, affine: c["affine"] as? Bool ?? true)
            try checkBatchNorm(c, bn, [bn.gamma, bn.beta, bn.movingMean, bn.movingVariance])
        }
    }

    /// One MindSpore batch-norm case: training output, moving statistics after one and two steps, evaluation
    /// output, and ∂x (∂γ, ∂β when affine) of Σ(y ⊙ sens); `parameters` are γ, β, moving mean, moving variance.
    private func checkBatchNorm(_ c: [String: Any], _ bn: Cell, _ parameters: [Parameter]) throws {
        let name = c["name"] as? String ?? "?"
        let x = try fixtureTensor(c["x"]), x2 = try fixtureTensor(c["x2"]), sens = try fixtureTensor(c["sens"])
        let affine = c["affine"] as? Bool ?? true
        let (gamma, beta, movingMean, movingVariance) = (parameters[0], parameters[1], parameters[2], parameters[3])
        func reset() throws {
            for (p, key) in zip(parameters, ["gamma", "beta", "moving_mean", "moving_variance"]) { try set(p, c, key) }
        }
        try reset()
        bn.setTrain()
        try assertClose(try withErrorChecking { bn(x) }, c["output_train"], "\(name) training output")
        let after1 = c["moving_after_1"] as? [String: Any], after2 = c["moving_after_2"] as? [String: Any]
        try assertClose(movingMean.value, after1?["moving_mean"], "\(name) moving_mean after 1 step", atol: 1e-6)
        try assertClose(movingVariance.value, after1?["moving_variance"], "\(name) moving_variance after 1 step", atol: 1e-6)
        _ = try withErrorChecking { bn(x2) }
        try assertClose(movingMean.value, after2?["moving_mean"], "\(name) moving_mean after 2 steps", atol: 1e-6)
        try assertClose(movingVariance.value, after2?["moving_variance"], "\(name) moving_variance after 2 steps", atol: 1e-6)
        bn.setTrain(false)
        try assertClose(try withErrorChecking { bn(x) }, c["output_eval"], "\(name) evaluation output")

        try reset()
        bn.setTrain()
        let loss = { (t: Tensor) in (bn(t) * sens).sum() }
        if affine {
            let (_, grads) = try valueAndGrad(loss, gradPosition: 0, weights: [gamma, beta])(x)
            try assertClose(grads[0].asTensor, c["grad_x"], "\(name) ∂x")
            try assertClose(grads[1][0].asTensor, c["grad_gamma"], "\(name) ∂γ")
            try assertClose(grads[1][1].asTensor, c["grad_beta"], "\(name) ∂β")
        } else {
            XCTAssertTrue(bn.trainableParams().isEmpty, name)
            try assertClose(try grad(loss, gradPosition: 0)(x).asTensor, c["grad_x"], "\(name) ∂x")
        }
    }

    func testInstanceNorm2dMatchesPyTorchInTrainingAndEvaluation() throws {
        let all = try cases("pytorch", "instancenorm2d")
        XCTAssertEqual(all.count, 3)
        for c in all {
            let name = c["name"] as? String ?? "?"
            let x = try fixtureTensor(c["x"]), sens = try fixtureTensor(c["sens"])
            let norm = InstanceNorm2d(numFeatures: x.shape[1], eps: fixtureDouble(c["eps"]) ?? 0)
            try set(norm.gamma, c, "gamma")
            try set(norm.beta, c, "beta")
            for training in [true, false] {
                norm.setTrain(training)
                try assertClose(try withErrorChecking { norm(x) }, c["output"], "\(name) output, training \(training)")
            }
            norm.setTrain()
            let (_, grads) = try valueAndGrad({ (t: Tensor) in (norm(t) * sens).sum() }, gradPosition: 0, weights: [norm.gamma, norm.beta])(x)
            try assertClose(grads[0].asTensor, c["grad_x"], "\(name) ∂x")
            try assertClose(grads[1][0].asTensor, c["grad_gamma"], "\(name) ∂γ")
            try assertClose(grads[1][1].asTensor, c["grad_beta"], "\(name) ∂β")
            // The moving statistics are kept for checkpoints and never change (as in MindSpore 2.10).
            XCTAssertEqual(norm.movingMean.value.scalars, [Double](repeating: 0, count: x.shape[1]), name)
            XCTAssertEqual(norm.movingVariance.value.scalars, [Double](repeating: 1, count: x.shape[1]), name)
        }
    }

    func testRMSNormMatchesPyTorch() throws {
        let all = try cases("pytorch", "rmsnorm")
        XCTAssertEqual(all.count, 3)
        for c in all {
            let name = c["name"] as? String ?? "?"
            let x = try fixtureTensor(c["x"]), sens = try fixtureTensor(c["sens"])
            let norm = RMSNorm(normalizedShape: c["normalized_shape"] as? [Int] ?? [], eps: fixtureDouble(c["eps"]))
            let weight = try XCTUnwrap(norm.weight)
            try set(weight, c, "weight")
            try assertClose(try withErrorChecking { norm(x) }, c["output"], "\(name) output")
            let (_, grads) = try valueAndGrad({ (t: Tensor) in (norm(t) * sens).sum() }, gradPosition: 0, weights: [weight])(x)
            try assertClose(grads[0].asTensor, c["grad_x"], "\(name) ∂x")
            try assertClose(grads[1][0].asTensor, c["grad_weight"], "\(name) ∂w")
        }
    }

    // MARK: Finite differences (float64)

    /// Worst relative error of ∂(Σ r ⊙ cell(x))/∂p against central differences, over the trainable parameters.
    func parameterGradientError(_ cell: Cell, _ x: Tensor) throws -> Double {
        let params = cell.trainableParams()
        let r = Tensor.randomUniform(try withErrorChecking { cell(x) }.shape, lower: 0.5, upper: 1.5, dtype: .float64, seed: 9)
        let loss = { (x: Tensor) in (cell(x) * r).sum() }
        let analytic = try grad(loss, gradPosition: nil, weights: params)(x).elements.map(\.asTensor)
        var worst = 0.0
        for (p, g) in zip(params, analytic) {
            let original = p.storedValue
            var values = original.scalars
            for k in values.indices {
                let v = values[k], h = 1e-6 * Swift.max(1, Swift.abs(v))
                values[k] = v + h; p.replaceStoredValue(with: Tensor(values, shape: original.shape))
                let plus = try withErrorChecking { loss(x).item() }
                values[k] = v - h; p.replaceStoredValue(with: Tensor(values, shape: original.shape))
                let minus = try withErrorChecking { loss(x).item() }
                values[k] = v
                let numeric = (plus - minus) / (2 * h), a = g.scalars[k]
                worst = Swift.max(worst, Swift.abs(a - numeric) / Swift.max(1, Swift.abs(a), Swift.abs(numeric)))
            }
            p.replaceStoredValue(with: original)
        }
        return worst
    }

    func testGradientsMatchFiniteDifferencesInFloat64() throws {
        let bn = BatchNorm2d(numFeatures: 3, gammaInit: .uniform(scale: 2), betaInit: .uniform(scale: 1),
                             movingMeanInit: .uniform(scale: 0.5), movingVarInit: .constant(1.3), dtype: .float64)
        let x = Tensor.randomNormal([2, 3, 3, 2], dtype: .float64, seed: 31)
        let layers: [(String, Cell, Tensor)] = [
            ("BatchNorm2d training", BatchNorm2d(numFeatures: 3, gammaInit: .uniform(scale: 2), betaInit: .uniform(scale: 1), dtype: .float64).setTrain(), x),
            ("BatchNorm2d evaluation", bn, x),
            ("BatchNorm2d batch statistics in evaluation", BatchNorm2d(numFeatures: 3, gammaInit: .uniform(scale: 2), useBatchStatistics: true, dtype: .float64), x),
            ("InstanceNorm2d", InstanceNorm2d(numFeatures: 3, gammaInit: .uniform(scale: 2), betaInit: .uniform(scale: 1), dtype: .float64), x),
            ("RMSNorm", RMSNorm(normalizedShape: [3, 2], dtype: .float64), x),
        ]
        if let w = layers[4].1.trainableParams().first { w.value = Tensor.randomUniform([3, 2], lower: 0.5, upper: 1.5, dtype: .float64, seed: 32) }
        for (name, cell, x) in layers {
            let input = try checkGradients(name, at: [x]) { cell($0[0]) }
            XCTAssertLessThan(input.worstRelativeError, 1e-6, "\(input)")
            let params = try parameterGradientError(cell, x)
            XCTAssertLessThan(params, 1e-6, "\(name) parameters")
        }
    }

    func testBatchNorm2dHasSecondDerivativesMatchingFiniteDifferences() throws {
        for training in [true, false] {
            let bn = BatchNorm2d(numFeatures: 2, gammaInit: .uniform(scale: 2), betaInit: .uniform(scale: 1),
                                 movingMeanInit: .uniform(scale: 0.5), movingVarInit: .constant(0.8), dtype: .float64).setTrain(training)
            let row = SecondOrderCase("BatchNorm2d", "training \(training)", inputs: [Tensor.randomNormal([3, 2, 2, 2], dtype: .float64, seed: 33)]) { bn($0[0]) }
            guard case .checked(let result) = try SecondOrder.check(row) else { return XCTFail("\(row.name) threw") }
            XCTAssertLessThan(result.worstRelativeError, 1e-6, "\(result)")
        }
    }

    // MARK: Modes, statistics, names

    func testUseBatchStatisticsOverridesTheTrainingFlag() throws {
        let x = Tensor.randomNormal([4, 2, 3, 3], seed: 34)
        let frozen = BatchNorm2d(numFeatures: 2, movingMeanInit: .constant(0.5), movingVarInit: .constant(4), useBatchStatistics: false).setTrain()
        let y = try withErrorChecking { frozen(x) }
        XCTAssertEqual(y.scalars, x.scalars.map { ($0 - 0.5) / (4 + 1e-5).squareRoot() }, accuracy: 1e-6)
        XCTAssertEqual(frozen.movingMean.value.scalars, [0.5, 0.5])
        let always = BatchNorm2d(numFeatures: 2, useBatchStatistics: true).setTrain(false)
        let z = try withErrorChecking { always(x) }
        let mean = z.mean(alongAxes: [0, 2, 3]).scalars, variance = z.variance(alongAxes: [0, 2, 3]).scalars
        XCTAssertEqual(mean, [0, 0], accuracy: 1e-6)
        XCTAssertEqual(variance, [1, 1], accuracy: 1e-4)
        let batchMean = x.mean(alongAxes: [0, 2, 3]).scalars
        XCTAssertEqual(always.movingMean.value.scalars, batchMean.map { 0.1 * $0 }, accuracy: 1e-6)
    }

    func testParametersCarryMindSporeCheckpointNamesAndLoadFromAMindSporeFile() throws {
        let names = try loadFixture("norm_layers.json")["mindspore"].flatMap { ($0 as? [String: Any])?["batchnorm2d_parameter_names"] as? [String] }
        XCTAssertEqual(BatchNorm2d(numFeatures: 3).parametersAndNames().map(\.name), names)
        XCTAssertEqual(names, ["moving_mean", "moving_variance", "gamma", "beta"])
        XCTAssertEqual(BatchNorm2d(numFeatures: 3).trainableParams().map(\.name), ["gamma", "beta"])
        XCTAssertEqual(InstanceNorm2d(numFeatures: 3).parametersAndNames().map(\.name), ["moving_mean", "moving_variance", "gamma", "beta"])
        XCTAssertEqual(RMSNorm(normalizedShape: [4]).parametersAndNames().map(\.name), ["weight"])
        XCTAssertEqual(BatchNorm2d(numFeatures: 2, affine: false, gammaInit: .constant(0.5)).gamma.value.scalars, [0.5, 0.5])

        // MindSpore's own checkpoint of a Dense + BatchNorm (`bn.moving_mean`, …) fills a TapeGrad BatchNorm2d.
        final class Net: Cell, @unchecked Sendable { let bn = BatchNorm2d(numFeatures: 2) }
        let net = Net()
        XCTAssertEqual(net.parametersAndNames().map(\.name), ["bn.moving_mean", "bn.moving_variance", "bn.gamma", "bn.beta"])
        guard let url = Bundle.module.url(forResource: "Fixtures/mindspore_dtypes", withExtension: "safetensors")
            ?? Bundle.module.url(forResource: "mindspore_dtypes", withExtension: "safetensors", subdirectory: "Fixtures") else {
            throw FixtureError("missing fixture mindspore_dtypes.safetensors")
        }
        let report = try Checkpoint.load(into: net, from: url, strict: false)
        let file = try Checkpoint.read(from: url)
        XCTAssertEqual(report.missingKeys, [])
        for (name, p) in net.parametersAndNames() {
            XCTAssertEqual(p.value.scalars, try XCTUnwrap(file[name]).scalars, name)
        }
    }

    func testFusedTrainingPathAgreesWithTheComposedOneInHalfPrecision() throws {
        // float16 goes through the composed ops, float32 through the fused kernel: same numbers to float16 rounding.
        let x = Tensor.randomNormal([3, 2, 2, 3], seed: 35)
        let half = BatchNorm2d(numFeatures: 2, dtype: .float16).setTrain(), single = BatchNorm2d(numFeatures: 2).setTrain()
        let yHalf = try withErrorChecking { half(x.astype(.float16)) }, ySingle = try withErrorChecking { single(x) }
        XCTAssertEqual(yHalf.dtype, .float16)
        XCTAssertEqual(yHalf.scalars, ySingle.scalars, accuracy: 1e-2)
        XCTAssertEqual(half.movingVariance.value.scalars, single.movingVariance.value.scalars, accuracy: 1e-3)
        let gHalf = try grad({ (t: Tensor) in (half(t) * t).sum() }, gradPosition: 0)(x.astype(.float16)).asTensor
        let gSingle = try grad({ (t: Tensor) in (single(t) * t).sum() }, gradPosition: 0)(x).asTensor
        XCTAssertEqual(gHalf.scalars, gSingle.scalars, accuracy: 2e-2)
        let instanceHalf = InstanceNorm2d(numFeatures: 2, dtype: .float16), instanceSingle = InstanceNorm2d(numFeatures: 2)
        let iHalf = try withErrorChecking { instanceHalf(x.astype(.float16)) }
        XCTAssertEqual(iHalf.dtype, .float16)
        XCTAssertEqual(iHalf.scalars, try withErrorChecking { instanceSingle(x) }.scalars, accuracy: 1e-2)
    }

    func testALargeInputSplitAcrossCoresMatchesTheFormulaInFloat64() throws {
        // 2¹⁹ elements: the fused kernels split the channels across the cores (Parallel.threshold).
        let x = Tensor.randomNormal([8, 4, 128, 128], mean: 0.5, standardDeviation: 2, seed: 36)
        XCTAssertGreaterThanOrEqual(x.count, Parallel.threshold)
        let sens = Tensor.randomUniform(x.shape, lower: -1, upper: 1, seed: 37)
        let bn = BatchNorm2d(numFeatures: 4).setTrain()
        bn.gamma.value = Tensor([0.5, 1, 1.5, 2] as [Float])
        bn.beta.value = Tensor([0.1, -0.1, 0.2, 0] as [Float])
        let (_, grads) = try valueAndGrad({ (t: Tensor) in (bn(t) * sens).sum() }, gradPosition: 0, weights: [bn.gamma, bn.beta])(x)
        // The same in float64 from its formula.
        let x64 = x.astype(.float64), g64 = sens.astype(.float64), gamma = Tensor([0.5, 1, 1.5, 2] as [Double]).reshaped(to: [1, 4, 1, 1])
        let centered = x64 - x64.mean(alongAxes: [0, 2, 3], keepDims: true)
        let r = rsqrt((centered * centered).mean(alongAxes: [0, 2, 3], keepDims: true) + 1e-5)
        let normalized = centered * r, m = Double(8 * 128 * 128)
        let sumG = g64.sum(alongAxes: [0, 2, 3], keepDims: true), sumGX = (g64 * normalized).sum(alongAxes: [0, 2, 3], keepDims: true)
        let dx = (g64 - sumG / m - normalized * (sumGX / m)) * r * gamma
        let worst = abs(grads[0].asTensor.astype(.float64) - dx).max().item()
        XCTAssertLessThan(worst, 1e-5)
        XCTAssertEqual(grads[1][0].asTensor.scalars, sumGX.reshaped(to: [4]).scalars, accuracy: 1e-2)
        XCTAssertEqual(grads[1][1].asTensor.scalars, sumG.reshaped(to: [4]).scalars, accuracy: 1e-2)
        let mean = x64.mean(alongAxes: [0, 2, 3]).scalars
        XCTAssertEqual(bn.movingMean.value.scalars, mean.map { 0.1 * $0 }, accuracy: 1e-6)
    }

    func testRMSNormDefaultEpsIsTheMachineEpsilonOfTheInput() throws {
        // y = x / √(x² + ε): float32 ε = 2⁻²³, float64 ε = 2⁻⁵².
        let y32 = try withErrorChecking { RMSNorm(normalizedShape: [1])(Tensor([[1e-3]] as [[Float]])) }
        XCTAssertEqual(y32.scalars[0], 1e-3 / (1e-6 + 0x1p-23).squareRoot(), accuracy: 1e-6)
        let y64 = try withErrorChecking { RMSNorm(normalizedShape: [1], dtype: .float64)(Tensor([[1e-8]] as [[Double]])) }
        XCTAssertEqual(y64.scalars[0], 1e-8 / (1e-16 + 0x1p-52).squareRoot(), accuracy: 1e-12)
        let plain = RMSNorm(normalizedShape: [2], eps: 0, elementwiseAffine: false)
        XCTAssertNil(plain.weight)
        XCTAssertEqual(try withErrorChecking { plain(Tensor([[3, 4]] as [[Float]])) }.scalars, [3 / 12.5.squareRoot(), 4 / 12.5.squareRoot()], accuracy: 1e-6)
    }

    func testLayersPrintTheirConfiguration() {
        XCTAssertEqual(BatchNorm2d(numFeatures: 3).description, "BatchNorm2d(num_features=3, eps=1e-05, momentum=0.9)")
        XCTAssertEqual(InstanceNorm2d(numFeatures: 3).description, "InstanceNorm2d(num_features=3, eps=1e-05, momentum=0.1)")
        XCTAssertEqual(RMSNorm(normalizedShape: [4]).description, "RMSNorm(normalized_shape=(4,), eps=None, elementwise_affine=True)")
        XCTAssertEqual(RMSNorm(normalizedShape: [2, 3], eps: 1e-6).description, "RMSNorm(normalized_shape=(2, 3), eps=1e-06, elementwise_affine=True)")
    }
}

private func XCTAssertEqual(_ a: [Double], _ b: [Double], accuracy: Double, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, file: file, line: line)
    for (u, v) in zip(a, b) { XCTAssertEqual(u, v, accuracy: accuracy, file: file, line: line) }
}
