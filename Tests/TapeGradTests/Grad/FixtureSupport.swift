import Foundation
import XCTest
@testable import TapeGrad

/// Loads a JSON fixture bundled with the tests.
func loadFixture(_ name: String) throws -> [String: Any] {
    guard let url = Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil)
        ?? Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures") else {
        throw FixtureError("missing fixture \(name)")
    }
    let data = try Data(contentsOf: url)
    guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { throw FixtureError("\(name) is not a JSON object") }
    return object
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// A JSON number or the strings "nan", "inf", "-inf".
func fixtureDouble(_ any: Any?) -> Double? {
    if let n = any as? NSNumber { return n.doubleValue }
    if let s = any as? String {
        switch s {
        case "nan": return .nan
        case "inf": return .infinity
        case "-inf": return -.infinity
        default: return Double(s)
        }
    }
    return nil
}

/// A fixture tensor `{"dtype", "shape", "values"}`.
func fixtureTensor(_ any: Any?) throws -> Tensor {
    guard let d = any as? [String: Any], let shape = d["shape"] as? [Int], let values = d["values"] as? [Any],
          let dtype = DType(name: d["dtype"] as? String ?? "float32") else {
        throw FixtureError("not a tensor: \(String(describing: any))")
    }
    let doubles = try values.map { v -> Double in
        guard let x = fixtureDouble(v) else { throw FixtureError("bad value \(v)") }
        return x
    }
    return Tensor(doubles, shape: shape).converted(to: dtype)
}

/// Compares a result with a fixture's expected structure: tensors by shape, dtype and values
/// (relative tolerance `rtol`, `-0 == 0`, NaN == NaN), tuples elementwise, return-id pairs `{"id", "grad"}`.
func assertMatches(_ tree: TensorTree, _ expected: Any?, rtol: Double = 1e-6, atol: Double = 1e-7, path: String = "$", file: StaticString = #filePath, line: UInt = #line) -> Bool {
    func fail(_ m: String) -> Bool { XCTFail("\(path): \(m)", file: file, line: line); return false }
    if let list = expected as? [Any] {
        guard case .tuple(let items) = tree else { return fail("expected a \(list.count)-tuple, got \(tree.shortDescription)") }
        guard items.count == list.count else { return fail("expected a \(list.count)-tuple, got \(tree.shortDescription)") }
        var ok = true
        for (i, (item, e)) in zip(items, list).enumerated() { ok = assertMatches(item, e, rtol: rtol, atol: atol, path: "\(path)[\(i)]", file: file, line: line) && ok }
        return ok
    }
    if let d = expected as? [String: Any], d["id"] != nil, d["grad"] != nil {
        guard case .tuple(let items) = tree, items.count == 2 else { return fail("expected an (id, grad) pair, got \(tree.shortDescription)") }
        switch (items[0], d["id"]) {
        case (.position(let p), let n as Int): if p != n { return fail("id \(p) != \(n)") }
        case (.name(let s), let n as String): if s != n { return fail("id '\(s)' != '\(n)'") }
        default: return fail("id \(items[0]) does not match \(String(describing: d["id"]))")
        }
        return assertMatches(items[1], d["grad"], rtol: rtol, atol: atol, path: path + ".grad", file: file, line: line)
    }
    if let d = expected as? [String: Any], d["shape"] != nil {
        guard case .tensor(let t) = tree else { return fail("expected a tensor, got \(tree.shortDescription)") }
        guard let e = try? fixtureTensor(d) else { return fail("unreadable expected tensor") }
        if t.shape != e.shape { return fail("shape \(t.shape) != \(e.shape)") }
        if t.dtype != e.dtype { return fail("dtype \(t.dtype) != \(e.dtype)") }
        let a = t.scalars, b = e.scalars
        for i in 0..<a.count {
            if a[i] == b[i] || (a[i].isNaN && b[i].isNaN) { continue }
            if Swift.abs(a[i] - b[i]) > atol + rtol * Swift.abs(b[i]) {
                return fail("element \(i): \(a[i]) != \(b[i]) (got \(a), expected \(b))")
            }
        }
        return true
    }
    return fail("unexpected expected value \(String(describing: expected))")
}

/// A cell whose forward is a closure, for fixtures whose function is a plain function.
final class ClosureCell: Cell, @unchecked Sendable {
    let body: ([Tensor]) -> TensorTree
    init(_ body: @escaping ([Tensor]) -> TensorTree) { self.body = body; super.init() }
    override func construct(_ inputs: [Tensor]) -> TensorTree { body(inputs) }
}

/// What a fixture case differentiates: a cell (with its parameters discovered) or a function.
struct FixtureSubject {
    let cell: Cell
    let isCell: Bool
}

