import XCTest
@testable import TapeGrad

final class TapeBasicsTests: XCTestCase {
    func testProductRuleThroughSumGivesOtherOperand() throws {
        let x = Tensor([1, 2, 3]), y = Tensor([4, 5, 6])
        let (v, (dx, dy)) = try valueWithGradient(at: x, y) { x, y in (x * y).sum() }
        XCTAssertEqual(v.item(), 32)
        XCTAssertEqual(dx.asArray(Float.self), [4, 5, 6])
        XCTAssertEqual(dy.asArray(Float.self), [1, 2, 3])
    }

    func testFanOutAccumulatesAndBroadcastSumsBack() throws {
        let x = Tensor([[1, 2, 3], [4, 5, 6]]), b = Tensor([1, 1, 1])
        let (_, (dx, db)) = try valueWithGradient(at: x, b) { x, b in ((x + b) * x).sum() }
        // d/dx (x² + b x) = 2x + b ; d/db = Σ_rows x
        XCTAssertEqual(dx.asArray(Float.self), [3, 5, 7, 9, 11, 13])
        XCTAssertEqual(db.asArray(Float.self), [5, 7, 9])
        XCTAssertEqual(db.shape, [3])
    }

    func testInPlaceFanOutAccumulationNeverWritesThroughASharedGradient() throws {
        // x + x hands the same gradient buffer to both uses; y = x + x + x and z = y * y reuse it again.
        let (_, gx) = try valueWithGradient(at: Tensor([1, 2])) { x in let y = x + x + x; return (y + y * 0 + x).sum() }
        XCTAssertEqual(gx.scalars, [4, 4])
        let (_, (ga, gb)) = try valueWithGradient(at: Tensor([1, 2]), Tensor([3, 4])) { a, b in let s = a + b; return (s + s + a).sum() }
        XCTAssertEqual(ga.scalars, [3, 3]); XCTAssertEqual(gb.scalars, [2, 2])
    }

    func testInPlaceBackwardNeverWritesIntoTheCallersSens() throws {
        let sens = Tensor([1, 2, 3])
        let g = try grad({ (x: Tensor) in tanh(x * 2 / 4 + 1) }, sensParam: true)(Tensor([0.5, -1, 2]), sens: sens)
        XCTAssertEqual(sens.scalars, [1, 2, 3])
        let x: [Double] = [0.5, -1, 2], s: [Double] = [1, 2, 3]
        for i in 0..<3 {
            let t = Foundation.tanh(x[i] * 2 / 4 + 1)
            XCTAssertEqual(g.asTensor.scalars[i], s[i] * (1 - t * t) * 0.5, accuracy: 1e-6)
        }
    }

    func testTrainableParamsListOwnParametersFirstThenSubCellsInDeclarationOrder() {
        final class Net: Cell {
            let z = Parameter(Tensor([1]), name: "z")
            let sub = Dense(inChannels: 2, outChannels: 1, seed: 1)
            let a = Parameter(Tensor([2]), name: "a")
            let frozen = Parameter(Tensor([3]), name: "frozen", requiresGrad: false)
            let unusedButTrainable = Parameter(Tensor([4]))
        }
        let net = Net()
        XCTAssertEqual(net.trainableParams().map(\.name), ["z", "a", "unusedButTrainable", "sub.weight", "sub.bias"])
        XCTAssertEqual(net.parameters().map(\.name), ["z", "a", "frozen", "unusedButTrainable", "sub.weight", "sub.bias"])
    }

    func testMatmulGradientsAreGBtransposeAndAtransposeG() throws {
        let a = Tensor([[1, 2], [3, 4]]), b = Tensor([[5, 6], [7, 8]])
        let (_, (da, db)) = try valueWithGradient(at: a, b) { a, b in matmul(a, b).sum() }
        XCTAssertEqual(da.asArray(Float.self), [11, 15, 11, 15])
        XCTAssertEqual(db.asArray(Float.self), [4, 4, 6, 6])
    }

    func testShapeErrorInsideScopeThrowsAndNamesShapes() {
        XCTAssertThrowsError(try withErrorChecking { _ = Tensor.zeros([2, 3]) + Tensor.zeros([4]) }) { error in
            XCTAssertEqual((error as? TensorError)?.description, "add: shapes [2, 3] and [4] do not broadcast")
        }
    }
}
