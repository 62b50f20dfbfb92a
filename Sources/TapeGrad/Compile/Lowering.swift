// From a graph to a program: dead code removed, reshapes turned into aliases, runs of elementwise
// instructions of one size fused into one loop (intermediates in block-sized scratch slots, never in
// memory), and every other value given a place in one arena by liveness (a buffer is reused as soon as its
// last reader has run). Program outputs are written straight into the tensors a call returns.

extension JitGraph {
    /// Lowers the graph. Throws ``TraceRejection`` for a shape the interpreter does not cover.
    func lowered() throws -> JitProgram {
        var g = self
        var program = JitProgram(dtype: dtype)
        for v in 0..<g.shapes.count where g.shapes[v].contains(0) {
            throw TraceRejection(reason: "an empty tensor of shape \(g.shapes[v])")
        }

        // Operands of elementwise instructions that neither match the output's size nor have one element are
        // broadcast into a buffer first.
        var ordered: [JitInstruction] = []
        for var instruction in g.instructions {
            if instruction.op.isElementwise {
                let n = g.count(instruction.output)
                for (k, v) in instruction.inputs.enumerated() where g.count(v) != n && g.count(v) != 1 {
                    let id = g.shapes.count
                    g.shapes.append(g.shapes[instruction.output])
                    g.dtypes.append(dtype)
                    ordered.append(JitInstruction(op: .broadcast, inputs: [v], output: id))
                    instruction.inputs[k] = id
                }
            }
            if case .sum(let axes) = instruction.op, let runs = Self.adjacentRuns(axes), runs.count > 1 {
                // Σ over non-adjacent axes: one sum per run of adjacent axes (last run first, dimensions kept), then
                // the output's shape.
                var value = instruction.inputs[0]
                var kept = g.shapes[value]
                for run in runs.reversed() {
                    for a in run { kept[a] = 1 }
                    let id = g.shapes.count
                    g.shapes.append(kept)
                    g.dtypes.append(dtype)
                    ordered.append(JitInstruction(op: .sum(axes: run), inputs: [value], output: id))
                    value = id
                }
                ordered.append(JitInstruction(op: .reshape, inputs: [value], output: instruction.output))
                continue
            }
            ordered.append(instruction)
        }

        // Live instructions, backwards from the outputs.
        let valueCount = g.shapes.count
        var live = [Bool](repeating: false, count: valueCount)
        for o in g.outputs { live[o] = true }
        for instruction in ordered.reversed() where live[instruction.output] {
            for v in instruction.inputs { live[v] = true }
        }
        ordered = ordered.filter { live[$0.output] }

        // Aliases share their root's memory.
        var root = Array(0..<valueCount)
        for instruction in ordered where instruction.op.isAlias { root[instruction.output] = root[instruction.inputs[0]] }

        // Units: one fused group or one instruction each.
        var units: [[JitInstruction]] = []
        var leaves: [JitInstruction] = []
        for instruction in ordered {
            switch instruction.op {
            case .input, .constant: leaves.append(instruction); continue
            case .reshape, .stopGradient: continue
            default: break
            }
            if instruction.op.isElementwise, let last = units.last?.last, last.op.isElementwise,
               g.count(last.output) == g.count(instruction.output) {
                units[units.count - 1].append(instruction)
            } else {
                units.append([instruction])
            }
        }
        var unitOf = [Int](repeating: -1, count: valueCount)
        for (u, unit) in units.enumerated() { for instruction in unit { unitOf[instruction.output] = u } }

        // What must be in memory, and until when.
        let forever = Int.max
        var materialised = [Bool](repeating: false, count: valueCount)
        var lastUse = [Int](repeating: -1, count: valueCount)
        for (u, unit) in units.enumerated() {
            for instruction in unit {
                for v in instruction.inputs {
                    let r = root[v]
                    if unitOf[r] != u || !instruction.op.isElementwise || !unit[0].op.isElementwise || g.count(r) != g.count(instruction.output) {
                        materialised[r] = true
                    }
                    lastUse[r] = Swift.max(lastUse[r], u)
                }
            }
        }

        // Locations: inputs and constants first.
        var location = [Int](repeating: -1, count: valueCount)
        for leaf in leaves {
            switch leaf.op {
            case .input(let k): location[leaf.output] = program.locations.count; program.locations.append(.input(k))
            case .constant(let k):
                location[leaf.output] = program.locations.count
                program.locations.append(.constant(k))
            default: break
            }
        }
        program.constants = g.constants.map { $0.dtype == dtype ? $0 : $0.converted(to: dtype) }
        // Every input, live or not (a call is checked against all of them).
        let inputValues = g.instructions.filter { if case .input = $0.op { return true } else { return false } }
        program.inputShapes = (0..<g.inputCount).map { k in inputValues.first { $0.op == .input(k) }.map { g.shapes[$0.output] } ?? [] }
        program.inputDTypes = (0..<g.inputCount).map { k in inputValues.first { $0.op == .input(k) }.map { g.dtypes[$0.output] } ?? dtype }

        // Outputs computed by an instruction are written in place (once); others are copied at the end.
        var outputSlot = [Int: Int]()
        for (k, o) in g.outputs.enumerated() {
            let r = root[o]
            if r == o, unitOf[r] >= 0, outputSlot[r] == nil {
                outputSlot[r] = k
                materialised[r] = true
                location[r] = program.locations.count
                program.locations.append(.output(k))
            } else {
                if unitOf[r] >= 0 { materialised[r] = true }
                lastUse[r] = forever
            }
        }

        // Arena blocks by liveness: best fit among the freed blocks, else the end of the arena.
        var free: [(offset: Int, size: Int)] = []
        var end = 0
        func allocate(_ size: Int) -> Int {
            var best = -1
            for (i, block) in free.enumerated() where block.size >= size && (best < 0 || block.size < free[best].size) { best = i }
            if best >= 0 { return free.remove(at: best).offset }
            // Keep every block 64-byte aligned.
            let offset = end
            end += (size + 15) / 16 * 16
            return offset
        }
        var releaseAfter = [[Int]](repeating: [], count: units.count)
        var offsets = [Int](repeating: -1, count: valueCount)
        for (u, unit) in units.enumerated() {
            for instruction in unit where materialised[instruction.output] && location[instruction.output] < 0 {
                let v = instruction.output
                offsets[v] = allocate(g.count(v))
                location[v] = program.locations.count
                program.locations.append(.arena(offset: offsets[v]))
                if lastUse[v] != forever { releaseAfter[Swift.max(lastUse[v], u)].append(v) }
            }
            for v in releaseAfter[u] { free.append((offsets[v], (g.count(v) + 15) / 16 * 16)) }
        }

        // Code.
        var maxSlots = 0
        for unit in units {
            if unit[0].op.isElementwise {
                maxSlots = Swift.max(maxSlots, fuse(unit, into: &program, graph: g, root: root, location: location, materialised: materialised))
            } else {
                try emitCode(unit[0], into: &program, graph: g, root: root, location: location)
            }
        }
        program.scratchOffset = end
        program.scratchSlots = maxSlots
        program.arenaCount = end + maxSlots * JitProgram.block
        program.outputs = g.outputs.enumerated().map { k, o in
            let r = root[o]
            return JitOutput(shape: g.shapes[o], location: location[r], isDirect: r == o && outputSlot[r] == k)
        }
        return program
    }

