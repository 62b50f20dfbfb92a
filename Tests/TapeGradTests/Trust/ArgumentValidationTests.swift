import XCTest
@testable import TapeGrad

/// Arguments that used to train garbage silently now throw a typed error naming the op or argument, the
/// value and what was expected (issue 8, found 5; MINDSPORE_SEMANTICS decision 10). One row per case;
/// these rows are part of the bad-input table.
final class ArgumentValidationTests: XCTestCase {
    struct Row {
        let name: String
        /// The error's case, as ``caseName(of:)`` spells it.
        let expectedCase: String
        /// MindSpore's error class, where TapeGrad reports one.
        let mindSporeType: String?
        /// Words the message must contain: the op or argument, the value, the expectation.
        let mentions: [String]
        let body: () throws -> Void
    }

    static func caseName(of error: Error) -> String {
        switch error {
        case let e as OptimizerError:
            switch e {
            case .gradientCount: return "OptimizerError.gradientCount"
            case .gradientShape: return "OptimizerError.gradientShape"
            case .emptyParameters: return "OptimizerError.emptyParameters"
            case .nonFloatParameter: return "OptimizerError.nonFloatParameter"
            case .invalidArgument(_, let argument, _, _): return "OptimizerError.invalidArgument(\(argument))"
            case .emptyGroup: return "OptimizerError.emptyGroup"
            case .duplicateParameter: return "OptimizerError.duplicateParameter"
            }
        case let e as TensorError: return "TensorError(\(e.op))"
        case let e as GradError:
            if case .tensor(let inner) = e { return "GradError.tensor(\(inner.op))" }
            if e == .missingSens { return "GradError.missingSens" }
            if e == .sensWithoutSensParam { return "GradError.sensWithoutSensParam" }
            return "GradError"
        default: return "\(type(of: error))"
        }
    }

    static func mindSporeType(of error: Error) -> String? {
        (error as? OptimizerError)?.mindSporeErrorType ?? (error as? GradError)?.mindSporeErrorType
    }

    // MARK: Fixtures

    static func w(_ dtype: DType = .float32) -> Parameter { Parameter(Tensor.ones([2], dtype: dtype), name: "w") }
    static let g = [Tensor([0.5, -1] as [Float])]

    /// A one-step training cell over Dense(2 → 3) with a sparse cross-entropy, and an input batch.
    static func trainer() throws -> TrainOneStepCell {
        let net = Dense(inChannels: 2, outChannels: 3, seed: 1)
        return try TrainOneStepCell(WithLossCell(net, SoftmaxCrossEntropyWithLogits(sparse: true, reduction: .mean)),
                                    optimizer: SGD(params: net.trainableParams(), learningRate: 0.1))
    }

    static let logits = Tensor([[1, 2, 3], [0, 1, 0]] as [[Float]])

    static func checked(_ body: @escaping () -> Void) -> () throws -> Void { { try withErrorChecking { body() } } }

    static func learningRate(_ lr: Double, _ make: @escaping ([Parameter], LearningRateSchedule) -> Optimizer = { SGD(params: $0, learningRate: $1) }) -> () throws -> Void {
        { try make([w()], .constant(lr)).step(gradients: g) }
    }

    // MARK: The table

