// The distributed promises, checked under `mpirun -np 2` by TapeGradDistributedTests (one mode a run):
//
//     mpirun -np 2 .build/debug/DistributedSelfTest collectives|gradients|train|failure|timeout
//
// Each mode prints `rank R: ok …` lines and exits 0, or prints `rank R: FAIL …` / `rank R: error: …`
// and exits non-zero.
import Foundation
import TapeGrad
import TapeGradDistributed

/// A float MLP 5 → 8 → 3 with tanh, parameters seeded differently on every rank (the trainer's broadcast
/// must make them equal).
final class TinyMLP: Cell {
    let w1: Parameter, b1: Parameter, w2: Parameter, b2: Parameter

    init(dtype: DType, seed: UInt64) {
        w1 = Parameter(Tensor.randomNormal([5, 8], standardDeviation: 0.5, dtype: dtype, seed: seed), name: "w1")
        b1 = Parameter(Tensor.randomNormal([8], standardDeviation: 0.1, dtype: dtype, seed: seed + 1), name: "b1")
        w2 = Parameter(Tensor.randomNormal([8, 3], standardDeviation: 0.5, dtype: dtype, seed: seed + 2), name: "w2")
        b2 = Parameter(Tensor.randomNormal([3], standardDeviation: 0.1, dtype: dtype, seed: seed + 3), name: "b2")
        super.init()
    }

    override func construct(_ x: Tensor) -> Tensor {
        matmul(tanh(matmul(x, w1.value) + b1.value), w2.value) + b2.value
    }
}

struct CheckFailure: Error, CustomStringConvertible { let description: String }

let rankLabel = { "rank \(Communication.rank)" }

func say(_ text: String) {
    FileHandle.standardOutput.write(Data("\(rankLabel()): \(text)\n".utf8))
}

func expect(_ condition: Bool, _ what: String) throws {
    guard condition else { throw CheckFailure(description: "FAIL \(what)") }
    say("ok \(what)")
}

func maxDifference(_ a: Tensor, _ b: Tensor) -> Double {
    zip(a.scalars, b.scalars).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
}

/// Every rank's copy of `t`, gathered, is bit-identical.
func identicalOnEveryRank(_ t: Tensor) throws -> Bool {
    let all = try allGather(t.reshaped(to: [1, t.count]))
    let first = all.sliced(alongAxis: 0, from: 0, to: 1).scalars
    return (1..<Communication.groupSize).allSatisfy { all.sliced(alongAxis: 0, from: $0, to: $0 + 1).scalars.map(\.bitPattern) == first.map(\.bitPattern) }
}

/// The global batch every rank knows: 16 samples of 5 features, 3 targets.
func globalBatch(_ dtype: DType) -> (Tensor, Tensor) {
    (Tensor.randomNormal([16, 5], dtype: dtype, seed: 42), Tensor.randomNormal([16, 3], dtype: dtype, seed: 43))
}

// MARK: - Modes

func checkCollectives() throws {
    let rank = Double(Communication.rank), size = Double(Communication.groupSize)
    let summed = try allReduce(Tensor([rank + 1, 10 * (rank + 1)]))
    try expect(summed.scalars == [size * (size + 1) / 2, 10 * size * (size + 1) / 2], "allReduce sum = \(summed.scalars)")
    let largest = try allReduce(Tensor([Float(rank)]), op: .max)
    try expect(largest.scalars == [size - 1], "allReduce max = \(largest.scalars)")
    let gathered = try allGather(Tensor([[Float(rank), Float(rank)]]))
    try expect(gathered.shape == [Int(size), 2] && gathered.scalars == (0..<Int(size)).flatMap { [Double($0), Double($0)] }, "allGather = \(gathered.scalars)")
    let fromOne = try broadcast(Tensor([Float(rank) + 7]), root: Int(size) - 1)
    try expect(fromOne.scalars == [size - 1 + 7], "broadcast from the last rank = \(fromOne.scalars)")
    do {
        _ = try allReduce(Tensor.zeros([Communication.rank + 1]))
        try expect(false, "allReduce of different element counts throws")
    } catch let error as DistributedError {
        guard case .mismatch = error else { throw error }
        try expect(true, "allReduce of different element counts throws: \(error)")
    }
    do {
        _ = try broadcast(Tensor([1]), root: 5)
        try expect(false, "broadcast from root 5 throws")
    } catch let error as DistributedError {
        try expect(error.description.contains("root") && error.description.contains("5"), "broadcast from root 5 throws: \(error)")
    }
    try barrier()
    try expect(true, "barrier")
}

