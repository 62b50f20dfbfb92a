import Foundation
import XCTest
@testable import TapeGrad

/// A run stopped at step k, saved with `Checkpoint.save(_:optimizer:to:)` and resumed in a fresh network and
/// optimizer, ends bit-identical to the uninterrupted run.
final class ResumeTrainingTests: XCTestCase {
    typealias MakeOptimizer = ([Parameter]) -> Optimizer

    func temporaryURL(_ name: String) -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tapegrad-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent(name)
    }

    /// A small MLP with Dropout (explicit mask seed, so that networks built after different `setSeed`s draw the
    /// same masks), in training mode; its initial weights come from `setSeed(seed)`.
    func makeNet(seed: UInt64) -> SequentialCell {
        setSeed(seed)
        let net = SequentialCell([Dense(inChannels: 4, outChannels: 8, activation: .relu), Dropout(p: 0.25, seed: 42),
                                  Dense(inChannels: 8, outChannels: 3)])
        net.setTrain()
        return net
    }

    func batch(_ i: Int) -> (Tensor, Tensor) {
        (Tensor.randomNormal([6, 4], seed: UInt64(100 + i)), Tensor.randomNormal([6, 3], seed: UInt64(500 + i)))
    }

    func train(_ net: Cell, _ opt: Optimizer, steps: Range<Int>) throws {
        let step = try TrainOneStepCell(WithLossCell(net, MSELoss()), optimizer: opt)
        for i in steps { let (x, y) = batch(i); _ = try step.step(x, y) }
    }

    /// Trains 20 steps straight, and 20 steps with a save after `k` and a resume into a network built from another
    /// seed; returns both parameter lists.
    func runs(_ make: MakeOptimizer, k: Int = 7, loadOptimizerState: Bool = true) throws -> (straight: [Tensor], resumed: [Tensor]) {
        let a = makeNet(seed: 1), optA = make(a.trainableParams())
        try train(a, optA, steps: 0..<20)

        let b = makeNet(seed: 1), optB = make(b.trainableParams())
        try train(b, optB, steps: 0..<k)
        let url = temporaryURL("run.safetensors")
        try Checkpoint.save(b, optimizer: optB, to: url)
        let savedStream = initializerSeedState

        let c = makeNet(seed: 2), optC = make(c.trainableParams())   // other weights, fresh optimizer
        if loadOptimizerState {
            try Checkpoint.load(into: c, optimizer: optC, from: url)
            XCTAssertEqual(optC.stepCount, k)
            XCTAssertEqual(initializerSeedState.base, savedStream.base)
            XCTAssertEqual(initializerSeedState.counter, savedStream.counter)
        } else {
            try Checkpoint.load(into: c, from: Self.parametersOnly(url, temporary: temporaryURL("params.safetensors"), of: c))
        }
        try train(c, optC, steps: k..<20)
        return (a.parameters().map(\.storedValue), c.parameters().map(\.storedValue))
    }

    static func parametersOnly(_ url: URL, temporary: URL, of cell: Cell) throws -> URL {
        let all = try Checkpoint.read(from: url)
        try Checkpoint.save(cell.parametersAndNames().compactMap { p in all[p.name].map { (p.name, $0) } }, to: temporary)
        return temporary
    }

    func testResumedAdamWithAScheduleIsBitIdenticalToTheUninterruptedRun() throws {
        let (straight, resumed) = try runs { Adam(params: $0, learningRate: .cosine(initial: 0.05, minimum: 1e-3, totalSteps: 20)) }
        XCTAssertEqual(straight.count, 4)
        for (s, r) in zip(straight, resumed) { XCTAssertEqual(s, r) }   // exact, element by element
    }

    func testResumingAdamWithoutItsStateDiverges() throws {
        // The control: parameters alone (the old checkpoint) restart the moments and β-powers.
        let (straight, resumed) = try runs({ Adam(params: $0, learningRate: 0.05) }, loadOptimizerState: false)
        let gap = zip(straight, resumed).map { abs($0 - $1).max().item() }.max() ?? 0
        XCTAssertGreaterThan(gap, 1e-3)
    }

    func testResumedMomentumAndRMSPropAreBitIdentical() throws {
        let makers: [(String, MakeOptimizer)] = [
            ("Momentum", { Momentum(params: $0, learningRate: 0.05, momentum: 0.9) }),
            ("Momentum nesterov", { Momentum(params: $0, learningRate: 0.05, momentum: 0.9, useNesterov: true) }),
            ("RMSProp centred", { RMSProp(params: $0, learningRate: 0.01, momentum: 0.5, centered: true) }),
            ("RMSProp", { RMSProp(params: $0, learningRate: 0.01) }),
        ]
        for (name, make) in makers {
            let (straight, resumed) = try runs(make, k: 11)
            for (s, r) in zip(straight, resumed) { XCTAssertEqual(s, r, name) }
        }
    }

    func testResumedGroupedOptimizersAreBitIdentical() throws {
        // Groups with their own learning rate (a schedule), weight decay and order; the state names are the
        // ungrouped ones (slots are per parameter).
        func groups(_ p: [Parameter]) -> [ParameterGroup] {
            [ParameterGroup(params: [p[0], p[2]], learningRate: .cosine(initial: 0.05, minimum: 1e-3, totalSteps: 20), weightDecay: 0.01),
             ParameterGroup(params: [p[1], p[3]], weightDecay: 0)]
        }
        let makers: [(String, MakeOptimizer)] = [
            ("Adam", { p in (try? Adam(groups: groups(p), orderParams: p, learningRate: 0.01, weightDecay: 0.001)) ?? Adam(params: []) }),
            ("Momentum", { p in (try? Momentum(groups: groups(p), learningRate: 0.02, momentum: 0.9)) ?? Adam(params: []) }),
            ("AdamWeightDecay", { p in (try? AdamWeightDecay(groups: ParameterGroup.splitForWeightDecay(p, weightDecay: 0.1), learningRate: 0.01)) ?? Adam(params: []) }),
        ]
        for (name, make) in makers {
            let (straight, resumed) = try runs(make, k: 9)
            XCTAssertEqual(straight.count, 4, name)
            for (s, r) in zip(straight, resumed) { XCTAssertEqual(s, r, name) }
            let opt = make(makeNet(seed: 1).trainableParams())
            XCTAssertEqual(opt.groups.count, 2, name)
        }
    }

    func testEveryOptimizerRoundTripsItsStateUnderMindSporesNames() throws {
        let makers: [(MakeOptimizer, [String])] = [
            ({ SGD(params: $0, learningRate: 0.05, momentum: 0.9) }, ["accum"]),
            ({ Momentum(params: $0, learningRate: 0.05, momentum: 0.9) }, ["moments"]),
            ({ Adam(params: $0, learningRate: 0.01) }, ["beta1_power", "beta2_power", "beta1_power_float64", "beta2_power_float64", "moment1", "moment2"]),
            ({ AdamWeightDecay(params: $0, learningRate: 0.01, weightDecay: 0.1) }, ["moment1", "moment2"]),
            ({ RMSProp(params: $0, learningRate: 0.01, centered: true) }, ["mean_square", "moment", "mean_grad"]),
            ({ Adagrad(params: $0, learningRate: 0.05) }, ["accum"]),
            ({ Adadelta(params: $0) }, ["accum", "accum_update"]),
            ({ Lamb(params: $0, learningRate: 0.01) }, ["lamb_step", "lamb_m", "lamb_v"]),
        ]
        for (make, stores) in makers {
            let (straight, resumed) = try runs(make, k: 3)
            let opt = make(makeNet(seed: 1).trainableParams())
            let name = String(describing: type(of: opt))
            for (s, r) in zip(straight, resumed) { XCTAssertEqual(s, r, name) }
            let net = makeNet(seed: 1), stepped = make(net.trainableParams())
            try train(net, stepped, steps: 0..<2)
            let names = stepped.stateTensors().map(\.name)
            let expected = ["global_step"] + stores.flatMap { store in
                store.contains("_power") || store == "lamb_step" ? [store] : ["0.weight", "0.bias", "2.weight", "2.bias"].map { "\(store).\($0)" }
            }
            XCTAssertEqual(names, expected, name)
            XCTAssertEqual(stepped.stateTensors().first?.tensor.asArray(Int64.self), [2], name)
        }
    }

    func testTheDropoutsLayersKeepPrivatelyAreSavedAndRestored() throws {
        let layer = TransformerEncoderLayer(dModel: 4, nhead: 2, dimFeedforward: 8, dropout: 0.3, batchFirst: true, seed: 9)
        let names = Checkpoint.dropouts(in: layer).map(\.name)
        XCTAssertEqual(names, ["rng.dropout.self_attn._dropout", "rng.dropout._dropout", "rng.dropout._dropout1", "rng.dropout._dropout2"])
        layer.setTrain()
        let x = Tensor.randomNormal([2, 3, 4], seed: 1)
        let opt = SGD(params: layer.trainableParams(), learningRate: 0.1)
        _ = layer(x)
        let url = temporaryURL("layer.safetensors")
        try Checkpoint.save(layer, optimizer: opt, to: url)
        let expected = layer(x)   // the second masks
        let fresh = TransformerEncoderLayer(dModel: 4, nhead: 2, dimFeedforward: 8, dropout: 0.3, batchFirst: true, seed: 9)
        fresh.setTrain()
        try Checkpoint.load(into: fresh, optimizer: SGD(params: fresh.trainableParams(), learningRate: 0.1), from: url)
        XCTAssertEqual(Checkpoint.dropouts(in: fresh).map(\.dropout.maskStream.draws), [1, 1, 1, 1])
        XCTAssertEqual(fresh(x), expected)
        XCTAssertNotEqual(layer(x), expected)   // the third masks differ: the equality above is not trivial
    }

    func testAMismatchedOrMissingStateEntryThrowsAndChangesNothing() throws {
        let source = makeNet(seed: 1), sourceOpt = Adam(params: source.trainableParams(), learningRate: 0.05)
        try train(source, sourceOpt, steps: 0..<3)
        let url = temporaryURL("run.safetensors")
        try Checkpoint.save(source, optimizer: sourceOpt, to: url)
        let saved = try Checkpoint.read(from: url)

        let target = makeNet(seed: 2), targetOpt = Adam(params: target.trainableParams(), learningRate: 0.05)
        try train(target, targetOpt, steps: 0..<1)
        let before = target.parameters().map(\.storedValue), stateBefore = targetOpt.stateTensors()
        let streamBefore = initializerSeedState

        func attempt(_ tensors: [String: Tensor], _ optimizer: Optimizer, expecting expected: CheckpointError, _ line: UInt = #line) throws {
            let edited = temporaryURL("edited.safetensors")
            try Checkpoint.save(tensors.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, to: edited)
            XCTAssertThrowsError(try Checkpoint.load(into: target, optimizer: optimizer, from: edited), line: line) { error in
                XCTAssertEqual(error as? CheckpointError, expected, line: line)
            }
            XCTAssertEqual(target.parameters().map(\.storedValue), before, line: line)
            XCTAssertEqual(initializerSeedState.counter, streamBefore.counter, line: line)
        }
        var missing = saved
        missing["moment2.0.bias"] = nil
        try attempt(missing, targetOpt, expecting: .namesDiffer(missing: ["moment2.0.bias"], unexpected: []))
        var reshaped = saved
        reshaped["moment1.2.weight"] = Tensor.zeros([3, 7])
        try attempt(reshaped, targetOpt, expecting: .shapeMismatch(name: "moment1.2.weight", expected: [3, 8], found: [3, 7]))
        var retyped = saved
        retyped["beta1_power"] = Tensor([0.5], shape: [1]).astype(.float64)
        try attempt(retyped, targetOpt, expecting: .dtypeMismatch(name: "beta1_power", expected: .float32, found: .float64))
        var negative = saved
        negative["global_step"] = Tensor.fromArray([Int64(-1)], shape: [1])
        try attempt(negative, targetOpt, expecting: .malformed("the optimizer state 'global_step' must be ≥ 0, but got [-1]"))
        var noStream = saved
        noStream["rng.dropout.1"] = nil
        try attempt(noStream, targetOpt, expecting: .namesDiffer(missing: ["rng.dropout.1"], unexpected: []))
        var otherSeed = saved
        otherSeed["rng.dropout.1"] = Tensor.fromArray([Int64(7), 3], shape: [2])
        try attempt(otherSeed, targetOpt, expecting: .malformed("'rng.dropout.1': the Dropout was built with seed 42, the checkpoint's has seed 7 "
            + "(build the network after the same setSeed, or with the same seed)"))
        // Another optimizer's state: Adam's scalars are unexpected for Momentum, and its state stays as it was.
        let momentum = Momentum(params: target.trainableParams(), learningRate: 0.1, momentum: 0.9)
        try attempt(saved, momentum, expecting: .namesDiffer(missing: [], unexpected: ["beta1_power", "beta1_power_float64", "beta2_power", "beta2_power_float64",
            "moment1.0.bias", "moment1.0.weight", "moment1.2.bias", "moment1.2.weight",
            "moment2.0.bias", "moment2.0.weight", "moment2.2.bias", "moment2.2.weight"]))
        XCTAssertEqual(momentum.stepCount, 0)

        let stateAfter = targetOpt.stateTensors()
        XCTAssertEqual(stateAfter.map(\.name), stateBefore.map(\.name))
        for (a, b) in zip(stateAfter, stateBefore) { XCTAssertEqual(a.tensor, b.tensor, a.name) }
        // The untouched file still loads.
        try Checkpoint.load(into: target, optimizer: targetOpt, from: url)
        XCTAssertEqual(targetOpt.stepCount, 3)
        XCTAssertEqual(target.parameters().map(\.storedValue), source.parameters().map(\.storedValue))
    }
}
