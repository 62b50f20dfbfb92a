import Foundation
import XCTest
@testable import TapeGrad

/// The storage dtypes by hand: building and reading, printing, gradients, optimizers.
final class DTypeTests: XCTestCase {
    func testInitialisersAndAsArrayKeepEveryValueExactly() {
        let big: [Int64] = [.min, -1, 9007199254740993, .max]
        XCTAssertEqual(Tensor(big).dtype, .int64)
        XCTAssertEqual(Tensor(big).asArray(Int64.self), big)
        XCTAssertEqual(Tensor([0, 7, 255] as [UInt8], shape: [3, 1]).asArray(UInt8.self), [0, 7, 255])
        XCTAssertEqual(Tensor([0.1, -65504] as [Float16]).asArray(Float16.self), [0.1, -65504])
        XCTAssertEqual(Tensor([0.1, -65504] as [Float16]).dtype, .float16)
        XCTAssertEqual(Tensor([BFloat16(1.5), BFloat16(-3)]).asArray(Float.self), [1.5, -3])
        XCTAssertEqual(Tensor([true, false, true]).dtype, .bool)
        XCTAssertEqual(Tensor([true, false, true, true], shape: [2, 2]).asArray(Bool.self), [true, false, true, true])
        XCTAssertEqual(Tensor(true).shape, [])
        XCTAssertEqual(Tensor([0, -2, 0.5, .nan]).asArray(Bool.self), [false, true, true, true])
        XCTAssertEqual(Tensor([1, 2]).dtype, .float32)   // literals still default to float32
        XCTAssertEqual(Tensor.ones([2], dtype: .bool).asArray(UInt8.self), [1, 1])
        XCTAssertEqual(Tensor.full([2], value: 300, dtype: .uint8).asArray(UInt8.self), [44, 44])   // wraps, as a cast
    }

    func testBFloat16RoundsToNearestEven() {
        XCTAssertEqual(BFloat16(Float(bitPattern: 0x3F80_8000)).bitPattern, 0x3F80)   // tie, even below
        XCTAssertEqual(BFloat16(Float(bitPattern: 0x3F81_8000)).bitPattern, 0x3F82)   // tie, even above
        XCTAssertEqual(BFloat16(Float(bitPattern: 0x3F80_8001)).bitPattern, 0x3F81)   // above the tie
        XCTAssertEqual(BFloat16(Float.greatestFiniteMagnitude).floatValue, .infinity)
        XCTAssertTrue(BFloat16(Float.nan).floatValue.isNaN)
        XCTAssertEqual(BFloat16(-0.0 as Float).bitPattern, 0x8000)
        // The doc comments' examples.
        let literal: BFloat16 = 0.1, big: BFloat16 = 257
        XCTAssertEqual(literal.floatValue, 0.10009765625)
        XCTAssertEqual(big.floatValue, 256)
        XCTAssertNil(BFloat16(exactly: 257))
        XCTAssertEqual((BFloat16(256) + BFloat16(1)).floatValue, 256)
        XCTAssertEqual(Set([BFloat16(0), BFloat16(-0.0 as Float)]).count, 1)
        XCTAssertEqual(BFloat16(Float(0.1)).description, "0.100097656")
        XCTAssertEqual(BFloat16(Float(1) / 3).floatValue, 0.333984375)
    }

    func testPrintingMatchesMindSpore() {
        // Strings printed by MindSpore 2.10 for the same tensors.
        XCTAssertEqual(Tensor([true, false]).description, "Tensor(shape=[2], dtype=Bool, value= [ True, False])")
        XCTAssertEqual(Tensor([true, false, false, true], shape: [2, 2]).description,
                       "Tensor(shape=[2, 2], dtype=Bool, value=\n[[ True, False],\n [False,  True]])")
        XCTAssertEqual(Tensor(true).description, "Tensor(shape=[], dtype=Bool, value= True)")
        XCTAssertEqual(Tensor([1.5, -2] as [Float16]).description, "Tensor(shape=[2], dtype=Float16, value= [ 1.5000e+00, -2.0000e+00])")
        XCTAssertEqual(Tensor([1, 2] as [UInt8]).description, "Tensor(shape=[2], dtype=UInt8, value= [1, 2])")
        XCTAssertEqual(Tensor([9007199254740993] as [Int64]).description, "Tensor(shape=[1], dtype=Int64, value= [9007199254740993])")
        XCTAssertEqual(DType.bfloat16.description, "BFloat16")
        XCTAssertEqual(DType(name: "bool_"), .bool)
    }

