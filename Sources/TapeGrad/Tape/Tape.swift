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
final class Tracking: @unchecked Sendable {
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
    private(set) var nodes: [Node] = []
    /// False while the tape replays its pullbacks, and after it is closed: ops are then not recorded on it.
    private(set) var isRecording = true
    /// Whether this tape checks every recorded output and every pullback result for NaN and ±∞
    /// (set when the tape is made inside ``withAnomalyDetection(_:)``).
    let detectsAnomalies: Bool

    init() {
        level = Tape.counter.add(1, ordering: .relaxed).newValue
        detectsAnomalies = AnomalyDetection.isEnabled
        nodes.reserveCapacity(256)
    }

    /// Starts tracking `value` as a differentiation variable (a leaf) of this tape.
    func leaf(_ value: Tensor) -> Tensor {
        nodes.append(Node(first: -1, second: -1, others: [], backward: .leaf, dtype: value.dtype))
        var tracked = value
        tracked.tracking = Tracking(tape: self, id: nodes.count - 1, outer: value.tracking)
        return tracked
    }

    func append(_ node: Node) -> Int {
        nodes.append(node)
        return nodes.count - 1
    }

    /// Replaces node `id`'s backward with the same pullback followed by a check of its results, which reports
    /// the first non-finite gradient naming `op`. Only tapes that detect anomalies call it, so the recording
    /// and replay paths are unchanged when detection is off.
    @inline(never)
    func watchForAnomalies(_ id: Int, op: StaticString) {
        let node = nodes[id]
        let pullback = node.backward.asPullback
        let checked: Pullback = { g, needed in
            let partials = pullback(g, needed)
            guard !ErrorChecking.hasFailed else { return partials }
            for (k, partial) in partials.enumerated() {
                guard let partial, partial.containsNonFinite else { continue }
                AnomalyDetection.report(op: op, phase: "backward", value: partial,
                                        detail: "the gradient for input \(k) of shape \(partial.shape), from an upstream gradient of shape \(g.shape)")
                break
            }
            return partials
        }
        nodes[id] = Node(first: -1, second: -1, others: node.inputs, backward: .general(checked), dtype: node.dtype)
    }

    /// Stops recording and drops the nodes (their pullbacks capture tensors that point back here).
    func close() {
        isRecording = false
        nodes = []
    }

    /// Replays the tape backwards from `seeds` (output id, ∂L/∂output) and returns ∂L/∂leaf for each of
    /// `leaves`, or nil for a leaf the seeds do not reach. Gradients accumulate over fan-out and are cast to
    /// the dtype of the value they belong to.
    func gradients(seeds: [(id: Int, gradient: Tensor)], leaves: [Int]) -> [Tensor?] {
        isRecording = false
        defer { isRecording = true }
        var slots = [Tensor?](repeating: nil, count: nodes.count)
        func accumulate(_ id: Int, _ g: Tensor) {
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

// The single-tape fast paths below are what they were before anomaly detection, plus one test of a flag: a
// tape that detects anomalies takes the general path, which watches the node and checks the output.
extension Tensor {
    /// Records `self` as the output of a one-input op. `pullback` maps ∂L/∂output to ∂L/∂input.
    /// Call it only when the input is recorded (`isRecorded`), so constants cost nothing.
    func recorded(_ input: Tensor, op: StaticString = #function, pullback: @escaping (Tensor) -> Tensor) -> Tensor {
        if let t = input.tracking, t.outer == nil, !t.tape.detectsAnomalies {
            guard t.tape.isRecording else { return self }
            var out = self
            let node = Tape.Node(first: t.id, second: -1, others: [], backward: .unary(pullback), dtype: dtype)
            out.tracking = Tracking(tape: t.tape, id: t.tape.append(node), outer: nil)
            return out
        }
        return recordedOnEveryTape(inputs: [input], op: op) { ids in
            Tape.Node(first: ids[0], second: -1, others: [], backward: .unary(pullback), dtype: dtype)
        }
    }

    /// Records `self` as the output of a one-input op whose pullback is stored as data (`.scale`, `.identity`).
    func recorded(_ input: Tensor, backward: Tape.Backward, op: StaticString = #function) -> Tensor {
        if let t = input.tracking, t.outer == nil, !t.tape.detectsAnomalies {
            guard t.tape.isRecording else { return self }
            var out = self
            let node = Tape.Node(first: t.id, second: -1, others: [], backward: backward, dtype: dtype)
            out.tracking = Tracking(tape: t.tape, id: t.tape.append(node), outer: nil)
            return out
        }
        return recordedOnEveryTape(inputs: [input], op: op) { ids in
            Tape.Node(first: ids[0], second: -1, others: [], backward: backward, dtype: dtype)
        }
    }

    /// Records `self` as the output of a two-input op. `pullback` returns (∂L/∂a, ∂L/∂b), nil where
    /// the mask says the gradient is not needed.
    func recorded(_ a: Tensor, _ b: Tensor, op: StaticString = #function, pullback: @escaping (Tensor, InputMask) -> (Tensor?, Tensor?)) -> Tensor {
        let ta = a.tracking, tb = b.tracking
        if ta?.outer == nil, tb?.outer == nil, let tape = ta?.tape ?? tb?.tape, tb == nil || tb?.tape === tape, ta == nil || ta?.tape === tape,
           !tape.detectsAnomalies {
            guard tape.isRecording else { return self }
            var out = self
            let node = Tape.Node(first: ta?.id ?? -1, second: tb?.id ?? -1, others: [], backward: .binary(pullback), dtype: dtype)
            out.tracking = Tracking(tape: tape, id: tape.append(node), outer: nil)
            return out
        }
        return recordedOnEveryTape(inputs: [a, b], op: op) { ids in
            Tape.Node(first: ids[0], second: ids[1], others: [], backward: .binary(pullback), dtype: dtype)
        }
    }

    /// Records `self` as the output of an op on any number of `inputs`; `pullback` returns one entry per input.
    func recorded(inputs: [Tensor], op: StaticString = #function, pullback: @escaping Pullback) -> Tensor {
        recordedOnEveryTape(inputs: inputs, op: op) { ids in
            Tape.Node(first: -1, second: -1, others: ids, backward: .general(pullback), dtype: dtype)
        }
    }

    /// Records on each recording tape that tracks an input, innermost first in the output's chain.
    private func recordedOnEveryTape(inputs: [Tensor], op: StaticString, node: ([Int]) -> Tape.Node) -> Tensor {
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
            chain = Tracking(tape: tape, id: tape.append(node(ids)), outer: chain)
            if tape.detectsAnomalies, let id = chain?.id { tape.watchForAnomalies(id, op: op) }
        }
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
/// let (_, g) = valueWithGradient(at: x) { x in (x * stopGradient(x)).sum() }   // g = x, not 2x
/// ```
public func stopGradient(_ x: Tensor) -> Tensor { x.detached }
