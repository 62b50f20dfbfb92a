import Foundation
import XCTest
@testable import TapeGrad

final class CheckpointTests: XCTestCase {
    func temporaryURL(_ name: String) -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tapegrad-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent(name)
    }

    func makeNet(seed: UInt64) -> SequentialCell {
        setSeed(seed)
        return SequentialCell([Dense(inChannels: 4, outChannels: 8, activation: .relu), Dense(inChannels: 8, outChannels: 3)])
    }

    func testRoundTripGivesBitIdenticalPredictions() throws {
        let a = makeNet(seed: 1), b = makeNet(seed: 2)
        let x = Tensor.randomNormal([5, 4], seed: 3)
        XCTAssertNotEqual(a(x), b(x))
        let url = temporaryURL("net.safetensors")
        try Checkpoint.save(a, to: url)
        try Checkpoint.load(into: b, from: url)
        XCTAssertEqual(a(x), b(x))   // exact equality, element by element
    }

    func testLoadingAFileWrittenByPythonsSafetensors() throws {
        guard let url = Bundle.module.url(forResource: "Fixtures/python_written", withExtension: "safetensors")
            ?? Bundle.module.url(forResource: "python_written", withExtension: "safetensors", subdirectory: "Fixtures") else {
            return XCTFail("fixture missing")
        }
        let tensors = try Checkpoint.read(from: url)
        let expected = try loadFixture("python_written.json")
        XCTAssertEqual(Set(tensors.keys), Set(expected.keys))
        for (name, value) in expected {
            let e = try fixtureTensor(value)
            guard let t = tensors[name] else { XCTFail("missing \(name)"); continue }
            XCTAssertEqual(t.shape, e.shape, name); XCTAssertEqual(t.dtype, e.dtype, name)
            // Linux's JSONSerialization can round the 17th digit of a double, so float64 is compared to 1e-15.
            if t.dtype == .float64 { XCTAssertTrue(t.isClose(to: e, rtol: 1e-15, atol: 0), name) } else { XCTAssertEqual(t, e, name) }
        }
        XCTAssertEqual(tensors["scale"]?.shape, [])
        XCTAssertEqual(tensors["counts"]?.dtype, .int32)
    }

    func testMismatchedCheckpointThrowsAndLeavesTheNetworkUntouched() throws {
        let small = makeNet(seed: 1)
        setSeed(5)
        let other = SequentialCell([Dense(inChannels: 4, outChannels: 8, activation: .relu), Dense(inChannels: 8, outChannels: 2)])
        let url = temporaryURL("other.safetensors")
        try Checkpoint.save(other, to: url)
        let x = Tensor.randomNormal([2, 4], seed: 1)
        let before = small(x)
        XCTAssertThrowsError(try Checkpoint.load(into: small, from: url)) { error in
            XCTAssertEqual(error as? CheckpointError, .shapeMismatch(name: "1.weight", expected: [3, 8], found: [2, 8]))
        }
        XCTAssertEqual(small(x), before)
        let renamed = temporaryURL("renamed.safetensors")
        try Checkpoint.save([("weight", Tensor.zeros([8, 4]))], to: renamed)
        XCTAssertThrowsError(try Checkpoint.load(into: small, from: renamed))
        XCTAssertEqual(small(x), before)
    }

    func testSaveReplacesTheOldFileAtomicallyAndLeavesNoTemporaryFile() throws {
        let url = temporaryURL("net.safetensors")
        try Checkpoint.save(makeNet(seed: 1), to: url)
        try Checkpoint.save(makeNet(seed: 2), to: url)
        let files = try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)
        XCTAssertEqual(files, ["net.safetensors"])
        XCTAssertThrowsError(try Checkpoint.read(from: url.deletingLastPathComponent().appendingPathComponent("missing")))
    }

    func testMalformedFilesThrow() throws {
        let url = temporaryURL("bad.safetensors")
        try Data([1, 2, 3]).write(to: url)
        XCTAssertThrowsError(try Checkpoint.read(from: url))
        try Data([255, 0, 0, 0, 0, 0, 0, 0, 123]).write(to: url)
        XCTAssertThrowsError(try Checkpoint.read(from: url))
    }
}

