// Data-parallel training on Open MPI: the digits MLP of `make demo` (64 → 128 → 64 → 10, Momentum 0.9),
// each process on its shard of every global batch, gradients averaged by all-reduce.
//
//     mpirun -np 2 .build/release/tapegrad-demo-distributed [--epochs 40] [--global-batch 64] [--data FILE]
//
// Every step it checks that the replicas' parameters are bit-identical (one 8-byte all-gather of a hash).
// Run it with -np 1 for the single-process result on the same global batches (`make demo-distributed` runs both).
import Foundation
import TapeGrad
import TapeGradDistributed

struct DemoFailure: Error, CustomStringConvertible { let description: String }

func log(_ text: String) {
    if Communication.isRoot { FileHandle.standardOutput.write(Data((text + "\n").utf8)) }
}

// MARK: - Options and data

var epochs = 40, globalBatch = 64
var dataPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../Demo/Resources/digits.csv").standardized.path
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let flag = arguments.next() {
    guard let value = arguments.next() else { throw DemoFailure(description: "\(flag) needs a value") }
    switch flag {
    case "--epochs": epochs = Int(value) ?? -1
    case "--global-batch": globalBatch = Int(value) ?? -1
    case "--data": dataPath = value
    default: throw DemoFailure(description: "unknown flag \(flag) (flags: --epochs N, --global-batch N, --data FILE)")
    }
}
guard epochs > 0, globalBatch > 0 else { throw DemoFailure(description: "--epochs and --global-batch take positive whole numbers") }

/// The bundled digits (UCI Optical Recognition of Handwritten Digits, CC BY 4.0): 64 pixels in 0…16 and a label.
func loadDigits(_ path: String) throws -> (images: [[Float]], labels: [Int32]) {
    let rows = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
    var images: [[Float]] = [], labels: [Int32] = []
    for row in rows where !row.isEmpty {
        let values = row.split(separator: ",").compactMap { Float($0) }
        guard values.count == 65 else { throw DemoFailure(description: "\(path): a row has \(values.count) values, expected 65") }
        images.append(values[..<64].map { $0 / 16 })
        labels.append(Int32(values[64]))
    }
    return (images, labels)
}

/// Every 5th sample of each class is held out (the same split on every process).
func split(_ labels: [Int32]) -> (train: [Int], test: [Int]) {
    var seen = [Int32: Int](), train: [Int] = [], test: [Int] = []
    for (i, label) in labels.enumerated() {
        seen[label, default: 0] += 1
        if seen[label]! % 5 == 0 { test.append(i) } else { train.append(i) }
    }
    return (train, test)
}

final class MLP: Cell {
    let fc1 = Dense(inChannels: 64, outChannels: 128, activation: .relu)
    let fc2 = Dense(inChannels: 128, outChannels: 64, activation: .relu)
    let fc3 = Dense(inChannels: 64, outChannels: 10)
    override func construct(_ x: Tensor) -> Tensor { fc3(fc2(fc1(x))) }
}

/// FNV-1a over every parameter's bytes, as two Int32 halves.
func parameterHash(_ net: Cell) -> Tensor {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for p in net.trainableParams() {
        for v in p.value.asArray(Float.self) {
            hash = (hash ^ UInt64(v.bitPattern)) &* 0x100_0000_01b3
        }
    }
    return Tensor([Int32(truncatingIfNeeded: hash), Int32(truncatingIfNeeded: hash >> 32)], shape: [1, 2])
}

func accuracy(_ net: Cell, images: [[Float]], labels: [Int32], indices: [Int]) -> Double {
    let x = Tensor(indices.flatMap { images[$0] }, shape: [indices.count, 64])
    let logits = net(x).asArray(Float.self)
    let correct = indices.enumerated().filter { k, i in
        let row = logits[(k * 10)..<(k * 10 + 10)]
        return row.firstIndex(of: row.max()!)! - k * 10 == Int(labels[i])
    }.count
    return Double(correct) / Double(max(indices.count, 1))
}

// MARK: - Training

do {
    try Communication.initialize()
    let (rank, size) = (Communication.rank, Communication.groupSize)
    guard globalBatch % size == 0 else { throw DemoFailure(description: "--global-batch \(globalBatch) does not split over \(size) processes") }
    let data = try loadDigits(dataPath)
    let (trainIndices, testIndices) = split(data.labels)
    setSeed(7)
    let net = MLP()
    let loss = SoftmaxCrossEntropyWithLogits(sparse: true, reduction: .mean)
    let trainer = try DataParallelTrainer(WithLossCell(net, loss),
                                          optimizer: Momentum(params: net.trainableParams(), learningRate: 0.05, momentum: 0.9))
    log("data-parallel training: \(size) process(es), global batch \(globalBatch) (\(globalBatch / size) per process), \(epochs) epochs, \(trainIndices.count) training digits")
    var rng = RandomGenerator(seed: 7)
    var order = trainIndices
    var steps = 0, identicalSteps = 0
    let start = ContinuousClock.now
    for epoch in 1...epochs {
        order.shuffle(using: &rng)          // the same order on every process
        var epochLoss = 0.0, batches = 0
        for first in stride(from: 0, to: order.count - globalBatch + 1, by: globalBatch) {
            let batch = order[first..<(first + globalBatch)]
            let mine = Array(batch.dropFirst(rank * globalBatch / size).prefix(globalBatch / size))
            let x = Tensor(mine.flatMap { data.images[$0] }, shape: [mine.count, 64])
            let y = Tensor(mine.map { data.labels[$0] })
            epochLoss += try trainer.step(x, y).item()
            batches += 1
            steps += 1
            let hashes = try allGather(parameterHash(net)).asArray(Int32.self)
            guard hashes.count == 2 * size, (0..<size).allSatisfy({ hashes[2 * $0] == hashes[0] && hashes[2 * $0 + 1] == hashes[1] }) else {
                throw DemoFailure(description: "step \(steps): the replicas' parameters differ")
            }
            identicalSteps += 1
        }
        if epoch % 5 == 0 || epoch == 1 || epoch == epochs {
            let test = accuracy(net, images: data.images, labels: data.labels, indices: testIndices)
            log(String(format: "epoch %3d/%d  loss %.4f  test %5.1f %%", epoch, epochs, epochLoss / Double(max(batches, 1)), test * 100))
        }
    }
    let elapsed = (ContinuousClock.now - start).components
    let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18
    log("replicas bit-identical after every one of \(identicalSteps) steps (checked by an all-gather of a parameter hash)")
    log(String(format: "training time: %.2f s on %d process(es)", seconds, size))
    log(String(format: "test accuracy: %.1f %%", accuracy(net, images: data.images, labels: data.labels, indices: testIndices) * 100))
    try Communication.finalize()
} catch {
    FileHandle.standardError.write(Data("rank \(Communication.rank): error: \(error)\n".utf8))
    Communication.abort(code: 1)
}
