import XCTest
@testable import TapeGrad

/// Hand-derived values, the documented deviations from MindSpore, and the errors (op, argument, value,
/// expectation) of the indexing, selection and shape ops.
final class IndexingBehaviourTests: XCTestCase {
    func testSubscriptsReadTheDocumentedElements() throws {
        let x = Tensor.arange(12).reshaped(to: [3, 4])
        XCTAssertEqual(x[1].scalars, [4, 5, 6, 7])
        XCTAssertEqual(x[0, 1..<3].scalars, [1, 2])
        XCTAssertEqual(x[-1, ...1].scalars, [8, 9])
        XCTAssertEqual(x[..., 0].scalars, [0, 4, 8])
        XCTAssertEqual(x[Tensor([2, 0] as [Int32])].shape, [2, 4])
        XCTAssertEqual(x[mask: greater(x, Tensor(8))].scalars, [9, 10, 11])
        XCTAssertEqual(x[TensorIndex.slice(start: nil, end: nil, step: -1), 0].scalars, [8, 4, 0])
        XCTAssertEqual(x[TensorIndex.newAxis, 1].shape, [1, 4])
        XCTAssertEqual(x[...].shape, [3, 4])
        XCTAssertEqual(x[1, ..., 2].scalars, [6])
    }

    func testSubscriptWriteSendsGradientToOldValueAndWrittenValue() throws {
        // y = x with row 1 replaced by v; L = Σ y ⊙ w  ⇒  ∂L/∂x = w with row 1 zeroed, ∂L/∂v = w's row 1.
        let x = Tensor.ones([2, 3], dtype: .float64), v = Tensor([7, 8, 9] as [Double])
        let w = Tensor([[1, 2, 3], [4, 5, 6]] as [[Double]])
        let (value, (gx, gv)) = try valueWithGradient(at: x, v) { x, v in
            var y = x
            y[1] = v
            return (y * w).sum()
        }
        XCTAssertEqual(value.item(), 1 + 2 + 3 + 28 + 40 + 54)
        XCTAssertEqual(gx.scalars, [1, 2, 3, 0, 0, 0])
        XCTAssertEqual(gv.scalars, [4, 5, 6])
    }

    func testRepeatedWritesLetTheLastWinAndGiveTheOverwrittenValueNoGradient() throws {
        // MindSpore and PyTorch give both writes the winner's gradient; the output does not depend on the first.
        let x = Tensor.zeros([1, 4], dtype: .float64), src = Tensor([[5, 6]] as [[Double]])
        let index = Tensor([[1, 1]] as [[Int32]])
        let w = Tensor([[1, 2, 3, 4]] as [[Double]])
        let (value, (gx, gs)) = try valueWithGradient(at: x, src) { x, s in (scatter(x, axis: 1, index: index, src: s) * w).sum() }
        XCTAssertEqual(value.item(), 12)
        XCTAssertEqual(gx.scalars, [1, 0, 3, 4])
        XCTAssertEqual(gs.scalars, [0, 2])
    }

    func testScatterAddAccumulatesRepeatedTargets() {
        XCTAssertEqual(scatterAdd(Tensor.zeros([3]), axis: 0, index: Tensor([0, 0, 2] as [Int32]), src: Tensor([1, 2, 3])).scalars, [3, 0, 3])
    }

