import Foundation
@testable import TapeGrad

// Rows for BatchNorm2d, InstanceNorm2d and RMSNorm: wrong rank, wrong channel count or trailing shape, and
// arguments MindSpore (or PyTorch, for RMSNorm) rejects.
extension BadInputRows {
    static var normalization: [BadInput] {
        func row(_ name: String, _ op: String, _ mentions: [String], _ body: @escaping () throws -> Void) -> BadInput {
            BadInput(family: "normalization", name: name, expected: .tensor(op: op), mentions: mentions, body: body)
        }
        let x23 = Tensor.zeros([2, 3]), image = Tensor.zeros([1, 2, 4, 4])
        return [
            row("BatchNorm2d rank", "BatchNorm2d", ["BatchNorm2d(numFeatures: 3)", "got input [2, 3]", "expected (N, 3, H, W)"]) {
                _ = BatchNorm2d(numFeatures: 3)(x23)
            },
            row("BatchNorm2d channels", "BatchNorm2d", ["BatchNorm2d(numFeatures: 3)", "got input [1, 2, 4, 4]", "expected (N, 3, H, W)"]) {
                _ = BatchNorm2d(numFeatures: 3).setTrain()(image)
            },
            row("BatchNorm2d rank 5", "BatchNorm2d", ["got input [1, 2, 4, 4, 1]"]) { _ = BatchNorm2d(numFeatures: 2)(Tensor.zeros([1, 2, 4, 4, 1])) },
            row("BatchNorm2d no features", "BatchNorm2d", ["'numFeatures'", "at least 1", "0"]) { _ = BatchNorm2d(numFeatures: 0) },
            row("BatchNorm2d momentum > 1", "BatchNorm2d", ["'momentum'", "[0, 1]", "1.5"]) { _ = BatchNorm2d(numFeatures: 2, momentum: 1.5) },
            row("BatchNorm2d eps 0", "BatchNorm2d", ["'eps'", "> 0", "0.0"]) { _ = BatchNorm2d(numFeatures: 2, eps: 0) },
            row("BatchNorm2d γ replaced by a wrong shape", "BatchNorm2d", ["BatchNorm2d(numFeatures: 3)", "must have shape [3]", "[5]"]) {
                let bn = BatchNorm2d(numFeatures: 3).setTrain()
                bn.gamma.value = Tensor.ones([5])
                _ = bn(Tensor.zeros([2, 3, 2, 2]))
            },
            row("InstanceNorm2d rank", "InstanceNorm2d", ["InstanceNorm2d(numFeatures: 2)", "got input [1, 2, 4]", "expected (N, 2, H, W)"]) {
                _ = InstanceNorm2d(numFeatures: 2)(Tensor.zeros([1, 2, 4]))
            },
            row("InstanceNorm2d channels", "InstanceNorm2d", ["InstanceNorm2d(numFeatures: 4)", "got input [1, 2, 4, 4]", "expected (N, 4, H, W)"]) {
                _ = InstanceNorm2d(numFeatures: 4)(image)
            },
            row("InstanceNorm2d momentum NaN", "InstanceNorm2d", ["'momentum'", "nan"]) { _ = InstanceNorm2d(numFeatures: 2, momentum: .nan) },
            row("InstanceNorm2d no features", "InstanceNorm2d", ["'numFeatures'", "-1"]) { _ = InstanceNorm2d(numFeatures: -1) },
            row("RMSNorm trailing shape", "RMSNorm", ["RMSNorm(normalizedShape: [4])", "got input [2, 3]", "expected [..., 4]"]) {
                _ = RMSNorm(normalizedShape: [4])(x23)
            },
            row("RMSNorm rank", "RMSNorm", ["RMSNorm(normalizedShape: [2, 3])", "got input [3]", "expected [..., 2, 3]"]) {
                _ = RMSNorm(normalizedShape: [2, 3])(Tensor.zeros([3]))
            },
            row("RMSNorm integer input", "RMSNorm", ["Int32", "floating-point"]) { _ = RMSNorm(normalizedShape: [2])(Tensor([[1, 2]] as [[Int32]])) },
            row("RMSNorm empty shape", "RMSNorm", ["'normalizedShape'", "[]"]) { _ = RMSNorm(normalizedShape: []) },
            row("RMSNorm negative eps", "RMSNorm", ["'eps'", "-1.0"]) { _ = RMSNorm(normalizedShape: [2], eps: -1) },
        ]
    }
}
