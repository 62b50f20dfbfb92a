import XCTest
@testable import TapeGrad

/// The second-order walk's rows for the normalisation layers built from differentiable ops: BatchNorm2d (batch
/// and moving statistics), InstanceNorm2d and RMSNorm, each with non-trivial γ/β (or w) in float64.
extension SecondOrderWalkTests {
    static var normalization: [Row] {
        let image = u([3, 2, 2, 3], 9101)
        // γ, β and the moving statistics set from fixed seeds (drawing from the layer initialisers would move
        // the global initialiser counter other tests read).
        func batchNorm(training: Bool) -> BatchNorm2d {
            let bn = BatchNorm2d(numFeatures: 2, movingVarInit: .constant(0.7), dtype: .float64).setTrain(training)
            bn.gamma.value = u([2], 9103, lo: 0.5, hi: 2)
            bn.beta.value = u([2], 9104, lo: -1, hi: 1)
            bn.movingMean.value = u([2], 9105, lo: -0.5, hi: 0.5)
            return bn
        }
        let training = batchNorm(training: true), evaluation = batchNorm(training: false)
        let instance = InstanceNorm2d(numFeatures: 2, dtype: .float64)
        instance.gamma.value = u([2], 9106, lo: 0.5, hi: 2)
        instance.beta.value = u([2], 9107, lo: -1, hi: 1)
        let rms = RMSNorm(normalizedShape: [3], eps: 1e-3, dtype: .float64)
        rms.weight?.value = u([3], 9102, lo: 0.5, hi: 1.5)
        return [
            Row("BatchNorm2d", "training statistics", inputs: [image]) { training($0[0]) },
            Row("BatchNorm2d", "moving statistics", inputs: [image]) { square(evaluation($0[0])) },
            Row("InstanceNorm2d", inputs: [image]) { instance($0[0]) },
            Row("RMSNorm", "last axis, weight", inputs: [image]) { rms($0[0]) },
        ]
    }
}
