// Lowering of the products: 2-D matmul and linear as one gemm each, batched matmul (rank ≥ 3, batch
// dimensions broadcast) as one gemm per batch item at offsets computed once at compile time.

extension JitGraph {
    /// The runs of adjacent axes in `axes` (sorted, without duplicates), or nil for an empty or invalid list.
    static func adjacentRuns(_ axes: [Int]) -> [[Int]]? {
        let sorted = Array(Set(axes)).sorted()
        guard let first = sorted.first, first >= 0 else { return nil }
        var runs: [[Int]] = [[first]]
        for a in sorted.dropFirst() {
            if a == runs[runs.count - 1].last.map({ $0 + 1 }) { runs[runs.count - 1].append(a) } else { runs.append([a]) }
        }
        return runs
    }

    /// Appends the code of a product (`matmul`, `linear`).
    func emitProduct(_ instruction: JitInstruction, into program: inout JitProgram, shapes: [[Int]], inputs: [Int], out: Int) {
        switch instruction.op {
        case .matmul(let ta, let tb):
            let (a, b) = (shapes[0], shapes[1])
            let ra = a.count, rb = b.count
            let m = ta ? a[ra - 1] : a[ra - 2], k = ta ? a[ra - 2] : a[ra - 1], n = tb ? b[rb - 2] : b[rb - 1]
            var code = JitCode(kind: .matmul, out: out, a: inputs[0], b: inputs[1], m: m, n: n, k: k, flags: (ta ? 1 : 0) | (tb ? 2 : 0))
            if ra > 2 || rb > 2 {
                // One gemm per item of the broadcast batch: (offset in a, offset in b) pairs in the integers.
                let batchA = Array(a.dropLast(2)), batchB = Array(b.dropLast(2))
                let batch = Array(self.shapes[instruction.output].dropLast(2))
                let offsetsA = Self.batchOffsets(batchA, in: batch, matrix: m * k), offsetsB = Self.batchOffsets(batchB, in: batch, matrix: k * n)
                code.kind = .batchedMatmul
                code.count = offsetsA.count
                code.first = program.integers.count
                for (oa, ob) in zip(offsetsA, offsetsB) { program.integers.append(oa); program.integers.append(ob) }
            }
            program.code.append(code)
        case .linear(let relu):
            let (x, w) = (shapes[0], shapes[1])
            program.code.append(JitCode(kind: .linear, out: out, a: inputs[0], b: inputs[1], c: inputs.count > 2 ? inputs[2] : -1,
                                        m: x[0], n: w[0], k: x[1], flags: relu ? 1 : 0))
        case .headMatmul(let p):
            let (m, k) = p.transposeA ? (p.a.cols, p.a.rows) : (p.a.rows, p.a.cols)
            let n = p.transposeB ? p.b.rows : p.b.cols
            let covered = p.batch * p.heads * m * n == self.count(instruction.output)
            var code = JitCode(kind: .headMatmul, out: out, a: inputs[0], b: inputs[1], m: m, n: n, k: k,
                               flags: (p.transposeA ? 1 : 0) | (p.transposeB ? 2 : 0) | (covered ? 0 : 4), scalar: p.alpha)
            code.count = self.count(instruction.output)
            code.first = program.integers.count
            for v in [p.a, p.b, p.out] { program.integers += [v.offset, v.batchStride, v.headStride, v.rowStride, v.rows, v.cols] }
            program.integers += [p.batch, p.heads]
            program.code.append(code)
        default:
            break
        }
    }

    /// For each index of `batch` (row-major), the element offset of that item's matrix in an operand whose
    /// batch dimensions are `operand` (right-aligned, broadcast where 1 or missing).
    static func batchOffsets(_ operand: [Int], in batch: [Int], matrix: Int) -> [Int] {
        let pad = batch.count - operand.count
        var strides = [Int](repeating: 0, count: batch.count)
        var step = matrix
        for d in stride(from: batch.count - 1, through: 0, by: -1) {
            let size = d - pad >= 0 ? operand[d - pad] : 1
            strides[d] = size == 1 ? 0 : step
            step *= size
        }
        let count = batch.reduce(1, *)
        var offsets = [Int](repeating: 0, count: count)
        var index = [Int](repeating: 0, count: batch.count)
        var offset = 0
        for i in 0..<count {
            offsets[i] = offset
            var d = batch.count - 1
            while d >= 0 {
                index[d] += 1
                offset += strides[d]
                if index[d] < batch[d] { break }
                offset -= strides[d] * index[d]
                index[d] = 0
                d -= 1
            }
        }
        return offsets
    }
}
