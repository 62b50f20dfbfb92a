// Matrix products over the heads of multi-head attention without copying them out: each head's matrix is
// read in place from its tensor through strides (cblas's leading dimension), and the result is written
// straight into the layout the next op wants. Its pullback is the same op with other flags and views, so
// it is differentiable to any order.

/// How a tensor is read as a grid of `batch × heads` row-major matrices: element `(r, c)` of matrix `(b, h)`
/// sits at `offset + b·batchStride + h·headStride + r·rowStride + c`.
///
/// ```swift
/// // doc-example: internal
/// let (L, N, E, H) = (5, 2, 16, 4)
/// // q of shape [L, N, E] (time-major), head h of sample b: rows are time steps, N·E apart.
/// let view = HeadView(offset: 0, batchStride: E, headStride: E / H, rowStride: N * E, rows: L, cols: E / H)
/// ```
struct HeadView: Equatable, Sendable {
    var offset: Int
    var batchStride: Int
    var headStride: Int
    var rowStride: Int
    var rows: Int
    var cols: Int

    /// A contiguous `[batch, heads, rows, cols]` block.
    static func contiguous(heads: Int, rows: Int, cols: Int) -> HeadView {
        HeadView(offset: 0, batchStride: heads * rows * cols, headStride: rows * cols, rowStride: cols, rows: rows, cols: cols)
    }

    /// The largest element index read or written, plus one.
    func extent(batch: Int, heads: Int) -> Int {
        guard batch > 0, heads > 0, rows > 0, cols > 0 else { return 0 }
        return offset + (batch - 1) * batchStride + (heads - 1) * headStride + (rows - 1) * rowStride + cols
    }
}

/// C_{b,h} = α · op(A_{b,h}) · op(B_{b,h}) for every batch `b` and head `h`, each a gemm on strided views,
/// written through `outView` into a new tensor of `outShape` (zero where the view does not reach).
///
/// With C = α·A·B: ∂L/∂A = α·G·Bᵀ, ∂L/∂B = α·Aᵀ·G (transposed forms likewise), each again a `headMatmul`
/// that writes into the operand's own view.
///
/// ```swift
/// // doc-example: internal
/// let (L, S, N, E, H) = (5, 7, 2, 16, 4)
/// let (q, k) = (Tensor.zeros([L, N, E]), Tensor.zeros([S, N, E]))
/// let qView = HeadView(offset: 0, batchStride: E, headStride: E / H, rowStride: N * E, rows: L, cols: E / H)
/// let kView = HeadView(offset: 0, batchStride: E, headStride: E / H, rowStride: N * E, rows: S, cols: E / H)
/// let scores = headMatmul(q, qView, k, kView, transposeB: true, alpha: 1 / 8, batch: N, heads: H,
///                         outShape: [N, H, L, S], outView: .contiguous(heads: H, rows: L, cols: S))
/// ```
func headMatmul(_ a: Tensor, _ va: HeadView, _ b: Tensor, _ vb: HeadView, transposeA: Bool = false, transposeB: Bool = false,
                alpha: Double = 1, batch: Int, heads: Int, outShape: [Int], outView vc: HeadView) -> Tensor {
    let dtype = a.dtype
    let (m, k) = transposeA ? (va.cols, va.rows) : (va.rows, va.cols)
    let (kb, n) = transposeB ? (vb.cols, vb.rows) : (vb.rows, vb.cols)
    let outCount = outShape.reduce(1, *)
    guard dtype.isFloatingPoint, b.dtype == dtype, k == kb, vc.rows == m, vc.cols == n,
          va.extent(batch: batch, heads: heads) <= a.count, vb.extent(batch: batch, heads: heads) <= b.count,
          vc.extent(batch: batch, heads: heads) <= outCount else {
        reportError(TensorError(op: "headMatmul", message: "views do not fit: a \(a.shape) \(va), b \(b.shape) \(vb), out \(outShape) \(vc)"))
        return Tensor.placeholder(dtype: dtype)
    }
    let covered = batch * heads * m * n == outCount
    let out = covered ? Tensor.uninitialized(outShape, dtype: dtype) : Tensor.zeros(outShape, dtype: dtype)
    func run<E: BLASElement>(_: E.Type) {
        let pa = a.buffer.pointer(E.self), pb = b.buffer.pointer(E.self), pc = out.buffer.pointer(E.self)
        for bi in 0..<batch {
            for h in 0..<heads where m > 0 && n > 0 {
                let c = pc + vc.offset + bi * vc.batchStride + h * vc.headStride
                if k == 0 { for r in 0..<m { (c + r * vc.rowStride).update(repeating: 0, count: n) }; continue }
                E.gemm(transA: transposeA, transB: transposeB, m: m, n: n, k: k, alpha: E(fromDouble: alpha),
                       a: pa + va.offset + bi * va.batchStride + h * va.headStride, lda: va.rowStride,
                       b: pb + vb.offset + bi * vb.batchStride + h * vb.headStride, ldb: vb.rowStride,
                       beta: 0, c: c, ldc: vc.rowStride)
            }
        }
    }
    if dtype == .float32 { run(Float.self) } else { run(Double.self) }
    withExtendedLifetime((a, b)) {}
    guard a.isRecorded || b.isRecorded else { return out }
    let (sa, sb) = (a.shape, b.shape)
    let product = HeadProduct(a: va, b: vb, out: vc, transposeA: transposeA, transposeB: transposeB, alpha: alpha, batch: batch, heads: heads)
    return out.recorded(a, b, trace: .headMatmul(product)) { g, needed in
        func mm(_ x: Tensor, _ vx: HeadView, _ y: Tensor, _ vy: HeadView, _ tx: Bool, _ ty: Bool, _ shape: [Int], _ view: HeadView) -> Tensor {
            headMatmul(x, vx, y, vy, transposeA: tx, transposeB: ty, alpha: alpha, batch: batch, heads: heads, outShape: shape, outView: view)
        }
        var da: Tensor?, db: Tensor?
        switch (transposeA, transposeB) {
        case (false, false):
            if needed[0] { da = mm(g, vc, b, vb, false, true, sa, va) }
            if needed[1] { db = mm(a, va, g, vc, true, false, sb, vb) }
        case (true, false):
            if needed[0] { da = mm(b, vb, g, vc, false, true, sa, va) }
            if needed[1] { db = mm(a, va, g, vc, false, false, sb, vb) }
        case (false, true):
            if needed[0] { da = mm(g, vc, b, vb, false, false, sa, va) }
            if needed[1] { db = mm(g, vc, a, va, true, false, sb, vb) }
        case (true, true):
            if needed[0] { da = mm(b, vb, g, vc, true, true, sa, va) }
            if needed[1] { db = mm(g, vc, a, va, true, true, sb, vb) }
        }
        return (da, db)
    }
}
