// The rule of ``ProductThreading/automatic``: a pure function of the product's shape (M, N, K), read off the
// per-product timings of the benchmark's W11 (Benchmarks/Sources/tapegrad-bench/Products.swift):
//
//     swift build -c release --package-path Benchmarks && Benchmarks/.build/release/tapegrad-bench --only W11
//
// Medians of 8 W11 runs (2 per coretype and split executor, 2026-11-29, the 2-core VM shared with other builds
// and benchmarks, load 6–8), µs: OpenBLAS threaded call | one thread | split in two.
//
//     32×128×128  (2.1·10⁶)        31 |    21 |    24    mid-size: one thread wins
//     128×784×32  (3.2·10⁶)       144 |   130 |   131
//     32×512×784  (1.3·10⁷)      2403 |   475 |   480    skinny ≤ 2²⁴: one thread (OpenBLAS's threads 5× slower)
//     512×784×32  (1.3·10⁷)      2973 |   547 |   538
//     32×2048×2048 (1.3·10⁸)    15097 | 14032 | 10116    skinny > 2²⁴: split
//     2048×2048×32 (1.3·10⁸)    19246 | 14383 | 11189
//     32×2048×784 (5.1·10⁷)      5787 |  1871 |  2113    (here one thread was ahead under that load)
//     256×10×512  (1.3·10⁶)       147 |    75 |    80    thin: one thread
//     256×512×784 (1.0·10⁸)      6996 |  3014 |  6023    square-ish: OpenBLAS's threads (see below)
//
// On that loaded VM one thread beat every two-thread schedule for the square-ish products too, because two
// threads wait for each other whenever the other core is busy; on the idle VM (the README's figures, previous
// session) OpenBLAS's threads ran those 1.6–2× faster than one thread (W1 at batch 256: 5.7 ms against 9.5;
// W0 at n = 256: 150 GFLOP/s against 75), while the skinny W1 step at width 2048 split was 0.81 of JAX's against
// 1.10 threaded by OpenBLAS. The rule follows the idle figures where they exist; square-ish products keep the
// exact cblas call of `.openBLAS`. A table rather than a start-up calibration: timings taken at start-up
// measure whatever else the machine is doing at that moment (above, a factor of 2 either way), cost start-up
// time, and would make the plan differ from run to run; the table is deterministic and testable.

extension GEMMPartition {
    /// A product with its smallest dimension at most this is *skinny* (a batch of 32 against widths of 512
    /// and more, or a weight gradient summed over such a batch).
    static let skinnyDimension = 64
    /// Skinny products with M·N·K above this are split; smaller ones run whole on the calling thread.
    static let skinnySplitThreshold = 1 << 24
    /// Other products with M·N·K up to this run whole on the calling thread; larger ones are one cblas call,
    /// threaded by OpenBLAS.
    static let wholeLimit = 1 << 22

    /// `.automatic`: 0 — one cblas call (OpenBLAS's threads), 1 — whole on the calling thread, p ≥ 2 — p blocks.
    ///
    /// - M·N·K ≤ 2¹⁸: one cblas call (OpenBLAS runs it on the calling thread anyway).
    /// - skinny (min(M, N, K) ≤ 64): whole on the calling thread up to 2²⁴, split above.
    /// - otherwise: whole on the calling thread up to 2²², one threaded cblas call above.
    static func automaticPlan(m: Int, n: Int, k: Int, threads: Int) -> Int {
        guard threads > 1 else { return 0 }
        let blocks = m >= n ? m / rowAlignment : n / columnAlignment
        guard let mnk = volume(m, n, k) else { return Swift.max(1, Swift.min(threads, blocks)) }
        guard mnk > openBLASThreshold else { return 0 }
        if Swift.min(m, n, k) <= skinnyDimension {
            return mnk <= skinnySplitThreshold || blocks < 2 ? 1 : Swift.min(threads, blocks)
        }
        return mnk <= wholeLimit ? 1 : 0
    }
}
