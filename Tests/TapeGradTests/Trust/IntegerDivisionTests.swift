import XCTest
@testable import TapeGrad

/// Division of int32 tensors is true division into float32, as MindSpore's Div, for every spelling
/// (issue 8, found 2). Values checked by hand.
final class IntegerDivisionTests: XCTestCase {
    let ints = Tensor([4, 6, -7] as [Int32])

    func assertFloat32(_ t: Tensor, _ expected: [Float], _ spelling: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(t.dtype, .float32, spelling, file: file, line: line)
        XCTAssertEqual(t.asArray(Float.self), expected, spelling, file: file, line: line)
    }

    func testEveryDivisionSpellingOfInt32IsTrueDivisionIntoFloat32() {
        assertFloat32(ints / 2, [2, 3, -3.5], "tensor / integral number")
        assertFloat32(ints / 4, [1, 1.5, -1.75], "tensor / number")
        assertFloat32(ints / 0.5, [8, 12, -14], "tensor / fraction")
        assertFloat32(12 / ints, [3, 2, -12.0 / 7.0], "number / tensor")
        assertFloat32(ints / 0, [.infinity, .infinity, -.infinity], "tensor / 0")
        assertFloat32(ints / Tensor([8, 4, 2] as [Int32]), [0.5, 1.5, -3.5], "int tensor / int tensor")
        assertFloat32(ints / Tensor(Int32(4)), [1, 1.5, -1.75], "int tensor / 0-d int tensor")
        assertFloat32(ints / Tensor([0] as [Int32]), [.infinity, .infinity, -.infinity], "int tensor / int zeros")
        var t = ints
        t /= Tensor([2, 4, 7] as [Int32])
        assertFloat32(t, [2, 1.5, -1], "/=")
    }

    func testZeroDividedByZeroIsNaNNotATrap() {
        let q = Tensor([0] as [Int32]) / 0
        XCTAssertEqual(q.dtype, .float32)
        XCTAssertTrue(q.asArray(Float.self)[0].isNaN)
    }

    func testFloatDivisionKeepsItsDType() {
        XCTAssertEqual((Tensor([3] as [Double]) / 2).dtype, .float64)
        XCTAssertEqual((Tensor([3] as [Float]) / 2).asArray(Float.self), [1.5])
    }

    func testGradientOfAHalvedInt32SumIsComputedInFloatAndTruncatedBackToInt32() throws {
        // d/dx Σ x/2 = 0.5 in float; decision 5 casts it back to x's dtype truncating toward zero: 0.
        let (value, g) = try valueAndGrad({ (x: Tensor) in (x / 2).sum() }, gradPosition: 0)(ints)
        XCTAssertEqual(value.dtype, .float32)
        XCTAssertEqual(value.asArray(Float.self), [1.5])          // (4 + 6 − 7) / 2
        XCTAssertEqual(g.asTensor.dtype, .int32)
        XCTAssertEqual(g.asTensor.asArray(Int32.self), [0, 0, 0])
        // d/dx Σ (x/2)·3 = 1.5 → 1; d/dx Σ 12/x = −12/x² → [−0.75, −0.33…, −0.24…] → [0, 0, 0]; Σ 16/x at x = 2 → −4.
        let g2 = try grad({ (x: Tensor) in (x / 2 * 3).sum() }, gradPosition: 0)(ints)
        XCTAssertEqual(g2.asTensor.asArray(Int32.self), [1, 1, 1])
        let g3 = try grad({ (x: Tensor) in (16 / x).sum() }, gradPosition: 0)(Tensor([2, -1] as [Int32]))
        XCTAssertEqual(g3.asTensor.asArray(Int32.self), [-4, -16])
        let g4 = try grad({ (x: Tensor) in (x / Tensor([0.25] as [Float])).sum() }, gradPosition: 0)(ints)
        XCTAssertEqual(g4.asTensor.asArray(Int32.self), [4, 4, 4])
    }
}
