import XCTest
@testable import TapeGrad

/// Cell.bprop, customVJP and noGrad: used by every gradient API, composing with higher order.
final class CustomGradientTests: XCTestCase {
    /// Forward x², gradient given as 10·dout (deliberately not 2x, so the custom rule is visible).
    final class TenTimes: Cell, CustomBprop {
        var calls = 0
        override func construct(_ x: Tensor) -> Tensor { x * x }
        func bprop(_ inputs: [Tensor], out: TensorTree, dout: TensorTree) -> [Tensor] {
            calls += 1
            return [dout.asTensor * 10]
        }
    }

    /// Forward x·y, gradients (dout·y·out, dout·x): uses `out`, so the higher order sees it.
    final class MulUsingOut: Cell, CustomBprop {
        override func construct(_ x: Tensor, _ y: Tensor) -> Tensor { x * y }
        func bprop(_ inputs: [Tensor], out: TensorTree, dout: TensorTree) -> [Tensor] {
            [dout.asTensor * inputs[1] * out.asTensor, dout.asTensor * inputs[0]]
        }
    }

    final class WrongCount: Cell, CustomBprop {
        override func construct(_ x: Tensor) -> Tensor { x * 2 }
        func bprop(_ inputs: [Tensor], out: TensorTree, dout: TensorTree) -> [Tensor] { [] }
    }

    final class Outer: Cell {
        let inner = TenTimes()
        override func construct(_ x: Tensor) -> Tensor { inner(x * 3) }
    }

    let x = Tensor([1, 2])

    func testBpropIsUsedByEveryGradientAPI() throws {
        let net = TenTimes()
        XCTAssertEqual(try grad(net)(x).asTensor.scalars, [10, 10])
        let (value, g) = try valueAndGrad(net)(x)
        XCTAssertEqual(value.asTensor.scalars, [1, 4])
        XCTAssertEqual(g.asTensor.scalars, [10, 10])
        XCTAssertEqual(try GradOperation()(net)(x).asTensor.scalars, [10, 10])
        XCTAssertEqual(try ForwardValueAndGrad(net).valueAndGradients(x).gradients.asTensor.scalars, [10, 10])
        XCTAssertEqual(try vjp(net, [x]).pullback(Tensor([1, 2]))[0].asTensor.scalars, [10, 20])
        XCTAssertEqual(try jvp(net, [x], [Tensor([1, 2])]).jvp.asTensor.scalars, [10, 20])
        XCTAssertEqual(try jacrev(net)(x).asTensor.scalars, [10, 0, 0, 10])
        XCTAssertEqual(try jacfwd(net)(x).asTensor.scalars, [10, 0, 0, 10])
    }

    func testBpropOfANestedCellComposesWithTheChainRule() throws {
        // d/dx inner(3x) = 10 · 3.
        XCTAssertEqual(try grad(Outer())(x).asTensor.scalars, [30, 30])
    }

    func testBpropWithoutRecordedInputsIsNotCalled() throws {
        let net = TenTimes()
        XCTAssertEqual(net(x).scalars, [1, 4])
        XCTAssertEqual(net.calls, 0)
    }

    func testBpropWrittenInOpsIsDifferentiatedAtSecondOrder() throws {
        // ∂/∂x = dout·y·out = x y², ∂²/∂x² of the sum = y².
        let net = MulUsingOut()
        let y = Tensor([3, 4])
        let first = try grad(net, gradPosition: 0)(x, y).asTensor
        XCTAssertEqual(first.scalars, [9, 32])
        let second = try grad({ (x: Tensor) in (try? grad(net, gradPosition: 0)(x, y).asTensor) ?? x }, gradPosition: 0)(x)
        XCTAssertEqual(second.asTensor.scalars, [9, 16])
    }

    func testBpropReturningTheWrongCountThrows() {
        XCTAssertThrowsError(try grad(WrongCount())(x)) { error in
            guard case .tensor(let e)? = error as? GradError else { return XCTFail("\(error)") }
            XCTAssertTrue(e.message.contains("should return 1 gradient"), e.message)
        }
    }

    func testCustomVJPReplacesTheGradientOfAClosure() throws {
        let clipGradient = customVJP({ x in x }, pullback: { _, _, dout in clip(dout, min: -1, max: 1) })
        let g = try gradient(at: x) { x in (clipGradient(x) * 10).sum() }
        XCTAssertEqual(g.scalars, [1, 1])
        let mul = customVJP({ a, b in a * b }, pullback: { a, b, _, dout in (dout * b * 2, dout * a * 2) })
        let (_, (ga, gb)) = try valueWithGradient(at: x, Tensor([3, 4])) { a, b in mul(a, b).sum() }
        XCTAssertEqual(ga.scalars, [6, 8])
        XCTAssertEqual(gb.scalars, [2, 4])
    }

    func testCustomVJPPullbackInOpsHasASecondDerivative() throws {
        // A hand-written rule for x³: pullback 3x²·dout; its derivative 6x.
        let cube = customVJP({ x in x * x * x }, pullback: { x, _, dout in dout * x * x * 3 })
        let second = try gradient(at: x) { x in ((try? gradient(at: x) { cube($0).sum() }) ?? x).sum() }
        XCTAssertEqual(second.scalars, [6, 12])
    }

    func testNoGradRecordsNothing() throws {
        let (_, g) = try valueWithGradient(at: x) { x in
            let scale = noGrad { (x * x).sum() }
            XCTAssertFalse(scale.isRecorded)
            return (x * scale).sum()
        }
        XCTAssertEqual(g.scalars, [5, 5])
        // A gradient computation started inside noGrad still works.
        let (_, outer) = try valueWithGradient(at: x) { x in
            noGrad { XCTAssertEqual((try? gradient(at: x) { ($0 * $0).sum() })?.scalars, [2, 4]) }
            return (x * 3).sum()
        }
        XCTAssertEqual(outer.scalars, [3, 3])
    }
}
