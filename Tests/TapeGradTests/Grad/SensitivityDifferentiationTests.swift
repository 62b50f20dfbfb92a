import XCTest
@testable import TapeGrad

/// The sensitivity given to a grad function (`sens:` or the last input with `sensParam`) is differentiable when
/// an enclosing computation records it: ∂⟨Jᵀv, u⟩/∂v = J·u (the double-vjp route to a Jacobian-vector product).
final class SensitivityDifferentiationTests: XCTestCase {
    let w = Tensor.randomUniform([3, 4], lower: -1, upper: 1, dtype: .float64, seed: 1)
    let x = Tensor.randomUniform([2, 3], lower: -1, upper: 1, dtype: .float64, seed: 2)
    let v = Tensor.randomUniform([2, 4], lower: -1, upper: 1, dtype: .float64, seed: 3)
    let u = Tensor.randomUniform([2, 3], lower: -1, upper: 1, dtype: .float64, seed: 4)

    /// f(x) = tanh(x·W) ⊙ (1 + x·W): nonlinear, [2, 3] → [2, 4].
    func f(_ x: Tensor) -> Tensor {
        let y = matmul(x, w)
        return tanh(y) * (y + 1)
    }

    /// J·u by central finite differences of f along u.
    func finiteDifferenceJVP() -> [Double] {
        let h = 1e-6
        return zip(f(x + u * h).scalars, f(x - u * h).scalars).map { ($0 - $1) / (2 * h) }
    }

    func assertClose(_ a: [Double], _ b: [Double], _ tolerance: Double, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, file: file, line: line)
        let worst = zip(a, b).map { Swift.abs($0 - $1) }.max() ?? .infinity
        XCTAssertLessThan(worst, tolerance, "\(a) vs \(b)", file: file, line: line)
    }

    func testGradientOfAVJPWithRespectToSensIsTheJVP() throws {
        let vjp = try grad({ (x: Tensor) in self.f(x) }, sensParam: true)
        let (_, jvp) = try valueWithGradient(at: v) { v in
            guard let g = try? vjp(self.x, sens: v).asTensor else { return Tensor(Double.nan) }
            return (g * self.u).sum()
        }
        XCTAssertFalse(jvp.isRecorded)
        let expected = finiteDifferenceJVP()
        assertClose(jvp.scalars, expected, 1e-8)
        XCTAssertGreaterThan(expected.map(Swift.abs).max() ?? 0, 0.1)
    }

    func testSensGivenAsTheLastInputOfGradOperationIsDifferentiable() throws {
        let vjp = GradOperation(sensParam: true)({ (x: Tensor) in self.f(x) })
        let (_, jvp) = try valueWithGradient(at: v) { v in
            guard let g = try? vjp(self.x, v).asTensor else { return Tensor(Double.nan) }
            return (g * self.u).sum()
        }
        assertClose(jvp.scalars, finiteDifferenceJVP(), 1e-8)
    }

    func testMixedSecondDerivativesInInputAndSensMatchFiniteDifferences() throws {
        // S(x, v) = ⟨Jᵀ(x)·v, u⟩: ∂S/∂v = J·u and ∂S/∂x = ∂/∂x ⟨v, J(x)·u⟩, both against finite differences of S.
        let vjp = try grad({ (x: Tensor) in self.f(x) }, sensParam: true)
        let result = try checkGradients("⟨vjp(x, v), u⟩", at: [x, v]) { xs in
            guard let g = try? vjp(xs[0], sens: xs[1]).asTensor else { return Tensor(Double.nan) }
            return (g * self.u).sum()
        }
        XCTAssertLessThan(result.worstRelativeError, 1e-7, "\(result)")
    }

    func testSensOfAScalarOutputIsSummedAndStillDifferentiable() throws {
        // f(x) = Σx³ is 0-d, so any sens is summed: grad = 3x² · Σv, and ∂⟨grad, u⟩/∂v = ⟨3x², u⟩ in every entry.
        let gradFn = try grad({ (x: Tensor) in (x * x * x).sum() }, sensParam: true)
        let (_, dv) = try valueWithGradient(at: v) { v in
            guard let g = try? gradFn(self.x, sens: v).asTensor else { return Tensor(Double.nan) }
            return (g * self.u).sum()
        }
        let expected = (3 * x * x * u).sum().item()
        assertClose(dv.scalars, [Double](repeating: expected, count: v.count), 1e-12)
    }

    func testAConstantSensLeavesTheGradientAConstant() throws {
        let g = try grad({ (x: Tensor) in self.f(x) }, sensParam: true)(x, sens: v).asTensor
        XCTAssertFalse(g.isRecorded)
        let (_, plain) = try valueWithGradient(at: x) { x in (self.f(x) * self.v).sum() }
        assertClose(g.scalars, plain.scalars, 1e-14)
    }
}
