import XCTest
@testable import TapeGrad

/// WGAN-GP's gradient penalty on a small convolutional critic: P(θ) = mean_b (‖∂critic(x_b)/∂x_b‖₂ − 1)².
/// Its gradient with respect to the critic's weights goes through the pullbacks of conv2d and pooling, so it is
/// only right when those pullbacks are differentiable; it is checked against central finite differences in float64.
final class GradientPenaltyTests: XCTestCase {
    func u(_ shape: [Int], _ seed: UInt64) -> Tensor { Tensor.randomUniform(shape, lower: -1, upper: 1, dtype: .float64, seed: seed) }

    /// P(θ) for the critic at the images `x` (the inner gradient runs on its own tape).
    func penalty(_ critic: Cell, _ x: Tensor) -> Tensor {
        guard let g = try? gradient(at: x, of: { critic($0).sum() }) else { return Tensor(Double.nan) }
        let norms = sqrt((g * g).sum(alongAxes: [1, 2, 3]))
        return square(norms - 1).mean()
    }

    /// (analytic ∂P/∂θ, central finite differences of P), flattened over the trainable parameters in order.
    func penaltyGradients(_ critic: Cell, _ x: Tensor) throws -> (analytic: [Double], numeric: [Double]) {
        let params = critic.trainableParams()
        let (_, gradients) = try valueAndGrad({ (x: Tensor) in self.penalty(critic, x) }, gradPosition: nil, weights: params)(x)
        let analytic = gradients.tensors.flatMap(\.scalars)
        var numeric: [Double] = []
        for p in params {
            let original = p.value
            var values = original.scalars
            for k in values.indices {
                let h = 1e-6 * Swift.max(1, Swift.abs(values[k]))
                let v = values[k]
                values[k] = v + h
                p.value = Tensor(values, shape: original.shape)
                let plus = penalty(critic, x).item()
                values[k] = v - h
                p.value = Tensor(values, shape: original.shape)
                let minus = penalty(critic, x).item()
                values[k] = v
                p.value = original
                numeric.append((plus - minus) / (2 * h))
            }
        }
        return (analytic, numeric)
    }

    func worstRelativeError(_ a: [Double], _ b: [Double]) -> Double {
        zip(a, b).map { Swift.abs($0 - $1) / Swift.max(1, Swift.abs($0), Swift.abs($1)) }.max() ?? .infinity
    }

    func testGradientPenaltyThroughConv2dAndAvgPool2dMatchesFiniteDifferences() throws {
        let critic = SequentialCell([
            Conv2d(inChannels: 1, outChannels: 2, kernelSize: 3, hasBias: true, weightInit: u([2, 1, 3, 3], 1), biasInit: u([2], 2)),
            Tanh(), AvgPool2d(kernelSize: 2, stride: 2), Flatten(),
            Dense(inChannels: 8, outChannels: 1, weightInit: u([1, 8], 3), biasInit: u([1], 4)),
        ])
        let x = u([2, 1, 4, 4], 5)
        let (analytic, numeric) = try penaltyGradients(critic, x)
        XCTAssertEqual(analytic.count, 18 + 2 + 8 + 1)
        let error = worstRelativeError(analytic, numeric)
        let at = numeric.indices.max { Swift.abs(numeric[$0]) < Swift.abs(numeric[$1]) } ?? 0
        print("WGAN-GP penalty, conv-tanh-avgpool-dense critic: P = \(penalty(critic, x).item()); at the weight with the largest "
              + "|∂P/∂θ| analytic \(analytic[at]) vs finite differences \(numeric[at]); worst relative error \(error) over \(analytic.count) weights")
        XCTAssertGreaterThan(analytic.map(Swift.abs).max() ?? 0, 0.01, "the penalty gradient must not vanish")
        XCTAssertLessThan(error, 1e-6)
    }

    func testFloat32GradientPenaltyAgreesWithFloat64() throws {
        func critic(_ dtype: DType) -> Cell {
            SequentialCell([
                Conv2d(inChannels: 1, outChannels: 2, kernelSize: 3, stride: 2, padMode: .same, hasBias: true,
                       weightInit: u([2, 1, 3, 3], 21).astype(dtype), biasInit: u([2], 22).astype(dtype)),
                Tanh(), MaxPool2d(kernelSize: 2, stride: 1), AvgPool2d(kernelSize: 2, stride: 2, padMode: .same), Flatten(),
                Dense(inChannels: 2, outChannels: 1, weightInit: u([1, 2], 23).astype(dtype), biasInit: u([1], 24).astype(dtype)),
            ])
        }
        let x = u([2, 1, 6, 6], 25)
        func gradients(_ dtype: DType) throws -> [Double] {
            let net = critic(dtype)
            let (_, g) = try valueAndGrad({ (x: Tensor) in self.penalty(net, x) }, gradPosition: nil, weights: net.trainableParams())(x.astype(dtype))
            return g.tensors.flatMap(\.scalars)
        }
        let (single, double) = (try gradients(.float32), try gradients(.float64))
        XCTAssertGreaterThan(double.map(Swift.abs).max() ?? 0, 0.01)
        XCTAssertLessThan(worstRelativeError(single, double), 1e-4)
    }

    func testGradientPenaltyThroughStridedConv2dAndMaxPool2dMatchesFiniteDifferences() throws {
        let critic = SequentialCell([
            Conv2d(inChannels: 2, outChannels: 3, kernelSize: 3, stride: 1, padMode: .pad(1), hasBias: true,
                   weightInit: u([3, 2, 3, 3], 11), biasInit: u([3], 12)),
            Tanh(), MaxPool2d(kernelSize: 2, stride: 2),
            Conv2d(inChannels: 3, outChannels: 2, kernelSize: 2, stride: 2, padMode: .valid, weightInit: u([2, 3, 2, 2], 13)),
            GELU(), Flatten(),
            Dense(inChannels: 2, outChannels: 1, weightInit: u([1, 2], 14), biasInit: u([1], 15)),
        ])
        let x = u([3, 2, 4, 4], 16)
        let (analytic, numeric) = try penaltyGradients(critic, x)
        let error = worstRelativeError(analytic, numeric)
        print("WGAN-GP penalty, conv-tanh-maxpool-conv(stride 2)-gelu-dense critic: worst relative error \(error) over \(analytic.count) weights")
        XCTAssertGreaterThan(analytic.map(Swift.abs).max() ?? 0, 0.01)
        XCTAssertLessThan(error, 1e-6)
    }
}
