import XCTest
@testable import TapeGrad

/// Issue 10 item 1: every call spelling that compiles works, or throws a catchable error.
final class CallSpellingTests: XCTestCase {
    final class Product: Cell {
        let w = Parameter(Tensor([2]), name: "w")
        override func construct(_ x: Tensor, _ y: Tensor) -> Tensor { (x * y * w.value).sum() }
    }

    func testForwardValueAndGradCalledWithTensorsGivesValueAndGradients() throws {
        let net = Product()
        let fvg = try ForwardValueAndGrad(net, weights: net.trainableParams(), getAll: true, getByList: true)
        let (value, grads) = try fvg(Tensor([3]), Tensor([5]))
        // f = x·y·w: value 30; ∂f/∂x = y·w = 10, ∂f/∂y = x·w = 6, ∂f/∂w = x·y = 15.
        XCTAssertEqual(try value.tensor().item(), 30)
        XCTAssertEqual(try grads.element(at: 0)?.tensor(at: 0).item(), 10)
        XCTAssertEqual(try grads.element(at: 0)?.tensor(at: 1).item(), 6)
        XCTAssertEqual(try grads.element(at: 1)?.tensor(at: 0).item(), 15)
        let viaArray = fvg([Tensor([3]), Tensor([5])])
        XCTAssertEqual(viaArray, [value, grads])
    }

    func testFourInputCellsAndForwardValueAndGradTakeFourTensors() throws {
        let cell = LambdaCell { (a: Tensor, b: Tensor, c: Tensor, d: Tensor) in a * b + c * d }
        XCTAssertEqual(cell(Tensor([1]), Tensor([2]), Tensor([3]), Tensor([4])), Tensor([14]))
        let (value, grads) = try ForwardValueAndGrad(cell, getAll: true)(Tensor([1]), Tensor([2]), Tensor([3]), Tensor([4]))
        XCTAssertEqual(value, .tensor(Tensor([14])))
        XCTAssertEqual(grads.tensors.map { $0.item() }, [2, 1, 4, 3])
    }

    func testForwardValueAndGradWithSensTakesItLabeledOrLast() throws {
        let net = Product()
        let fvg = try ForwardValueAndGrad(net, getAll: true, sensParam: true)
        let labeled = try fvg(Tensor([3]), Tensor([5]), sens: Tensor(2))
        let positional = try fvg.valueAndGradients(Tensor([3]), Tensor([5]), Tensor(2))
        XCTAssertEqual(try labeled.gradients.tensor(at: 0).item(), 20)   // 2 · y·w
        XCTAssertEqual(labeled.gradients, positional.gradients)
    }

    func testThrowingAccessorsOfTensorTreeNameWhatWasThere() throws {
        let pair: TensorTree = [Tensor([1]), Tensor([2])]
        XCTAssertThrowsError(try pair.tensor()) {
            XCTAssertEqual("\($0)", "TensorTree.tensor(): (Tensor[1], Tensor[1]) is a 2-tuple, not a single tensor; use tensor(at:) for an element of a tuple")
        }
        XCTAssertThrowsError(try pair.tensor(at: 3)) {
            XCTAssertEqual("\($0)", "TensorTree.tensor(at: 3): (Tensor[1], Tensor[1]) is a 2-tuple, which has no element 3")
        }
        let nested: TensorTree = [pair, Tensor([3])]
        XCTAssertThrowsError(try nested.tensor(at: 0)) { XCTAssertTrue("\($0)".contains("element 0 of")) }
        XCTAssertEqual(try nested.tensor(at: 1), Tensor([3]))
        XCTAssertNil(pair.element(at: 2))
        XCTAssertNil(pair.tensorValue)
        XCTAssertEqual(try TensorTree.tensor(Tensor([4])).tensor(), Tensor([4]))
    }

    func testGradOperationTakesClosuresOfFourTensors() throws {
        let g = try GradOperation(getAll: true)({ (a: Tensor, b: Tensor, c: Tensor, d: Tensor) in a * b + c * d })(
            Tensor([1]), Tensor([2]), Tensor([3]), Tensor([4]))
        XCTAssertEqual(g.tensors.map { $0.item() }, [2, 1, 4, 3])
    }

