import XCTest
@testable import TapeGrad

/// Replays Fixtures/oracle_ops_math.json (Oracle/ops_math_oracle.py: MindSpore 2.10, PyTorch where MindSpore
/// lacks the op, fails on CPU or disagrees): every case's forward output and its gradients under the recorded
/// cotangent, in float32 and float64. Bool outputs must be TapeGrad bool tensors.
final class MathOracleTests: XCTestCase {
    static func axes(_ any: Any?) -> [Int]? {
        if let i = any as? Int { return [i] }
        return any as? [Int]
    }

    static func number(_ any: Any?) -> Double? {
        if let s = any as? String { return s == "inf" ? .infinity : s == "-inf" ? -.infinity : Double(s) }
        return (any as? NSNumber)?.doubleValue
    }

    /// The TapeGrad spelling of each oracle op.
    static func function(_ op: String, _ p: [String: Any]) -> (([Tensor]) -> Tensor)? {
        let unary: [String: (Tensor) -> Tensor] = [
            "floor": floor, "ceil": ceil, "round": round, "trunc": trunc, "frac": frac, "sign": sign,
            "tan": tan, "asin": asin, "acos": acos, "atan": atan, "sinh": sinh, "cosh": cosh, "asinh": asinh,
            "acosh": acosh, "atanh": atanh, "log1p": log1p, "expm1": expm1, "log2": log2, "log10": log10, "exp2": exp2,
            "erf": erf, "erfc": erfc, "erfinv": erfinv, "lgamma": lgamma, "digamma": digamma, "reciprocal": reciprocal,
            "isnan": isnan, "isinf": isinf, "isfinite": isfinite, "silu": silu, "selu": selu, "mish": mish,
            "hardswish": hardswish, "hardsigmoid": hardsigmoid, "softsign": softsign, "logsigmoid": logSigmoid,
            "relu6": relu6, "logical_not": logicalNot,
            "inv": inv, "det": det, "svd_s": { svd($0).s }, "svd_uvt": { let (_, u, v) = svd($0); return matmul(u, v, transposeB: true) }, "qr_q": { qr($0).q }, "qr_r": { qr($0).r },
            "slogdet": { slogdet($0).logAbsDet }, "slogdet_sign": { slogdet($0).sign },
            "eigh_values": { eigh(($0 + $0.matrixTransposed) * 0.5).eigenvalues },
            "eigh_vectors_sq": { let v = eigh(($0 + $0.matrixTransposed) * 0.5).eigenvectors; return v * v },
        ]
        let binary: [String: (Tensor, Tensor) -> Tensor] = [
            "atan2": atan2, "hypot": hypot, "remainder": remainder, "fmod": fmod, "floor_divide": floorDivide,
            "equal": equal, "not_equal": notEqual, "greater": greater, "greater_equal": greaterEqual, "less": less,
            "less_equal": lessEqual, "logical_and": logicalAnd, "logical_or": logicalOr, "logical_xor": logicalXor,
            "prelu": { prelu($0, weight: $1) }, "dot": dot, "outer": outer, "bmm": bmm, "solve": solve, "lstsq": lstsq,
        ]
        if let f = unary[op] { return { f($0[0]) } }
        if let f = binary[op] { return { f($0[0], $0[1]) } }
        let axis = axes(p["axis"]), keep = p["keepdims"] as? Bool ?? false
        switch op {
        case "polygamma": return { polygamma(p["n"] as? Int ?? 0, $0[0]) }
        case "elu": return { elu($0[0], alpha: number(p["alpha"]) ?? 1) }
        case "celu": return { celu($0[0], alpha: number(p["alpha"]) ?? 1) }
        case "hardtanh": return { hardtanh($0[0], minVal: number(p["min_val"]) ?? -1, maxVal: number(p["max_val"]) ?? 1) }
        case "nan_to_num": return { nanToNum($0[0], nan: number(p["nan"]) ?? 0, posinf: number(p["posinf"]), neginf: number(p["neginf"])) }
        case "isclose":
            return { isclose($0[0], $0[1], rtol: number(p["rtol"]) ?? 1e-5, atol: number(p["atol"]) ?? 1e-8, equalNan: p["equal_nan"] as? Bool ?? false) }
        case "glu": return { glu($0[0], axis: p["axis"] as? Int ?? -1) }
        case "lerp": return { $0.count == 3 ? lerp($0[0], $0[1], weight: $0[2]) : lerp($0[0], $0[1], weight: number(p["weight"]) ?? 0) }
        case "clamp": return { $0.count == 3 ? clamp($0[0], min: $0[1], max: $0[2]) : clamp($0[0], min: number(p["min"]), max: number(p["max"])) }
        case "prod": return { $0[0].prod(alongAxes: axis, keepDims: keep) }
        case "amax": return { $0[0].amax(alongAxes: axis, keepDims: keep) }
        case "amin": return { $0[0].amin(alongAxes: axis, keepDims: keep) }
        case "var": return { $0[0].variance(alongAxes: axis, correction: p["ddof"] as? Int ?? 0, keepDims: keep) }
        case "std": return { $0[0].std(alongAxes: axis, correction: p["ddof"] as? Int ?? 0, keepDims: keep) }
        case "logcumsumexp": return { $0[0].logCumSumExp(alongAxis: p["axis"] as? Int ?? 0) }
        case "norm": return { $0[0].norm(p: number(p["ord"]) ?? 2, alongAxes: axes(p["dim"])) }
        case "any": return { $0[0].any(alongAxes: axis, keepDims: keep) }
        case "all": return { $0[0].all(alongAxes: axis, keepDims: keep) }
        case "count_nonzero": return { $0[0].countNonzero(alongAxes: axis, keepDims: keep) }
        case "median": return { $0[0].median(alongAxis: p["axis"] as? Int ?? -1, keepDims: keep).values }
        case "median_indices": return { $0[0].median(alongAxis: p["axis"] as? Int ?? -1, keepDims: keep).indices }
        case "masked_mean": return { $0[0].mean(alongAxes: axis, where: $0[1]) }
        case "einsum": return { einsum(p["equation"] as? String ?? "", $0) }
        case "cholesky_spd":
            return { x in
                let n = x[0].shape[x[0].rank - 1]
                return cholesky(matmul(x[0], x[0], transposeB: true) + Tensor.eye(n, dtype: x[0].dtype) * 3, upper: p["upper"] as? Bool ?? false)
            }
        case "matrix_norm":
            let orders: [String: MatrixNormOrder] = ["fro": .fro, "nuc": .nuc, "1": .one, "-1": .minusOne, "2": .two,
                                                     "-2": .minusTwo, "inf": .infinity, "-inf": .minusInfinity]
            let key = p["ord"].map { "\($0)" } ?? "fro"
            guard let order = orders[key] else { return nil }
            return { matrixNorm($0[0], ord: order) }
        default: return nil
        }
    }

