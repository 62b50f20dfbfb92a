import XCTest
@testable import TapeGrad

/// Every layer's gradients against central finite differences in float64: with respect to the input
/// (``checkGradients``) and to each parameter (perturbing the parameter's stored value).
final class LayerGradientCheckTests: XCTestCase {
    /// Converts a cell's parameters to float64 (so finite differences are exact enough).
    func toFloat64(_ cell: Cell) {
        for (_, p) in cell.parametersAndNames() { p.replaceStoredValue(with: p.storedValue.astype(.float64)) }
    }

    /// Worst relative error of ∂(Σ r ⊙ cell(x))/∂p over all trainable parameters.
    func parameterGradientError(_ cell: Cell, _ x: Tensor) throws -> Double {
        let params = cell.trainableParams()
        guard !params.isEmpty else { return 0 }
        let r = Tensor.randomUniform(try withErrorChecking { cell(x) }.shape, lower: 0.5, upper: 1.5, dtype: .float64, seed: 9)
        let analytic = try grad({ (x: Tensor) in (cell(x) * r).sum() }, gradPosition: nil, weights: params)(x).elements.map(\.asTensor)
        var worst = 0.0
        for (p, g) in zip(params, analytic) {
            let original = p.storedValue
            var values = original.scalars
            let a = g.scalars
            for k in 0..<values.count {
                let v = values[k], h = 1e-6 * Swift.max(1, Swift.abs(v))
                values[k] = v + h; p.replaceStoredValue(with: Tensor(values, shape: original.shape))
                let plus = try withErrorChecking { (cell(x) * r).sum().item() }
                values[k] = v - h; p.replaceStoredValue(with: Tensor(values, shape: original.shape))
                let minus = try withErrorChecking { (cell(x) * r).sum().item() }
                values[k] = v
                let numeric = (plus - minus) / (2 * h)
                worst = Swift.max(worst, Swift.abs(a[k] - numeric) / Swift.max(1, Swift.abs(a[k]), Swift.abs(numeric)))
            }
            p.replaceStoredValue(with: original)
        }
        return worst
    }

    func check(_ name: String, _ cell: Cell, _ x: Tensor, inputToo: Bool = true, file: StaticString = #filePath, line: UInt = #line) throws {
        toFloat64(cell)
        if inputToo {
            let r = try checkGradients(name, at: [x]) { cell($0[0]) }
            XCTAssertLessThan(r.worstRelativeError, 1e-6, "\(r)", file: file, line: line)
        }
        let e = try parameterGradientError(cell, x)
        print("gradient check \(name): parameters \(e), \(cell.trainableParams().count) tensors")
        XCTAssertLessThan(e, 1e-6, "\(name) parameters: \(e)", file: file, line: line)
    }

    func r(_ shape: [Int], _ seed: UInt64) -> Tensor { Tensor.randomUniform(shape, lower: -1, upper: 1, dtype: .float64, seed: seed) }

