// The rule of ``ProductThreading/automatic``: a pure function of the product's shape, measured by W11.
// (Placeholder, to be replaced by the measured table.)

extension GEMMPartition {
    /// Products with M·N·K up to this run whole on the calling thread in `.automatic`.
    static let automaticWholeLimit = 1 << 22

    /// `.automatic`: 0 — one cblas call (OpenBLAS's threads), 1 — whole on the calling thread, p ≥ 2 — p blocks.
    static func automaticPlan(m: Int, n: Int, k: Int, threads: Int) -> Int {
        guard threads > 1 else { return 0 }
        let blocks = m >= n ? m / rowAlignment : n / columnAlignment
        guard let mnk = volume(m, n, k) else { return Swift.max(1, Swift.min(threads, blocks)) }
        guard mnk > openBLASThreshold else { return 0 }
        if mnk <= automaticWholeLimit || blocks < 2 { return 1 }
        return Swift.min(threads, blocks)
    }
}
