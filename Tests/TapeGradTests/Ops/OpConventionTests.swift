import XCTest
@testable import TapeGrad

/// Hand-derived values for the conventions MindSpore fixes (§9) and for bad input.
final class OpConventionTests: XCTestCase {
    func grad1(_ x: Tensor, _ f: (Tensor) -> Tensor) throws -> [Double] { try gradient(at: x) { f($0).sum() }.scalars }

    func testReluAndAbsHaveZeroDerivativeAtZero() throws {
        XCTAssertEqual(try grad1(Tensor([-1, 0, 2]), relu), [0, 0, 1])
        XCTAssertEqual(try grad1(Tensor([-1, 0, 2]), abs), [-1, 0, 1])
    }

    func testMaximumAndMinimumSplitTiesHalfAndHalf() throws {
        let (_, (da, db)) = try valueWithGradient(at: Tensor([1, 2, 3]), Tensor([2, 2, 2])) { maximum($0, $1).sum() }
        XCTAssertEqual(da.scalars, [0, 0.5, 1]); XCTAssertEqual(db.scalars, [1, 0.5, 0])
        let (_, (ma, mb)) = try valueWithGradient(at: Tensor([1, 2, 3]), Tensor([2, 2, 2])) { minimum($0, $1).sum() }
        XCTAssertEqual(ma.scalars, [1, 0.5, 0]); XCTAssertEqual(mb.scalars, [0, 0.5, 1])
    }

    func testMaxReductionSharesTheGradientAmongTies() throws {
        XCTAssertEqual(try grad1(Tensor([3, 1, 3])) { $0.max() }, [0.5, 0, 0.5])
    }

    func testSqrtAndLogDerivativesAreInfiniteAtZero() throws {
        XCTAssertEqual(try grad1(Tensor([0]), sqrt), [.infinity])
        XCTAssertEqual(try grad1(Tensor([0]), log), [.infinity])
    }

    func testPowExponentGradientIsZeroAtZeroBase() throws {
        let (_, (dx, dy)) = try valueWithGradient(at: Tensor([0, 2]), Tensor([0, 3])) { pow($0, $1).sum() }
        XCTAssertTrue(dx.scalars[0].isNaN)                 // 0 · 0⁻¹, as MindSpore
        XCTAssertEqual(dx.scalars[1], 12)
        XCTAssertEqual(dy.scalars[0], 0)
        XCTAssertEqual(dy.scalars[1], 8 * Foundation.log(2), accuracy: 1e-5)
    }

    func testInt32InputGradientIsTruncatedTowardZero() throws {
        // d/da (a · [0.5, -1.5]) = [0.5, -1.5] → int32 [0, -1]
        let a = Tensor([3, 4] as [Int32])
        let g = try gradient(at: a) { ($0 * Tensor([0.5, -1.5])).sum() }
        XCTAssertEqual(g.dtype, .int32)
        XCTAssertEqual(g.asArray(Int32.self), [0, -1])
    }

    func testDTypePromotionFollowsInt32Float32Float64() {
        XCTAssertEqual((Tensor([1] as [Int32]) + Tensor([1])).dtype, .float32)
        XCTAssertEqual((Tensor([1]) + Tensor([1] as [Double])).dtype, .float64)
        XCTAssertEqual((Tensor([1] as [Int32]) * 2).dtype, .int32)
        XCTAssertEqual((Tensor([1] as [Int32]) * 0.5).dtype, .float32)
        XCTAssertEqual((Tensor([1] as [Int32]) / Tensor([2] as [Int32])).dtype, .float32)
    }

    func testAstypeGradientIsCastBackToTheInputDType() throws {
        let x = Tensor([1.5, -2] as [Double])
        let g = try gradient(at: x) { ($0.astype(.float32) * Tensor([3, 4])).sum() }
        XCTAssertEqual(g.dtype, .float64)
        XCTAssertEqual(g.scalars, [3, 4])
    }

    func testOneHotAndGatherValues() {
        XCTAssertEqual(oneHot(Tensor([2, 0, 7] as [Int32]), depth: 3).scalars, [0, 0, 1, 1, 0, 0, 0, 0, 0])
        let e = gather(Tensor([[1, 2], [3, 4], [5, 6]]), indices: Tensor([2, 0] as [Int32]))
        XCTAssertEqual(e.shape, [2, 2]); XCTAssertEqual(e.scalars, [5, 6, 1, 2])
    }

    func testGatherGradientAccumulatesRepeatedIndices() throws {
        let g = try gradient(at: Tensor([[1, 2], [3, 4]])) { gather($0, indices: Tensor([1, 1, 0] as [Int32])).sum() }
        XCTAssertEqual(g.scalars, [1, 1, 2, 2])
    }

    func expectError(_ op: String, mentioning parts: [String], _ body: () -> Void, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try withErrorChecking { body() }, file: file, line: line) { error in
            guard let e = error as? TensorError else { return XCTFail("\(error)", file: file, line: line) }
            XCTAssertEqual(e.op, op, file: file, line: line)
            for p in parts { XCTAssertTrue(e.description.contains(p), "«\(e)» lacks \(p)", file: file, line: line) }
        }
    }

    func testBadInputThrowsInsideAScopeAndNamesOpAndShapes() {
        expectError("add", mentioning: ["[2, 3]", "[4]"]) { _ = Tensor.zeros([2, 3]) + Tensor.zeros([4]) }
        expectError("matmul", mentioning: ["[2, 3]", "[4, 5]"]) { _ = matmul(Tensor.zeros([2, 3]), Tensor.zeros([4, 5])) }
        expectError("sum", mentioning: ["axis 3", "[2, 3]"]) { _ = Tensor.zeros([2, 3]).sum(alongAxes: [3]) }
        expectError("softmax", mentioning: ["axis -3", "[2, 3]"]) { _ = Tensor.zeros([2, 3]).softmax(alongAxis: -3) }
        expectError("concat", mentioning: ["[2, 3]", "[2, 4]"]) { _ = concat([Tensor.zeros([2, 3]), Tensor.zeros([2, 4])], alongAxis: 0) }
        expectError("reshape", mentioning: ["[2, 3]", "[4]"]) { _ = Tensor.zeros([2, 3]).reshaped(to: [4]) }
        expectError("transpose", mentioning: ["[0, 0]", "[2, 3]"]) { _ = Tensor.zeros([2, 3]).transposed(permutation: [0, 0]) }
        expectError("gather", mentioning: ["index 5", "[3, 2]"]) { _ = gather(Tensor.zeros([3, 2]), indices: Tensor([5] as [Int32])) }
        expectError("slice", mentioning: ["1..<9", "[2, 3]"]) { _ = Tensor.zeros([2, 3]).sliced(alongAxis: 1, from: 1, to: 9) }
        expectError("Tensor.init", mentioning: ["3 values", "[2, 2]"]) { _ = Tensor([1, 2, 3], shape: [2, 2]) }
    }

    func testErrorScopeKeepsTheFirstErrorAndTheRestRunsOnPlaceholders() {
        XCTAssertThrowsError(try withErrorChecking { () -> Tensor in
            let bad = Tensor.zeros([2]) + Tensor.zeros([3])
            return matmul(bad, Tensor.zeros([7, 7]))   // a second error is not the one reported
        }) { XCTAssertEqual(($0 as? TensorError)?.op, "add") }
    }
}
