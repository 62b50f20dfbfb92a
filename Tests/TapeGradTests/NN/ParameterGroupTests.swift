import XCTest
@testable import TapeGrad

/// Parameter groups: MindSpore's rules for defaults, weight decay inside groups, update order and errors, and the
/// "no decay for biases and norms" split.
final class ParameterGroupTests: XCTestCase {
    func params() -> (w: Parameter, b: Parameter, gamma: Parameter) {
        (Parameter(Tensor([[1.0, -2.0], [0.5, 4.0]] as [[Double]]), name: "fc.weight"),
         Parameter(Tensor([0.25, -1.0] as [Double]), name: "fc.bias"),
         Parameter(Tensor([[2.0, 3.0]] as [[Double]]), name: "norm.gamma"))
    }

    func testAGroupTakesTheOptimizersDefaultsAndDecaysEveryParameterItHolds() throws {
        let (w, b, gamma) = params()
        let g = [Tensor([[0.1, 0.2], [0.3, 0.4]] as [[Double]]), Tensor([1.0, -1.0] as [Double]), Tensor([[0.5, 0.5]] as [[Double]])]
        // Group 0 has its own lr; group 1 takes lr 0.1 and weight decay 0.5, applied to "norm.gamma" too (in a
        // group the name filter does not apply, as in MindSpore).
        let opt = try SGD(groups: [ParameterGroup(params: [w], learningRate: 0.01, weightDecay: 0),
                                   ParameterGroup(params: [b, gamma])], learningRate: 0.1, weightDecay: 0.5)
        XCTAssertEqual((0..<3).map(opt.weightDecay(forSlot:)), [0, 0.5, 0.5])
        try opt.step(gradients: g)
        // p ← p − lr·(g + wd·p)
        XCTAssertEqual(w.storedValue.scalars, [1 - 0.001, -2 - 0.002, 0.5 - 0.003, 4 - 0.004])
        XCTAssertEqual(b.storedValue.scalars, [0.25 - 0.1 * (1 + 0.125), -1 - 0.1 * (-1 - 0.5)])
        XCTAssertEqual(gamma.storedValue.scalars, [2 - 0.1 * (0.5 + 1), 3 - 0.1 * (0.5 + 1.5)])
        // Ungrouped, the same decay skips "gamma" (MindSpore's default filter).
        let (w2, b2, gamma2) = params()
        let plain = SGD(params: [w2, b2, gamma2], learningRate: 0.1, weightDecay: 0.5)
        XCTAssertEqual((0..<3).map(plain.weightDecay(forSlot:)), [0.5, 0.5, 0])
    }

    func testOrderParamsSetsTheOrderOfParametersAndGradients() throws {
        let (w, b, gamma) = params()
        let opt = try Momentum(groups: [ParameterGroup(params: [gamma, w], learningRate: 0.5), ParameterGroup(params: [b])],
                               orderParams: [w, b, gamma], learningRate: 0.1, momentum: 0.9)
        XCTAssertEqual(opt.parameters.map(\.name), ["fc.weight", "fc.bias", "norm.gamma"])
        XCTAssertEqual(opt.description, "Momentum(learning_rate=0.1, weight_decay=0.0, parameters=3, groups=2, momentum=0.9, use_nesterov=False)")
        try opt.step(gradients: [Tensor.ones([2, 2], dtype: .float64), Tensor.ones([2], dtype: .float64), Tensor.ones([1, 2], dtype: .float64)])
        XCTAssertEqual(w.storedValue.scalars, [0.5, -2.5, 0, 3.5])   // lr 0.5 followed w into slot 0
        XCTAssertEqual(b.storedValue.scalars, [0.15, -1.1])
        XCTAssertEqual(gamma.storedValue.scalars, [1.5, 2.5])
    }

    func testAScheduleInAGroupFollowsTheGlobalStep() throws {
        let (w, b, _) = params()
        let opt = try SGD(groups: [ParameterGroup(params: [w], learningRate: .exponentialDecay(learningRate: 0.1, decayRate: 0.5, decaySteps: 1, isStair: true)),
                                   ParameterGroup(params: [b])], learningRate: 0.01)
        for _ in 0..<3 { try opt.step(gradients: [Tensor.ones([2, 2], dtype: .float64), Tensor.ones([2], dtype: .float64)]) }
        XCTAssertEqual(w.storedValue.scalars[0], 1 - (0.1 + 0.05 + 0.025), accuracy: 1e-15)
        XCTAssertEqual(b.storedValue.scalars[0], 0.25 - 0.03, accuracy: 1e-15)
    }