    /// One step before slots are assigned: an elementwise instruction, or two or three merged into one.
    private struct Macro {
        var op: JitStep.Op
        var inputs: [Int]
        var output: Int
        var scalar = 0.0, scalar2 = 0.0
    }

    /// The step of one elementwise instruction.
    private func macro(_ instruction: JitInstruction) -> Macro {
        var m = Macro(op: .add, inputs: instruction.inputs, output: instruction.output)
        switch instruction.op {
        case .add: m.op = .add
        case .sub: m.op = .sub
        case .mul: m.op = .mul
        case .div: m.op = .div
        case .addScalar(let c): m.op = .addScalar; m.scalar = c
        case .mulScalar(let c): m.op = .mulScalar; m.scalar = c
        case .divScalar(let c): m.op = .divScalar; m.scalar = c
        case .scalarSub(let c): m.op = .scalarSub; m.scalar = c
        case .scalarDiv(let c): m.op = .scalarDiv; m.scalar = c
        case .neg: m.op = .neg
        case .exp: m.op = .exp
        case .log: m.op = .log
        case .tanh: m.op = .tanh
        case .sigmoid: m.op = .sigmoid
        case .relu: m.op = .relu
        case .square: m.op = .square
        case .sqrt: m.op = .sqrt
        case .rsqrt: m.op = .rsqrt
        case .tanhBackward: m.op = .tanhBackward
        case .sigmoidBackward: m.op = .sigmoidBackward
        case .reluBackward: m.op = .reluBackward
        default: break   // only elementwise instructions reach here
        }
        return m
    }

