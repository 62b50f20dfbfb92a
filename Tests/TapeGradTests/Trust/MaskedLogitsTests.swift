import Foundation
import XCTest
@testable import TapeGrad

/// Masked logits (−∞) in the cross-entropy losses give the exact loss and finite gradients, not NaN
/// (issue 8, found 6).
final class MaskedLogitsTests: XCTestCase {
    // Row 0: class 2 masked; row 1: classes 0 and 1 masked, so the target (class 2) has probability 1.
    let logits = Tensor([[0, 0, -.infinity], [-.infinity, -.infinity, 3]] as [[Double]])
    let sparse = Tensor([1, 2] as [Int32])
    var dense: Tensor { Tensor([[0, 1, 0], [0, 0, 1]] as [[Double]]) }
    let ln2 = Foundation.log(2.0)

    func assertFinite(_ t: Tensor, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(t.scalars.allSatisfy(\.isFinite), "\(what): \(t.scalars)", file: file, line: line)
    }

    func testSoftmaxCrossEntropyWithMaskedLogitsIsExact() throws {
        for (labels, isSparse) in [(sparse, true), (dense, false)] {
            let sce = SoftmaxCrossEntropyWithLogits(sparse: isSparse, reduction: .none)
            let (loss, g) = try valueAndGrad({ (x: Tensor) in sce(x, labels) }, gradPosition: 0)(logits)
            XCTAssertEqual(loss.scalars, [ln2, 0], "sparse: \(isSparse)")    // −log ½, −log 1
            // softmax − label: row 0 [½, ½, 0] − [0, 1, 0]; row 1 [0, 0, 1] − [0, 0, 1].
            XCTAssertEqual(g.asTensor.scalars, [0.5, -0.5, 0, 0, 0, 0], "sparse: \(isSparse)")
        }
    }

    func testCrossEntropyLossWithMaskedLogitsIsExact() throws {
        for target in [sparse, dense] {
            let (loss, g) = try valueAndGrad({ (x: Tensor) in CrossEntropyLoss(reduction: .sum)(x, target) }, gradPosition: 0)(logits)
            XCTAssertEqual(loss.item(), ln2, accuracy: 1e-15, "\(target.dtype)")
            assertFinite(g.asTensor, "CrossEntropyLoss gradient")
            XCTAssertEqual(g.asTensor.scalars, [0.5, -0.5, 0, 0, 0, 0], "\(target.dtype)")
        }
        let mean = CrossEntropyLoss()(logits, sparse)
        XCTAssertEqual(mean.item(), ln2 / 2, accuracy: 1e-15)
    }

    func testNLLLossWithMaskedLogProbabilitiesIsExact() throws {
        let (loss, g) = try valueAndGrad({ (x: Tensor) in NLLLoss(reduction: .none)(x.logSoftmax(alongAxis: 1), self.sparse) }, gradPosition: 0)(logits)
        XCTAssertEqual(loss.scalars[0], ln2, accuracy: 1e-15)
        XCTAssertEqual(loss.scalars[1], 0)
        assertFinite(g.asTensor, "NLLLoss gradient")
        XCTAssertEqual(g.asTensor.scalars, [0.5, -0.5, 0, 0, 0, 0])
    }

    func testAMaskedTargetIsAnInfiniteLossNotNaN() {
        let loss = NLLLoss(reduction: .none)(logits.logSoftmax(alongAxis: 1), Tensor([2, 2] as [Int32]))
        XCTAssertEqual(loss.scalars, [.infinity, 0])
    }
}
