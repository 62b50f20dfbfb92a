import COpenBLAS
import Foundation
#if canImport(Glibc)
import Glibc
#endif

// Why a split product runs on OpenBLAS's own threads. After a threaded call, an OpenBLAS 0.3.21 (pthreads)
// worker spins for 2²⁸ TSC cycles (THREAD_TIMEOUT, ~0.1 s) calling sched_yield before it sleeps
// (driver/others/blas_server.c). A block handed to a thread of TapeGrad's own in that window shares the two cores
// with the spinning worker. Measured with per-thread CPU time (/proc/self/task/*/schedstat) on the shared VM: during
// a 1024³ product split in two right after a threaded call, the idle worker used 14 ms of CPU in one trial of 12
// (as much as each computing thread) and 0–0.2 ms in the others; 0.3 s after a threaded call, none. So the spin
// can take a core's share, not always. `gotoblas_pthread`, exported by the pthreads build, queues a function on
// those same workers (the caller runs the first block itself): the thread that would spin does the work, and a
// sleeping one is woken as for OpenBLAS's own threaded calls.

/// Runs the blocks of a split product on OpenBLAS's worker threads, when this OpenBLAS offers it.
enum OpenBLASWorkers {
    private typealias Callback = @convention(c) (UnsafeMutableRawPointer?) -> Void
    private typealias Dispatcher = @convention(c) (Int32, Callback?, UnsafeMutableRawPointer?, Int32) -> Int32

    /// `gotoblas_pthread(numthreads, function, args, stride)`, looked up at run time: present in OpenBLAS's
    /// pthreads build (`openblas_get_parallel() == 1`), absent from the OpenMP and single-threaded ones, which
    /// then split on Dispatch's threads (as does `TAPEGRAD_SPLIT_THREADS=dispatch`, for measuring the two).
    private static let dispatcher: Dispatcher? = {
        guard ProcessInfo.processInfo.environment["TAPEGRAD_SPLIT_THREADS"]?.lowercased() != "dispatch",
              openblas_get_parallel() == 1, let symbol = dlsym(nil, "gotoblas_pthread") else { return nil }
        return unsafeBitCast(symbol, to: Dispatcher.self)
    }()

    /// Whether split products run on OpenBLAS's workers (else on Dispatch's threads).
    static var available: Bool { dispatcher != nil }

    private struct Job { let body: (Int) -> Void }
    private struct Block {
        let job: UnsafePointer<Job>
        let index: Int
    }

    /// OpenBLAS hands work to its threads through plain memory flags, which ThreadSanitizer cannot see; taking
    /// this lock on both sides of the hand-off (and of the return) gives it the happens-before edges.
    private static let handoff = Lock()

    private static let callback: Callback = { raw in
        guard let block = raw?.assumingMemoryBound(to: Block.self).pointee else { return }
        OpenBLASWorkers.handoff.withLock {}
        block.job.pointee.body(block.index)
        OpenBLASWorkers.handoff.withLock {}
    }

    /// Calls `body(0)`, …, `body(blocks − 1)` at once, `body(0)` on the calling thread, the others on OpenBLAS's
    /// workers; returns false (calling nothing) when that is not possible. `blocks` must not exceed OpenBLAS's
    /// thread count (the extra ones would wait for a free worker), and OpenBLAS must be held at one thread
    /// (``OpenBLASThreads/singleThreaded(_:)``) so that the gemms inside run on the thread that calls them.
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