    func compare(_ t: Tensor, _ expected: Any?, dtype: DType, promoted: DType, rtol: Double, atol: Double, _ label: String) -> Bool {
        guard let e = expected as? [String: Any], let shape = e["shape"] as? [Int], let values = e["values"] as? [Any] else {
            XCTFail("\(label): unreadable expectation"); return false
        }
        let want = values.map { fixtureDouble($0) ?? .nan }
        switch e["dtype"] as? String {
        case "bool": XCTAssertEqual(t.dtype, .bool, "\(label): comparisons and predicates return bool, as MindSpore")
        case "int32": XCTAssertEqual(t.dtype, .int32, label)
        default: XCTAssertEqual(t.dtype, dtype, label)
        }
        guard t.shape == shape else { XCTFail("\(label): shape \(t.shape) != \(shape)"); return false }
        let got = t.scalars
        for (i, (a, b)) in zip(got, want).enumerated() {
            if a == b || (a.isNaN && b.isNaN) { continue }
            if !(Swift.abs(a - b) <= atol + rtol * Swift.abs(b)) {
                XCTFail("\(label): element \(i): \(a) != \(b)"); return false
            }
        }
        return true
    }

    func replay(_ dtype: DType, rtol: Double, atol: Double) throws {
        let fixture = try loadFixture("oracle_ops_math.json")
        let cases = fixture["cases"] as? [[String: Any]] ?? []
        XCTAssertGreaterThan(cases.count, 300)
        var checked = 0, gradients = 0
        for c in cases {
            let name = c["name"] as? String ?? "?", op = c["op"] as? String ?? ""
            guard let block = c[dtype.name] as? [String: Any] else { continue }
            guard let f = Self.function(op, c["params"] as? [String: Any] ?? [:]) else { XCTFail("no TapeGrad op for \(op)"); continue }
            let inputs = try (c["inputs"] as? [Any] ?? []).map { raw -> Tensor in
                let t = try fixtureTensor(raw)
                return t.dtype == .int32 ? t : t.converted(to: dtype)
            }
            let promoted = inputs.map(\.dtype).reduce(DType.int32) { DType.promoted($0, $1) }
            let out = try withErrorChecking { f(inputs) }
            let label = "\(name) [\(dtype.name), \(block["source"] ?? "?")]"
            _ = compare(out, block["output"], dtype: dtype, promoted: promoted, rtol: rtol, atol: atol, label)
            checked += 1
            guard let grads = block["grads"] as? [Any], let cot = block["cotangent"] else { continue }
            let diff = c["diff"] as? [Int] ?? []
            let cotangent = try fixtureTensor(cot).converted(to: dtype)
            let (_, g) = try valueWithGradient(at: diff.map { inputs[$0] }) { xs in
                var all = inputs
                for (k, i) in diff.enumerated() { all[i] = xs[k] }
                return (f(all) * cotangent).sum()
            }
            for (k, expected) in grads.enumerated() where k < g.count {
                _ = compare(g[k], expected, dtype: dtype, promoted: promoted, rtol: rtol, atol: atol, "\(label) ∂/∂input\(diff[k])")
                gradients += 1
            }
        }
        print("MathOracleTests \(dtype.name): \(checked) forward cases, \(gradients) gradients replayed")
    }

    func testFloat32MatchesTheOracle() throws { try replay(.float32, rtol: 2e-4, atol: 2e-5) }
    func testFloat64MatchesTheOracle() throws { try replay(.float64, rtol: 1e-7, atol: 1e-9) }
}
