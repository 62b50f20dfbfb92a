import COpenBLAS
import Dispatch
import XCTest
@testable import TapeGrad

/// ``ProductThreading/automatic``: the plan's decisions (a pure function of the shape), its results against
/// one cblas call for every plan class, transpose flag and dtype, the fused Dense + ReLU path, and callers on
/// several threads mixing split products with OpenBLAS's own threaded ones.
final class AutomaticProductThreadingTests: XCTestCase {
    override func setUp() {
        super.setUp()
        if GEMMPartition.threads < 2 { XCTFail("these tests pin the 2-thread plans; this run has \(GEMMPartition.threads) thread(s)") }
    }

    func inMode<R>(_ mode: ProductThreading, _ body: () throws -> R) rethrows -> R {
        let saved = ProductThreading.current
        ProductThreading.current = mode
        defer { ProductThreading.current = saved }
        return try body()
    }

    func worstDifference<T: BinaryFloatingPoint>(_ x: [T], _ y: [T]) -> Double {
        XCTAssertEqual(x.count, y.count)
        return zip(x, y).map { Double(Swift.abs($0 - $1)) }.max() ?? 0
    }

    func testOneThreadNeverSplitsAndTinyProductsAreOneCall() {
        for (m, n, k) in [(32, 2048, 2048), (1024, 1024, 1024), (64, 64, 64), (1 << 40, 1 << 40, 2)] {
            XCTAssertEqual(GEMMPartition.automaticPlan(m: m, n: n, k: k, threads: 1), 0, "\(m)×\(n)×\(k) on 1 thread")
        }
        XCTAssertEqual(GEMMPartition.automaticPlan(m: 64, n: 64, k: 64, threads: 2), 0, "2¹⁸ multiply-adds: OpenBLAS's own single call")
        XCTAssertEqual(GEMMPartition.automaticPlan(m: 32, n: 10, k: 2048, threads: 2), 1, "above 2¹⁸: whole, on the calling thread")
        XCTAssertEqual(GEMMPartition.automaticPlan(m: 1 << 40, n: 1 << 40, k: 2, threads: 2), 2, "an overflowing volume splits")
    }

    /// The table's rule (ProductPlan.swift) on the products of the benchmark's workloads, 2 threads: 0 — one
    /// threaded cblas call, 1 — whole on the calling thread, 2 — split in two.
    func testThePlanFollowsTheMeasuredRuleOnTheBenchmarkShapes() {
        let expected: [(String, Int, Int, Int, Int)] = [
            // W1 at batch 32 × width 2048: the skinny products above 2²⁴ split, the thin ones run whole.
            ("H1", 32, 2048, 784, 2), ("H2", 32, 2048, 2048, 2), ("∂W2", 2048, 2048, 32, 2), ("∂W1", 2048, 784, 32, 2),
            ("L", 32, 10, 2048, 1), ("∂W3", 10, 2048, 32, 1), ("∂H2", 32, 2048, 10, 1),
            // W1 at batch 32 × width 512: skinny, at most 2²⁴: whole.
            ("H1", 32, 512, 784, 1), ("H2", 32, 512, 512, 1), ("∂W2", 512, 512, 32, 1), ("∂W1", 512, 784, 32, 1),
            // W1 at the README size (batch 256 × width 512): OpenBLAS's threads; the thin ones whole.
            ("H1", 256, 512, 784, 0), ("H2", 256, 512, 512, 0), ("∂W2", 512, 512, 256, 0), ("∂W1", 512, 784, 256, 0),
            ("L", 256, 10, 512, 1), ("∂W3", 10, 512, 256, 1), ("∂H2", 256, 512, 10, 1),
            // W0 and W3: square products are OpenBLAS's; a small square one runs whole; a tiny one is one call.
            ("W0", 256, 256, 256, 0), ("W0", 512, 512, 512, 0), ("W3", 1024, 1024, 1024, 0), ("128³", 128, 128, 128, 1), ("64³", 64, 64, 64, 0),
        ]
        for (label, m, n, k, plan) in expected {
            XCTAssertEqual(GEMMPartition.automaticPlan(m: m, n: n, k: k, threads: 2), plan, "\(label) \(m)×\(n)×\(k)")
        }
        // More threads: as many blocks as threads, while each keeps a row tile (24 rows) or 16 columns.
        XCTAssertEqual(GEMMPartition.automaticPlan(m: 32, n: 2048, k: 2048, threads: 8), 8)
        XCTAssertEqual(GEMMPartition.automaticPlan(m: 2048, n: 32, k: 2048, threads: 200), 2048 / 24)
    }

