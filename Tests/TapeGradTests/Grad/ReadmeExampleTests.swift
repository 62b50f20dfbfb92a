import XCTest
import TapeGrad

/// The README's ten-line example, checked against hand-derived values.
final class ReadmeExampleTests: XCTestCase {
    func testReadmeGradientExampleGivesHandDerivedValues() throws {
        let x = Tensor([[1, 2], [3, 4]])
        let w = Parameter(Tensor([[0.5], [-1]]), name: "w")
        let f = { (x: Tensor) in tanh(matmul(x, w.value)).sum() }
        let (loss, grads) = try valueAndGrad(f, gradPosition: 0, weights: w)(x)
        let (dx, dw) = (grads[0].asTensor, grads[1].asTensor)
        // x·w = [-1.5, -2.5]; L = tanh(-1.5) + tanh(-2.5)
        XCTAssertEqual(loss.item(), Foundation.tanh(-1.5) + Foundation.tanh(-2.5), accuracy: 1e-6)
        let s1 = 1 - Foundation.pow(Foundation.tanh(-1.5), 2), s2 = 1 - Foundation.pow(Foundation.tanh(-2.5), 2)
        // ∂L/∂x = sech²(xw)·wᵀ ; ∂L/∂w = xᵀ·sech²(xw)
        let expectedDx = [s1 * 0.5, -s1, s2 * 0.5, -s2]
        for (a, b) in zip(dx.scalars, expectedDx) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        let expectedDw = [1 * s1 + 3 * s2, 2 * s1 + 4 * s2]
        for (a, b) in zip(dw.scalars, expectedDw) { XCTAssertEqual(a, b, accuracy: 1e-5) }
        XCTAssertEqual(dw.shape, [2, 1])
    }

    func testReadmeSeedCellExampleCompilesWithoutSendableBoilerplate() throws {
        final class Net: Cell {
            override func construct(_ x: Tensor, _ y: Tensor, _ z: Tensor) -> Tensor { x * y * z }
        }
        let x = Tensor([1, 2]), y = Tensor([-2, 3]), z = Tensor([0, 3])
        let (output, inputsGradient) = try valueAndGrad(Net(), gradPosition: 1)(x, y, z)
        XCTAssertEqual(output.asTensor.asArray(Float.self), [0, 18])
        XCTAssertEqual(output.asTensor.asArray(Float.self)[0].sign, .minus)   // MindSpore's -0.
        XCTAssertEqual(inputsGradient.asTensor.asArray(Float.self), [0, 6])
    }
}
