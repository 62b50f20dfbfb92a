import XCTest
@testable import TapeGrad

/// Issue 10 item 4: tensors, cells and optimizers print as MindSpore 2.10 prints them
/// (Fixtures/printing_cases.json, written by Oracle/printing_oracle.py).
final class PrintingTests: XCTestCase {
    func testTensorsPrintExactlyAsMindSporeIncludingTheSummaryOfLargeOnes() throws {
        let fixture = try loadFixture("printing_cases.json")
        let cases = (fixture["cases"] as? [[String: Any]] ?? []).filter { $0["kind"] as? String == "tensor" }
        XCTAssertEqual(cases.count, 8)
        for c in cases {
            let name = c["name"] as? String ?? "?"
            let shape = c["shape"] as? [Int] ?? []
            let n = shape.reduce(1, *)
            let divisor = c["divisor"] as? Double ?? 1
            let values = (c["values"] as? [Double]) ?? (0..<n).map(Double.init)
            let dtype: DType = c["dtype"] as? String == "int32" ? .int32 : c["dtype"] as? String == "float64" ? .float64 : .float32
            let t = Tensor(values.map { $0 / divisor }, shape: shape).astype(dtype)
            XCTAssertEqual(t.description, c["repr"] as? String, name)
        }
    }

    func testAHundredByHundredTensorPrintsInAFewLines() {
        let text = Tensor.zeros([100, 100]).description
        XCTAssertLessThan(text.count, 1000)
        XCTAssertEqual(text.split(separator: "\n").count, 8)   // header + 3 rows + ... + 3 rows
    }

    func testCellsPrintTheirTreeAndConfigurationAsMindSpore() throws {
        let fixture = try loadFixture("printing_cases.json")
        var expected: [String: String] = [:]
        for c in fixture["cases"] as? [[String: Any]] ?? [] where c["kind"] as? String == "cell" {
            expected[c["name"] as? String ?? ""] = c["repr"] as? String
        }
        XCTAssertEqual(Dense(inChannels: 3, outChannels: 5).description, expected["dense"])
        XCTAssertEqual(Dense(inChannels: 3, outChannels: 5, hasBias: false).description, expected["dense_no_bias"])
        let seq = SequentialCell([Dense(inChannels: 3, outChannels: 5), ReLU(), Dense(inChannels: 5, outChannels: 2)])
        XCTAssertEqual(seq.description, expected["sequential"])
        XCTAssertEqual(MaxPool2d(kernelSize: 2, stride: 2).description, expected["maxpool"])
        XCTAssertEqual(Dropout(p: 0.5).description, expected["dropout"])
        XCTAssertEqual(Flatten().description, expected["flatten"])
        XCTAssertEqual(Conv2d(inChannels: 3, outChannels: 8, kernelSize: 3).description,
                       "Conv2d(input_channels=3, output_channels=8, kernel_size=(3, 3), stride=(1, 1), pad_mode=same, padding=0, dilation=(1, 1), group=1, has_bias=False, format=NCHW)")
        XCTAssertEqual(Embedding(vocabSize: 10, embeddingSize: 3).description, "Embedding(vocab_size=10, embedding_size=3, dtype=Float32)")
        XCTAssertEqual(BatchNorm1d(numFeatures: 4).description, "BatchNorm1d(num_features=4, eps=1e-05, momentum=0.9)")
        XCTAssertEqual(WithLossCell(Dense(inChannels: 3, outChannels: 2), MSELoss()).description, """
        WithLossCell(
          (backbone): Dense(input_channels=3, output_channels=2, has_bias=True)
          (lossFunction): MSELoss()
        )
        """)
    }

    func testOptimizersPrintTheirHyperParameters() {
        let params = Dense(inChannels: 2, outChannels: 1).trainableParams()
        XCTAssertEqual(SGD(params: params, learningRate: 0.1, momentum: 0.9).description,
                       "SGD(learning_rate=0.1, weight_decay=0.0, parameters=2, momentum=0.9, dampening=0.0, nesterov=False)")
        XCTAssertEqual(Adam(params: params).description,
                       "Adam(learning_rate=0.001, weight_decay=0.0, parameters=2, beta1=0.9, beta2=0.999, eps=1e-08, use_nesterov=False)")
        XCTAssertEqual(Momentum(params: params, learningRate: .cosine(initial: 0.01, minimum: 0, totalSteps: 10), momentum: 0.9).description,
                       "Momentum(learning_rate=cosine(initial: 0.01, minimum: 0.0, totalSteps: 10), weight_decay=0.0, parameters=2, momentum=0.9, use_nesterov=False)")
    }
}