func checkGradients(_ dtype: DType, tolerance: Double) throws {
    let net = TinyMLP(dtype: dtype, seed: 1)       // the same seed on every rank: one network
    let withLoss = WithLossCell(net, MSELoss())
    let (x, y) = globalBatch(dtype)
    let gradFn = try valueAndGrad(withLoss, gradPosition: nil, weights: net.trainableParams())
    let single = try gradFn(x, y).1.tensors
    var local = try gradFn(try shard(x), try shard(y)).1.tensors
    var manyBuckets = local
    try DistributedGradReducer(parameters: net.trainableParams(), mean: true).reduce(&local)
    try DistributedGradReducer(parameters: net.trainableParams(), mean: true, bucketBytes: 64).reduce(&manyBuckets)
    let worst = zip(local, single).map { maxDifference($0, $1) }.max() ?? 0
    try expect(worst <= tolerance, "\(dtype) gradients of 2 shards reduced = single-process gradients of the global batch (max rel. difference \(worst) ≤ \(tolerance))")
    try expect(zip(local, manyBuckets).allSatisfy { $0.scalars.map(\.bitPattern) == $1.scalars.map(\.bitPattern) },
               "\(dtype) one bucket and 64-byte buckets give bit-identical gradients")
    try expect(try local.allSatisfy(identicalOnEveryRank), "\(dtype) reduced gradients are bit-identical on every rank")
}

func checkTraining() throws {
    let dtype = DType.float32
    let net = TinyMLP(dtype: dtype, seed: 100 + UInt64(Communication.rank))   // different on every rank
    let trainer = try DataParallelTrainer(WithLossCell(net, MSELoss()), optimizer: Momentum(params: net.trainableParams(), learningRate: 0.1, momentum: 0.9))
    try expect(try net.trainableParams().allSatisfy { try identicalOnEveryRank($0.value) }, "parameters are bit-identical after the initial broadcast")
    // The same network on one process, from rank 0's initial weights, trained on the global batch.
    let reference = TinyMLP(dtype: dtype, seed: 100)
    let referenceStep = try TrainOneStepCell(WithLossCell(reference, MSELoss()), optimizer: Momentum(params: reference.trainableParams(), learningRate: 0.1, momentum: 0.9))
    let (x, y) = globalBatch(dtype)
    for step in 1...5 {
        let loss = try trainer.step(try shard(x), try shard(y))
        let referenceLoss = try referenceStep.step(x, y)
        try expect(try net.trainableParams().allSatisfy { try identicalOnEveryRank($0.value) }, "step \(step): parameters bit-identical on every rank")
        try expect(abs(loss.item() - referenceLoss.item()) <= 1e-5 * max(1, abs(referenceLoss.item())), "step \(step): global loss \(loss.item()) = single-process loss \(referenceLoss.item())")
    }
    let worst = zip(net.trainableParams(), reference.trainableParams()).map { maxDifference($0.value, $1.value) }.max() ?? 0
    try expect(worst <= 1e-5, "after 5 steps the parameters match single-process training (max rel. difference \(worst))")
}

func checkFailure() throws {
    let net = TinyMLP(dtype: .float32, seed: 5)
    let trainer = try DataParallelTrainer(WithLossCell(net, MSELoss()), optimizer: Momentum(params: net.trainableParams(), learningRate: 0.1, momentum: 0.9))
    let before = net.trainableParams().map(\.value.scalars)
    let (x, y) = globalBatch(.float32)
    // Rank 1 passes inputs of the wrong width; every rank must throw, and no parameter may change.
    let localX = Communication.rank == 1 ? Tensor.zeros([8, 4]) : try shard(x)
    do {
        _ = try trainer.step(localX, try shard(y))
        say("FAIL the step did not throw")
    } catch {
        let unchanged = net.trainableParams().map(\.value.scalars) == before
        say("error: \(error)")
        say(unchanged ? "parameters unchanged" : "FAIL parameters changed")
        try? barrier()   // both ranks have printed before either exits (mpirun stops the job at the first non-zero exit)
        exit(unchanged ? 3 : 1)
    }
    exit(1)
}

func checkTimeout() throws {
    Communication.timeout = .seconds(1)
    if Communication.rank == 1 { sleep(4) }
    let start = ContinuousClock.now
    do {
        try barrier()
        say(Communication.rank == 1 ? "ok reached the barrier late" : "FAIL the barrier did not time out")
    } catch {
        say("error after \(ContinuousClock.now - start): \(error)")
        Communication.abort(code: 4)
    }
}

// MARK: - Main

let mode = CommandLine.arguments.dropFirst().first ?? "collectives"
do {
    try Communication.initialize()
    guard Communication.groupSize >= 2 else { throw CheckFailure(description: "FAIL run me under mpirun -np 2 (group size is \(Communication.groupSize))") }
    switch mode {
    case "collectives": try checkCollectives()
    case "gradients":
        try checkGradients(.float64, tolerance: 1e-12)
        try checkGradients(.float32, tolerance: 1e-6)
    case "train": try checkTraining()
    case "failure": try checkFailure()
    case "timeout": try checkTimeout()
    default: throw CheckFailure(description: "FAIL unknown mode \(mode)")
    }
    try Communication.finalize()
    say("done")
} catch {
    say("\(error)")
    Communication.abort(code: 2)
}