    func testBadIndicesAndAxesThrowNamingOpArgumentAndValue() {
        let x = Tensor.zeros([3, 4])
        func expect(_ op: String, _ fragment: String, _ body: () -> Void, line: UInt = #line) {
            do {
                try withErrorChecking { body() }
                XCTFail("\(op): no error", line: line)
            } catch let e as TensorError {
                XCTAssertEqual(e.op, op, line: line)
                XCTAssertTrue(e.message.contains(fragment), "\(e)", line: line)
            } catch { XCTFail("\(error)", line: line) }
        }
        expect("subscript", "index 3 is out of range for axis 0 of size 3") { _ = x[3] }
        expect("subscript", "5..<6 is out of range") { _ = x[0, 5..<6] }
        expect("subscript", "must be int32, got Float32") { _ = x[Tensor([0, 1])] }
        expect("subscript", "at most one ellipsis") { _ = x[TensorIndex.ellipsis, TensorIndex.ellipsis] }
        expect("subscript", "3 indices are too many") { _ = x[0, 0, 0] }
        expect("subscript", "mask of shape [4] does not match") { _ = x[mask: Tensor.ones([4])] }
        expect("subscript assignment", "value of shape [3] does not broadcast") { var y = x; y[0] = Tensor.ones([3]) }
        expect("gatherElements", "index 4 is out of range for axis 1 of size 4") { _ = gatherElements(x, axis: 1, index: Tensor([[4]] as [[Int32]])) }
        expect("gatherElements", "axis 2 is out of range") { _ = gatherElements(x, axis: 2, index: Tensor([[0]] as [[Int32]])) }
        expect("scatter", "src of shape [1] must cover") { _ = scatter(x, axis: 0, index: Tensor([[0]] as [[Int32]]), src: Tensor([1])) }
        expect("indexSelect", "index must be a 1-D int32 tensor") { _ = indexSelect(x, axis: 0, index: Tensor([0])) }
        expect("maskedFill", "mask of shape [3] does not broadcast") { _ = maskedFill(x, mask: Tensor.ones([3]), value: 1) }
        expect("topk", "k = 5 must be in 0...4") { _ = topk(x, k: 5) }
        expect("argmax", "axis -3 is out of range") { _ = x.argmax(axis: -3) }
        expect("argmax", "is empty") { _ = Tensor.zeros([2, 0]).argmax(axis: 1) }
        expect("sort", "axis 2 is out of range") { _ = sort(x, axis: 2) }
        expect("cumsum", "axis 5 is out of range") { _ = cumsum(x, axis: 5) }
        expect("pad", "reflect padding 4, 0 must be ≥ 0 and < the size 4") { _ = pad(x, padding: [4, 0], mode: .reflect) }
        expect("pad", "even number") { _ = pad(x, padding: [1]) }
        expect("roll", "same length") { _ = roll(x, shifts: [1, 2], axes: [0]) }
        expect("flip", "axis -1 is repeated in [1, -1]") { _ = flip(x, axes: [1, -1]) }
        expect("split", "add up to 3") { _ = split(x, sizes: [1, 1]) }
        expect("chunk", "chunks must be > 0, got 0") { _ = chunk(x, chunks: 0) }
        expect("narrow", "start 3 and length 2") { _ = narrow(x, axis: 0, start: 3, length: 2) }
        expect("diagonal", "rank ≥ 2") { _ = diagonal(Tensor([1, 2])) }
        expect("trace", "rank 2") { _ = trace(Tensor([1, 2])) }
        expect("unflatten", "sizes [3, 2] do not multiply") { _ = x.unflatten(axis: 1, sizes: [3, 2]) }
        expect("tile", "multiples [-1, 1] must be ≥ 0") { _ = tile(x, multiples: [-1, 1]) }
        expect("repeatInterleave", "repeats [1, 2]") { _ = repeatInterleave(x, repeats: [1, 2], axis: 0) }
        expect("linspace", "steps must be ≥ 0, got -1") { _ = Tensor.linspace(0, 1, steps: -1) }
        expect("randint", "low 3 must be < high 3") { _ = Tensor.randint(low: 3, high: 3, shape: [2], seed: 1) }
        expect("multinomial", "too few for 3 samples") { _ = multinomial(Tensor([0, 1, 1]), numSamples: 3, seed: 1) }
        expect("bernoulli", "must lie in [0, 1]") { _ = bernoulli(Tensor([0.5, 1.5]), seed: 1) }
        expect("repeatInterleave", "make too many elements") { _ = repeatInterleave(Tensor([1, 2]), repeats: [Int.max, 1], axis: 0) }
        expect("pad", "negative or too large size") { _ = pad(x, padding: [Int.max, 1]) }
        expect("pad", "negative or too large size") { _ = pad(x, padding: [-3, -2]) }
        expect("pad", "too many elements") { _ = pad(x, padding: [Int.max / 2, 0, Int.max / 2, 0]) }
        expect("indexAdd", "y of shape [2, 4] must have shape [3, 4]") { _ = indexAdd(x, indices: Tensor([0, 1, 1] as [Int32]), y: Tensor.ones([2, 4]), axis: 0) }
        expect("indexFill", "index 4 in the index tensor is out of range for axis 1") { _ = indexFill(x, axis: 1, index: Tensor([4] as [Int32]), value: Tensor(1)) }
        expect("take", "index 12 is out of range for 12 elements") { _ = take(x, index: Tensor([12] as [Int32])) }
        expect("searchsorted", "must be 1-D or share") { _ = searchsorted(x, values: Tensor([1])) }
        expect("tensorSplit", "indices [3, 1] must ascend") { _ = tensorSplit(x, indices: [3, 1], axis: 1) }
        expect("rot90", "axes must hold two dimensions") { _ = rot90(x, axes: [0]) }
        expect("diagEmbed", "are the same dimension") { _ = diagEmbed(x, axis1: 0, axis2: -3) }
        expect("unbind", "axis 2 is out of range") { _ = unbind(x, axis: 2) }
        expect("diag", "too many elements") { _ = diag(Tensor([1, 2]), offset: Int(Int32.max) * 4) }
        expect("diagEmbed", "too many elements") { _ = diagEmbed(Tensor([1, 2]), offset: Int(Int32.max) * 4) }
        expect("meshgrid", "indexing must be") { _ = meshgrid([Tensor([1])], indexing: "yx") }
    }

    /// The README's snippet, as written there.
    func testReadmeIndexingExampleRunsAsDocumented() {
        var x = Tensor.arange(12).reshaped(to: [3, 4])
        XCTAssertEqual([x[2], x[-1], x[1..<3], x[..., 0], x[0, 1..<4], x[1...]].map(\.shape), [[4], [4], [2, 4], [3], [3], [2, 4]])
        XCTAssertEqual(x[Tensor([2, 0] as [Int32])].scalars, [8, 9, 10, 11, 0, 1, 2, 3])
        XCTAssertEqual(x[mask: greater(x, Tensor(5))].scalars, [6, 7, 8, 9, 10, 11])
        XCTAssertEqual(x[TensorIndex.slice(start: nil, end: nil, step: -1), TensorIndex.newAxis].shape, [3, 1, 4])
        x[0, 1..<3] = Tensor([-1, -2])
        XCTAssertEqual(x[0].scalars, [0, -1, -2, 3])
        let (values, indices) = topk(x, k: 2)
        XCTAssertEqual(values.scalars, [3, 0, 7, 6, 11, 10])
        XCTAssertEqual(indices.scalars, [3, 0, 3, 2, 3, 2])
        XCTAssertEqual(pad(x, padding: [1, 1], mode: .reflect).shape, [3, 6])
        XCTAssertEqual(Tensor.randperm(10, seed: 7).scalars.sorted(), (0..<10).map(Double.init))
    }

    func testAFailedWriteLeavesTheTensorUnchanged() throws {
        var x = Tensor([1, 2, 3])
        _ = try? withErrorChecking { x[5] = Tensor(9) }
        XCTAssertEqual(x.scalars, [1, 2, 3])
    }
}
