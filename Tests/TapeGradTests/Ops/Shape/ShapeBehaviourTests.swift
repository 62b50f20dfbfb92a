import XCTest
@testable import TapeGrad

/// Hand-derived layouts of the shape and creation ops.
final class ShapeBehaviourTests: XCTestCase {
    func testShapeOpsGiveTheDocumentedLayouts() {
        XCTAssertEqual(chunk(Tensor([1, 2, 3, 4, 5]), chunks: 3).map(\.shape), [[2], [2], [1]])
        XCTAssertEqual(chunk(Tensor([1, 2, 3, 4]), chunks: 3).map(\.shape), [[2], [2]])   // as MindSpore: fewer chunks
        XCTAssertEqual(split(Tensor([1, 2, 3, 4, 5]), size: 2).map(\.shape), [[2], [2], [1]])
        XCTAssertEqual(pad(Tensor([1, 2, 3]), padding: [2, 1], mode: .reflect).scalars, [3, 2, 1, 2, 3, 2])
        XCTAssertEqual(pad(Tensor([1, 2, 3]), padding: [2, 1], mode: .replicate).scalars, [1, 1, 1, 2, 3, 3])
        XCTAssertEqual(pad(Tensor([[1, 2]]), padding: [1, 0, 0, 1], value: 9).scalars, [9, 1, 2, 9, 9, 9])
        XCTAssertEqual(roll(Tensor([1, 2, 3, 4]), shifts: [1]).scalars, [4, 1, 2, 3])
        XCTAssertEqual(tile(Tensor([1, 2]), multiples: [2, 2]).scalars, [1, 2, 1, 2, 1, 2, 1, 2])
        XCTAssertEqual(repeatInterleave(Tensor([1, 2]), repeats: [2]).scalars, [1, 1, 2, 2])
        XCTAssertEqual(diag(Tensor([1, 2]), offset: 1).scalars, [0, 1, 0, 0, 0, 2, 0, 0, 0])
        XCTAssertEqual(trace(Tensor([[1, 2], [3, 4]])).item(), 5)
        XCTAssertEqual(triu(Tensor([[1, 2], [3, 4]])).scalars, [1, 2, 0, 4])
        XCTAssertEqual(Tensor.zeros([2, 3, 4]).flatten().shape, [2, 12])
        XCTAssertEqual(Tensor.zeros([2, 3, 4]).movedim(source: 0, destination: -1).shape, [3, 4, 2])
        XCTAssertEqual(meshgrid([Tensor([1, 2, 3]), Tensor([4, 5])]).map(\.shape), [[2, 3], [2, 3]])
        XCTAssertEqual(Tensor.linspace(-1, 1, steps: 5).scalars, [-1, -0.5, 0, 0.5, 1])
        XCTAssertEqual(Tensor.logspace(0, 2, steps: 3, dtype: .float64).scalars, [1, 10, 100])
        XCTAssertEqual(onesLike(Tensor([1, 2] as [Int32])).dtype, .int32)
    }

    /// Each bad argument is reported (inside a checking scope) as a TensorError naming op and value.
}
