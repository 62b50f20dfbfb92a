// W11: the products of a W1 step at several batch sizes and widths, timed five ways in one interleaved loop —
// cblas_sgemm with OpenBLAS's own threads (the floor), cblas_sgemm on one thread, and TapeGrad's matmul in each
// ProductThreading mode — then the whole W1 step (Dense cells, valueAndGrad) in each mode beside its floor.
// The per-product figures are the table behind ProductThreading.automatic (Sources/TapeGrad/Kernels/ProductPlan.swift).
//
//     swift run -c release --package-path Benchmarks tapegrad-bench --only W11 [--quick]
import CBLASFloor
import Foundation
import TapeGrad

/// 784 → width → width → 10 with ReLU, as W1's MLP but with the width as a parameter.
final class WideMLP: Cell {
    let fc1: Dense, fc2: Dense, fc3: Dense
    init(width: Int) {
        fc1 = Dense(inChannels: 784, outChannels: width, activation: .relu, seed: 11)
        fc2 = Dense(inChannels: width, outChannels: width, activation: .relu, seed: 12)
        fc3 = Dense(inChannels: width, outChannels: 10, seed: 13)
        super.init()
    }
    override func construct(_ x: Tensor) -> Tensor { fc3(fc2(fc1(x))) }
}

/// The 8 products of a W1 step (forward, then backward) as (transA, transB, m, n, k, label).
func w1Products(batch b: Int, width w: Int) -> [(Bool, Bool, Int, Int, Int, String)] {
    [(false, true, b, w, 784, "H1 = X·W1ᵀ"), (false, true, b, w, w, "H2 = H1·W2ᵀ"), (false, true, b, 10, w, "L = H2·W3ᵀ"),
     (true, false, 10, w, b, "∂W3 = Gᵀ·H2"), (false, false, b, w, 10, "∂H2 = G·W3"), (true, false, w, w, b, "∂W2 = G2ᵀ·H1"),
     (false, false, b, w, w, "∂H1 = G2·W2"), (true, false, w, 784, b, "∂W1 = G1ᵀ·X")]
}

/// Runs `bodies` in `rounds` rounds; in each, every body in turn, after a 0.15 s pause (longer than OpenBLAS's
/// worker spin, 2²⁸ cycles), runs once untimed and then 3 times timed. Returns each one's seconds per run.
func batched(rounds: Int, _ bodies: [() -> Void]) -> [Stats] {
    var times = [[Double]](repeating: [], count: bodies.count)
    for _ in 0..<rounds {
        for (i, body) in bodies.enumerated() {
            usleep(150_000)
            body()
            for _ in 0..<3 { let s = now(); body(); times[i].append(now() - s) }
        }
    }
    return times.map(Stats.init)
}

/// Runs `bodies` interleaved `reps` times (after 2 warm-up rounds) and returns each one's seconds.
func interleaved(reps: Int, _ bodies: [() -> Void]) -> [Stats] {
    for _ in 0..<2 { for body in bodies { body() } }
    var times = [[Double]](repeating: [], count: bodies.count)
    for _ in 0..<reps {
        for (i, body) in bodies.enumerated() { let s = now(); body(); times[i].append(now() - s) }
    }
    return times.map(Stats.init)
}