    func testAWrongInputCountIsATypeErrorForClosuresCellsAndArrayClosures() throws {
        let closure = try grad({ (x: Tensor, y: Tensor) in x * y })
        XCTAssertThrowsError(try closure(Tensor([1]))) {
            XCTAssertEqual($0 as? GradError, .wrongInputCount(expected: 2, got: 1))
            XCTAssertEqual(($0 as? GradError)?.mindSporeErrorType, "TypeError")
        }
        let cell = try grad(Product())
        XCTAssertThrowsError(try cell(Tensor([1]), Tensor([2]), Tensor([3]))) {
            XCTAssertEqual($0 as? GradError, .cellDoesNotTakeInputCount(cell: "Product", got: 3))
            XCTAssertEqual(($0 as? GradError)?.mindSporeErrorType, "TypeError")
            XCTAssertTrue("\($0)".hasPrefix("Product was called with 3 input(s) but overrides no construct taking 3 tensor(s)"))
        }
        let array = try grad({ (t: [Tensor]) in t[0] * t[1] }, inputCount: 2)
        XCTAssertThrowsError(try array(Tensor([1]))) {   // without inputCount, t[1] would trap
            XCTAssertEqual($0 as? GradError, .wrongInputCount(expected: 2, got: 1))
        }
        let lambda = try grad(LambdaCell { (x: Tensor) in x * x })
        XCTAssertThrowsError(try lambda(Tensor([1]), Tensor([2]))) {
            XCTAssertEqual($0 as? GradError, .cellDoesNotTakeInputCount(cell: "LambdaCell", got: 2))
        }
        let go = GradOperation()({ (t: [Tensor]) in t[0] * t[1] }, inputCount: 2)
        XCTAssertThrowsError(try go(Tensor([1]), Tensor([2]), Tensor([3]))) {
            XCTAssertEqual($0 as? GradError, .wrongInputCount(expected: 2, got: 3))
        }
    }

    func testAMissingSensAndASensWithoutSensParamSaySo() throws {
        let withSens = try grad({ (x: Tensor) in x * 2 }, sensParam: true)
        XCTAssertThrowsError(try withSens([Tensor]())) {
            XCTAssertEqual($0 as? GradError, .missingSens)
            XCTAssertEqual("\($0)", "sensParam is true but no sens was given: pass sens: or add it as the last input.")
        }
        let withoutSens = try grad({ (x: Tensor) in x * 2 })
        XCTAssertThrowsError(try withoutSens(Tensor([1]), sens: Tensor([1]))) {
            XCTAssertEqual($0 as? GradError, .sensWithoutSensParam)
            XCTAssertEqual(($0 as? GradError)?.mindSporeErrorType, "TypeError")
            XCTAssertTrue("\($0)".hasPrefix("a sens was given but sensParam is false"))
        }
    }

    func testLambdaCellGivesAClosureToForwardValueAndGrad() throws {
        let w = Parameter(Tensor([2]), name: "w")
        let cell = LambdaCell(parameters: [w]) { (x: Tensor, y: Tensor) in square(x * w.value - y).sum() }
        XCTAssertEqual(cell.trainableParams().map(\.name), ["w"])
        let fvg = try ForwardValueAndGrad(cell, weights: cell.trainableParams(), getByList: true)
        let (loss, grads) = try fvg(Tensor([1]), Tensor([3]))
        // (1·2 − 3)² = 1; ∂/∂w = 2(xw − y)·x = −2.
        XCTAssertEqual(try loss.tensor().item(), 1)
        XCTAssertEqual(try grads.tensor(at: 0).item(), -2)
    }
}

/// Issue 10 item 3: several outputs without building a TensorTree by hand.
final class MultipleOutputTests: XCTestCase {
    func testAClosureMayReturnATupleOfTensors() throws {
        let (value, dx) = try valueAndGrad({ (x: Tensor) in (x * x, x) })(Tensor([3]))
        XCTAssertEqual(value.0, Tensor([9]))
        XCTAssertEqual(value.1, Tensor([3]))
        XCTAssertEqual(try dx.tensor(), Tensor([7]))   // 2x + 1, every output seeded with ones
        let three = try grad({ (x: Tensor, y: Tensor) in (x * y, x, y) }, gradPosition: [0, 1])(Tensor([2]), Tensor([5]))
        XCTAssertEqual(three.tensors.map { $0.item() }, [6, 3])   // y + 1, x + 1
        let aux = try grad({ (x: Tensor) in (x * x, x) }, hasAux: true)(Tensor([3]))
        XCTAssertEqual(aux, [Tensor([6]), TensorTree.tuple([.tensor(Tensor([3]))])])
    }

