import Foundation
import XCTest
@testable import TapeGrad

/// One network shared by 16 threads: gradients bit-identical to sequential ones, no lost BatchNorm update,
/// no duplicated or lost Dropout mask, listings and checkpoints that never race (issue 8, found 1).
final class ConcurrencyTests: XCTestCase {
    static let threads = 16

    /// Runs `body(i)` for i in 0..<n on n real threads at once (not a pool of two), and waits for all.
    func onThreads(_ n: Int = threads, _ body: @escaping @Sendable (Int) -> Void) {
        let group = DispatchGroup()
        let start = DispatchSemaphore(value: 0)
        for i in 0..<n {
            group.enter()
            let thread = Thread {
                start.wait()
                body(i)
                group.leave()
            }
            thread.stackSize = 4 << 20
            thread.start()
        }
        for _ in 0..<n { start.signal() }
        group.wait()
    }

    /// Dense → BatchNorm1d (training) → ReLU → Dropout → LayerNorm → Dense, with a sparse cross-entropy.
    // Restated as Swift asks of a Cell subclass: every stored property is a `let` of a Sendable type.
    final class Net: Cell, @unchecked Sendable {
        let firstFullyConnectedLayer: Dense
        let batchNormalisationLayer = BatchNorm1d(numFeatures: 8)
        let activation = ReLU()
        let dropoutLayerWithSeed = Dropout(p: 0.3, seed: 99)
        let layerNormalisationLayer = LayerNorm(normalizedShape: [8])
        let outputFullyConnectedLayer: Dense

        init(seed: UInt64) {
            firstFullyConnectedLayer = Dense(inChannels: 4, outChannels: 8, seed: seed)
            outputFullyConnectedLayer = Dense(inChannels: 8, outChannels: 3, seed: seed + 10)
            super.init()
        }

        override func construct(_ x: Tensor) -> Tensor {
            let h = activation(batchNormalisationLayer(firstFullyConnectedLayer(x)))
            return outputFullyConnectedLayer(layerNormalisationLayer(dropoutLayerWithSeed(h)))
        }
    }

    func makeTrainer(seed: UInt64 = 1) throws -> (Net, ForwardValueAndGrad) {
        let net = Net(seed: seed)
        net.setTrain()
        let withLoss = WithLossCell(net, SoftmaxCrossEntropyWithLogits(sparse: true, reduction: .mean))
        let fvg = try ForwardValueAndGrad(withLoss, weights: try ParameterTuple(net.trainableParams()), getByList: true)
        return (net, fvg)
    }

    static func batch(_ i: Int) -> (Tensor, Tensor) {
        (Tensor.randomNormal([6, 4], seed: UInt64(100 + i)), Tensor((0..<6).map { Int32(($0 + i) % 3) }))
    }

    /// The exact bytes of a loss and its gradients.
    static func bits(_ value: TensorTree, _ gradients: TensorTree) -> [UInt32] {
        ([value.asTensor] + gradients.tensors).flatMap { $0.asArray(Float.self).map(\.bitPattern) }
    }

    func testSixteenThreadsDifferentiatingOneNetworkMatchSequentialBitForBit() throws {
        let (_, fvg) = try makeTrainer()
        var sequential: [[UInt32]] = []
        for i in 0..<Self.threads {
            let (x, y) = Self.batch(i)
            let (v, g) = try withRandomSeed(UInt64(i)) { try fvg.valueAndGradients(x, y) }
            sequential.append(Self.bits(v, g))
        }
        let results = Locked([[UInt32]?](repeating: nil, count: Self.threads))
        onThreads { i in
            let (x, y) = Self.batch(i)
            let r = try? withRandomSeed(UInt64(i)) { try fvg.valueAndGradients(x, y) }
            let b = r.map { Self.bits($0.value, $0.gradients) }
            results.withLock { $0[i] = b }
        }
        let concurrent = results.value
        for i in 0..<Self.threads {
            XCTAssertEqual(concurrent[i], sequential[i], "computation \(i) differs from its sequential twin")
        }
        XCTAssertEqual(Set(sequential).count, Self.threads, "the 16 computations should differ from one another")
    }

