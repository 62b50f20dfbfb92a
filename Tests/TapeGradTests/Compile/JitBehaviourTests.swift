import Foundation
import XCTest
@testable import TapeGrad

/// The rules of `jit` around the compiled path: signatures and the cache, control flow traced as taken,
/// fallback and strict mode, checked mode, errors, threads.
final class JitBehaviourTests: XCTestCase {
    func testANewShapeRetracesAndTheCacheIsBounded() throws {
        let f = jit({ x in tanh(x) * 2 }, cacheSize: 2)
        for n in [2, 3, 4] { _ = try f(Tensor.ones([n])) }
        XCTAssertEqual(f.diagnostics.traceCount, 3)
        XCTAssertEqual(f.diagnostics.cachedSignatureCount, 2)
        _ = try f(Tensor.ones([4]))                       // cached
        XCTAssertEqual(f.diagnostics.traceCount, 3)
        _ = try f(Tensor.ones([2]))                       // evicted (least recently used): traced again
        XCTAssertEqual(f.diagnostics.traceCount, 4)
        _ = try f(Tensor.ones([4], dtype: .float64))      // another dtype is another signature
        XCTAssertEqual(f.diagnostics.traceCount, 5)
        XCTAssertEqual(try f(Tensor([0.5, -1] as [Double])).dtype, .float64)
    }

    func testValueDependentControlFlowIsTracedAsTaken() throws {
        // JAX's rule: the branch taken while tracing is the one replayed for that signature.
        let f = jit { x in x.sum().item() > 0 ? x * 2 : x * -1 }
        XCTAssertEqual(try f(Tensor([1, 2])).scalars, [2, 4])
        XCTAssertEqual(try f(Tensor([-1, -2])).scalars, [-2, -4])   // eager would give [1, 2]
        XCTAssertEqual(f.diagnostics.traceCount, 1)
        // Checked mode compares each call with eager execution and throws on the difference.
        let checked = jit({ x in x.sum().item() > 0 ? x * 2 : x * -1 }, checked: true)
        XCTAssertEqual(try checked(Tensor([1, 2])).scalars, [2, 4])
        XCTAssertThrowsError(try checked(Tensor([-1, -2]))) { error in
            XCTAssertEqual(error as? JitError, .mismatch(output: 0, maxDifference: 6))   // [-2, -4] against eager [1, 2]
        }
    }

    func testCapturedTensorsAreConstantsAndDetachedValuesStopTheGradient() throws {
        let w = Tensor([3, 4])
        let f = jit(try valueAndGrad({ x in (x * w + stopGradient(x) * x).sum() }), strict: true)
        let x = Tensor([1, 2])
        let (value, dx) = try f(x)
        XCTAssertEqual(value.item(), 16)
        XCTAssertEqual(dx.asTensor.scalars, [4, 6])      // w + x: ∂/∂x of stopGradient(x)·x is x, not 2x
        let (v2, d2) = try f(Tensor([2, 1]))                      // the detached x follows the new input
        XCTAssertEqual(v2.item(), 15)
        XCTAssertEqual(d2.asTensor.scalars, [5, 5])
    }

    func testTrainableParametersAreReadOnEveryCallFrozenOnesAreConstants() throws {
        let dense = Dense(inChannels: 3, outChannels: 2, seed: 1)
        let f = jit(try valueAndGrad({ (x: Tensor) in tanh(dense(x)).sum() }), strict: true)
        let x = Tensor.randomNormal([4, 3], seed: 2)
        _ = try f(x)
        dense.weight.value = dense.weight.value * 2              // updated outside: the next call sees it
        let (v, dx) = try f(x)
        let (v0, dx0) = try valueAndGrad({ (x: Tensor) in tanh(dense(x)).sum() })(x)
        XCTAssertEqual(v.item(), v0.item(), accuracy: 1e-5)
        for (a, b) in zip(dx.asTensor.scalars, dx0.asTensor.scalars) { XCTAssertEqual(a, b, accuracy: 1e-5) }
        XCTAssertEqual(f.diagnostics.traceCount, 1)
    }

