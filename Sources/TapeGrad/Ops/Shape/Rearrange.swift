// Ops that move elements by a per-dimension map: flip, roll, tile and repeatInterleave. Each output
// coordinate along dimension d reads input coordinate maps[d][i]; the gradient scatters back.

extension Tensor {
    /// out[i₀, i₁, …] = x[maps[0][i₀], maps[1][i₁], …] (a coordinate of −1 reads 0).
    /// ∂L/∂x = G scatter-added back through the same maps.
    func remapped(_ maps: [[Int]]) -> Tensor {
        let strides = Tensor.strides(of: shape)
        let positions = Tensor.combine(maps.enumerated().map { d, m in m.map { $0 < 0 ? -1 : $0 * strides[d] } })
        return taking(flat: positions, shape: maps.map(\.count))
    }

    /// Distinct normalised axes, or nil after reporting.
    func distinctAxes(_ axes: [Int], op: String) -> [Int]? {
        var out: [Int] = []
        for axis in axes {
            guard let a = normalizedAxis(axis, op: op), rank > 0 else {
                if rank == 0 { reportError(TensorError(op: op, message: "axis \(axis) is out of range for a tensor of shape []")) }
                return nil
            }
            guard !out.contains(a) else {
                reportError(TensorError(op: op, message: "axis \(axis) is repeated in \(axes)"))
                return nil
            }
            out.append(a)
        }
        return out
    }

    var identityMaps: [[Int]] { shape.map { Array(0..<$0) } }
}

/// The elements in reverse order along each of `axes`. MindSpore `ops.flip(input, dims)`.
/// ∂L/∂x = G flipped back.
///
/// ```swift
/// flip(Tensor([[1, 2], [3, 4]]), axes: [1])   // [[2, 1], [4, 3]]
/// ```
public func flip(_ x: Tensor, axes: [Int]) -> Tensor {
    guard let axes = x.distinctAxes(axes, op: "flip") else { return Tensor.placeholder(dtype: x.dtype) }
    var maps = x.identityMaps
    for a in axes { maps[a].reverse() }
    return x.remapped(maps)
}

/// Rotates the elements along each axis by its shift (positive moves towards the end, wrapping
/// around); with no axes, the flattened tensor is rolled and reshaped back. MindSpore `ops.roll(input, shifts, dims)`.
/// ∂L/∂x = G rolled back by −shift.
///
/// ```swift
/// roll(Tensor([1, 2, 3, 4]), shifts: [1])                          // [4, 1, 2, 3]
/// roll(Tensor([[1, 2], [3, 4]]), shifts: [1, -1], axes: [0, 1])   // [[4, 3], [2, 1]]
/// ```
public func roll(_ x: Tensor, shifts: [Int], axes: [Int] = []) -> Tensor {
    if axes.isEmpty {
        guard shifts.count == 1 else {
            reportError(TensorError(op: "roll", message: "shifts \(shifts) must hold one value when no axes are given"))
            return Tensor.placeholder(dtype: x.dtype)
        }
        return roll(x.reshaped(to: [x.count]), shifts: shifts, axes: [0]).reshaped(to: x.shape)
    }
    guard shifts.count == axes.count else {
        reportError(TensorError(op: "roll", message: "shifts \(shifts) and axes \(axes) must have the same length"))
        return Tensor.placeholder(dtype: x.dtype)
    }
    guard let normalized = x.distinctAxes(axes, op: "roll") else { return Tensor.placeholder(dtype: x.dtype) }
    var maps = x.identityMaps
    for (a, shift) in zip(normalized, shifts) {
        let n = x.shape[a]
        guard n > 0 else { continue }
        let s = ((shift % n) + n) % n
        maps[a] = (0..<n).map { ($0 - s + n) % n }
    }
    return x.remapped(maps)
}

/// The tensor repeated `multiples[d]` times along each dimension; when `multiples` is longer than the
/// rank, leading dimensions of size 1 are added first. MindSpore `ops.tile(input, dims)`.
/// ∂L/∂x = the sum of G over the copies.
///
/// ```swift
/// tile(Tensor([1, 2]), multiples: [2, 2])   // [[1, 2, 1, 2], [1, 2, 1, 2]]
/// ```
public func tile(_ x: Tensor, multiples: [Int]) -> Tensor {
    guard multiples.allSatisfy({ $0 >= 0 }) else {
        reportError(TensorError(op: "tile", message: "multiples \(multiples) must be ≥ 0"))
        return Tensor.placeholder(dtype: x.dtype)
    }
    guard multiples.count >= x.rank else {
        reportError(TensorError(op: "tile", message: "multiples \(multiples) must have at least rank \(x.rank) entries (shape \(x.shape))"))
        return Tensor.placeholder(dtype: x.dtype)
    }
    let v = x.reshaped(to: [Int](repeating: 1, count: multiples.count - x.rank) + x.shape)
    guard Tensor.validCount(zip(v.shape, multiples).map { $0.multipliedReportingOverflow(by: $1).overflow ? -1 : $0 * $1 }, op: "tile") != nil else {
        return Tensor.placeholder(dtype: x.dtype)
    }
    let maps = zip(v.shape, multiples).map { n, m in (0..<(n * m)).map { $0 % n } }
    return v.remapped(maps)
}

/// Each element (or slice along `axis`) repeated in place: `repeats` times each, or `repeats[i]` times
/// the i-th. With no axis the tensor is flattened first. MindSpore `ops.repeat_interleave(input, repeats, axis)`.
/// ∂L/∂x = the sum of G over each element's copies.
///
/// ```swift
/// repeatInterleave(Tensor([1, 2]), repeats: [2])                       // [1, 1, 2, 2]
/// repeatInterleave(Tensor([[1, 2], [3, 4]]), repeats: [1, 2], axis: 0)  // [[1, 2], [3, 4], [3, 4]]
/// ```
public func repeatInterleave(_ x: Tensor, repeats: [Int], axis: Int? = nil) -> Tensor {
    guard let axis else { return repeatInterleave(x.reshaped(to: [x.count]), repeats: repeats, axis: 0) }
    guard let a = x.distinctAxes([axis], op: "repeatInterleave")?.first else { return Tensor.placeholder(dtype: x.dtype) }
    let n = x.shape[a]
    guard repeats.allSatisfy({ $0 >= 0 }), repeats.count == 1 || repeats.count == n else {
        reportError(TensorError(op: "repeatInterleave", message: "repeats \(repeats) must be ≥ 0 and hold 1 or \(n) values (axis \(axis) of shape \(x.shape))"))
        return Tensor.placeholder(dtype: x.dtype)
    }
    var total = 0
    for i in 0..<n {
        let (sum, overflow) = total.addingReportingOverflow(repeats.count == 1 ? repeats[0] : repeats[i])
        guard !overflow else {
            reportError(TensorError(op: "repeatInterleave", message: "repeats \(repeats) make too many elements"))
            return Tensor.placeholder(dtype: x.dtype)
        }
        total = sum
    }
    var outShape = x.shape
    outShape[a] = total
    guard Tensor.validCount(outShape, op: "repeatInterleave") != nil else { return Tensor.placeholder(dtype: x.dtype) }
    var maps = x.identityMaps
    maps[a] = (0..<n).flatMap { i in [Int](repeating: i, count: repeats.count == 1 ? repeats[0] : repeats[i]) }
    return x.remapped(maps)
}
