import Foundation
import XCTest
@testable import TapeGrad

/// Replays Fixtures/dtypes_oracle.json (Oracle/dtypes_oracle.py on MindSpore 2.10): promotion, casts and
/// arithmetic of every dtype, compared element by element exactly.
final class DTypeOracleTests: XCTestCase {
    func cases(_ section: String) throws -> [[String: Any]] {
        guard let list = try loadFixture("dtypes_oracle.json")[section] as? [[String: Any]], !list.isEmpty else {
            throw FixtureError("dtypes_oracle.json has no \(section)")
        }
        return list
    }

    func testPromotionOfEveryPairMatchesMindSpore() throws {
        let table = try cases("promotion")
        XCTAssertEqual(table.count, DType.allCases.count * DType.allCases.count)
        for row in table {
            let a = try XCTUnwrap(DType(name: row["a"] as? String ?? "")), b = try XCTUnwrap(DType(name: row["b"] as? String ?? ""))
            let result = try XCTUnwrap(DType(name: row["result"] as? String ?? ""))
            XCTAssertEqual(DType.promoted(a, b), result, "\(a) + \(b)")
            XCTAssertEqual((Tensor.ones([2], dtype: a) + Tensor.ones([2], dtype: b)).dtype, result, "\(a) + \(b) on tensors")
        }
    }

    func testCastsMatchMindSporeBitForBit() throws {
        for c in try cases("casts") {
            let input = try hexTensor(c["input"]), expected = try hexTensor(c["output"])
            let target = try XCTUnwrap(DType(name: c["to"] as? String ?? ""))
            assertExactlyEqual(input.astype(target), expected, "\(input.dtype) → \(target) of \(input.scalars)")
        }
    }

    func testTensorArithmeticMatchesMindSpore() throws {
        for c in try cases("binary") {
            let a = try hexTensor(c["a"]), b = try hexTensor(c["b"]), expected = try hexTensor(c["output"])
            let op = c["op"] as? String ?? ""
            let out: Tensor
            switch op {
            case "add": out = a + b
            case "sub": out = a - b
            case "mul": out = a * b
            case "div": out = a / b
            default: XCTFail("unknown op \(op)"); continue
            }
            assertExactlyEqual(out, expected, "\(a.dtype) \(op) \(b.dtype)")
        }
    }

    func testScalarOperandsMatchMindSporesPythonNumbers() throws {
        for c in try cases("scalar") {
            let a = try hexTensor(c["a"]), expected = try hexTensor(c["output"])
            let s = try XCTUnwrap(c["scalar"] as? Double)
            let out = c["op"] as? String == "add" ? a + s : a * s
            assertExactlyEqual(out, expected, "\(a.dtype) \(c["op"] ?? "") \(s)")
        }
    }

    func testSumsAndMaximaMatchMindSpore() throws {
        for c in try cases("reduce") {
            let a = try hexTensor(c["a"]), expected = try hexTensor(c["output"])
            let op = c["op"] as? String ?? ""
            assertExactlyEqual(op == "max" ? a.max() : a.sum(), expected, "\(op) of \(a.dtype)")
        }
    }
}
