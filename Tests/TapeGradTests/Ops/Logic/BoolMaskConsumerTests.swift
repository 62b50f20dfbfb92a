import XCTest
@testable import TapeGrad

/// Bool masks (what the comparisons return) drive selection, attention and gradients with the same numbers as
/// the numeric 0/1 masks they replaced; comparisons stay constant masks with no gradient.
final class BoolMaskConsumerTests: XCTestCase {
    func testComparisonsReturnBoolAndCarryNoGradient() throws {
        let x = Tensor([-1, 2, 3] as [Double])
        XCTAssertEqual(greater(x, Tensor(0)).dtype, .bool)
        XCTAssertEqual(greater(x, Tensor(0)).asArray(Bool.self), [false, true, true])
        // d/dx Σ x ⊙ [x > 0] = [x > 0]: the mask is a constant, as MindSpore's comparisons are.
        let g = try gradient(at: x) { x in (x * greater(x, Tensor(0))).sum() }
        XCTAssertEqual(g.dtype, .float64)
        XCTAssertEqual(g.scalars, [0, 1, 1])
        let gm = try gradient(at: x) { x in greater(x, Tensor(0)).astype(.float64).sum() + x.sum() * 0 }
        XCTAssertEqual(gm.scalars, [0, 0, 0])
        // Differentiating a comparison itself gives zeros in x's dtype, as MindSpore (a bool output has no derivative).
        let gz = try gradient(at: x) { x in greater(x, Tensor(0)) }
        XCTAssertEqual(gz.dtype, .float64)
        XCTAssertEqual(gz.scalars, [0, 0, 0])
    }

    func testWhereTakesABoolOrANumericConditionAlike() throws {
        let a = Tensor([1, 2, 3, 4] as [Double]), b = Tensor([10, 20, 30, 40] as [Double])
        let numeric = Tensor([2, 0, .nan, -1] as [Double])   // non-zero (and NaN) is true
        let boolean = Tensor([true, false, true, true])
        XCTAssertEqual(`where`(numeric, a, b).scalars, [1, 20, 3, 4])
        XCTAssertEqual(`where`(boolean, a, b).scalars, [1, 20, 3, 4])
        let (ga, gb) = try valueWithGradient(at: a, b) { a, b in (`where`(boolean, a, b) * Tensor([1, 2, 3, 4] as [Double])).sum() }.gradient
        XCTAssertEqual(ga.scalars, [1, 0, 3, 4])
        XCTAssertEqual(gb.scalars, [0, 2, 0, 0])
        XCTAssertEqual(`where`(boolean, Tensor([true, true, true, true]), Tensor([false, false, false, false])).dtype, .bool)
    }

    /// A numeric condition is compared with 0 in its own dtype: no non-zero value of any dtype reads as false.
    func testWhereReadsEveryNonZeroNumericConditionAsTrue() {
        let a = Tensor([1, 2, 3, 4] as [Float]), b = Tensor([10, 20, 30, 40] as [Float])
        let conditions: [(String, Tensor)] = [
            ("int64", Tensor([0, 1, 1 << 40, -3] as [Int64])),
            ("int32", Tensor([0, -1, Int32.max, 7] as [Int32])),
            ("uint8", Tensor([0, 1, 255, 128] as [UInt8])),
            ("float32", Tensor([-0.0, Float.leastNonzeroMagnitude, .nan, -.infinity] as [Float])),
            ("float16", Tensor([0, 1e-7, 65504, -2] as [Float]).astype(.float16)),
            ("float64", Tensor([0, Double.leastNonzeroMagnitude, .nan, 1e300] as [Double])),
        ]
        for (name, condition) in conditions {
            XCTAssertEqual(`where`(condition, a, b).scalars, [10, 2, 3, 4], name)
        }
    }

    func testMaskedFillAndSubscriptWriteTakeBoolMasks() {
        var x = Tensor([1, -2, 3, -4])
        XCTAssertEqual(maskedFill(x, mask: less(x, Tensor(0)), value: 0).scalars, [1, 0, 3, 0])
        XCTAssertEqual(x[mask: greater(x, Tensor(0))].scalars, [1, 3])
        x[mask: less(x, Tensor(0))] = Tensor(9)
        XCTAssertEqual(x.scalars, [1, 9, 3, 9])
        XCTAssertEqual(x.mean(alongAxes: nil, where: greater(x, Tensor(2))).item(), 7)
    }

    func testABoolTensorInsideASubscriptIsAMask() throws {
        var x = Tensor([[1, -2, 3], [-4, 5, -6]] as [[Double]])
        let positive = greater(x, Tensor(0 as Double))
        XCTAssertEqual(x[positive].scalars, [1, 3, 5])
        XCTAssertEqual(x[Tensor([false, true])].shape, [1, 3])
        XCTAssertEqual(x[Tensor([false, true])].scalars, [-4, 5, -6])
        // Read through a bool mask: ∂/∂x Σ 2·x[m] = 2 where m, 0 elsewhere.
        let g = try gradient(at: x) { x in (x[positive] * 2).sum() }
        XCTAssertEqual(g.scalars, [2, 0, 2, 0, 2, 0])
        x[less(x, Tensor(0 as Double))] = Tensor(0 as Double)
        XCTAssertEqual(x.scalars, [1, 0, 3, 0, 5, 0])
        // An int32 tensor is still an index tensor, not a mask.
        XCTAssertEqual(x[Tensor([1, 1] as [Int32])].shape, [2, 3])
    }

