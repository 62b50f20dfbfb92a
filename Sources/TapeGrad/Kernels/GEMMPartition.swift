import COpenBLAS
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

// The plan and the executors behind ``ProductThreading``. A plan is a number: 0 — one cblas call, threaded as
// OpenBLAS decides; 1 — the whole product on the calling thread, OpenBLAS held at one thread; p ≥ 2 — p blocks
// of the output, each a single-threaded gemm with the same transpose flags, run at once.

/// The partitioner behind every gemm TapeGrad issues.
enum GEMMPartition {
    /// OpenBLAS 0.3.21 runs a gemm with M·N·K at or below this on the calling thread.
    static let openBLASThreshold = 65_536 * 4
    /// The threads a split product may use: TapeGrad's (``Parallel/cores``), capped by OpenBLAS's count at
    /// start-up (so `OPENBLAS_NUM_THREADS=1` keeps every product on the calling thread).
    static let threads: Int = Swift.max(1, Swift.min(Parallel.cores, OpenBLASThreads.configured))
    /// Row blocks start at multiples of this (a multiple of the sgemm kernels' 12-row tile, so each row is
    /// rounded as in one call); column blocks at multiples of ``columnAlignment`` (16 floats = a cache line).
    static let rowAlignment = 24
    static let columnAlignment = 16
    /// `.partitioned`: products with M·N·K above this are split, each block getting at least half of it; smaller
    /// ones above ``openBLASThreshold`` run whole on one thread.
    static let splitThreshold = 1 << 22

    /// Calls `body(rows, columns)` for disjoint blocks covering an m×n output whose K-sums have length k:
    /// once with the whole output when the product stays unpartitioned, else once per block at the same time,
    /// with OpenBLAS held at one thread meanwhile. Blocks split the rows when m ≥ n (in multiples of
    /// ``rowAlignment``), the columns otherwise (in multiples of ``columnAlignment``).
    @inline(__always)
    static func run(m: Int, n: Int, k: Int, mode: ProductThreading = ProductThreading.current,
                    _ body: (_ rows: Range<Int>, _ columns: Range<Int>) -> Void) {
        let parts = plan(m: m, n: n, k: k, mode: mode)
        if parts > 1 { runSplit(m: m, n: n, parts: parts, body) }
        else if parts == 1 { OpenBLASThreads.singleThreaded { body(0..<m, 0..<n) } }
        else { body(0..<m, 0..<n) }
    }

    /// The plan of an m×n×k product in `mode` on this process's ``threads``.
    @inline(__always)
    static func plan(m: Int, n: Int, k: Int, mode: ProductThreading) -> Int {
        switch mode {
        case .openBLAS: return 0
        case .partitioned: return partitionedPlan(m: m, n: n, k: k, threads: threads)
        case .automatic: return automaticPlan(m: m, n: n, k: k, threads: threads)
        }
    }

    /// `.partitioned`: whole on one thread between 2¹⁸ and 2²², split above (one block per 2²¹, at most one per
    /// thread), one cblas call below.
    static func partitionedPlan(m: Int, n: Int, k: Int, threads: Int) -> Int {
        guard threads > 1 else { return 0 }
        let blocks = m >= n ? m / rowAlignment : n / columnAlignment
        guard let mnk = volume(m, n, k) else { return Swift.max(1, Swift.min(threads, blocks)) }
        guard mnk > openBLASThreshold else { return 0 }
        return Swift.max(1, Swift.min(threads, blocks, mnk / (splitThreshold / 2)))
    }

    /// M·N·K, or nil when it overflows.
    @inline(__always)
    static func volume(_ m: Int, _ n: Int, _ k: Int) -> Int? {
        let (mn, o1) = m.multipliedReportingOverflow(by: n)
        let (mnk, o2) = mn.multipliedReportingOverflow(by: k)
        return o1 || o2 ? nil : mnk
    }

    private static func runSplit(m: Int, n: Int, parts: Int, _ body: (_ rows: Range<Int>, _ columns: Range<Int>) -> Void) {
        let alongRows = m >= n
        let extent = alongRows ? m : n
        let even = (extent + parts - 1) / parts, alignment = alongRows ? rowAlignment : columnAlignment
        let size = (even + alignment - 1) / alignment * alignment
        let blocks = (extent + size - 1) / size
        OpenBLASThreads.singleThreaded {
            let block = { (i: Int) in
                let range = (i * size)..<Swift.min(extent, (i + 1) * size)
                if alongRows { body(range, 0..<n) } else { body(0..<m, range) }
            }
            let onWorkers = OpenBLASWorkers.enabled ? OpenBLASWorkers.run(blocks, block) : false
            if !onWorkers {
                withoutActuallyEscaping(block) { block in
                    let task = UnsafeSendable(block)
                    DispatchQueue.concurrentPerform(iterations: blocks) { task.value($0) }
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

    /// OpenBLAS's thread count outside any partitioned product (what `openblas_get_num_threads` says when no
    /// product holds it at one).
    static var configured: Int { state.withLock { s in Int(s.active > 0 ? s.saved : openblas_get_num_threads()) } }

    static func singleThreaded<R>(_ body: () -> R) -> R {
        state.withLock { s in
            if s.active == 0 {
                s.saved = openblas_get_num_threads()
                if s.saved > 1 { openblas_set_num_threads(1) }
            }
            s.active += 1
        }
        defer {
            state.withLock { s in
                s.active -= 1
                if s.active == 0, s.saved > 1 { openblas_set_num_threads(s.saved) }
            }
        }
        return body()
    }
}
