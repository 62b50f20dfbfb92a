import XCTest
@testable import TapeGrad

/// A step that throws changes nothing: parameters, BatchNorm running statistics, optimizer state and
/// Dropout's random stream are byte-for-byte as before (issue 8, found 3).
final class TransactionalStepTests: XCTestCase {
    /// Dense → BatchNorm1d (training) → Dropout → Dense, trained with Adam (moments, β-powers, step count).
    func makeStep(seed: UInt64 = 5, learningRate: LearningRateSchedule = 0.01) throws -> (SequentialCell, TrainOneStepCell) {
        setSeed(seed)
        let net = SequentialCell([Dense(inChannels: 4, outChannels: 6), BatchNorm1d(numFeatures: 6), Dropout(p: 0.25), Dense(inChannels: 6, outChannels: 3)])
        net.setTrain()
        let loss = WithLossCell(net, SoftmaxCrossEntropyWithLogits(sparse: true, reduction: .mean))
        return (net, try TrainOneStepCell(loss, optimizer: Adam(params: net.trainableParams(), learningRate: learningRate)))
    }

    let x = Tensor.randomNormal([5, 4], seed: 1)
    let labels = Tensor([0, 2, 1, 1, 0] as [Int32])

    /// Every parameter's bytes, running statistics included, by name.
    func snapshot(_ net: Cell) -> [String: [UInt32]] {
        Dictionary(uniqueKeysWithValues: net.parametersAndNames().map { ($0.name, $0.parameter.storedValue.asArray(Float.self).map(\.bitPattern)) })
    }

    /// Fails one step in `failing` (two good steps before), then checks the state is unchanged and that the
    /// next good step lands exactly where a twin that never failed lands (optimizer state and Dropout's stream).
    func assertFailedStepChangesNothing(_ name: String, learningRate: LearningRateSchedule = 0.01,
                                        _ fail: (TrainOneStepCell) throws -> Void, file: StaticString = #filePath, line: UInt = #line) throws {
        let (net, step) = try makeStep(learningRate: learningRate)
        let (twinNet, twin) = try makeStep(learningRate: learningRate)
        for _ in 0..<2 {
            _ = try step.step(x, labels)
            _ = try twin.step(x, labels)
        }
        let before = snapshot(net)
        XCTAssertEqual(before, snapshot(twinNet), file: file, line: line)
        XCTAssertThrowsError(try fail(step), "\(name) should throw", file: file, line: line)
        XCTAssertEqual(snapshot(net), before, "\(name): a failed step changed the parameters or running statistics", file: file, line: line)
        XCTAssertEqual(step.optimizer.stepCount, 2, "\(name): optimizer step count", file: file, line: line)
        _ = try? step.step(x, labels)
        _ = try? twin.step(x, labels)
        XCTAssertEqual(snapshot(net), snapshot(twinNet), "\(name): the next step differs from a twin's that never failed", file: file, line: line)
    }

    func testAStepWithAWrongLabelShapeChangesNothing() throws {
        try assertFailedStepChangesNothing("label shape") { _ = try $0.step(self.x, Tensor([0, 1] as [Int32])) }
    }

    func testAStepWithAWrongInputWidthChangesNothing() throws {
        try assertFailedStepChangesNothing("input width") { _ = try $0.step(Tensor.zeros([5, 3]), self.labels) }
    }

    func testAStepWithALabelOutOfRangeChangesNothing() throws {
        try assertFailedStepChangesNothing("label out of range") { _ = try $0.step(self.x, Tensor([0, 2, 7, 1, 0] as [Int32])) }
    }

    func testAStepWhoseOptimizerRejectsTheLearningRateChangesNothing() throws {
        // Gradients succeed (BatchNorm and Dropout have run); the optimizer then refuses a NaN rate at step 2.
        let schedule = LearningRateSchedule.custom { $0 == 2 ? .nan : 0.01 }
        let (net, step) = try makeStep(learningRate: schedule)
        _ = try step.step(x, labels)
        _ = try step.step(x, labels)
        let before = snapshot(net)
        XCTAssertThrowsError(try step.step(x, labels)) { error in
            XCTAssertEqual(error as? OptimizerError, .invalidArgument(optimizer: "Adam", argument: "learningRate", value: "nan", expected: "a finite number ≥ 0"))
        }
        XCTAssertEqual(snapshot(net), before)
        XCTAssertEqual(step.optimizer.stepCount, 2)
    }

    func testAParameterAssignedInsideAFailedScopeIsRestored() throws {
        let p = Parameter(Tensor([1, 2] as [Float]), name: "p")
        let original = p.storedValue
        XCTAssertThrowsError(try valueAndGrad({ (x: Tensor) in
            p.value = p.value * 10                                   // applied at once…
            XCTAssertEqual(p.storedValue.asArray(Float.self), [10, 20])
            return (x + Tensor.zeros([3])).sum()                     // …then the step fails
        }, gradPosition: 0)(Tensor([1, 1] as [Float])))
        XCTAssertEqual(p.storedValue.asArray(Float.self), original.asArray(Float.self))
        try withErrorChecking { p.value = Tensor([5, 5] as [Float]) }   // success keeps it
        XCTAssertEqual(p.storedValue.asArray(Float.self), [5, 5])
    }

    func testAFailedGradientComputationOrCheckingScopeLeavesRunningStatisticsAlone() throws {
        let bn = BatchNorm1d(numFeatures: 3).setTrain()
        let drop = Dropout(p: 0.5, seed: 3).setTrain()
        let x = Tensor([[1, 2, 3], [4, 5, 7]])
        let mean = bn.movingMean.storedValue, variance = bn.movingVariance.storedValue
        XCTAssertThrowsError(try valueAndGrad({ (x: Tensor) in (drop(bn(x)) + Tensor.zeros([4])).sum() }, gradPosition: 0)(x))
        XCTAssertThrowsError(try withErrorChecking { _ = drop(bn(x)); _ = Tensor.zeros([2]).reshaped(to: [3]) })
        XCTAssertEqual(bn.movingMean.storedValue, mean)
        XCTAssertEqual(bn.movingVariance.storedValue, variance)
        // The draws were given back: the next mask is the first one a fresh layer draws.
        let fresh = Dropout(p: 0.5, seed: 3).setTrain()
        XCTAssertEqual(drop(Tensor.ones([64])), fresh(Tensor.ones([64])))
        // A successful computation commits: running mean ← 0.9·0 + 0.1·[2.5, 3.5, 5].
        _ = try valueAndGrad({ (x: Tensor) in bn(x).sum() }, gradPosition: 0)(x)
        XCTAssertEqual(bn.movingMean.storedValue.scalars, [0.25, 0.35, 0.5].map { Double(Float($0)) }, accuracy: 1e-7)
    }
}

private func XCTAssertEqual(_ a: [Double], _ b: [Double], accuracy: Double, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, file: file, line: line)
    for (u, v) in zip(a, b) { XCTAssertEqual(u, v, accuracy: accuracy, file: file, line: line) }
}