    func testLayerGradientsMatchFiniteDifferences() throws {
        setSeed(3)
        try check("Dense", Dense(inChannels: 4, outChannels: 3), r([5, 4], 1))
        try check("Dense tanh", Dense(inChannels: 4, outChannels: 3, activation: .tanh), r([5, 4], 2))
        try check("SequentialCell", SequentialCell([Dense(inChannels: 4, outChannels: 6), Tanh(), Dense(inChannels: 6, outChannels: 2)]), r([3, 4], 3))
        try check("Sigmoid", Sigmoid(), r([3, 4], 4))
        try check("GELU", GELU(), r([3, 4], 5))
        try check("Softmax", Softmax(), r([3, 4], 6))
        try check("LogSoftmax", LogSoftmax(axis: 0), r([3, 4], 7))
        try check("Flatten", Flatten(), r([2, 3, 2], 8))
        try check("LayerNorm", LayerNorm(normalizedShape: [4]), r([3, 4], 9))
        try check("LayerNorm 2 axes", LayerNorm(normalizedShape: [2, 3], beginNormAxis: 1, beginParamsAxis: 1), r([2, 2, 3], 10))
        try check("BatchNorm1d eval", BatchNorm1d(numFeatures: 3), r([4, 3], 11))
        let bn = BatchNorm1d(numFeatures: 3)
        bn.setTrain(true)
        try check("BatchNorm1d train", bn, r([5, 3], 12))
        try check("BatchNorm1d train (N, C, L)", bn, r([2, 3, 4], 12))
        try check("Conv2d same", Conv2d(inChannels: 2, outChannels: 3, kernelSize: 3, padMode: .same, hasBias: true), r([2, 2, 5, 5], 13))
        try check("Conv2d stride 2 dilation", Conv2d(inChannels: 2, outChannels: 2, kernelSize: (2, 3), stride: (2, 1), padMode: .valid, dilation: (1, 2)), r([1, 2, 6, 7], 14))
        try check("Conv2d pad", Conv2d(inChannels: 1, outChannels: 2, kernelSize: 3, stride: 2, padMode: .pad(1), hasBias: true), r([2, 1, 5, 5], 15))
        try check("MaxPool2d", MaxPool2d(kernelSize: 2, stride: 2), r([2, 2, 4, 4], 16))
        try check("MaxPool2d same", MaxPool2d(kernelSize: 3, stride: 2, padMode: .same), r([1, 2, 5, 5], 17))
        try check("AvgPool2d", AvgPool2d(kernelSize: 3, stride: 1), r([1, 2, 5, 5], 18))
        try check("AvgPool2d same", AvgPool2d(kernelSize: 3, stride: 2, padMode: .same), r([1, 2, 5, 5], 19))
        try check("Embedding", Embedding(vocabSize: 5, embeddingSize: 3), Tensor([[0, 4], [4, 1]] as [[Int32]]), inputToo: false)
        let dropout = Dropout(p: 0.3, seed: 4)
        XCTAssertEqual(dropout(Tensor([1, 2])).scalars, [1, 2])   // evaluation: identity
    }

    func testLossGradientsMatchFiniteDifferences() throws {
        let logits = r([4, 5], 20), labels = Tensor([1, 0, 4, 2] as [Int32])
        let probs = Tensor.randomUniform([4, 5], lower: 0.1, upper: 1, dtype: .float64, seed: 21)
        let targets = probs / probs.sum(alongAxes: [1], keepDims: true)
        let cases: [(String, Cell, Tensor)] = [
            ("MSELoss", MSELoss(), r([4, 5], 22)),
            ("L1Loss", L1Loss(reduction: .sum), r([4, 5], 23) * 3),
            ("CrossEntropyLoss indices", CrossEntropyLoss(labelSmoothing: 0.1), labels),
            ("CrossEntropyLoss probabilities", CrossEntropyLoss(reduction: .sum), targets),
            ("NLLLoss weighted", NLLLoss(weight: Tensor([1, 2, 0.5, 1.5, 1] as [Double])), labels),
            ("BCEWithLogitsLoss", BCEWithLogitsLoss(posWeight: Tensor([2] as [Double])), greater(r([4, 5], 24), Tensor(0 as Double))),
        ]
        for (name, loss, target) in cases {
            let result = try checkGradients(name, at: [logits]) { loss($0[0], target) }
            XCTAssertLessThan(result.worstRelativeError, 1e-6, "\(result)")
        }
    }

    func testDropoutInTrainingDropsAboutPAndRescales() throws {
        let d = Dropout(p: 0.25, seed: 11)
        d.setTrain(true)
        let y = d(Tensor.ones([10000])).scalars
        let kept = y.filter { $0 != 0 }
        XCTAssertEqual(Double(kept.count) / 10000, 0.75, accuracy: 0.02)
        XCTAssertTrue(kept.allSatisfy { Swift.abs($0 - 1 / 0.75) < 1e-6 })
        // The gradient is the same mask: ∂/∂x Σ dropout(x) = mask / (1 − p).
        d.setTrain(true)
        let g = try gradient(at: Tensor.ones([1000])) { d($0).sum() }.scalars
        XCTAssertTrue(g.allSatisfy { $0 == 0 || Swift.abs($0 - 1 / 0.75) < 1e-6 })
    }

    func testParametersAreNamedAsMindSporeNamesThem() {
        let seq = SequentialCell([Dense(inChannels: 2, outChannels: 2), ReLU(), Dense(inChannels: 2, outChannels: 1)])
        XCTAssertEqual(seq.parametersAndNames().map(\.name), ["0.weight", "0.bias", "2.weight", "2.bias"])
        XCTAssertEqual(BatchNorm1d(numFeatures: 2).parametersAndNames().map(\.name), ["gamma", "beta", "moving_mean", "moving_variance"])
        XCTAssertEqual(BatchNorm1d(numFeatures: 2).trainableParams().map(\.name), ["gamma", "beta"])
    }
}
