// The rule of ``ProductThreading/automatic``: a pure function of the product's shape (M, N, K), from the
// per-product timings of the benchmark's W11 (Benchmarks/Sources/tapegrad-bench/Products.swift):
//
//     swift build -c release --package-path Benchmarks && Benchmarks/.build/release/tapegrad-bench --only W11
//
// (PROVISIONAL: the thresholds are being measured.)

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