    func testThePlanIsTheModeDispatch() {
        for (m, n, k) in [(32, 512, 784), (1024, 1024, 1024), (33, 517, 311), (8, 8, 8)] {
            XCTAssertEqual(GEMMPartition.plan(m: m, n: n, k: k, mode: .automatic),
                           GEMMPartition.automaticPlan(m: m, n: n, k: k, threads: GEMMPartition.threads))
            XCTAssertEqual(GEMMPartition.plan(m: m, n: n, k: k, mode: .openBLAS), 0)
        }
    }

    /// One shape per plan class (one call, whole on one thread, split by rows, split by columns): C = α·op(A)·op(B)
    /// + β·C into a C with a wider row stride, in `.automatic` against one single-threaded call: split by rows
    /// and float64 give the same bits, float32 otherwise agrees to rounding (k·2⁻²² for entries in (−1, 1)).
    func productsAgree<T: BLASElement>(_: T.Type, dtype: DType) {
        let shapes = [(60, 60, 60), (32, 10, 2048), (1200, 500, 32), (32, 1100, 600), (300, 300, 300), (128, 128, 128), (17, 3001, 87)]
        for (m, n, k) in shapes {
            let plan = GEMMPartition.automaticPlan(m: m, n: n, k: k, threads: GEMMPartition.threads)
            for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
                let a = Tensor.randomUniform([m * k], lower: -1, upper: 1, dtype: dtype, seed: UInt64(m + k))
                let b = Tensor.randomUniform([k * n], lower: -1, upper: 1, dtype: dtype, seed: UInt64(n + k + 1))
                let c0 = Tensor.randomUniform([m * (n + 3)], lower: -1, upper: 1, dtype: dtype, seed: 5)
                func product(_ mode: ProductThreading) -> [T] {
                    var c = c0.asArray(T.self)
                    c.withUnsafeMutableBufferPointer { pc in
                        guard let pc = pc.baseAddress else { return }
                        T.gemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: T(fromDouble: 0.75), a: a.buffer.pointer(T.self), lda: ta ? m : k,
                               b: b.buffer.pointer(T.self), ldb: tb ? k : n, beta: T(fromDouble: 0.5), c: pc, ldc: n + 3, mode: mode)
                    }
                    return c
                }
                var single: [T] = []
                OpenBLASThreads.singleThreaded { single = product(.openBLAS) }
                let automatic = product(.automatic), threaded = product(.openBLAS)
                let label = "\(dtype) \(m)×\(n)×\(k) plan \(plan) transA \(ta) transB \(tb)"
                let rounding = Double(k) * 2.4e-7
                // Plan 0 is the one threaded call itself; plan 1 the one single-threaded call; a split by rows
                // (or in float64) gives the single call's bits, a float32 split by columns agrees to rounding.
                if plan == 0 {
                    XCTAssertTrue(automatic == threaded, "not bit-identical to the threaded call: " + label)
                } else if plan == 1 || m >= n || dtype == .float64 {
                    XCTAssertTrue(automatic == single, "not bit-identical to one single-threaded call: " + label)
                } else {
                    XCTAssertLessThanOrEqual(worstDifference(automatic, single), rounding, label)
                }
                XCTAssertLessThanOrEqual(worstDifference(automatic, threaded), rounding, label)
                let padding = c0.asArray(T.self)
                XCTAssertEqual((0..<m).map { automatic[$0 * (n + 3) + n] }, (0..<m).map { padding[$0 * (n + 3) + n] }, "padding untouched")
            }
        }
    }

    func testAutomaticGemmAgreesWithOneCallForEveryTransposeFlagFloat32() {
        productsAgree(Float.self, dtype: .float32)
    }

    func testAutomaticGemmAgreesWithOneCallForEveryTransposeFlagFloat64() {
        productsAgree(Double.self, dtype: .float64)
    }

    func testDenseWithBiasAndReluAgreesWithOpenBLASModeAndItsGradients() throws {
        for dtype in [DType.float32, .float64] {
            for (m, n, k) in [(32, 1100, 600), (1200, 40, 400), (32, 128, 128)] {
                let x = Tensor.randomUniform([m, k], lower: -1, upper: 1, dtype: dtype, seed: 3)
                let w = Tensor.randomUniform([n, k], lower: -0.1, upper: 0.1, dtype: dtype, seed: 4)
                let bias = Tensor.randomUniform([n], lower: -1, upper: 1, dtype: dtype, seed: 5)
                func run() throws -> (value: Tensor, gradient: [Tensor]) {
                    try valueWithGradient(at: [x, w, bias]) { square(linear($0[0], weight: $0[1], bias: $0[2], relu: true)).sum() }
                }
                let one = try inMode(.openBLAS) { try run() }
                let automatic = try inMode(.automatic) { try run() }
                let tolerance = dtype == .float32 ? 2e-3 : 1e-10
                let label = "\(dtype) \(m)×\(n)×\(k)"
                XCTAssertEqual(one.value.item(), automatic.value.item(), accuracy: tolerance * Swift.abs(one.value.item()), label)
                for (g, h) in zip(one.gradient, automatic.gradient) {
                    let scale = g.scalars.map(Swift.abs).max() ?? 1
                    XCTAssertLessThanOrEqual(worstDifference(g.scalars, h.scalars), tolerance * Swift.max(1, scale), label)
                }
            }
        }
    }

    /// Eight threads at once, half multiplying in `.automatic` (split products on OpenBLAS's workers), half
    /// in `.openBLAS` (OpenBLAS's own threaded calls on the same workers): each gets its serial result, and
    /// OpenBLAS's thread count is restored.
    func testThreadsMixingSplitAndThreadedProductsGetTheSerialResults() {
        let before = openblas_get_num_threads()
        let inputs = (0..<8).map { i in
            (Tensor.randomUniform([32, 784], lower: -1, upper: 1, seed: UInt64(40 + i)),
             Tensor.randomUniform([1024, 784], lower: -1, upper: 1, seed: UInt64(60 + i)))
        }
        @Sendable func product(_ i: Int) -> [Float] {
            let (x, w) = inputs[i]
            let mode: ProductThreading = i % 2 == 0 ? .automatic : .openBLAS
            return productWithTransposedWeight(x, w, mode: mode)
        }
        let expected = (0..<8).map(product)
        let results = Locked([[Float]](repeating: [], count: 8))
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            var last: [Float] = []
            for _ in 0..<3 { last = product(i) }
            results.withLock { $0[i] = last }
        }
        let got = results.value
        for i in 0..<8 {
            // The threaded calls may split K differently from run to run: to rounding; the split ones (by
            // columns here, 32 < 1024) agree to rounding as well.
            XCTAssertLessThanOrEqual(worstDifference(got[i], expected[i]), 784 * 2.4e-7, "thread \(i)")
        }
        XCTAssertEqual(openblas_get_num_threads(), before)
    }

    func testOpenBLASWorkersRunEveryBlockOnceWhenItsPthreadsBuildOffersThem() {
        XCTAssertEqual(OpenBLASWorkers.available, openblas_get_parallel() == 1)
        XCTAssertEqual(OpenBLASWorkers.enabled, OpenBLASWorkers.available && ProcessInfo.processInfo.environment["TAPEGRAD_SPLIT_THREADS"] == "openblas")
        // The executor calls every block exactly once, the first on the calling thread.
        let calls = Locked([Int](repeating: 0, count: 2))
        let caller = pthread_self()
        let onCaller = Locked(false)
        let ran = OpenBLASThreads.singleThreaded {
            OpenBLASWorkers.run(2) { i in
                calls.withLock { $0[i] += 1 }
                if i == 0 { onCaller.withLock { $0 = pthread_equal(pthread_self(), caller) != 0 } }
            }
        }
        XCTAssertEqual(ran, OpenBLASWorkers.available)
        if ran {
            XCTAssertEqual(calls.value, [1, 1])
            XCTAssertTrue(onCaller.value)
        }
    }
}

/// x·wᵀ (float32) through ``BLAS`` in `mode`.
private func productWithTransposedWeight(_ x: Tensor, _ w: Tensor, mode: ProductThreading) -> [Float] {
    let (m, k, n) = (x.shape[0], x.shape[1], w.shape[0])
    var c = [Float](repeating: 0, count: m * n)
    c.withUnsafeMutableBufferPointer { pc in
        guard let pc = pc.baseAddress else { return }
        Float.gemm(transA: false, transB: true, m: m, n: n, k: k, alpha: 1, a: x.buffer.pointer(Float.self), lda: k,
                   b: w.buffer.pointer(Float.self), ldb: k, beta: 0, c: pc, ldc: n, mode: mode)
    }
    return c
}
