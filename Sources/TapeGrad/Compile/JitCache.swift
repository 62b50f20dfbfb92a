// The engine behind every jitted function: trace on the first call per signature of input shapes and
// dtypes, compile, cache (bounded, least recently used out first), replay; run eagerly what does not compile.
// Tracing and compiling one signature is in JitCore+Compile.swift.

/// What a compiled gradient function differentiates: MindSpore's `grad_position` (or `get_all`, or input 0),
/// its `weights` and `has_aux`. Sens (`sens_param`) are extra trailing inputs of a call.
struct JitGradForm {
    enum Weights {
        case none
        /// These parameters in this order (zeros for one that is frozen or not read).
        case explicit([Parameter])
        /// The trainable parameters the differentiated output reaches, in order of first use.
        case used
    }

    var inputs: GradSpec.Inputs
    var weights: Weights
    var hasAux = false
    /// The function must return one tensor (a plain `jit(f)` or a train step).
    var singleOutput = false

    /// The differentiated positions for `count` inputs (already checked against the count).
    func positions(count: Int) -> [Int] {
        switch inputs {
        case .none: return []
        case .positions(let p): return p
        case .all: return Array(0..<count)
        case .first: return count == 0 ? [] : [0]
        }
    }
}

/// Where the results of one compiled signature are among its program's outputs.
struct JitLayout {
    /// The forward output's structure; its tensors are the program's first `forwardCount` outputs, in order.
    var template: TensorTree
    var forwardCount: Int
    /// The differentiated positions: their gradients follow the forward outputs.
    var positions: [Int]
    /// The parameters whose gradients come last, in order, and whether the differentiated output reaches each.
    var gradientParameters: [Parameter]
    var reached: [Bool]
}

/// The outputs of one compiled call and where each result is among them.
struct JitResult {
    var outputs: [Tensor]
    var layout: JitLayout

    /// The forward output with the compiled tensors in place.
    var value: TensorTree {
        var next = 0
        func fill(_ tree: TensorTree) -> TensorTree {
            switch tree {
            case .tensor: next += 1; return .tensor(outputs[next - 1])
            case .tuple(let items): return .tuple(items.map(fill))
            case .position, .name: return tree
            }
        }
        return fill(layout.template)
    }

    var inputGradients: [Tensor] { Array(outputs[layout.forwardCount..<(layout.forwardCount + layout.positions.count)]) }

    /// The gradient of each parameter computed (reached or not).
    var parameterGradients: [(Parameter, Tensor, reached: Bool)] {
        let first = layout.forwardCount + layout.positions.count
        return layout.gradientParameters.indices.map { (layout.gradientParameters[$0], outputs[first + $0], layout.reached[$0]) }
    }

    /// The gradients of `parameters` in order: zeros for one not computed (frozen, or not read).
    func gradients(of parameters: [Parameter]) -> [Tensor] {
        let first = layout.forwardCount + layout.positions.count
        let computed = layout.gradientParameters
        // The common case (a train step's weights, all read): the outputs as they are.
        if computed.count == parameters.count, zip(computed, parameters).allSatisfy({ $0 === $1 }) { return Array(outputs[first...]) }
        var index: [ObjectIdentifier: Int] = [:]
        for (k, p) in computed.enumerated() { index[ObjectIdentifier(p)] = first + k }
        return parameters.map { p in index[ObjectIdentifier(p)].map { outputs[$0] } ?? Tensor.zeros(like: p.storedValue) }
    }
}

final class JitCore: @unchecked Sendable {
    // Sendable: `forward` and the options are immutable; the cache and the counters are behind `lock`; traces
    // are serialised by `traceLock` (the traced closure runs on one thread at a time while tracing).

    /// What is differentiated, if anything.
    enum Mode {
        /// The forward output only; the trainable parameters the forward reads are inputs of the trace.
        case forward
        /// The output and the gradients the form asks for.
        case differentiate(JitGradForm)

        /// The output (one tensor) and its gradients with respect to `positions` and the explicit `parameters`.
        static func gradients(positions: [Int], parameters: [Parameter]) -> Mode {
            .differentiate(JitGradForm(inputs: positions.isEmpty ? .none : .positions(positions),
                                       weights: parameters.isEmpty ? .none : .explicit(parameters), singleOutput: true))
        }
    }

    enum Entry {
        case compiled(JitExecutable, parameters: [Parameter], layout: JitLayout)
        case eager(reason: String)
    }

    private struct Slot {
        var shapes: [[Int]]
        var dtypes: [DType]
        var sensCount: Int
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

