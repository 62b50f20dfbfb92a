// What may stand inside a tensor subscript, and how a list of such items resolves to flat positions.

/// One item of a tensor subscript: `x[2]`, `x[1..<3]`, `x[..., 0]`, `x[0, 1..<4]`, `x[idx]`,
/// `x[TensorIndex.mask(m)]`.
///
/// Integers and Swift ranges convert to it implicitly (``TensorIndexConvertible``); the other items
/// are spelled as cases. Negative integers and range bounds count from the end (`x[-1]` is the last
/// row); an index or bound outside the dimension is an error, never clamped.
///
/// - `index(i)`: one position; the dimension is removed.
/// - `slice(start:end:step:)`: Python's `start:end:step` (`nil` = the default bound; `step` ≠ 0,
///   negative walks backwards).
/// - `ellipsis`: as many full dimensions as needed (`x[..., 0]` is also written with Swift's `...`).
/// - `newAxis`: inserts a dimension of size 1.
/// - `indices(t)`: an int32 tensor of positions along one dimension; the dimension is replaced by `t`'s shape.
/// - `mask(m)`: a bool tensor (what `greater` or `equal` return), or a numeric one true where non-zero, over
///   the next `m.rank` dimensions; they are replaced by one dimension holding the selected elements in
///   row-major order. A bool tensor written directly, `x[m]`, is this mask (NumPy's and MindSpore's `x[m]`).
///
/// At most one `indices` or `mask` item may appear (NumPy's single advanced index; it stays in place).
///
/// ```swift
/// let x = Tensor.arange(12).reshaped(to: [3, 4])
/// x[TensorIndex.slice(start: nil, end: nil, step: -1), 0]   // [8, 4, 0]
/// x[TensorIndex.newAxis, 1].shape                              // [1, 4]
/// ```
public enum TensorIndex: Sendable {
    /// One position (negative counts from the end); the dimension is removed: `x[TensorIndex.index(-1)]`.
    case index(Int)
    /// Python's `start:end:step`: `x[TensorIndex.slice(start: nil, end: nil, step: 2)]` takes every other row.
    case slice(start: Int?, end: Int?, step: Int)
    /// As many full dimensions as needed: `x[TensorIndex.ellipsis, 0]` is `x[..., 0]`.
    case ellipsis
    /// A new dimension of size 1: `x[TensorIndex.newAxis].shape` is `[1] + x.shape`.
    case newAxis
    /// An int32 index tensor along one dimension: `x[TensorIndex.indices(Tensor([2, 0] as [Int32]))]`.
    case indices(Tensor)
    /// A mask (bool, or numeric non-zero) over the next `rank` dimensions: `x[TensorIndex.mask(greater(x, Tensor(0)))]`.
    case mask(Tensor)
}

/// A value usable inside a tensor subscript: `Int`, the Swift range types, an int32 ``Tensor`` of
/// indices, or a ``TensorIndex``.
///
/// ```swift
/// let item: any TensorIndexConvertible = 1..<3
/// ```
public protocol TensorIndexConvertible {
    /// The subscript item this value stands for.
    var tensorIndex: TensorIndex { get }
}

extension TensorIndex: TensorIndexConvertible {
    /// Itself.
    public var tensorIndex: TensorIndex { self }
}
extension Int: TensorIndexConvertible {
    /// `.index(self)`: `x[2]`.
    public var tensorIndex: TensorIndex { .index(self) }
}
extension Range: TensorIndexConvertible where Bound == Int {
    /// `.slice(lowerBound, upperBound, 1)`: `x[1..<3]`.
    public var tensorIndex: TensorIndex { .slice(start: lowerBound, end: upperBound, step: 1) }
}
extension ClosedRange: TensorIndexConvertible where Bound == Int {
    /// `.slice(lowerBound, upperBound + 1, 1)`: `x[1...2]`.
    public var tensorIndex: TensorIndex { .slice(start: lowerBound, end: upperBound == -1 ? nil : upperBound &+ 1, step: 1) }
}
extension PartialRangeFrom: TensorIndexConvertible where Bound == Int {
    /// `.slice(lowerBound, nil, 1)`: `x[2...]`.
    public var tensorIndex: TensorIndex { .slice(start: lowerBound, end: nil, step: 1) }
}
extension PartialRangeUpTo: TensorIndexConvertible where Bound == Int {
    /// `.slice(nil, upperBound, 1)`: `x[..<2]`.
    public var tensorIndex: TensorIndex { .slice(start: nil, end: upperBound, step: 1) }
}
extension PartialRangeThrough: TensorIndexConvertible where Bound == Int {
    /// `.slice(nil, upperBound + 1, 1)`: `x[...2]`.
    public var tensorIndex: TensorIndex { .slice(start: nil, end: upperBound == -1 ? nil : upperBound &+ 1, step: 1) }
}
extension Tensor: TensorIndexConvertible {
    /// `.indices(self)` for an index tensor, `x[idx]`; `.mask(self)` for a bool tensor, `x[greater(x, Tensor(0))]`
    /// (a numeric 0/1 mask is written `x[mask: m]`).
    public var tensorIndex: TensorIndex { dtype == .bool ? .mask(self) : .indices(self) }
}

