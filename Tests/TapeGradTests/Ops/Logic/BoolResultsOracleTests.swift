import Foundation
import XCTest
@testable import TapeGrad

/// Replays Fixtures/bool_results.json (Oracle/bool_results_oracle.py on MindSpore 2.10): every comparison and
/// logical op returns a bool tensor with MindSpore's values, and the ops that consume masks (`where`,
/// `maskedFill`, `maskedSelect`, boolean subscripts, sums, any/all, casts, arithmetic, printing) take bool
/// tensors as MindSpore does — dtype, shape and every element compared exactly.
final class BoolResultsOracleTests: XCTestCase {
    func cases(_ section: String) throws -> [[String: Any]] {
        guard let list = try loadFixture("bool_results.json")[section] as? [[String: Any]], !list.isEmpty else {
            throw FixtureError("bool_results.json has no \(section)")
        }
        return list
    }

    func testComparisonsAndLogicalConnectivesReturnMindSporesBoolTensors() throws {
        let ops: [String: (Tensor, Tensor) -> Tensor] = [
            "greater": greater, "greaterEqual": greaterEqual, "less": less, "lessEqual": lessEqual, "equal": equal,
            "notEqual": notEqual, "logicalAnd": logicalAnd, "logicalOr": logicalOr, "logicalXor": logicalXor,
        ]
        let list = try cases("binary")
        XCTAssertEqual(list.count, 90)
        for c in list {
            let name = c["op"] as? String ?? ""
            let f = try XCTUnwrap(ops[name], "unknown op \(name)")
            let a = try hexTensor(c["a"]), b = try hexTensor(c["b"]), expected = try hexTensor(c["output"])
            XCTAssertEqual(expected.dtype, .bool)
            assertExactlyEqual(f(a, b), expected, "\(name)(\(a.dtype) \(a.shape), \(b.dtype) \(b.shape))")
        }
    }

    func testClassificationAndLogicalNotReturnMindSporesBoolTensors() throws {
        let ops: [String: (Tensor) -> Tensor] = ["isnan": isnan, "isinf": isinf, "isfinite": isfinite, "logicalNot": logicalNot]
        for c in try cases("unary") {
            let name = c["op"] as? String ?? ""
            let f = try XCTUnwrap(ops[name], "unknown op \(name)")
            let x = try hexTensor(c["x"]), expected = try hexTensor(c["output"])
            assertExactlyEqual(f(x), expected, "\(name)(\(x.dtype))")
        }
    }

    func testIscloseReturnsMindSporesBoolTensor() throws {
        for c in try cases("isclose") {
            let a = try hexTensor(c["a"]), b = try hexTensor(c["b"]), expected = try hexTensor(c["output"])
            let equalNan = c["equalNan"] as? Bool ?? false
            assertExactlyEqual(isclose(a, b, equalNan: equalNan), expected, "isclose \(a.dtype) equalNan \(equalNan)")
        }
    }

    func testMaskConsumersAcceptBoolAsMindSporeDoes() throws {
        var seen = Set<String>()
        for c in try cases("consumers") {
            let op = c["op"] as? String ?? ""
            seen.insert(op)
            let expected = try hexTensor(c["output"])
            switch op {
            case "where":
                let cond = try hexTensor(c["condition"]), a = try hexTensor(c["a"]), b = try hexTensor(c["b"])
                XCTAssertEqual(cond.dtype, .bool)
                let weights = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
                let (value, (ga, gb)) = try valueWithGradient(at: a, b) { a, b in (`where`(cond, a, b) * weights).sum() }
                assertExactlyEqual(`where`(cond, a, b), expected, "where")
                XCTAssertEqual(value.item(), (`where`(cond, a, b) * weights).sum().item())
                assertExactlyEqual(ga, try hexTensor(c["gradA"]), "∂where/∂a with a bool condition")
                assertExactlyEqual(gb, try hexTensor(c["gradB"]), "∂where/∂b with a bool condition")
            case "maskedFill":
                let input = try hexTensor(c["input"]), mask = try hexTensor(c["mask"])
                let value = try XCTUnwrap(c["value"] as? Double)
                assertExactlyEqual(maskedFill(input, mask: mask, value: value), expected, "maskedFill")
                assertExactlyEqual(maskedFill(input, mask: mask, value: Tensor(Float(value))), expected, "maskedFill (tensor value)")
            case "maskedSelect":
                let input = try hexTensor(c["input"]), mask = try hexTensor(c["mask"])
                assertExactlyEqual(maskedSelect(input, mask: mask), expected, "maskedSelect")
            case "booleanSubscript", "booleanSubscriptRows":
                let input = try hexTensor(c["input"]), mask = try hexTensor(c["mask"])
                assertExactlyEqual(input[mask: mask], expected, op)
            case "sum": assertExactlyEqual(try hexTensor(c["x"]).sum(), expected, "sum of bool")
            case "sumAxis1": assertExactlyEqual(try hexTensor(c["x"]).sum(alongAxes: [1]), expected, "sum of bool along 1")
            case "any": assertExactlyEqual(try hexTensor(c["x"]).any(), expected, "any")
            case "anyAxis1": assertExactlyEqual(try hexTensor(c["x"]).any(alongAxes: [1]), expected, "any along 1")
            case "all": assertExactlyEqual(try hexTensor(c["x"]).all(), expected, "all")
            case "allAxis1": assertExactlyEqual(try hexTensor(c["x"]).all(alongAxes: [1]), expected, "all along 1")
            case "allAxis0": assertExactlyEqual(try hexTensor(c["x"]).all(alongAxes: [0]), expected, "all along 0")
            case "astype":
                let target = try XCTUnwrap(DType(name: c["to"] as? String ?? ""))
                let x = try hexTensor(c["x"])
                assertExactlyEqual(x.astype(target), expected, "\(x.dtype) astype \(target)")
            case "add", "mul", "sub":
                let a = try hexTensor(c["a"]), b = try hexTensor(c["b"])
                let out = op == "add" ? a + b : op == "mul" ? a * b : a - b
                assertExactlyEqual(out, expected, "\(a.dtype) \(op) \(b.dtype)")
            default:
                XCTFail("unknown consumer \(op)")
            }
        }
        XCTAssertEqual(seen.count, 16)
    }

    func testBoolTensorsPrintAsMindSporeDoes() throws {
        for c in try cases("printing") {
            let t = try hexTensor(c["tensor"])
            XCTAssertEqual(t.description, c["repr"] as? String)
        }
        XCTAssertEqual(greater(Tensor([1, 5, 3]), Tensor(2)).description, "Tensor(shape=[3], dtype=Bool, value= [False,  True,  True])")
    }
}
