// `jit` beside eager execution, interleaved rep by rep in one run (so load from other processes hits both):
// W2 (the 1000 × tanh(x·1.01 + 0.1) chain, forward + backward), W1 at batch 32 × width 128 beside its
// sgemm floor, and W5's MLP training step. The ratio column is jit ÷ eager (W2, W5) or jit ÷ floor (W1).
import Foundation
import TapeGrad

/// Median seconds of `a` and `b`, alternated rep by rep.
func interleaved(reps: Int, _ a: () -> Void, _ b: () -> Void) -> (Stats, Stats) {
    for _ in 0..<2 { a(); b() }
    var ta: [Double] = [], tb: [Double] = []
    for _ in 0..<reps {
        var s = now(); a(); ta.append(now() - s)
        s = now(); b(); tb.append(now() - s)
    }
    return (Stats(ta), Stats(tb))
}

func w2Jit() {
    let x0 = Tensor.randomNormal([16], seed: 1)
    let chain: @Sendable (Tensor) -> Tensor = { x in
        var x = x
        for _ in 0..<1000 { x = tanh(x * 1.01 + 0.1) }
        return x.sum()
    }
    guard let eager = try? valueAndGrad(chain) else { return }
    let compiled = jit(eager)
    let (e, j) = interleaved(reps: reps * 2, { _ = try? eager(x0) }, { _ = try? compiled(x0) })
    if let reason = compiled.diagnostics.eagerFallbackReason { print("W2 jit: runs eagerly: \(reason)") }
    let perOp = 1e6 / 3000
    let (em, elo, ehi) = e.scaled(perOp), (jm, jlo, jhi) = j.scaled(perOp)
    report(Record(workload: "W2", variant: "eager valueAndGrad (beside jit)", threads: threadLabel, metric: "us_per_op",
                  value: em, min: elo, max: ehi, floor: nil, ratio: nil))
    report(Record(workload: "W2", variant: "jit(valueAndGrad) forward + backward", threads: threadLabel, metric: "us_per_op",
                  value: jm, min: jlo, max: jhi, floor: em, ratio: jm / em))
}

final class SmallMLP: Cell, @unchecked Sendable {
    let fc1 = Dense(inChannels: 784, outChannels: 128, activation: .relu, seed: 11)
    let fc2 = Dense(inChannels: 128, outChannels: 128, activation: .relu, seed: 12)
    let fc3 = Dense(inChannels: 128, outChannels: 10, seed: 13)
    override func construct(_ x: Tensor) -> Tensor { fc3(fc2(fc1(x))) }
}