func w11() {
    let saved = ProductThreading.current
    defer { ProductThreading.current = saved }
    let openblasThreads = openblas_get_num_threads()
    let configs = options.quick ? [(32, 128), (32, 512), (256, 512)] : [(32, 128), (32, 512), (32, 2048), (256, 512)]
    for (batch, width) in configs {
        let r = width >= 2048 ? Swift.max(5, reps / 2) : reps * 2
        // Per product: µs for the floor (OpenBLAS threads), one thread, matmul in each mode.
        var sums = [Double](repeating: 0, count: 5)
        for (ta, tb, m, n, k, label) in w1Products(batch: batch, width: width) {
            let a = Tensor.randomUniform(ta ? [k, m] : [m, k], lower: -1, upper: 1, seed: 1)
            let b = Tensor.randomUniform(tb ? [n, k] : [k, n], lower: -1, upper: 1, seed: 2)
            let pa = a.asArray(Float.self), pb = b.asArray(Float.self)
            var pc = [Float](repeating: 0, count: m * n)
            let stats = interleaved(reps: r, [
                { sgemm(ta, tb, m, n, k, pa, pb, &pc) },
                { openblas_set_num_threads(1); sgemm(ta, tb, m, n, k, pa, pb, &pc); openblas_set_num_threads(openblasThreads) },
                { ProductThreading.current = .openBLAS; _ = matmul(a, b, transposeA: ta, transposeB: tb) },
                { ProductThreading.current = .partitioned; _ = matmul(a, b, transposeA: ta, transposeB: tb) },
                { ProductThreading.current = .automatic; _ = matmul(a, b, transposeA: ta, transposeB: tb) },
            ])
            let floor = stats[0].median * 1e6
            let names = ["cblas_sgemm, OpenBLAS threads (floor)", "cblas_sgemm, 1 thread", "matmul, ProductThreading.openBLAS",
                         "matmul, ProductThreading.partitioned", "matmul, ProductThreading.automatic"]
            let flags = (ta ? "T" : "N") + (tb ? "T" : "N")
            for (i, s) in stats.enumerated() {
                sums[i] += s.median * 1e6
                let (md, lo, hi) = s.scaled(1e6)
                report(Record(workload: "W11", variant: "b\(batch) w\(width) \(label) \(flags) \(m)×\(n)×\(k): \(names[i])", threads: threadLabel,
                              metric: "us", value: md, min: lo, max: hi, floor: i == 0 ? nil : floor, ratio: i == 0 ? nil : md / floor))
            }
        }
        for (i, name) in ["sum of floors", "sum, 1 thread", "sum, matmul .openBLAS", "sum, matmul .partitioned", "sum, matmul .automatic"].enumerated() {
            report(Record(workload: "W11", variant: "b\(batch) w\(width) 8 products: \(name)", threads: threadLabel, metric: "us",
                          value: sums[i], min: nil, max: nil, floor: i == 0 ? nil : sums[0], ratio: i == 0 ? nil : sums[i] / sums[0]))
        }

        // The whole W1 step (Dense cells, valueAndGrad over the weights) in each mode, beside the 8-sgemm floor.
        let net = WideMLP(width: width), loss = SoftmaxCrossEntropyWithLogits(sparse: true, reduction: .mean)
        let x = Tensor.randomNormal([batch, 784], seed: 21), labels = Tensor((0..<batch).map { Int32($0 % 10) })
        guard let step = try? valueAndGrad({ (x: Tensor, y: Tensor) in loss(net(x), y) }, gradPosition: nil, weights: net.trainableParams()) else { continue }
        let buffers = w1Products(batch: batch, width: width).map { p in
            (p, randomBuffer(p.2 * p.4, seed: 1), randomBuffer(p.4 * p.3, seed: 2), [Float](repeating: 0, count: p.2 * p.3))
        }
        var outputs = buffers.map(\.3)
        let floorBody = {
            for (i, (p, a, b, _)) in buffers.enumerated() { sgemm(p.0, p.1, p.2, p.3, p.4, a, b, &outputs[i]) }
        }
        // In batches: each variant's steps run back to back after a pause that lets OpenBLAS's workers go to
        // sleep, so that none runs while another variant's threaded calls leave those workers spinning.
        let stats = batched(rounds: Swift.max(3, r / 3), [
            floorBody,
            { ProductThreading.current = .openBLAS; _ = try? step(x, labels) },
            { ProductThreading.current = .partitioned; _ = try? step(x, labels) },
            { ProductThreading.current = .automatic; _ = try? step(x, labels) },
        ])
        let floor = stats[0].median * 1e3
        for (i, name) in ["8 × cblas_sgemm, OpenBLAS threads (floor)", "step, ProductThreading.openBLAS", "step, ProductThreading.partitioned",
                                 "step, ProductThreading.automatic"].enumerated() {
            let (md, lo, hi) = stats[i].scaled(1e3)
            report(Record(workload: "W11", variant: "W1 b\(batch) w\(width) \(name)", threads: threadLabel, metric: "ms", value: md, min: lo, max: hi,
                          floor: i == 0 ? nil : floor, ratio: i == 0 ? nil : md / floor))
        }
    }
}
