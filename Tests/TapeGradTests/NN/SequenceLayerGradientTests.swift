import Foundation
import XCTest
@testable import TapeGrad

/// Recurrent, attention and transformer layers against central finite differences in float64, with respect
/// to every input (including initial states) and every parameter; the fused LSTM against its composed form;
/// second derivatives through the fused ops.
final class SequenceLayerGradientTests: XCTestCase {
    func r(_ shape: [Int], _ seed: UInt64) -> Tensor { Tensor.randomUniform(shape, lower: -1, upper: 1, dtype: .float64, seed: seed) }

    func toFloat64(_ cell: Cell) {
        for (_, p) in cell.parametersAndNames() { p.replaceStoredValue(with: p.storedValue.astype(.float64)) }
    }

    /// Worst relative error of ∂(Σ r ⊙ f())/∂p over every trainable parameter of `cell`.
    func parameterError(_ cell: Cell, _ f: @escaping () -> Tensor) throws -> Double {
        let params = cell.trainableParams()
        let r = Tensor.randomUniform(try withErrorChecking { f() }.shape, lower: 0.5, upper: 1.5, dtype: .float64, seed: 9)
        let analytic = try grad({ (_: Tensor) in (f() * r).sum() }, gradPosition: nil, weights: params)(Tensor(0.0)).elements.map(\.asTensor)
        var worst = 0.0
        for (p, g) in zip(params, analytic) {
            let original = p.storedValue
            var values = original.scalars
            let a = g.scalars
            for k in 0..<values.count {
                let v = values[k], h = 1e-6 * Swift.max(1, Swift.abs(v))
                values[k] = v + h; p.replaceStoredValue(with: Tensor(values, shape: original.shape))
                let plus = try withErrorChecking { (f() * r).sum().item() }
                values[k] = v - h; p.replaceStoredValue(with: Tensor(values, shape: original.shape))
                let minus = try withErrorChecking { (f() * r).sum().item() }
                values[k] = v
                let numeric = (plus - minus) / (2 * h)
                worst = Swift.max(worst, Swift.abs(a[k] - numeric) / Swift.max(1, Swift.abs(a[k]), Swift.abs(numeric)))
            }
            p.replaceStoredValue(with: original)
        }
        return worst
    }

    /// Checks inputs (all of `inputs`) and parameters of `cell` for the flattened outputs of `f`.
    func check(_ name: String, _ cell: Cell, _ inputs: [Tensor], file: StaticString = #filePath, line: UInt = #line,
               _ f: @escaping ([Tensor]) -> [Tensor]) throws {
        toFloat64(cell)
        let flat = { (xs: [Tensor]) in concat(f(xs).map { $0.reshaped(to: [-1]) }, alongAxis: 0) }
        let result = try checkGradients(name, at: inputs) { flat($0) }
        XCTAssertLessThan(result.worstRelativeError, 1e-6, "\(result)", file: file, line: line)
        let e = try parameterError(cell) { flat(inputs) }
        XCTAssertLessThan(e, 1e-6, "\(name) parameters: \(e)", file: file, line: line)
    }

