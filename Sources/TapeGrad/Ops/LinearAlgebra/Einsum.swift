// Einstein summation, reduced to transposes, reshapes, sums and batched gemms — all differentiable, so the
// gradient of any equation is the composition of theirs.

/// Evaluates an Einstein-summation `equation` such as `"ij,jk->ik"` over `operands` (MindSpore's `ops.einsum`).
///
/// Each operand is named by one letter per dimension (`a`–`z`, `A`–`Z`); `...` stands for leading dimensions,
/// aligned right and broadcast. Without `->` the output is the letters used exactly once, alphabetically. A
/// letter repeated within one operand takes a diagonal (`"ii->i"`); letters missing from the output are
/// summed. Pairs of operands are contracted left to right through one batched matrix product each
/// (batch letters × kept letters × summed letters), so ∂L/∂operand comes from the matmul, sum and transpose
/// pullbacks: e.g. for C = einsum("ij,jk->ik", A, B), ∂L/∂A = G Bᵀ. Size-1 dimensions broadcast.
///
/// ```swift
/// einsum("ij,jk->ik", a, b)        // matmul(a, b)
/// einsum("bij,bjk->bik", x, y)     // bmm(x, y)
/// einsum("ii->", m)                // the trace
/// einsum("i,j->ij", u, v)          // outer(u, v)
/// ```
public func einsum(_ equation: String, _ operands: [Tensor]) -> Tensor {
    let dtype = operands.map(\.dtype).reduce(DType.int32) { DType.promoted($0, $1) }
    func fail(_ message: String) -> Tensor {
        reportError(TensorError(op: "einsum", message: "equation \"\(equation)\": \(message)"))
        return Tensor.placeholder(dtype: dtype)
    }
    let text = equation.filter { $0 != " " }
    let sides = text.components(separatedBy: "->")
    guard sides.count <= 2, !operands.isEmpty else { return fail("expected 'inputs->output' and at least one operand") }
    let terms = sides[0].components(separatedBy: ",")
    guard terms.count == operands.count else { return fail("has \(terms.count) input terms for \(operands.count) operands") }

    // Parse the terms, expanding "..." into private labels aligned right.
    let pool = Array("αβγδεζηθικλμνξοπρστυφχψω")
    func letters(_ term: String) -> (before: [Character], after: [Character], ellipsis: Bool)? {
        let parts = term.components(separatedBy: "...")
        guard parts.count <= 2 else { return nil }
        let ok = parts.allSatisfy { $0.allSatisfy { $0.isASCII && $0.isLetter } }
        return ok ? (Array(parts[0]), parts.count == 2 ? Array(parts[1]) : [], parts.count == 2) : nil
    }
    var labels: [[Character]] = []
    var ellipsisRank = 0
    var parsed: [(before: [Character], after: [Character], ellipsis: Bool)] = []
    for (term, x) in zip(terms, operands) {
        guard let p = letters(term) else { return fail("term \"\(term)\" must use letters and at most one '...'") }
        let named = p.before.count + p.after.count
        guard p.ellipsis ? x.rank >= named : x.rank == named else {
            return fail("term \"\(term)\" does not match an operand of shape \(x.shape)")
        }
        ellipsisRank = Swift.max(ellipsisRank, x.rank - named)
        parsed.append(p)
    }
    guard ellipsisRank <= pool.count else { return fail("'...' covers too many dimensions") }
    for (p, x) in zip(parsed, operands) {
        let e = x.rank - p.before.count - p.after.count
        labels.append(p.before + Array(pool[(ellipsisRank - e)..<ellipsisRank]) + p.after)
    }
    var output: [Character]
    if sides.count == 2 {
        guard let p = letters(sides[1]) else { return fail("the output must use letters and at most one '...'") }
        // An output without "..." sums the ellipsis dimensions away, as in NumPy.
        output = p.before + (p.ellipsis ? Array(pool[0..<ellipsisRank]) : []) + p.after
    } else {
        let all = labels.flatMap { $0 }.filter { !pool.contains($0) }
        output = Array(pool[0..<ellipsisRank]) + Set(all).filter { c in all.filter { $0 == c }.count == 1 }.sorted()
    }
    guard Set(output).count == output.count else { return fail("the output repeats a letter") }
    let used = Set(labels.flatMap { $0 })
    guard output.allSatisfy(used.contains) else { return fail("the output names a letter no input has") }

    // Sizes per letter (1 broadcasts), then broadcast each operand to them.
    var size: [Character: Int] = [:]
    for (l, x) in zip(labels, operands) {
        for (c, d) in zip(l, x.shape) {
            if let s = size[c], s != d, s != 1, d != 1 { return fail("letter '\(c)' has sizes \(s) and \(d)") }
            size[c] = Swift.max(size[c] ?? d, d)
        }
    }
    var tensors: [Tensor] = []
    for (i, x) in operands.enumerated() {
        var t = x
        let target = labels[i].map { size[$0] ?? 1 }
        if target != x.shape { t = t.broadcast(to: target) }
        // Diagonals: a letter repeated within one operand.
        var l = labels[i]
        while let (p, q) = firstRepeat(l) {
            var maskShape = [Int](repeating: 1, count: l.count)
            maskShape[p] = size[l[p]] ?? 1; maskShape[q] = maskShape[p]
            t = (t * Tensor.eye(maskShape[p], dtype: t.dtype).reshaped(to: maskShape)).sum(alongAxes: [q])
            l.remove(at: q)
        }
        labels[i] = l
        tensors.append(t)
    }

    // Contract left to right, summing each letter as soon as nothing later needs it.
    var current = tensors[0], currentLabels = labels[0]
    for i in 0..<tensors.count {
        let later = Set(output).union(labels.dropFirst(i + 1).flatMap { $0 })
        if i > 0 {
            var other = tensors[i], otherLabels = labels[i]
            let keep = later
            (current, currentLabels) = sumLetters(current, currentLabels, except: keep.union(otherLabels))
            (other, otherLabels) = sumLetters(other, otherLabels, except: keep.union(currentLabels))
            (current, currentLabels) = contract(current, currentLabels, other, otherLabels, keep: keep, size: size)
        } else {
            (current, currentLabels) = sumLetters(current, currentLabels, except: later)
        }
    }
    let permutation = output.compactMap { c in currentLabels.firstIndex(of: c) }
    return current.transposed(permutation: permutation)
}

