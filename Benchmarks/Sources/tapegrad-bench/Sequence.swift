// W7 and W8: a sequence model's forward + backward beside the gemms it cannot avoid, measured in the same
// run and interleaved rep by rep.
import CBLASFloor
import Foundation
import TapeGrad

/// sgemm with explicit leading dimensions and β (the floors below use the layouts the layers use).
func sgemmLD(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ a: UnsafePointer<Float>, _ lda: Int,
             _ b: UnsafePointer<Float>, _ ldb: Int, _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                blasint(m), blasint(n), blasint(k), 1, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
}

/// An allocated buffer of uniform values in [−1, 1).
func buffer(_ n: Int, seed: UInt64) -> UnsafeMutablePointer<Float> {
    let p = UnsafeMutablePointer<Float>.allocate(capacity: n)
    let values = randomBuffer(n, seed: seed)
    p.update(from: values, count: n)
    return p
}

/// Times `step` and `floor` alternately and reports the step in ms beside its floor.
func reportAgainstFloor(_ workload: String, _ name: String, _ floorName: String, step: () -> Void, floor: () -> Void) {
    for _ in 0..<2 { step(); floor() }
    var stepTimes: [Double] = [], floorTimes: [Double] = []
    for _ in 0..<reps {
        var s = now(); step(); stepTimes.append(now() - s)
        s = now(); floor(); floorTimes.append(now() - s)
    }
    let floorMs = Stats(floorTimes).median * 1e3
    let (m, lo, hi) = Stats(stepTimes).scaled(1e3)
    report(Record(workload: workload, variant: name, threads: threadLabel, metric: "ms", value: m, min: lo, max: hi, floor: floorMs, ratio: m / floorMs))
    let (fm, flo, fhi) = Stats(floorTimes).scaled(1e3)
    report(Record(workload: workload, variant: floorName, threads: threadLabel, metric: "ms", value: fm, min: flo, max: fhi, floor: nil, ratio: nil))
}

// MARK: - W7: LSTM (input 128, hidden 256, sequence 64, batch 32), forward + backward

func w7() {
    let (inSize, hidden, steps, batch) = (128, 256, 64, 32)
    setSeed(7)
    let lstm = LSTM(inputSize: inSize, hiddenSize: hidden)
    let params = lstm.trainableParams()
    let x = Tensor.randomUniform([steps, batch, inSize], lower: -1, upper: 1, seed: 71)
    let sens = Tensor.randomUniform([steps, batch, hidden], lower: -1, upper: 1, seed: 72)
    guard let gradFn = try? valueAndGrad({ (x: Tensor) in (lstm(x) * sens).sum() }, gradPosition: 0, weights: params) else { return }
    let step = { _ = try? gradFn(x) }

    // The floor: the input projection of all steps, one gemm per step forward and one per step backward,
    // then ∂W_hh, ∂W_ih and ∂X over all steps at once.
    let (rows, g4) = (steps * batch, 4 * hidden)
    let xs = buffer(rows * inSize, seed: 73), wih = buffer(g4 * inSize, seed: 74), whh = buffer(g4 * hidden, seed: 75)
    let gates = buffer(rows * g4, seed: 76), hs = buffer((steps + 1) * batch * hidden, seed: 77), dgates = buffer(rows * g4, seed: 78)
    let dh = buffer(batch * hidden, seed: 79), dwhh = buffer(g4 * hidden, seed: 80), dwih = buffer(g4 * inSize, seed: 81)
    let dx = buffer(rows * inSize, seed: 82)
    defer { for q in [xs, wih, whh, gates, hs, dgates, dh, dwhh, dwih, dx] { q.deallocate() } }
    let floor = {
        sgemmLD(false, true, rows, g4, inSize, xs, inSize, wih, inSize, 0, gates, g4)
        for t in 0..<steps {
            sgemmLD(false, true, batch, g4, hidden, hs + t * batch * hidden, hidden, whh, hidden, 1, gates + t * batch * g4, g4)
        }
        for t in stride(from: steps - 1, through: 0, by: -1) {
            sgemmLD(false, false, batch, hidden, g4, dgates + t * batch * g4, g4, whh, hidden, 0, dh, hidden)
        }
        sgemmLD(true, false, g4, hidden, rows, dgates, g4, hs, hidden, 0, dwhh, hidden)
        sgemmLD(true, false, g4, inSize, rows, dgates, g4, xs, inSize, 0, dwih, inSize)
        sgemmLD(false, false, rows, inSize, g4, dgates, g4, wih, inSize, 0, dx, inSize)
    }
    reportAgainstFloor("W7", "LSTM 128→256, T 64, N 32: forward + backward", "2T + 4 × cblas_sgemm of the LSTM (floor)", step: step, floor: floor)
}

