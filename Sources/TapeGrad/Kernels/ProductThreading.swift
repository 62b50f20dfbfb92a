import COpenBLAS
import Dispatch
import Foundation
import Synchronization

// How a matrix product uses the cores. Debian's OpenBLAS 0.3.21 (pthreads) threads a gemm only when
// M·N·K > 65536 · GEMM_MULTITHREAD_THRESHOLD (= 262,144; interface/gemm.c), and then always on all its
// threads; every threaded level-3 call takes one process-wide mutex (`level3_lock`, driver/level3/
// level3_thread.c), so threaded gemms from two threads run one after the other. Its only thread knob,
// `openblas_set_num_threads`, writes one process-wide integer (`blas_cpu_number`) that every later call reads.
//
// In `.partitioned` mode a product above that threshold is cut into contiguous blocks of output rows (or of
// columns, whichever dimension is larger), each computed by a single-threaded gemm with the same transpose
// flags on one of TapeGrad's threads. Splitting M or N leaves the K blocking alone, but OpenBLAS's sgemm
// micro-kernels (Haswell and Zen) round an element differently depending on its row's place in a 12-row tile
// and on the columns of its call: measured, row blocks starting at multiples of 12 give the same bits as one
// single-threaded call, column blocks do not (float32 only; dgemm gave the same bits for every split). Row
// blocks are therefore cut at multiples of 24. OpenBLAS's own threading is not bit-identical to its
// single-threaded result either: across modes, results agree to float rounding.

/// How TapeGrad spreads its matrix products (``matmul(_:_:transposeA:transposeB:)``, ``linear(_:weight:bias:relu:)``,
/// convolutions, recurrences) over the cores.
///
/// - ``openBLAS``: each product is one cblas call, threaded by OpenBLAS itself.
/// - ``partitioned``: a product with M·N·K above 2²² is split along its larger output dimension into one block
///   per core, each block a single-threaded gemm on one of TapeGrad's threads (with
///   ``linear(_:weight:bias:relu:)``'s bias and ReLU applied to each block while it is in cache); a product
///   between OpenBLAS's own threading threshold (M·N·K > 2¹⁸) and 2²² runs whole on the calling thread, where
///   waking a second thread costs about what it saves (measured by the benchmark's W11). While such a product
///   runs, OpenBLAS is set to one thread (`openblas_set_num_threads(1)`, process-wide; the previous count is
///   restored when the last such product finishes), so any other OpenBLAS call made at that moment runs
///   single-threaded.
///
/// Both modes round alike up to float rounding (neither is bit-identical to the other: OpenBLAS's own
/// threading changes the rounding too); a partitioned product split by rows is bit-identical to the same
/// product computed by one single-threaded gemm. The initial mode is ``openBLAS`` unless the environment variable
/// `TAPEGRAD_PRODUCT_THREADING` says `partitioned`: on an idle 2-core VM (`make bench ARGS="--only W11,W0"`) the
/// partitioned blocks ran at one core's speed (n = 1024: 72 GFLOP/s against OpenBLAS's own 139 and its single
/// thread's 81), while on a machine loaded by other work they beat OpenBLAS's threading, whose threads wait for each
/// other. A single-threaded run (`OPENBLAS_NUM_THREADS=1` or `TAPEGRAD_NUM_THREADS=1`) never partitions.
///
/// ```swift
/// ProductThreading.current = .openBLAS      // one cblas call per product, as before
/// ProductThreading.current = .partitioned   // split across TapeGrad's threads
/// ```
public enum ProductThreading: Int, Sendable, CaseIterable {
    /// One cblas call per product; OpenBLAS threads it.
    ///
    /// ```swift
    /// ProductThreading.current = .openBLAS
    /// ```
    case openBLAS = 0
    /// Products with M·N·K above 2²² are split across TapeGrad's threads, one single-threaded gemm per block;
    /// mid-size ones run whole on the calling thread.
    ///
    /// ```swift
    /// ProductThreading.current = .partitioned
    /// ```
    case partitioned = 1

    private static let storage = Atomic<Int>(initial.rawValue)

    private static var initial: ProductThreading {
        let value = ProcessInfo.processInfo.environment["TAPEGRAD_PRODUCT_THREADING"]?.lowercased()
        return value == "partitioned" ? .partitioned : .openBLAS
    }

    /// The mode used by products started from now on (process-wide; safe to set from any thread).
    ///
    /// ```swift
    /// let saved = ProductThreading.current
    /// ProductThreading.current = .openBLAS
    /// defer { ProductThreading.current = saved }
    /// ```
    public static var current: ProductThreading {
        get { ProductThreading(rawValue: storage.load(ordering: .relaxed)) ?? .openBLAS }
        set { storage.store(newValue.rawValue, ordering: .relaxed) }
    }
}

