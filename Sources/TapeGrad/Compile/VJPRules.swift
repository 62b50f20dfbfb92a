// Trace-level derivative rules: for each forward instruction, the instructions computing its inputs'
// gradients from its output's. They mirror the eager pullbacks (Ops/*.swift) operation for operation, in
// the same order, so that a replay without fusion reorders no floating-point arithmetic.

extension JitGraph {
    /// Appends the backward pass: the gradient of Σₖ Σ(outputₖ ⊙ seedₖ) with respect to each of `wrt` (values
    /// of the graph); a nil seed is ones of its output's shape. Appends the gradients to ``outputs`` (zeros
    /// for one the seeded outputs do not reach) and returns, for each of `wrt`, whether they reach it.
    @discardableResult
    mutating func appendBackward(wrt: [Int], seeds: [(value: Int, seed: Int?)]) throws -> [Bool] {
        let forwardCount = instructions.count
        // Which values depend on a differentiated input.
        var needs = [Bool](repeating: false, count: shapes.count)
        for v in wrt { needs[v] = true }
        for instruction in instructions where instruction.op != .stopGradient {
            if instruction.inputs.contains(where: { needs[$0] }) { needs[instruction.output] = true }
        }
        var adjoint: [Int: Int] = [:]
        func accumulate(_ value: Int, _ gradient: Int) {
            guard needs[value] else { return }
            if let existing = adjoint[value] {
                adjoint[value] = emit(.add, [existing, gradient], shape: shapes[value])
            } else {
                adjoint[value] = gradient
            }
        }
        for (value, seed) in seeds where needs[value] {
            accumulate(value, seed ?? emit(.fill(1), [], shape: shapes[value]))
        }
        for index in stride(from: forwardCount - 1, through: 0, by: -1) {
            let instruction = instructions[index]
            guard let g = adjoint[instruction.output] else { continue }
            for (value, gradient) in try pullback(instruction, g) { accumulate(value, gradient) }
        }
        for v in wrt {
            outputs.append(adjoint[v] ?? emit(.fill(0), [], shape: shapes[v]))
        }
        return wrt.map { adjoint[$0] != nil }
    }

