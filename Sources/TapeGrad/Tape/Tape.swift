import Synchronization

/// Maps the gradient of an op's output to the gradients of its recorded inputs, one entry per input
/// (`nil` for an input whose gradient is not needed). Pullbacks are written with Tensor operations, so
/// that running one under an outer tape records it too.
typealias Pullback = (_ upstream: Tensor, _ needed: InputMask) -> [Tensor?]

/// Which inputs of a recorded op need a gradient.
struct InputMask {
    var bits: UInt64
    @inline(__always) subscript(index: Int) -> Bool { index < 64 && bits & (1 << UInt64(index)) != 0 }
}

/// Where a tensor sits on one tape, and (for nested computations) on the enclosing tapes.
final class Tracking: Sendable {
    let tape: Tape
    let id: Int
    let outer: Tracking?

    init(tape: Tape, id: Int, outer: Tracking?) {
        self.tape = tape
        self.id = id
        self.outer = outer
    }

    /// This tensor's id on `tape`, or nil if that tape does not record it.
    func id(on tape: Tape) -> Int? {
        var link: Tracking? = self
        while let l = link {
            if l.tape === tape { return l.id }
            link = l.outer
        }
        return nil
    }
}

/// The record of one gradient computation: an array of nodes in execution order (already a topological
/// order), each with its input ids and its pullback. Gradients are slots indexed by node id.
///
/// A tape belongs to one computation. Tapes are never global: a tensor carries the tapes that record it,
/// so computations on other threads or tasks never see each other's records, and computations nest
/// (an inner tape has a higher level than the tapes of the tensors it was started from).
///
/// Sendable: a tracked tensor may cross threads (a forward pass that fans out), so the nodes and the
/// recording flag sit behind the tape's lock.
final class Tape: @unchecked Sendable {
    private static let counter = Atomic<Int>(0)

    /// How a node maps ∂L/∂output to its inputs' gradients.
    enum Backward {
        /// A leaf: a differentiation variable.
        case leaf
        /// One input; the closure returns its gradient.
        case unary((Tensor) -> Tensor)
        /// Two inputs; the closure returns both gradients (nil where not needed).
        case binary((Tensor, InputMask) -> (Tensor?, Tensor?))
        /// Any number of inputs.
        case general(Pullback)
        /// One input, ∂L/∂x = c · G (scalar multiplication and division), stored as data: no closure to allocate.
        case scale(Double)
        /// One input, ∂L/∂x = G / c (dividing by a scalar).
        case divide(Double)
        /// One input, ∂L/∂x = G (adding a scalar).
        case identity
        /// tanh with its output y saved: ∂L/∂x = G ⊙ (1 − y²). Used only when no enclosing tape records x.
        case tanh(Tensor)
        /// sigmoid with its output y saved: ∂L/∂x = G ⊙ y ⊙ (1 − y). Used only when no enclosing tape records x.
        case sigmoid(Tensor)
    }

    struct Node {
        /// Input ids on this tape (−1 for an input this tape does not record).
        var first: Int
        var second: Int
        var others: [Int]
        var backward: Backward
        var dtype: DType

        var inputs: [Int] {
            switch backward {
            case .leaf: return []
            case .unary, .scale, .divide, .identity, .tanh, .sigmoid: return [first]
            case .binary: return [first, second]
            case .general: return others
            }
        }
    }

    /// Newer tapes have higher levels; nested computations are therefore ordered innermost-first.
    let level: Int
    private let lock = Lock()
    /// Guarded by `lock`.
    private var nodes: [Node] = []
    /// False while the tape replays its pullbacks, and after it is closed: ops are then not recorded on it.
    /// Guarded by `lock`.
    private var recording = true
    /// Whether this tape checks every recorded output and every pullback result for NaN and ±∞
    /// (set when the tape is made inside ``withAnomalyDetection(_:)``).
    let detectsAnomalies: Bool
    /// The op that recorded each node, kept only when detecting anomalies (for the error message). Guarded by `lock`.
    private var opNames: [StaticString] = []
    /// Set only on the tape of a `jit` trace (Compile/Tracer.swift): notes every recorded op with its attributes.
    let tracer: Tracer?

