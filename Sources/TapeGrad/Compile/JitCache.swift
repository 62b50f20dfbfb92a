// The engine behind every jitted function: trace on the first call per signature of input shapes and
// dtypes, compile, cache (bounded, least recently used out first), replay; run eagerly what does not compile.

/// What a compiled function returns: the forward output, then the gradients with respect to the
/// differentiated positions, then those with respect to the explicit parameters.
final class JitCore: @unchecked Sendable {
    // Sendable: `forward` and the options are immutable; the cache and the counters are behind `lock`; traces
    // are serialised by `traceLock` (the traced closure runs on one thread at a time while tracing).

    /// What is differentiated, if anything.
    enum Mode {
        /// The forward output only; the trainable parameters the forward reads are inputs of the trace.
        case forward
        /// The output and the gradients with respect to `positions` and the explicit `parameters`.
        case gradients(positions: [Int], parameters: [Parameter])
    }

    private enum Entry {
        case compiled(JitExecutable, parameters: [Parameter])
        case eager(reason: String)
    }

    private struct Slot {
        var shapes: [[Int]]
        var dtypes: [DType]
        var entry: Entry
        var lastUse: Int
    }

    let forward: ([Tensor]) -> TensorTree
    let mode: Mode
    let options: JitOptions
    private let lock = Lock()
    private let traceLock = Lock()
    /// Guarded by `lock`.
    private var slots: [Slot] = []
    private var clock = 0
    private var traces = 0
    private var replays = 0
    private var eagerCalls = 0
    private var lastFallback: String?

    init(forward: @escaping ([Tensor]) -> TensorTree, mode: Mode, options: JitOptions) {
        self.forward = forward
        self.mode = mode
        self.options = options
    }

    var diagnostics: JitDiagnostics {
        lock.withLock {
            JitDiagnostics(traceCount: traces, cachedSignatureCount: slots.count, compiledCallCount: replays, eagerCallCount: eagerCalls,
                           eagerFallbackReason: lastFallback)
        }
    }

    /// The outputs for `inputs`: replayed, traced and compiled first when the signature is new, or computed
    /// eagerly when it does not compile (or when an enclosing computation records the inputs).
    func call(_ inputs: [Tensor]) throws -> [Tensor] {
        // An enclosing gradient computation must record this call: run it eagerly on its tape.
        if GradScope.current != nil || inputs.contains(where: \.isRecordedOnActiveTape) { return try countedEager(inputs) }
        let outputs: [Tensor]
        switch try entry(for: inputs) {
        case .eager:
            return try countedEager(inputs)
        case .compiled(let executable, let parameters):
            var all = inputs
            for p in parameters { all.append(p.storedValue) }
            guard executable.accepts(all) else {
                // A parameter changed shape since the trace: trace again.
                forget(inputs)
                return try call(inputs)
            }
            outputs = try executable.run(all)
            lock.withLock { replays += 1 }
        }
        if options.checked { try compare(outputs, with: try eager(inputs)) }
        return outputs
    }

    private func countedEager(_ inputs: [Tensor]) throws -> [Tensor] {
        lock.withLock { eagerCalls += 1 }
        return try eager(inputs)
    }

    /// The same outputs computed without compilation.
    func eager(_ inputs: [Tensor]) throws -> [Tensor] {
        switch mode {
        case .forward:
            let out = try withErrorChecking { forward(inputs) }
            guard case .tensor(let t) = out else { throw JitError.unsupported("the function returns \(out.shortDescription), not one tensor") }
            return [t]
        case .gradients(let positions, let parameters):
            let r = try GradientEngine.run(inputs: inputs, positions: positions, parameters: parameters.isEmpty ? .none : .explicit(parameters),
                                           hasAux: false, sens: nil, forward: forward)
            guard case .tensor(let t) = r.output else { throw JitError.unsupported("the function returns \(r.output.shortDescription), not one tensor") }
            return [t] + positions.map { r.inputGradients[$0] ?? Tensor.zeros(like: inputs[$0]) } + r.parameterGradients
        }
    }

    private func lookup(_ inputs: [Tensor]) -> Entry? {
        lock.withLock {
            for i in slots.indices where slots[i].shapes.count == inputs.count
                && zip(slots[i].shapes, inputs).allSatisfy({ $0 == $1.shape }) && zip(slots[i].dtypes, inputs).allSatisfy({ $0 == $1.dtype }) {
                clock += 1
                slots[i].lastUse = clock
                return slots[i].entry
            }
            return nil
        }
    }

    private func forget(_ inputs: [Tensor]) {
        lock.withLock { slots.removeAll { $0.shapes == inputs.map(\.shape) && $0.dtypes == inputs.map(\.dtype) } }
    }

