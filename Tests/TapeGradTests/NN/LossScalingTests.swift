import Foundation
import XCTest
@testable import TapeGrad

/// `TrainOneStepWithLossScaleCell`: a skipped step changes nothing, a failed step changes nothing, the scale state
/// is saved and restored with the network, and the scaled step equals the plain one when nothing overflows.
final class LossScalingTests: XCTestCase {
    func makeNet(seed: UInt64 = 3) -> SequentialCell {
        setSeed(seed)
        let net = SequentialCell([Dense(inChannels: 4, outChannels: 6, activation: .tanh), Dropout(p: 0.2, seed: 7),
                                  Dense(inChannels: 6, outChannels: 2)])
        net.setTrain()
        return net
    }

    func batch(_ i: Int, poisoned: Bool = false) -> (Tensor, Tensor) {
        let x = Tensor.randomNormal([5, 4], seed: UInt64(40 + i))
        return (poisoned ? x * Double.nan : x, Tensor.randomNormal([5, 2], seed: UInt64(80 + i)))
    }

    func state(_ net: Cell, _ opt: Optimizer, _ train: TrainOneStepWithLossScaleCell) -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for (name, p) in train.parametersAndNames() { out[name] = p.storedValue }
        for (name, t) in opt.stateTensors() { out["optimizer." + name] = t }
        return out
    }

    func testAnOverflowingStepLeavesParametersAndOptimizerStateBitIdentical() throws {
        let net = makeNet(), opt = Adam(params: net.trainableParams(), learningRate: 0.01)
        let dynamic = try DynamicLossScaleUpdateCell(lossScaleValue: 1024, scaleFactor: 2, scaleWindow: 100)
        let train = try TrainOneStepWithLossScaleCell(WithLossCell(net, MSELoss()), optimizer: opt, scaleSense: dynamic)
        for i in 0..<3 { let (x, y) = batch(i); XCTAssertFalse(try train.step(x, y).overflow) }
        let before = state(net, opt, train)
        let (x, y) = batch(3, poisoned: true)
        let result = try train.step(x, y)
        XCTAssertTrue(result.overflow)
        XCTAssertTrue(result.loss.item().isNaN)
        XCTAssertEqual(result.scaleSense, 512)
        let after = state(net, opt, train)
        XCTAssertEqual(Set(after.keys), Set(before.keys))
        for (name, t) in before where !["scale_sense", "current_iterator_step", "last_overflow_iterator_step"].contains(name) {
            XCTAssertEqual(after[name], t, name)   // exact: parameters, moments, β-powers, global_step
        }
        XCTAssertEqual(after["scale_sense"]?.item(as: Float.self), 512)
        XCTAssertEqual(after["last_overflow_iterator_step"]?.item(as: Int32.self), 4)
        XCTAssertEqual(after["current_iterator_step"]?.item(as: Int32.self), 5)
        XCTAssertEqual(opt.stepCount, 3)
    }

    func testWithoutOverflowTheScaledStepEqualsThePlainStep() throws {
        // A power-of-two scale multiplies and divides exactly, so the two runs agree bit for bit.
        let a = makeNet(), b = makeNet()
        let optA = Momentum(params: a.trainableParams(), learningRate: 0.05, momentum: 0.9)
        let optB = Momentum(params: b.trainableParams(), learningRate: 0.05, momentum: 0.9)
        let plain = try TrainOneStepCell(WithLossCell(a, MSELoss()), optimizer: optA, clipping: .globalNorm(0.5))
        let scaled = try TrainOneStepWithLossScaleCell(WithLossCell(b, MSELoss()), optimizer: optB,
                                                       scaleSense: FixedLossScaleUpdateCell(lossScaleValue: 4096), clipping: .globalNorm(0.5))
        for i in 0..<5 {
            let (x, y) = batch(i)
            let lossA = try plain.step(x, y), result = try scaled.step(x, y)
            XCTAssertEqual(lossA, result.loss)
            XCTAssertFalse(result.overflow)
        }
        XCTAssertEqual(a.parameters().map(\.storedValue), b.parameters().map(\.storedValue))
    }

    func testAFailedStepChangesNoParameterSlotScaleOrCounter() throws {
        let net = makeNet()
        // The learning rate turns NaN at the third update: the optimizer throws before it changes anything.
        let opt = Adam(params: net.trainableParams(), learningRate: .custom { $0 >= 2 ? .nan : 0.01 })
        let dynamic = try DynamicLossScaleUpdateCell(lossScaleValue: 8, scaleFactor: 2, scaleWindow: 1)
        let train = try TrainOneStepWithLossScaleCell(WithLossCell(net, MSELoss()), optimizer: opt, scaleSense: dynamic)
        for i in 0..<2 { let (x, y) = batch(i); _ = try train.step(x, y) }
        XCTAssertEqual(train.scaleSense.storedValue.item(as: Float.self), 32)   // grew after each good step
        let before = state(net, opt, train), draws = Checkpoint.dropouts(in: net).map(\.dropout.maskStream.draws)
        let (x, y) = batch(2)
        XCTAssertThrowsError(try train.step(x, y)) { XCTAssertEqual(($0 as? OptimizerError)?.mindSporeErrorType, "ValueError") }
        // A bad input fails in the forward pass.
        XCTAssertThrowsError(try train.step(Tensor.zeros([5, 3]), y))
        let after = state(net, opt, train)
        for (name, t) in before { XCTAssertEqual(after[name], t, name) }
        XCTAssertEqual(Checkpoint.dropouts(in: net).map(\.dropout.maskStream.draws), draws)   // the forward's draws rolled back
    }

    func testTheScaleAndItsCountersResumeBitIdenticallyFromACheckpoint() throws {
        func run(_ steps: Range<Int>, _ train: TrainOneStepWithLossScaleCell) throws -> [Bool] {
            try steps.map { i in let (x, y) = batch(i, poisoned: i % 4 == 1); return try train.step(x, y).overflow }
        }
        func make(seed: UInt64) throws -> (SequentialCell, Optimizer, TrainOneStepWithLossScaleCell) {
            let net = makeNet(seed: seed), opt = Adam(params: net.trainableParams(), learningRate: 0.02)
            let cell = try DynamicLossScaleUpdateCell(lossScaleValue: 64, scaleFactor: 2, scaleWindow: 2)
            return (net, opt, try TrainOneStepWithLossScaleCell(WithLossCell(net, MSELoss()), optimizer: opt, scaleSense: cell))
        }
        let (a, _, trainA) = try make(seed: 3)
        let straight = try run(0..<12, trainA)
        XCTAssertEqual(straight.filter { $0 }.count, 3)

        let (b, optB, trainB) = try make(seed: 3)
        _ = try run(0..<6, trainB)
        let url = temporaryFolder().appendingPathComponent("scaled.safetensors")
        try Checkpoint.save(trainB, optimizer: optB, to: url)
        let names = try Checkpoint.read(from: url).keys
        for name in ["scale_sense", "current_iterator_step", "last_overflow_iterator_step", "global_step", "0.weight"] {
            XCTAssertTrue(names.contains(name), name)
        }
        let (c, optC, trainC) = try make(seed: 9)   // other weights, fresh scale and counters
        try Checkpoint.load(into: trainC, optimizer: optC, from: url)
        XCTAssertEqual(trainC.scaleSense.storedValue, trainB.scaleSense.storedValue)
        let resumed = try run(6..<12, trainC)
        XCTAssertEqual(Array(straight[6...]), resumed)
        XCTAssertEqual(a.parameters().map(\.storedValue), c.parameters().map(\.storedValue))
        XCTAssertEqual(trainA.scaleSense.storedValue, trainC.scaleSense.storedValue)
        XCTAssertEqual(trainA.parametersAndNames().map(\.parameter.storedValue), trainC.parametersAndNames().map(\.parameter.storedValue))
    }

    func testATensorScaleStaysUntilSetAndTheCellFormReturnsLossCondAndScale() throws {
        let net = makeNet(), opt = SGD(params: net.trainableParams(), learningRate: 0.1)
        let train = try TrainOneStepWithLossScaleCell(WithLossCell(net, MSELoss()), optimizer: opt, scaleSense: Tensor(Float(256)))
        let (x, y) = batch(0, poisoned: true)
        XCTAssertEqual(try train.step(x, y).scaleSense, 256)   // a tensor scale has no update rule
        try train.setSenseScale(Tensor(Float(16)))
        let (x1, y1) = batch(1)
        guard case .tuple(let items) = train([x1, y1]), items.count == 3 else { return XCTFail("expected (loss, cond, scale)") }
        XCTAssertEqual(items[1].tensors.first?.dtype, .bool)
        XCTAssertEqual(items[2].tensors.first?.item(as: Float.self), 16)
        XCTAssertEqual(opt.stepCount, 1)
        XCTAssertThrowsError(try train.setSenseScale(Tensor(16.0).astype(.float64)))   // float64: not the scale's dtype
        XCTAssertThrowsError(try train.setSenseScale(Tensor(Float(-1))))   // not > 0
    }

    func testTheAmpManagersGiveMindSporesUpdateCells() throws {
        let dynamic = try DynamicLossScaleManager(initLossScale: 1024, scaleFactor: 4, scaleWindow: 50).getUpdateCell()
        XCTAssertEqual([dynamic.getLossScale(), dynamic.scaleFactor, Double(dynamic.scaleWindow)], [1024, 4, 50])
        XCTAssertEqual(dynamic.curIter.storedValue.item(as: Int32.self), 1)
        XCTAssertEqual(try DynamicLossScaleManager().getUpdateCell().getLossScale(), 16_777_216)
        XCTAssertEqual(try FixedLossScaleManager(lossScale: 256).getUpdateCell()?.getLossScale(), 256)
        XCTAssertNil(try FixedLossScaleManager(lossScale: 256, dropOverflowUpdate: false).getUpdateCell())
    }

    func testConcurrentStepsAdvanceTheCountersOncePerStep() throws {
        let net = makeNet(), opt = SGD(params: net.trainableParams(), learningRate: 0.01)
        let dynamic = try DynamicLossScaleUpdateCell(lossScaleValue: 2, scaleFactor: 2, scaleWindow: 3)
        let train = try TrainOneStepWithLossScaleCell(WithLossCell(net, MSELoss()), optimizer: opt, scaleSense: dynamic)
        let batches = (0..<12).map { batch($0) }
        DispatchQueue.concurrentPerform(iterations: 12) { i in _ = try? train.step(batches[i].0, batches[i].1) }
        XCTAssertEqual(dynamic.curIter.storedValue.item(as: Int32.self), 13)
        XCTAssertEqual(opt.stepCount, 12)
        XCTAssertEqual(train.scaleSense.storedValue.item(as: Float.self), 32)   // grew at steps 3, 6, 9 and 12
    }

    func testTheDynamicRuleHalvesClampsAtOneAndGrowsAfterTheWindow() throws {
        let cell = try DynamicLossScaleUpdateCell(lossScaleValue: 4, scaleFactor: 2, scaleWindow: 2)
        var scale: Float = 4, trace: [Float] = []
        for overflow in [false, true, true, true, false, false, false, false, true, false] {
            let (next, commit) = cell.planned(after: scale, overflow: overflow)
            commit()
            scale = next
            trace.append(scale)
        }
        XCTAssertEqual(trace, [4, 2, 1, 1, 1, 2, 2, 4, 2, 2])   // MindSpore 2.10's sequence (trainkit2.json)
    }
}
