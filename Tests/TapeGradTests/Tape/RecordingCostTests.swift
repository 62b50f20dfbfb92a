import XCTest
@testable import TapeGrad

/// Pins the layouts that keep a recorded op small (issue 13: ≤ 120 bytes per recorded op on W2, measured by
/// `tapegrad-bench --only W2`) and allocation-free apart from its output buffer, and checks the storage both
/// kinds of buffer (elements in the object, or a pooled block) hand out.
final class RecordingCostTests: XCTestCase {
    func testTensorAndNodeLayoutsStaySmall() {
        // A tensor is its buffer, its shape and a two-word tracking (no object per recorded tensor).
        XCTAssertEqual(MemoryLayout<Tracking>.size, 16)
        XCTAssertEqual(MemoryLayout<Tensor>.size, 32)
        XCTAssertEqual(MemoryLayout<Tensor?>.size, 32)
        XCTAssertEqual(MemoryLayout<Tape.Node>.stride, 40)
    }

    func testSmallBuffersLiveInTheirObjectAndLargeOnesComeFromThePoolAligned() {
        let small = TensorBuffer.make(dtype: .float64, count: 3)
        let large = TensorBuffer.make(dtype: .float32, count: BufferPool.minimumPooledBytes / 4)
        let objectStart = UInt(bitPattern: Unmanaged.passUnretained(small).toOpaque())
        let smallStart = UInt(bitPattern: small.raw)
        XCTAssertTrue(smallStart > objectStart && smallStart < objectStart + 128, "the elements follow the header")
        XCTAssertEqual(smallStart % 16, 0)
        XCTAssertEqual(UInt(bitPattern: large.raw) % 64, 0)
        XCTAssertEqual(small.count, 3); XCTAssertEqual(small.dtype, .float64)
        XCTAssertEqual(large.count, 4096); XCTAssertEqual(large.dtype, .float32)
        XCTAssertLessThan(small.serial, large.serial)
    }

    func testSmallAndLargeTensorsKeepTheirValuesThroughCopyOnWrite() {
        for n in [1, 16, 4095, 4096, 5000] {
            let values = (0..<n).map { Float($0) * 0.5 }
            let a = Tensor(values)
            var b = a
            b.withUnsafeMutableBufferPointer(as: Float.self) { $0[0] = -7 }
            XCTAssertEqual(a.asArray(Float.self), values)
            XCTAssertEqual(b.asArray(Float.self)[0], -7)
            XCTAssertEqual(Array(b.asArray(Float.self).dropFirst()), Array(values.dropFirst()))
        }
    }
}
