import XCTest
@testable import TapeGrad

/// Seeded sampling: the same seed gives the same tensor, and the draws follow their distributions
/// (TapeGrad's generator is its own, so MindSpore's numbers are not the reference here).
final class SamplingTests: XCTestCase {
    func testSameSeedReproducesAndAnotherSeedDiffers() {
        XCTAssertEqual(Tensor.randint(low: -3, high: 7, shape: [50], seed: 1).scalars, Tensor.randint(low: -3, high: 7, shape: [50], seed: 1).scalars)
        XCTAssertNotEqual(Tensor.randint(low: -3, high: 7, shape: [50], seed: 1).scalars, Tensor.randint(low: -3, high: 7, shape: [50], seed: 2).scalars)
        XCTAssertEqual(Tensor.randperm(20, seed: 4).scalars, Tensor.randperm(20, seed: 4).scalars)
        XCTAssertEqual(bernoulli(Tensor.full([30], value: 0.5), seed: 5).scalars, bernoulli(Tensor.full([30], value: 0.5), seed: 5).scalars)
        XCTAssertEqual(multinomial(Tensor([1, 2, 3, 4]), numSamples: 3, seed: 6).scalars, multinomial(Tensor([1, 2, 3, 4]), numSamples: 3, seed: 6).scalars)
        XCTAssertEqual(normal(mean: Tensor.zeros([8]), standardDeviation: Tensor(1), seed: 7).scalars,
                       normal(mean: Tensor.zeros([8]), standardDeviation: Tensor(1), seed: 7).scalars)
    }

    func testLikeSamplersKeepShapeAndFloatingDType() {
        let u = randLike(Tensor.zeros([40, 5], dtype: .float64), seed: 21)
        XCTAssertEqual(u.shape, [40, 5])
        XCTAssertEqual(u.dtype, .float64)
        XCTAssertTrue(u.scalars.allSatisfy { $0 >= 0 && $0 < 1 })
        XCTAssertEqual(randnLike(Tensor([1, 2] as [Int32]), seed: 22).dtype, .float32)
        XCTAssertEqual(randnLike(Tensor.zeros([3]), seed: 23).scalars, randnLike(Tensor.zeros([3]), seed: 23).scalars)
    }

    func testRandintCoversItsRangeUniformly() {
        let v = Tensor.randint(low: -3, high: 7, shape: [20000], seed: 11).scalars
        XCTAssertEqual(v.min(), -3)
        XCTAssertEqual(v.max(), 6)
        for k in -3..<7 {
            let share = Double(v.filter { $0 == Double(k) }.count) / 20000
            XCTAssertEqual(share, 0.1, accuracy: 0.015, "value \(k)")
        }
    }

    func testRandpermIsAPermutation() {
        XCTAssertEqual(Tensor.randperm(100, seed: 12).scalars.sorted(), (0..<100).map(Double.init))
        XCTAssertEqual(Tensor.randperm(0, seed: 12).shape, [0])
    }

    func testBernoulliFollowsItsProbabilities() {
        let p = Tensor([0, 0.25, 1] as [Double]).reshaped(to: [1, 3]).broadcast(to: [4000, 3])
        let draws = bernoulli(p, seed: 13).mean(alongAxes: [0]).scalars
        XCTAssertEqual(draws[0], 0)
        XCTAssertEqual(draws[1], 0.25, accuracy: 0.03)
        XCTAssertEqual(draws[2], 1)
    }

    func testMultinomialSamplesByWeightAndWithoutRepeats() {
        let rows = multinomial(Tensor([[0, 1, 3], [5, 0, 5]]), numSamples: 2, seed: 14).asArray(Int32.self)
        XCTAssertEqual(Set(rows[0..<2]), [1, 2])            // without replacement: both non-zero categories
        XCTAssertEqual(Set(rows[2..<4]), [0, 2])
        let many = multinomial(Tensor([1, 3]), numSamples: 8000, replacement: true, seed: 15).scalars
        XCTAssertEqual(many.reduce(0, +) / 8000, 0.75, accuracy: 0.03)
    }

    func testNormalWithTensorParametersHasThoseMomentsAndGradients() throws {
        let mean = Tensor([-2, 5] as [Double]).reshaped(to: [1, 2]), std = Tensor([0.5, 2] as [Double])
        let s = normal(mean: mean.broadcast(to: [5000, 2]), standardDeviation: std, seed: 16)
        let m = s.mean(alongAxes: [0]).scalars
        XCTAssertEqual(m[0], -2, accuracy: 0.05)
        XCTAssertEqual(m[1], 5, accuracy: 0.15)
        let sd = sqrt(square(s - s.mean(alongAxes: [0])).mean(alongAxes: [0])).scalars
        XCTAssertEqual(sd[0], 0.5, accuracy: 0.03)
        XCTAssertEqual(sd[1], 2, accuracy: 0.1)
        // Reparameterised: ∂Σ/∂mean = 1 per sample, ∂Σ/∂std = Σ ε.
        let (_, (gm, _)) = try valueWithGradient(at: Tensor([1, 2] as [Double]), Tensor([3] as [Double])) { m, s in
            normal(mean: m, standardDeviation: s, seed: 17).sum()
        }
        XCTAssertEqual(gm.scalars, [1, 1])
    }
}
