import XCTest
@testable import TapeGrad

/// The Swift twin of `Oracle/functional_oracle.py`'s catalogue, and the replay of its fixture
/// (real MindSpore 2.10): grad(grad(f)), vjp, jvp, jacrev, jacfwd and cells with a custom bprop,
/// compared in structure and values.
final class FunctionalOracleTests: XCTestCase {
    final class ScaleBprop: Cell, CustomBprop {
        override func construct(_ x: Tensor) -> Tensor { x * x }
        func bprop(_ inputs: [Tensor], out: TensorTree, dout: TensorTree) -> [Tensor] { [dout.asTensor * 10] }
    }

    final class MulUsingOut: Cell, CustomBprop {
        override func construct(_ x: Tensor, _ y: Tensor) -> Tensor { x * y }
        func bprop(_ inputs: [Tensor], out: TensorTree, dout: TensorTree) -> [Tensor] {
            [dout.asTensor * inputs[1] * out.asTensor, dout.asTensor * inputs[0]]
        }
    }

    final class ClipBprop: Cell, CustomBprop {
        override func construct(_ x: Tensor) -> Tensor { x * 3 }
        func bprop(_ inputs: [Tensor], out: TensorTree, dout: TensorTree) -> [Tensor] { [clip(dout.asTensor, min: -1, max: 1)] }
    }

    final class ParamBprop: Cell, CustomBprop {
        let w = Parameter(Tensor([2, 3]), name: "w")
        override func construct(_ x: Tensor) -> Tensor { x * w.value }
        func bprop(_ inputs: [Tensor], out: TensorTree, dout: TensorTree) -> [Tensor] { [dout.asTensor * 7] }
    }

    final class OuterOfBprop: Cell {
        let inner = ScaleBprop()
        override func construct(_ x: Tensor) -> Tensor { sin(inner(x * 2)) }
    }

    static func subject(_ id: String) throws -> Cell {
        let t = TensorTree.tensor
        func f(_ body: @escaping ([Tensor]) -> TensorTree) -> Cell { ClosureCell(body) }
        switch id {
        case "cube": return f { t($0[0] * $0[0] * $0[0]) }
        case "sin_mul": return f { t(sin($0[0]) * $0[0]) }
        case "tanh_exp": return f { t(tanh($0[0]) * exp($0[0] * 0.5)) }
        case "sigmoid_sq": return f { t(sigmoid($0[0]) * $0[0] * $0[0]) }
        case "sum_sq": return f { t(($0[0] * $0[0]).sum()) }
        case "softmax_last": return f { t($0[0].softmax(alongAxis: -1)) }
        case "log_div": return f { t(log($0[0]) / $0[1]) }
        case "mul": return f { t($0[0] * $0[1]) }
        case "aab": return f { t($0[0] * $0[0] * $0[1]) }
        case "two_out": return f { [t($0[0] * $0[1]), t($0[0] + $0[1])] }
        case "three_out": return f { [t($0[0] * $0[1]), t($0[0] + $0[1]), t($0[0])] }
        case "aab_diff": return f { [t($0[0] * $0[0] * $0[1]), t($0[0] - $0[1])] }
        case "matmul_tanh": return f { t(tanh(matmul($0[0], $0[1]))) }
        case "mlp_sum": return f { t(matmul(tanh(matmul($0[0], $0[1])), $0[2]).sum()) }
        case "xyz": return f { t($0[0] * $0[1] * $0[2]) }
        case "exp_sum_sq": return f { t((exp($0[0]) * $0[1] * $0[1]).sum()) }
        case "ParamBprop": return ParamBprop()
        case "ScaleBprop": return ScaleBprop()
        case "MulUsingOut": return MulUsingOut()
        case "ClipBprop": return ClipBprop()
        case "OuterOfBprop": return OuterOfBprop()
        default: throw FixtureError("no Swift function for catalogue id \(id)")
        }
    }

    static func position(_ any: Any?) -> GradPosition {
        if let list = any as? [Int] { return .indices(list) }
        return .index(any as? Int ?? 0)
    }

    static func axes(_ any: Any?) -> VMapAxes {
        if let list = any as? [Any] { return .each(list.map { $0 as? Int }) }
        return .all(any as? Int)
    }

    /// Runs one case through the API it names and returns the result in MindSpore's structure.
    static func run(_ c: [String: Any]) throws -> TensorTree {
        let net = try subject(c["fn"] as? String ?? "")
        let args = try (c["args"] as? [Any] ?? []).map(fixtureTensor)
        let list = { (key: String) in try (c[key] as? [Any] ?? []).map(fixtureTensor) }
        let hasAux = c["has_aux"] as? Bool ?? false
        switch c["api"] as? String ?? "" {
        case "grad2":
            let inner = try grad(net, gradPosition: position(c["grad_position"]))
            let outer = try grad({ (xs: [Tensor]) -> TensorTree in (try? inner(xs)) ?? .tuple([]) }, gradPosition: position(c["grad_position2"]))
            return try outer(args)
        case "grad":
            if let sens = try? list("sens"), !sens.isEmpty {
                return try grad(net, gradPosition: position(c["grad_position"]), sensParam: true)(args, sens: .tensor(sens[0]))
            }
            return try grad(net, gradPosition: position(c["grad_position"]))(args)
        case "grad_weights":
            return try grad(net, gradPosition: position(c["grad_position"]), weights: net.trainableParams())(args)
        case "value_and_grad":
            let (value, gradients) = try valueAndGrad(net, gradPosition: position(c["grad_position"]))(args)
            return [value, gradients]
        case "GradOperation":
            return try GradOperation(getAll: c["get_all"] as? Bool ?? false)(net)(args)
        case "vjp":
            if hasAux {
                let (value, pullback, aux) = try vjp(net, args, hasAux: true)
                return [value, try pullback(try list("cotangents")), aux]
            }
            let (value, pullback) = try vjp(net, args)
            return [value, try pullback(try list("cotangents"))]
        case "jvp":
            if hasAux {
                let (value, product, aux) = try jvp(net, args, try list("tangents"), hasAux: true)
                return [value, product, aux]
            }
            let (value, product) = try jvp(net, args, try list("tangents"))
            return [value, product]
        case "vmap":
            return try vmap(net, inAxes: axes(c["in_axes"]), outAxes: axes(c["out_axes"]))(args)
        case "vmap_grad":
            let perExample = try grad(net, gradPosition: [0, 1])
            return try vmap({ (t: [Tensor]) -> TensorTree in (try? perExample(t)) ?? .tuple([]) },
                            inAxes: axes(c["in_axes"]), outAxes: axes(c["out_axes"]))(args)
        case "jacrev":
            return try jacrev(net, gradPosition: position(c["grad_position"]), hasAux: hasAux)(args)
        case "jacfwd":
            return try jacfwd(net, gradPosition: position(c["grad_position"]), hasAux: hasAux)(args)
        case let api:
            throw FixtureError("unknown api \(api)")
        }
    }

    func testEveryFunctionalOracleCaseMatchesMindSpore() throws {
        let fixture = try loadFixture("oracle_functional_cases.json")
        let cases = fixture["cases"] as? [[String: Any]] ?? []
        XCTAssertGreaterThanOrEqual(cases.count, 40)
        var matched = 0
        for c in cases {
            let name = c["name"] as? String ?? "?"
            do {
                let result = try Self.run(c)
                if assertMatches(result, c["expected"], rtol: 1e-4, atol: 1e-5, path: name) { matched += 1 }
            } catch {
                XCTFail("\(name): \(error)")
            }
        }
        XCTAssertEqual(matched, cases.count)
    }
}