    /// `first` and `next` as one step when `next` reads `first`'s result and nothing else does: x·c + d,
    /// tanh(x·c + d), and tanh's backward times a scalar. The merged step rounds each operation as the two did.
    private func merged(_ first: Macro, _ next: Macro, uses: [Int: Int], root: [Int], materialised: [Bool]) -> Macro? {
        guard next.inputs.first.map({ root[$0] }) == first.output, uses[first.output] == 1, !materialised[first.output],
              root[first.output] == first.output else { return nil }
        switch (first.op, next.op) {
        case (.mulScalar, .addScalar):
            return Macro(op: .affine, inputs: first.inputs, output: next.output, scalar: first.scalar, scalar2: next.scalar)
        case (.affine, .tanh):
            return Macro(op: .tanhAffine, inputs: first.inputs, output: next.output, scalar: first.scalar, scalar2: first.scalar2)
        case (.tanhBackward, .mulScalar):
            return Macro(op: .tanhBackwardScaled, inputs: first.inputs, output: next.output, scalar: next.scalar)
        default:
            return nil
        }
    }

    /// Appends one fused loop for `unit`; returns the number of scratch slots it uses.
    private func fuse(_ unit: [JitInstruction], into program: inout JitProgram, graph g: JitGraph, root: [Int],
                      location: [Int], materialised: [Bool]) -> Int {
        let n = g.count(unit[0].output)
        var uses: [Int: Int] = [:]
        for instruction in unit { for v in instruction.inputs { uses[root[v], default: 0] += 1 } }
        var macros: [Macro] = []
        for instruction in unit {
            let m = macro(instruction)
            if let last = macros.last, let both = merged(last, m, uses: uses, root: root, materialised: materialised) {
                macros[macros.count - 1] = both
            } else {
                macros.append(m)
            }
        }
        // The last step of the unit reading each in-loop value, to free its slot.
        var lastStep: [Int: Int] = [:]
        for (s, m) in macros.enumerated() { for v in m.inputs { lastStep[root[v]] = s } }
        var slotOf: [Int: Int] = [:]
        var freeSlots: [Int] = []
        var slotCount = 0
        let first = program.steps.count
        for (s, m) in macros.enumerated() {
            var operands: [JitStep.Operand] = []
            for v in m.inputs {
                let r = root[v]
                if let slot = slotOf[r] {
                    operands.append(.init(kind: .slot, index: slot))
                } else {
                    operands.append(.init(kind: g.count(r) == n ? .full : .broadcastScalar, index: location[r]))
                }
            }
            // Slots whose last reader is this step are free for its result (an elementwise step may write in place).
            for v in Set(m.inputs.map { root[$0] }) where lastStep[v] == s {
                if let slot = slotOf[v] { freeSlots.append(slot) }
            }
            let out = m.output
            let destination: JitStep.Operand
            if materialised[out] {
                destination = .init(kind: .full, index: location[out])
            } else {
                let slot = freeSlots.popLast() ?? { slotCount += 1; return slotCount - 1 }()
                slotOf[out] = slot
                destination = .init(kind: .slot, index: slot)
            }
            var step = JitStep(op: m.op, destination: destination, a: operands.first ?? .init(), scalar: m.scalar, scalar2: m.scalar2)
            if operands.count > 1 { step.b = operands[1] }
            program.steps.append(step)
        }
        program.code.append(JitCode(kind: .fused, count: n, first: first, stepCount: macros.count))
        return slotCount
    }