extension Tensor {
    /// Resolves subscript items to the flat positions they select and the shape of the selection, or
    /// nil after reporting an error naming `op`.
    func resolve(_ items: [TensorIndex], op: String) -> (positions: [Int], shape: [Int])? {
        func fail(_ message: String) -> (positions: [Int], shape: [Int])? {
            reportError(TensorError(op: op, message: message))
            return nil
        }
        var consumed = 0, ellipses = 0, advanced = 0
        for item in items {
            switch item {
            case .index, .slice: consumed += 1
            case .indices: consumed += 1; advanced += 1
            case .mask(let m): consumed += m.rank; advanced += 1
            case .ellipsis: ellipses += 1
            case .newAxis: break
            }
        }
        guard ellipses <= 1 else { return fail("at most one ellipsis may appear, got \(ellipses)") }
        guard advanced <= 1 else { return fail("at most one index tensor or mask may appear, got \(advanced)") }
        guard consumed <= rank else { return fail("\(consumed) indices are too many for a tensor of shape \(shape)") }
        var expanded: [TensorIndex] = []
        let fill = [TensorIndex](repeating: .slice(start: nil, end: nil, step: 1), count: rank - consumed)
        for item in items {
            if case .ellipsis = item { expanded += fill } else { expanded.append(item) }
        }
        if ellipses == 0 { expanded += fill }

        let strides = Tensor.strides(of: shape)
        var offsets: [[Int]] = [], outShape: [Int] = []
        // NumPy's placement rule: integers count as advanced indices beside an index tensor or mask; when
        // they are not all adjacent, the advanced dimensions go first.
        var advancedItems: [Int] = [], advancedGroup: Int?, advancedDims: Range<Int>?
        var d = 0
        for (position, item) in expanded.enumerated() {
            switch item {
            case .index, .indices, .mask: advancedItems.append(position)
            default: break
            }
            switch item {
            case .index(let i):
                let n = shape[d]
                guard i >= -n && i < n else { return fail("index \(i) is out of range for axis \(d) of size \(n) (shape \(shape))") }
                offsets.append([(i < 0 ? i + n : i) * strides[d]])
                d += 1
            case .slice(let start, let end, let step):
                let n = shape[d]
                guard step != 0 else { return fail("slice step must be non-zero, got 0 (axis \(d))") }
                func bound(_ b: Int, _ name: String) -> Int? {
                    guard b >= -n && b <= n else { return nil }
                    return b < 0 ? b + n : b
                }
                var picked: [Int] = []
                if step > 0 {
                    guard let s = bound(start ?? 0, "start"), let e = bound(end ?? n, "end") else {
                        return fail("slice \(start.map(String.init) ?? "")..<\(end.map(String.init) ?? "") is out of range for axis \(d) of size \(n) (shape \(shape))")
                    }
                    guard s <= e else { return fail("slice start \(start ?? 0) is after end \(end ?? n) on axis \(d) of size \(n)") }
                    picked = Array(stride(from: s, to: e, by: step))
                } else {
                    let s = start.flatMap { bound($0, "start") } ?? (start == nil ? n - 1 : nil)
                    let e = end.flatMap { bound($0, "end") } ?? (end == nil ? -1 : nil)
                    guard let s, let e, s < n || n == 0, s >= e || n == 0 else {
                        return fail("slice \(start.map(String.init) ?? ""):\(end.map(String.init) ?? ""):\(step) is out of range for axis \(d) of size \(n) (shape \(shape))")
                    }
                    picked = n == 0 ? [] : Array(stride(from: s, to: e, by: step))
                }
                offsets.append(picked.map { $0 * strides[d] })
                outShape.append(picked.count)
                d += 1
            case .newAxis:
                offsets.append([0])
                outShape.append(1)
            case .indices(let t):
                guard t.dtype == .int32 else {
                    return fail("an index tensor must be int32, got \(t.dtype) (a mask is a bool tensor, or a numeric one written x[mask: m])")
                }
                let n = shape[d]
                var list = t.asArray(Int32.self).map(Int.init)
                for k in list.indices {
                    let i = list[k]
                    guard i >= -n && i < n else { return fail("index \(i) in the index tensor is out of range for axis \(d) of size \(n) (shape \(shape))") }
                    list[k] = (i < 0 ? i + n : i) * strides[d]
                }
                advancedGroup = offsets.count
                advancedDims = outShape.count..<(outShape.count + t.rank)
                offsets.append(list)
                outShape += t.shape
                d += 1
            case .mask(let m):
                let covered = Array(shape[d..<(d + m.rank)])
                guard m.shape == covered else {
                    return fail("mask of shape \(m.shape) does not match dimensions \(d)..<\(d + m.rank) of shape \(shape) (expected \(covered))")
                }
                // The covered dimensions are consecutive, so an element's offset is its flat index within
                // the mask times the stride of the mask's last dimension.
                let unit = m.rank > 0 ? strides[d + m.rank - 1] : 0
                var list: [Int] = []
                m.withUnsafeBufferPointer(as: Double.self) { p in
                    for k in 0..<p.count where p[k] != 0 { list.append(k * unit) }
                }
                advancedGroup = offsets.count
                advancedDims = outShape.count..<(outShape.count + 1)
                offsets.append(list)
                outShape.append(list.count)
                d += m.rank
            case .ellipsis:
                break
            }
        }
        if let g = advancedGroup, let dims = advancedDims, let first = advancedItems.first, let last = advancedItems.last,
           last - first + 1 != advancedItems.count {
            offsets.insert(offsets.remove(at: g), at: 0)
            outShape = Array(outShape[dims]) + Array(outShape[..<dims.lowerBound]) + Array(outShape[dims.upperBound...])
        }
        return (Tensor.combine(offsets), outShape)
    }
}
