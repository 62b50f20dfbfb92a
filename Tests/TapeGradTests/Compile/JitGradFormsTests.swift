import XCTest
@testable import TapeGrad

/// Every option of `valueAndGrad` under `jit`: the compiled call returns the eager call's structure (tuples,
/// position and name ids) with the same values — bit-identical here, since these functions use only ops that
/// the compiled program evaluates in the eager order (products, arithmetic, relu, sums of one axis run).
final class JitGradFormsTests: XCTestCase {
    /// Asserts two results have one structure and bit-identical tensors.
    func assertSame(_ a: TensorTree, _ b: TensorTree, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        switch (a, b) {
        case let (.tensor(x), .tensor(y)):
            XCTAssertEqual(x.shape, y.shape, what, file: file, line: line)
            XCTAssertEqual(x.dtype, y.dtype, what, file: file, line: line)
            XCTAssertEqual(x.scalars.map(\.bitPattern), y.scalars.map(\.bitPattern), "\(what): \(x.scalars) vs \(y.scalars)", file: file, line: line)
        case let (.tuple(xs), .tuple(ys)):
            XCTAssertEqual(xs.count, ys.count, "\(what): tuple sizes", file: file, line: line)
            for (k, (x, y)) in zip(xs, ys).enumerated() { assertSame(x, y, "\(what).\(k)", file: file, line: line) }
        case let (.position(i), .position(j)): XCTAssertEqual(i, j, what, file: file, line: line)
        case let (.name(i), .name(j)): XCTAssertEqual(i, j, what, file: file, line: line)
        default: XCTFail("\(what): \(a.shortDescription) vs \(b.shortDescription)", file: file, line: line)
        }
    }

    /// Calls the eager and the jitted (strict) function twice (trace, then replay) and compares.
    func check<Output: TensorTreeConvertible>(_ name: String, _ fn: ValueAndGradFunction<Output>, _ inputs: [Tensor], sens: TensorTree? = nil,
                                             file: StaticString = #filePath, line: UInt = #line) throws {
        let (v0, g0) = try fn(inputs, sens: sens)
        let compiled = jit(fn, strict: true)
        for _ in 0..<2 {
            let (v, g) = try compiled(inputs, sens: sens)
            assertSame(v.tensorTree, v0.tensorTree, "\(name) value", file: file, line: line)
            assertSame(g, g0, "\(name) gradients", file: file, line: line)
        }
        XCTAssertEqual(compiled.diagnostics.traceCount, 1, name, file: file, line: line)
        XCTAssertEqual(compiled.diagnostics.compiledCallCount, 2, name, file: file, line: line)
    }

    let x = Tensor.randomNormal([4, 3], seed: 1), y = Tensor.randomNormal([3, 2], seed: 2), z = Tensor.randomNormal([4, 2], seed: 3)

    func testGradPositionVariantsAndReturnIds() throws {
        let f = { (a: Tensor, b: Tensor, c: Tensor) in (relu(matmul(a, b)) * c).sum() }
        try check("position 1", try valueAndGrad(f, gradPosition: 1), [x, y, z])
        try check("positions [0, 2]", try valueAndGrad(f, gradPosition: [0, 2]), [x, y, z])
        try check("positions [2, 0]", try valueAndGrad(f, gradPosition: [2, 0]), [x, y, z])
        try check("returnIds, one position", try valueAndGrad(f, gradPosition: 1, returnIds: true), [x, y, z])
        try check("returnIds, positions", try valueAndGrad(f, gradPosition: [0, 1, 2], returnIds: true), [x, y, z])
        // An input the output does not reach: zeros, as eager.
        try check("unused input", try valueAndGrad({ (a: Tensor, b: Tensor) in (a * a).sum() }, gradPosition: [0, 1]), [x, z])
    }

