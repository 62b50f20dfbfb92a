import XCTest
@testable import TapeGrad

/// The Swift twin of the function catalogue in `Oracle/grad_oracle.py`: each fixture case names its
/// function by id, and this builds the same function from the case's parameters.
enum OracleCatalogue {
    final class Mul2: Cell {
        override func construct(_ x: Tensor, _ y: Tensor) -> Tensor { x * y }
    }

    final class XWB: Cell {
        let w: Parameter, b: Parameter
        init(_ w: Parameter, _ b: Parameter) { self.w = w; self.b = b; super.init() }
        override func construct(_ x: Tensor) -> Tensor { x * w.value + b.value }
    }

    /// Parameters defined a, b, c; used c, a, b.
    final class ThreeParams: Cell {
        let a: Parameter, b: Parameter, c: Parameter
        init(_ a: Parameter, _ b: Parameter, _ c: Parameter) { self.a = a; self.b = b; self.c = c; super.init() }
        override func construct(_ x: Tensor) -> Tensor { (x * c.value + a.value) * b.value }
    }

    final class UsedUnusedFrozen: Cell {
        let w: Parameter, u: Parameter, f: Parameter
        init(_ w: Parameter, _ u: Parameter, _ f: Parameter) { self.w = w; self.u = u; self.f = f; super.init() }
        override func construct(_ x: Tensor) -> Tensor { x * w.value * f.value }
    }

    final class Inner: Cell {
        let w: Parameter
        init(_ w: Parameter) { self.w = w; super.init() }
        override func construct(_ x: Tensor) -> Tensor { x * w.value }
    }

    final class Outer: Cell {
        let inner: Inner, fc: Dense
        init(_ w: Parameter, weight: Tensor, bias: Tensor) {
            inner = Inner(w)
            fc = Dense(inChannels: 3, outChannels: 2, weightInit: weight, biasInit: bias)
            super.init()
        }
        override func construct(_ x: Tensor) -> Tensor { fc(inner(x)) }
    }

    final class DenseNet: Cell {
        let fc: Dense
        init(weight: Tensor, bias: Tensor, activation: Activation? = nil) {
            fc = Dense(inChannels: weight.shape[1], outChannels: weight.shape[0], weightInit: weight, biasInit: bias, activation: activation)
            super.init()
        }
        override func construct(_ x: Tensor) -> Tensor { fc(x) }
    }

    static func function(_ body: @escaping ([Tensor]) -> TensorTree) -> FixtureSubject {
        FixtureSubject(cell: ClosureCell(body), isCell: false)
    }

    static func unary(_ f: @escaping (Tensor) -> Tensor) -> FixtureSubject { function { .tensor(f($0[0])) } }
    static func binary(_ f: @escaping (Tensor, Tensor) -> Tensor) -> FixtureSubject { function { .tensor(f($0[0], $0[1])) } }