    private func entry(for inputs: [Tensor]) throws -> Entry {
        if let e = lookup(inputs) { return e }
        return try traceLock.withLock {
            if let e = lookup(inputs) { return e }   // traced by another thread meanwhile
            let e: Entry
            do {
                let (executable, parameters) = try compile(inputs)
                e = .compiled(executable, parameters: parameters)
            } catch let rejection as TraceRejection {
                if options.strict { throw JitError.unsupported(rejection.reason) }
                e = .eager(reason: rejection.reason)
            }
            lock.withLock {
                traces += 1
                if case .eager(let reason) = e { lastFallback = reason }
                clock += 1
                if slots.count >= options.cacheSize, let oldest = slots.indices.min(by: { slots[$0].lastUse < slots[$1].lastUse }) {
                    slots.remove(at: oldest)
                }
                slots.append(Slot(shapes: inputs.map(\.shape), dtypes: inputs.map(\.dtype), entry: e, lastUse: clock))
            }
            return e
        }
    }

    /// Traces `forward` on `inputs` and compiles the trace. Throws ``TraceRejection`` when it does not compile,
    /// and the forward's own errors (a shape error) as ``GradError/tensor(_:)``, as an eager call would.
    private func compile(_ inputs: [Tensor]) throws -> (JitExecutable, [Parameter]) {
        let tracer = Tracer()
        let tape = Tape(tracer: tracer)
        defer { tape.close() }
        var args = inputs
        var leaves: [(id: Int, value: Tensor)] = []
        for k in inputs.indices {
            let (tracked, id) = tape.leaf(inputs[k])
            args[k] = tracked
            leaves.append((id, inputs[k]))
        }
        // Every trainable parameter the forward reads is an input of the trace (read again on each call), whether
        // or not its gradient is asked for; frozen ones are constants.
        let scope = GradScope(tape: tape, parameters: .usedTrainable, parent: nil)
        let output: TensorTree = try Transaction.run {
            let sink = ErrorSink()
            let out = ErrorChecking.$sink.withValue(sink) { GradScope.$current.withValue(scope) { forward(args) } }
            if let error = sink.firstError { throw GradError.tensor(error) }
            // Rolled back: the eager run that replaces this trace applies the state change itself.
            if Transaction.current?.hasStagedEffects ?? false {
                throw TraceRejection(reason: "the function changes a layer's state (BatchNorm statistics, Dropout draws)")
            }
            return out
        }
        if let reason = tracer.unsupported { throw TraceRejection(reason: reason) }
        guard case .tensor(let out) = output else { throw TraceRejection(reason: "the function returns \(output.shortDescription), not one tensor") }
        guard let outputId = out.tracking?.id(on: tape) else { throw TraceRejection(reason: "the output does not depend on the inputs") }
        let tracked = scope.trackedInOrder
        for t in tracked { leaves.append((t.leaf, t.parameter.storedValue)) }
        var (graph, valueOf) = try JitGraph.forward(of: tracer.nodes, leaves: leaves, output: outputId, dtype: out.dtype)
        if case .gradients(let positions, let parameters) = mode {
            var wrt = positions.compactMap { valueOf[leaves[$0].id] }
            // Explicit parameters in the order given; one the forward does not track gets zeros below.
            var untracked: [Int] = []
            for (i, p) in parameters.enumerated() {
                if let t = tracked.first(where: { $0.parameter === p }), let v = valueOf[t.leaf] { wrt.append(v) } else { untracked.append(i) }
            }
            guard untracked.isEmpty else { throw TraceRejection(reason: "an explicit parameter that is frozen or not read by the function") }
            try graph.appendBackward(wrt: wrt)
        }
        return (JitExecutable(try graph.lowered()), tracked.map(\.parameter))
    }

    /// Throws ``JitError/mismatch(output:maxDifference:)`` when a compiled output differs from eager beyond
    /// the tolerance of the vectorised functions and reordered sums.
    private func compare(_ compiled: [Tensor], with eager: [Tensor]) throws {
        for (k, (a, b)) in zip(compiled, eager).enumerated() {
            guard a.shape == b.shape else { throw JitError.mismatch(output: k, maxDifference: .infinity) }
            let tolerance = a.dtype == .float64 ? 1e-9 : 1e-4
            let x = a.scalars, y = b.scalars
            var worst = 0.0
            for (u, v) in zip(x, y) {
                if u.isNaN && v.isNaN { continue }
                let d = Swift.abs(u - v)
                if !(d <= tolerance * Swift.max(1, Swift.abs(v))) { worst = Swift.max(worst, d.isNaN ? .infinity : d) }
            }
            if worst > 0 { throw JitError.mismatch(output: k, maxDifference: worst) }
        }
    }
}