    init(tracer: Tracer? = nil) {
        level = Tape.counter.add(1, ordering: .relaxed).newValue
        detectsAnomalies = AnomalyDetection.isEnabled
        self.tracer = tracer
        nodes.reserveCapacity(256)
    }

    /// Whether ops on tensors it tracks are recorded now.
    var isRecording: Bool { lock.withLock { recording } }

    /// Starts tracking `value` as a differentiation variable (a leaf) of this tape; returns the tracked
    /// value and its node id.
    func leaf(_ value: Tensor) -> (value: Tensor, id: Int) {
        let id = lock.withLock {
            if detectsAnomalies { opNames.append("input") }
            nodes.append(Node(first: -1, second: -1, others: [], backward: .leaf, dtype: value.dtype))
            return nodes.count - 1
        }
        var tracked = value
        tracked.tracking = Tracking(tape: self, id: id, outer: value.tracking)
        tracer?.noteLeaf(value, id: id)
        return (tracked, id)
    }

    /// Appends `node` and returns its id, or nil when the tape is not recording.
    @inline(__always)
    func append(_ node: __owned Node, op: StaticString) -> Int? {
        lock.withLock {
            guard recording else { return nil }
            if detectsAnomalies { noteOpName(op) }
            nodes.append(node)
            return nodes.count - 1
        }
    }

    /// Kept out of line so that `append` stays as small as it was before anomaly detection.
    @inline(never)
    private func noteOpName(_ op: StaticString) { opNames.append(op) }

    /// Stops recording and drops the nodes (their pullbacks capture tensors that point back here).
    func close() {
        lock.withLock {
            recording = false
            nodes = []
            opNames = []
        }
    }

    /// Stops recording for good but keeps the nodes, so the tape can be replayed any number of times
    /// (a reusable pullback). A sealed tape is read-only: replays from several threads at once are safe.
    func seal() {
        lock.withLock { recording = false }
    }

    /// Pauses recording (a `noGrad` scope); returns whether the tape was recording, in which case the
    /// scope calls ``resumeRecording()`` at its end.
    func pauseRecording() -> Bool {
        tracer?.noteUnsupported("a noGrad or custom-gradient scope")
        return lock.withLock {
            guard recording else { return false }
            recording = false
            return true
        }
    }

    /// Ends a pause started by ``pauseRecording()``.
    func resumeRecording() {
        lock.withLock { recording = true }
    }