    func testGradientCentralizationSubtractsTheMeanOfRowsWhoseWidthIsAMultipleOf16() throws {
        let wide = Parameter(Tensor.zeros([2, 16], dtype: .float64), name: "wide"), narrow = Parameter(Tensor.zeros([2, 3], dtype: .float64), name: "narrow")
        let opt = try SGD(groups: [ParameterGroup(params: [wide, narrow], gradCentralization: true)], learningRate: 1)
        let gWide = Tensor((0..<32).map(Double.init), shape: [2, 16]), gNarrow = Tensor([1, 2, 3, 4, 5, 6] as [Double], shape: [2, 3])
        try opt.step(gradients: [gWide, gNarrow])
        XCTAssertEqual(wide.storedValue.scalars, (0..<32).map { -(Double($0 % 16) - 7.5) })   // row means 7.5 and 23.5
        XCTAssertEqual(narrow.storedValue.scalars, [-1, -2, -3, -4, -5, -6])                   // 3 % 16 ≠ 0: unchanged
    }

    func testSplitForWeightDecayKeepsBiasesAndNormsOutOfTheDecayedGroup() throws {
        let net = SequentialCell([Dense(inChannels: 3, outChannels: 4), LayerNorm(normalizedShape: [4]), Dense(inChannels: 4, outChannels: 2)])
        let groups = ParameterGroup.splitForWeightDecay(net.trainableParams(), weightDecay: 0.01)
        XCTAssertEqual(groups.map { $0.params.map(\.name) }, [["0.weight", "2.weight"], ["0.bias", "1.gamma", "1.beta", "2.bias"]])
        XCTAssertEqual(groups.map(\.weightDecay), [0.01, 0])
        let opt = try AdamWeightDecay(groups: groups, learningRate: 1e-3)
        XCTAssertEqual(opt.parameters.count, 6)
        // Without biases or norms the second group is left out rather than empty.
        let bare = Dense(inChannels: 3, outChannels: 4, hasBias: false)
        XCTAssertEqual(ParameterGroup.splitForWeightDecay(bare.trainableParams(), weightDecay: 0.01).count, 1)
    }

    func testGroupErrorsAreTypedAndNameTheGroupOrParameter() {
        let (w, b, gamma) = params()
        func error(_ body: () throws -> Optimizer) -> OptimizerError? {
            do { _ = try body(); return nil } catch { return error as? OptimizerError }
        }
        XCTAssertEqual(error { try Adam(groups: [ParameterGroup(params: [w, b]), ParameterGroup(params: [b])]) },
                       .duplicateParameter(optimizer: "Adam", parameter: "fc.bias"))
        XCTAssertEqual(error { try Adam(groups: [ParameterGroup(params: [w]), ParameterGroup(params: [])]) },
                       .emptyGroup(optimizer: "Adam", group: 1))
        XCTAssertEqual(error { try Adam(groups: []) }, .emptyParameters(optimizer: "Adam"))
        guard case .invalidArgument(_, "groups[0].learningRate", "nan", _)? = error({ try SGD(groups: [ParameterGroup(params: [w], learningRate: .constant(.nan))]) }) else {
            return XCTFail("NaN group learning rate")
        }
        guard case .invalidArgument(_, "groups[1].weightDecay", "-0.1", _)? = error({
            try Momentum(groups: [ParameterGroup(params: [w]), ParameterGroup(params: [b], weightDecay: -0.1)], learningRate: 0.1, momentum: 0.9)
        }) else { return XCTFail("negative group weight decay") }
        guard case .invalidArgument(_, "orderParams", _, _)? = error({ try SGD(groups: [ParameterGroup(params: [w, b])], orderParams: [w, gamma]) }) else {
            return XCTFail("orderParams naming a parameter in no group")
        }
        guard case .invalidArgument("AdamWeightDecay", "groups[0].gradCentralization", _, _)? = error({
            try AdamWeightDecay(groups: [ParameterGroup(params: [w], gradCentralization: true)])
        }) else { return XCTFail("centralization for AdamWeightDecay") }
        XCTAssertEqual(OptimizerError.duplicateParameter(optimizer: "Adam", parameter: "w").mindSporeErrorType, "RuntimeError")
        XCTAssertEqual(OptimizerError.emptyGroup(optimizer: "Adam", group: 0).mindSporeErrorType, "ValueError")
    }

    func testAGroupScheduleThatTurnsNaNThrowsBeforeAnyUpdate() throws {
        let (w, b, _) = params()
        let opt = try Adam(groups: [ParameterGroup(params: [w]), ParameterGroup(params: [b], learningRate: .custom { $0 >= 1 ? .nan : 0.1 })])
        let g = [Tensor.ones([2, 2], dtype: .float64), Tensor.ones([2], dtype: .float64)]
        try opt.step(gradients: g)
        let before = (w.storedValue, b.storedValue, opt.stateTensors())
        XCTAssertThrowsError(try opt.step(gradients: g)) { error in
            guard case .invalidArgument(_, "groups[1].learningRate", "nan", _)? = error as? OptimizerError else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(w.storedValue, before.0)
        XCTAssertEqual(b.storedValue, before.1)
        XCTAssertEqual(opt.stateTensors().map(\.tensor), before.2.map(\.tensor))
    }
}
