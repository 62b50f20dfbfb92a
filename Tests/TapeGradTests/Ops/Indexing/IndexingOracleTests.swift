import Foundation
import XCTest
@testable import TapeGrad

/// Replays `Oracle/ops_indexing_oracle.py`'s fixture (real MindSpore 2.10, PyTorch where a case says so):
/// every forward output and every gradient of Σₖ ⟨outₖ, cotₖ⟩, in float32 and in float64.
final class IndexingOracleTests: XCTestCase {
    struct OracleCase {
        let name: String
        let op: String
        let params: [String: Any]
        let inputs: [Tensor]
        let outputs: [Any]
        let cotangents: [Any]
        let grads: [Any]
    }

    func loadCases() throws -> [OracleCase] {
        let fixture = try loadFixture("oracle_ops_indexing.json")
        let cases = fixture["cases"] as? [[String: Any]] ?? []
        return try cases.map { c in
            OracleCase(name: c["name"] as? String ?? "?", op: c["op"] as? String ?? "?", params: c["params"] as? [String: Any] ?? [:],
                       inputs: try (c["inputs"] as? [Any] ?? []).map(fixtureTensor), outputs: c["outputs"] as? [Any] ?? [],
                       cotangents: c["cotangents"] as? [Any] ?? [], grads: c["grads"] as? [Any] ?? [])
        }
    }

    /// The subscript items of a case (`{"int": i}`, `{"slice": [s, e, step]}`, `{"indices": k}`, …).
    static func items(_ p: [String: Any], _ xs: [Tensor]) -> [TensorIndex] {
        (p["items"] as? [[String: Any]] ?? []).map { it in
            if let i = it["int"] as? Int { return .index(i) }
            if let s = it["slice"] as? [Any] { return .slice(start: s[0] as? Int, end: s[1] as? Int, step: s[2] as? Int ?? 1) }
            if it["ellipsis"] != nil { return .ellipsis }
            if it["newaxis"] != nil { return .newAxis }
            if let k = it["indices"] as? Int { return .indices(xs[k]) }
            if let k = it["mask"] as? Int { return .mask(xs[k]) }
            return .ellipsis
        }
    }

