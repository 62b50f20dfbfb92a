import XCTest
@testable import TapeGrad

/// Parameter groups and loss scaling against `Oracle/trainkit2_oracle.py`'s fixture (real MindSpore 2.10, CPU):
/// the same network, initial weights and batches, trained step by step; parameters (and the loss scale and its
/// counters) compared after every step.
final class TrainKit2OracleTests: XCTestCase {
    var fixture: [String: Any] = [:]

    override func setUpWithError() throws { fixture = try loadFixture("trainkit2.json") }

    /// The oracle's network with its initial weights: Dense(16 → 8, tanh), Dense(8 → 3).
    func makeNet() throws -> (SequentialCell, [String: Parameter]) {
        let net = SequentialCell([Dense(inChannels: 16, outChannels: 8, activation: .tanh), Dense(inChannels: 8, outChannels: 3)])
        let initial = fixture["initial"] as? [String: Any] ?? [:]
        var params: [String: Parameter] = [:]
        for (name, p) in net.parametersAndNames() {
            p.replaceStoredValue(with: try fixtureTensor(initial[name]))
            params[name] = p
        }
        XCTAssertEqual(params.count, 4)
        return (net, params)
    }

    func batch(_ i: Int, kind: String = "ok") throws -> (Tensor, Tensor) {
        let batches = fixture["batches"] as? [[String: Any]] ?? []
        let (x, y) = (try fixtureTensor(batches[i]["x"]), try fixtureTensor(batches[i]["y"]))
        switch kind {
        case "nan": return (Tensor.full([6, 16], value: .nan), Tensor.zeros([6, 3]))
        case "big": return (x, y * 1000)
        default: return (x, y)
        }
    }

    func assertParameters(_ params: [String: Parameter], _ expected: Any?, _ what: String, rtol: Double = 2e-5, atol: Double = 2e-6) throws {
        let expected = expected as? [String: Any] ?? [:]
        XCTAssertEqual(Set(expected.keys), Set(params.keys), what)
        for (name, p) in params.sorted(by: { $0.key < $1.key }) {
            let e = try fixtureTensor(expected[name])
            XCTAssertEqual(p.shape, e.shape, "\(what) \(name)")
            for (i, (x, y)) in zip(p.storedValue.scalars, e.scalars).enumerated() where !(abs(x - y) <= atol + rtol * abs(y)) {
                XCTFail("\(what) \(name)[\(i)]: \(x) vs MindSpore \(y)")
                break
            }
        }
    }

    func cases(_ key: String) -> [[String: Any]] { fixture[key] as? [[String: Any]] ?? [] }

    // MARK: Parameter groups

    func groupedOptimizer(_ config: [String: Any], _ p: [String: Parameter]) throws -> Optimizer {
        func double(_ key: String) -> Double? { fixtureDouble(config[key]) }
        let groups = (config["groups"] as? [[String: Any]] ?? []).map { g -> ParameterGroup in
            var lr: LearningRateSchedule?
            if let rate = fixtureDouble(g["lr"]) { lr = .constant(rate) }
            if let decay = (g["lr"] as? [String: Any])?["exponential_decay"] as? [Double] {
                lr = .exponentialDecay(learningRate: decay[0], decayRate: decay[1], decaySteps: Int(decay[2]), isStair: false)
            }
            return ParameterGroup(params: (g["params"] as? [String] ?? []).compactMap { p[$0] }, learningRate: lr,
                                  weightDecay: fixtureDouble(g["weight_decay"]), gradCentralization: g["grad_centralization"] as? Bool)
        }
        let order = (config["order_params"] as? [String])?.compactMap { p[$0] }
        let lr = LearningRateSchedule.constant(double("learning_rate") ?? .nan), wd = double("weight_decay") ?? 0
        let ls = double("loss_scale") ?? 1
        switch config["optimizer"] as? String {
        case "Adam": return try Adam(groups: groups, orderParams: order, learningRate: lr, weightDecay: wd, lossScale: ls)
        case "Momentum":
            return try Momentum(groups: groups, orderParams: order, learningRate: lr, momentum: double("momentum") ?? .nan, weightDecay: wd, lossScale: ls)
        case "SGD": return try SGD(groups: groups, orderParams: order, learningRate: lr, momentum: double("momentum") ?? 0, weightDecay: wd, lossScale: ls)
        case "AdamWeightDecay": return try AdamWeightDecay(groups: groups, orderParams: order, learningRate: lr, weightDecay: wd)
        case "RMSProp":
            return try RMSProp(groups: groups, orderParams: order, learningRate: lr, momentum: double("momentum") ?? 0,
                               centered: config["centered"] as? Bool ?? false, weightDecay: wd, lossScale: ls)
        case "Adagrad": return try Adagrad(groups: groups, orderParams: order, learningRate: lr, weightDecay: wd, lossScale: ls)
        case "Adadelta": return try Adadelta(groups: groups, orderParams: order, learningRate: lr, weightDecay: wd, lossScale: ls)
        default: throw FixtureError("no optimizer \(String(describing: config["optimizer"]))")
        }
    }