    static var rows: [Row] {
        var rows: [Row] = []
        func row(_ name: String, _ expectedCase: String, _ type: String?, _ mentions: [String], _ body: @escaping () throws -> Void) {
            rows.append(Row(name: name, expectedCase: expectedCase, mindSporeType: type, mentions: mentions, body: body))
        }
        let lr = "OptimizerError.invalidArgument(learningRate)"
        // Learning rates.
        row("SGD learning rate NaN", lr, "ValueError", ["SGD", "learningRate", "nan", "finite"], learningRate(.nan))
        row("SGD learning rate negative", lr, "ValueError", ["SGD", "learningRate", "-0.1", "≥ 0"], learningRate(-0.1))
        row("SGD learning rate +inf", lr, "ValueError", ["SGD", "learningRate", "inf", "finite"], learningRate(.infinity))
        row("SGD learning rate -inf", lr, "ValueError", ["SGD", "learningRate", "-inf"], learningRate(-.infinity))
        row("Momentum learning rate negative", lr, "ValueError", ["Momentum", "learningRate", "-1.0"],
            learningRate(-1) { Momentum(params: $0, learningRate: $1, momentum: 0.9) })
        row("Adam learning rate NaN", lr, "ValueError", ["Adam", "learningRate", "nan"], learningRate(.nan) { Adam(params: $0, learningRate: $1) })
        row("AdamWeightDecay learning rate -inf", lr, "ValueError", ["AdamWeightDecay", "learningRate", "-inf"],
            learningRate(-.infinity) { AdamWeightDecay(params: $0, learningRate: $1) })
        row("schedule giving NaN at step 0", lr, "ValueError", ["SGD", "learningRate", "nan"]) {
            try SGD(params: [w()], learningRate: .custom { _ in .nan }).step(gradients: g)
        }
        row("cosine schedule with a negative minimum", lr, "ValueError", ["learningRate", "≥ 0"]) {
            try SGD(params: [w()], learningRate: .cosine(initial: -1, minimum: -2, totalSteps: 10)).step(gradients: g)
        }
        row("validate() reports a NaN rate before any step", lr, "ValueError", ["learningRate", "nan"]) {
            try Adam(params: [w()], learningRate: .constant(.nan)).validate()
        }
        // Momentum, dampening, decay, betas, eps.
        let momentum = "OptimizerError.invalidArgument(momentum)"
        row("SGD momentum negative", momentum, "ValueError", ["SGD", "momentum", "-0.9", "≥ 0"]) {
            try SGD(params: [w()], learningRate: 0.1, momentum: -0.9).step(gradients: g)
        }
        row("SGD momentum NaN", momentum, "ValueError", ["SGD", "momentum", "nan"]) {
            try SGD(params: [w()], learningRate: 0.1, momentum: .nan).step(gradients: g)
        }
        row("Momentum momentum negative", momentum, "ValueError", ["Momentum", "momentum", "-1.0"]) {
            try Momentum(params: [w()], learningRate: 0.1, momentum: -1).step(gradients: g)
        }
        row("SGD dampening negative", "OptimizerError.invalidArgument(dampening)", "ValueError", ["SGD", "dampening", "-0.5"]) {
            try SGD(params: [w()], learningRate: 0.1, momentum: 0.9, dampening: -0.5).step(gradients: g)
        }
        row("SGD weight decay negative", "OptimizerError.invalidArgument(weightDecay)", "ValueError", ["SGD", "weightDecay", "-0.01"]) {
            try SGD(params: [w()], learningRate: 0.1, weightDecay: -0.01).step(gradients: g)
        }
        row("Adam weight decay NaN", "OptimizerError.invalidArgument(weightDecay)", "ValueError", ["Adam", "weightDecay", "nan"]) {
            try Adam(params: [w()], weightDecay: .nan).step(gradients: g)
        }
        row("Adam beta1 = 1", "OptimizerError.invalidArgument(beta1)", "ValueError", ["Adam", "beta1", "1.0", "[0, 1)"]) {
            try Adam(params: [w()], beta1: 1).step(gradients: g)
        }
        row("Adam beta2 negative", "OptimizerError.invalidArgument(beta2)", "ValueError", ["Adam", "beta2", "-0.1", "[0, 1)"]) {
            try Adam(params: [w()], beta2: -0.1).step(gradients: g)
        }
        row("Adam eps 0", "OptimizerError.invalidArgument(eps)", "ValueError", ["Adam", "eps", "0.0", "> 0"]) {
            try Adam(params: [w()], eps: 0).step(gradients: g)
        }
        row("AdamWeightDecay beta1 NaN", "OptimizerError.invalidArgument(beta1)", "ValueError", ["AdamWeightDecay", "beta1", "nan"]) {
            try AdamWeightDecay(params: [w()], beta1: .nan).step(gradients: g)
        }
        // Parameter lists.
        row("SGD over no parameters", "OptimizerError.emptyParameters", "ValueError", ["SGD", "params", "empty"]) {
            try SGD(params: [], learningRate: 0.1).step(gradients: [])
        }
        row("Adam over no parameters (validate)", "OptimizerError.emptyParameters", "ValueError", ["Adam", "params", "at least one"]) {
            try Adam(params: []).validate()
        }
        row("Momentum over a frozen-only empty trainable list", "OptimizerError.emptyParameters", "ValueError", ["Momentum", "params"]) {
            try Momentum(params: BatchNorm1d(numFeatures: 2).parameters().filter { !$0.requiresGrad && false }, learningRate: 0.1, momentum: 0.9).validate()
        }
        row("SGD over an int32 trainable parameter", "OptimizerError.nonFloatParameter", "TypeError", ["SGD", "'w'", "Int32", "float32 or float64"]) {
            try SGD(params: [w(.int32)], learningRate: 0.1).step(gradients: [Tensor([1, 1] as [Int32])])
        }
        row("Adam over an int32 trainable parameter", "OptimizerError.nonFloatParameter", "TypeError", ["Adam", "'w'", "Int32"]) {
            try Adam(params: [w(.int32)]).validate()
        }
        // TrainOneStepCell.
        row("TrainOneStepCell sens NaN", "OptimizerError.invalidArgument(sens)", "ValueError", ["TrainOneStepCell", "sens", "nan", "finite"]) {
            let net = Dense(inChannels: 2, outChannels: 1)
            _ = try TrainOneStepCell(WithLossCell(net, MSELoss()), optimizer: SGD(params: net.trainableParams()), sens: .nan)
        }
        row("TrainOneStepCell sens -inf", "OptimizerError.invalidArgument(sens)", "ValueError", ["TrainOneStepCell", "sens", "-inf"]) {
            let net = Dense(inChannels: 2, outChannels: 1)
            _ = try TrainOneStepCell(WithLossCell(net, MSELoss()), optimizer: SGD(params: net.trainableParams()), sens: -.infinity)
        }
        row("TrainOneStepCell with a NaN learning rate", lr, "ValueError", ["SGD", "learningRate", "nan"]) {
            let net = Dense(inChannels: 2, outChannels: 1)
            _ = try TrainOneStepCell(WithLossCell(net, MSELoss()), optimizer: SGD(params: net.trainableParams(), learningRate: .constant(.nan)))
        }
        row("TrainOneStepCell over no parameters", "OptimizerError.emptyParameters", "ValueError", ["SGD", "params"]) {
            _ = try TrainOneStepCell(WithLossCell(ReLU(), MSELoss()), optimizer: SGD(params: []))
        }
        // Sparse labels out of range.
        let sce = "TensorError(SoftmaxCrossEntropyWithLogits)"
        row("SoftmaxCrossEntropyWithLogits label = classes", sce, nil, ["labels[0] = 3", "[0, 3)"],
            checked { _ = SoftmaxCrossEntropyWithLogits(sparse: true)(logits, Tensor([3, 0] as [Int32])) })
        row("SoftmaxCrossEntropyWithLogits label -1", sce, nil, ["labels[1] = -1", "[0, 3)"],
            checked { _ = SoftmaxCrossEntropyWithLogits(sparse: true, reduction: .mean)(logits, Tensor([0, -1] as [Int32])) })
        row("SoftmaxCrossEntropyWithLogits float sparse labels", sce, nil, ["labels", "int32", "Float32"],
            checked { _ = SoftmaxCrossEntropyWithLogits(sparse: true)(logits, Tensor([1, 0] as [Float])) })
        row("SoftmaxCrossEntropyWithLogits sparse labels of the wrong shape", sce, nil, ["sparse labels", "[2, 1]", "[2]"],
            checked { _ = SoftmaxCrossEntropyWithLogits(sparse: true)(logits, Tensor([[1], [0]] as [[Int32]])) })
        let ce = "TensorError(CrossEntropyLoss)"
        row("CrossEntropyLoss target = 5", ce, nil, ["target[1] = 5", "[0, 3)", "ignoreIndex"],
            checked { _ = CrossEntropyLoss()(logits, Tensor([0, 5] as [Int32])) })
        row("CrossEntropyLoss target -2 (not the ignore index)", ce, nil, ["target[0] = -2", "ignoreIndex (-100)"],
            checked { _ = CrossEntropyLoss()(logits, Tensor([-2, 0] as [Int32])) })
        row("CrossEntropyLoss with smoothing, target 3", ce, nil, ["target[0] = 3"],
            checked { _ = CrossEntropyLoss(labelSmoothing: 0.1)(logits, Tensor([3, 0] as [Int32])) })
        let nll = "TensorError(NLLLoss)"
        row("NLLLoss target = classes", nll, nil, ["target[0] = 3", "[0, 3)"],
            checked { _ = NLLLoss()(logits.logSoftmax(alongAxis: 1), Tensor([3, 1] as [Int32])) })
        row("NLLLoss target -1", nll, nil, ["target[1] = -1", "ignoreIndex (-100)"],
            checked { _ = NLLLoss(reduction: .sum)(logits.logSoftmax(alongAxis: 1), Tensor([0, -1] as [Int32])) })
        row("NLLLoss weighted, target 9", nll, nil, ["target[0] = 9"],
            checked { _ = NLLLoss(weight: Tensor([1, 2, 3] as [Float]))(logits, Tensor([9, 1] as [Int32])) })
        row("NLLLoss float targets", nll, nil, ["target", "int32", "Float32"],
            checked { _ = NLLLoss()(logits, Tensor([0, 1] as [Float])) })
        row("label out of range inside a gradient function", "GradError.tensor(SoftmaxCrossEntropyWithLogits)", "RuntimeError", ["labels[0] = 4"]) {
            _ = try valueAndGrad({ (x: Tensor) in SoftmaxCrossEntropyWithLogits(sparse: true)(x, Tensor([4, 0] as [Int32])).sum() }, gradPosition: 0)(logits)
        }
        row("label out of range in a training step", "GradError.tensor(SoftmaxCrossEntropyWithLogits)", "RuntimeError", ["labels[1] = 3", "[0, 3)"]) {
            _ = try trainer().step(Tensor([[1, 2], [3, 4]] as [[Float]]), Tensor([0, 3] as [Int32]))
        }
        // Float indices.
        row("gather with float32 indices", "TensorError(gather)", nil, ["indices", "int32", "Float32"],
            checked { _ = gather(logits, indices: Tensor([0.7, 1] as [Float])) })
        row("gather with float64 indices", "TensorError(gather)", nil, ["indices", "int32", "Float64"],
            checked { _ = gather(logits, indices: Tensor([1] as [Double]), axis: 1) })
        row("oneHot with float32 indices", "TensorError(oneHot)", nil, ["indices", "int32", "Float32"],
            checked { _ = oneHot(Tensor([1.9, 0] as [Float]), depth: 3) })
        row("oneHot with float64 indices", "TensorError(oneHot)", nil, ["indices", "int32", "Float64"],
            checked { _ = oneHot(Tensor([2] as [Double]), depth: 3) })
        row("Embedding with float ids", "TensorError(gather)", nil, ["indices", "int32", "Float32"],
            checked { _ = Embedding(vocabSize: 4, embeddingSize: 2, seed: 1)(Tensor([1, 2] as [Float])) })
        row("float indices inside a gradient function", "GradError.tensor(gather)", "RuntimeError", ["indices", "int32"]) {
            _ = try grad({ (x: Tensor) in gather(x, indices: Tensor([0.0] as [Float])).sum() }, gradPosition: 0)(logits)
        }
        // Layer arguments.
        row("Dropout p > 1", "TensorError(Dropout)", nil, ["'p'", "[0, 1]", "1.5"], checked { _ = Dropout(p: 1.5) })
        row("Dropout p negative", "TensorError(Dropout)", nil, ["'p'", "-0.1"], checked { _ = Dropout(p: -0.1) })
        row("Dropout p NaN", "TensorError(Dropout)", nil, ["'p'", "nan"], checked { _ = Dropout(p: .nan) })
        row("BatchNorm1d momentum > 1", "TensorError(BatchNorm1d)", nil, ["'momentum'", "[0, 1]", "1.5"],
            checked { _ = BatchNorm1d(numFeatures: 2, momentum: 1.5) })
        row("BatchNorm1d momentum NaN", "TensorError(BatchNorm1d)", nil, ["'momentum'", "nan"], checked { _ = BatchNorm1d(numFeatures: 2, momentum: .nan) })
        row("BatchNorm1d eps 0", "TensorError(BatchNorm1d)", nil, ["'eps'", "> 0", "0.0"], checked { _ = BatchNorm1d(numFeatures: 2, eps: 0) })
        row("BatchNorm1d eps negative", "TensorError(BatchNorm1d)", nil, ["'eps'", "-1e-05"], checked { _ = BatchNorm1d(numFeatures: 2, eps: -1e-5) })
        // Optimizer calls.
        row("learning rate set to NaN after creation", lr, "ValueError", ["SGD", "learningRate", "nan"]) {
            let opt = SGD(params: [w()], learningRate: 0.1)
            try opt.step(gradients: g)
            opt.learningRate = .constant(.nan)
            try opt.step(gradients: g)
        }
        row("step decay with a NaN rate (NaN from step 1)", lr, "ValueError", ["learningRate", "nan"]) {
            let opt = SGD(params: [w()], learningRate: .stepDecay(initial: 0.1, rate: .nan, stepSize: 1))
            try opt.step(gradients: g)   // 0.1 · NaN⁰ = 0.1
            try opt.step(gradients: g)
        }
        row("gradient count mismatch", "OptimizerError.gradientCount", "ValueError", ["expected 1 gradients", "got 2"]) {
            try SGD(params: [w()]).step(gradients: g + g)
        }
        row("gradient shape mismatch", "OptimizerError.gradientShape", "ValueError", ["'w'", "[3]", "[2]"]) {
            try Adam(params: [w()]).step(gradients: [Tensor([1, 2, 3] as [Float])])
        }
        // Messages that say what the user got wrong (issue 8, found 8).
        row("sensParam set, sens forgotten", "GradError.missingSens", "TypeError", ["sensParam is true", "no sens", "last input", "sens:"]) {
            _ = try grad({ (x: Tensor) in x * 2 }, gradPosition: 0, sensParam: true)(Tensor([1, 2] as [Float]))
        }
        row("sens: given without sensParam", "GradError.sensWithoutSensParam", "TypeError", ["sens", "sensParam is false", "sensParam: true"]) {
            _ = try grad({ (x: Tensor) in x * 2 }, gradPosition: 0)(Tensor([1, 2] as [Float]), sens: Tensor([1, 1] as [Float]))
        }
        return rows
    }

