import COpenBLAS
import Dispatch
import XCTest
@testable import TapeGrad

/// Partitioned products (``ProductThreading/partitioned``) against one cblas call, for every transpose flag,
/// both dtypes, both split directions; the fused Dense + ReLU path; concurrent callers.
final class ProductThreadingTests: XCTestCase {
    /// (m, n, k), each above the split threshold (M·N·K > 2²²): split along N (m < n: the first three, odd
    /// extents, a column count that does not divide evenly), along M (the last three).
    let shapes = [(32, 512, 784), (33, 517, 311), (17, 3001, 87), (520, 40, 300), (1000, 20, 240), (600, 500, 30)]

    override func setUp() {
        super.setUp()
        // These tests pin the partitioned path; it needs two threads.
        if GEMMPartition.threads < 2 { XCTFail("partitioning needs 2 threads; this run has \(GEMMPartition.threads)") }
    }

    func testEveryTestShapeIsPartitioned() {
        for (m, n, k) in shapes {
            XCTAssertEqual(GEMMPartition.plan(m: m, n: n, k: k, mode: .partitioned), 2, "\(m)×\(n)×\(k)")
            XCTAssertEqual(GEMMPartition.plan(m: m, n: n, k: k, mode: .openBLAS), 0)
        }
        XCTAssertEqual(GEMMPartition.plan(m: 64, n: 64, k: 64, mode: .partitioned), 0, "below OpenBLAS's own threshold: one cblas call")
        XCTAssertEqual(GEMMPartition.plan(m: 32, n: 128, k: 128, mode: .partitioned), 1, "mid-size: whole, on one thread")
        XCTAssertEqual(GEMMPartition.plan(m: 32, n: 128, k: 784, mode: .partitioned), 1, "mid-size: whole, on one thread")
        XCTAssertEqual(GEMMPartition.plan(m: 15, n: 15, k: 100_000, mode: .partitioned), 1, "too thin to split")
    }

    /// Worst |x − y| over two equally long arrays.
    func worstDifference<T: BinaryFloatingPoint>(_ x: [T], _ y: [T]) -> Double {
        XCTAssertEqual(x.count, y.count)
        return zip(x, y).map { Double(Swift.abs($0 - $1)) }.max() ?? 0
    }

