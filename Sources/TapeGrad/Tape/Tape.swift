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
///
/// A value of two words stored inline in ``Tensor``: recording an op allocates nothing for it. The rare link
/// to the enclosing tapes (a tensor recorded by nested computations) is kept by `tape`, keyed by `id`; the
/// low bit of `raw` says whether there is one, so the common single-tape case never looks it up.
struct Tracking: Sendable, Equatable {
    let tape: Tape
    /// `id << 1`, plus 1 when `tape` keeps an outer link for this id.
    private let raw: Int

    /// This tensor's node id on `tape`.
    @inline(__always) var id: Int { raw >> 1 }
    /// Whether enclosing tapes record this tensor too (then ``outer`` is not nil).
    @inline(__always) var hasOuter: Bool { raw & 1 != 0 }
    /// Where the tensor sits on the enclosing tapes (the next tape out), or nil.
    var outer: Tracking? { hasOuter ? tape.outerLink(of: id) : nil }

    /// A tracking on `tape` at `id`; `outer`, if any, is stored by the tape.
    @inline(__always)
    init(tape: Tape, id: Int, outer: Tracking?) {
        self.tape = tape
        if let outer {
            raw = id << 1 | 1
            tape.setOuterLink(outer, of: id)
        } else {
            raw = id << 1
        }
    }