    func testEveryInvalidArgumentThrowsATypedErrorNamingTheArgumentAndTheExpectation() {
        XCTAssertGreaterThanOrEqual(Self.rows.count, 45)
        for row in Self.rows {
            do {
                try row.body()
                XCTFail("\(row.name): no error")
            } catch {
                XCTAssertEqual(Self.caseName(of: error), row.expectedCase, "\(row.name): \(error)")
                if let type = row.mindSporeType { XCTAssertEqual(Self.mindSporeType(of: error), type, "\(row.name): error class") }
                let message = "\(error)"
                for word in row.mentions {
                    XCTAssertTrue(message.contains(word), "\(row.name): the message should mention “\(word)”: \(message)")
                }
            }
        }
        print("argument validation rows: \(Self.rows.count)")
    }

    func testValidArgumentsStillTrain() throws {
        // The boundary values are accepted: learning rate 0, momentum 0, β₁ = 0, an ignored target.
        try SGD(params: [Self.w()], learningRate: 0, momentum: 0).step(gradients: Self.g)
        try Adam(params: [Self.w()], beta1: 0).step(gradients: Self.g)
        let loss = try withErrorChecking { CrossEntropyLoss(reduction: .sum)(Self.logits, Tensor([-100, 1] as [Int32])) }
        XCTAssertEqual(loss.item(), -Self.logits.logSoftmax(alongAxis: 1).scalars[4], accuracy: 1e-6)
    }
}
