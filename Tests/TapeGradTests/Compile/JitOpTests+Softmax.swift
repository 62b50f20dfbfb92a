import XCTest
@testable import TapeGrad

/// softmax, log-softmax and rsqrt (and what they unlock: LayerNorm) jitted against eager.
/// rsqrt is bit-identical (the same 1/√x per element, its backward in the eager order); softmax runs through
/// the vector eˣ and its own sums, so it is within 2·10⁻⁶ relative.
extension JitOpTests {
    func testRsqrtIsBitIdentical() throws {
        try check("rsqrt", [positive], exact: true) { rsqrt($0[0]) }
        try check("rsqrt chain", [positive, a], exact: true) { rsqrt($0[0] + 0.5) * $0[1] }
    }

    func testSoftmaxAndLogSoftmaxAlongAnyAxis() throws {
        let x = Tensor.randomNormal([3, 4, 5], seed: 40)
        for axis in [-1, 0, 1] {
            try check("softmax axis \(axis)", [x], exact: false) { ($0[0].softmax(alongAxis: axis) * $0[0]).sum() }
            try check("logSoftmax axis \(axis)", [x], exact: false) { ($0[0].logSoftmax(alongAxis: axis) * $0[0]).sum() }
        }
        // Large logits: the maximum is subtracted first (no overflow to inf / NaN).
        let big = Tensor([[1000, 1001, 999], [-1000, -1002, -1001]] as [[Float]])
        try check("softmax of large logits", [big], exact: false) { $0[0].softmax() * 3 }
        try check("logSoftmax of large logits", [big], exact: false) { $0[0].logSoftmax() * 3 }
    }

    func testLayerNormCompiles() throws {
        let ln = LayerNorm(normalizedShape: [4])
        try check("LayerNorm", [a], exact: false) { (ln($0[0]) * $0[0]).sum() }
    }
}