    static func subject(_ fn: String, _ p: [String: Parameter]) throws -> FixtureSubject {
        func param(_ key: String) throws -> Parameter {
            guard let value = p[key] else { throw FixtureError("\(fn): no parameter \(key)") }
            return value
        }
        let t = TensorTree.tensor
        switch fn {
        case "mul2": return binary { $0 * $1 }
        case "mul2_cell": return FixtureSubject(cell: Mul2(), isCell: true)
        case "mul3": return function { t($0[0] * $0[1] * $0[2]) }
        case "xy_plus_x2": return binary { $0 * $1 + $0 * $0 }
        case "square_only_x": return binary { x, _ in x * x }
        case "constant_out": return unary { _ in Tensor.ones([2]) }
        case "sum_sq": return unary { ($0 * $0).sum() }
        case "two_out": return function { [t($0[0] * $0[1]), t($0[0] + $0[1])] }
        case "three_out": return function { [t($0[0] * $0[1]), t($0[0] - $0[1]), t($0[0] * $0[0])] }
        case "nested_aux": return function { [t($0[0] * $0[1]), [t($0[0]), t($0[1])]] }
        case "first_is_tuple": return function { [[t($0[0] * $0[1]), t($0[0] + $0[1])], t($0[0])] }
        case "first_is_tuple_one": return function { [t($0[0] * $0[1])] }
        case "aux_depends_on_x": return function { [t($0[0] * $0[1]), t($0[0] * $0[0])] }
        case "xwb": return FixtureSubject(cell: XWB(try param("w"), try param("b")), isCell: true)
        case "xwb_fn":
            let (w, b) = (try param("w"), try param("b"))
            return unary { $0 * w.value + b.value }
        case "xwb_aux_w":
            let (w, b) = (try param("w"), try param("b"))
            return function { [t($0[0] * w.value + b.value), t(w.value * w.value)] }
        case "three_params": return FixtureSubject(cell: ThreeParams(try param("a"), try param("b"), try param("c")), isCell: true)
        case "used_unused_frozen": return FixtureSubject(cell: UsedUnusedFrozen(try param("w"), try param("u"), try param("f")), isCell: true)
        case "nested_cells":
            return FixtureSubject(cell: Outer(try param("w"), weight: try param("fc_weight").value, bias: try param("fc_bias").value), isCell: true)
        case "dense_mse", "dense_mse_sum":
            let net = DenseNet(weight: try param("weight").value, bias: try param("bias").value)
            return FixtureSubject(cell: WithLossCell(net, MSELoss(reduction: fn == "dense_mse" ? .mean : .sum)), isCell: true)
        case "dense_relu":
            return FixtureSubject(cell: DenseNet(weight: try param("weight").value, bias: try param("bias").value, activation: .relu), isCell: true)
        case "mse_none": return binary { MSELoss(reduction: .none)($0, $1) }
        case let name where name.hasPrefix("sce_"):
            let parts = name.split(separator: "_")
            let loss = SoftmaxCrossEntropyWithLogits(sparse: parts[1] == "sparse", reduction: Reduction(rawValue: String(parts[2])) ?? .none)
            return binary { loss($0, $1) }
        case "op_add": return binary(+)
        case "op_sub": return binary(-)
        case "op_mul": return binary(*)
        case "op_div": return binary(/)
        case "op_neg_mul_scalar": return unary { -$0 * 2.5 + 1.0 }
        case "op_exp_log": return unary { exp($0) + log($0) }
        case "op_sqrt": return unary(sqrt)
        case "op_pow_tt": return binary { pow($0, $1) }
        case "op_pow_scalar": return unary { pow($0, 3.0) }
        case "op_tanh_sigmoid": return unary { tanh($0) * sigmoid($0) }
        case "op_relu_abs": return unary { relu($0) + abs($0) }
        case "op_maximum": return binary(maximum)
        case "op_minimum": return binary(minimum)
        case "op_sin_cos": return unary { sin($0) * cos($0) }
        case "op_square": return unary(square)
        case "op_sum_axis1_keep": return unary { $0.sum(alongAxes: [1], keepDims: true) }
        case "op_sum_all": return unary { $0.sum() }
        case "op_mean_axis0": return unary { $0.mean(alongAxes: [0]) }
        case "op_mean_all": return unary { $0.mean() }
        case "op_max_axis1": return unary { $0.max(alongAxes: [1]) }
        case "op_reshape": return unary { $0.reshaped(to: [3, 2]) * Tensor([[1, 2], [3, 4], [5, 6]]) }
        case "op_transpose": return unary { $0.transposed(permutation: [1, 0]) * Tensor([[1, 2], [3, 4], [5, 6]]) }
        case "op_softmax": return unary { $0.softmax(alongAxis: -1) }
        case "op_log_softmax": return unary { $0.logSoftmax(alongAxis: -1) }
        case "op_softmax_axis0": return unary { $0.softmax(alongAxis: 0) }
        case "op_matmul": return binary { matmul($0, $1) }
        case "op_matmul_ta": return binary { matmul($0, $1, transposeA: true) }
        case "op_matmul_tb": return binary { matmul($0, $1, transposeB: true) }
        case "op_matmul_tab": return binary { matmul($0, $1, transposeA: true, transposeB: true) }
        case "op_batch_matmul": return binary { matmul($0, $1) }
        case "op_logsumexp": return unary { $0.logSumExp(alongAxes: [1]) }
        default: throw FixtureError("no Swift function for catalogue id \(fn)")
        }
    }
}

/// Every case of `Oracle/grad_oracle.py`'s fixture (real MindSpore 2.10), through the API it names.
final class OracleGradCasesTests: XCTestCase {
    func testEveryOracleCaseMatchesMindSpore() throws {
        let fixture = try loadFixture("oracle_grad_cases.json")
        let cases = fixture["cases"] as? [[String: Any]] ?? []
        XCTAssertGreaterThanOrEqual(cases.count, 100)
        for c in cases {
            let fn = c["fn"] as? String ?? ""
            // MindSpore's CPU LogSoftmaxGrad computes exp(y) with an approximate exp: for logits [1, 2, 3] it
            // gives softmax₁ = 0.24472898 where the exact value is 0.24472847 (TapeGrad: 0.24472849). Its
            // log-softmax gradients therefore differ from the exact ones by ~6e-6 relative; those cases
            // are checked at 1e-5 relative and absolute (see README, "Differences from MindSpore").
            let approximate = fn == "op_log_softmax"
            try runFixtureCase(c, rtol: approximate ? 1e-5 : 1e-6, atol: approximate ? 1e-5 : 1e-7) { try OracleCatalogue.subject(fn, $0) }
        }
    }
}