    func testConcurrentStepsLoseNoBatchNormUpdateAndShareNoDropoutMask() throws {
        // The same batch everywhere: each running-statistics update is then the same affine map, so the
        // result of 16 updates does not depend on their order and must equal 16 sequential ones exactly.
        let (x, y) = Self.batch(0)
        let (seqNet, seqFVG) = try makeTrainer()
        var sequential: [[UInt32]] = []
        for _ in 0..<Self.threads {
            let (v, g) = try seqFVG.valueAndGradients(x, y)
            sequential.append(Self.bits(v, g))
        }
        let (net, fvg) = try makeTrainer()
        let results = Locked([[UInt32]]())
        onThreads { _ in
            if let (v, g) = try? fvg.valueAndGradients(x, y) { results.withLock { $0.append(Self.bits(v, g)) } }
        }
        let bn = net.batchNormalisationLayer, seqBN = seqNet.batchNormalisationLayer
        XCTAssertEqual(bn.movingMean.storedValue.asArray(Float.self), seqBN.movingMean.storedValue.asArray(Float.self))
        XCTAssertEqual(bn.movingVariance.storedValue.asArray(Float.self), seqBN.movingVariance.storedValue.asArray(Float.self))
        XCTAssertNotEqual(bn.movingMean.storedValue.asArray(Float.self), [Float](repeating: 0, count: 8))
        // Masks 0…15, each drawn once, in whatever order the threads ran: the same multiset of results.
        let concurrent = results.value
        XCTAssertEqual(concurrent.count, Self.threads)
        XCTAssertEqual(concurrent.sorted { $0.lexicographicallyPrecedes($1) }, sequential.sorted { $0.lexicographicallyPrecedes($1) })
        XCTAssertEqual(Set(sequential).count, Self.threads, "each step should draw a different mask")
    }

    func testListingParametersAndSavingCheckpointsFromSixteenThreadsRenamesNothing() throws {
        let (net, _) = try makeTrainer()
        let expected = net.parametersAndNames().map(\.name)
        XCTAssertEqual(expected, [
            "firstFullyConnectedLayer.weight", "firstFullyConnectedLayer.bias",
            "batchNormalisationLayer.gamma", "batchNormalisationLayer.beta",
            "batchNormalisationLayer.moving_mean", "batchNormalisationLayer.moving_variance",
            "layerNormalisationLayer.gamma", "layerNormalisationLayer.beta",
            "outputFullyConnectedLayer.weight", "outputFullyConnectedLayer.bias",
        ])
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tapegrad-concurrency-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let failures = Locked([String]())
        onThreads { i in
            for k in 0..<20 {
                let names = net.parametersAndNames().map(\.name)
                let trainable = net.trainableParams().map(\.name)
                let sub = net.firstFullyConnectedLayer.parametersAndNames().map(\.name)
                let subParams = net.firstFullyConnectedLayer.trainableParams().map(\.name)
                var problems: [String] = []
                if names != expected { problems.append("names \(names)") }
                if trainable.count != 8 { problems.append("trainable \(trainable)") }
                if sub != ["weight", "bias"] { problems.append("sub-cell listing \(sub)") }
                if subParams != ["firstFullyConnectedLayer.weight", "firstFullyConnectedLayer.bias"] { problems.append("sub-cell names \(subParams)") }
                if k % 5 == 0 {
                    do { try Checkpoint.save(net, to: dir.appendingPathComponent("net-\(i).safetensors")) } catch { problems.append("save: \(error)") }
                }
                if !problems.isEmpty { failures.withLock { $0 += problems } }
            }
        }
        XCTAssertEqual(failures.value, [])
        let read = try Checkpoint.read(from: dir.appendingPathComponent("net-3.safetensors"))
        XCTAssertEqual(Set(read.keys), Set(expected))
        XCTAssertEqual(read["outputFullyConnectedLayer.bias"]?.asArray(Float.self), net.outputFullyConnectedLayer.bias?.storedValue.asArray(Float.self))
    }

    func testListingASubCellDoesNotRenameWhatTheParentSees() throws {
        let seq = SequentialCell([Dense(inChannels: 2, outChannels: 2), ReLU(), Dense(inChannels: 2, outChannels: 1)])
        let inner = try XCTUnwrap(seq.cells[0] as? Dense)
        XCTAssertEqual(inner.parametersAndNames().map(\.name), ["weight", "bias"])   // paths from the sub-cell
        _ = inner.trainableParams()
        XCTAssertEqual(inner.weight.name, "0.weight")                                 // the name MindSpore gives
        XCTAssertEqual(seq.trainableParams().map(\.name), ["0.weight", "0.bias", "2.weight", "2.bias"])
        let (_, grads) = try valueAndGrad({ (x: Tensor) in seq(x).sum() }, gradPosition: nil, weights: [inner.weight], returnIds: true)(Tensor([[1, 2]]))
        XCTAssertEqual(grads[0][0], .name("0.weight"))
    }

