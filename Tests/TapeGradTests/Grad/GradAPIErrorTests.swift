import XCTest
@testable import TapeGrad

/// §6 of the semantics: each argument error raised at MindSpore's stage (building vs calling) with its message.
final class GradAPIErrorTests: XCTestCase {
    let f: (Tensor, Tensor) -> Tensor = { x, y in x * y }
    let x = Tensor([1, 2]), y = Tensor([3, 4])

    func testBothNoneFailsAtConstructionForGradAndValueAndGrad() {
        XCTAssertThrowsError(try grad(f, gradPosition: nil, weights: nil)) { error in
            XCTAssertEqual(error as? GradError, .gradPositionAndWeightsBothNone)
            XCTAssertEqual((error as? GradError)?.mindSporeMessage, "`grad_position` and `weight` can not be None at the same time.")
            XCTAssertEqual("\(error)", "gradPosition and weights are both nil: nothing to differentiate; pass gradPosition (an input position such as 0) or weights.")
        }
        XCTAssertThrowsError(try valueAndGrad(f, gradPosition: nil)) { XCTAssertEqual($0 as? GradError, .gradPositionAndWeightsBothNone) }
    }

    func testNegativeAndDuplicatePositionsFailAtConstruction() {
        XCTAssertThrowsError(try grad(f, gradPosition: -1)) {
            XCTAssertEqual("\($0)", "gradPosition is -1; expected an input position >= 0.")
            XCTAssertEqual(($0 as? GradError)?.mindSporeMessage, "grad_position must be >= 0.")
        }
        XCTAssertThrowsError(try grad(f, gradPosition: [0, -1])) {
            XCTAssertEqual("\($0)", "gradPosition [0, -1] contains a negative position; expected positions >= 0.")
            XCTAssertEqual(($0 as? GradError)?.mindSporeMessage, "The element in grad_position must be >= 0.")
        }
        XCTAssertThrowsError(try grad(f, gradPosition: [1, 1])) {
            XCTAssertEqual("\($0)", "gradPosition [1, 1] lists a position more than once; expected distinct positions.")
            XCTAssertEqual(($0 as? GradError)?.mindSporeMessage, "There are duplicate positions in `grad_position`, please check it")
        }
    }

    func testOutOfRangeAndEmptyPositionsFailAtCallNotConstruction() throws {
        let outOfRange = try grad(f, gradPosition: 3)
        XCTAssertThrowsError(try outOfRange(x, y)) {
            XCTAssertEqual($0 as? GradError, .positionOutOfRange(position: 3, inputCount: 2))
            XCTAssertEqual("\($0)", "gradPosition 3 is out of range: the function was called with 2 input(s), so the positions are 0..<2.")
            XCTAssertEqual(($0 as? GradError)?.mindSporeMessage, "Position index 3 is exceed input size.")
            XCTAssertEqual(($0 as? GradError)?.mindSporeErrorType, "RuntimeError")
        }
        let empty = try grad(f, gradPosition: [])
        XCTAssertThrowsError(try empty(x, y)) {
            XCTAssertTrue("\($0)".hasPrefix("gradPosition is []: expected at least one position"))
            XCTAssertEqual(($0 as? GradError)?.mindSporeMessage, "grad_position should not be empty when grad by position!")
        }
    }

    func testHasAuxNeedsATupleOfTwoAfterTheForward() throws {
        let single = try grad(f, hasAux: true)
        XCTAssertThrowsError(try single(x, y)) { XCTAssertEqual($0 as? GradError, .hasAuxNeedsSeveralOutputs) }
        let oneTuple = try grad({ (x: Tensor) -> TensorTree in [.tensor(x * x)] }, hasAux: true)
        XCTAssertThrowsError(try oneTuple(x)) {
            XCTAssertTrue("\($0)".hasPrefix("hasAux is true, so the function must return at least two outputs"))
            XCTAssertEqual(($0 as? GradError)?.mindSporeMessage, "When has_aux is True, origin fn requires more than one outputs.")
        }
    }

