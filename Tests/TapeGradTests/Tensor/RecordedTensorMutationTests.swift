import XCTest
@testable import TapeGrad

/// Writing through `withUnsafeMutableBufferPointer` into a tensor that a running gradient computation records
/// would cut it from the gradient: it is a TensorError thrown from the gradient function, never a silent zero.
final class RecordedTensorMutationTests: XCTestCase {
    let x = Tensor([1, 2, 3] as [Double])

    func assertMutationError(_ error: Error, file: StaticString = #filePath, line: UInt = #line) {
        guard case GradError.tensor(let e) = error else { return XCTFail("unexpected error \(error)", file: file, line: line) }
        XCTAssertEqual(e.op, "withUnsafeMutableBufferPointer", file: file, line: line)
        XCTAssertTrue(e.message.contains("stopGradient"), "the message should say what to do instead: \(e.message)", file: file, line: line)
    }

    func testWritingIntoARecordedIntermediateThrowsAndLeavesItUnchanged() {
        var seen: [Double] = []
        XCTAssertThrowsError(try valueWithGradient(at: x) { x in
            var y = x * 2
            let written = y.withUnsafeMutableBufferPointer(as: Double.self) { p -> Double in p[0] = 100; return p[0] }
            XCTAssertEqual(written, 100)   // the body ran, on a scratch copy
            seen = y.scalars
            return y.sum()
        }) { assertMutationError($0) }
        XCTAssertEqual(seen, [2, 4, 6])
    }

    func testWritingIntoTheDifferentiatedInputThrows() {
        XCTAssertThrowsError(try gradient(at: x) { x in
            var leaf = x
            leaf.withUnsafeMutableBufferPointer(as: Double.self) { $0[1] = 0 }
            return (leaf * leaf).sum()
        }) { assertMutationError($0) }
    }

    func testWritingIntoATrackedParameterValueThrows() throws {
        let p = Parameter(Tensor([1, 2] as [Double]), name: "p")
        let gradFn = try grad({ (x: Tensor) -> Tensor in
            var value = p.value
            value.withUnsafeMutableBufferPointer(as: Double.self) { $0[0] = 5 }
            return (value * x).sum()
        }, gradPosition: nil, weights: p)
        XCTAssertThrowsError(try gradFn(Tensor([3, 4] as [Double]))) { assertMutationError($0) }
        XCTAssertEqual(p.value.scalars, [1, 2])
    }

    func testWritingIntoAStopGradientCopyMakesAConstant() throws {
        // y = stop(2x) with y₀ overwritten by 10; L = Σ y ⊙ x, so ∂L/∂x = y.
        let (value, dx) = try valueWithGradient(at: x) { x in
            var y = stopGradient(x * 2)
            y.withUnsafeMutableBufferPointer(as: Double.self) { $0[0] = 10 }
            return (y * x).sum()
        }
        XCTAssertEqual(value.item(), 10 + 8 + 18)
        XCTAssertEqual(dx.scalars, [10, 4, 6])
    }

    func testATensorWhoseComputationHasEndedIsWrittenInPlace() throws {
        var escaped: Tensor?
        _ = try valueWithGradient(at: x) { x in
            let y = x * 3
            escaped = y
            return y.sum()
        }
        guard var y = escaped else { return XCTFail("the closure did not run") }
        y.withUnsafeMutableBufferPointer(as: Double.self) { $0[2] = -1 }
        XCTAssertEqual(y.scalars, [3, 6, -1])
        XCTAssertFalse(y.isRecorded)
    }
}