/// Runs one fixture case through the API it names and checks the result or the error.
/// `subject` builds the function from the case's parameters (keyed by their fixture name).
func runFixtureCase(_ c: [String: Any], rtol: Double = 1e-6, atol: Double = 1e-7, subject: ([String: Parameter]) throws -> FixtureSubject) throws {
    let name = c["name"] as? String ?? "?"
    let api = c["api"] as? String ?? ""
    let call = c["call"] as? [String: Any] ?? [:]
    var params: [String: Parameter] = [:]
    var paramOrder: [Parameter] = []
    for p in c["params"] as? [[String: Any]] ?? [] {
        let pname = p["name"] as? String ?? "p"
        let parameter = Parameter(try fixtureTensor(p), name: pname, requiresGrad: p["requires_grad"] as? Bool ?? true)
        params[pname] = parameter
        paramOrder.append(parameter)
    }
    let made = try subject(params)
    _ = made.cell.parametersAndNames()   // names as MindSpore gives them
    let args = try (c["args"] as? [[String: Any]] ?? []).map(fixtureTensor)
    let sensTree: TensorTree? = try (c["sens"] as Any?).flatMap { s -> TensorTree? in
        if s is NSNull { return nil }
        if let list = s as? [Any] { return .tuple(try list.map { .tensor(try fixtureTensor($0)) }) }
        return .tensor(try fixtureTensor(s))
    }
    let keywordSens = (c["sens_passing"] as? String) == "keyword"

    // weights: {"container": "ParameterTuple"|"list"|"tuple"|"Parameter"|"single", "names": [...]}
    var weights: (any GradWeights)?
    if let w = call["weights"] as? [String: Any], (w["container"] as? String) == "trainable" {
        weights = made.cell.trainableParams()
    } else if let w = call["weights"] as? [String: Any] {
        let names = w["names"] as? [String] ?? []
        let resolved = try names.map { n -> Parameter in
            if let p = params[n] ?? paramOrder.first(where: { $0.name == n }) { return p }
            throw FixtureError("\(name): unknown weight \(n)")
        }
        switch (w["container"] as? String ?? w["kind"] as? String ?? "list").lowercased() {
        case "parameter", "single": weights = resolved.first
        case "parametertuple", "parameter_tuple": weights = try ParameterTuple(resolved)
        default: weights = resolved
        }
    }

    var gradPosition: GradPosition?
    switch call["grad_position"] ?? 0 {
    case let i as Int where (call["grad_position_type"] as? String) != "tuple": gradPosition = .index(i)
    case let list as [Int]: gradPosition = .indices(list)
    case let i as Int: gradPosition = .indices([i])
    default: gradPosition = nil
    }
    let hasAux = call["has_aux"] as? Bool ?? false
    let returnIds = call["return_ids"] as? Bool ?? false
    let sensParam = call["sens_param"] as? Bool ?? false
    let getAll = call["get_all"] as? Bool ?? false
    let getByList = call["get_by_list"] as? Bool ?? false

    var inputs = args
    var sensArgument: TensorTree?
    if let sensTree {
        if keywordSens { sensArgument = sensTree } else if case .tensor(let t) = sensTree { inputs.append(t) } else { sensArgument = sensTree }
    }

    let expectError = (c["outcome"] as? String) == "error"
    var stage = "construct"
    do {
        let result: TensorTree
        switch api {
        case "value_and_grad", "grad":
            let cell = made.cell
            if api == "grad" {
                let f = try grad(cell, gradPosition: gradPosition, weights: weights, hasAux: hasAux, returnIds: returnIds, sensParam: sensParam)
                stage = "call"
                result = try f(inputs, sens: sensArgument)
            } else {
                let f = try valueAndGrad(cell, gradPosition: gradPosition, weights: weights, hasAux: hasAux, returnIds: returnIds, sensParam: sensParam)
                stage = "call"
                let (v, g) = try f(inputs, sens: sensArgument)
                result = [v, g]
            }
        case "GradOperation":
            let f = GradOperation(getAll: getAll, getByList: getByList, sensParam: sensParam)(made.cell, weights)
            stage = "call"
            result = try f(inputs, sens: sensArgument)
        case "ForwardValueAndGrad":
            let fvg = try ForwardValueAndGrad(made.cell, weights: weights, getAll: getAll, getByList: getByList, sensParam: sensParam)
            stage = "call"
            let (v, g) = try fvg.valueAndGradients(inputs, sens: sensArgument)
            result = [v, g]
        default:
            throw FixtureError("\(name): unknown api \(api)")
        }
        if expectError {
            XCTFail("\(name): expected \(String(describing: c["error"])) but got \(result.shortDescription)")
        } else {
            _ = assertMatches(result, c["expected"], rtol: rtol, atol: atol, path: name)
        }
    } catch let error as GradError {
        guard expectError else { XCTFail("\(name): unexpected error \(error)"); return }
        let e = c["error"] as? [String: Any] ?? [:]
        let expectedMessage = (e["message"] as? String ?? "").replacingOccurrences(of: "0x?", with: "")
        let expectedStage = e["raised_at"] as? String ?? stage
        XCTAssertEqual(stage, expectedStage, "\(name): raised at \(stage), MindSpore at \(expectedStage)")
        XCTAssertEqual(error.mindSporeErrorType, e["error_type"] as? String ?? e["type"] as? String, "\(name): \(error)")
        let prefix = String(expectedMessage.prefix(while: { $0 != "," && $0 != "\n" }))
        XCTAssertTrue(error.mindSporeMessage.hasPrefix(prefix) || expectedMessage.hasPrefix(error.mindSporeMessage),
                      "\(name): message «\(error.mindSporeMessage)» vs MindSpore «\(expectedMessage)»")
        // The description is the Swift sentence: Swift argument names, no Python ones.
        if case .tensor = error {} else {
            for python in ["grad_position", "sens_param", "get_by_list", "has_aux", "NoneType", "[const vector]"] {
                XCTAssertFalse(error.description.contains(python), "\(name): «\(error.description)» names \(python)")
            }
        }
    }
}