    func testHalfPrecisionOpsAreTheFloat32OpRoundedOnce() {
        let x: [Float16] = [0.1, -1.3, 2.7, 10]
        let e = exp(Tensor(x))
        XCTAssertEqual(e.dtype, .float16)
        XCTAssertEqual(e.asArray(Float16.self), x.map { Float16(Foundation.expf(Float($0))) })
        let b = tanh(Tensor(x).astype(.bfloat16))
        XCTAssertEqual(b.dtype, .bfloat16)
        XCTAssertEqual(b.asArray(BFloat16.self), Tensor(x).astype(.bfloat16).asArray(BFloat16.self).map { BFloat16(Foundation.tanhf($0.floatValue)) })
        let m = matmul(Tensor([1, 2, 3, 4] as [Float16], shape: [2, 2]), Tensor([0.5, 0.25] as [Float16], shape: [2, 1]))
        XCTAssertEqual(m.dtype, .float16)
        XCTAssertEqual(m.asArray(Float.self), [1, 2.5])
        XCTAssertEqual(Tensor(x).mean().dtype, .float16)
        let image = Tensor.randomNormal([1, 2, 4, 4], seed: 3), kernel = Tensor.randomNormal([3, 2, 3, 3], seed: 4)
        let window = Window2D(kernel: (3, 3))
        let half = conv2d(image.astype(.float16), weight: kernel.astype(.float16), window: window)
        let reference = conv2d(image.astype(.float16).astype(.float32), weight: kernel.astype(.float16).astype(.float32), window: window)
        XCTAssertEqual(half.dtype, .float16)
        XCTAssertEqual(half, reference.astype(.float16))
        let pooled = maxPool2d(image.astype(.bfloat16), window: Window2D(kernel: (2, 2), stride: (2, 2)))
        XCTAssertEqual(pooled.dtype, .bfloat16)
        XCTAssertEqual(pooled, maxPool2d(image.astype(.bfloat16).astype(.float32), window: Window2D(kernel: (2, 2), stride: (2, 2))).astype(.bfloat16))
    }

    func testIntegerKernelsWrapAndStayExactBeyondFloatPrecision() {
        let a = Tensor([9007199254740993, .max] as [Int64])
        XCTAssertEqual((a + Tensor([2, 1] as [Int64])).asArray(Int64.self), [9007199254740995, .min])
        XCTAssertEqual((-Tensor([0, 1, 255] as [UInt8])).asArray(UInt8.self), [0, 255, 1])
        XCTAssertEqual(matmul(Tensor([1 << 40, 3] as [Int64], shape: [1, 2]), Tensor([4, 5] as [Int64], shape: [2, 1])).asArray(Int64.self),
                       [(1 << 42) + 15])
        XCTAssertEqual(Tensor([1, 2, 3] as [Int64]).max().asArray(Int64.self), [3])
        XCTAssertEqual((Tensor([7] as [Int64]) / 2).asArray(Float.self), [3.5])   // true division
        XCTAssertEqual(Tensor([5, 6] as [Int64], shape: [2]).transposed(permutation: [0]).asArray(Int64.self), [5, 6])
        XCTAssertEqual(gather(Tensor([10, 20, 30] as [Int64]), indices: Tensor([2, 0] as [Int64])).asArray(Int64.self), [30, 10])
        XCTAssertEqual(exp(Tensor([true, false])).dtype, .float32)
        XCTAssertEqual(exp(Tensor([true, false])).asArray(Float.self), [Foundation.expf(1), 1])
        XCTAssertEqual(abs(Tensor([true, false])).asArray(Bool.self), [true, false])
        let picked = `where`(Tensor([true, false]), Tensor([1, 2] as [Float16]), Tensor([7, 8] as [Float16]))
        XCTAssertEqual(picked.dtype, .float16)
        XCTAssertEqual(picked.asArray(Float.self), [1, 8])
        XCTAssertEqual(Tensor([true, true], shape: [2, 1]).broadcast(to: [2, 3]).asArray(Bool.self), Array(repeating: true, count: 6))
    }

