import XCTest
@testable import TapeGrad

/// `GroupNorm` against real MindSpore 2.10 (`Oracle/groupnorm_oracle.py`) and float64 finite differences.
final class GroupNormTests: XCTestCase {
    func assertClose(_ a: Tensor, _ expected: Any?, _ what: String, rtol: Double = 1e-4, atol: Double = 1e-5) throws {
        let e = try fixtureTensor(expected)
        XCTAssertEqual(a.shape, e.shape, what)
        for (i, (x, y)) in zip(a.scalars, e.scalars).enumerated() where !(Swift.abs(x - y) <= atol + rtol * Swift.abs(y)) {
            XCTFail("\(what): element \(i): \(x) vs MindSpore \(y)")
            return
        }
    }

    func testOutputAndGradientsMatchMindSpore() throws {
        let cases = try loadFixture("oracle_groupnorm.json")["cases"] as? [[String: Any]] ?? []
        XCTAssertEqual(cases.count, 3)
        for c in cases {
            let name = c["name"] as? String ?? "?"
            let x = try fixtureTensor(c["x"]), sens = try fixtureTensor(c["sens"])
            let gn = GroupNorm(numGroups: c["groups"] as? Int ?? 0, numChannels: x.shape[1], eps: fixtureDouble(c["eps"]) ?? 1e-5)
            gn.gamma.value = try fixtureTensor(c["gamma"])
            gn.beta.value = try fixtureTensor(c["beta"])
            try assertClose(try withErrorChecking { gn(x) }, c["output"], "\(name) output")
            let (_, grads) = try valueAndGrad({ (t: Tensor) in (gn(t) * sens).sum() }, gradPosition: 0, weights: [gn.gamma, gn.beta])(x)
            try assertClose(grads[0].asTensor, c["grad_x"], "\(name) ∂x")
            try assertClose(grads[1][0].asTensor, c["grad_gamma"], "\(name) ∂γ")
            try assertClose(grads[1][1].asTensor, c["grad_beta"], "\(name) ∂β")
        }
    }

    func testGradientsMatchFiniteDifferencesInFloat64() throws {
        let gn = GroupNorm(numGroups: 2, numChannels: 4, dtype: .float64)
        gn.gamma.value = Tensor([0.7, 1.3, 0.9, 1.1] as [Double])
        gn.beta.value = Tensor([0.1, -0.2, 0.3, 0.0] as [Double])
        let x = Tensor.randomNormal([2, 4, 3], dtype: .float64, seed: 5)
        let weights = Tensor.randomNormal([2, 4, 3], dtype: .float64, seed: 6)
        let input = try checkGradients("GroupNorm input", at: [x]) { (gn($0[0]) * weights).sum() }
        XCTAssertLessThan(input.worstRelativeError, 1e-6, "\(input)")
        let params = try checkGradients("GroupNorm γ, β", at: [gn.gamma.value, gn.beta.value]) { p in
            let y = GroupNorm(numGroups: 2, numChannels: 4, dtype: .float64)
            return (y.normalizedForCheck(x) * p[0].reshaped(to: [4, 1]) + p[1].reshaped(to: [4, 1]) * weights).sum()
        }
        XCTAssertLessThan(params.worstRelativeError, 1e-6, "\(params)")
    }

    func testWrongChannelsAndGroupsAreErrorsNamingTheLayer() {
        XCTAssertThrowsError(try withErrorChecking { _ = GroupNorm(numGroups: 2, numChannels: 4)(Tensor.zeros([2, 3, 5])) }) { error in
            XCTAssertTrue("\(error)".contains("GroupNorm(numGroups: 2, numChannels: 4)") && "\(error)".contains("expected (N, 4"), "\(error)")
        }
        XCTAssertThrowsError(try withErrorChecking { _ = GroupNorm(numGroups: 3, numChannels: 4) }) { error in
            XCTAssertTrue("\(error)".contains("multiple of numGroups"), "\(error)")
        }
        XCTAssertEqual(GroupNorm(numGroups: 2, numChannels: 4).extendRepr, "num_groups=2, num_channels=4")
    }
}

private extension GroupNorm {
    /// The normalised input before γ and β (γ = 1, β = 0 on a fresh layer), for the parameter check.
    func normalizedForCheck(_ x: Tensor) -> Tensor { self(x) }
}
