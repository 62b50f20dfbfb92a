import XCTest
@testable import TapeGrad

/// The 30 cases of `shared/golden/mindspore_seed_cases.json` (real MindSpore 2.10): the seed documents'
/// examples and the GradOperation / ForwardValueAndGrad flag matrices.
final class GoldenSeedCasesTests: XCTestCase {
    /// f(x, y, z) = x ⊙ y ⊙ z, as a Cell.
    final class Mul3: Cell, @unchecked Sendable {
        override func construct(_ x: Tensor, _ y: Tensor, _ z: Tensor) -> Tensor { x * y * z }
    }

    /// f(x, y) = (x ⊙ z) · y with Parameter z of shape [1] (seed 004).
    final class ScaledMatMul: Cell, @unchecked Sendable {
        let z: Parameter
        init(z: Parameter) { self.z = z; super.init() }
        override func construct(_ x: Tensor, _ y: Tensor) -> Tensor { matmul(x * z.value, y) }
    }

    /// f(x, y) = x ⊙ w ⊙ y + b.
    final class XWYB: Cell, @unchecked Sendable {
        let w: Parameter, b: Parameter
        init(w: Parameter, b: Parameter) { self.w = w; self.b = b; super.init() }
        override func construct(_ x: Tensor, _ y: Tensor) -> Tensor { x * w.value * y + b.value }
    }

    /// backbone(x) = x · weight (seed 000 / 003).
    final class MatMulNet: Cell, @unchecked Sendable {
        let weight: Parameter
        init(weight: Parameter) { self.weight = weight; super.init() }
        override func construct(_ x: Tensor) -> Tensor { matmul(x, weight.value) }
    }

    func subject(for description: String, _ params: [String: Parameter]) throws -> FixtureSubject {
        if description.hasPrefix("Cell f(x, y, z) = x * y * z") { return FixtureSubject(cell: Mul3(), isCell: true) }
        if description.hasPrefix("f(x, y, z) = (x * exp(y) * z**2, z)") {
            return FixtureSubject(cell: ClosureCell { t in [.tensor(t[0] * exp(t[1]) * pow(t[2], 2)), .tensor(t[2])] }, isCell: false)
        }
        if description.hasPrefix("WithLossCell"), let w = params["weight"] {
            return FixtureSubject(cell: WithLossCell(MatMulNet(weight: w), SoftmaxCrossEntropyWithLogits()), isCell: true)
        }
        if description.hasPrefix("Cell f(x, y) = (x * z) @ y"), let z = params["z"] {
            return FixtureSubject(cell: ScaledMatMul(z: z), isCell: true)
        }
        if description.hasPrefix("Cell f(x, y) = x * w * y + b"), let w = params["w"], let b = params["b"] {
            return FixtureSubject(cell: XWYB(w: w, b: b), isCell: true)
        }
        throw FixtureError("no Swift function for «\(description)»")
    }

    func testAllThirtyGoldenCasesMatchMindSpore() throws {
        let fixture = try loadFixture("mindspore_seed_cases.json")
        let cases = fixture["cases"] as? [[String: Any]] ?? []
        XCTAssertEqual(cases.count, 30)
        for c in cases {
            let description = c["description"] as? String ?? ""
            try runFixtureCase(c) { try subject(for: description, $0) }
        }
    }
}