    /// An ungrouped optimizer over the four parameters in the network's order, from the fixture's config.
    func plainOptimizer(_ config: [String: Any], _ p: [String: Parameter]) throws -> Optimizer {
        func double(_ key: String) -> Double? { fixtureDouble(config[key]) }
        let params = ["0.weight", "0.bias", "1.weight", "1.bias"].compactMap { p[$0] }
        let lr = LearningRateSchedule.constant(double("learning_rate") ?? .nan), wd = double("weight_decay") ?? 0
        let ls = double("loss_scale") ?? 1
        switch config["optimizer"] as? String {
        case "Adam": return Adam(params: params, learningRate: lr, weightDecay: wd, lossScale: ls)
        case "Momentum": return Momentum(params: params, learningRate: lr, momentum: double("momentum") ?? .nan, weightDecay: wd, lossScale: ls)
        case "SGD": return SGD(params: params, learningRate: lr, momentum: double("momentum") ?? 0, weightDecay: wd, lossScale: ls)
        case "RMSProp":
            return RMSProp(params: params, learningRate: lr, momentum: double("momentum") ?? 0, centered: config["centered"] as? Bool ?? false,
                           weightDecay: wd, lossScale: ls)
        case "Adagrad": return Adagrad(params: params, learningRate: lr, weightDecay: wd, lossScale: ls)
        case "Adadelta": return Adadelta(params: params, learningRate: lr, weightDecay: wd, lossScale: ls)
        default: throw FixtureError("no optimizer \(String(describing: config["optimizer"]))")
        }
    }

    /// The optimizers' own `loss_scale` with `TrainOneStepCell(sens: lossScale)`, with weight decay (scaled up by
    /// the loss scale and back down), a non-power-of-two scale (1000: the float32 reciprocal rounds) and groups.
    func testOptimizerLossScaleMatchesMindSporeStepByStep() throws {
        XCTAssertEqual(cases("optimizer_loss_scale").count, 7)
        for c in cases("optimizer_loss_scale") {
            let name = c["name"] as? String ?? "?"
            let config = c["config"] as? [String: Any] ?? [:]
            let (net, params) = try makeNet()
            let opt = config["groups"] == nil ? try plainOptimizer(config, params) : try groupedOptimizer(config, params)
            let scale = fixtureDouble(config["loss_scale"]) ?? .nan
            XCTAssertEqual(opt.lossScale, scale, name)
            XCTAssertTrue(opt.description.contains("loss_scale=\(scale)"), opt.description)
            let train = try TrainOneStepCell(WithLossCell(net, MSELoss()), optimizer: opt, sens: scale)
            let losses = (c["losses"] as? [Any] ?? []).compactMap(fixtureDouble)
            for (k, expected) in (c["after_steps"] as? [Any] ?? []).enumerated() {
                let (x, y) = try batch(k)
                let loss = try train.step(x, y).item()
                XCTAssertEqual(loss, losses[k], accuracy: 1e-5 * max(1, abs(losses[k])), "\(name) step \(k + 1) loss")
                try assertParameters(params, expected, "\(name) step \(k + 1)")
            }
        }
    }

    func testANonPositiveOrNonFiniteLossScaleIsAnArgumentError() throws {
        let (_, params) = try makeNet()
        for bad in [0, -1, Double.nan, .infinity] {
            let opt = Momentum(params: Array(params.values), learningRate: 0.1, momentum: 0.9, lossScale: bad)
            XCTAssertThrowsError(try opt.validate(), "\(bad)") { error in
                guard case .invalidArgument(_, let argument, _, _)? = error as? OptimizerError else { return XCTFail("\(error)") }
                XCTAssertEqual(argument, "lossScale")
            }
        }
    }