    static func == (a: Tracking, b: Tracking) -> Bool { a.tape === b.tape && a.raw == b.raw }

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
        /// One input, ∂L/∂x = c · G (scalar multiplication and division), stored as data: no closure to allocate.
        case scale(Double)
        /// One input, ∂L/∂x = G / c (dividing by a scalar).
        case divide(Double)
        /// One input, ∂L/∂x = G (adding a scalar).
        case identity
        /// tanh with its output y saved (buffer and shape: 16 bytes rather than a whole Tensor):
        /// ∂L/∂x = G ⊙ (1 − y²). Used only when no enclosing tape records x.
        case tanh(TensorBuffer, shape: [Int])
        /// sigmoid with its output y saved: ∂L/∂x = G ⊙ y ⊙ (1 − y). Used only when no enclosing tape records x.
        case sigmoid(TensorBuffer, shape: [Int])
        /// Any number of inputs (their ids on this tape, −1 where this tape does not record one).
        case general(Pullback, inputs: [Int])
    }

    /// One recorded op: 40 bytes (its input ids, its pullback stored as data or as one closure, the output dtype).
    struct Node {
        /// Input ids on this tape (−1 for an input this tape does not record); unused for `.general`.
        var first: Int32
        var second: Int32
        var backward: Backward
        var dtype: DType

        init(first: Int, second: Int, backward: consuming Backward, dtype: DType) {
            // Ids beyond Int32 (more than two billion recorded ops) cannot be reached: the nodes alone would
            // take 80 GB; they are clamped rather than trapping.
            self.first = Int32(clamping: first)
            self.second = Int32(clamping: second)
            self.backward = backward
            self.dtype = dtype
        }

        var inputs: [Int] {
            switch backward {
            case .leaf: return []
            case .unary, .scale, .divide, .identity, .tanh, .sigmoid: return [Int(first)]
            case .binary: return [Int(first), Int(second)]
            case .general(_, let ids): return ids
            }
        }
    }

    /// Newer tapes have higher levels; nested computations are therefore ordered innermost-first.
    let level: Int
    /// The mutable state, behind the tape's lock.
    private struct State {
        var nodes: [Node] = []
        /// False while the tape replays its pullbacks, and after it is closed: ops are then not recorded on it.
        var recording = true
        /// The op that recorded each node, kept only when detecting anomalies (for the error message).
        var opNames: [StaticString] = []
        /// The next tape out for the tensors that enclosing tapes record too (nested computations only), by id.
        /// Kept after ``close()``: a result of an inner computation stays recorded by the outer ones.
        var outerLinks: [Int: Tracking] = [:]
    }
    private let state: Locked<State>
    /// Whether this tape checks every recorded output and every pullback result for NaN and ±∞
    /// (set when the tape is made inside ``withAnomalyDetection(_:)``).
    let detectsAnomalies: Bool
    /// Set only on the tape of a `jit` trace (Compile/Tracer.swift): notes every recorded op with its attributes.
    let tracer: Tracer?

    init(tracer: Tracer? = nil) {
        level = Tape.counter.add(1, ordering: .relaxed).newValue
        detectsAnomalies = AnomalyDetection.isEnabled
        self.tracer = tracer
        var initial = State()
        initial.nodes.reserveCapacity(256)
        state = Locked(initial)
    }

    /// Whether ops on tensors it tracks are recorded now.
    var isRecording: Bool { state.withLock { $0.recording } }

    /// Starts tracking `value` as a differentiation variable (a leaf) of this tape; returns the tracked
    /// value and its node id.
    func leaf(_ value: Tensor) -> (value: Tensor, id: Int) {
        let id = state.withLock { s in
            if detectsAnomalies { s.opNames.append("input") }
            s.nodes.append(Node(first: -1, second: -1, backward: .leaf, dtype: value.dtype))
            return s.nodes.count - 1
        }
        var tracked = value
        tracked.tracking = Tracking(tape: self, id: id, outer: value.tracking)
        tracer?.noteLeaf(value, id: id)
        return (tracked, id)
    }

    /// Stores where the tensor with node `id` sits on the enclosing tapes (see ``Tracking``).
    func setOuterLink(_ outer: Tracking, of id: Int) { state.withLock { $0.outerLinks[id] = outer } }

    /// Where the tensor with node `id` sits on the enclosing tapes, or nil.
    func outerLink(of id: Int) -> Tracking? { state.withLock { $0.outerLinks[id] } }

    /// Appends `node` and returns its id, or nil when the tape is not recording.
    @inline(__always)
    func append(_ node: consuming Node, op: StaticString) -> Int? {
        state.withLock(moving: node) { s, node in
            guard s.recording else { return nil }
            if detectsAnomalies { s.opNames.append(op) }
            s.nodes.append(node)
            return s.nodes.count - 1
        }
    }

    /// Stops recording and drops the nodes (their pullbacks capture tensors that point back here).
    func close() {
        state.withLock { s in
            s.recording = false
            s.nodes = []
            s.opNames = []
        }
    }

    /// Stops recording for good but keeps the nodes, so the tape can be replayed any number of times
    /// (a reusable pullback). A sealed tape is read-only: replays from several threads at once are safe.
    func seal() {
        state.withLock { $0.recording = false }
    }

    /// Pauses recording (a `noGrad` scope); returns whether the tape was recording, in which case the
    /// scope calls ``resumeRecording()`` at its end.
    func pauseRecording() -> Bool {
        tracer?.noteUnsupported("a noGrad or custom-gradient scope")
        return state.withLock { s in
            guard s.recording else { return false }
            s.recording = false
            return true
        }
    }

    /// Ends a pause started by ``pauseRecording()``.
    func resumeRecording() {
        state.withLock { $0.recording = true }
    }

    /// Replays the tape backwards from `seeds` (output id, ∂L/∂output) and returns ∂L/∂leaf for each of
    /// `leaves`, or nil for a leaf the seeds do not reach. Gradients accumulate over fan-out and are cast to
    /// the dtype of the value they belong to.
    func gradients(seeds: [(id: Int, gradient: Tensor)], leaves: [Int]) -> [Tensor?] {
        // A sealed tape stays sealed (replays from several threads do not write to it); only a tape that was
        // recording starts again afterwards.
        let (nodes, opNames, wasRecording) = state.withLock { s -> ([Node], [StaticString], Bool) in
            let was = s.recording
            s.recording = false
            return (s.nodes, s.opNames, was)
        }
        defer { if wasRecording { state.withLock { $0.recording = true } } }
        var slots = [Tensor?](repeating: nil, count: nodes.count)
        return nodes.withUnsafeBufferPointer { nodes in
            slots.withUnsafeMutableBufferPointer { slots in
                var replay = Replay(nodes: nodes, slots: slots, opNames: opNames, detectsAnomalies: detectsAnomalies)
                return replay.run(seeds: seeds, leaves: leaves)
            }
        }
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
