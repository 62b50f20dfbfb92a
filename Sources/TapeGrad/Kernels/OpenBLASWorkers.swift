import COpenBLAS
import Foundation
#if canImport(Glibc)
import Glibc
#endif

// Where a split product's blocks run. After a threaded call, an OpenBLAS 0.3.21 (pthreads) worker spins for 2²⁸
// TSC cycles (THREAD_TIMEOUT, ~0.1 s) calling sched_yield before it sleeps (driver/others/blas_server.c); a block
// handed to another thread in that window shares the two cores with it. Measured with per-thread CPU time
// (/proc/self/task/*/schedstat) on the shared VM: during a 1024³ product split in two right after a threaded call,
// the idle worker used 14 ms of CPU in one trial of 12 (as much as each computing thread) and 0–0.2 ms in the
// others; 0.3 s after a threaded call, none. `gotoblas_pthread`, exported by the pthreads build, queues a function
// on those same workers (the caller runs the first block itself), so the thread that would spin does the work.
//
// Dispatch's threads stay the default: on the shared VM the two executors tied (W11, 8 runs: the W1 step at
// width 2048 split 44.5 ms on OpenBLAS's workers against 44.0 on Dispatch's; single products 0.71–2.3× either
// way), and OpenBLAS's workers would deadlock if another thread of the process raised OpenBLAS's thread count
// while a block ran on them (the block's gemm would then queue work for its own, busy thread). With
// `TAPEGRAD_SPLIT_THREADS=openblas` split blocks run on OpenBLAS's workers, to measure the two on an idle machine.

/// Runs the blocks of a split product on OpenBLAS's worker threads, when this OpenBLAS offers it.
enum OpenBLASWorkers {
    private typealias Callback = @convention(c) (UnsafeMutableRawPointer?) -> Void
    private typealias Dispatcher = @convention(c) (Int32, Callback?, UnsafeMutableRawPointer?, Int32) -> Int32

    /// `gotoblas_pthread(numthreads, function, args, stride)`, looked up at run time: present in OpenBLAS's
    /// pthreads build (`openblas_get_parallel() == 1`), absent from the OpenMP and single-threaded ones.
    private static let dispatcher: Dispatcher? = {
        guard openblas_get_parallel() == 1, let symbol = dlsym(nil, "gotoblas_pthread") else { return nil }
        return unsafeBitCast(symbol, to: Dispatcher.self)
    }()

    /// Whether this OpenBLAS can run blocks on its workers.
    static var available: Bool { dispatcher != nil }

    /// Whether split products run on OpenBLAS's workers: only with `TAPEGRAD_SPLIT_THREADS=openblas` (else on
    /// Dispatch's threads).
    static let enabled: Bool = available && ProcessInfo.processInfo.environment["TAPEGRAD_SPLIT_THREADS"]?.lowercased() == "openblas"

    private struct Job { let body: (Int) -> Void }
    private struct Block {
        let job: UnsafePointer<Job>
        let index: Int
    }

    /// OpenBLAS hands work to its threads through plain memory flags, which ThreadSanitizer cannot see; taking
    /// this lock on both sides of the hand-off (and of the return) gives it the happens-before edges.
    private static let handoff = Lock()

    private static let callback: Callback = { raw in
        OpenBLASWorkers.handoff.withLock {}   // before reading the block the caller wrote
        guard let block = raw?.assumingMemoryBound(to: Block.self).pointee else { return }
        block.job.pointee.body(block.index)
        OpenBLASWorkers.handoff.withLock {}
    }

    /// Calls `body(0)`, …, `body(blocks − 1)` at once, `body(0)` on the calling thread, the others on OpenBLAS's
    /// workers; returns false (calling nothing) when that is not possible. Split products call it only when
    /// ``enabled``. `blocks` must not exceed OpenBLAS's thread count (the extra ones would wait for a free
    /// worker), and OpenBLAS must be held at one thread (``OpenBLASThreads/singleThreaded(_:)``) so that the
    /// gemms inside run on the thread that calls them.
    static func run(_ blocks: Int, _ body: (Int) -> Void) -> Bool {
        guard let dispatcher, blocks > 1, blocks <= GEMMPartition.threads else { return false }
        withoutActuallyEscaping(body) { body in
            var job = Job(body: body)
            withUnsafePointer(to: &job) { job in
                withUnsafeTemporaryAllocation(of: Block.self, capacity: blocks) { items in
                    guard let base = items.baseAddress else { return }
                    for i in 0..<blocks { (base + i).initialize(to: Block(job: job, index: i)) }
                    handoff.withLock {}
                    _ = dispatcher(Int32(blocks), callback, UnsafeMutableRawPointer(base), Int32(MemoryLayout<Block>.stride))
                    handoff.withLock {}
                    base.deinitialize(count: blocks)
                }
            }
        }
        return true
    }
}