    func testGradOperationAndThreeOutputsTakeTuplesToo() throws {
        let g = try GradOperation(getAll: true)({ (x: Tensor, y: Tensor) in (x * y, x - y) })(Tensor([2]), Tensor([5]))
        XCTAssertEqual(g, [Tensor([6]), Tensor([1])])   // (y + 1, x − 1)
        let (value, dx) = try valueAndGrad({ (x: Tensor) in (x * x, x, -x) })(Tensor([3]))
        XCTAssertEqual([value.0, value.1, value.2], [Tensor([9]), Tensor([3]), Tensor([-3])])
        XCTAssertEqual(try dx.tensor(), Tensor([6]))
        let sens = try valueAndGrad({ (x: Tensor) in (x * x, x) }, sensParam: true)(Tensor([3]), sens: [Tensor([1]), Tensor([10])])
        XCTAssertEqual(try sens.gradients.tensor(), Tensor([16]))   // 1·2x + 10·1
    }

    func testAClosureMayReturnAnArrayOfTensors() throws {
        let (value, dx) = try valueAndGrad({ (x: Tensor) in [x * x, x * 3] })(Tensor([2]))
        XCTAssertEqual(value, [Tensor([4]), Tensor([6])])
        XCTAssertEqual(try dx.tensor(), Tensor([7]))   // 2x + 3
    }

    func testTensorTreeIsAnArrayLiteralOfTensorsOrTrees() {
        let a = Tensor([1]), b = Tensor([2])
        let tensors: TensorTree = [a, b]
        let trees: TensorTree = [.tensor(a), .tensor(b)]
        XCTAssertEqual(tensors, trees)
        let mixed: TensorTree = [a, tensors, .tuple([])]
        XCTAssertEqual(mixed, .tuple([.tensor(a), .tuple([.tensor(a), .tensor(b)]), .tuple([])]))
    }
}

/// Issue 10 item 8: integer arrays and typed items.
final class SmallConveniencesTests: XCTestCase {
    func testIntArraysBuildInt32TensorsAndLiteralsStayFloat() {
        let labels: [Int] = [0, 2, 1]
        XCTAssertEqual(Tensor(labels).dtype, .int32)
        XCTAssertEqual(Tensor(labels).asArray(Int32.self), [0, 2, 1])
        let rows: [[Int]] = [[1, 2], [3, 4]]
        XCTAssertEqual(Tensor(rows).shape, [2, 2])
        XCTAssertEqual(Tensor(rows).dtype, .int32)
        XCTAssertEqual(Tensor(labels, shape: [3, 1]).shape, [3, 1])
        XCTAssertEqual(Tensor([0, 2, 1]).dtype, .float32)
        XCTAssertThrowsError(try withErrorChecking { Tensor([Int(Int32.max) + 1] as [Int]) }) {
            XCTAssertEqual("\($0)", "Tensor.init: value 2147483648 does not fit in int32")
        }
    }

    func testItemAsReturnsTheRequestedType() throws {
        let f: Float = Tensor(0.25).item(as: Float.self)
        XCTAssertEqual(f, 0.25)
        XCTAssertEqual(Tensor([7] as [Int32]).item(as: Int32.self), 7)
        XCTAssertEqual(Tensor(2.75 as Double).item(as: Int32.self), 2)
        XCTAssertThrowsError(try withErrorChecking { Tensor([1, 2]).item(as: Float.self) })
    }
}

/// A training step on a network with several outputs throws instead of trapping, and updates nothing.
final class TrainStepOutputTests: XCTestCase {
    func testTrainOneStepCellOnATwoOutputNetworkThrowsAndLeavesTheParameters() throws {
        let w = Parameter(Tensor([2]), name: "w")
        let twoOutputs = LambdaCell(parameters: [w]) { (x: Tensor) in [x * w.value, x] }
        let train = try TrainOneStepCell(twoOutputs, optimizer: SGD(params: [w], learningRate: 0.1))
        XCTAssertThrowsError(try train.step(Tensor([1]))) {
            XCTAssertTrue("\($0)".contains("is a 2-tuple, not a single tensor"), "\($0)")
        }
        XCTAssertEqual(w.value, Tensor([2]))
    }
}

/// `localizedDescription` gives the Swift sentence, not Foundation's generic text.
final class LocalizedErrorTests: XCTestCase {
    func testLocalizedDescriptionIsTheSwiftSentence() {
        XCTAssertThrowsError(try grad({ (x: Tensor) in x }, gradPosition: -1)) {
            XCTAssertEqual($0.localizedDescription, "gradPosition is -1; expected an input position >= 0.")
        }
        XCTAssertThrowsError(try withErrorChecking { Tensor.zeros([2]) + Tensor.zeros([3]) }) {
            XCTAssertEqual($0.localizedDescription, "\($0)")
            XCTAssertTrue($0.localizedDescription.hasPrefix("add: "))
        }
        XCTAssertEqual(OptimizerError.gradientCount(expected: 2, got: 1).localizedDescription, "expected 2 gradients (one per parameter), got 1")
    }
}