    /// Runs the TapeGrad op a case names.
    static func run(_ op: String, _ p: [String: Any], _ xs: [Tensor], dtype: DType = .float32) -> [Tensor] {
        func int(_ k: String, _ d: Int = 0) -> Int { p[k] as? Int ?? d }
        func ints(_ k: String) -> [Int] { p[k] as? [Int] ?? [] }
        func bool(_ k: String) -> Bool { p[k] as? Bool ?? false }
        func double(_ k: String) -> Double { (p[k] as? NSNumber)?.doubleValue ?? 0 }
        let x = xs.first ?? Tensor(0)
        switch op {
        case "getitem": return [x.reading(items(p, xs))]
        case "setitem":
            var y = x
            y.writeForTest(items(p, xs), xs[1])
            return [y]
        case "gatherElements": return [gatherElements(x, axis: int("axis"), index: xs[1])]
        case "scatter": return [scatter(x, axis: int("axis"), index: xs[1], src: xs[2])]
        case "scatterAdd": return [scatterAdd(x, axis: int("axis"), index: xs[1], src: xs[2])]
        case "maskedFill": return [maskedFill(x, mask: xs[1], value: xs[2])]
        case "maskedSelect": return [maskedSelect(x, mask: xs[1])]
        case "indexSelect": return [indexSelect(x, axis: int("axis"), index: xs[1])]
        case "nonzero": return [nonzero(x)]
        case "argmax": return [x.argmax(axis: p["axis"] as? Int, keepDims: bool("keepDims"))]
        case "argmin": return [x.argmin(axis: p["axis"] as? Int, keepDims: bool("keepDims"))]
        case "topk": let r = topk(x, k: int("k"), axis: int("axis", -1), largest: bool("largest")); return [r.values, r.indices]
        case "sort": let r = sort(x, axis: int("axis", -1), descending: bool("descending")); return [r.values, r.indices]
        case "argsort": return [argsort(x, axis: int("axis", -1), descending: bool("descending"))]
        case "cumsum": return [cumsum(x, axis: int("axis"))]
        case "cumprod": return [cumprod(x, axis: int("axis"))]
        case "cummax": let r = cummax(x, axis: int("axis")); return [r.values, r.indices]
        case "unique": let r = unique(x, sorted: bool("sorted")); return [r.values, r.inverse, r.counts]
        case "split": return p["sizes"] != nil ? split(x, sizes: ints("sizes"), axis: int("axis")) : split(x, size: int("size"), axis: int("axis"))
        case "chunk": return chunk(x, chunks: int("chunks"), axis: int("axis"))
        case "tile": return [tile(x, multiples: ints("multiples"))]
        case "repeatInterleave": return [repeatInterleave(x, repeats: ints("repeats"), axis: p["axis"] as? Int)]
        case "pad": return [pad(x, padding: ints("padding"), mode: PaddingMode(rawValue: p["mode"] as? String ?? "") ?? .constant, value: double("value"))]
        case "flip": return [flip(x, axes: ints("axes"))]
        case "roll": return [roll(x, shifts: ints("shifts"), axes: ints("axes"))]
        case "triu": return [triu(x, diagonal: int("diagonal"))]
        case "tril": return [tril(x, diagonal: int("diagonal"))]
        case "diag": return [diag(x, offset: int("offset"))]
        case "diagonal": return [diagonal(x, offset: int("offset"), axis1: int("axis1"), axis2: int("axis2"))]
        case "trace": return [trace(x)]
        case "meshgrid": return meshgrid(xs, indexing: p["indexing"] as? String ?? "xy")
        case "flatten": return [x.flatten(startDim: int("startDim", 1), endDim: int("endDim", -1))]
        case "unflatten": return [x.unflatten(axis: int("axis"), sizes: ints("sizes"))]
        case "movedim": return [x.movedim(source: ints("source"), destination: ints("destination"))]
        case "narrow": return [narrow(x, axis: int("axis"), start: int("start"), length: int("length"))]
        case "indexAdd": return [indexAdd(x, indices: xs[1], y: xs[2], axis: int("axis"))]
        case "indexFill": return [indexFill(x, axis: int("axis"), index: xs[1], value: xs[2])]
        case "take": return [take(x, index: xs[1])]
        case "cummin": let r = cummin(x, axis: int("axis")); return [r.values, r.indices]
        case "msort": return [msort(x)]
        case "searchsorted": return [searchsorted(x, values: xs[1], right: bool("right"))]
        case "uniqueConsecutive": let r = uniqueConsecutive(x); return [r.values, r.inverse, r.counts]
        case "hstack": return [hstack(xs)]
        case "vstack": return [vstack(xs)]
        case "unbind": return unbind(x, axis: int("axis"))
        case "tensorSplit":
            return p["sections"] != nil ? tensorSplit(x, sections: int("sections"), axis: int("axis")) : tensorSplit(x, indices: ints("indices"), axis: int("axis"))
        case "swapaxes": return [x.swapaxes(int("axis0"), int("axis1"))]
        case "rot90": return [rot90(x, k: int("k"), axes: ints("axes"))]
        case "diagEmbed": return [diagEmbed(x, offset: int("offset"), axis1: int("axis1"), axis2: int("axis2"))]
        case "linspace": return [Tensor.linspace(double("start"), double("end"), steps: int("steps"), dtype: dtype)]
        case "logspace": return [Tensor.logspace(double("start"), double("end"), steps: int("steps"), base: double("base"), dtype: dtype)]
        case "fullLike": return [fullLike(x, value: double("value"))]
        case "zerosLike": return [zerosLike(x)]
        case "onesLike": return [onesLike(x)]
        default: return []
        }
    }

