import XCTest
@testable import TapeGrad

/// vmap's rules beyond the oracle cases: errors, unmapped outputs, differentiating through it.
final class VMapTests: XCTestCase {
    func testVMapRejectsMismatchedBatchSizesAndNoMappedInput() {
        let f = vmap({ x, y in x * y })
        XCTAssertThrowsError(try f(Tensor.ones([3, 2]), Tensor.ones([4, 2])))
        XCTAssertThrowsError(try vmap({ x, y in x * y }, inAxes: [nil, nil])(Tensor.ones([2]), Tensor.ones([2])))
        XCTAssertThrowsError(try vmap({ (x: Tensor) -> Tensor in x }, inAxes: 2)(Tensor.ones([3, 2])))
    }

    func testUnmappedOutputMustNotVaryAcrossTheBatch() throws {
        let constant = vmap({ (t: [Tensor]) -> TensorTree in [.tensor(t[0] * 2), .tensor(t[1])] }, inAxes: [0, nil], outAxes: [0, nil])
        let out = try constant([Tensor([[1, 2], [3, 4]]), Tensor([5, 6])])
        XCTAssertEqual(out[0].asTensor.scalars, [2, 4, 6, 8])
        XCTAssertEqual(out[1].asTensor.scalars, [5, 6])
        let varying = vmap({ x in x * 2 }, outAxes: nil)
        XCTAssertThrowsError(try varying(Tensor([[1, 2], [3, 4]])))
    }

    func testGradientFlowsThroughVMap() throws {
        // Σ_b Σ (x_b · w)² with w shared: ∂/∂w = Σ_b 2 (x_b · w) x_b.
        let xs = Tensor([[1, 2], [3, 4]]), w = Tensor([0.5, -1])
        let g = try gradient(at: w) { w in
            ((try? vmap({ (t: [Tensor]) in (t[0] * t[1]).sum() * (t[0] * t[1]).sum() }, inAxes: [0, nil])([xs, w]))?.tensorValue ?? w * .nan).sum()
        }
        // x₁·w = −1.5, x₂·w = −2.5: 2(−1.5)[1, 2] + 2(−2.5)[3, 4] = [−18, −26].
        XCTAssertEqual(g.scalars, [-18, -26])
    }
}
