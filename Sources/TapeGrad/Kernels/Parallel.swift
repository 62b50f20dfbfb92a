import Foundation

/// Splits large elementwise loops across the machine's cores. Loops below `threshold` elements run inline:
/// waking a second thread costs more than it saves there, and right after a gemm OpenBLAS's own worker is
/// still spinning on the other core, so a dispatched half of a mid-sized loop finishes late (measured on W1:
/// the worker's half of ReLU's backward took four times the main thread's).
enum Parallel {
    /// The threads elementwise loops may use: the cores, capped by `TAPEGRAD_NUM_THREADS` or, failing that,
    /// `OPENBLAS_NUM_THREADS` (so a single-threaded BLAS run is single-threaded throughout).
    static let cores: Int = {
        let env = ProcessInfo.processInfo.environment
        let cap = Int(env["TAPEGRAD_NUM_THREADS"] ?? env["OPENBLAS_NUM_THREADS"] ?? "") ?? Int.max
        return Swift.max(1, Swift.min(ProcessInfo.processInfo.activeProcessorCount, cap))
    }()
    static let threshold = 1 << 19

    /// Calls `body(start, count)` for contiguous chunks covering `0..<n`, in parallel when `n` is large.
    @inline(__always)
    static func chunks(_ n: Int, _ body: (_ start: Int, _ count: Int) -> Void) {
        guard n >= threshold, cores > 1 else { body(0, n); return }
        let parts = Swift.min(cores, n / (threshold / 2))
        let size = (n + parts - 1) / parts
        withoutActuallyEscaping(body) { body in
            let task = UnsafeSendable(body)
            DispatchQueue.concurrentPerform(iterations: parts) { i in
                let start = i * size
                if start < n { task.value(start, Swift.min(size, n - start)) }
            }
        }
    }

    /// Calls `body(first, end)` on disjoint ranges of `0..<items` covering them all, split over the cores when
    /// the work (`items · itemCost` elements) is large enough for ``chunks(_:_:)``, whose element ranges are
    /// rounded to whole items.
    static func forEachRange(items: Int, itemCost: Int, _ body: (_ first: Int, _ end: Int) -> Void) {
        let size = Swift.max(itemCost, 1)
        guard let total = SizeArithmetic.product(items, size) else { body(0, items); return }
        chunks(total) { start, count in
            let first = (start + size - 1) / size, end = Swift.min((start + count + size - 1) / size, items)
            if first < end { body(first, end) }
        }
    }
}

/// A value handed to worker threads that only read it (raw pointers, a non-escaping body).
/// Unchecked, and scoped to `Parallel.chunks`: the wrapped body is called on disjoint index ranges, each
/// worker writes only its own range, and `concurrentPerform` returns only when every worker is done.
struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
