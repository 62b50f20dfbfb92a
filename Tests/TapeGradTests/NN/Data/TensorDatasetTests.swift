import XCTest
@testable import TapeGrad

/// The in-memory dataset pipeline: batching, shuffling per epoch, map, and the prefetching thread.
final class TensorDatasetTests: XCTestCase {
    let x = Tensor((0..<20).map(Double.init), shape: [10, 2])
    let y = Tensor((0..<10).map(Int32.init), shape: [10])

    func testBatchingKeepsOrderAndDropsOrKeepsTheRemainder() {
        let kept = TensorDataset([x, y]).batched(size: 4).epoch(0)
        XCTAssertEqual(kept.map { $0[0].shape }, [[4, 2], [4, 2], [2, 2]])
        XCTAssertEqual(kept[1][1].asArray(Int32.self), [4, 5, 6, 7])
        XCTAssertEqual(kept[2][0].scalars, [16, 17, 18, 19])
        XCTAssertEqual(TensorDataset([x, y]).batched(size: 4, dropRemainder: true).count, 2)
        XCTAssertEqual(TensorDataset([x, y]).epoch(0)[3][0].scalars, [6, 7])   // unbatched: a row without its axis
    }

    func testShuffleIsAPermutationReproducibleForASeedAndNewEachEpoch() {
        let data = TensorDataset([y]).shuffled(seed: 42).batched(size: 10)
        let e0 = data.epoch(0)[0][0].asArray(Int32.self), again = data.epoch(0)[0][0].asArray(Int32.self)
        let e1 = data.epoch(1)[0][0].asArray(Int32.self)
        XCTAssertEqual(e0, again)
        XCTAssertNotEqual(e0, e1)
        XCTAssertNotEqual(e0, Array(0..<10))
        XCTAssertEqual(e0.sorted(), Array(0..<10))
        XCTAssertNotEqual(TensorDataset([y]).shuffled(seed: 43).batched(size: 10).epoch(0)[0][0].asArray(Int32.self), e0)
    }

    func testMapRunsPerElementAndBatchingAfterMapStacks() {
        let data = TensorDataset([x, y]).map { [$0[0] * 10, $0[1]] }.batched(size: 3)
        let first = data.epoch(0)[0]
        XCTAssertEqual(first[0].shape, [3, 2])
        XCTAssertEqual(first[0].scalars, [0, 10, 20, 30, 40, 50])
        let batchedThenMapped = TensorDataset([x]).batched(size: 5).map { [$0[0].sum(alongAxes: [1])] }.epoch(0)
        XCTAssertEqual(batchedThenMapped[1][0].scalars, [21, 25, 29, 33, 37])
    }

    func testEpochsYieldsEveryEpochInTurn() {
        let data = TensorDataset([y]).shuffled(seed: 1).batched(size: 5)
        let seen = data.epochs(3).map { ($0.epoch, $0.batches.count) }
        XCTAssertEqual(seen.map(\.0), [0, 1, 2])
        XCTAssertEqual(seen.map(\.1), [2, 2, 2])
    }

    func testPrefetchingYieldsTheEpochInOrderAndStopsWhenDropped() {
        let data = TensorDataset([x, y]).shuffled(seed: 3).batched(size: 3).map { [$0[0] + 1, $0[1]] }
        for epoch in 0..<3 {
            let direct = data.epoch(epoch).map { $0[1].asArray(Int32.self) }
            let prefetched = Array(data.prefetched(epoch: epoch, bufferSize: 1)).map { $0[1].asArray(Int32.self) }
            XCTAssertEqual(prefetched, direct)
        }
        // Abandon an iterator after one element: the producer must not block forever (the test would hang).
        for _ in 0..<20 {
            let it = data.prefetched(epoch: 0, bufferSize: 1)
            XCTAssertNotNil(it.next())
            it.cancel()
            XCTAssertNil(it.next())
        }
    }

    func testMismatchedFirstDimensionsAreReported() {
        XCTAssertThrowsError(try withErrorChecking { TensorDataset([x, Tensor([1, 2, 3] as [Int32])]) })
        XCTAssertThrowsError(try withErrorChecking { TensorDataset([x]).batched(size: 0) })
    }
}
