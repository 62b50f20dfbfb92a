import XCTest
@testable import TapeGrad

/// Degenerate shapes must give the mathematically right (empty or zero) answer, never reach BLAS with
/// illegal arguments.
final class EdgeCaseTests: XCTestCase {
    func testZeroSizedMatrixProducts() throws {
        XCTAssertEqual(matmul(Tensor.zeros([0, 3]), Tensor.zeros([3, 4])).shape, [0, 4])
        XCTAssertEqual(matmul(Tensor.zeros([2, 3]), Tensor.zeros([3, 0])).shape, [2, 0])
        let inner = matmul(Tensor.ones([2, 0]), Tensor.ones([0, 3]))
        XCTAssertEqual(inner.shape, [2, 3]); XCTAssertEqual(inner.scalars, [0, 0, 0, 0, 0, 0])
        let (_, (da, db)) = try valueWithGradient(at: Tensor.ones([2, 0]), Tensor.ones([0, 3])) { matmul($0, $1).sum() }
        XCTAssertEqual(da.shape, [2, 0]); XCTAssertEqual(db.shape, [0, 3])
        XCTAssertEqual(linear(Tensor.zeros([0, 4]), weight: Tensor.zeros([3, 4]), bias: Tensor.zeros([3])).shape, [0, 3])
        XCTAssertEqual(linear(Tensor.ones([2, 0]), weight: Tensor.ones([3, 0]), bias: Tensor.ones([3])).scalars, [1, 1, 1, 1, 1, 1])
    }

    func testEmptyTensorsThroughElementwiseAndReductions() throws {
        let e = Tensor.zeros([0, 3])
        XCTAssertEqual((e + 1).shape, [0, 3])
        XCTAssertEqual(e.sum().item(), 0)
        XCTAssertEqual(e.sum(alongAxes: [0]).scalars, [0, 0, 0])
        XCTAssertEqual(e.softmax(alongAxis: 1).shape, [0, 3])
        XCTAssertThrowsError(try withErrorChecking { _ = e.max() })
    }
}
