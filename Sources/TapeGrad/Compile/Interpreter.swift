// The replay loop: one pass over the flat code array, raw pointers only (no tensor, array or class is
// touched per instruction, so nothing is retained or released).

enum JitInterpreter {
    /// Runs `program` in `arena`, whose input and output pointers the caller has set. Returns the error of
    /// an instruction that rejects its data (a class index out of range), or nil.
    static func run<T: JitFloat>(_ program: JitProgram, in arena: JitArena, as _: T.Type) -> TensorError? {
        let pointers = arena.pointers
        @inline(__always) func at(_ location: Int) -> UnsafeMutablePointer<T> {
            pointers[location].unsafelyUnwrapped.assumingMemoryBound(to: T.self)
        }
        let scratch = arena.memory.assumingMemoryBound(to: T.self) + program.scratchOffset
        let block = JitProgram.block
        var failure: TensorError?
        program.code.withUnsafeBufferPointer { code in
            program.steps.withUnsafeBufferPointer { steps in
                program.integers.withUnsafeBufferPointer { integers in
                    for c in code {
                        switch c.kind {
                        case .fused:
                            var start = 0
                            while start < c.count {
                                let length = Swift.min(block, c.count - start)
                                for s in c.first..<(c.first + c.stepCount) {
                                    let step = steps[s]
                                    @inline(__always) func operand(_ o: JitStep.Operand) -> (UnsafeMutablePointer<T>, Int) {
                                        switch o.kind {
                                        case .full: return (at(o.index) + start, 1)
                                        case .broadcastScalar: return (at(o.index), 0)
                                        case .slot: return (scratch + o.index * block, 1)
                                        case .none: return (scratch, 0)
                                        }
                                    }
                                    let (a, sa) = operand(step.a), (b, sb) = operand(step.b), (out, _) = operand(step.destination)
                                    JitElementwise.apply(step.op, a, sa, b, sb, T(step.scalar), T(step.scalar2), out, length)
                                }
                                start += length
                            }
                        case .fill:
                            at(c.out).update(repeating: T(c.scalar), count: c.count)
                        case .copy:
                            at(c.out).update(from: at(c.a), count: c.count)
                        case .matmul:
                            let ta = c.flags & 1 != 0, tb = c.flags & 2 != 0
                            T.gemm(transA: ta, transB: tb, m: c.m, n: c.n, k: c.k, alpha: 1, a: at(c.a), lda: ta ? c.m : c.k,
                                   b: at(c.b), ldb: tb ? c.k : c.n, beta: 0, c: at(c.out), ldc: c.n)
                        case .batchedMatmul:
                            let ta = c.flags & 1 != 0, tb = c.flags & 2 != 0
                            let a = at(c.a), b = at(c.b), out = at(c.out), offsets = integers.baseAddress.unsafelyUnwrapped + c.first
                            for i in 0..<c.count {
                                T.gemm(transA: ta, transB: tb, m: c.m, n: c.n, k: c.k, alpha: 1, a: a + offsets[2 * i], lda: ta ? c.m : c.k,
                                       b: b + offsets[2 * i + 1], ldb: tb ? c.k : c.n, beta: 0, c: out + i * c.m * c.n, ldc: c.n)
                            }
                        case .linear:
                            let out = at(c.out)
                            var beta: T = 0
                            if c.c >= 0 {
                                let bias = at(c.c)
                                for row in 0..<c.m { (out + row * c.n).update(from: bias, count: c.n) }
                                beta = 1
                            }
                            T.gemm(transA: false, transB: true, m: c.m, n: c.n, k: c.k, alpha: 1, a: at(c.a), lda: c.k,
                                   b: at(c.b), ldb: c.k, beta: beta, c: out, ldc: c.n)
                            if c.flags & 1 != 0 { T.vrelu(out, out, c.m * c.n) }
                        case .sumBlock:
                            sumBlock(at(c.a), at(c.out), outer: c.m, reduced: c.k, inner: c.n)
                        case .broadcast:
                            broadcast(at(c.a), at(c.out), integers.baseAddress.unsafelyUnwrapped + c.first)
                        case .axisCopy:
                            let length = Swift.min(c.k, c.count) * c.n, source = at(c.a), destination = at(c.out)
                            if c.flags & 1 != 0 { destination.update(repeating: 0, count: c.m * c.count * c.n) }
                            for o in 0..<c.m {
                                (destination + (o * c.count + c.c) * c.n).update(from: source + (o * c.k + c.first) * c.n, count: length)
                            }
                        case .headMatmul:
                            headMatmul(c, at(c.a), at(c.b), at(c.out), integers.baseAddress.unsafelyUnwrapped + c.first)
                        case .gather:
                            if let e = gather(at(c.a), at(c.b), at(c.out), outer: c.m, length: c.k, inner: c.n, count: c.count) {
                                failure = failure ?? e
                            }
                        case .gatherBackward:
                            gatherBackward(at(c.a), at(c.b), at(c.out), outer: c.m, length: c.k, inner: c.n, count: c.count)
                        case .softmax:
                            softmax(at(c.a), at(c.out), outer: c.m, size: c.n, inner: c.k, log: c.flags & 1 != 0)
                        case .softmaxCrossEntropy:
                            if let e = softmaxCrossEntropy(at(c.a), at(c.b), at(c.out), rows: c.m, classes: c.n, sparse: c.flags & 1 != 0) {
                                failure = failure ?? e
                            }
                        case .softmaxCrossEntropyBackward:
                            softmaxCrossEntropyBackward(at(c.a), at(c.b), at(c.c), at(c.out), rows: c.m, classes: c.n, sparse: c.flags & 1 != 0)
                        }
                    }
                }
            }
        }
        return failure
    }