    func testWeightsAloneWithPositionsAndWithIds() throws {
        let dense = Dense(inChannels: 3, outChannels: 2, seed: 4)
        let f = { (a: Tensor, c: Tensor) in (dense(a) * c).sum() }
        try check("one parameter", try valueAndGrad(f, gradPosition: nil, weights: dense.weight), [x, z])
        try check("parameter list", try valueAndGrad(f, gradPosition: nil, weights: dense.trainableParams()), [x, z])
        try check("positions and weights", try valueAndGrad(f, gradPosition: [0, 1], weights: dense.trainableParams()), [x, z])
        try check("returnIds with weights", try valueAndGrad(f, gradPosition: 0, weights: dense.trainableParams(), returnIds: true), [x, z])
        // A frozen parameter and one the function does not read get zeros, as eager.
        let frozen = Parameter(Tensor.ones([2]), name: "frozen", requiresGrad: false), unread = Parameter(Tensor.ones([5]), name: "unread")
        let g = { (a: Tensor, c: Tensor) in ((dense(a) + frozen.value) * c).sum() }
        try check("frozen and unread weights", try valueAndGrad(g, gradPosition: nil, weights: [frozen, dense.weight, unread]), [x, z])
    }

    func testReachedParametersWithoutExplicitWeights() throws {
        // GradOperation(get_by_list) without weights: the trainable parameters the output reaches, in order of use.
        let d1 = Dense(inChannels: 3, outChannels: 2, seed: 5), d2 = Dense(inChannels: 3, outChannels: 2, seed: 6)
        for returnIds in [false, true] {
            let spec = GradSpec(inputs: .positions([0]), weights: .used, returnIds: returnIds)
            let fn = ValueAndGradFunction<TensorTree>(spec: spec, arity: 1) { t in
                // d2 is read only by the auxiliary-free part that is detached: not reached.
                let unreached = stopGradient(d2(t[0]))
                return .tensor((d1(t[0]) * d1(t[0]) + unreached).sum())
            }
            try check("used weights (returnIds \(returnIds))", fn, [x])
        }
    }

    func testHasAuxReturnsTheAuxiliaryOutputsUndifferentiated() throws {
        let f = { (a: Tensor, b: Tensor) -> [Tensor] in
            let p = matmul(a, b)
            return [(p * p).sum(), p * 2, a]            // loss, then aux (a computed value and an input)
        }
        try check("hasAux", try valueAndGrad(f, gradPosition: [0, 1], hasAux: true), [x, y])
        let captured = Tensor([7, 8])
        let g = { (a: Tensor) -> TensorTree in [.tensor(a.sum()), [.tensor(captured), .tensor(a * 3)]] }
        try check("hasAux with a nested aux and a constant", try valueAndGrad(g, hasAux: true), [x])
        // Eager's error for hasAux with one output.
        XCTAssertThrowsError(try jit(try valueAndGrad({ (a: Tensor) in a.sum() }, hasAux: true))(x)) { error in
            XCTAssertEqual(error as? GradError, .hasAuxNeedsSeveralOutputs)
        }
    }

    func testSeveralOutputsAreEachSeededWithOnes() throws {
        let f = { (a: Tensor) -> TensorTree in [.tensor((a * a).sum()), .tensor(a * 3)] }
        try check("two outputs", try valueAndGrad(f), [x])
    }

    func testSensAsLastInputOrKeyword() throws {
        let f = { (a: Tensor, b: Tensor) in matmul(a, b) }
        let s = Tensor.randomNormal([4, 2], seed: 7)
        try check("sens as last input", try valueAndGrad(f, gradPosition: [0, 1], sensParam: true), [x, y, s])
        try check("sens keyword", try valueAndGrad(f, gradPosition: [0, 1], sensParam: true), [x, y], sens: .tensor(s))
        // A 0-d output sums any sens (eager's rule), and a new sens is a new input, not a constant.
        let scalar = try valueAndGrad({ (a: Tensor) in (a * a).sum() }, sensParam: true)
        try check("0-d output, 0-d sens", scalar, [x, Tensor(Float(0.5))])
        try check("0-d output, sens of shape [3]", scalar, [x, Tensor([1, 2, 3] as [Float])])
        let compiled = jit(scalar, strict: true)
        let (_, g1) = try compiled(x, Tensor(Float(2)))
        let (_, g2) = try compiled(x, Tensor(Float(-1)))
        XCTAssertEqual(g1.asTensor.scalars, (x * 4).scalars)
        XCTAssertEqual(g2.asTensor.scalars, (x * -2).scalars)
        XCTAssertEqual(compiled.diagnostics.traceCount, 1)
        // Sens per output with several outputs and hasAux: only the first output's sens.
        let aux = try valueAndGrad({ (a: Tensor) -> [Tensor] in [a * 2, a.sum()] }, hasAux: true, sensParam: true)
        try check("hasAux with sens", aux, [x, Tensor.randomNormal([4, 3], seed: 8)])
    }