    /// Compares values (dtype class and shape too) within a tolerance relative to the magnitude.
    func assertClose(_ t: Tensor, _ expected: Any, dtype: DType, _ what: String, rtol: Double, atol: Double) throws -> Bool {
        let e = try fixtureTensor(expected)
        guard t.shape == e.shape else { XCTFail("\(what): shape \(t.shape) != \(e.shape)"); return false }
        let expectedDType: DType = e.dtype == .int32 ? .int32 : dtype
        guard t.dtype == expectedDType else { XCTFail("\(what): dtype \(t.dtype) != \(expectedDType)"); return false }
        let (a, b) = (t.scalars, e.scalars)
        for i in 0..<a.count where !(a[i] == b[i] || (a[i].isNaN && b[i].isNaN)) {
            guard Swift.abs(a[i] - b[i]) <= atol + rtol * Swift.abs(b[i]) else {
                XCTFail("\(what): element \(i): \(a[i]) != \(b[i])"); return false
            }
        }
        return true
    }

    func replay(dtype: DType) throws -> (cases: Int, passed: Int, gradients: Int) {
        let cases = try loadCases()
        XCTAssertGreaterThan(cases.count, 100)
        var passed = 0, gradients = 0
        let (rtol, atol) = dtype == .float64 ? (2e-6, 1e-6) : (2e-5, 1e-5)
        for c in cases {
            let inputs = c.inputs.map { $0.dtype == .int32 ? $0 : $0.converted(to: dtype) }
            let differentiable = inputs.indices.filter { inputs[$0].dtype != .int32 && !(c.grads[$0] is NSNull) }
            var ok = true
            let outs = try withErrorChecking { Self.run(c.op, c.params, inputs, dtype: dtype) }
            guard outs.count == c.outputs.count else { XCTFail("\(c.name): \(outs.count) outputs, expected \(c.outputs.count)"); continue }
            for (k, (o, e)) in zip(outs, c.outputs).enumerated() {
                ok = try assertClose(o, e, dtype: dtype, "\(c.name) [\(dtype)] output \(k)", rtol: rtol, atol: atol) && ok
            }
            if !differentiable.isEmpty {
                let cots = try c.cotangents.map { ($0 is NSNull) ? nil : try fixtureTensor($0).converted(to: dtype) }
                let (_, g) = try valueWithGradient(at: differentiable.map { inputs[$0] }) { vars in
                    var args = inputs
                    for (slot, i) in differentiable.enumerated() { args[i] = vars[slot] }
                    var total = Tensor.zeros([], dtype: dtype)
                    for (o, cot) in zip(Self.run(c.op, c.params, args, dtype: dtype), cots) { if let cot { total = total + (o * cot).sum() } }
                    return total
                }
                for (slot, i) in differentiable.enumerated() {
                    ok = try assertClose(g[slot], c.grads[i], dtype: dtype, "\(c.name) [\(dtype)] ∂/∂input \(i)", rtol: rtol, atol: atol) && ok
                    gradients += 1
                }
            }
            if ok { passed += 1 }
        }
        return (cases.count, passed, gradients)
    }

    func testEveryOracleCaseMatchesInFloat64() throws {
        let r = try replay(dtype: .float64)
        print("indexing oracle float64: \(r.passed)/\(r.cases) cases, \(r.gradients) gradients")
        XCTAssertEqual(r.passed, r.cases)
    }

    func testEveryOracleCaseMatchesInFloat32() throws {
        let r = try replay(dtype: .float32)
        print("indexing oracle float32: \(r.passed)/\(r.cases) cases, \(r.gradients) gradients")
        XCTAssertEqual(r.passed, r.cases)
    }
}

extension Tensor {
    /// `self[items] = value` with the items as a list (the fixture's form of the variadic subscript).
    mutating func writeForTest(_ items: [TensorIndex], _ value: Tensor) { self = writing(items, value) }
}