    /// out[o, i] = Σᵣ x[o, r, i].
    static func sumBlock<T: JitFloat>(_ x: UnsafeMutablePointer<T>, _ out: UnsafeMutablePointer<T>, outer: Int, reduced: Int, inner: Int) {
        if inner == 1 {
            for o in 0..<outer {
                let row = x + o * reduced
                var s: T = 0
                for r in 0..<reduced { s += row[r] }
                out[o] = s
            }
            return
        }
        for o in 0..<outer {
            let dst = out + o * inner
            dst.update(from: x + o * reduced * inner, count: inner)
            for r in 1..<Swift.max(reduced, 1) {
                let src = x + (o * reduced + r) * inner
                for i in 0..<inner { dst[i] += src[i] }
            }
        }
    }

    /// A strided copy: `plan` is the rank, then for each output dimension its size and the source's stride.
    static func broadcast<T>(_ x: UnsafeMutablePointer<T>, _ out: UnsafeMutablePointer<T>, _ plan: UnsafePointer<Int>) {
        let rank = plan[0]
        guard rank > 0 else { out[0] = x[0]; return }
        let innerSize = plan[1 + 2 * (rank - 1)], innerStride = plan[2 + 2 * (rank - 1)]
        withUnsafeTemporaryAllocation(of: Int.self, capacity: rank) { index in
            index.initialize(repeating: 0)
            var o = 0, source = 0
            while true {
                if innerStride == 0 {
                    (out + o).update(repeating: x[source], count: innerSize)
                } else {
                    for j in 0..<innerSize { out[o + j] = x[source + j * innerStride] }
                }
                o += innerSize
                // Odometer over the outer dimensions.
                var d = rank - 2
                while d >= 0 {
                    index[d] += 1
                    source += plan[2 + 2 * d]
                    if index[d] < plan[1 + 2 * d] { break }
                    source -= plan[2 + 2 * d] * index[d]
                    index[d] = 0
                    d -= 1
                }
                if d < 0 { return }
            }
        }
    }

    /// e^(xᵢⱼ − maxⱼ xᵢⱼ) into `out` for every row, with one call of the vector eˣ over the whole block, and
    /// the rows' shifts and sums in `shift` and `sum`.
    @inline(__always)
    static func shiftedExponentials<T: JitFloat>(_ x: UnsafeMutablePointer<T>, _ out: UnsafeMutablePointer<T>, rows: Int, classes n: Int,
                                                 shift: UnsafeMutablePointer<T>, sum: UnsafeMutablePointer<T>) {
        for i in 0..<rows {
            let row = x + i * n, dst = out + i * n
            var m = row[0]
            for j in 1..<n where row[j] > m { m = row[j] }
            if !m.isFinite { m = 0 }
            shift[i] = m
            for j in 0..<n { dst[j] = row[j] - m }
        }
        T.vexp(out, out, rows * n)
        for i in 0..<rows {
            var s: T = 0
            for j in 0..<n { s += out[i * n + j] }
            sum[i] = s
        }
    }

    /// The label of `row` (a class index, checked) for sparse labels.
    static func classIndex<T: JitFloat>(_ value: T, classes: Int) -> Int? {
        guard value.isFinite, value >= 0, value < T(classes), value.rounded(.towardZero) == value else { return nil }
        return Int(value)
    }

    static func softmaxCrossEntropy<T: JitFloat>(_ logits: UnsafeMutablePointer<T>, _ labels: UnsafeMutablePointer<T>, _ out: UnsafeMutablePointer<T>,
                                                 rows: Int, classes: Int, sparse: Bool) -> TensorError? {
        withUnsafeTemporaryAllocation(of: T.self, capacity: rows * (classes + 2)) { buffer in
            let e = buffer.baseAddress.unsafelyUnwrapped, shift = e + rows * classes, sum = shift + rows
            shiftedExponentials(logits, e, rows: rows, classes: classes, shift: shift, sum: sum)
            for i in 0..<rows {
                let row = logits + i * classes
                let lse = T.log(sum[i]) + shift[i]
                if sparse {
                    guard let label = classIndex(labels[i], classes: classes) else {
                        return TensorError(op: "SoftmaxCrossEntropyWithLogits", message: "labels[\(i)] = \(labels[i]) is not a class index in [0, \(classes))")
                    }
                    out[i] = -(row[label] - lse)
                } else {
                    var s: T = 0
                    let y = labels + i * classes
                    for j in 0..<classes where y[j] != 0 { s += y[j] * (row[j] - lse) }
                    out[i] = -s
                }
            }
            return nil
        }
    }

    static func softmaxCrossEntropyBackward<T: JitFloat>(_ logits: UnsafeMutablePointer<T>, _ labels: UnsafeMutablePointer<T>, _ g: UnsafeMutablePointer<T>,
                                                         _ out: UnsafeMutablePointer<T>, rows: Int, classes: Int, sparse: Bool) {
        withUnsafeTemporaryAllocation(of: T.self, capacity: 2 * rows) { buffer in
            let shift = buffer.baseAddress.unsafelyUnwrapped, sum = shift + rows
            shiftedExponentials(logits, out, rows: rows, classes: classes, shift: shift, sum: sum)
            for i in 0..<rows {
                let dst = out + i * classes
                let scale = 1 / sum[i]
                for j in 0..<classes { dst[j] *= scale }   // softmax
                if sparse {
                    if let label = classIndex(labels[i], classes: classes) { dst[label] -= 1 }
                } else {
                    let y = labels + i * classes
                    for j in 0..<classes { dst[j] -= y[j] }
                }
                let gi = g[i]
                for j in 0..<classes { dst[j] *= gi }
            }
        }
    }
}
