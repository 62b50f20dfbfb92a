import Foundation
import XCTest
@testable import TapeGrad

/// A tensor from the dtype fixtures' exact encoding: `{"dtype", "shape", "hex"}`, the hex being the
/// little-endian bytes of the elements (written by Oracle/dtypes_oracle.py and Oracle/safetensors_dtypes.py).
func hexTensor(_ value: Any?) throws -> Tensor {
    guard let object = value as? [String: Any], let name = object["dtype"] as? String, let dtype = DType(name: name),
          let shape = object["shape"] as? [Int], let hex = object["hex"] as? String else {
        throw FixtureError("not a hex tensor: \(String(describing: value))")
    }
    var bytes: [UInt8] = []
    var index = hex.startIndex
    while index < hex.endIndex {
        let next = hex.index(index, offsetBy: 2)
        guard let byte = UInt8(hex[index..<next], radix: 16) else { throw FixtureError("bad hex in \(name) tensor") }
        bytes.append(byte)
        index = next
    }
    let tensor = Tensor.uninitialized(shape, dtype: dtype)
    guard bytes.count == tensor.count * dtype.byteSize else { throw FixtureError("\(bytes.count) bytes for \(shape) \(name)") }
    bytes.withUnsafeBytes { raw in if let base = raw.baseAddress { tensor.buffer.raw.copyMemory(from: base, byteCount: raw.count) } }
    return tensor
}

/// Each element as a comparable key: integers exactly, floats by bit pattern of their value (so `-0 ≠ 0`),
/// every NaN alike (payloads differ between libraries).
func exactKeys(_ t: Tensor) -> [String] {
    if t.dtype.isFloatingPoint {
        return t.scalars.map { $0.isNaN ? "nan" : String($0.bitPattern, radix: 16) }
    }
    return t.asArray(Int64.self).map { String($0) }
}

/// Asserts equal dtype, shape and every element exactly (see ``exactKeys(_:)``).
func assertExactlyEqual(_ actual: Tensor, _ expected: Tensor, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.dtype, expected.dtype, "dtype: " + message, file: file, line: line)
    XCTAssertEqual(actual.shape, expected.shape, "shape: " + message, file: file, line: line)
    XCTAssertEqual(exactKeys(actual), exactKeys(expected), message, file: file, line: line)
}
