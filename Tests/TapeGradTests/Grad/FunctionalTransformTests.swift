import Foundation
import XCTest
@testable import TapeGrad

/// vjp, jvp, linearize, jacrev, jacfwd, hvp and hessian against hand-derived values and float64 finite
/// differences.
final class FunctionalTransformTests: XCTestCase {
    func r(_ shape: [Int], _ seed: UInt64) -> Tensor { Tensor.randomUniform(shape, lower: -1, upper: 1, dtype: .float64, seed: seed) }

    func assertClose(_ a: Tensor, _ b: Tensor, tolerance: Double = 1e-9, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.shape, b.shape, file: file, line: line)
        for (x, y) in zip(a.scalars, b.scalars) where Swift.abs(x - y) > tolerance * Swift.max(1, Swift.abs(y)) {
            XCTFail("\(a.scalars) != \(b.scalars)", file: file, line: line)
            return
        }
    }

    /// Central finite differences of `f` (summed against `weights`) along each element of input `i`.
    func numericalGradient(_ f: ([Tensor]) -> Tensor, _ inputs: [Tensor], _ i: Int, eps: Double = 1e-6) -> Tensor {
        var out = [Double](repeating: 0, count: inputs[i].count)
        for k in 0..<inputs[i].count {
            var plus = inputs, minus = inputs
            plus[i].withUnsafeMutableBufferPointer(as: Double.self) { $0[k] += eps }
            minus[i].withUnsafeMutableBufferPointer(as: Double.self) { $0[k] -= eps }
            out[k] = (f(plus).sum().item() - f(minus).sum().item()) / (2 * eps)
        }
        return Tensor(out, shape: inputs[i].shape)
    }

    let mlp: ([Tensor]) -> Tensor = { t in
        // x [3, 2], w1 [2, 4], w2 [4, 1]
        (matmul(tanh(matmul(t[0], t[1])), t[2]) * matmul(t[0], t[1]).sum(alongAxes: [1], keepDims: true)).sum()
    }

    // MARK: vjp

    func testVJPPullbackIsReusableWithoutRerunningTheForward() throws {
        var calls = 0
        let (y, pullback) = try vjp({ (x: Tensor) -> Tensor in calls += 1; return x * x * x }, Tensor([1, 2]))
        XCTAssertEqual(y.scalars, [1, 8])
        XCTAssertEqual(try pullback(Tensor([1, 1]))[0].asTensor.scalars, [3, 12])
        XCTAssertEqual(try pullback(Tensor([1, 0]))[0].asTensor.scalars, [3, 0])
        XCTAssertEqual(try pullback(Tensor([2, -1]))[0].asTensor.scalars, [6, -12])
        XCTAssertEqual(calls, 1)
    }

    func testVJPPullbackFromManyThreadsAtOnceGivesTheSameGradients() throws {
        let x = r([8, 5], 1), w = r([5, 3], 2)
        let (_, pullback) = try vjp({ x, w in tanh(matmul(x, w)) }, x, w)
        let expected = try pullback(Tensor.ones([8, 3], dtype: .float64))
        let results = Locked<[TensorTree]>([])   // a pthread mutex: ThreadSanitizer models it (the stdlib Mutex it does not)
        DispatchQueue.concurrentPerform(iterations: 16) { _ in
            let g = try? pullback(Tensor.ones([8, 3], dtype: .float64))
            results.withLock { $0.append(g ?? .tuple([])) }
        }
        XCTAssertEqual(results.withLock { $0.count }, 16)
        for g in results.withLock({ $0 }) { XCTAssertEqual(g, expected) }
    }

    func testVJPTapeIsFreedWithItsPullback() throws {
        // The tape's pullbacks capture tensors that point back to the tape: the pullback's last copy closes it.
        weak var tape: Tape?
        weak var linearTape: Tape?
        do {
            let x = r([4, 3], 31), w = r([3, 2], 32)
            let (_, pullback) = try vjp({ x, w in tanh(matmul(x, w)) }, x, w)
            tape = pullback.sealed.recording.tape
            _ = try pullback(Tensor.ones([4, 2], dtype: .float64))
            let (_, jvpFn) = try linearize({ x in sin(x) * x }, x)
            linearTape = jvpFn.transposed.recording.tape
            _ = try jvpFn(x)
        }
        XCTAssertNil(tape)
        XCTAssertNil(linearTape)
    }

    func testVJPWithWeightsReturnsInputsAndWeightsParts() throws {
        let w = Parameter(Tensor([2, 5]), name: "w")
        let (y, pullback) = try vjp({ x in x * w.value }, Tensor([1, 2]), weights: [w])
        XCTAssertEqual(y.scalars, [2, 10])
        let g = try pullback(Tensor([3, 4]))
        XCTAssertEqual(g[0][0].asTensor.scalars, [6, 20])
        XCTAssertEqual(g[1][0].asTensor.scalars, [3, 8])
        let (_, single) = try vjp({ x in x * w.value }, Tensor([1, 2]), weights: w)
        XCTAssertEqual(try single(Tensor([3, 4]))[1].asTensor.scalars, [3, 8])
    }

    func testVJPChecksTheCotangentShape() throws {
        let (_, pullback) = try vjp({ x in x * 2 }, Tensor([1, 2]))
        XCTAssertThrowsError(try pullback(Tensor([1, 2, 3]))) { XCTAssertEqual($0 as? GradError, .sensShapeMismatch(expected: [2], got: [3])) }
        XCTAssertThrowsError(try pullback(Tensor([1, 2]), Tensor([1, 2]))) { XCTAssertTrue($0 is GradError) }
    }

    // MARK: jvp

    func testJVPMatchesTheJacobianTimesTheTangentOnAnMLP() throws {
        let inputs = [r([3, 2], 3), r([2, 4], 4), r([4, 1], 5)]
        let v = [r([3, 2], 6), r([2, 4], 7), r([4, 1], 8)]
        let (value, product) = try jvp(mlp, inputs, v)
        XCTAssertEqual(value.item(), mlp(inputs).item(), accuracy: 1e-12)
        // J·v = Σᵢ ⟨∇ᵢf, vᵢ⟩ for a scalar f.
        let expected = try (0..<3).map { i in (numericalGradient(mlp, inputs, i) * v[i]).sum().item() }.reduce(0, +)
        XCTAssertEqual(product.item(), expected, accuracy: 1e-7)
    }

    func testJVPOfSeveralOutputsIsShapedLikeTheOutputs() throws {
        let x = Tensor([1, 2]), y = Tensor([3, 4])
        let (value, product) = try jvp({ a, b -> TensorTree in [.tensor(a * a * b), .tensor(a - b)] }, [x, y], [y, x])
        XCTAssertEqual(value[0].asTensor.scalars, [3, 16])
        XCTAssertEqual(product[0].asTensor.scalars, [19, 72])   // 2ab·vₐ + a²·v_b
        XCTAssertEqual(product[1].asTensor.scalars, [2, 2])
        XCTAssertThrowsError(try jvp({ a, b in a * b }, [x, y], [y])) { XCTAssertEqual($0 as? GradError, .tangentCountMismatch(expected: 2, got: 1)) }
    }

    func testLinearizeReplaysForManyTangents() throws {
        let x = r([4], 9)
        let (_, jvpFn) = try linearize({ x in sin(x) * x }, x)
        for k in 0..<4 {
            let e = basisTensor(shape: [4], dtype: .float64, index: k)
            let column = try jvpFn(e).asTensor.scalars
            let xk = x.scalars[k]
            for j in 0..<4 { XCTAssertEqual(column[j], j == k ? cos(xk) * xk + sin(xk) : 0, accuracy: 1e-12) }
        }
    }

    func testJVPIsDifferentiableWithRespectToItsInput() throws {
        // d/dx [J(x)·v] for f = x³: J·v = 3x²v, whose gradient is 6xv.
        let x = r([3], 10), v = r([3], 11)
        let (_, g) = try valueWithGradient(at: x) { x in ((try? jvp({ $0 * $0 * $0 }, x, v))?.jvp ?? x).sum() }
        assertClose(g, x * v * 6)
    }

    func testSensRecordedByAnEnclosingComputationIsDifferentiated() throws {
        // d/ds Σ (∂(x²)/∂x seeded with s) = d/ds Σ 2x ⊙ s = 2x.
        let x = r([3], 20), s = r([3], 21)
        let inner = try grad({ (x: Tensor) in x * x }, sensParam: true)
        let g = try gradient(at: s) { s in ((try? inner(x, sens: s))?.tensorValue ?? s * .nan).sum() }
        assertClose(g, x * 2)
    }

    // MARK: jacobians

    func testJacrevAndJacfwdAgreeWithFiniteDifferences() throws {
        let x = r([3], 12), y = r([2, 3], 13)
        let f = { (a: Tensor, b: Tensor) -> Tensor in tanh(b * a) * a }
        for jac in [jacrev(f, gradPosition: [0, 1]), jacfwd(f, gradPosition: [0, 1])] {
            let j = try jac(x, y)
            XCTAssertEqual(j[0].asTensor.shape, [2, 3, 3])
            XCTAssertEqual(j[1].asTensor.shape, [2, 3, 2, 3])
            // Row (output element) 4 of ∂f/∂a by finite differences.
            let numeric = numericalGradient({ t in f(t[0], t[1]).reshaped(to: [6]).sliced(alongAxis: 0, from: 4, to: 5) }, [x, y], 0)
            assertClose(j[0].asTensor.reshaped(to: [6, 3]).sliced(alongAxis: 0, from: 4, to: 5).reshaped(to: [3]), numeric, tolerance: 1e-7)
        }
    }

    func testJacobianStructureFollowsMindSpore() throws {
        let x = Tensor([1, 2]), y = Tensor([3, 4])
        let two = { (a: Tensor, b: Tensor) -> TensorTree in [.tensor(a * b), .tensor(a + b)] }
        XCTAssertEqual(try jacrev({ a, b in a * a * b })(x, y).asTensor.scalars, [6, 0, 0, 16])
        XCTAssertEqual(try jacrev(two)(x, y).count, 2)                                   // (d0/dx, d1/dx)
        XCTAssertEqual(try jacrev(two, gradPosition: [0, 1])(x, y)[1][0].asTensor.scalars, [1, 0, 0, 1])
        XCTAssertEqual(try jacfwd(two, gradPosition: [0, 1])(x, y)[0][1].asTensor.scalars, [1, 0, 0, 2])
        let withAux = try jacrev(two, hasAux: true)(x, y)
        XCTAssertEqual(withAux[0].asTensor.scalars, [3, 0, 0, 4])
        XCTAssertEqual(withAux[1].asTensor.scalars, [4, 6])
        XCTAssertThrowsError(try jacrev(two, gradPosition: 2)(x, y)) { XCTAssertEqual($0 as? GradError, .gradPositionOutOfRange(position: 2, inputCount: 2)) }
    }

    // MARK: second order

    func testHVPMatchesFiniteDifferencesOfTheGradient() throws {
        let inputs = [r([3, 2], 14), r([2, 4], 15), r([4, 1], 16)]
        let v = [r([3, 2], 17), r([2, 4], 18), r([4, 1], 19)]
        let (_, hv) = try hvp(mlp, inputs, v)
        // H·v = d/dε ∇f(x + εv) by central differences of the gradient.
        let eps = 1e-5
        let plus = zip(inputs, v).map { $0 + $1 * eps }, minus = zip(inputs, v).map { $0 - $1 * eps }
        let gp = try valueWithGradient(at: plus, of: mlp).gradient, gm = try valueWithGradient(at: minus, of: mlp).gradient
        for i in 0..<3 { assertClose(hv[i], (gp[i] - gm[i]) / (2 * eps), tolerance: 1e-6) }
    }

    func testHVPOnAReluSoftmaxClassifierMatchesFiniteDifferences() throws {
        // The W1 benchmark's loss, small: relu layers, log-softmax cross-entropy, gradients in the weights.
        let x = r([5, 4], 22), mask = oneHot(Tensor([0, 2, 1, 2, 0] as [Int32]), depth: 3, dtype: .float64)
        let loss: ([Tensor]) -> Tensor = { t in
            let h = relu(matmul(x, t[0], transposeB: true) + t[1])
            let logits = matmul(h, t[2], transposeB: true) + t[3]
            return -(logits.logSoftmax(alongAxis: -1) * mask).sum(alongAxes: [1]).mean()
        }
        let p = [r([6, 4], 23), r([6], 24), r([3, 6], 25), r([3], 26)]
        let v = [r([6, 4], 27), r([6], 28), r([3, 6], 29), r([3], 30)]
        let (_, hv) = try hvp(loss, p, v)
        let eps = 1e-6
        let gp = try valueWithGradient(at: zip(p, v).map { $0 + $1 * eps }, of: loss).gradient
        let gm = try valueWithGradient(at: zip(p, v).map { $0 - $1 * eps }, of: loss).gradient
        for i in 0..<4 { assertClose(hv[i], (gp[i] - gm[i]) / (2 * eps), tolerance: 1e-6) }
    }

    func testHessianOfACubicIsDiagonal() throws {
        let h = try hessian({ x in (x * x * x).sum() })(Tensor([1.0, 2.0], shape: [2]))
        XCTAssertEqual(h.asTensor.scalars, [6, 0, 0, 12])
        let x = Tensor([1.0, 2.0], shape: [2]), y = Tensor([3.0, 4.0], shape: [2])
        let blocks = try hessian({ (t: [Tensor]) in (t[0] * t[0] * t[1]).sum() }, gradPosition: [0, 1])([x, y])
        XCTAssertEqual(blocks[0][0].asTensor.scalars, [6, 0, 0, 8])    // diag(2y)
        XCTAssertEqual(blocks[0][1].asTensor.scalars, [2, 0, 0, 4])    // diag(2x)
        XCTAssertEqual(blocks[1][0].asTensor.scalars, [2, 0, 0, 4])
        XCTAssertEqual(blocks[1][1].asTensor.scalars, [0, 0, 0, 0])
    }
}