    /// Replays the tape backwards from `seeds` (output id, ∂L/∂output) and returns ∂L/∂leaf for each of
    /// `leaves`, or nil for a leaf the seeds do not reach. Gradients accumulate over fan-out and are cast to
    /// the dtype of the value they belong to.
    func gradients(seeds: [(id: Int, gradient: Tensor)], leaves: [Int]) -> [Tensor?] {
        // A sealed tape stays sealed (replays from several threads do not write to it); only a tape that was
        // recording starts again afterwards.
        let (nodes, opNames, wasRecording) = lock.withLock { () -> ([Node], [StaticString], Bool) in
            let was = recording
            recording = false
            return (self.nodes, self.opNames, was)
        }
        defer { if wasRecording { lock.withLock { recording = true } } }
        var slots = [Tensor?](repeating: nil, count: nodes.count)
        var current = -1, upstreamShape: [Int] = []
        var anomaly = false
        func accumulate(_ id: Int, _ g: Tensor) {
            if detectsAnomalies && current >= 0 && !anomaly && g.containsNonFinite {
                anomaly = true
                AnomalyDetection.report(op: opNames[current], phase: "backward", value: g,
                                        detail: "the gradient for an input of shape \(g.shape), from an upstream gradient of shape \(upstreamShape)")
            }
            let g = g.dtype == nodes[id].dtype ? g : g.astype(nodes[id].dtype)
            guard var existing = slots[id] else { slots[id] = g; return }
            slots[id] = nil
            // Fan-out: add in place with axpy when nothing records this addition (no enclosing tape).
            if existing.shape == g.shape, existing.dtype.isFloatingPoint, existing.tracking == nil, g.tracking == nil {
                existing.addInPlace(g)
                slots[id] = existing
            } else {
                slots[id] = existing + g
            }
        }
        for seed in seeds where seed.id >= 0 && seed.id < nodes.count { accumulate(seed.id, seed.gradient) }
        var isLeaf = [Bool](repeating: false, count: nodes.count)
        for leaf in leaves where leaf >= 0 && leaf < nodes.count { isLeaf[leaf] = true }
        var index = nodes.count - 1
        while index >= 0 {
            defer { index -= 1 }
            guard var g = slots[index] else { continue }
            // Move the gradient out of its slot, so the data-stored pullbacks below can usually update it in place.
            if !isLeaf[index] { slots[index] = nil }
            let node = nodes[index]
            if detectsAnomalies {
                if anomaly { break }
                current = index
                upstreamShape = g.shape
            }
            switch node.backward {
            case .leaf:
                continue
            case .unary(let pullback):
                if node.first >= 0 { accumulate(node.first, pullback(g)) }
            case .scale(let c):
                if node.first >= 0 { accumulate(node.first, g.updatedInPlace(.mul, scalar: c) ?? g * c) }
            case .divide(let c):
                if node.first >= 0 { accumulate(node.first, g.updatedInPlace(.div, scalar: c) ?? g / c) }
            case .identity:
                if node.first >= 0 { accumulate(node.first, g) }
            case .tanh(let y):
                if node.first >= 0 { accumulate(node.first, g.updatedInPlace(.tanhBackward, with: y) ?? tanhBackward(g, y)) }
            case .sigmoid(let y):
                if node.first >= 0 { accumulate(node.first, g.updatedInPlace(.sigmoidBackward, with: y) ?? sigmoidBackward(g, y)) }
            case .binary(let pullback):
                let mask = InputMask(bits: (node.first >= 0 ? 1 : 0) | (node.second >= 0 ? 2 : 0))
                let (ga, gb) = pullback(g, mask)
                if node.first >= 0, let ga { accumulate(node.first, ga) }
                if node.second >= 0, let gb { accumulate(node.second, gb) }
            case .general(let pullback):
                var bits: UInt64 = 0
                for (k, input) in node.others.enumerated() where input >= 0 && k < 64 { bits |= 1 << UInt64(k) }
                let partials = pullback(g, InputMask(bits: bits))
                for (k, input) in node.others.enumerated() where input >= 0 && k < partials.count {
                    if let partial = partials[k] { accumulate(input, partial) }
                }
            }
        }
        return leaves.map { $0 >= 0 && $0 < slots.count ? slots[$0] : nil }
    }
}

