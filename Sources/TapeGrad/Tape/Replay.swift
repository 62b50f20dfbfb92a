// The backward pass of a tape: its nodes replayed in reverse, each pullback's results accumulated into the
// gradient slots of its inputs. Data-stored pullbacks (scaling, tanh, sigmoid) update the upstream gradient in
// place when it owns its buffer.

/// One backward pass over a tape's nodes: the gradient slots, indexed by node id, and the anomaly state.
struct Replay {
    let nodes: UnsafeBufferPointer<Tape.Node>
    let opNames: [StaticString]
    let detectsAnomalies: Bool
    /// ∂L/∂(node's output) by node id: storage the caller owns, one slot per node, all nil at the start.
    let slots: UnsafeMutableBufferPointer<Tensor?>
    var current = -1
    var upstreamShape: [Int] = []
    var anomaly = false

    init(nodes: UnsafeBufferPointer<Tape.Node>, slots: UnsafeMutableBufferPointer<Tensor?>, opNames: [StaticString],
         detectsAnomalies: Bool) {
        self.nodes = nodes
        self.slots = slots
        self.opNames = opNames
        self.detectsAnomalies = detectsAnomalies
    }

    /// Adds `g` to the gradient of node `id` (in place when nothing records the addition).
    mutating func accumulate(_ id: Int, _ g: consuming Tensor) {
        // Ids come from the tape (an input precedes its op); the check keeps the unchecked slots in bounds regardless.
        guard id >= 0 && id < slots.count && id < nodes.count else { return }
        if detectsAnomalies && current >= 0 && !anomaly && g.containsNonFinite {
            anomaly = true
            AnomalyDetection.report(op: opNames[current], phase: "backward", value: g,
                                    detail: "the gradient for an input of shape \(g.shape), from an upstream gradient of shape \(upstreamShape)")
        }
        let dtype = nodes[id].dtype
        if g.dtype != dtype { g = g.astype(dtype) }
        guard var existing = slots[id].take() else { slots[id] = g; return }
        // Fan-out: add in place with axpy when nothing records this addition (no enclosing tape).
        if existing.shape == g.shape, existing.dtype.isFloatingPoint, existing.tracking == nil, g.tracking == nil {
            existing.addInPlace(g)
            slots[id] = existing
        } else {
            slots[id] = existing + g
        }
    }

    mutating func run(seeds: [(id: Int, gradient: Tensor)], leaves: [Int]) -> [Tensor?] {
        let count = nodes.count
        for seed in seeds where seed.id >= 0 && seed.id < count { accumulate(seed.id, seed.gradient) }
        var isLeaf = [Bool](repeating: false, count: count)
        for leaf in leaves where leaf >= 0 && leaf < count { isLeaf[leaf] = true }
        var index = count
        while index > 0 {
            index -= 1
            // Move the gradient out of its slot, so the data-stored pullbacks below can usually update it in place.
            guard var g = isLeaf[index] ? slots[index] : slots[index].take() else { continue }
            if detectsAnomalies {
                if anomaly { break }
                current = index
                upstreamShape = g.shape
            }
            let first = Int(nodes[index].first)
            switch nodes[index].backward {
            case .leaf:
                continue
            case .unary(let pullback):
                if first >= 0 { accumulate(first, pullback(g)) }
            case .scale(let c):
                guard first >= 0 else { continue }
                if !g.replaceInPlace(.mul, scalar: c) { g = g * c }
                accumulate(first, g)
            case .divide(let c):
                guard first >= 0 else { continue }
                if !g.replaceInPlace(.div, scalar: c) { g = g / c }
                accumulate(first, g)
            case .identity:
                if first >= 0 { accumulate(first, g) }
            case .tanh(let buffer, let shape):
                guard first >= 0 else { continue }
                let y = Tensor(buffer: buffer, shape: shape)
                if !g.replaceInPlace(.tanhBackward, with: y) { g = tanhBackward(g, y) }
                accumulate(first, g)
            case .sigmoid(let buffer, let shape):
                guard first >= 0 else { continue }
                let y = Tensor(buffer: buffer, shape: shape)
                if !g.replaceInPlace(.sigmoidBackward, with: y) { g = sigmoidBackward(g, y) }
                accumulate(first, g)
            case .binary(let pullback):
                let second = Int(nodes[index].second)
                let mask = InputMask(bits: (first >= 0 ? 1 : 0) | (second >= 0 ? 2 : 0))
                let (ga, gb) = pullback(g, mask)
                if first >= 0, let ga { accumulate(first, ga) }
                if second >= 0, let gb { accumulate(second, gb) }
            case .general(let pullback, let inputs):
                var bits: UInt64 = 0
                for (k, input) in inputs.enumerated() where input >= 0 && k < 64 { bits |= 1 << UInt64(k) }
                let partials = pullback(g, InputMask(bits: bits))
                for (k, input) in inputs.enumerated() where input >= 0 && k < partials.count {
                    if let partial = partials[k] { accumulate(input, partial) }
                }
            }
        }
        return leaves.map { $0 >= 0 && $0 < slots.count ? slots[$0] : nil }
    }
}

extension Tensor {
    /// self ← self ∘ scalar in place, for a gradient being replayed: only when it is a float tensor that owns its
    /// buffer and nothing records it. Returns false, having written nothing, otherwise (the caller computes anew).
    @inline(__always)
    fileprivate mutating func replaceInPlace(_ op: BinaryOp, scalar: Double) -> Bool {
        guard tracking == nil, isKnownUniquelyReferenced(&buffer) else { return false }
        let n = count
        switch dtype {
        case .float32:
            var c = Float(scalar)
            let p = buffer.pointer(Float.self)
            withUnsafePointer(to: &c) { ElementwiseKernels.binaryRow(op, UnsafePointer(p), 1, $0, 0, p, n) }
        case .float64:
            var c = scalar
            let p = buffer.pointer(Double.self)
            withUnsafePointer(to: &c) { ElementwiseKernels.binaryRow(op, UnsafePointer(p), 1, $0, 0, p, n) }
        default:
            return false
        }
        return true
    }

    /// self ← self ∘ other elementwise in place (same shape and dtype), under the conditions of the scalar form.
    @inline(__always)
    fileprivate mutating func replaceInPlace(_ op: BinaryOp, with other: Tensor) -> Bool {
        guard tracking == nil, other.shape == shape, other.dtype == dtype, isKnownUniquelyReferenced(&buffer) else { return false }
        let n = count
        switch dtype {
        case .float32:
            let p = buffer.pointer(Float.self)
            withExtendedLifetime(other) { ElementwiseKernels.binaryRow(op, UnsafePointer(p), 1, UnsafePointer(other.buffer.pointer(Float.self)), 1, p, n) }
        case .float64:
            let p = buffer.pointer(Double.self)
            withExtendedLifetime(other) { ElementwiseKernels.binaryRow(op, UnsafePointer(p), 1, UnsafePointer(other.buffer.pointer(Double.self)), 1, p, n) }
        default:
            return false
        }
        return true
    }
}