    func testGradientsFollowTheInputDTypeAsMindSpore() throws {
        // MindSpore 2.10: grad of sum(x * y) at x = [True, False] (bool), [1, 2] (int64), [1, 2] (float16), with
        // y = [2.5, 3.5] float32, gives [True, True], [2, 3] (truncated), [2.5, 3.5] in x's dtype.
        let y = Tensor([2.5, 3.5])
        for (x, expected) in [(Tensor([true, false]), [1.0, 1]), (Tensor([1, 2] as [Int64]), [2, 3]), (Tensor([1, 2] as [Float16]), [2.5, 3.5])] {
            let (_, g) = try valueWithGradient(at: x, y) { ($0 * $1).sum() }
            XCTAssertEqual(g.0.dtype, x.dtype)
            XCTAssertEqual(g.0.scalars, expected, "\(x.dtype)")
            XCTAssertEqual(g.1.dtype, .float32)
            XCTAssertEqual(g.1.scalars, x.scalars)
        }
        let h = Tensor([0.5, -1.25, 3] as [Float16])
        let (_, dh) = try valueWithGradient(at: h) { tanh($0).sum() }
        XCTAssertEqual(dh.dtype, .float16)
        // 1 − tanh², each step computed in float32 and rounded to float16 as the forward and pullback ops do.
        let expected = [Float16](h.asArray(Float16.self).map { v in
            let t = Float16(Foundation.tanhf(Float(v)))
            return Float16(1 - Float(Float16(Float(t) * Float(t))))
        })
        for (a, b) in zip(dh.asArray(Float.self), expected.map(Float.init)) { XCTAssertEqual(a, b, accuracy: 1e-3) }
    }

    func testOptimizersUpdateHalfPrecisionParametersInPlaceOfTheirDType() {
        let p = Parameter(Tensor([1, -2] as [Float16]), name: "p")
        let sgd = SGD(params: [p], learningRate: 0.5)
        sgd.update(p, gradient: Tensor([0.1, 0.2] as [Float16]), learningRate: 0.5, slot: 0)
        XCTAssertEqual(p.dtype, .float16)
        XCTAssertEqual(p.value.asArray(Float16.self), [Float16(Float(1) - 0.5 * Float(Float16(0.1))), Float16(Float(-2) - 0.5 * Float(Float16(0.2)))])
        XCTAssertEqual(p.value.asArray(Float.self)[1], -2.099609375)
    }

    func testAFloat16NetworkTrainsAndStaysFloat16() throws {
        let w = Tensor.randomNormal([1, 3], seed: 1).astype(.float16), b = Tensor.zeros([1], dtype: .float16)
        let net = Dense(inChannels: 3, outChannels: 1, weightInit: w, biasInit: b)
        let x = Tensor.randomNormal([16, 3], seed: 2).astype(.float16)
        let y = matmul(x, Tensor([[0.5], [-1], [2]]).astype(.float16))
        let train = try TrainOneStepCell(WithLossCell(net, MSELoss()), optimizer: SGD(params: net.trainableParams(), learningRate: 0.1))
        let first = try train.step(x, y)
        var last = first
        for _ in 0..<30 { last = try train.step(x, y) }
        XCTAssertEqual(first.dtype, .float16)
        XCTAssertEqual(net.weight.dtype, .float16)
        XCTAssertEqual(net.bias?.dtype, .float16)
        XCTAssertLessThan(last.item(), first.item() * 0.05)
    }

    func testCrossEntropyAcceptsInt64ClassIndices() {
        let logits = Tensor([[2, 1, 0.5], [0.1, 0.2, 3]])
        let loss = CrossEntropyLoss()
        XCTAssertEqual(loss(logits, Tensor([0, 2] as [Int64])).item(), loss(logits, Tensor([0, 2] as [Int32])).item())
    }
}
