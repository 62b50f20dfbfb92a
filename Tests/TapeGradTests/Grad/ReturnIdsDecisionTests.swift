import XCTest
@testable import TapeGrad

/// Decision 3: where MindSpore 2.10's return_ids is buggy, TapeGrad pairs every id with the full gradient.
final class ReturnIdsDecisionTests: XCTestCase {
    let x = Tensor([1, 2]), y = Tensor([3, -4])
    let f: (Tensor, Tensor) -> Tensor = { x, y in x * y }

    func testSingleNonZeroPositionGivesAFlatPairWithTheFullGradient() throws {
        // MindSpore: ((1, g[0]),) — the first element only.
        let g = try grad(f, gradPosition: 1, returnIds: true)(x, y)
        XCTAssertEqual(g, [.position(1), .tensor(x)])
        XCTAssertEqual(try grad(f, gradPosition: [1], returnIds: true)(x, y), [.position(1), .tensor(x)])
    }

    func testPositionsWithABareMultiElementParameterGiveInputsAndWeightsParts() throws {
        // MindSpore: ValueError (bool of a 2-element Parameter).
        let w = Parameter(Tensor([2, 3]), name: "w")
        let g = try grad({ (x: Tensor) in x * w.value }, gradPosition: 0, weights: w, returnIds: true)(x)
        XCTAssertEqual(g, [.tuple([.position(0), .tensor(Tensor([2, 3]))]), .tuple([.name("w"), .tensor(x)])])
    }

    func testPositionsWithAZeroOneElementParameterKeepTheTwoParts() throws {
        // MindSpore: a flat triple (0, g, ('w0', gw0)).
        let w0 = Parameter(Tensor([0]), name: "w0")
        let g = try grad({ (x: Tensor) in x * w0.value }, gradPosition: 0, weights: w0, returnIds: true)(x)
        XCTAssertEqual(g, [.tuple([.position(0), .tensor(Tensor([0, 0]))]), .tuple([.name("w0"), .tensor(Tensor([3]))])])
    }

    func testPositionsWithAnEmptyWeightsListGiveAnEmptyWeightsPart() throws {
        // MindSpore: a flat triple (0, g, ()).
        let g = try grad(f, gradPosition: 0, weights: [Parameter](), returnIds: true)(x, y)
        XCTAssertEqual(g, [.tuple([.position(0), .tensor(y)]), .tuple([])])
    }

    func testPrintingFollowsPythonTuples() throws {
        let g = try grad(f, gradPosition: 0, returnIds: true)(Tensor([1]), Tensor([2]))
        XCTAssertEqual(g.description, "(0, Tensor(shape=[1], dtype=Float32, value= [ 2.00000000e+00]))")
        XCTAssertEqual(TensorTree.tuple([.name("w")]).description, "('w',)")
        XCTAssertEqual(TensorTree.tuple([]).description, "()")
    }
}
