// The attention-head product of the replay loop: one gemm per (batch item, head), each operand and the
// output read or written in place through its view's strides, as the eager `headMatmul`.

extension JitInterpreter {
    /// Runs `c` (a ``JitCode/Kind/headMatmul``); `views` holds the three views (6 integers each), then batch and heads.
    static func headMatmul<T: JitFloat>(_ c: JitCode, _ a: UnsafeMutablePointer<T>, _ b: UnsafeMutablePointer<T>, _ out: UnsafeMutablePointer<T>,
                                        _ views: UnsafePointer<Int>) {
        let ta = c.flags & 1 != 0, tb = c.flags & 2 != 0
        if c.flags & 4 != 0 { out.update(repeating: 0, count: c.count) }
        let batch = views[18], heads = views[19]
        // offset, batch stride, head stride, row stride of view v (0: a, 1: b, 2: out).
        @inline(__always) func field(_ v: Int, _ f: Int) -> Int { views[6 * v + f] }
        guard c.m > 0, c.n > 0 else { return }
        for bi in 0..<batch {
            for h in 0..<heads {
                let dst = out + field(2, 0) + bi * field(2, 1) + h * field(2, 2)
                if c.k == 0 {
                    for r in 0..<c.m { (dst + r * field(2, 3)).update(repeating: 0, count: c.n) }
                    continue
                }
                T.gemm(transA: ta, transB: tb, m: c.m, n: c.n, k: c.k, alpha: T(c.scalar),
                       a: a + field(0, 0) + bi * field(0, 1) + h * field(0, 2), lda: field(0, 3),
                       b: b + field(1, 0) + bi * field(1, 1) + h * field(1, 2), ldb: field(1, 3),
                       beta: 0, c: dst, ldc: field(2, 3))
            }
        }
    }
}
