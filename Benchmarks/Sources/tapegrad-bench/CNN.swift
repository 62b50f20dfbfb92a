// W6: a CNN training step (28×28×1, batch 64: conv 3×3 ×32 → relu → maxpool 2 → conv 3×3 ×64 → relu →
// maxpool 2 → dense 7·7·64 → 10, softmax cross-entropy), beside the gemms an im2col convolution cannot
// avoid, measured in the same run and interleaved rep by rep.
//
// Convolutions pad 'same' (MindSpore's default pad_mode) and have a bias (PyTorch's default; the peers in
// Benchmarks/compare/models_compare.py build the same network). The input needs no gradient, so neither
// TapeGrad nor the peers compute the first convolution's input gradient, and the floor leaves it out too.
import Foundation
import TapeGrad

/// The W6 network, its data and its two steps.
struct W6Setup {
    static let (batch, classes) = (64, 10)
    let net: SequentialCell
    let x: Tensor
    let labels: Tensor

    init() {
        net = SequentialCell([
            Conv2d(inChannels: 1, outChannels: 32, kernelSize: 3, padMode: .same, hasBias: true, seed: 61), ReLU(),
            MaxPool2d(kernelSize: 2, stride: 2),
            Conv2d(inChannels: 32, outChannels: 64, kernelSize: 3, padMode: .same, hasBias: true, seed: 62), ReLU(),
            MaxPool2d(kernelSize: 2, stride: 2),
            Flatten(), Dense(inChannels: 7 * 7 * 64, outChannels: W6Setup.classes, seed: 63),
        ])
        x = Tensor.randomUniform([W6Setup.batch, 1, 28, 28], lower: 0, upper: 1, seed: 64)
        labels = Tensor((0..<W6Setup.batch).map { Int32($0 % W6Setup.classes) })
    }
}

/// The gemms of the W6 step with `cblas_sgemm`, for a batch of `n`: `perImage` issues them as the
/// im2col-per-image kernels do (one gemm per image and product), otherwise one gemm per product over the
/// whole batch (the im2col matrix of all images side by side). Same FLOPs either way.
final class W6Floor {
    let n = W6Setup.batch
    // conv1: O 32, C·k·k 9, plane 28·28; conv2: O 64, C·k·k 288, plane 14·14; dense 3136 → 10.
    let (o1, k1, p1, o2, k2, p2, f, classes) = (32, 9, 784, 64, 288, 196, 3136, 10)
    let cols1, out1, w1, dw1, cols2, out2, w2, dw2, dcols2, x3, w3, dw3, g3, dx3: UnsafeMutablePointer<Float>

    init() {
        cols1 = buffer(k1 * n * p1, seed: 601); out1 = buffer(o1 * n * p1, seed: 602); w1 = buffer(o1 * k1, seed: 603)
        dw1 = buffer(o1 * k1, seed: 604); cols2 = buffer(k2 * n * p2, seed: 605); out2 = buffer(o2 * n * p2, seed: 606)
        w2 = buffer(o2 * k2, seed: 607); dw2 = buffer(o2 * k2, seed: 608); dcols2 = buffer(k2 * n * p2, seed: 609)
        x3 = buffer(n * f, seed: 610); w3 = buffer(classes * f, seed: 611); dw3 = buffer(classes * f, seed: 612)
        g3 = buffer(n * classes, seed: 613); dx3 = buffer(n * f, seed: 614)
    }
    deinit { for q in [cols1, out1, w1, dw1, cols2, out2, w2, dw2, dcols2, x3, w3, dw3, g3, dx3] { q.deallocate() } }

