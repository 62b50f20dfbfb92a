// Reading and writing a tensor through subscripts, both sides differentiable.

extension Tensor {
    /// The elements that `items` select (see ``TensorIndex``); assigning writes them.
    ///
    /// Reading: y = x[items] gathers the selected elements; ∂L/∂x = G scattered back (positions picked
    /// twice by an index tensor accumulate).
    /// Writing: `x[items] = v` replaces the selected elements with `v` broadcast to the selection's shape
    /// (and cast to x's dtype), and is recorded: ∂L/∂x_old = G with the written elements zeroed,
    /// ∂L/∂v = G at the written elements, summed back to v's shape (when an index tensor writes one
    /// position twice, the last write wins and the earlier one gets no gradient).
    ///
    /// ```swift
    /// var x = Tensor.arange(12).reshaped(to: [3, 4])
    /// x[1]            // [4, 5, 6, 7]
    /// x[0, 1..<3]     // [1, 2]
    /// x[-1]           // [8, 9, 10, 11]
    /// x[Tensor([2, 0] as [Int32])]   // rows 2 and 0
    /// x[1..<3, 0] = Tensor([-1, -2])  // column 0 of rows 1 and 2
    /// ```
    public subscript(_ items: any TensorIndexConvertible...) -> Tensor {
        get { reading(items.map(\.tensorIndex)) }
        set { self = writing(items.map(\.tensorIndex), newValue) }
    }

    /// `x[..., items]`: Swift's `...` as NumPy's ellipsis, filling the leading dimensions.
    ///
    /// ```swift
    /// Tensor.zeros([2, 3, 4])[..., 0].shape   // [2, 3]
    /// ```
    public subscript(_ ellipsis: UnboundedRange, _ items: any TensorIndexConvertible...) -> Tensor {
        get { reading([.ellipsis] + items.map(\.tensorIndex)) }
        set { self = writing([.ellipsis] + items.map(\.tensorIndex), newValue) }
    }

    /// `x[i, ..., items]`: an item, then the ellipsis.
    ///
    /// ```swift
    /// Tensor.zeros([2, 3, 4])[0, ..., 1].shape   // [3]
    /// ```
    public subscript(_ first: any TensorIndexConvertible, _ ellipsis: UnboundedRange, _ items: any TensorIndexConvertible...) -> Tensor {
        get { reading([first.tensorIndex, .ellipsis] + items.map(\.tensorIndex)) }
        set { self = writing([first.tensorIndex, .ellipsis] + items.map(\.tensorIndex), newValue) }
    }

    /// The elements where `mask` is true, as a 1-D tensor in row-major order; the mask covers the leading
    /// `mask.rank` dimensions with exactly their shape (the rest are kept whole). Assigning writes them (a
    /// broadcastable value). A mask is a bool tensor (what ``greater(_:_:)`` returns; `x[m]` reads the same)
    /// or a numeric one, true where non-zero.
    ///
    /// ∂L/∂x = G scattered back to the selected elements.
    ///
    /// ```swift
    /// var x = Tensor([1, -2, 3])
    /// x[mask: greater(x, Tensor(0))]        // [1, 3]
    /// x[mask: less(x, Tensor(0))] = Tensor(0) // [1, 0, 3]
    /// ```
    public subscript(mask mask: Tensor) -> Tensor {
        get { reading([.mask(mask)]) }
        set { self = writing([.mask(mask)], newValue) }
    }

    func reading(_ items: [TensorIndex]) -> Tensor {
        if let block = readingBlock(items) { return block }
        guard let (positions, outShape) = resolve(items, op: "subscript") else { return Tensor.placeholder(dtype: dtype) }
        return taking(flat: positions, shape: outShape)
    }

    /// The fast path for integers and step-1 slices (`x[i..<j]`, `x[0, 1..<4]`, `x[..., 2]`): block copies
    /// through `sliced` instead of per-element positions. Nil when the items need the general path
    /// (which also reports every error).
    private func readingBlock(_ items: [TensorIndex]) -> Tensor? {
        var consumed = 0, ellipses = 0
        for item in items {
            switch item {
            case .index: consumed += 1
            case .slice(_, _, let step): guard step == 1 else { return nil }; consumed += 1
            case .ellipsis: ellipses += 1
            case .newAxis, .indices, .mask: return nil
            }
        }
        guard ellipses <= 1, consumed <= rank else { return nil }
        var bounds: [(start: Int, end: Int, keep: Bool)] = []
        var d = 0
        for item in items {
            switch item {
            case .index(let i):
                let n = shape[d]
                guard i >= -n && i < n else { return nil }
                let s = i < 0 ? i + n : i
                bounds.append((s, s + 1, false)); d += 1
            case .slice(let start, let end, _):
                let n = shape[d]
                let s = start ?? 0, e = end ?? n
                guard s >= -n && s <= n, e >= -n && e <= n else { return nil }
                let (a, b) = (s < 0 ? s + n : s, e < 0 ? e + n : e)
                guard a <= b else { return nil }
                bounds.append((a, b, true)); d += 1
            case .ellipsis:
                for _ in 0..<(rank - consumed) { bounds.append((0, shape[d], true)); d += 1 }
            default:
                return nil
            }
        }
        while d < rank { bounds.append((0, shape[d], true)); d += 1 }
        var out = self
        for (axis, b) in bounds.enumerated() where b.start != 0 || b.end != shape[axis] {
            out = out.sliced(alongAxis: axis, from: b.start, to: b.end)
        }
        let kept = bounds.enumerated().filter { $0.element.keep }.map { out.shape[$0.offset] }
        return kept == out.shape ? out : out.reshaped(to: kept)
    }

    func writing(_ items: [TensorIndex], _ value: Tensor) -> Tensor {
        guard let (positions, selection) = resolve(items, op: "subscript assignment") else { return self }
        guard Broadcasting.shape(value.shape, selection) == selection else {
            reportError(TensorError(op: "subscript assignment", message: "value of shape \(value.shape) does not broadcast to the selection's shape \(selection)"))
            return self
        }
        let v = value.astype(dtype).broadcast(to: selection)
        return replacing(flat: positions, with: v)
    }
}
