// Walking a tensor lane by lane along one axis: the shared layout of the selection and scan ops.

/// The `[outer, length, inner]` view of a shape around one axis: lane `(o, j)` holds the elements
/// `base + i · stride` for `i` in `0..<length`, with `base = o · length · inner + j` and `stride = inner`.
struct Lanes {
    let outer: Int
    let length: Int
    let inner: Int

    init(shape: [Int], axis: Int) {
        outer = shape[..<axis].reduce(1, *)
        length = shape[axis]
        inner = shape[(axis + 1)...].reduce(1, *)
    }

    var count: Int { outer * inner }

    /// The flat offset of the first element of lane `lane` (0..<count).
    @inline(__always) func base(_ lane: Int) -> Int {
        let o = lane / Swift.max(inner, 1), j = lane - o * inner
        return o * length * inner + j
    }
}

extension Tensor {
    /// The axis normalised, or nil after reporting; a rank-0 tensor is treated as one element (axis 0 or −1).
    func scanAxis(_ axis: Int, op: String) -> Int? {
        normalizedAxis(axis, op: op)
    }

    /// Works on rank ≥ 1: a rank-0 tensor is viewed as `[1]` (the op's result is reshaped back by callers).
    var atLeast1D: Tensor { rank == 0 ? reshaped(to: [1]) : self }
}

/// Whether `a` orders before `b` when NaN counts as the largest value (as PyTorch sorts).
@inline(__always) func lessNaNLast(_ a: Double, _ b: Double) -> Bool {
    if a.isNaN { return false }
    if b.isNaN { return true }
    return a < b
}