    func testRecurrentLayerGradientsMatchFiniteDifferences() throws {
        setSeed(5)
        let lstm = LSTM(inputSize: 3, hiddenSize: 2, numLayers: 2, bidirectional: true)
        try check("LSTM 2 layers bidirectional", lstm, [r([4, 2, 3], 1), r([4, 2, 2], 2), r([4, 2, 2], 3)]) { xs in
            let (out, (h, c)) = lstm(xs[0], hx: (xs[1], xs[2]))
            return [out, h, c]
        }
        let lstmBF = LSTM(inputSize: 3, hiddenSize: 3, hasBias: false, batchFirst: true)
        try check("LSTM batchFirst no bias", lstmBF, [r([2, 5, 3], 4)]) { xs in
            let (out, (h, c)) = lstmBF(xs[0], hx: nil)
            return [out, h, c]
        }
        let gru = GRU(inputSize: 3, hiddenSize: 2, numLayers: 2, bidirectional: true)
        try check("GRU 2 layers bidirectional", gru, [r([3, 2, 3], 5), r([4, 2, 2], 6)]) { xs in
            let (out, h) = gru(xs[0], hx: xs[1])
            return [out, h]
        }
        let lengths = Tensor([4, 2] as [Int32])
        let lstmLen = LSTM(inputSize: 3, hiddenSize: 2, bidirectional: true)
        try check("LSTM bidirectional seqLength", lstmLen, [r([4, 2, 3], 10), r([2, 2, 2], 11), r([2, 2, 2], 12)]) { xs in
            let (out, (h, c)) = lstmLen(xs[0], hx: (xs[1], xs[2]), seqLength: lengths)
            return [out, h, c]
        }
        let gruLen = GRU(inputSize: 3, hiddenSize: 2, bidirectional: true)
        try check("GRU bidirectional seqLength", gruLen, [r([4, 2, 3], 13)]) { xs in
            let (out, h) = gruLen(xs[0], hx: nil, seqLength: Tensor([1, 3] as [Int32]))
            return [out, h]
        }
        let rnn = RNN(inputSize: 2, hiddenSize: 3, nonlinearity: .tanh, batchFirst: true)
        try check("RNN tanh", rnn, [r([2, 4, 2], 7)]) { xs in [rnn(xs[0], hx: nil).output] }
        let rnnRelu = RNN(inputSize: 2, hiddenSize: 3, numLayers: 2, nonlinearity: .relu)
        try check("RNN relu", rnnRelu, [r([3, 2, 2], 8), r([2, 2, 3], 9)]) { xs in
            let (out, h) = rnnRelu(xs[0], hx: xs[1])
            return [out, h]
        }
    }

    func testCellGradientsMatchFiniteDifferences() throws {
        setSeed(6)
        let lstm = LSTMCell(inputSize: 3, hiddenSize: 2)
        try check("LSTMCell", lstm, [r([2, 3], 1), r([2, 2], 2), r([2, 2], 3)]) { xs in
            let (h, c) = lstm(xs[0], hx: (xs[1], xs[2]))
            return [h, c]
        }
        let gru = GRUCell(inputSize: 3, hiddenSize: 2)
        try check("GRUCell", gru, [r([2, 3], 4), r([2, 2], 5)]) { xs in [gru(xs[0], xs[1])] }
        let rnn = RNNCell(inputSize: 3, hiddenSize: 2, nonlinearity: .relu)
        try check("RNNCell relu", rnn, [r([2, 3], 6), r([2, 2], 7)]) { xs in [rnn(xs[0], xs[1])] }
    }

    func testAttentionGradientsMatchFiniteDifferences() throws {
        setSeed(7)
        let mha = MultiheadAttention(embedDim: 4, numHeads: 2)
        toFloat64(mha)
        // Random (non-zero) biases so their gradients are exercised.
        mha.inProjBias?.replaceStoredValue(with: r([12], 20))
        let padding = Tensor([[0, 0, 1], [0, 0, 0]] as [[Int32]])
        try check("MHA self-attention packed", mha, [r([3, 2, 4], 1)]) { xs in
            let (out, w) = mha(xs[0], xs[0], xs[0], keyPaddingMask: padding)
            return [out, w!]
        }
        try check("MHA cross-attention float mask", mha, [r([2, 2, 4], 2), r([3, 2, 4], 3), r([3, 2, 4], 4)]) { xs in
            let (out, w) = mha(xs[0], xs[1], xs[2], attnMask: self.r([2, 3], 21), averageAttnWeights: false)
            return [out, w!]
        }
        let kv = MultiheadAttention(embedDim: 4, numHeads: 2, kdim: 3, vdim: 5, batchFirst: true)
        try check("MHA kdim vdim", kv, [r([2, 3, 4], 22), r([2, 2, 3], 23), r([2, 2, 5], 24)]) { xs in
            let (out, w) = kv(xs[0], xs[1], xs[2])
            return [out, w!]
        }
        let bf = MultiheadAttention(embedDim: 6, numHeads: 3, batchFirst: true)
        try check("MHA batchFirst causal", bf, [r([2, 3, 6], 5)]) { xs in [bf(xs[0], xs[0], xs[0], isCausal: true).output] }
        try check("MHA unbatched", bf, [r([3, 6], 6), r([4, 6], 7)]) { xs in
            let (out, w) = bf(xs[0], xs[1], xs[1])
            return [out, w!]
        }
    }

