// Triangles, diagonals and the trace of matrices.

extension Tensor {
    /// A constant 0/1 mask over the last two dimensions: 1 where `keep(row, column)`.
    func matrixMask(op: String, _ keep: (Int, Int) -> Bool) -> Tensor? {
        guard rank >= 2 else {
            reportError(TensorError(op: op, message: "input must have rank ≥ 2, got shape \(shape)"))
            return nil
        }
        let (m, n) = (shape[rank - 2], shape[rank - 1])
        var mask = [Double](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n where keep(i, j) { mask[i * n + j] = 1 } }
        return Tensor(mask, shape: [m, n]).converted(to: dtype)
    }
}

/// The upper triangle of the last two dimensions: elements with column − row ≥ `diagonal`, zeros
/// elsewhere. MindSpore `ops.triu(input, diagonal)`. ∂L/∂x = G on the kept triangle, 0 elsewhere.
///
/// ```swift
/// triu(Tensor([[1, 2], [3, 4]]))   // [[1, 2], [0, 4]]
/// ```
public func triu(_ x: Tensor, diagonal: Int = 0) -> Tensor {
    guard let mask = x.matrixMask(op: "triu", { $1 - $0 >= diagonal }) else { return Tensor.placeholder(dtype: x.dtype) }
    return `where`(mask, x, Tensor.zeros([], dtype: x.dtype))
}

/// The lower triangle: elements with column − row ≤ `diagonal`. MindSpore `ops.tril(input, diagonal)`.
/// ∂L/∂x = G on the kept triangle.
///
/// ```swift
/// tril(Tensor([[1, 2], [3, 4]]), diagonal: -1)   // [[0, 0], [3, 0]]
/// ```
public func tril(_ x: Tensor, diagonal: Int = 0) -> Tensor {
    guard let mask = x.matrixMask(op: "tril", { $1 - $0 <= diagonal }) else { return Tensor.placeholder(dtype: x.dtype) }
    return `where`(mask, x, Tensor.zeros([], dtype: x.dtype))
}

/// The diagonal `offset` (above the main one when positive) of the plane spanned by `axis1` and
/// `axis2`; those two dimensions are removed and the diagonal becomes the last one.
/// MindSpore `ops.diagonal(input, offset, dim1, dim2)`. ∂L/∂x = G placed back on the diagonal.
///
/// ```swift
/// diagonal(Tensor([[1, 2, 3], [4, 5, 6]]), offset: 1)   // [2, 6]
/// ```
public func diagonal(_ x: Tensor, offset: Int = 0, axis1: Int = 0, axis2: Int = 1) -> Tensor {
    guard x.rank >= 2 else {
        reportError(TensorError(op: "diagonal", message: "input must have rank ≥ 2, got shape \(x.shape)"))
        return Tensor.placeholder(dtype: x.dtype)
    }
    guard let axes = x.distinctAxes([axis1, axis2], op: "diagonal") else { return Tensor.placeholder(dtype: x.dtype) }
    let (d1, d2) = (axes[0], axes[1])
    let strides = Tensor.strides(of: x.shape)
    let length = Swift.max(0, offset >= 0 ? Swift.min(x.shape[d1], x.shape[d2] - offset) : Swift.min(x.shape[d1] + offset, x.shape[d2]))
    let start = offset >= 0 ? offset * strides[d2] : -offset * strides[d1]
    var offsets: [[Int]] = [], outShape: [Int] = []
    for d in 0..<x.rank where d != d1 && d != d2 {
        offsets.append((0..<x.shape[d]).map { $0 * strides[d] })
        outShape.append(x.shape[d])
    }
    offsets.append((0..<length).map { start + $0 * (strides[d1] + strides[d2]) })
    outShape.append(length)
    return x.taking(flat: Tensor.combine(offsets), shape: outShape)
}

/// A 1-D tensor made into a square matrix with it on diagonal `offset`, or the diagonal `offset` of a
/// matrix as a 1-D tensor (PyTorch `torch.diag`; MindSpore `ops.diag` covers the 1-D case).
/// ∂L/∂x = the diagonal of G, or G placed on the diagonal.
///
/// ```swift
/// diag(Tensor([1, 2]))                  // [[1, 0], [0, 2]]
/// diag(Tensor([[1, 2], [3, 4]]))        // [1, 4]
/// ```
public func diag(_ x: Tensor, offset: Int = 0) -> Tensor {
    switch x.rank {
    case 1:
        let n = x.shape[0], size = n &+ Swift.abs(offset)
        guard offset != Int.min, size >= n, Tensor.validCount([size, size], op: "diag") != nil else {
            if offset == Int.min || size < n { reportError(TensorError(op: "diag", message: "offset \(offset) is too large")) }
            return Tensor.placeholder(dtype: x.dtype)
        }
        let start = offset >= 0 ? offset : -offset * size
        let positions = (0..<n).map { start + $0 * (size + 1) }
        return x.addingAt(flat: positions, into: [size, size])
    case 2:
        return diagonal(x, offset: offset)
    default:
        reportError(TensorError(op: "diag", message: "input must have rank 1 or 2, got shape \(x.shape)"))
        return Tensor.placeholder(dtype: x.dtype)
    }
}

/// The sum of the main diagonal of a matrix. MindSpore `ops.trace(input)`. ∂L/∂x = G · I.
///
/// ```swift
/// trace(Tensor([[1, 2], [3, 4]]))   // 5
/// ```
public func trace(_ x: Tensor) -> Tensor {
    guard x.rank == 2 else {
        reportError(TensorError(op: "trace", message: "input must be a matrix (rank 2), got shape \(x.shape)"))
        return Tensor.placeholder(dtype: x.dtype)
    }
    return diagonal(x).sum()
}