/// The partitioner behind every gemm TapeGrad issues.
enum GEMMPartition {
    /// OpenBLAS 0.3.21 runs a gemm with M·N·K at or below this on the calling thread.
    static let openBLASThreshold = 65_536 * 4
    /// The threads a partitioned product may use: TapeGrad's (``Parallel/cores``), capped by OpenBLAS's count
    /// at start-up (so `OPENBLAS_NUM_THREADS=1` keeps every product on the calling thread).
    static let threads: Int = Swift.max(1, Swift.min(Parallel.cores, Int(openblas_get_num_threads())))
    /// Row blocks start at multiples of this (a multiple of the sgemm kernels' 12-row tile, so each row is
    /// rounded as in one call); column blocks at multiples of ``columnAlignment`` (16 floats = a cache line).
    static let rowAlignment = 24
    static let columnAlignment = 16
    /// Products with M·N·K above this are split, each block getting at least half of it; smaller ones above
    /// ``openBLASThreshold`` run whole on one thread. Measured with W11 on the shared 2-core VM: at 32×128×128
    /// one thread took 16 µs, OpenBLAS's two 25 µs; at 32×128×784 (3.2·10⁶) one thread beat both OpenBLAS's
    /// threads and two blocks in every run (a block waiting for a busy core costs more than the half it saves).
    static let splitThreshold = 1 << 22

    /// Calls `body(rows, columns)` for disjoint blocks covering an m×n output whose K-sums have length k:
    /// once with the whole output when the product stays unpartitioned, else once per block on
    /// TapeGrad's threads, with OpenBLAS held at one thread meanwhile. Blocks split the rows when m ≥ n (in
    /// multiples of ``rowAlignment``), the columns otherwise (in multiples of ``columnAlignment``).
    @inline(__always)
    static func run(m: Int, n: Int, k: Int, mode: ProductThreading = ProductThreading.current,
                    _ body: (_ rows: Range<Int>, _ columns: Range<Int>) -> Void) {
        let parts = plan(m: m, n: n, k: k, mode: mode)
        if parts > 1 { runSplit(m: m, n: n, parts: parts, body) }
        else if parts == 1 { OpenBLASThreads.singleThreaded { body(0..<m, 0..<n) } }
        else { body(0..<m, 0..<n) }
    }

    /// The number of blocks; 1: whole, on one thread; 0: whole, as OpenBLAS decides (one cblas call).
    @inline(__always)
    static func plan(m: Int, n: Int, k: Int, mode: ProductThreading) -> Int {
        guard mode == .partitioned, threads > 1 else { return 0 }
        let (mn, overflow1) = m.multipliedReportingOverflow(by: n)
        let (mnk, overflow2) = mn.multipliedReportingOverflow(by: k)
        let blocks = m >= n ? m / rowAlignment : n / columnAlignment
        if overflow1 || overflow2 { return Swift.max(1, Swift.min(threads, blocks)) }
        guard mnk > openBLASThreshold else { return 0 }
        return Swift.max(1, Swift.min(threads, blocks, mnk / (splitThreshold / 2)))
    }

    private static func runSplit(m: Int, n: Int, parts: Int, _ body: (_ rows: Range<Int>, _ columns: Range<Int>) -> Void) {
        let alongRows = m >= n
        let extent = alongRows ? m : n
        let even = (extent + parts - 1) / parts, alignment = alongRows ? rowAlignment : columnAlignment
        let size = (even + alignment - 1) / alignment * alignment
        let blocks = (extent + size - 1) / size
        OpenBLASThreads.singleThreaded {
            withoutActuallyEscaping(body) { body in
                let task = UnsafeSendable(body)
                DispatchQueue.concurrentPerform(iterations: blocks) { i in
                    let range = (i * size)..<Swift.min(extent, (i + 1) * size)
                    if alongRows { task.value(range, 0..<n) } else { task.value(0..<m, range) }
                }
            }
        }
    }
}

/// Holds OpenBLAS at one thread while any partitioned product runs (counted, so overlapping products from
/// several threads share one setting), then restores the count it found.
enum OpenBLASThreads {
    private struct State {
        var active = 0
        var saved: Int32 = 1
    }
    // A pthread mutex (``Locked``), so ThreadSanitizer sees the ordering between the set and the restore.
    private static let state = Locked(State())

    static func singleThreaded(_ body: () -> Void) {
        state.withLock { s in
            if s.active == 0 {
                s.saved = openblas_get_num_threads()
                if s.saved > 1 { openblas_set_num_threads(1) }
            }
            s.active += 1
        }
        body()
        state.withLock { s in
            s.active -= 1
            if s.active == 0, s.saved > 1 { openblas_set_num_threads(s.saved) }
        }
    }
}
