import Foundation
import XCTest
@testable import TapeGrad

/// BatchNorm2d's moving statistics: a failed step changes none (issue 8's transactional rule), and sixteen
/// threads training one shared layer lose no update (as ``ConcurrencyTests`` pins for BatchNorm1d).
final class BatchNorm2dStatisticsTests: XCTestCase {
    /// Channel 0 holds {1, 3, 5, 7} (mean 4), channel 1 {2, 6, 0, 4} (mean 3); both have Σ(x − μ)² = 20.
    let x = Tensor([1, 3, 2, 6, 5, 7, 0, 4] as [Float], shape: [2, 2, 1, 2])

    func testAFailedStepLeavesTheMovingStatisticsAloneAndASuccessfulOneCommitsThem() throws {
        let bn = BatchNorm2d(numFeatures: 2).setTrain()
        let x = self.x
        XCTAssertThrowsError(try valueAndGrad({ (x: Tensor) in (bn(x) + Tensor.zeros([3])).sum() }, gradPosition: 0)(x))
        XCTAssertThrowsError(try withErrorChecking { _ = bn(x); _ = Tensor.zeros([2]).reshaped(to: [3]) })
        let net = SequentialCell([bn, Flatten(), Dense(inChannels: 4, outChannels: 2, seed: 1)])
        let step = try TrainOneStepCell(WithLossCell(net, MSELoss()), optimizer: SGD(params: net.trainableParams(), learningRate: 0.1))
        XCTAssertThrowsError(try step.step(x, Tensor.zeros([2, 3])))   // the label's shape fails the loss
        XCTAssertEqual(bn.movingMean.value.scalars, [0, 0])
        XCTAssertEqual(bn.movingVariance.value.scalars, [1, 1])
        // Success: mean ← 0.9·0 + 0.1·[4, 3]; variance ← 0.9·1 + 0.1·20/3 (unbiased over N·H·W = 4 values).
        _ = try valueAndGrad({ (x: Tensor) in bn(x).sum() }, gradPosition: 0)(x)
        XCTAssertEqual(bn.movingMean.value.scalars[0], 0.4, accuracy: 1e-6)
        XCTAssertEqual(bn.movingMean.value.scalars[1], 0.3, accuracy: 1e-6)
        for v in bn.movingVariance.value.scalars { XCTAssertEqual(v, 0.9 + 0.1 * 20 / 3, accuracy: 1e-6) }
    }

    /// BatchNorm2d (training) → ReLU → Flatten → Dense, with a sparse cross-entropy.
    final class Net: Cell, @unchecked Sendable {
        let bn = BatchNorm2d(numFeatures: 3)
        let relu = ReLU()
        let flatten = Flatten()
        let head = Dense(inChannels: 12, outChannels: 3, seed: 5)
        override func construct(_ x: Tensor) -> Tensor { head(flatten(relu(bn(x)))) }
    }

    func makeTrainer() throws -> (Net, ForwardValueAndGrad) {
        let net = Net()
        net.setTrain()
        let withLoss = WithLossCell(net, SoftmaxCrossEntropyWithLogits(sparse: true, reduction: .mean))
        return (net, try ForwardValueAndGrad(withLoss, weights: try ParameterTuple(net.trainableParams()), getByList: true))
    }

    func testSixteenThreadsTrainingOneLayerLoseNoUpdate() throws {
        // The same batch everywhere: every update is the same affine map, so 16 of them in any order must equal
        // 16 sequential ones bit for bit.
        let x = Tensor.randomNormal([4, 3, 2, 2], seed: 41), y = Tensor([0, 2, 1, 0] as [Int32])
        let (sequentialNet, sequential) = try makeTrainer()
        var expected: [[UInt32]] = []
        for _ in 0..<16 {
            let (v, g) = try sequential.valueAndGradients(x, y)
            expected.append(([v.asTensor] + g.tensors).flatMap { $0.asArray(Float.self).map(\.bitPattern) })
        }
        let (net, shared) = try makeTrainer()
        let results = Locked([[UInt32]]())
        let group = DispatchGroup(), start = DispatchSemaphore(value: 0)
        for _ in 0..<16 {
            group.enter()
            let thread = Thread {
                start.wait()
                if let (v, g) = try? shared.valueAndGradients(x, y) {
                    let bits = ([v.asTensor] + g.tensors).flatMap { $0.asArray(Float.self).map(\.bitPattern) }
                    results.withLock { $0.append(bits) }
                }
                group.leave()
            }
            thread.stackSize = 4 << 20
            thread.start()
        }
        for _ in 0..<16 { start.signal() }
        group.wait()
        XCTAssertEqual(results.value.count, 16)
        XCTAssertEqual(Set(results.value), Set(expected), "outputs and gradients use the batch statistics only")
        XCTAssertEqual(net.bn.movingMean.value.asArray(Float.self), sequentialNet.bn.movingMean.value.asArray(Float.self))
        XCTAssertEqual(net.bn.movingVariance.value.asArray(Float.self), sequentialNet.bn.movingVariance.value.asArray(Float.self))
        XCTAssertNotEqual(net.bn.movingMean.value.asArray(Float.self), [0, 0, 0])
    }
}