    func testTransformerGradientsMatchFiniteDifferences() throws {
        setSeed(8)
        let enc = TransformerEncoderLayer(dModel: 4, nhead: 2, dimFeedforward: 6)
        try check("TransformerEncoderLayer post-norm", enc, [r([3, 2, 4], 1)]) { xs in [enc(xs[0])] }
        let pre = TransformerEncoderLayer(dModel: 4, nhead: 2, dimFeedforward: 5, activation: .gelu, batchFirst: true, normFirst: true)
        try check("TransformerEncoderLayer pre-norm gelu", pre, [r([2, 3, 4], 2)]) { xs in
            [pre(xs[0], srcKeyPaddingMask: Tensor([[0, 0, 1], [0, 0, 0]] as [[Int32]]))]
        }
        let dec = TransformerDecoderLayer(dModel: 4, nhead: 2, dimFeedforward: 6)
        try check("TransformerDecoderLayer", dec, [r([3, 2, 4], 3), r([2, 2, 4], 4)]) { xs in [dec(xs[0], memory: xs[1], tgtIsCausal: true)] }
    }

    func testFusedLSTMRecurrenceMatchesComposedOps() throws {
        // H = 8 and 16 take the eight-lane float32 path, H = 5 the scalar one.
        for (dtype, h) in [(DType.float32, 8), (.float32, 16), (.float32, 5), (.float64, 4)] {
            let (t, n) = (5, 3)
            let xw = Tensor.randomNormal([t, n, 4 * h], dtype: dtype, seed: 1), w = Tensor.randomNormal([4 * h, h], dtype: dtype, seed: 2)
            let h0 = Tensor.randomNormal([n, h], dtype: dtype, seed: 3), c0 = Tensor.randomNormal([n, h], dtype: dtype, seed: 4)
            let weights = Tensor.randomUniform([t + 1, n, h], lower: 0.5, upper: 1.5, dtype: dtype, seed: 5)
            let (fused, gf) = try valueWithGradient(at: [xw, w, h0, c0]) { lstmRecurrence($0[0], weightHH: $0[1], h0: $0[2], c0: $0[3]) * weights }
            let (composed, gc) = try valueWithGradient(at: [xw, w, h0, c0]) { lstmRecurrenceComposed($0[0], weightHH: $0[1], h0: $0[2], c0: $0[3]) * weights }
            let tol = dtype == .float32 ? 1e-5 : 1e-12
            XCTAssertTrue(fused.isClose(to: composed, rtol: tol, atol: tol), "H \(h)")
            for (a, b) in zip(gf, gc) { XCTAssertTrue(a.isClose(to: b, rtol: tol * 10, atol: tol * 10), "H \(h): \(a) vs \(b)") }
        }
    }

    func testEightLaneExpSigmoidTanhAreWithinAFewUlp() {
        var worst = (exp: 0.0, sigmoid: 0.0, tanh: 0.0)
        var x = -90.0
        while x < 90 {
            let lanes = SIMD8<Float>((0..<8).map { Float(x + Double($0) * 0.003) })
            let (e, s, t) = (VectorMath.exp(lanes), VectorMath.sigmoid(lanes), VectorMath.tanh(lanes))
            for k in 0..<8 {
                let v = Double(lanes[k])
                if (-87...88).contains(v) { worst.exp = Swift.max(worst.exp, Swift.abs(Double(e[k]) / Foundation.exp(v) - 1)) }
                worst.sigmoid = Swift.max(worst.sigmoid, Swift.abs(Double(s[k]) - 1 / (1 + Foundation.exp(-v))))
                worst.tanh = Swift.max(worst.tanh, Swift.abs(Double(t[k]) - Foundation.tanh(v)))
            }
            x += 0.0137
        }
        XCTAssertLessThan(worst.exp, 4e-7)        // ≈ 3 ulp relative
        XCTAssertLessThan(worst.sigmoid, 2e-7)    // absolute
        XCTAssertLessThan(worst.tanh, 3e-7)
        XCTAssertEqual(VectorMath.tanh(SIMD8(repeating: 0))[0], 0)
        XCTAssertEqual(VectorMath.exp(SIMD8(repeating: 0))[0], 1)
    }