func w1Jit() {
    let batch = 32, width = 128
    let net = SmallMLP(), loss = SoftmaxCrossEntropyWithLogits(sparse: true, reduction: .mean)
    let x = Tensor.randomNormal([batch, 784], seed: 21), labels = Tensor((0..<batch).map { Int32($0 % 10) })
    guard let eager = try? valueAndGrad({ (x: Tensor, y: Tensor) in loss(net(x), y) }, gradPosition: nil, weights: net.trainableParams()) else { return }
    let compiled = jit(eager)
    let pa = randomBuffer(batch * 784, seed: 1), w1 = randomBuffer(width * 784, seed: 2), w2 = randomBuffer(width * width, seed: 3)
    let w3 = randomBuffer(10 * width, seed: 4), g = randomBuffer(batch * 10, seed: 5)
    var h1 = [Float](repeating: 0, count: batch * width), h2 = h1, logits = [Float](repeating: 0, count: batch * 10)
    var d1 = h1, d2 = h1, dw1 = [Float](repeating: 0, count: width * 784), dw2 = [Float](repeating: 0, count: width * width)
    var dw3 = [Float](repeating: 0, count: 10 * width)
    let floorBody = {
        sgemm(false, true, batch, width, 784, pa, w1, &h1)
        sgemm(false, true, batch, width, width, h1, w2, &h2)
        sgemm(false, true, batch, 10, width, h2, w3, &logits)
        sgemm(true, false, 10, width, batch, g, h2, &dw3)
        sgemm(false, false, batch, width, 10, g, w3, &d2)
        sgemm(true, false, width, width, batch, d2, h1, &dw2)
        sgemm(false, false, batch, width, width, d2, w2, &d1)
        sgemm(true, false, width, 784, batch, d1, pa, &dw1)
    }
    var te: [Double] = [], tj: [Double] = [], tf: [Double] = []
    for _ in 0..<3 { _ = try? eager(x, labels); _ = try? compiled(x, labels); floorBody() }
    for _ in 0..<(reps * 5) {
        var s = now(); _ = try? eager(x, labels); te.append(now() - s)
        s = now(); _ = try? compiled(x, labels); tj.append(now() - s)
        s = now(); floorBody(); tf.append(now() - s)
    }
    if let reason = compiled.diagnostics.eagerFallbackReason { print("W1 jit: runs eagerly: \(reason)") }
    let floor = Stats(tf).median * 1e3
    let (em, elo, ehi) = Stats(te).scaled(1e3), (jm, jlo, jhi) = Stats(tj).scaled(1e3), (fm, flo, fhi) = Stats(tf).scaled(1e3)
    report(Record(workload: "W1", variant: "b=32 w=128 valueAndGrad(weights:), eager", threads: threadLabel, metric: "ms",
                  value: em, min: elo, max: ehi, floor: floor, ratio: em / floor))
    report(Record(workload: "W1", variant: "b=32 w=128 jit(valueAndGrad(weights:))", threads: threadLabel, metric: "ms",
                  value: jm, min: jlo, max: jhi, floor: floor, ratio: jm / floor))
    report(Record(workload: "W1", variant: "b=32 w=128 8 × cblas_sgemm (floor)", threads: threadLabel, metric: "ms",
                  value: fm, min: flo, max: fhi, floor: nil, ratio: nil))
}

func w5Jit() {
    let x = Tensor.randomUniform([32, 64], seed: 51), labels = Tensor((0..<32).map { Int32($0 % 10) })
    func make(jit: Bool) -> TrainOneStepCell? {
        let mlp = SequentialCell([Dense(inChannels: 64, outChannels: 128, activation: .relu, seed: 1), Dense(inChannels: 128, outChannels: 64, activation: .relu, seed: 2),
                                  Dense(inChannels: 64, outChannels: 10, seed: 3)])
        let loss = SoftmaxCrossEntropyWithLogits(sparse: true, reduction: .mean)
        return try? TrainOneStepCell(WithLossCell(mlp, loss), optimizer: Momentum(params: mlp.trainableParams(), learningRate: 0.05, momentum: 0.9), jit: jit)
    }
    guard let eager = make(jit: false), let compiled = make(jit: true) else { return }
    // The floor: the step's eight products as bare cblas_sgemm calls on preallocated buffers (forward
    // x·W1ᵀ, h1·W2ᵀ, h2·W3ᵀ; backward ∂W3, ∂h2, ∂W2, ∂h1, ∂W1 — ∂x is not needed).
    let (b, i, h1n, h2n, o) = (32, 64, 128, 64, 10)
    let xa = randomBuffer(b * i, seed: 1), w1 = randomBuffer(h1n * i, seed: 2), w2 = randomBuffer(h2n * h1n, seed: 3)
    let w3 = randomBuffer(o * h2n, seed: 4), g = randomBuffer(b * o, seed: 5)
    var h1 = [Float](repeating: 0, count: b * h1n), h2 = [Float](repeating: 0, count: b * h2n), logits = [Float](repeating: 0, count: b * o)
    var d1 = h1, d2 = h2, dw1 = [Float](repeating: 0, count: h1n * i), dw2 = [Float](repeating: 0, count: h2n * h1n)
    var dw3 = [Float](repeating: 0, count: o * h2n)
    let floorBody = {
        sgemm(false, true, b, h1n, i, xa, w1, &h1)
        sgemm(false, true, b, h2n, h1n, h1, w2, &h2)
        sgemm(false, true, b, o, h2n, h2, w3, &logits)
        sgemm(true, false, o, h2n, b, g, h2, &dw3)
        sgemm(false, false, b, h2n, o, g, w3, &d2)
        sgemm(true, false, h2n, h1n, b, d2, h1, &dw2)
        sgemm(false, false, b, h1n, h2n, d2, w2, &d1)
        sgemm(true, false, h1n, i, b, d1, xa, &dw1)
    }
    var te: [Double] = [], tj: [Double] = [], tf: [Double] = []
    for _ in 0..<3 { _ = try? eager.step(x, labels); _ = try? compiled.step(x, labels); floorBody() }
    for _ in 0..<(reps * 5) {
        var s = now(); _ = try? eager.step(x, labels); te.append(now() - s)
        s = now(); _ = try? compiled.step(x, labels); tj.append(now() - s)
        s = now(); floorBody(); tf.append(now() - s)
    }
    let (e, j, f) = (Stats(te), Stats(tj), Stats(tf))
    if let reason = compiled.jitDiagnostics?.eagerFallbackReason { print("W5 jit: runs eagerly: \(reason)") }
    report(Record(workload: "W5", variant: "MLP 64→128→64→10 b=32, eager (beside jit)", threads: threadLabel, metric: "steps_per_s",
                  value: 1 / e.median, min: 1 / e.max, max: 1 / e.min, floor: 1 / f.median, ratio: e.median / f.median))
    report(Record(workload: "W5", variant: "MLP 64→128→64→10 b=32, TrainOneStepCell(jit: true)", threads: threadLabel, metric: "steps_per_s",
                  value: 1 / j.median, min: 1 / j.max, max: 1 / j.min, floor: 1 / e.median, ratio: e.median / j.median))
    report(Record(workload: "W5", variant: "MLP b=32, 8 × cblas_sgemm of a step (floor)", threads: threadLabel, metric: "steps_per_s",
                  value: 1 / f.median, min: 1 / f.max, max: 1 / f.min, floor: 1 / j.median, ratio: j.median / f.median))
}

