import XCTest
@testable import TapeGrad

/// gather (Embedding) jitted against eager: the forward copies slices (bit-identical), the backward adds
/// them back in the eager scatter-add order (bit-identical too).
extension JitOpTests {
    func testGatherAlongAnyAxisIsBitIdentical() throws {
        let table = Tensor.randomNormal([6, 4], seed: 50), cube = Tensor.randomNormal([3, 5, 2], seed: 51)
        // Index tensors made outside the traced function (one made inside it by an untraced op is never baked in).
        let ids = Tensor([4, 1, 4, 0, 5] as [Int32]), square = Tensor([[4, 1], [4, 0]] as [[Int32]])
        let ids1 = Tensor([4, 0, 0] as [Int32]), ids64 = Tensor([5, 2] as [Int64])
        try check("gather rows", [table], exact: true) { gather($0[0], indices: ids) * 2 }
        try check("gather repeated rows, 2-D ids (times a column sum: reordered sums)", [table], exact: false) { gather($0[0], indices: square) * $0[0].sum(alongAxes: [0]) }
        try check("gather axis 1", [cube], exact: true) { gather($0[0], indices: ids1, axis: 1) * 3 }
        try check("gather int64 ids", [table], exact: true) { gather($0[0], indices: ids64) * 2 }
    }

    func testEmbeddingReadsNewIdsAndRejectsBadOnesAtReplay() throws {
        let embedding = Embedding(vocabSize: 10, embeddingSize: 3, seed: 52)
        let fn = try valueAndGrad({ (ids: Tensor) in square(embedding(ids)).sum() }, gradPosition: nil, weights: embedding.trainableParams())
        let f = jit(fn, strict: true)
        for ids in [Tensor([1, 7, 7] as [Int32]), Tensor([0, 9, 3] as [Int32])] {
            let (v, g) = try f(ids)
            let (v0, g0) = try fn(ids)
            XCTAssertEqual(v.item().bitPattern, v0.item().bitPattern)
            XCTAssertEqual(g.tensors.map { $0.scalars.map(\.bitPattern) }, g0.tensors.map { $0.scalars.map(\.bitPattern) })
        }
        XCTAssertEqual(f.diagnostics.traceCount, 1)            // the ids are an input, not a constant
        _ = try f(Tensor([1, 2, 3, 4] as [Int32]))              // another count of ids: a new signature
        XCTAssertEqual(f.diagnostics.traceCount, 2)
        XCTAssertThrowsError(try f(Tensor([1, 10, 3] as [Int32]))) { error in
            guard case GradError.tensor(let e)? = error as? GradError else { return XCTFail("\(error)") }
            XCTAssertEqual(e.op, "gather")
            XCTAssertTrue(e.message.contains("index 10"), e.message)
        }
        // A gradient with respect to the integer ids is not compiled: the eager result, and strict mode says why.
        let byIds = try valueAndGrad({ (ids: Tensor) in square(embedding(ids)).sum() })
        XCTAssertThrowsError(try jit(byIds, strict: true)(Tensor([1, 2] as [Int32]))) { error in
            guard case JitError.unsupported(let reason)? = error as? JitError else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.lowercased().contains("dtype int32"), reason)
        }
    }
}

extension JitOpTests {
    /// A lookup into a captured (constant) table with the ids as the input compiles: the ids are read per call.
    func testLookupInAConstantTableReadsTheIds() throws {
        let table = Tensor.randomNormal([5, 2], seed: 53)
        let f = jit({ (ids: Tensor) in gather(table, indices: ids) * 2 }, strict: true)
        for ids in [Tensor([0, 4] as [Int32]), Tensor([3, 3] as [Int32])] {
            XCTAssertEqual(try f(ids).scalars, (gather(table, indices: ids) * 2).scalars)
        }
        XCTAssertEqual(f.diagnostics.traceCount, 1)
    }
}
