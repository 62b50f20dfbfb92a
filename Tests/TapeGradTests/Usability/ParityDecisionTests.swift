import XCTest
@testable import TapeGrad

/// Issue 10 item 7: the documented deviations from MindSpore 2.10 (README "Differences from MindSpore"),
/// each pinned with MindSpore's recorded behaviour beside TapeGrad's.
final class ParityDecisionTests: XCTestCase {
    func testTheSameTensorAtTwoPositionsGetsItsPartialAtEachPosition() throws {
        // f(x, y) = x·y at x = y = t = [1, 2]: partials (y, x) = (t, t).
        // MindSpore 2.10 (identity-based) gives the total 2t at both positions: ([2, 4], [2, 4]).
        let t = Tensor([1, 2])
        let g = try grad({ (x: Tensor, y: Tensor) in x * y }, gradPosition: [0, 1])(t, t)
        XCTAssertEqual(try g.tensor(at: 0), Tensor([1, 2]))
        XCTAssertEqual(try g.tensor(at: 1), Tensor([1, 2]))
        // The total derivative, when wanted, is the derivative of the one-argument function:
        XCTAssertEqual(try grad({ (x: Tensor) in x * x })(t).tensor(), Tensor([2, 4]))
    }

    func testForwardValueAndGradAcceptsALabeledSens() throws {
        // MindSpore's ForwardValueAndGrad.construct raises TypeError for a `sens=` keyword.
        let net = LambdaCell { (x: Tensor) in x * 3 }
        let fvg = try ForwardValueAndGrad(net, getAll: true, sensParam: true)
        let (_, grads) = try fvg.valueAndGradients([Tensor([1, 2])], sens: .tensor(Tensor([1, 10])))
        XCTAssertEqual(try grads.tensor(at: 0), Tensor([3, 30]))
    }

    func testHasAuxAcceptsAnArrayOfTensorsAsATuple() throws {
        // MindSpore 2.10 raises ValueError for a *list* output with has_aux (it needs a tuple);
        // Swift has one sequence of outputs, so [Tensor] is the tuple.
        let (g, aux) = try { () throws -> (TensorTree, TensorTree) in
            let out = try grad({ (x: Tensor) in [x * x, x] }, hasAux: true)(Tensor([3]))
            return (out.element(at: 0) ?? [], out.element(at: 1) ?? [])
        }()
        XCTAssertEqual(g, .tensor(Tensor([6])))
        XCTAssertEqual(aux, [Tensor([3])])
    }

    func testForwardValueAndGradWorksOnAClosureThroughLambdaCell() throws {
        // MindSpore's ForwardValueAndGrad requires a Cell; LambdaCell makes one of a closure.
        let fvg = try ForwardValueAndGrad(LambdaCell { (x: Tensor, y: Tensor) in (x * y).sum() }, getAll: true)
        let (value, grads) = try fvg(Tensor([2, 3]), Tensor([4, 5]))
        XCTAssertEqual(try value.tensor().item(), 23)
        XCTAssertEqual(grads, [Tensor([4, 5]), Tensor([2, 3])])
    }
}
