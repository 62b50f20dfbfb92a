// W10: data-parallel scaling of the W1 MLP step (784 → 512 → 512 → 10, ReLU, sparse softmax cross-entropy)
// at a global batch of 1024, on 1 process and on p processes, each with one OpenBLAS thread.
//
//     OPENBLAS_NUM_THREADS=1 mpirun -np 2 Benchmarks/.build/release/tapegrad-bench-distributed [--reps 20]
//
// In the same run: first rank 0 alone takes the whole global batch (the other ranks wait at a barrier),
// then every rank takes 1024/p samples and the gradients are all-reduced. Medians over the repetitions.
import Foundation
import TapeGrad
import TapeGradDistributed

final class MLP: Cell {
    let fc1 = Dense(inChannels: 784, outChannels: 512, activation: .relu)
    let fc2 = Dense(inChannels: 512, outChannels: 512, activation: .relu)
    let fc3 = Dense(inChannels: 512, outChannels: 10)
    override func construct(_ x: Tensor) -> Tensor { fc3(fc2(fc1(x))) }
}

func milliseconds(_ d: Duration) -> Double { Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) * 1e-15 }
func median(_ xs: [Double]) -> Double { let s = xs.sorted(); return s.isEmpty ? .nan : s[s.count / 2] }
func cell(_ text: String, _ width: Int) -> String { text.count >= width ? text : text + String(repeating: " ", count: width - text.count) }
func log(_ text: String) { if Communication.isRoot { FileHandle.standardOutput.write(Data((text + "\n").utf8)) } }

var reps = 20
if let i = CommandLine.arguments.firstIndex(of: "--reps"), i + 1 < CommandLine.arguments.count, let r = Int(CommandLine.arguments[i + 1]), r > 0 { reps = r }
let globalBatch = 1024

do {
    Communication.timeout = .seconds(600)
    try Communication.initialize(timeout: .seconds(600))
    let (rank, size) = (Communication.rank, Communication.groupSize)
    setSeed(1)
    let net = MLP()
    let params = net.trainableParams()
    let withLoss = WithLossCell(net, SoftmaxCrossEntropyWithLogits(sparse: true, reduction: .mean))
    let gradFn = try valueAndGrad(withLoss, gradPosition: nil, weights: params)
    let optimizer = SGD(params: params, learningRate: 0.001)
    let x = Tensor.randomNormal([globalBatch, 784], seed: 11)
    let y = Tensor((0..<globalBatch).map { Int32($0 % 10) })

    // 1 process, the whole global batch.
    var single: [Double] = []
    if rank == 0 {
        for k in 0..<(reps + 2) {
            let t0 = ContinuousClock.now
            let grads = try gradFn(x, y).1.tensors
            try optimizer.step(gradients: grads)
            if k >= 2 { single.append(milliseconds(ContinuousClock.now - t0)) }
        }
    }
    try barrier()

    // p processes, 1024/p samples each, gradients all-reduced.
    let reducer = DistributedGradReducer(parameters: params, mean: true)
    let (localX, localY) = (try shard(x), try shard(y))
    var parallel: [Double] = [], reduce: [Double] = []
    for k in 0..<(reps + 2) {
        try barrier()
        let t0 = ContinuousClock.now
        var grads = try gradFn(localX, localY).1.tensors
        let t1 = ContinuousClock.now
        try reducer.reduce(&grads)
        let t2 = ContinuousClock.now
        try optimizer.step(gradients: grads)
        if k >= 2 {
            parallel.append(milliseconds(ContinuousClock.now - t0))
            reduce.append(milliseconds(t2 - t1))
        }
    }
    // The slowest rank sets the pace: take every rank's median and keep the largest.
    let stepMedian = try allReduce(Tensor([median(parallel)]), op: .max).item()
    let reduceMedian = try allReduce(Tensor([median(reduce)]), op: .max).item()
    let bytes = params.map { $0.shape.reduce(1, *) * $0.dtype.byteSize }.reduce(0, +)
    log("W10 data-parallel W1 (784→512→512→10), global batch \(globalBatch), 1 OpenBLAS thread per process, \(reps) reps, medians")
    log("gradient bytes all-reduced per step: \(bytes) (\(params.count) tensors, \(reducer.buckets.count) bucket(s))")
    let singleMedian = median(single)
    log(cell("configuration", 24) + cell("step ms", 10) + cell("all-reduce ms", 15) + cell("share", 8) + "speed-up")
    log(cell("1 process × \(globalBatch)", 24) + cell(String(format: "%.2f", singleMedian), 10) + cell("—", 15) + cell("—", 8) + "1.00")
    log(cell("\(size) processes × \(globalBatch / size)", 24) + cell(String(format: "%.2f", stepMedian), 10)
        + cell(String(format: "%.2f", reduceMedian), 15) + cell(String(format: "%.1f %%", 100 * reduceMedian / stepMedian), 8)
        + String(format: "%.2f", singleMedian / stepMedian))
    try Communication.finalize()
} catch {
    FileHandle.standardError.write(Data("rank \(Communication.rank): error: \(error)\n".utf8))
    Communication.abort(code: 1)
}