    /// C = α·op(A)·op(B) + β·C into a C with a wider row stride (ldc = n + 3), partitioned, against one
    /// single-threaded call and against OpenBLAS's own threading. Row splits and float64 give the same bits
    /// as the single call; float32 column splits agree to rounding (k·2⁻²² for entries of A, B in (−1, 1)).
    func productsMatchOneCall<T: BLASElement>(_: T.Type, dtype: DType) {
        for (m, n, k) in shapes {
            for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
                let a = Tensor.randomUniform([m * k], lower: -1, upper: 1, dtype: dtype, seed: UInt64(m + k))
                let b = Tensor.randomUniform([k * n], lower: -1, upper: 1, dtype: dtype, seed: UInt64(n + k + 1))
                let c0 = Tensor.randomUniform([m * (n + 3)], lower: -1, upper: 1, dtype: dtype, seed: 5)
                func product(_ mode: ProductThreading) -> [T] {
                    var c = c0.asArray(T.self)
                    c.withUnsafeMutableBufferPointer { pc in
                        T.gemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: T(fromDouble: 0.75), a: a.buffer.pointer(T.self), lda: ta ? m : k,
                               b: b.buffer.pointer(T.self), ldb: tb ? k : n, beta: T(fromDouble: 0.5), c: pc.baseAddress!, ldc: n + 3, mode: mode)
                    }
                    return c
                }
                var single: [T] = []
                OpenBLASThreads.singleThreaded { single = product(.openBLAS) }
                let split = product(.partitioned), threaded = product(.openBLAS)
                let label = "\(dtype) \(m)×\(n)×\(k) transA \(ta) transB \(tb)"
                let rounding = Double(k) * 2.4e-7
                if m >= n || dtype == .float64 {
                    XCTAssertEqual(split, single, label)
                } else {
                    XCTAssertLessThanOrEqual(worstDifference(split, single), rounding, label)
                }
                XCTAssertLessThanOrEqual(worstDifference(split, threaded), rounding, label)
                let padding = c0.asArray(T.self)
                XCTAssertEqual((0..<m).map { split[$0 * (n + 3) + n] }, (0..<m).map { padding[$0 * (n + 3) + n] }, "padding untouched")
            }
        }
    }

    func testPartitionedGemmMatchesOneCallForEveryTransposeFlagFloat32() {
        productsMatchOneCall(Float.self, dtype: .float32)
    }

    func testPartitionedGemmIsBitIdenticalToOneCallForEveryTransposeFlagFloat64() {
        productsMatchOneCall(Double.self, dtype: .float64)
    }

    func inMode<R>(_ mode: ProductThreading, _ body: () throws -> R) rethrows -> R {
        let saved = ProductThreading.current
        ProductThreading.current = mode
        defer { ProductThreading.current = saved }
        return try body()
    }

    func testMatmulAndItsGradientsAgreeInBothModes() throws {
        for dtype in [DType.float32, .float64] {
            for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
                let (m, n, k) = (33, 517, 311)
                let a = Tensor.randomUniform(ta ? [k, m] : [m, k], lower: -1, upper: 1, dtype: dtype, seed: 1)
                let b = Tensor.randomUniform(tb ? [n, k] : [k, n], lower: -1, upper: 1, dtype: dtype, seed: 2)
                func run() throws -> (value: Tensor, gradient: (Tensor, Tensor)) {
                    try valueWithGradient(at: a, b) { square(matmul($0, $1, transposeA: ta, transposeB: tb) * 0.01).sum() }
                }
                let one = try inMode(.openBLAS) { try run() }
                let split = try inMode(.partitioned) { try run() }
                let tolerance = dtype == .float32 ? 1e-4 : 1e-12
                XCTAssertEqual(one.value.item(), split.value.item(), accuracy: tolerance * Swift.abs(one.value.item()))
                XCTAssertLessThanOrEqual(worstDifference(one.gradient.0.scalars, split.gradient.0.scalars), tolerance, "∂a \(dtype) \(ta) \(tb)")
                XCTAssertLessThanOrEqual(worstDifference(one.gradient.1.scalars, split.gradient.1.scalars), tolerance, "∂b \(dtype) \(ta) \(tb)")
            }
        }
    }

    func testFusedLinearMatchesOneCallAlongRowsAndColumns() {
        for dtype in [DType.float32, .float64] {
            for (m, n, k) in [(32, 512, 784), (600, 40, 200)] {
                let x = Tensor.randomUniform([m, k], lower: -1, upper: 1, dtype: dtype, seed: 3)
                let w = Tensor.randomUniform([n, k], lower: -1, upper: 1, dtype: dtype, seed: 4)
                let bias = Tensor.randomUniform([n], lower: -1, upper: 1, dtype: dtype, seed: 5)
                for (useBias, useRelu) in [(true, true), (true, false), (false, true)] {
                    let f = { linear(x, weight: w, bias: useBias ? bias : nil, relu: useRelu) }
                    var single = Tensor(0.0)
                    OpenBLASThreads.singleThreaded { single = inMode(.openBLAS, f) }
                    let split = inMode(.partitioned, f)
                    let label = "\(dtype) \(m)×\(n)×\(k) bias \(useBias) relu \(useRelu)"
                    if m >= n || dtype == .float64 {
                        XCTAssertEqual(split.scalars, single.scalars, label)
                    } else {
                        XCTAssertLessThanOrEqual(worstDifference(split.scalars, single.scalars), Double(k) * 2.4e-7, label)
                    }
                    // And the composition's numbers, up to where the bias is added (β = 1 vs a separate sum).
                    var composed = matmul(x, w, transposeB: true)
                    if useBias { composed = composed + bias }
                    if useRelu { composed = relu(composed) }
                    XCTAssertLessThanOrEqual(worstDifference(split.scalars, composed.scalars), dtype == .float32 ? 1e-4 : 1e-11, label)
                }
            }
        }
    }

    /// 2×21000×100 = 4,200,000 multiply-adds: partitioned (two column blocks of 10512 and 10488). Finite differences
    /// over x (W's and b's gradients are pinned against the eager composition, which the float64 gradient checks
    /// of matmul, + and relu cover).
    func testDenseReluFusedGradientsMatchFiniteDifferencesAndTheEagerComposition() throws {
        XCTAssertEqual(GEMMPartition.plan(m: 2, n: 21000, k: 100, mode: .partitioned), 2)
        let x = Tensor.randomNormal([2, 100], dtype: .float64, seed: 6)
        let w = Tensor.randomUniform([21000, 100], lower: -0.1, upper: 0.1, dtype: .float64, seed: 7)
        let b = Tensor.randomNormal([21000], dtype: .float64, seed: 8)
        try inMode(.partitioned) {
            // To 1e-4: a finite difference may straddle a ReLU kink among the 21000 outputs (a wrong gradient is off by O(1)).
            let check = try checkGradients("linear relu, partitioned", at: [x]) { linear($0[0], weight: w, bias: b, relu: true) }
            XCTAssertLessThan(check.worstRelativeError, 1e-4, check.description)
            let r = Tensor.randomUniform([2, 21000], lower: 0.5, upper: 1.5, dtype: .float64, seed: 9)
            let fused = try valueWithGradient(at: [x, w, b]) { (linear($0[0], weight: $0[1], bias: $0[2], relu: true) * r).sum() }
            let eager = try valueWithGradient(at: [x, w, b]) { (relu(matmul($0[0], $0[1], transposeB: true) + $0[2]) * r).sum() }
            XCTAssertEqual(fused.value.item(), eager.value.item(), accuracy: 1e-9)
            for (g, h) in zip(fused.gradient, eager.gradient) {
                XCTAssertEqual(g.shape, h.shape)
                XCTAssertLessThan(zip(g.scalars, h.scalars).map { Swift.abs($0 - $1) }.max() ?? .nan, 1e-10)
            }
            // Through the layer: Dense(activation: .relu) takes the fused path.
            let dense = Dense(inChannels: 100, outChannels: 21000, weightInit: w, biasInit: b, activation: .relu, dtype: .float64)
            XCTAssertEqual(dense(x).scalars, linear(x, weight: w, bias: b, relu: true).scalars)
        }
    }

    func testSixteenThreadsMultiplyingAtOnceGetTheSerialResultsAndOpenBLASThreadsAreRestored() {
        let before = openblas_get_num_threads()
        var inputs: [(Tensor, Tensor, Tensor)] = []
        for i in 0..<16 {
            let seed = UInt64(10 + 3 * i)
            inputs.append((Tensor.randomNormal([48, 300], seed: seed), Tensor.randomNormal([400, 300], seed: seed + 1),
                           Tensor.randomNormal([400], seed: seed + 2)))
        }
        let shared = inputs
        @Sendable func products(_ i: Int) -> [Double] {
            let inputs = shared
            let (x, w, b) = inputs[i]
            let y = linear(x, weight: w, bias: b, relu: true), z = matmul(x, w, transposeB: true)
            return y.scalars + z.scalars
        }
        let expected: [[Double]] = inMode(.partitioned) { (0..<16).map(products) }   // one at a time
        let results = inMode(.partitioned) { () -> [[Double]] in
            let box = Locked([[Double]](repeating: [], count: 16))
            DispatchQueue.concurrentPerform(iterations: 16) { i in
                var last: [Double] = []
                for _ in 0..<4 { last = products(i) }
                box.withLock { $0[i] = last }
            }
            return box.withLock { $0 }
        }
        for i in 0..<16 { XCTAssertEqual(results[i], expected[i], "thread \(i)") }
        XCTAssertEqual(openblas_get_num_threads(), before)
    }

    func testModeSwitchReadsBackWhatWasSet() {
        let saved = ProductThreading.current
        defer { ProductThreading.current = saved }
        ProductThreading.current = .openBLAS
        XCTAssertEqual(ProductThreading.current, .openBLAS)
        ProductThreading.current = .partitioned
        XCTAssertEqual(ProductThreading.current, .partitioned)
        ProductThreading.current = .automatic
        XCTAssertEqual(ProductThreading.current, .automatic)
    }

    /// Without `TAPEGRAD_PRODUCT_THREADING` (as `make test` runs), products start as one cblas call each: on an
    /// idle machine OpenBLAS's own threads were fastest for every W1 step measured.
    func testTheInitialModeIsOneCBLASCallPerProduct() throws {
        try XCTSkipIf(ProcessInfo.processInfo.environment["TAPEGRAD_PRODUCT_THREADING"] != nil, "the environment chooses the mode")
        let saved = ProductThreading.current
        XCTAssertEqual(saved, .openBLAS)
    }
}
