// Sorting along an axis (stable), and the distinct elements of a tensor.

extension Tensor {
    /// For each lane along axis `a` (rank ≥ 1): the first `keep` positions of a stable sort (NaN as the
    /// largest value) as int32, and the flat positions of those elements, both laid out in the result's shape.
    func sortOrder(axis a: Int, descending: Bool, keep: Int) -> (order: [Int32], positions: [Int]) {
        let lanes = Lanes(shape: shape, axis: a)
        let values = scalars
        var order = [Int32](repeating: 0, count: lanes.count * keep)
        var positions = [Int](repeating: 0, count: lanes.count * keep)
        // Each element as (NaN rank, key, position): a plain lexicographic `<` is then the stable order, with
        // NaN last ascending and first descending (NaN counts as the largest value).
        struct Key { var rank: Int8; var key: Double; var position: Int32 }
        var lane = [Key](repeating: Key(rank: 0, key: 0, position: 0), count: lanes.length)
        for l in 0..<lanes.count {
            let base = lanes.base(l)
            for i in 0..<lanes.length {
                let v = values[base + i * lanes.inner]
                lane[i] = v.isNaN ? Key(rank: descending ? 0 : 1, key: 0, position: Int32(i))
                                  : Key(rank: descending ? 1 : 0, key: descending ? -v : v, position: Int32(i))
            }
            lane.sort { a, b in
                a.rank != b.rank ? a.rank < b.rank : (a.key != b.key ? a.key < b.key : a.position < b.position)
            }
            let o = l / Swift.max(lanes.inner, 1), j = l - o * lanes.inner
            for r in 0..<keep {
                let at = (o * keep + r) * lanes.inner + j
                order[at] = lane[r].position
                positions[at] = base + Int(lane[r].position) * lanes.inner
            }
        }
        return (order, positions)
    }
}

/// The elements sorted along `axis` and the int32 positions they came from. The sort is stable: equal
/// elements keep their order, ascending or descending; NaN sorts as the largest value.
/// MindSpore `ops.sort(input_x, axis, descending)`.
/// ∂L/∂input = G scattered back to where each element came from.
///
/// ```swift
/// let (values, indices) = sort(Tensor([3, 1, 2]))   // [1, 2, 3], [1, 2, 0]
/// ```
public func sort(_ input: Tensor, axis: Int = -1, descending: Bool = false) -> (values: Tensor, indices: Tensor) {
    let x = input.atLeast1D
    guard let a = x.normalizedAxis(axis, op: "sort") else { return (Tensor.placeholder(dtype: input.dtype), Tensor.placeholder(dtype: .int32)) }
    let (order, positions) = x.sortOrder(axis: a, descending: descending, keep: x.shape[a])
    let values = x.taking(flat: positions, shape: x.shape).reshaped(to: input.shape)
    return (values, Tensor(order, shape: input.shape))
}

/// The int32 positions that sort `input` along `axis` (stable). MindSpore `ops.argsort(input, axis, descending)`.
/// Not differentiable.
///
/// ```swift
/// argsort(Tensor([3, 1, 2]), descending: true)   // [0, 2, 1]
/// ```
public func argsort(_ input: Tensor, axis: Int = -1, descending: Bool = false) -> Tensor {
    sort(input.detached, axis: axis, descending: descending).indices
}

/// The distinct elements (1-D), the int32 position of each input element in that list (input's shape),
/// and how often each distinct element occurs (int32). With `sorted` (the default, as PyTorch and NumPy)
/// the distinct elements ascend; without it they keep the order of first appearance, as MindSpore's
/// `ops.unique(input)`. The values are differentiable as the elements they are taken from:
/// ∂L/∂xᵢ = G_k when xᵢ is the first occurrence of distinct value k (as `sort` and `max` pick one of tied
/// elements), 0 for later duplicates; `inverse` and `counts` are integers without gradient.
///
/// ```swift
/// let (values, inverse, counts) = unique(Tensor([2, 1, 2, 5]))   // [1, 2, 5], [1, 0, 1, 2], [1, 2, 1]
/// unique(Tensor([2, 1, 2, 5]), sorted: false).values              // [2, 1, 5]
/// ```
public func unique(_ input: Tensor, sorted: Bool = true) -> (values: Tensor, inverse: Tensor, counts: Tensor) {
    let values = input.scalars
    func same(_ a: Double, _ b: Double) -> Bool { a == b || (a.isNaN && b.isNaN) }
    var distinct: [Double] = [], counts: [Int32] = [], first: [Int] = []
    var inverse = [Int32](repeating: 0, count: values.count)
    if sorted {
        let order = values.indices.sorted { lessNaNLast(values[$0], values[$1]) || (!lessNaNLast(values[$1], values[$0]) && $0 < $1) }
        for i in order {
            if let last = distinct.last, same(last, values[i]) { counts[counts.count - 1] += 1 } else { distinct.append(values[i]); counts.append(1); first.append(i) }
            inverse[i] = Int32(distinct.count - 1)
        }
    } else {
        var slot: [Double: Int] = [:]
        var nanSlot: Int?
        for (i, v) in values.enumerated() {
            let known = v.isNaN ? nanSlot : slot[v]
            let s = known ?? distinct.count
            if known == nil {
                distinct.append(v); counts.append(0); first.append(i)
                if v.isNaN { nanSlot = s } else { slot[v] = s }
            }
            counts[s] += 1
            inverse[i] = Int32(s)
        }
    }
    // The values are read from the input at each first occurrence, so they carry its gradient.
    let picked = input.reshaped(to: [input.count]).taking(flat: first, shape: [distinct.count])
    return (picked, Tensor(inverse, shape: input.shape), Tensor(counts, shape: [counts.count]))
}
