// Shared pieces of the linear-algebra ops: batches of matrices, matrix transposes and triangle masks.

extension Tensor {
    /// The transpose of the last two dimensions (each matrix of a batch). ∂L/∂x = Gᵀ. Below rank 2 (an inert
    /// placeholder after a reported error) it is the tensor itself.
    var matrixTransposed: Tensor {
        guard rank >= 2 else { return self }
        var perm = Array(0..<rank)
        perm.swapAt(rank - 1, rank - 2)
        return transposed(permutation: perm)
    }

    /// The batch shape and matrix size of a `[..., rows, cols]` tensor (reported when rank < 2 or, with
    /// `square`, when rows ≠ cols).
    func matrixShape(op: String, argument: String = "input", square: Bool) -> (batch: [Int], rows: Int, cols: Int)? {
        guard rank >= 2 else {
            reportError(TensorError(op: op, message: "argument \(argument) must be a matrix or a batch of matrices (rank ≥ 2), got shape \(shape)"))
            return nil
        }
        let rows = shape[rank - 2], cols = shape[rank - 1]
        guard !square || rows == cols else {
            reportError(TensorError(op: op, message: "argument \(argument) must hold square matrices, got shape \(shape)"))
            return nil
        }
        return (Array(shape.dropLast(2)), rows, cols)
    }

    /// A constant `rows × cols` 0/1 mask keeping the lower (or upper) triangle, the diagonal at `scale`.
    static func triangleMask(rows: Int, cols: Int, lower: Bool, diagonal scale: Double = 1, dtype: DType) -> Tensor {
        var values = [Double](repeating: 0, count: rows * cols)
        for i in 0..<rows {
            for j in 0..<cols where lower ? j <= i : j >= i { values[i * cols + j] = i == j ? scale : 1 }
        }
        return Tensor(values, shape: [rows, cols]).converted(to: dtype)
    }

    /// Reinterprets each row-major `rows × cols` matrix of `values` as its column-major transpose, running
    /// `body` on every matrix of the batch, and concatenating what `body` returns (nil stops: an error).
    static func forEachMatrix(_ values: [Double], count: Int, size: Int, _ body: ([Double]) -> [Double]?) -> [Double]? {
        var out: [Double] = []
        for b in 0..<count {
            guard let result = body(Array(values[(b * size)..<((b + 1) * size)])) else { return nil }
            out += result
        }
        return out
    }

    /// The transpose of a `rows × cols` row-major array (a column-major copy).
    static func transposedArray(_ a: [Double], rows: Int, cols: Int) -> [Double] {
        var t = [Double](repeating: 0, count: a.count)
        for i in 0..<rows { for j in 0..<cols { t[j * rows + i] = a[i * cols + j] } }
        return t
    }
}