    func testSensShapeDtypeScalarAndCountErrors() throws {
        let g = try grad(f, sensParam: true)
        XCTAssertThrowsError(try g(x, y, sens: Tensor([1, 1, 1]))) {
            XCTAssertEqual("\($0)", "sens has shape [3]; expected the output's shape [2].")
            XCTAssertEqual(($0 as? GradError)?.mindSporeMessage, "The shape should be [const vector]{2}, but got [const vector]{3}")
        }
        XCTAssertThrowsError(try g(x, y, sens: Tensor([1, 1] as [Double]))) {
            XCTAssertEqual("\($0)", "sens has dtype Float64; expected the output's dtype Float32.")
            XCTAssertEqual(($0 as? GradError)?.mindSporeMessage, "The dtype should be Float32, but got Float64")
        }
        XCTAssertThrowsError(try g(x, y, sens: Tensor(1))) {
            XCTAssertEqual("\($0)", "sens has shape [] but the output has shape [2]; expected a sens of shape [2] (only a 0-d output takes a sens of another shape).")
            XCTAssertEqual(($0 as? GradError)?.mindSporeMessage, "For grad interface or custom function, grad tensor should be broadcast to expected shape, but got [const vector]{} vs [const vector]{2}")
        }
        let two = try grad({ (x: Tensor, y: Tensor) -> TensorTree in [.tensor(x * y), .tensor(x)] }, sensParam: true)
        XCTAssertThrowsError(try two(x, y, sens: Tensor([1, 1]))) {
            XCTAssertEqual($0 as? GradError, .sensCountMismatch(outputs: 2, sens: 1))
            XCTAssertEqual("\($0)", "sens has 1 tensor(s) but the function returned 2 output tensor(s); expected one sens tensor per output.")
        }
    }

    func testZeroDimensionalOutputSumsABroadcastableSens() throws {
        // sens [3,1,1] of ones acts as 3 on sum(x·x): dx = 3·2x.
        let g = try grad({ (x: Tensor) in (x * x).sum() }, sensParam: true)
        let dx = try g(Tensor([1, 2]), sens: Tensor.ones([3, 1, 1]))
        XCTAssertEqual(dx.asTensor.asArray(Float.self), [6, 12])
    }

    func testForwardValueAndGradRejectsGetByListWithoutAnArrayOfWeights() {
        let net = WithLossCell(Dense(inChannels: 2, outChannels: 1, seed: 1), MSELoss())
        XCTAssertThrowsError(try ForwardValueAndGrad(net, getByList: true)) {
            XCTAssertEqual("\($0)", "ForwardValueAndGrad: getByList is true, so weights must be an array of Parameters or a ParameterTuple; got nil.")
            XCTAssertEqual(($0 as? GradError)?.mindSporeMessage, "For 'ForwardValueAndGrad', when 'get_by_list' is set to True, the argument 'weights' must be Parameters array, but got '<class 'NoneType'>'")
        }
        let w = net.trainableParams()[0]
        XCTAssertThrowsError(try ForwardValueAndGrad(net, weights: w, getByList: true)) {
            XCTAssertEqual(($0 as? GradError)?.mindSporeErrorType, "TypeError")
        }
        XCTAssertNoThrow(try ForwardValueAndGrad(net, weights: [w], getByList: true))
    }

    func testParameterTupleRejectsTwoParametersWithOneName() {
        let a = Parameter(Tensor([1]), name: "a"), b = Parameter(Tensor([2]), name: "a")
        XCTAssertThrowsError(try ParameterTuple([a, b])) { XCTAssertEqual($0 as? GradError, .duplicateParameterName("a")) }
        XCTAssertNoThrow(try ParameterTuple([a, a]))
    }