/// The variadic spelling of ``einsum(_:_:)-(String,[Tensor])``.
///
/// ```swift
/// einsum("ij->ji", m)   // mᵀ
/// ```
public func einsum(_ equation: String, _ operands: Tensor...) -> Tensor { einsum(equation, operands) }

/// The first pair of positions holding the same letter.
private func firstRepeat(_ l: [Character]) -> (Int, Int)? {
    for q in l.indices { if let p = l[..<q].firstIndex(of: l[q]) { return (p, q) } }
    return nil
}

/// Sums away the letters not in `keep`.
private func sumLetters(_ t: Tensor, _ l: [Character], except keep: Set<Character>) -> (Tensor, [Character]) {
    let axes = l.indices.filter { !keep.contains(l[$0]) }
    guard !axes.isEmpty else { return (t, l) }
    return (t.sum(alongAxes: axes), l.enumerated().filter { !axes.contains($0.offset) }.map(\.element))
}

/// One pairwise contraction as a batched gemm: A → [batch, left, summed], B → [batch, summed, right].
private func contract(_ a: Tensor, _ la: [Character], _ b: Tensor, _ lb: [Character], keep: Set<Character>,
                      size: [Character: Int]) -> (Tensor, [Character]) {
    let batch = la.filter { lb.contains($0) && keep.contains($0) }
    let summed = la.filter { lb.contains($0) && !keep.contains($0) }
    let left = la.filter { !lb.contains($0) }, right = lb.filter { !la.contains($0) }
    func extent(_ letters: [Character]) -> Int { letters.reduce(1) { $0 * (size[$1] ?? 1) } }
    let pa = (batch + left + summed).compactMap { la.firstIndex(of: $0) }
    let pb = (batch + summed + right).compactMap { lb.firstIndex(of: $0) }
    let a3 = a.transposed(permutation: pa).reshaped(to: [extent(batch), extent(left), extent(summed)])
    let b3 = b.transposed(permutation: pb).reshaped(to: [extent(batch), extent(summed), extent(right)])
    let labels = batch + left + right
    return (matmul(a3, b3).reshaped(to: labels.map { size[$0] ?? 1 }), labels)
}