    func testAnOpWithoutATraceRuleRunsEagerlyAndSaysWhy() throws {
        let f = jit { x in sin(x) * 2 }
        XCTAssertEqual(try f(Tensor([0.5])).scalars, (sin(Tensor([0.5])) * 2).scalars)
        XCTAssertEqual(f.diagnostics.traceCount, 1)
        XCTAssertTrue(f.diagnostics.eagerFallbackReason?.contains("sin") ?? false, "\(String(describing: f.diagnostics.eagerFallbackReason))")
        let strict = jit({ x in sin(x) * 2 }, strict: true)
        XCTAssertThrowsError(try strict(Tensor([0.5]))) { error in
            guard case JitError.unsupported(let reason)? = error as? JitError else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("sin"))
        }
        let g = jit(try valueAndGrad({ x in (sin(x) * x).sum() }))
        let (v, dx) = try g(Tensor([0.5, 1]))
        let (v0, dx0) = try valueAndGrad({ x in (sin(x) * x).sum() })(Tensor([0.5, 1]))
        XCTAssertEqual(v.item(), v0.item())
        XCTAssertEqual(dx.asTensor.scalars, dx0.asTensor.scalars)
    }

    func testSeveralOutputsCompileWithTheEagerResult() throws {
        let fn = { (x: Tensor) -> TensorTree in [.tensor((x * x).sum()), .tensor(x.sum())] }
        let x = Tensor([1, 2])
        let compiled = jit(try valueAndGrad(fn), strict: true)
        let (v, g) = try compiled(x)
        let (v0, g0) = try valueAndGrad(fn)(x)
        XCTAssertEqual(v.tensors.map(\.scalars), v0.tensors.map(\.scalars))
        XCTAssertEqual(g.asTensor.scalars, g0.asTensor.scalars)   // 2x + 1
        XCTAssertEqual(g.asTensor.scalars, [3, 5])
        XCTAssertNil(compiled.diagnostics.eagerFallbackReason)
    }

    func testAComparisonOfATracedValueIsNotBakedIn() throws {
        let f = jit { x in x * greater(x, Tensor(0)) }
        XCTAssertEqual(try f(Tensor([1, -2])).scalars, [1, 0])
        XCTAssertEqual(try f(Tensor([-1, 2])).scalars, [0, 2])   // a baked-in mask would give [-1, 0]
        XCTAssertTrue(f.diagnostics.eagerFallbackReason?.contains("greater") ?? false)
    }

    /// `sign` has no trace rule and records nothing (its derivative is 0): its result, computed from the input
    /// while tracing, must not be replayed as a constant.
    func testAnUntracedValueComputedFromAnInputIsNotBakedIn() throws {
        let f = jit { x in x * sign(x) }
        XCTAssertEqual(try f(Tensor([1, -2])).scalars, [1, 2])
        XCTAssertEqual(try f(Tensor([-3, 4])).scalars, [3, 4])   // a baked-in sign would give [-3, -4]
        XCTAssertTrue(f.diagnostics.eagerFallbackReason?.contains("not traced") ?? false, "\(String(describing: f.diagnostics.eagerFallbackReason))")
        // A tensor captured from outside stays a constant of a compiled trace.
        let c = Tensor([2, 3])
        let g = jit { x in x * c }
        XCTAssertEqual(try g(Tensor([1, 1])).scalars, [2, 3])
        XCTAssertEqual(try g(Tensor([2, 1])).scalars, [4, 3])
        XCTAssertNil(g.diagnostics.eagerFallbackReason)
    }

    func testAShapeErrorWhileTracingIsThrownLikeEager() {
        let f = jit { x, y in x + y }
        XCTAssertThrowsError(try f(Tensor([1, 2]), Tensor([1, 2, 3]))) { error in
            guard case GradError.tensor(let e)? = error as? GradError else { return XCTFail("\(error)") }
            XCTAssertEqual(e.op, "add")
        }
        XCTAssertThrowsError(try f(Tensor([1, 2]))) { error in
            XCTAssertEqual(error as? GradError, .wrongInputCount(expected: 2, got: 1))
        }
    }

    func testBadInputsThrowTheOpsErrors() { runTable(BadInputRows.compile) }

    func testAClassIndexOutOfRangeAtReplayThrows() throws {
        let loss = SoftmaxCrossEntropyWithLogits(sparse: true, reduction: .mean)
        let f = jit(try valueAndGrad({ (x: Tensor, y: Tensor) in loss(x, y) }), strict: true)
        let logits = Tensor.randomNormal([2, 3], seed: 1)
        _ = try f(logits, Tensor([0, 2] as [Int32]))
        XCTAssertThrowsError(try f(logits, Tensor([0, 3] as [Int32]))) { error in
            guard case GradError.tensor(let e)? = error as? GradError else { return XCTFail("\(error)") }
            XCTAssertEqual(e.op, "SoftmaxCrossEntropyWithLogits")
        }
    }

    func testInsideAnEnclosingGradientTheJittedFunctionIsDifferentiated() throws {
        let f = jit { x in tanh(x) * x }
        let (_, dx) = try valueWithGradient(at: Tensor([0.5, -1])) { x in ((try? f(x)) ?? Tensor.zeros([2])).sum() }
        let (_, dx0) = try valueWithGradient(at: Tensor([0.5, -1])) { x in (tanh(x) * x).sum() }
        XCTAssertEqual(dx.scalars, dx0.scalars)
        XCTAssertEqual(f.diagnostics.eagerCallCount, 1)
        XCTAssertEqual(f.diagnostics.traceCount, 0)
    }

    func testManyThreadsCallOneJittedFunction() throws {
        let f = jit(try valueAndGrad({ x, w in tanh(matmul(x, w)).sum() }, gradPosition: [0, 1]))
        let x = Tensor.randomNormal([8, 5], seed: 1), w = Tensor.randomNormal([5, 3], seed: 2)
        let (v0, g0) = try valueAndGrad({ x, w in tanh(matmul(x, w)).sum() }, gradPosition: [0, 1])(x, w)
        let failures = Locked(0)
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<25 {
                guard let (v, g) = try? f(x, w), abs(v.item() - v0.item()) < 1e-5,
                      zip(g.tensors, g0.tensors).allSatisfy({ zip($0.scalars, $1.scalars).allSatisfy { abs($0 - $1) < 1e-5 } })
                else { failures.withLock { $0 += 1 }; continue }
            }
        }
        XCTAssertEqual(failures.withLock { $0 }, 0)
        XCTAssertEqual(f.diagnostics.traceCount, 1)
        XCTAssertEqual(f.diagnostics.compiledCallCount, 200)
    }

    func testTrainOneStepCellWithJitTrainsLikeEager() throws {
        func make(jit: Bool) throws -> (TrainOneStepCell, SequentialCell) {
            let net = SequentialCell([Dense(inChannels: 6, outChannels: 8, activation: .relu, seed: 1), Dense(inChannels: 8, outChannels: 3, seed: 2)])
            let loss = SoftmaxCrossEntropyWithLogits(sparse: true, reduction: .mean)
            let step = try TrainOneStepCell(WithLossCell(net, loss), optimizer: Momentum(params: net.trainableParams(), learningRate: 0.1, momentum: 0.9), jit: jit)
            return (step, net)
        }
        let (eager, eagerNet) = try make(jit: false), (compiled, compiledNet) = try make(jit: true)
        let x = Tensor.randomNormal([10, 6], seed: 3), labels = Tensor((0..<10).map { Int32($0 % 3) })
        for _ in 0..<20 {
            let l0 = try eager.step(x, labels).item(), l1 = try compiled.step(x, labels).item()
            XCTAssertEqual(l0, l1, accuracy: 1e-5)
        }
        XCTAssertNil(compiled.jitDiagnostics?.eagerFallbackReason)
        XCTAssertEqual(compiled.jitDiagnostics?.traceCount, 1)
        XCTAssertEqual(compiled.jitDiagnostics?.compiledCallCount, 20)
        XCTAssertEqual(compiled.jitDiagnostics?.eagerCallCount, 0)
        for (p, q) in zip(eagerNet.trainableParams(), compiledNet.trainableParams()) {
            for (u, v) in zip(p.value.scalars, q.value.scalars) { XCTAssertEqual(u, v, accuracy: 1e-5) }
        }
    }
}