    func testFusedGRURecurrenceMatchesComposedOps() throws {
        let (t, n, h) = (5, 3, 4)
        for dtype in [DType.float32, .float64] {
            for withBias in [true, false] {
                let xw = Tensor.randomNormal([t, n, 3 * h], dtype: dtype, seed: 11), w = Tensor.randomNormal([3 * h, h], dtype: dtype, seed: 12)
                let b = Tensor.randomNormal([3 * h], dtype: dtype, seed: 13), h0 = Tensor.randomNormal([n, h], dtype: dtype, seed: 14)
                let weights = Tensor.randomUniform([t, n, h], lower: 0.5, upper: 1.5, dtype: dtype, seed: 15)
                let inputs = withBias ? [xw, w, h0, b] : [xw, w, h0]
                let (fused, gf) = try valueWithGradient(at: inputs) { gruRecurrence($0[0], weightHH: $0[1], biasHH: $0.count > 3 ? $0[3] : nil, h0: $0[2]) * weights }
                let (composed, gc) = try valueWithGradient(at: inputs) { xs in
                    var state = xs[2], outs: [Tensor] = []
                    for s in 0..<t {
                        state = gruStep(xs[0].sliced(alongAxis: 0, from: s, to: s + 1).squeezingShape(at: [0]), state, xs[1], xs.count > 3 ? xs[3] : nil, hidden: h)
                        outs.append(state)
                    }
                    return stack(outs, alongAxis: 0) * weights
                }
                let tol = dtype == .float32 ? 1e-5 : 1e-12
                XCTAssertTrue(fused.isClose(to: composed, rtol: tol, atol: tol))
                for (a, c) in zip(gf, gc) { XCTAssertTrue(a.isClose(to: c, rtol: tol * 10, atol: tol * 10), "\(a) vs \(c)") }
            }
        }
    }

    func testSecondDerivativesThroughFusedOpsMatchFiniteDifferences() throws {
        // d/dx of ⟨∂L/∂x, r⟩: the inner gradient runs under an outer tape (the composed and headMatmul
        // pullbacks are recorded), the finite differences run the fused first-order path.
        setSeed(9)
        let lstm = LSTM(inputSize: 2, hiddenSize: 2)
        toFloat64(lstm)
        let r1 = r([3, 2, 2], 30)
        let second = try checkGradients("LSTM second order", at: [r([3, 2, 2], 31)]) { xs in
            (try? valueWithGradient(at: xs[0]) { x in (lstm(x) * lstm(x)).sum() }.gradient) ?? Tensor(Double.nan)
        }
        XCTAssertLessThan(second.worstRelativeError, 1e-5, "\(second)")
        let gru = GRU(inputSize: 2, hiddenSize: 2)
        toFloat64(gru)
        let gruSecond = try checkGradients("GRU second order", at: [r([3, 2, 2], 33)]) { xs in
            (try? valueWithGradient(at: xs[0]) { x in (gru(x) * gru(x)).sum() }.gradient) ?? Tensor(Double.nan)
        }
        XCTAssertLessThan(gruSecond.worstRelativeError, 1e-5, "\(gruSecond)")
        let mha = MultiheadAttention(embedDim: 4, numHeads: 2)
        toFloat64(mha)
        let attention = try checkGradients("MHA second order", at: [r([3, 1, 4], 32)]) { xs in
            (try? valueWithGradient(at: xs[0]) { x in (mha(x, x, x).output * mha(x, x, x).output).sum() }.gradient) ?? Tensor(Double.nan)
        }
        XCTAssertLessThan(attention.worstRelativeError, 1e-5, "\(attention)")
        _ = r1
    }
}