    /// One convolution's gemms: Y = W·cols forward, ∂W = G·colsᵀ, and (if `inputGradient`) ∂cols = Wᵀ·G.
    private func convolution(_ o: Int, _ k: Int, _ p: Int, cols: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>,
                             w: UnsafeMutablePointer<Float>, dw: UnsafeMutablePointer<Float>, dcols: UnsafeMutablePointer<Float>?,
                             perImage: Bool) {
        if perImage {
            for b in 0..<n { sgemmLD(false, false, o, p, k, w, k, cols + b * k * p, p, 0, out + b * o * p, p) }
            for b in 0..<n { sgemmLD(false, true, o, k, p, out + b * o * p, p, cols + b * k * p, p, b == 0 ? 0 : 1, dw, k) }
            if let dcols { for b in 0..<n { sgemmLD(true, false, k, p, o, w, k, out + b * o * p, p, 0, dcols + b * k * p, p) } }
        } else {
            sgemmLD(false, false, o, n * p, k, w, k, cols, n * p, 0, out, n * p)
            sgemmLD(false, true, o, k, n * p, out, n * p, cols, n * p, 0, dw, k)
            if let dcols { sgemmLD(true, false, k, n * p, o, w, k, out, n * p, 0, dcols, n * p) }
        }
    }

    /// The forward and backward gemms of one step (the first convolution has no input gradient).
    func run(perImage: Bool) {
        convolution(o1, k1, p1, cols: cols1, out: out1, w: w1, dw: dw1, dcols: nil, perImage: perImage)
        convolution(o2, k2, p2, cols: cols2, out: out2, w: w2, dw: dw2, dcols: dcols2, perImage: perImage)
        sgemmLD(false, true, n, classes, f, x3, f, w3, f, 0, g3, classes)        // logits = X·Wᵀ
        sgemmLD(true, false, classes, f, n, g3, classes, x3, f, 0, dw3, f)       // ∂W = Gᵀ·X
        sgemmLD(false, false, n, f, classes, g3, classes, w3, f, 0, dx3, f)      // ∂X = G·W
    }
}

func w6() {
    let setup = W6Setup()
    let (net, x, labels) = (setup.net, setup.x, setup.labels)
    let loss = SoftmaxCrossEntropyWithLogits(sparse: true, reduction: .mean)
    let params = net.trainableParams()
    guard let gradFn = try? valueAndGrad({ (x: Tensor, y: Tensor) in loss(net(x), y) }, gradPosition: nil, weights: params),
          let train = try? TrainOneStepCell(WithLossCell(net, loss), optimizer: Momentum(params: params, learningRate: 0.01, momentum: 0.9))
    else { print("W6: could not build the step"); return }
    let floor = W6Floor()
    let steps: [(name: String, body: () -> Void)] = [
        ("CNN step: forward + backward, valueAndGrad", { _ = try? gradFn(x, labels) }),
        ("CNN step: TrainOneStepCell, Momentum 0.9", { _ = try? train.step(x, labels) }),
        ("CNN forward only (loss, no tape)", { _ = loss(net(x), labels) }),
    ]
    let floors: [(name: String, body: () -> Void)] = [
        ("5 + 3 × cblas_sgemm over the batch (floor)", { floor.run(perImage: false) }),
        ("5·N + 3 × cblas_sgemm per image (floor)", { floor.run(perImage: true) }),
    ]
    // Interleave the steps and the floors rep by rep so drift hits all alike.
    let all = steps + floors
    var times = [[Double]](repeating: [], count: all.count)
    for _ in 0..<2 { for s in all { s.body() } }
    for _ in 0..<reps {
        for (i, s) in all.enumerated() { let t0 = now(); s.body(); times[i].append(now() - t0) }
    }
    // The floor is the faster of the two gemm layouts (both do the same arithmetic).
    let floorMs = times[steps.count...].map { Stats($0).median * 1e3 }.min() ?? .nan
    for (i, s) in all.enumerated() {
        let (m, lo, hi) = Stats(times[i]).scaled(1e3)
        let isStep = i < steps.count
        report(Record(workload: "W6", variant: s.name, threads: threadLabel, metric: "ms", value: m, min: lo, max: hi,
                      floor: isStep ? floorMs : nil, ratio: isStep ? m / floorMs : nil))
    }
}