    /// The compiled outputs for `inputs` and the trailing `sens`: replayed, traced and compiled first when the
    /// signature is new. Nil (counted as an eager call) when the signature does not compile or an enclosing
    /// computation records the inputs: the caller then runs the function eagerly.
    func run(_ inputs: [Tensor], sens: [Tensor] = []) throws -> JitResult? {
        // An enclosing gradient computation must record this call: run it eagerly on its tape.
        if GradScope.current != nil || (inputs + sens).contains(where: \.isRecordedOnActiveTape) {
            lock.withLock { eagerCalls += 1 }
            return nil
        }
        switch try entry(for: inputs + sens, sensCount: sens.count) {
        case .eager:
            lock.withLock { eagerCalls += 1 }
            return nil
        case .compiled(let executable, let parameters, let layout):
            var all = inputs
            for p in parameters { all.append(p.storedValue) }
            all += sens
            guard executable.accepts(all) else {
                // A parameter changed shape since the trace: trace again.
                forget(inputs + sens, sensCount: sens.count)
                return try run(inputs, sens: sens)
            }
            let outputs = try executable.run(all)
            lock.withLock { replays += 1 }
            return JitResult(outputs: outputs, layout: layout)
        }
    }

    /// The outputs as one list: the forward output (one tensor), then the gradients with respect to the
    /// differentiated positions, then those of the explicit parameters — compiled, or computed eagerly.
    func call(_ inputs: [Tensor]) throws -> [Tensor] {
        let outputs: [Tensor]
        if let r = try run(inputs) {
            var explicit: [Parameter] = []
            if case .differentiate(let form) = mode, case .explicit(let ps) = form.weights { explicit = ps }
            outputs = r.outputs[..<(r.layout.forwardCount + r.layout.positions.count)] + r.gradients(of: explicit)
        } else {
            return try eager(inputs)
        }
        if options.checked { try JitCore.compare(outputs, with: try eager(inputs)) }
        return outputs
    }

    /// The same outputs as ``call(_:)`` computed without compilation.
    func eager(_ inputs: [Tensor]) throws -> [Tensor] {
        switch mode {
        case .forward:
            let out = try withErrorChecking { forward(inputs) }
            guard case .tensor(let t) = out else { throw JitError.unsupported("the function returns \(out.shortDescription), not one tensor") }
            return [t]
        case .differentiate(let form):
            let positions = form.positions(count: inputs.count)
            var explicit: [Parameter] = []
            if case .explicit(let ps) = form.weights { explicit = ps }
            let r = try GradientEngine.run(inputs: inputs, positions: positions, parameters: explicit.isEmpty ? .none : .explicit(explicit),
                                           hasAux: false, sens: nil, forward: forward)
            guard case .tensor(let t) = r.output else { throw JitError.unsupported("the function returns \(r.output.shortDescription), not one tensor") }
            return [t] + positions.map { r.inputGradients[$0] ?? Tensor.zeros(like: inputs[$0]) } + r.parameterGradients
        }
    }

    private func lookup(_ inputs: [Tensor], sensCount: Int) -> Entry? {
        lock.withLock {
            for i in slots.indices where slots[i].shapes.count == inputs.count && slots[i].sensCount == sensCount
                && zip(slots[i].shapes, inputs).allSatisfy({ $0 == $1.shape }) && zip(slots[i].dtypes, inputs).allSatisfy({ $0 == $1.dtype }) {
                clock += 1
                slots[i].lastUse = clock
                return slots[i].entry
            }
            return nil
        }
    }

    private func forget(_ inputs: [Tensor], sensCount: Int) {
        lock.withLock {
            slots.removeAll { $0.shapes == inputs.map(\.shape) && $0.dtypes == inputs.map(\.dtype) && $0.sensCount == sensCount }
        }
    }

    private func entry(for inputs: [Tensor], sensCount: Int) throws -> Entry {
        if let e = lookup(inputs, sensCount: sensCount) { return e }
        return try traceLock.withLock {
            if let e = lookup(inputs, sensCount: sensCount) { return e }   // traced by another thread meanwhile
            let e: Entry
            do {
                e = try compile(Array(inputs.dropLast(sensCount)), sens: Array(inputs.suffix(sensCount)))
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
                slots.append(Slot(shapes: inputs.map(\.shape), dtypes: inputs.map(\.dtype), sensCount: sensCount, entry: e, lastUse: clock))
            }
            return e
        }
    }

    /// Throws ``JitError/mismatch(output:maxDifference:)`` when a compiled output differs from eager beyond
    /// the tolerance of the vectorised functions and reordered sums.
    static func compare(_ compiled: [Tensor], with eager: [Tensor]) throws {
        guard compiled.count == eager.count else { throw JitError.mismatch(output: Swift.min(compiled.count, eager.count), maxDifference: .infinity) }
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