/// For a profiler: `TAPEGRAD_BENCH_JIT_PROFILE=W2|W5` loops on the jitted workload only.
func jitProfileLoop(_ workload: String) {
    if workload == "W5" {
        let x = Tensor.randomUniform([32, 64], seed: 51), labels = Tensor((0..<32).map { Int32($0 % 10) })
        let mlp = SequentialCell([Dense(inChannels: 64, outChannels: 128, activation: .relu, seed: 1), Dense(inChannels: 128, outChannels: 64, activation: .relu, seed: 2),
                                  Dense(inChannels: 64, outChannels: 10, seed: 3)])
        guard let step = try? TrainOneStepCell(WithLossCell(mlp, SoftmaxCrossEntropyWithLogits(sparse: true, reduction: .mean)),
                                               optimizer: Momentum(params: mlp.trainableParams(), learningRate: 0.05, momentum: 0.9), jit: true) else { return }
        let s = now()
        for _ in 0..<20_000 { _ = try? step.step(x, labels) }
        print("W5 jit step: \((now() - s) / 20_000 * 1e6) µs")
    } else {
        let x0 = Tensor.randomNormal([16], seed: 1)
        guard let f = try? valueAndGrad({ (x: Tensor) in
            var x = x
            for _ in 0..<1000 { x = tanh(x * 1.01 + 0.1) }
            return x.sum()
        }) else { return }
        let compiled = jit(f)
        let s = now()
        for _ in 0..<5_000 { _ = try? compiled(x0) }
        print("W2 jit: \((now() - s) / 5_000 / 3000 * 1e6) µs/op")
    }
}

/// The jit rows of W1, W2 and W5 (`--only` with W1, W2 or W5 runs them after the eager rows).
func jitWorkloads(_ only: Set<String>) {
    if let profile = ProcessInfo.processInfo.environment["TAPEGRAD_BENCH_JIT_PROFILE"] { jitProfileLoop(profile); return }
    if only.contains("W1") { w1Jit() }
    if only.contains("W2") { w2Jit() }
    if only.contains("W5") { w5Jit() }
}
