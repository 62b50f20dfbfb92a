// How an op records its output on the tapes of its inputs: the fast path for one tape, and the general path
// that records on every recording tape of a nested computation.

extension Tensor {
    /// Records `self` as the output of a one-input op. `pullback` maps ∂L/∂output to ∂L/∂input.
    /// Call it only when the input is recorded (`isRecorded`), so constants cost nothing.
    /// `trace` describes the op for a `jit` trace (nil: the op has no trace rule); it is evaluated only on a tracing tape.
    /// `consuming`: the caller's last use of its output is moved into the result, without retains.
    consuming func recorded(_ input: Tensor, op: StaticString = #function, trace: @autoclosure () -> TracedOp? = nil,
                            pullback: @escaping (Tensor) -> Tensor) -> Tensor {
        if let t = input.tracking, !t.hasOuter {
            let node = Tape.Node(first: t.id, second: -1, backward: .unary(pullback), dtype: dtype)
            guard let id = t.tape.append(node, op: op) else { return self }
            var out = self
            out.tracking = Tracking(tape: t.tape, id: id, outer: nil)
            if let tracer = t.tape.tracer { tracer.note(trace(), op: op, inputs: [input], ids: [t.id], output: out, id: id) }
            if t.tape.detectsAnomalies { AnomalyDetection.checkForward(out, op: op, inputs: [input]) }
            return out
        }
        return recordedOnEveryTape(inputs: [input], op: op, trace: trace()) { ids in
            Tape.Node(first: ids[0], second: -1, backward: .unary(pullback), dtype: dtype)
        }
    }

    /// Records `self` as the output of a one-input op whose pullback is a kernel rather than differentiable ops.
    /// Differentiating that pullback again (an enclosing computation records its upstream gradient or its
    /// input) reports a ``TensorError`` naming `op`, thrown from the gradient function, instead of a silent zero.
    /// Every op of the library has a differentiable pullback today; this is the way to add one that does not.
    func recordedFirstOrderOnly(_ input: Tensor, op: String, pullback: @escaping (Tensor) -> Tensor) -> Tensor {
        recorded(input) { g in
            if g.isRecordedOnActiveTape || input.isRecordedOnActiveTape {
                reportError(TensorError(op: op, message: "has no second derivative: its pullback is not made of differentiable "
                    + "operations, so differentiating it again would give zeros"))
            }
            return pullback(g.detached)
        }
    }

    /// Records `self` as the output of a one-input op whose pullback is stored as data (`.scale`, `.identity`).
    consuming func recorded(_ input: Tensor, backward: consuming Tape.Backward, op: StaticString = #function,
                            trace: @autoclosure () -> TracedOp? = nil) -> Tensor {
        if let t = input.tracking, !t.hasOuter {
            let node = Tape.Node(first: t.id, second: -1, backward: backward, dtype: dtype)
            guard let id = t.tape.append(node, op: op) else { return self }
            var out = self
            out.tracking = Tracking(tape: t.tape, id: id, outer: nil)
            if let tracer = t.tape.tracer { tracer.note(trace(), op: op, inputs: [input], ids: [t.id], output: out, id: id) }
            if t.tape.detectsAnomalies { AnomalyDetection.checkForward(out, op: op, inputs: [input]) }
            return out
        }
        let kept = backward   // the closure below captures a copy; the fast path above moves the argument
        return recordedOnEveryTape(inputs: [input], op: op, trace: trace()) { ids in
            Tape.Node(first: ids[0], second: -1, backward: kept, dtype: dtype)
        }
    }

    /// Records `self` as the output of a two-input op. `pullback` returns (∂L/∂a, ∂L/∂b), nil where
    /// the mask says the gradient is not needed.
    consuming func recorded(_ a: Tensor, _ b: Tensor, op: StaticString = #function, trace: @autoclosure () -> TracedOp? = nil,
                            pullback: @escaping (Tensor, InputMask) -> (Tensor?, Tensor?)) -> Tensor {
        let ta = a.tracking, tb = b.tracking
        if ta?.hasOuter != true, tb?.hasOuter != true, let tape = ta?.tape ?? tb?.tape, tb == nil || tb?.tape === tape, ta == nil || ta?.tape === tape {
            let node = Tape.Node(first: ta?.id ?? -1, second: tb?.id ?? -1, backward: .binary(pullback), dtype: dtype)
            guard let id = tape.append(node, op: op) else { return self }
            var out = self
            out.tracking = Tracking(tape: tape, id: id, outer: nil)
            if let tracer = tape.tracer { tracer.note(trace(), op: op, inputs: [a, b], ids: [ta?.id ?? -1, tb?.id ?? -1], output: out, id: id) }
            if tape.detectsAnomalies { AnomalyDetection.checkForward(out, op: op, inputs: [a, b]) }
            return out
        }
        return recordedOnEveryTape(inputs: [a, b], op: op, trace: trace()) { ids in
            Tape.Node(first: ids[0], second: ids[1], backward: .binary(pullback), dtype: dtype)
        }
    }

    /// Records `self` as the output of an op on any number of `inputs`; `pullback` returns one entry per input.
    func recorded(inputs: [Tensor], op: StaticString = #function, trace: @autoclosure () -> TracedOp? = nil,
                  pullback: @escaping Pullback) -> Tensor {
        recordedOnEveryTape(inputs: inputs, op: op, trace: trace()) { ids in
            Tape.Node(first: -1, second: -1, backward: .general(pullback, inputs: ids), dtype: dtype)
        }
    }

    /// Records on each recording tape that tracks an input, innermost first in the output's chain.
    private func recordedOnEveryTape(inputs: [Tensor], op: StaticString, trace: @autoclosure () -> TracedOp?,
                                     node: ([Int]) -> Tape.Node) -> Tensor {
        var tapes: [Tape] = []
        for input in inputs {
            var link = input.tracking
            while let l = link {
                if l.tape.isRecording && !tapes.contains(where: { $0 === l.tape }) { tapes.append(l.tape) }
                link = l.outer
            }
        }
        guard !tapes.isEmpty else { return self }
        tapes.sort { $0.level < $1.level }
        var chain: Tracking?
        for tape in tapes {
            let ids = inputs.map { $0.tracking?.id(on: tape) ?? -1 }
            guard let id = tape.append(node(ids), op: op) else { continue }
            chain = Tracking(tape: tape, id: id, outer: chain)
            if let tracer = tape.tracer {
                var traced = self
                traced.tracking = chain
                tracer.note(trace(), op: op, inputs: inputs, ids: ids, output: traced, id: id)
            }
        }
        guard chain != nil else { return self }
        var out = self
        out.tracking = chain
        if tapes.contains(where: \.detectsAnomalies) { AnomalyDetection.checkForward(out, op: op, inputs: inputs) }
        return out
    }
}