    func testGroupedAdamMomentumSGDAdamWeightDecayRMSPropAdagradAndAdadeltaMatchMindSporeStepByStep() throws {
        XCTAssertEqual(cases("groups").count, 7)
        for c in cases("groups") {
            let name = c["name"] as? String ?? "?"
            let (net, params) = try makeNet()
            let opt = try groupedOptimizer(c["config"] as? [String: Any] ?? [:], params)
            XCTAssertEqual(opt.parameters.map(\.name), c["order"] as? [String], "\(name): update order")
            let train = try TrainOneStepCell(WithLossCell(net, MSELoss()), optimizer: opt)
            let losses = (c["losses"] as? [Any] ?? []).compactMap(fixtureDouble)
            for (k, expected) in (c["after_steps"] as? [Any] ?? []).enumerated() {
                let (x, y) = try batch(k)
                let loss = try train.step(x, y).item()
                XCTAssertEqual(loss, losses[k], accuracy: 1e-5 * max(1, abs(losses[k])), "\(name) step \(k + 1) loss")
                try assertParameters(params, expected, "\(name) step \(k + 1)")
            }
        }
    }

    // MARK: Loss scaling

    func testTrainOneStepWithLossScaleCellMatchesMindSporeScaleCountersAndParameters() throws {
        XCTAssertEqual(cases("loss_scaling").count, 3)
        for c in cases("loss_scaling") {
            let name = c["name"] as? String ?? "?"
            let config = c["config"] as? [String: Any] ?? [:]
            let (net, params) = try makeNet()
            let ordered = net.trainableParams()
            let lr = LearningRateSchedule.constant(fixtureDouble(config["learning_rate"]) ?? .nan)
            let opt: Optimizer = config["optimizer"] as? String == "Adam"
                ? Adam(params: ordered, learningRate: lr) : Momentum(params: ordered, learningRate: lr, momentum: fixtureDouble(config["momentum"]) ?? .nan)
            let scale = fixtureDouble(config["loss_scale_value"]) ?? .nan
            let cell: LossScaleUpdateCell = config["update_cell"] as? String == "fixed"
                ? try FixedLossScaleUpdateCell(lossScaleValue: scale)
                : try DynamicLossScaleUpdateCell(lossScaleValue: scale, scaleFactor: fixtureDouble(config["scale_factor"]) ?? .nan,
                                                 scaleWindow: config["scale_window"] as? Int ?? 0)
            let train = try TrainOneStepWithLossScaleCell(WithLossCell(net, MSELoss()), optimizer: opt, scaleSense: cell)
            // MindSpore's checkpoint names of the scale state are among the training cell's parameters.
            let mindSporeNames = Set(c["checkpoint_names"] as? [String] ?? [])
            let ours = train.parametersAndNames().map(\.name)
            XCTAssertEqual(Set(ours).subtracting(mindSporeNames), [], "\(name): names MindSpore does not save")
            XCTAssertTrue(ours.contains("scale_sense"), name)
            for step in c["steps"] as? [[String: Any]] ?? [] {
                let k = step["batch"] as? Int ?? -1, what = "\(name) step \(k + 1)"
                let (x, y) = try batch(k, kind: step["kind"] as? String ?? "ok")
                let result = try train.step(x, y)
                XCTAssertEqual(result.overflow, step["overflow"] as? Bool, what)
                // Compared in float32: Foundation's JSON reader does not round-trip 2¹²⁷ exactly.
                XCTAssertEqual(Float(result.scaleSense), Float(fixtureDouble(step["scale_sense"]) ?? .nan), what)
                XCTAssertEqual(train.scaleSense.storedValue.item(as: Float.self), Float(fixtureDouble(step["scale_sense"]) ?? .nan), what)
                let loss = fixtureDouble(step["loss"]) ?? 0, got = result.loss.item()
                if loss.isNaN { XCTAssertTrue(got.isNaN, what) } else { XCTAssertEqual(got, loss, accuracy: 1e-5 * max(1, abs(loss)), what) }
                XCTAssertEqual(opt.stepCount, step["global_step"] as? Int, what)
                if let dynamic = cell as? DynamicLossScaleUpdateCell {
                    XCTAssertEqual(Int(dynamic.curIter.storedValue.item(as: Int32.self)), step["current_iterator_step"] as? Int, what)
                    XCTAssertEqual(Int(dynamic.lastOverflowIter.storedValue.item(as: Int32.self)), step["last_overflow_iterator_step"] as? Int, what)
                }
                try assertParameters(params, step["params"], what)
            }
        }
    }
}