    /// Emits the gradients of one instruction's inputs from `g`, the gradient of its output.
    private mutating func pullback(_ instruction: JitInstruction, _ g: Int) throws -> [(Int, Int)] {
        let x = instruction.inputs, y = instruction.output
        var partials: [(Int, Int)] = []
        func accumulate(_ value: Int, _ gradient: Int) { partials.append((value, gradient)) }
        func shape(_ v: Int) -> [Int] { shapes[v] }
        switch instruction.op {
        case .input, .constant, .fill, .stopGradient:
            break
        case .add:
            accumulate(x[0], unbroadcast(g, to: shape(x[0])))
            accumulate(x[1], unbroadcast(g, to: shape(x[1])))
        case .sub:
            accumulate(x[0], unbroadcast(g, to: shape(x[0])))
            accumulate(x[1], unbroadcast(emit(.neg, [g], shape: shape(g)), to: shape(x[1])))
        case .mul:
            accumulate(x[0], unbroadcast(emit(.mul, [g, x[1]], shape: shape(g)), to: shape(x[0])))
            accumulate(x[1], unbroadcast(emit(.mul, [g, x[0]], shape: shape(g)), to: shape(x[1])))
        case .div:
            // ∂/∂a = G / b, ∂/∂b = −G ⊙ a / b² (as the eager pullback: ((−G)·a) / (b·b)).
            accumulate(x[0], unbroadcast(emit(.div, [g, x[1]], shape: shape(g)), to: shape(x[0])))
            let numerator = emit(.mul, [emit(.neg, [g], shape: shape(g)), x[0]], shape: shape(g))
            let b2 = emit(.mul, [x[1], x[1]], shape: shape(x[1]))
            accumulate(x[1], unbroadcast(emit(.div, [numerator, b2], shape: shape(g)), to: shape(x[1])))
        case .addScalar:
            accumulate(x[0], g)
        case .mulScalar(let c):
            accumulate(x[0], emit(.mulScalar(c), [g], shape: shape(g)))
        case .divScalar(let c):
            accumulate(x[0], emit(.divScalar(c), [g], shape: shape(g)))
        case .scalarSub:
            accumulate(x[0], emit(.mulScalar(-1), [g], shape: shape(g)))
        case .scalarDiv:
            // ∂/∂x = (−G ⊙ y) / x with y = c / x.
            let t = emit(.mul, [emit(.neg, [g], shape: shape(g)), y], shape: shape(g))
            accumulate(x[0], emit(.div, [t, x[0]], shape: shape(g)))
        case .neg:
            accumulate(x[0], emit(.neg, [g], shape: shape(g)))
        case .exp:
            accumulate(x[0], emit(.mul, [g, y], shape: shape(g)))
        case .log:
            accumulate(x[0], emit(.div, [g, x[0]], shape: shape(g)))
        case .sqrt:
            accumulate(x[0], emit(.div, [emit(.mulScalar(0.5), [g], shape: shape(g)), y], shape: shape(g)))
        case .tanh:
            accumulate(x[0], emit(.tanhBackward, [g, y], shape: shape(g)))
        case .sigmoid:
            accumulate(x[0], emit(.sigmoidBackward, [g, y], shape: shape(g)))
        case .relu:
            accumulate(x[0], emit(.reluBackward, [g, x[0]], shape: shape(g)))
        case .rsqrt:
            // G · −½ · y · y · y, in the eager order.
            var t = emit(.mulScalar(-0.5), [g], shape: shape(g))
            for _ in 0..<3 { t = emit(.mul, [t, y], shape: shape(g)) }
            accumulate(x[0], t)
        case .softmax(let axis):
            // y ⊙ (G − Σₐ(G ⊙ y)).
            var kept = shape(y)
            kept[axis] = 1
            let s = emit(.sum(axes: [axis]), [emit(.mul, [g, y], shape: shape(g))], shape: kept)
            accumulate(x[0], emit(.mul, [y, emit(.sub, [g, s], shape: shape(g))], shape: shape(g)))
        case .logSoftmax(let axis):
            // G − e^y ⊙ Σₐ G.
            var kept = shape(y)
            kept[axis] = 1
            let s = emit(.sum(axes: [axis]), [g], shape: kept)
            accumulate(x[0], emit(.sub, [g, emit(.mul, [emit(.exp, [y], shape: shape(g)), s], shape: shape(g))], shape: shape(g)))
        case .square:
            accumulate(x[0], emit(.mul, [emit(.mulScalar(2), [g], shape: shape(g)), x[0]], shape: shape(g)))
        case .slice(let axis, let start):
            accumulate(x[0], emit(.pad(axis: axis, before: start), [g], shape: shape(x[0])))
        case .pad(let axis, let before):
            accumulate(x[0], emit(.slice(axis: axis, start: before), [g], shape: shape(x[0])))
        case .headMatmul(let p):
            // As the eager pullback: the same product with other flags and views, into each operand's layout.
            func mm(_ l: Int, _ vl: HeadView, _ r: Int, _ vr: HeadView, _ tl: Bool, _ tr: Bool, _ into: Int, _ view: HeadView) -> Int {
                emit(.headMatmul(HeadProduct(a: vl, b: vr, out: view, transposeA: tl, transposeB: tr, alpha: p.alpha, batch: p.batch, heads: p.heads)),
                     [l, r], shape: shape(into))
            }
            let (a, b) = (x[0], x[1])
            switch (p.transposeA, p.transposeB) {
            case (false, false):
                accumulate(a, mm(g, p.out, b, p.b, false, true, a, p.a)); accumulate(b, mm(a, p.a, g, p.out, true, false, b, p.b))
            case (true, false):
                accumulate(a, mm(b, p.b, g, p.out, false, true, a, p.a)); accumulate(b, mm(a, p.a, g, p.out, false, false, b, p.b))
            case (false, true):
                accumulate(a, mm(g, p.out, b, p.b, false, false, a, p.a)); accumulate(b, mm(g, p.out, a, p.a, true, false, b, p.b))
            case (true, true):
                accumulate(a, mm(b, p.b, g, p.out, true, true, a, p.a)); accumulate(b, mm(g, p.out, a, p.a, true, true, b, p.b))
            }
        case .gather(let axis):
            accumulate(x[0], emit(.gatherBackward(axis: axis), [g, x[1]], shape: shape(x[0])))
        case .tanhBackward, .sigmoidBackward, .reluBackward, .softmaxCrossEntropyBackward, .gatherBackward:
            throw TraceRejection(reason: "a second derivative")
        case .matmul(let ta, let tb):
            // As the eager pullback: flagged products of the broadcast batch, summed back to each operand's batch.
            let (a, b) = (x[0], x[1])
            let batch = Array(shape(y).dropLast(2))
            let sa = batch + shape(a).suffix(2), sb = batch + shape(b).suffix(2)
            func product(_ l: Int, _ r: Int, _ tl: Bool, _ tr: Bool, _ s: [Int]) -> Int {
                emit(.matmul(transposeA: tl, transposeB: tr), [l, r], shape: s)
            }
            let da: Int, db: Int
            switch (ta, tb) {
            case (false, false): da = product(g, b, false, true, sa); db = product(a, g, true, false, sb)
            case (false, true): da = product(g, b, false, false, sa); db = product(g, a, true, false, sb)
            case (true, false): da = product(b, g, false, true, sa); db = product(a, g, false, false, sb)
            case (true, true): da = product(b, g, true, true, sa); db = product(g, a, true, true, sb)
            }
            accumulate(a, unbroadcast(da, to: shape(a)))
            accumulate(b, unbroadcast(db, to: shape(b)))
        case .linear(let relu):
            let gPre = relu ? emit(.reluBackward, [g, y], shape: shape(g)) : g
            accumulate(x[0], emit(.matmul(transposeA: false, transposeB: false), [gPre, x[1]], shape: shape(x[0])))
            accumulate(x[1], emit(.matmul(transposeA: true, transposeB: false), [gPre, x[0]], shape: shape(x[1])))
            if x.count > 2 { accumulate(x[2], emit(.sum(axes: [0]), [gPre], shape: shape(x[2]))) }
        case .sum(let axes):
            var kept = shape(x[0])
            for a in axes { kept[a] = 1 }
            let reshaped = shape(g) == kept ? g : emit(.reshape, [g], shape: kept)
            accumulate(x[0], kept == shape(x[0]) ? reshaped : emit(.broadcast, [reshaped], shape: shape(x[0])))
        case .reshape:
            accumulate(x[0], emit(.reshape, [g], shape: shape(x[0])))
        case .broadcast:
            accumulate(x[0], unbroadcast(g, to: shape(x[0])))
        case .softmaxCrossEntropy:
            accumulate(x[0], emit(.softmaxCrossEntropyBackward, [x[0], x[1], g], shape: shape(x[0])))
        }
        return partials
    }
}
