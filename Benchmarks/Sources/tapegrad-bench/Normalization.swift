// BN: BatchNorm2d in training, forward + backward (x, γ, β), on the activations of W6's first conv.
import CBLASFloor
import Foundation
import TapeGrad

/// The layer (fused op, two passes backward) beside the same formula composed of TapeGrad ops, each against the
/// floor of one saxpy pass over the activations (read x, read and write y), measured in the same run.
func bn() {
    let shape = [64, 32, 26, 26], count = shape.reduce(1, *)
    let layer = BatchNorm2d(numFeatures: 32).setTrain()
    let params = [layer.gamma, layer.beta]
    let x = Tensor.randomNormal(shape, seed: 91), sens = Tensor.randomUniform(shape, lower: -1, upper: 1, seed: 92)
    func composed(_ x: Tensor) -> Tensor {
        let flat = x.reshaped(to: [64, 32, -1])
        let centered = flat - flat.mean(alongAxes: [0, 2], keepDims: true)
        let variance = (centered * centered).mean(alongAxes: [0, 2], keepDims: true)
        let y = centered * (rsqrt(variance + 1e-5) * layer.gamma.value.reshaped(to: [32, 1])) + layer.beta.value.reshaped(to: [32, 1])
        return y.reshaped(to: shape)
    }
    guard let fused = try? valueAndGrad({ (x: Tensor) in (layer(x) * sens).sum() }, gradPosition: 0, weights: params),
          let reference = try? valueAndGrad({ (x: Tensor) in (composed(x) * sens).sum() }, gradPosition: 0, weights: params) else { return }
    let a = buffer(count, seed: 93), b = buffer(count, seed: 94)
    defer { a.deallocate(); b.deallocate() }
    let floor = { cblas_saxpy(blasint(count), 0.5, a, 1, b, 1) }
    reportAgainstFloor("BN", "BatchNorm2d train [64, 32, 26, 26]: fwd + bwd (fused)", "one saxpy pass over 1.38 M floats (floor)",
                       step: { _ = try? fused(x) }, floor: floor)
    reportAgainstFloor("BN", "same, composed of TapeGrad ops (reference)", "one saxpy pass over 1.38 M floats (floor)",
                       step: { _ = try? reference(x) }, floor: floor)
}
