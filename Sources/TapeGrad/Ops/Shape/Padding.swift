// Padding with a constant, by reflection, or by replicating the edge.

/// How ``pad(_:padding:mode:value:)`` fills the new elements.
///
/// ```swift
/// pad(Tensor([1, 2, 3]), padding: [2, 1], mode: .reflect)   // [3, 2, 1, 2, 3, 2]
/// ```
public enum PaddingMode: String, Sendable {
    /// A constant value (negative padding crops).
    case constant
    /// The mirror image without repeating the edge: `[1, 2, 3]` padded by 2 on the left reads `3, 2 | 1, 2, 3`.
    case reflect
    /// The edge element repeated.
    case replicate
}

/// Pads the last dimensions: `padding` is `[left, right]` for the last dimension, then
/// `[top, bottom]` for the one before, and so on (PyTorch's order). MindSpore `ops.pad(input_x, padding, mode, value)`.
/// Reflect needs padding < the dimension's size; replicate needs a non-empty dimension.
/// ∂L/∂x = G summed back onto the elements each padded element copies (the constant gets none).
///
/// ```swift
/// pad(Tensor([[1, 2]]), padding: [1, 0, 0, 1], value: 9)   // [[9, 1, 2], [9, 9, 9]]
/// ```
public func pad(_ x: Tensor, padding: [Int], mode: PaddingMode = .constant, value: Double = 0) -> Tensor {
    guard padding.count % 2 == 0, padding.count / 2 <= x.rank else {
        reportError(TensorError(op: "pad", message: "padding \(padding) must hold an even number of values, at most 2 × rank \(x.rank) (shape \(x.shape))"))
        return Tensor.placeholder(dtype: x.dtype)
    }
    // The padded shape first, with checked sizes, before any map is built.
    var padded = x.shape
    for p in 0..<(padding.count / 2) {
        let d = x.rank - 1 - p, before = padding[2 * p], after = padding[2 * p + 1]
        let (partial, o1) = x.shape[d].addingReportingOverflow(before), (size, o2) = partial.addingReportingOverflow(after)
        guard !o1, !o2, size >= 0 else {
            reportError(TensorError(op: "pad", message: "padding \(before), \(after) leaves a negative or too large size for dimension \(d) of shape \(x.shape)"))
            return Tensor.placeholder(dtype: x.dtype)
        }
        padded[d] = size
    }
    guard Tensor.validCount(padded, op: "pad") != nil else { return Tensor.placeholder(dtype: x.dtype) }
    var maps = x.identityMaps
    var filled = false
    for p in 0..<(padding.count / 2) {
        let d = x.rank - 1 - p, n = x.shape[d]
        let before = padding[2 * p], after = padding[2 * p + 1]
        switch mode {
        case .constant:
            maps[d] = (0..<(n + before + after)).map { o in let i = o - before; return i >= 0 && i < n ? i : -1 }
            if before > 0 || after > 0 { filled = true }
        case .reflect:
            guard before >= 0, after >= 0, before < n || before == 0, after < n || after == 0 else {
                reportError(TensorError(op: "pad", message: "reflect padding \(before), \(after) must be ≥ 0 and < the size \(n) of dimension \(d)"))
                return Tensor.placeholder(dtype: x.dtype)
            }
            maps[d] = (0..<(n + before + after)).map { o in
                let i = o - before
                return i < 0 ? -i : (i >= n ? 2 * (n - 1) - i : i)
            }
        case .replicate:
            guard before >= 0, after >= 0, n > 0 || before + after == 0 else {
                reportError(TensorError(op: "pad", message: "replicate padding \(before), \(after) must be ≥ 0 on a non-empty dimension (\(d) of shape \(x.shape))"))
                return Tensor.placeholder(dtype: x.dtype)
            }
            maps[d] = (0..<(n + before + after)).map { o in Swift.min(Swift.max(o - before, 0), n - 1) }
        }
    }
    let out = x.remapped(maps)
    guard filled, value != 0 else { return out }
    // The constant where no input element landed (a constant mask: the value gets no gradient).
    let ones = Tensor.ones(x.shape, dtype: x.dtype).remapped(maps)
    return `where`(ones, out, Tensor.full([], value: value, dtype: x.dtype))
}