/// Issue 10 item 2: a shape error inside a layer names the layer and its configuration.
final class LayerErrorTests: XCTestCase {
    func message(_ body: () -> Tensor) -> String {
        do { _ = try withErrorChecking(body); return "no error" } catch { return "\(error)" }
    }

    func testLayerShapeErrorsNameTheLayerAndItsConfiguration() {
        XCTAssertEqual(message { Dense(inChannels: 3, outChannels: 5)(Tensor.zeros([4, 2])) },
                       "Dense(inChannels: 3, outChannels: 5): got input [4, 2]; expected [..., 3] (the last axis holds the 3 input features)")
        XCTAssertEqual(message { Conv2d(inChannels: 3, outChannels: 8, kernelSize: 3)(Tensor.zeros([1, 1, 4, 4])) },
                       "Conv2d(inChannels: 3, outChannels: 8, kernelSize: (3, 3)): got input [1, 1, 4, 4]; expected (N, 3, H, W)")
        XCTAssertEqual(message { LayerNorm(normalizedShape: [4])(Tensor.zeros([2, 3])) },
                       "LayerNorm(normalizedShape: [4]): got input [2, 3]; expected [..., 4]")
        XCTAssertEqual(message { BatchNorm1d(numFeatures: 4)(Tensor.zeros([2, 3])) },
                       "BatchNorm1d(numFeatures: 4): got input [2, 3]; expected (N, 4) or (N, 4, L)")
        XCTAssertEqual(message { Embedding(vocabSize: 10, embeddingSize: 3)(Tensor([1, 12] as [Int32])) },
                       "Embedding(vocabSize: 10, embeddingSize: 3): got id 12.0 in input [2]; expected integer ids in 0..<10")
        XCTAssertEqual(message { MaxPool2d(kernelSize: 2, stride: 2)(Tensor.zeros([4, 4])) },
                       "MaxPool2d(kernelSize: 2, stride: 2): got input [4, 4]; expected (N, C, H, W)")
        XCTAssertEqual(message { MSELoss()(Tensor.zeros([2]), Tensor.zeros([3])) },
                       "MSELoss(reduction: .mean): got prediction [2] and label [3]; expected shapes that broadcast")
        XCTAssertEqual(message { L1Loss(reduction: .sum)(Tensor.zeros([2]), Tensor.zeros([3])) },
                       "L1Loss(reduction: .sum): got prediction [2] and label [3]; expected shapes that broadcast")
        XCTAssertTrue(message { SoftmaxCrossEntropyWithLogits(sparse: true)(Tensor.zeros([2]), Tensor([0] as [Int32])) }
            .hasPrefix("SoftmaxCrossEntropyWithLogits(sparse: true, reduction: .none): "))
    }

    func testALayerErrorInsideAGradientFunctionIsThrownAsGradError() throws {
        let net = Dense(inChannels: 3, outChannels: 5)
        let g = try grad(net, gradPosition: 0)
        XCTAssertThrowsError(try g(Tensor.zeros([4, 2]))) {
            XCTAssertTrue("\($0)".hasPrefix("Dense(inChannels: 3, outChannels: 5): got input [4, 2]"))
        }
    }

    func testLayersTakeADTypeSoAFloat64NetworkNeedsNoInitialValues() throws {
        let layers: [Cell] = [Dense(inChannels: 2, outChannels: 2, dtype: .float64), LayerNorm(normalizedShape: [2], dtype: .float64),
                              BatchNorm1d(numFeatures: 2, dtype: .float64), Embedding(vocabSize: 3, embeddingSize: 2, dtype: .float64),
                              Conv2d(inChannels: 1, outChannels: 1, kernelSize: 1, hasBias: true, dtype: .float64)]
        for layer in layers {
            XCTAssertEqual(Set(layer.parameters().map(\.dtype)), [.float64], "\(layer)")
        }
        let net = SequentialCell([Dense(inChannels: 2, outChannels: 3, activation: .tanh, dtype: .float64), Dense(inChannels: 3, outChannels: 1, dtype: .float64)])
        let x = Tensor([[0.5, -1]] as [[Double]])
        XCTAssertEqual(net(x).dtype, .float64)
        let check = try checkGradients("float64 MLP", at: [x]) { net($0[0]) }
        XCTAssertLessThan(check.worstRelativeError, 1e-7, "\(check)")
    }
}
