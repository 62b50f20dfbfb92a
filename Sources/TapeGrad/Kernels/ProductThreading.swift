import Foundation
import Synchronization

// How a matrix product uses the cores. Debian's OpenBLAS 0.3.21 (pthreads) threads a gemm only when
// M·N·K > 65536 · GEMM_MULTITHREAD_THRESHOLD (= 262,144; interface/gemm.c), and then always on all its
// threads; every threaded level-3 call takes one process-wide mutex (`level3_lock`, driver/level3/
// level3_thread.c), so threaded gemms from two threads run one after the other. Its only thread knob,
// `openblas_set_num_threads`, writes one process-wide integer (`blas_cpu_number`) that every later call reads.
//
// A split product is cut into contiguous blocks of output rows (or of columns, whichever dimension is larger),
// each computed by a single-threaded gemm with the same transpose flags (GEMMPartition.swift), on Dispatch's
// threads (or OpenBLAS's own workers, OpenBLASWorkers.swift). Splitting M or N leaves the K blocking
// alone, but OpenBLAS's sgemm micro-kernels (Haswell and Zen) round an element differently depending on its
// row's place in a 12-row tile and on the columns of its call: measured, row blocks starting at multiples of 12
// give the same bits as one single-threaded call, column blocks do not (float32 only; dgemm gave the same bits
// for every split). Row blocks are therefore cut at multiples of 24. OpenBLAS's own threading is not
// bit-identical to its single-threaded result either: across modes, results agree to float rounding.

/// How TapeGrad spreads its matrix products (``matmul(_:_:transposeA:transposeB:)``, ``linear(_:weight:bias:relu:)``,
/// convolutions, recurrences) over the cores.
///
/// - ``openBLAS``: each product is one cblas call, threaded by OpenBLAS itself.
/// - ``partitioned``: a product with M·N·K above 2²² is split along its larger output dimension into one block
///   per core, each block a single-threaded gemm (with ``linear(_:weight:bias:relu:)``'s bias and ReLU applied to
///   each block while it is in cache); a product between OpenBLAS's own threading threshold (M·N·K > 2¹⁸) and
///   2²² runs whole on the calling thread.
/// - ``automatic``: per product, whichever of the three — one threaded cblas call, whole on the calling thread,
///   split — the benchmark's W11 measured fastest for its shape class on a machine whose other core was busy
///   (the rule is in `ProductPlan.swift`).
///
/// While a product runs whole on one thread or split, OpenBLAS is set to one thread
/// (`openblas_set_num_threads(1)`, process-wide; the previous count is restored when the last such product
/// finishes), so any other OpenBLAS call made at that moment runs single-threaded. The blocks of a split product
/// run on Dispatch's threads (on OpenBLAS's own workers with `TAPEGRAD_SPLIT_THREADS=openblas`).
///
/// The modes round alike up to float rounding (none is bit-identical to another: OpenBLAS's own threading
/// changes the rounding too); a product split by rows is bit-identical to the same product computed by one
/// single-threaded gemm. The initial mode is read from the environment variable `TAPEGRAD_PRODUCT_THREADING`
/// (`openblas`, `partitioned` or `automatic`), ``openBLAS`` when it is unset. Which is fastest depends on what else
/// the machine runs: on the idle 2-core VM (`tapegrad-bench --only W11`) OpenBLAS's own threads ran every W1 step
/// fastest (batch 32 at width 512: 1.41 ms against 2.13 for ``automatic``), while with the other core busy
/// ``automatic`` won (2.5 ms against 3.7), because OpenBLAS's two threads wait for each other. A single-threaded
/// run (`OPENBLAS_NUM_THREADS=1` or `TAPEGRAD_NUM_THREADS=1`) never splits.
///
/// ```swift
/// ProductThreading.current = .openBLAS      // one cblas call per product, as before
/// ProductThreading.current = .partitioned   // split across the cores above 2²² multiply-adds
/// ProductThreading.current = .automatic     // per shape class, as measured
/// ```
public enum ProductThreading: Int, Sendable, CaseIterable {
    /// One cblas call per product; OpenBLAS threads it.
    ///
    /// ```swift
    /// ProductThreading.current = .openBLAS
    /// ```
    case openBLAS = 0
    /// Products with M·N·K above 2²² are split across the cores, one single-threaded gemm per block;
    /// mid-size ones run whole on the calling thread.
    ///
    /// ```swift
    /// ProductThreading.current = .partitioned
    /// ```
    case partitioned = 1
    /// Per product, one threaded cblas call, the whole product on the calling thread, or split blocks,
    /// chosen by its shape (M, N, K) from the table measured by the benchmark's W11.
    ///
    /// ```swift
    /// ProductThreading.current = .automatic
    /// ```
    case automatic = 2

    private static let storage = Atomic<Int>(initial.rawValue)

    private static var initial: ProductThreading {
        switch ProcessInfo.processInfo.environment["TAPEGRAD_PRODUCT_THREADING"]?.lowercased() {
        case "partitioned": .partitioned
        case "automatic": .automatic
        default: .openBLAS
        }
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