    func testAttentionTreatsABoolMaskAsMindSporesBooleanMask() throws {
        let mha = MultiheadAttention(embedDim: 4, numHeads: 2, seed: 3)
        let x = Tensor.randomNormal([3, 2, 4], seed: 4)   // [L, N, E]
        let hidden: [[Bool]] = [[false, false, true], [false, true, true]]
        let asBool = Tensor(hidden.flatMap { $0 }, shape: [2, 3])
        let asInt = Tensor(hidden.flatMap { $0 }.map { $0 ? Int32(1) : 0 }, shape: [2, 3])
        let asFloat = Tensor(hidden.flatMap { $0 }.map { $0 ? -Float.infinity : 0 }, shape: [2, 3])
        let (outBool, wBool) = mha(x, x, x, keyPaddingMask: asBool)
        let (outInt, wInt) = mha(x, x, x, keyPaddingMask: asInt)
        let (outFloat, wFloat) = mha(x, x, x, keyPaddingMask: asFloat)
        XCTAssertEqual(outBool.scalars, outInt.scalars)
        XCTAssertEqual(outBool.scalars, outFloat.scalars)
        let weights = try XCTUnwrap(wBool)   // [N, L, S]
        XCTAssertEqual(weights.scalars, try XCTUnwrap(wFloat).scalars)
        XCTAssertEqual(weights.scalars, try XCTUnwrap(wInt).scalars)
        // True = not attended: zero weight there, and each row still sums to 1.
        for n in 0..<2 { for l in 0..<3 { for s in 0..<3 {
            let w = weights[n, l, s].item()
            if hidden[n][s] { XCTAssertEqual(w, 0) }
        } } }
        for row in weights.sum(alongAxes: [2]).scalars { XCTAssertEqual(row, 1, accuracy: 1e-6) }
        // The mask built from a comparison works directly, as an attnMask too: [L, S] causal from `greater`.
        let positions = Tensor([0, 1, 2])
        let causal = greater(positions.reshaped(to: [1, 3]), positions.reshaped(to: [3, 1]))   // j > i hidden
        XCTAssertEqual(causal.dtype, .bool)
        let (viaMask, _) = mha(x, x, x, attnMask: causal)
        let (viaFlag, _) = mha(x, x, x, isCausal: true)
        XCTAssertEqual(viaMask.scalars, viaFlag.scalars)
    }

    func testMaskDerivedGradientsKeepTheInputsDtype() throws {
        // maximum's tie split and max's shared gradient are built from bool masks; float64 stays float64.
        let a = Tensor([1, 2, 3] as [Double]), b = Tensor([1, 1, 4] as [Double])
        let (ga, gb) = try valueWithGradient(at: a, b) { a, b in maximum(a, b).sum() }.gradient
        XCTAssertEqual(ga.dtype, .float64)
        XCTAssertEqual(ga.scalars, [0.5, 1, 0])
        XCTAssertEqual(gb.scalars, [0.5, 0, 1])
        let gm = try gradient(at: Tensor([3, 1, 3] as [Double])) { x in x.max() }
        XCTAssertEqual(gm.dtype, .float64)
        XCTAssertEqual(gm.scalars, [0.5, 0, 0.5])
        let gh = try gradient(at: Tensor([-2, 0.5, 2] as [Double])) { x in clip(x, min: -1, max: 1).sum() }
        XCTAssertEqual(gh.scalars, [0, 1, 0])
    }

    func testCountsAndNormsOfMasksKeepTheirDtypes() {
        let x = Tensor([0, 2, -1, 0])
        XCTAssertEqual(x.countNonzero().dtype, .int32)
        XCTAssertEqual(x.countNonzero().item(), 2)
        XCTAssertEqual(greater(x, Tensor(0)).countNonzero().item(), 1)
        XCTAssertEqual(x.norm(p: 0).dtype, .float32)
        XCTAssertEqual(x.norm(p: 0).item(), 2)
        XCTAssertEqual(greater(x, Tensor(-5)).sum().dtype, .int64)
        XCTAssertEqual(greater(x, Tensor(-5)).sum().item(), 4)
        // −0 is zero (MindSpore 2.10's CPU `any` ORs raw bytes and calls [0, −0] true; not reproduced).
        XCTAssertEqual(Tensor([0, -0.0]).any().asArray(Bool.self), [false])
        XCTAssertEqual(Tensor([0, -0.0]).any().dtype, .bool)
        let m = Tensor([true, false, true, true])
        XCTAssertEqual(m.mean().dtype, .float32)
        XCTAssertEqual(m.mean().item(), 0.75)
        XCTAssertEqual((1 - m).asArray(Int64.self), [0, 1, 0, 0])
        XCTAssertEqual(logicalNot(m).asArray(Bool.self), [false, true, false, false])
        XCTAssertThrowsError(try withErrorChecking { -m }) { error in
            XCTAssertTrue("\(error)".contains("logicalNot"), "\(error)")
        }
    }
}