    /// Appends the code of one non-elementwise instruction.
    private func emitCode(_ instruction: JitInstruction, into program: inout JitProgram, graph g: JitGraph, root: [Int], location: [Int]) throws {
        let out = location[instruction.output]
        let inputs = instruction.inputs.map { location[root[$0]] }
        let shapes = instruction.inputs.map { g.shapes[$0] }
        switch instruction.op {
        case .fill(let c):
            program.code.append(JitCode(kind: .fill, out: out, count: g.count(instruction.output), scalar: c))
        case .matmul, .linear, .headMatmul:
            emitProduct(instruction, into: &program, shapes: shapes, inputs: inputs, out: out)
        case .sum(let axes):
            // Σ over a contiguous run of axes: [outer, reduced, inner]; other sets of axes are reduced one run at a time.
            let shape = shapes[0]
            if axes.isEmpty {
                program.code.append(JitCode(kind: .copy, out: out, a: inputs[0], count: g.count(instruction.output)))
                return
            }
            guard let lo = axes.min(), let hi = axes.max(), hi - lo + 1 == Set(axes).count else {
                throw TraceRejection(reason: "a sum over the non-adjacent axes \(axes)")   // split by lowered()
            }
            let outer = shape[..<lo].reduce(1, *), reduced = shape[lo...hi].reduce(1, *), inner = shape[(hi + 1)...].reduce(1, *)
            program.code.append(JitCode(kind: .sumBlock, out: out, a: inputs[0], m: outer, n: inner, k: reduced))
        case .broadcast:
            let source = shapes[0], target = g.shapes[instruction.output]
            let pad = target.count - source.count
            var strides = [Int](repeating: 0, count: target.count)
            var step = 1
            for d in (0..<target.count).reversed() {
                let s = d - pad >= 0 ? source[d - pad] : 1
                strides[d] = s == 1 ? 0 : step
                step *= s
            }
            let first = program.integers.count
            program.integers.append(target.count)
            for d in 0..<target.count { program.integers.append(target[d]); program.integers.append(strides[d]) }
            program.code.append(JitCode(kind: .broadcast, out: out, a: inputs[0], count: g.count(instruction.output), first: first))
        case .slice(let axis, let start), .pad(let axis, let start):
            let s = shapes[0], o = g.shapes[instruction.output]
            let isPad = instruction.op == .pad(axis: axis, before: start)
            program.code.append(JitCode(kind: .axisCopy, out: out, a: inputs[0], c: isPad ? start : 0, m: s[..<axis].reduce(1, *),
                                        n: s[(axis + 1)...].reduce(1, *), k: s[axis], count: o[axis], first: isPad ? 0 : start,
                                        flags: isPad ? 1 : 0))
        case .gather(let axis):
            let s = shapes[0]
            program.code.append(JitCode(kind: .gather, out: out, a: inputs[0], b: inputs[1], m: s[..<axis].reduce(1, *), n: s[(axis + 1)...].reduce(1, *),
                                        k: s[axis], count: g.count(instruction.inputs[1])))
        case .gatherBackward(let axis):
            let s = g.shapes[instruction.output]
            program.code.append(JitCode(kind: .gatherBackward, out: out, a: inputs[0], b: inputs[1], m: s[..<axis].reduce(1, *), n: s[(axis + 1)...].reduce(1, *),
                                        k: s[axis], count: g.count(instruction.inputs[1])))
        case .softmax(let axis), .logSoftmax(let axis):
            let s = shapes[0]
            program.code.append(JitCode(kind: .softmax, out: out, a: inputs[0], m: s[..<axis].reduce(1, *), n: s[axis], k: s[(axis + 1)...].reduce(1, *),
                                        flags: instruction.op == .logSoftmax(axis: axis) ? 1 : 0))
        case .softmaxCrossEntropy:
            let s = shapes[0]
            program.code.append(JitCode(kind: .softmaxCrossEntropy, out: out, a: inputs[0], b: inputs[1], m: s[0], n: s[1],
                                        flags: shapes[1].count == 1 ? 1 : 0))
        case .softmaxCrossEntropyBackward:
            let s = shapes[0]
            program.code.append(JitCode(kind: .softmaxCrossEntropyBackward, out: out, a: inputs[0], b: inputs[1], c: inputs[2],
                                        m: s[0], n: s[1], flags: shapes[1].count == 1 ? 1 : 0))
        default:
            throw TraceRejection(reason: "no lowering for \(instruction.op)")
        }
    }
}
