// W9: the functional transforms on the W1 MLP (784→512→512→10, relu, batch 256), each beside the
// first-order figure it is measured against: a Hessian-vector product against one gradient, a jvp
// against a vjp (forward and one pullback).
import TapeGrad

func w9() {
    let setup = W1Setup(batch: 256)
    let (x, mask) = (setup.x, setup.oneHotLabels)
    let p = setup.parameterValues
    let v = p.enumerated().map { Tensor.randomNormal($0.element.shape, seed: 90 + UInt64($0.offset)) * 0.01 }
    let loss: ([Tensor]) -> Tensor = { t in
        let h1 = relu(matmul(x, t[0], transposeB: true) + t[1])
        let h2 = relu(matmul(h1, t[2], transposeB: true) + t[3])
        let logits = matmul(h2, t[4], transposeB: true) + t[5]
        return -(logits.logSoftmax(alongAxis: -1) * mask).sum(alongAxes: [1]).mean()
    }
    let steps: [(name: String, body: () -> Void)] = [
        ("gradient: valueWithGradient(at:)", { _ = try? valueWithGradient(at: p, of: loss) }),
        ("hvp(_:_:_:), reverse-over-reverse", { _ = try? hvp(loss, p, v) }),
        ("vjp: forward + one pullback", { _ = try? vjp(loss, p).pullback(Tensor(Float(1))) }),
        ("jvp(_:_:_:), transposed pullback", { _ = try? jvp(loss, p, v) }),
    ]
    var times = [[Double]](repeating: [], count: steps.count)
    for _ in 0..<2 { for s in steps { s.body() } }
    for _ in 0..<reps {
        for (i, s) in steps.enumerated() { let t0 = now(); s.body(); times[i].append(now() - t0) }
    }
    let medians = times.map { Stats($0).median * 1e3 }
    for (i, s) in steps.enumerated() {
        let (m, lo, hi) = Stats(times[i]).scaled(1e3)
        // The ratios: hvp ÷ gradient and jvp ÷ vjp (the first-order figure is the floor).
        let floor: Double? = i == 1 ? medians[0] : (i == 3 ? medians[2] : nil)
        report(Record(workload: "W9", variant: "MLP \(s.name)", threads: threadLabel, metric: "ms",
                      value: m, min: lo, max: hi, floor: floor, ratio: floor.map { m / $0 }))
    }
}