// MARK: - W8: Transformer encoder layer (d 256, 4 heads, sequence 128, batch 16), forward + backward

func w8() {
    let (d, heads, length, batch, ff) = (256, 4, 128, 16, 2048)
    setSeed(8)
    let layer = TransformerEncoderLayer(dModel: d, nhead: heads, dimFeedforward: ff, dropout: 0)
    let params = layer.trainableParams()
    let x = Tensor.randomUniform([length, batch, d], lower: -1, upper: 1, seed: 81)
    let sens = Tensor.randomUniform([length, batch, d], lower: -1, upper: 1, seed: 82)
    guard let gradFn = try? valueAndGrad({ (x: Tensor) in (layer(x) * sens).sum() }, gradPosition: 0, weights: params) else { return }
    let step = { _ = try? gradFn(x) }

    // The floor: every gemm of the layer's forward and backward with the layer's shapes (M = L·N rows).
    let m = length * batch, hd = d / heads, bh = batch * heads
    let a = buffer(m * ff, seed: 83), b = buffer(ff * d * 3, seed: 84)
    let c = buffer(m * ff, seed: 85), p = buffer(bh * length * length, seed: 86)
    defer { for q in [a, b, c, p] { q.deallocate() } }
    let floor = {
        // Linear layers: forward, ∂X, ∂W for qkv (256→768), out (256→256), ff1 (256→2048), ff2 (2048→256).
        for (k, n) in [(d, 3 * d), (d, d), (d, ff), (ff, d)] {
            sgemmLD(false, true, m, n, k, a, k, b, k, 0, c, n)         // Y = X·Wᵀ
            sgemmLD(false, false, m, k, n, a, n, b, k, 0, c, k)        // ∂X = G·W
            sgemmLD(true, false, n, k, m, a, n, b, k, 0, c, k)         // ∂W = Gᵀ·X
        }
        for i in 0..<bh {
            let q = UnsafePointer(a + i * length * hd), s = p + i * length * length
            sgemmLD(false, true, length, length, hd, q, hd, b, hd, 0, s, length)            // S = Q·Kᵀ
            sgemmLD(false, false, length, hd, length, s, length, b, hd, 0, c, hd)          // O = P·V
            sgemmLD(false, true, length, length, hd, q, hd, b, hd, 0, s, length)            // ∂P = ∂O·Vᵀ
            sgemmLD(true, false, length, hd, length, s, length, q, hd, 0, c, hd)           // ∂V = Pᵀ·∂O
            sgemmLD(false, false, length, hd, length, s, length, b, hd, 0, c, hd)          // ∂Q = ∂S·K
            sgemmLD(true, false, length, hd, length, s, length, q, hd, 0, c, hd)           // ∂K = ∂Sᵀ·Q
        }
    }
    reportAgainstFloor("W8", "Transformer encoder layer d 256, 4 heads, L 128, N 16, ff 2048, dropout 0: fwd + bwd",
                       "12 + 6·N·H × cblas_sgemm of the layer (floor)", step: step, floor: floor)
}