    func testSixteenTasksInATaskGroupMatchSequentialBitForBit() async throws {
        let (_, fvg) = try makeTrainer(seed: 3)
        var sequential: [[UInt32]] = []
        for i in 0..<Self.threads {
            let (x, y) = Self.batch(i)
            let (v, g) = try withRandomSeed(UInt64(i)) { try fvg.valueAndGradients(x, y) }
            sequential.append(Self.bits(v, g))
        }
        let concurrent = try await withThrowingTaskGroup(of: (Int, [UInt32]).self) { group in
            for i in 0..<Self.threads {
                group.addTask {
                    let (x, y) = Self.batch(i)
                    let (v, g) = try withRandomSeed(UInt64(i)) { try fvg.valueAndGradients(x, y) }
                    return (i, Self.bits(v, g))
                }
            }
            var out = [[UInt32]](repeating: [], count: Self.threads)
            for try await (i, b) in group { out[i] = b }
            return out
        }
        XCTAssertEqual(concurrent, sequential)
    }

    func testSixteenThreadsTrainingOneNetworkStepByStepStayConsistent() throws {
        // Steps read parameters while other steps' optimizer writes them: every read sees a whole value
        // (copy-on-write under the parameter's lock), the optimizer applies each step once.
        setSeed(8)
        let net = SequentialCell([Dense(inChannels: 4, outChannels: 8), BatchNorm1d(numFeatures: 8), ReLU(), Dense(inChannels: 8, outChannels: 3)])
        net.setTrain()
        let step = try TrainOneStepCell(WithLossCell(net, SoftmaxCrossEntropyWithLogits(sparse: true, reduction: .mean)),
                                        optimizer: Momentum(params: net.trainableParams(), learningRate: 0.05, momentum: 0.9))
        let losses = Locked([Double]())
        onThreads { i in
            let (x, y) = Self.batch(i % 4)
            for _ in 0..<3 { if let loss = try? step.step(x, y) { losses.withLock { $0.append(loss.item()) } } }
        }
        XCTAssertEqual(losses.value.count, 3 * Self.threads)
        XCTAssertEqual(step.optimizer.stepCount, 3 * Self.threads)
        XCTAssertTrue(net.parameters().allSatisfy { $0.storedValue.scalars.allSatisfy(\.isFinite) })
        XCTAssertTrue(losses.value.allSatisfy(\.isFinite))
    }

    func testOptimizerStepsFromSixteenThreadsApplyEveryUpdateOnce() throws {
        let w = Parameter(Tensor([1, 2, 3] as [Float]), name: "w")
        let opt = SGD(params: [w], learningRate: 0.125, momentum: 0.5)
        let g = Tensor([0.5, -1, 2] as [Float])
        onThreads { _ in try? opt.step(gradients: [g]) }
        let w2 = Parameter(Tensor([1, 2, 3] as [Float]), name: "w")
        let opt2 = SGD(params: [w2], learningRate: 0.125, momentum: 0.5)
        for _ in 0..<Self.threads { try opt2.step(gradients: [g]) }
        XCTAssertEqual(opt.stepCount, Self.threads)
        XCTAssertEqual(w.storedValue.asArray(Float.self), w2.storedValue.asArray(Float.self))
    }

    func testPooledBuffersPassBetweenThreadsWithCorrectValues() {
        // 32 KB tensors come from BufferPool; under `make tsan` this checks the pool's lock is visible to
        // ThreadSanitizer (with Synchronization.Mutex it reported 26 races on exactly this loop).
        let sums = Locked([Double](repeating: 0, count: Self.threads))
        onThreads { i in
            var total = 0.0
            for _ in 0..<20 {
                let a = Tensor.full([64, 128], value: Double(i), dtype: .float32)
                total += (a * 2 + 1).sum().item()
            }
            sums.withLock { $0[i] = total }
        }
        let perThread: (Int) -> Double = { i in Double(20 * 64 * 128) * Double(2 * i + 1) }
        XCTAssertEqual(sums.value, (0..<Self.threads).map(perThread))
    }

    func testSharedTypesAreSendableByConstruction() {
        func requireSendable<T: Sendable>(_: T.Type) {}
        requireSendable(Parameter.self)
        requireSendable(Dense.self)
        requireSendable(BatchNorm1d.self)
        requireSendable(Dropout.self)
        requireSendable(WithLossCell.self)
        requireSendable(ForwardValueAndGrad.self)
        requireSendable(SGD.self)
        requireSendable(Tensor.self)
        // Parameter's conformance is checked by the compiler (no @unchecked): its state is a Locked value.
        XCTAssertEqual(Parameter(Tensor([1])).name, "Parameter")
    }
}