    func testShapeErrorInsideTheForwardIsThrownAndLeavesParametersUnchanged() throws {
        let w = Parameter(Tensor([1, 2]), name: "w")
        let g = try valueAndGrad({ (x: Tensor) -> Tensor in
            w.value = w.value * 2            // a state change after the error must not happen…
            return (x + Tensor.zeros([3])).sum()
        }, gradPosition: 0)
        // The assignment above runs before the failing op; a failed call must still leave no state
        // behind when the error comes first:
        let h = try valueAndGrad({ (x: Tensor) -> Tensor in
            let bad = x + Tensor.zeros([3])   // error first
            w.value = w.value * 10           // skipped: the scope has failed
            return bad.sum()
        }, gradPosition: 0)
        XCTAssertThrowsError(try h(Tensor([1, 2]))) { error in
            guard case .tensor(let e)? = error as? GradError else { return XCTFail("\(error)") }
            XCTAssertEqual(e.op, "add")
            XCTAssertTrue(e.message.contains("[2]") && e.message.contains("[3]"))
        }
        XCTAssertEqual(w.value.asArray(Float.self), [1, 2])
        _ = g
    }

    func testWrongNumberOfInputsIsAnErrorNotACrash() throws {
        let g = try grad(f)
        XCTAssertThrowsError(try g(x)) { XCTAssertEqual($0 as? GradError, .wrongInputCount(expected: 2, got: 1)) }
    }
}

/// Tapes are per computation: nested and concurrent gradient computations do not see each other.
final class TapeIsolationTests: XCTestCase {
    func testConcurrentGradientComputationsOnManyThreadsAreIndependent() {
        final class Results: @unchecked Sendable {
            let lock = NSLock()
            var values = [Double](repeating: -1, count: 64)
            func set(_ i: Int, _ v: Double) { lock.lock(); values[i] = v; lock.unlock() }
        }
        let results = Results()
        DispatchQueue.concurrentPerform(iterations: 64) { i in
            let x = Tensor([Float(i)])
            let g = try? gradient(at: x) { x in (x * x * x).sum() }   // 3x²
            results.set(i, g?.item() ?? -1)
        }
        for i in 0..<64 { XCTAssertEqual(results.values[i], 3 * Double(i * i)) }
    }

    func testNestedGradientComputationInsideAnotherGivesSecondDerivative() throws {
        // f(x) = x³; the outer computation differentiates f'(x) = 3x², giving 6x.
        let x = Tensor([2] as [Double])
        let (firstDerivative, second) = try valueWithGradient(at: x) { x in
            (try? gradient(at: x) { x in (x * x * x).sum() }) ?? Tensor.zeros(like: x)
        }
        XCTAssertEqual(firstDerivative.scalars, [12])
        XCTAssertEqual(second.scalars, [12])
    }

    func testRecordingSkipsConstants() {
        let a = Tensor([1, 2]), b = Tensor([3, 4])
        XCTAssertFalse((a * b + a).isRecorded)
    }
}

/// Second derivatives through ops whose pullbacks reuse their forward output.
final class HigherOrderTests: XCTestCase {
    func secondDerivative(at x: Double, _ f: @escaping (Tensor) -> Tensor) throws -> Double {
        let (_, d2) = try valueWithGradient(at: Tensor([x] as [Double])) { x in
            (try? gradient(at: x) { f($0).sum() }) ?? Tensor.zeros(like: x)
        }
        return d2.item()
    }

    func testSecondDerivativesOfTanhSigmoidExpSqrtMatchCalculus() throws {
        let x = 0.7
        let t = Foundation.tanh(x), s = 1 / (1 + Foundation.exp(-x))
        XCTAssertEqual(try secondDerivative(at: x, tanh), -2 * t * (1 - t * t), accuracy: 1e-12)
        XCTAssertEqual(try secondDerivative(at: x, sigmoid), s * (1 - s) * (1 - 2 * s), accuracy: 1e-12)
        XCTAssertEqual(try secondDerivative(at: x, exp), Foundation.exp(x), accuracy: 1e-12)
        XCTAssertEqual(try secondDerivative(at: x, sqrt), -0.25 * Foundation.pow(x, -1.5), accuracy: 1e-12)
        XCTAssertEqual(try secondDerivative(at: x) { 1 / $0 }, 2 / (x * x * x), accuracy: 1e-12)
    }
}
