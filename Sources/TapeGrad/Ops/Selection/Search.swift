// Running minima, searching sorted sequences, consecutive runs.

/// Running minima along `axis` and the int32 position each came from (the latest on ties, as MindSpore;
/// a NaN propagates). MindSpore `ops.cummin(input, axis)`. ∂L/∂x = G scatter-added to those positions.
///
/// ```swift
/// let (values, indices) = cummin(Tensor([3, 1, 1, 2]), axis: 0)   // [3, 1, 1, 1], [0, 1, 2, 2]
/// ```
public func cummin(_ input: Tensor, axis: Int) -> (values: Tensor, indices: Tensor) {
    runningExtremum(input, axis: axis, op: "cummin") { v, best in v <= best }
}

/// The values sorted along axis 0. MindSpore `ops.msort(input)`. ∂L/∂x = G scattered back.
///
/// ```swift
/// msort(Tensor([[3, 1], [2, 4]]))   // [[2, 1], [3, 4]]
/// ```
public func msort(_ input: Tensor) -> Tensor { sort(input, axis: 0).values }

/// For each of `values`, the int32 position in the ascending `sortedSequence` (searched along its last
/// axis) where it would be inserted to keep the order: before equal elements, or after them when `right`.
/// `sortedSequence` is 1-D, or has `values`'s leading dimensions. MindSpore `ops.searchsorted(sorted_sequence,
/// values, right)` (int64 there). Not differentiable.
///
/// ```swift
/// searchsorted(Tensor([1, 3, 5]), values: Tensor([3, 6]))               // [1, 3]
/// searchsorted(Tensor([1, 3, 5]), values: Tensor([3]), right: true)     // [2]
/// ```
public func searchsorted(_ sortedSequence: Tensor, values: Tensor, right: Bool = false) -> Tensor {
    guard sortedSequence.rank >= 1, sortedSequence.rank == 1 || (values.rank == sortedSequence.rank
          && Array(values.shape.dropLast()) == Array(sortedSequence.shape.dropLast())) else {
        reportError(TensorError(op: "searchsorted", message: "sortedSequence of shape \(sortedSequence.shape) must be 1-D or share the leading dimensions of values \(values.shape)"))
        return Tensor.placeholder(dtype: .int32)
    }
    let seq = sortedSequence.scalars, v = values.scalars
    let n = sortedSequence.shape[sortedSequence.rank - 1]
    let perRow = sortedSequence.rank == 1 ? Swift.max(v.count, 1) : Swift.max(values.shape.last ?? 1, 1)
    var out = [Int32](repeating: 0, count: v.count)
    for k in 0..<v.count {
        let row = sortedSequence.rank == 1 ? 0 : k / perRow
        var lo = 0, hi = n
        while lo < hi {
            let mid = (lo + hi) / 2, s = seq[row * n + mid]
            if right ? !(v[k] < s) : s < v[k] { lo = mid + 1 } else { hi = mid }
        }
        out[k] = Int32(lo)
    }
    return Tensor(out, shape: values.shape)
}

/// The flattened input with each run of equal consecutive elements collapsed to one, the int32 run of
/// each input element (input's shape), and each run's length. MindSpore `ops.unique_consecutive(input,
/// return_inverse, return_counts)` with `dim=None`. The values carry the gradient of the first element of each run.
///
/// ```swift
/// uniqueConsecutive(Tensor([1, 1, 2, 1])).values   // [1, 2, 1]
/// ```
public func uniqueConsecutive(_ input: Tensor) -> (values: Tensor, inverse: Tensor, counts: Tensor) {
    let v = input.scalars
    var runs: [Double] = [], counts: [Int32] = [], first: [Int] = []
    var inverse = [Int32](repeating: 0, count: v.count)
    for (i, x) in v.enumerated() {
        if let last = runs.last, last == x || (last.isNaN && x.isNaN) { counts[counts.count - 1] += 1 } else { runs.append(x); counts.append(1); first.append(i) }
        inverse[i] = Int32(runs.count - 1)
    }
    // The values are read from the input at the start of each run, so they carry its gradient.
    let picked = input.reshaped(to: [input.count]).taking(flat: first, shape: [runs.count])
    return (picked, Tensor(inverse, shape: input.shape), Tensor(counts, shape: [counts.count]))
}
