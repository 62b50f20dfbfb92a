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

    struct Node {
        var inputs: [Int]
        var pullback: Pullback?
        var dtype: DType
    }

    /// Newer tapes have higher levels; nested computations are therefore ordered innermost-first.
    let level: Int
    private(set) var nodes: [Node] = []
    /// False while the tape replays its pullbacks, and after it is closed: ops are then not recorded on it.
    private(set) var isRecording = true

    init() {
        level = Tape.counter.add(1, ordering: .relaxed).newValue
    }

    /// Starts tracking `value` as a differentiation variable (a leaf) of this tape.
    func leaf(_ value: Tensor) -> Tensor {
        nodes.append(Node(inputs: [], pullback: nil, dtype: value.dtype))
        var tracked = value
        tracked.tracking = Tracking(tape: self, id: nodes.count - 1, outer: value.tracking)
        return tracked
    }

    func append(inputs: [Int], dtype: DType, pullback: @escaping Pullback) -> Int {
        nodes.append(Node(inputs: inputs, pullback: pullback, dtype: dtype))
        return nodes.count - 1
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
            if let existing = slots[id] { slots[id] = existing + g } else { slots[id] = g }
        }
        for seed in seeds where seed.id >= 0 && seed.id < nodes.count { accumulate(seed.id, seed.gradient) }
        let isLeaf = Set(leaves)
        var index = nodes.count - 1
        while index >= 0 {
            defer { index -= 1 }
            guard let g = slots[index], let pullback = nodes[index].pullback else { continue }
            let inputs = nodes[index].inputs
            var bits: UInt64 = 0
            for (k, input) in inputs.enumerated() where input >= 0 && k < 64 { bits |= 1 << UInt64(k) }
            let partials = pullback(g, InputMask(bits: bits))
            for (k, input) in inputs.enumerated() where input >= 0 && k < partials.count {
                if let partial = partials[k] { accumulate(input, partial) }
            }
            if !isLeaf.contains(index) { slots[index] = nil }
        }
        return leaves.map { $0 >= 0 && $0 < slots.count ? slots[$0] : nil }
    }
}

extension Tensor {
    /// Records `self` as the output of an op on `inputs`, on every recording tape that tracks one of them.
    /// Call it only when an input is recorded (`isRecorded`), so constants cost nothing.
    func recorded(inputs: [Tensor], pullback: @escaping Pullback) -> Tensor {
        // Fast path: every recorded input sits on the same single tape.
        var single: Tape?
        var simple = true
        for input in inputs {
            guard let t = input.tracking else { continue }
            if t.outer != nil || (single != nil && single !== t.tape) { simple = false; break }
            single = t.tape
        }
        if simple {
            guard let tape = single, tape.isRecording else { return self }
            let ids = inputs.map { $0.tracking?.id ?? -1 }
            var out = self
            out.tracking = Tracking(tape: tape, id: tape.append(inputs: ids, dtype: dtype, pullback: pullback), outer: nil)
            return out
        }
        // Nested computations: record on each recording tape, innermost first in the chain.
        var tapes: [Tape] = []
        for input in inputs {
            var link = input.tracking
            while let l = link {
                if l.tape.isRecording && !tapes.contains(where: { $0 === l.tape }) { tapes.append(l.tape) }
                link = l.outer
            }
        }
        tapes.sort { $0.level < $1.level }
        var chain: Tracking?
        for tape in tapes {
            let ids = inputs.map { $0.tracking?.id(on: tape) ?? -1 }
            chain = Tracking(tape: tape, id: tape.append(inputs: ids, dtype: dtype, pullback: pullback), outer: chain)
        }
        var out = self
        out.tracking = chain
        return out
    }
}

/// Stops gradients: the result has `x`'s values but is a constant for every tape.
///
/// ```swift
/// let (_, g) = valueWithGradient(at: x) { x in (x * stopGradient(x)).sum() }   // g = x, not 2x
/// ```
public func stopGradient(_ x: Tensor) -> Tensor { x.detached }