final class OptimizerTests: XCTestCase {
    /// Least squares: minimise ‖A·w − b‖² / n; the optimum solves the normal equations.
    func testEachOptimizerReachesTheLeastSquaresOptimum() throws {
        let a = Tensor([[1, 2], [3, 1], [0, 1], [2, 2]] as [[Double]]), b = Tensor([[5], [5], [1], [6]] as [[Double]])
        // AᵀA = [[14, 9], [9, 10]], Aᵀb = [[32], [28]] → w* = [1.1739…, 1.7434…]
        let det: Double = 14 * 10 - 81
        let exact: [Double] = [(32 * 10 - 9 * 28) / det, (14 * 28 - 9 * 32) / det]
        let makers: [(String, ([Parameter]) -> Optimizer, Int)] = [
            ("SGD", { SGD(params: $0, learningRate: 0.05) }, 3000),
            ("SGD nesterov", { SGD(params: $0, learningRate: 0.02, momentum: 0.9, nesterov: true) }, 1500),
            ("Momentum", { Momentum(params: $0, learningRate: 0.02, momentum: 0.9) }, 1500),
            ("Adam", { Adam(params: $0, learningRate: .cosine(initial: 0.1, minimum: 1e-4, totalSteps: 3000)) }, 3000),
            ("AdamWeightDecay", { AdamWeightDecay(params: $0, learningRate: .stepDecay(initial: 0.05, rate: 0.5, stepSize: 1000)) }, 4000),
        ]
        for (name, make, steps) in makers {
            let w = Parameter(Tensor.zeros([2, 1], dtype: .float64), name: "w")
            let opt = make([w])
            let f = try valueAndGrad({ (a: Tensor, b: Tensor) in square(matmul(a, w.value) - b).mean() }, gradPosition: nil, weights: [w])
            for _ in 0..<steps { try opt.step(gradients: try f(a, b).gradients) }
            XCTAssertEqual(w.value.scalars[0], exact[0], accuracy: 1e-3, name)
            XCTAssertEqual(w.value.scalars[1], exact[1], accuracy: 1e-3, name)
        }
    }

    func testFrozenParametersAreSkippedAndBadGradientsChangeNothing() throws {
        let w = Parameter(Tensor([1, 2]), name: "w"), f = Parameter(Tensor([3]), name: "f", requiresGrad: false)
        let opt = SGD(params: [w, f], learningRate: 1)
        try opt.step(gradients: [Tensor([1, 1]), Tensor([1])])
        XCTAssertEqual(w.value.scalars, [0, 1]); XCTAssertEqual(f.value.scalars, [3])
        XCTAssertThrowsError(try opt.step(gradients: [Tensor([1, 1])])) { XCTAssertEqual($0 as? OptimizerError, .gradientCount(expected: 2, got: 1)) }
        XCTAssertThrowsError(try opt.step(gradients: [Tensor([1, 1, 1]), Tensor([1])]))
        XCTAssertEqual(w.value.scalars, [0, 1])
        XCTAssertEqual(opt.stepCount, 1)
    }

    func testLearningRateSchedules() {
        XCTAssertEqual(LearningRateSchedule.stepDecay(initial: 1, rate: 0.5, stepSize: 10).rate(at: 25), 0.25)
        XCTAssertEqual(LearningRateSchedule.cosine(initial: 1, minimum: 0, totalSteps: 100).rate(at: 50), 0.5, accuracy: 1e-12)
        XCTAssertEqual(LearningRateSchedule.cosine(initial: 1, minimum: 0.1, totalSteps: 100).rate(at: 500), 0.1, accuracy: 1e-12)
    }
}

final class TrainOneStepCellTests: XCTestCase {
    func testOneCallIsForwardBackwardAndUpdate() throws {
        // loss = mean((x·w)²) with w = [1]; ∂/∂w = mean(2·x²·w) = 2·(1 + 4)/2 = 5; SGD lr 0.1 → w = 0.5
        final class Scale: Cell {
            let w = Parameter(Tensor([[1]]), name: "w")
            override func construct(_ x: Tensor) -> Tensor { matmul(x, w.value) }
        }
        let net = Scale()
        let step = try TrainOneStepCell(WithLossCell(net, MSELoss()), optimizer: SGD(params: net.trainableParams(), learningRate: 0.1))
        let loss = try step.step(Tensor([[1], [2]]), Tensor([[0], [0]]))
        XCTAssertEqual(loss.item(), 2.5)
        XCTAssertEqual(net.w.value.scalars, [0.5])
        let scaled = try TrainOneStepCell(WithLossCell(net, MSELoss()), optimizer: SGD(params: net.trainableParams(), learningRate: 0.1), sens: 2)
        _ = try scaled.step(Tensor([[1], [2]]), Tensor([[0], [0]]))
        XCTAssertEqual(net.w.value.scalars[0], 0.5 - 0.1 * 2 * 2.5, accuracy: 1e-6)
    }
}