    func testSensErrorsAreTheEagerOnes() throws {
        let f = try valueAndGrad({ (a: Tensor) in a * 2 }, sensParam: true)
        let compiled = jit(f)
        for (inputs, sens) in [([x], nil), ([x, Tensor.ones([2, 2])], nil), ([x, Tensor.ones([4, 3], dtype: .float64)], nil),
                               ([x], TensorTree.tuple([.tensor(x), .tensor(x)]))] as [([Tensor], TensorTree?)] {
            var eager: Error?, jitted: Error?
            XCTAssertThrowsError(try f(inputs, sens: sens)) { eager = $0 }
            XCTAssertThrowsError(try compiled(inputs, sens: sens)) { jitted = $0 }
            XCTAssertEqual(eager as? GradError, jitted as? GradError)
            XCTAssertNotNil(jitted as? GradError)
        }
        let noSens = jit(try valueAndGrad({ (a: Tensor) in a * 2 }))
        XCTAssertThrowsError(try noSens([x], sens: .tensor(x))) { XCTAssertEqual($0 as? GradError, .sensWithoutSensParam) }
    }

    func testStrictModeStillNamesWhatDoesNotCompile() throws {
        let f = jit(try valueAndGrad({ (a: Tensor) -> [Tensor] in [sin(a).sum(), a] }, hasAux: true), strict: true)
        XCTAssertThrowsError(try f(x)) { error in
            guard case JitError.unsupported(let reason)? = error as? JitError else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("sin"), reason)
        }
        // An aux output computed by an op without a trace rule is not baked in.
        let g = jit(try valueAndGrad({ (a: Tensor) -> [Tensor] in [a.sum(), sign(a)] }, hasAux: true))
        let (v, _) = try g(x)
        XCTAssertEqual(v[1].scalars, sign(x).scalars)
        XCTAssertTrue(g.diagnostics.eagerFallbackReason?.contains("not traced") ?? false, "\(String(describing: g.diagnostics.eagerFallbackReason))")
    }
}

extension JitGradFormsTests {
    /// A function that differentiates inside (a gradient penalty) is second order: it runs eagerly with the eager
    /// result, and strict mode says why rather than returning a wrong number.
    func testSecondOrderFallsBackWithTheEagerResult() throws {
        let inner = try grad({ (a: Tensor) in (tanh(a) * a).sum() })
        let penalty = try valueAndGrad({ (a: Tensor) in square((try? inner(a).asTensor) ?? a * 0).sum() })
        let x = Tensor.randomNormal([5], dtype: .float64, seed: 60)
        let (v0, g0) = try penalty(x)
        let f = jit(penalty)
        let (v, g) = try f(x)
        XCTAssertEqual(v.item(), v0.item())
        XCTAssertEqual(g.asTensor.scalars, g0.asTensor.scalars)
        XCTAssertNotNil(f.diagnostics.eagerFallbackReason)
        XCTAssertThrowsError(try jit(penalty, strict: true)(x)) { error in
            guard case JitError.unsupported? = error as? JitError else { return XCTFail("\(error)") }
        }
    }
}

extension JitGradFormsTests {
    /// Checked mode compares the whole structured result (aux outputs and every gradient) with the eager call.
    func testCheckedModeComparesAuxAndGradients() throws {
        let f = { (a: Tensor) -> [Tensor] in [(a * a).sum(), a * 2] }
        let checked = jit(try valueAndGrad(f, hasAux: true), checked: true)
        _ = try checked(x)
        _ = try checked(x * 2)
        // A branch on a value is replayed as traced: the aux output differs from eager and checked mode says so.
        let branchy = { (a: Tensor) -> [Tensor] in [(a * a).sum(), a.sum().item() > 0 ? a * 2 : a * 3] }
        let g = jit(try valueAndGrad(branchy, hasAux: true), checked: true)
        _ = try g(Tensor([1, 2] as [Float]))
        XCTAssertThrowsError(try g(Tensor([-1, -2] as [Float]))) { error in
            XCTAssertEqual(error as? JitError, .mismatch(output: 1, maxDifference: 2))   // [-2, -4] against eager [-3, -6]
        }
    }
}