extension Tensor {
    /// Records `self` as the output of a one-input op. `pullback` maps ∂L/∂output to ∂L/∂input.
    /// Call it only when the input is recorded (`isRecorded`), so constants cost nothing.
    /// `trace` describes the op for a `jit` trace (nil: the op has no trace rule); it is evaluated only on a tracing tape.
    func recorded(_ input: Tensor, op: StaticString = #function, trace: @autoclosure () -> TracedOp? = nil,
                  pullback: @escaping (Tensor) -> Tensor) -> Tensor {
        if let t = input.tracking, t.outer == nil {
            let node = Tape.Node(first: t.id, second: -1, others: [], backward: .unary(pullback), dtype: dtype)
            guard let id = t.tape.append(node, op: op) else { return self }
            var out = self
            out.tracking = Tracking(tape: t.tape, id: id, outer: nil)
            if let tracer = t.tape.tracer { tracer.note(trace(), op: op, inputs: [input], ids: [t.id], output: out, id: id) }
            if t.tape.detectsAnomalies { AnomalyDetection.checkForward(out, op: op, inputs: [input]) }
            return out
        }
        return recordedOnEveryTape(inputs: [input], op: op, trace: trace()) { ids in
            Tape.Node(first: ids[0], second: -1, others: [], backward: .unary(pullback), dtype: dtype)
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
    func recorded(_ input: Tensor, backward: Tape.Backward, op: StaticString = #function, trace: @autoclosure () -> TracedOp? = nil) -> Tensor {
        if let t = input.tracking, t.outer == nil {
            let node = Tape.Node(first: t.id, second: -1, others: [], backward: backward, dtype: dtype)
            guard let id = t.tape.append(node, op: op) else { return self }
            var out = self
            out.tracking = Tracking(tape: t.tape, id: id, outer: nil)
            if let tracer = t.tape.tracer { tracer.note(trace(), op: op, inputs: [input], ids: [t.id], output: out, id: id) }
            if t.tape.detectsAnomalies { AnomalyDetection.checkForward(out, op: op, inputs: [input]) }
            return out
        }
        return recordedOnEveryTape(inputs: [input], op: op, trace: trace()) { ids in
            Tape.Node(first: ids[0], second: -1, others: [], backward: backward, dtype: dtype)
        }
    }

    /// Records `self` as the output of a two-input op. `pullback` returns (∂L/∂a, ∂L/∂b), nil where
    /// the mask says the gradient is not needed.
    func recorded(_ a: Tensor, _ b: Tensor, op: StaticString = #function, trace: @autoclosure () -> TracedOp? = nil,
                  pullback: @escaping (Tensor, InputMask) -> (Tensor?, Tensor?)) -> Tensor {
        let ta = a.tracking, tb = b.tracking
        if ta?.outer == nil, tb?.outer == nil, let tape = ta?.tape ?? tb?.tape, tb == nil || tb?.tape === tape, ta == nil || ta?.tape === tape {
            let node = Tape.Node(first: ta?.id ?? -1, second: tb?.id ?? -1, others: [], backward: .binary(pullback), dtype: dtype)
            guard let id = tape.append(node, op: op) else { return self }
            var out = self
            out.tracking = Tracking(tape: tape, id: id, outer: nil)
            if let tracer = tape.tracer { tracer.note(trace(), op: op, inputs: [a, b], ids: [ta?.id ?? -1, tb?.id ?? -1], output: out, id: id) }
            if tape.detectsAnomalies { AnomalyDetection.checkForward(out, op: op, inputs: [a, b]) }
            return out
        }
        return recordedOnEveryTape(inputs: [a, b], op: op, trace: trace()) { ids in
            Tape.Node(first: ids[0], second: ids[1], others: [], backward: .binary(pullback), dtype: dtype)
        }
    }

    /// Records `self` as the output of an op on any number of `inputs`; `pullback` returns one entry per input.
    func recorded(inputs: [Tensor], op: StaticString = #function, trace: @autoclosure () -> TracedOp? = nil,
                  pullback: @escaping Pullback) -> Tensor {
        recordedOnEveryTape(inputs: inputs, op: op, trace: trace()) { ids in
            Tape.Node(first: -1, second: -1, others: ids, backward: .general(pullback), dtype: dtype)
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

extension Tensor {
    /// Whether a tape that is still recording tracks this tensor: a pullback running now is itself
    /// being differentiated (a higher-order gradient), so it must not treat saved outputs as constants.
    var isRecordedOnActiveTape: Bool {
        var link = tracking
        while let l = link {
            if l.tape.isRecording { return true }
            link = l.outer
        }
        return false
    }

    /// A forward output saved for the pullback: `self` as a constant, or recomputed differentiably from
    /// `input` when an enclosing computation records the backward pass.
    func saved(for input: Tensor, recompute: (Tensor) -> Tensor) -> Tensor {
        input.isRecordedOnActiveTape ? recompute(input) : self
    }
}

/// Stops gradients: the result has `x`'s values but is a constant for every tape.
///
/// ```swift
/// let (_, g) = try valueWithGradient(at: x) { x in (x * stopGradient(x)).sum() }   // g = x, not 2x
/// ```
public func stopGradient(_ x: Tensor) -> Tensor { x.detached }
