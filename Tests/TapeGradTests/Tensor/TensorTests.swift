import XCTest
@testable import TapeGrad

final class TensorTests: XCTestCase {
    func testCreationFromFlatNestedAndScalar() {
        let a = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        XCTAssertEqual(a.shape, [2, 3]); XCTAssertEqual(a.dtype, .float32); XCTAssertEqual(a.count, 6)
        XCTAssertEqual(Tensor([[1, 2], [3, 4]]).asArray(Float.self), [1, 2, 3, 4])
        XCTAssertEqual(Tensor([[[1], [2]], [[3], [4]]]).shape, [2, 2, 1])
        XCTAssertEqual(Tensor(2.5).shape, []); XCTAssertEqual(Tensor(2.5).item(), 2.5)
        XCTAssertEqual(Tensor([1, 2] as [Double]).dtype, .float64)
        XCTAssertEqual(Tensor([1, 2] as [Int32]).dtype, .int32)
    }

    func testFactories() {
        XCTAssertEqual(Tensor.zeros([2, 2]).scalars, [0, 0, 0, 0])
        XCTAssertEqual(Tensor.ones([3], dtype: .int32).asArray(Int32.self), [1, 1, 1])
        XCTAssertEqual(Tensor.full([2], value: 7).scalars, [7, 7])
        XCTAssertEqual(Tensor.arange(0, 5).scalars, [0, 1, 2, 3, 4])
        XCTAssertEqual(Tensor.arange(1, 2, step: 0.25).scalars, [1, 1.25, 1.5, 1.75])
        XCTAssertEqual(Tensor.eye(2).scalars, [1, 0, 0, 1])
    }

    func testSeededRandomTensorsAreReproducibleAndWellShaped() {
        let a = Tensor.randomNormal([1000], seed: 7), b = Tensor.randomNormal([1000], seed: 7)
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, Tensor.randomNormal([1000], seed: 8))
        let v = Tensor.randomNormal([20000], mean: 1, standardDeviation: 2, dtype: .float64, seed: 1).scalars
        let mean = v.reduce(0, +) / Double(v.count)
        let std = (v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(v.count)).squareRoot()
        XCTAssertEqual(mean, 1, accuracy: 0.05); XCTAssertEqual(std, 2, accuracy: 0.05)
        let u = Tensor.randomUniform([10000], lower: -1, upper: 3, seed: 2).scalars
        XCTAssertTrue(u.allSatisfy { $0 >= -1 && $0 < 3 })
        XCTAssertEqual(u.reduce(0, +) / 10000, 1, accuracy: 0.05)
    }

    func testCopyOnWriteLeavesTheOriginalUntouched() {
        let a = Tensor([1, 2, 3])
        var b = a
        b.withUnsafeMutableBufferPointer(as: Float.self) { $0[0] = 9 }
        XCTAssertEqual(a.scalars, [1, 2, 3]); XCTAssertEqual(b.scalars, [9, 2, 3])
    }

    func testConversionsAndDescription() {
        XCTAssertEqual(Tensor([1.5, -2.5]).asArray(Int32.self), [1, -2])
        XCTAssertEqual(Tensor([1.5]).astype(.float64).dtype, .float64)
        XCTAssertEqual(Tensor([1, 2]).description, "Tensor(shape=[2], dtype=Float32, value= [ 1.00000000e+00,  2.00000000e+00])")
        XCTAssertEqual(Tensor([[1], [-2]]).description, "Tensor(shape=[2, 1], dtype=Float32, value=\n[[ 1.00000000e+00],\n [-2.00000000e+00]])")
        XCTAssertTrue(Tensor([1, 2]).isClose(to: Tensor([1, 2.0000001])))
        XCTAssertFalse(Tensor([1, 2]).isClose(to: Tensor([1, 2.1])))
        XCTAssertFalse(Tensor([1, 2]).isClose(to: Tensor([1, 2, 3])))
    }
}
