import XCTest
@testable import TapeGrad

/// Hand-derived values of the selection and ordering ops: tie-breaking, index dtypes, cumprod at zeros.
final class SelectionBehaviourTests: XCTestCase {
    func testCumprodGradientIsExactAtZeros() throws {
        // y = [2, 0, 0]; ∂(Σy)/∂x = [1 + x₁ + x₁x₂, x₀ + x₀x₂, x₀x₁] = [1, 8, 0] at x = [2, 0, 3]
        // (MindSpore 2.10 gives NaN for the zero: its pullback divides by x).
        let g = try gradient(at: Tensor([2, 0, 3] as [Double])) { cumprod($0, axis: 0).sum() }
        XCTAssertEqual(g.scalars, [1, 8, 0])
    }

    func testSelectionOpsBreakTiesAsDocumented() {
        let t = Tensor([[1, 3, 3, 0]])
        XCTAssertEqual(t.argmax(axis: 1).scalars, [1])
        XCTAssertEqual(t.argmin(axis: -1, keepDims: true).shape, [1, 1])
        XCTAssertEqual(t.argmax().shape, [])
        XCTAssertEqual(Tensor(4).argmax(axis: -1).shape, [])
        XCTAssertEqual(sort(Tensor(4)).values.shape, [])
        XCTAssertEqual(sort(t, descending: true).indices.scalars, [1, 2, 0, 3])
        XCTAssertEqual(argsort(Tensor([2, 1, 2, 1])).scalars, [1, 3, 0, 2])
        XCTAssertEqual(topk(t, k: 2).indices.scalars, [1, 2])
        XCTAssertEqual(cummax(Tensor([1, 3, 2, 3]), axis: 0).indices.scalars, [0, 1, 1, 3])
        XCTAssertEqual(cummin(Tensor([3, 1, 1, 2]), axis: 0).indices.scalars, [0, 1, 2, 2])
        XCTAssertEqual(cummin(Tensor([0, Int32.min, 5] as [Int32]), axis: 0).values.asArray(Int32.self), [0, Int32.min, Int32.min])
        let sorted = unique(Tensor([2, 1, 2, 5]))
        XCTAssertEqual(sorted.values.scalars, [1, 2, 5])
        XCTAssertEqual(sorted.inverse.scalars, [1, 0, 1, 2])
        XCTAssertEqual(sorted.counts.scalars, [1, 2, 1])
        XCTAssertEqual(unique(Tensor([2, 1, 2, 5]), sorted: false).values.scalars, [2, 1, 5])
        XCTAssertEqual(nonzero(Tensor([[0, 1], [2, 0]])).scalars, [0, 1, 1, 0])
        XCTAssertEqual(nonzero(Tensor([[0, 1], [2, 0]])).dtype, .int32)
    }
}
