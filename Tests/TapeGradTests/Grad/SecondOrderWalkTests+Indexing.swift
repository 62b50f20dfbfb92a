import XCTest
@testable import TapeGrad

/// The second-order walk's rows for indexing (subscripts, gathers, scatters, masks, index ops) and selection
/// (sorting, top-k, scans, arg-reductions, searches, unique). Gathers and scatters are linear, so each result
/// is squared or multiplied by an input: the second derivative is then non-zero. Integer results (indices,
/// counts, coordinates) are piecewise constant: as `sign` or `greater`, they multiply a smooth function of
/// the same inputs, so a leaked derivative would show. Inputs of sorts and running extrema are distinct
/// (no ties), so finite differences stay on one piece.
extension SecondOrderWalkTests {
    static func int32(_ v: [Int32], _ shape: [Int]) -> Tensor { Tensor(v, shape: shape) }
    static func mask(_ v: [Bool], _ shape: [Int]) -> Tensor { Tensor(v, shape: shape) }

    static var indexing: [Row] {
        let (x, y) = (u([3, 4], 500), u([2, 3], 501))
        let m = mask([true, false, false, true, true, false], [2, 3])
        return [
            Row("subscript", "integer and range", inputs: [x]) { square($0[0][1..., 0..<3]) * $0[0][0, 1..<4] },
            Row("subscript", "index tensor, repeated rows", inputs: [x]) { square($0[0][int32([2, 0, 2], [3])]) },
            Row("subscript", "boolean mask", inputs: [y]) { square($0[0][mask: m]) },
            Row("subscript", "assigning a differentiated value to a range", inputs: [x, u([2], 506)]) { x in
                var a = x[0] * x[0]
                a[1..<3, 2] = x[1] * x[1]
                return a * x[0]
            },
            // Row 2 is written twice: the last write wins, the earlier value gets no derivative.
            Row("subscript", "assigning through an index tensor, a repeated row", inputs: [x, u([3, 4], 507)]) { x in
                var a = square(x[0])
                a[int32([2, 0, 2], [3])] = tanh(x[1])
                return a * x[0]
            },
            Row("gatherElements", "axis 1, repeated indices", inputs: [y]) {
                square(gatherElements($0[0], axis: 1, index: int32([0, 0, 2, 1, 0, 1], [2, 3])))
            },
            Row("takeAlongAxis", "axis 0", inputs: [x]) { square(takeAlongAxis($0[0], indices: int32([2, 0, 1, 2, 1, 1, 0, 0], [2, 4]), axis: 0)) },
            // Two writes to the same target: the last one wins, the overwritten one has no derivative.
            Row("scatter", "input and src, a repeated target", inputs: [y, u([2, 3], 502)]) {
                square(scatter($0[0], axis: 1, index: int32([2, 2, 1, 0], [2, 2]), src: $0[1])) * $0[0]
            },
            Row("scatterAdd", "input and src, repeated targets", inputs: [y, u([2, 2], 503)]) {
                square(scatterAdd($0[0], axis: 1, index: int32([2, 2, 1, 0], [2, 2]), src: $0[1])) * $0[0]
            },
            Row("maskedFill", "tensor value differentiated", inputs: [y, Tensor(0.7)]) { square(maskedFill($0[0], mask: m, value: $0[1])) * $0[0] },
            Row("maskedFill", "constant value, broadcast mask", inputs: [y]) { square(maskedFill($0[0], mask: mask([false, true, false], [3]), value: -1.5)) },
            Row("maskedSelect", "broadcast mask", inputs: [y]) { square(maskedSelect($0[0], mask: mask([true, false, true], [3]))) },
            Row("indexSelect", "axis 1, repeated index", inputs: [x]) { square(indexSelect($0[0], axis: 1, index: int32([3, 0, 3], [3]))) },
            Row("indexAdd", "x and y, repeated index", inputs: [u([3, 2], 504), u([3, 2], 505)]) {
                square(indexAdd($0[0], indices: int32([2, 0, 2], [3]), y: $0[1], axis: 0)) * $0[0]
            },
            Row("indexFill", "tensor value differentiated", inputs: [x, Tensor(-0.4)]) {
                square(indexFill($0[0], axis: 1, index: int32([0, 2], [2]), value: $0[1])) * $0[0]
            },
            Row("take", "negative and repeated index", inputs: [x]) { square(take($0[0], index: int32([11, -1, 0, 5], [2, 2]))) },
            Row("nonzero", "constant coordinates", inputs: [y]) { asDouble(nonzero($0[0] * asDouble(m))).sum() * $0[0] * $0[0] },
        ]
    }

    static var selection: [Row] {
        let d = distinct([3, 4], 520)
        let z = values([1.2, -0.7, 0, 1.5, 0.9, -1.1, 2, 0, -0.6], [3, 3])     // exact zeros inside the running product
        return [
            Row("sort", "ascending, last axis", inputs: [d]) { square(sort($0[0]).values) * $0[0] },
            Row("sort", "descending, axis 0; indices constant", inputs: [d]) { x in
                let (v, i) = sort(x[0], axis: 0, descending: true)
                return square(v) + asDouble(i) * x[0]
            },
            Row("argsort", "a constant", inputs: [d]) { asDouble(argsort($0[0], descending: true)) * $0[0] * $0[0] },
            Row("msort", inputs: [d]) { square(msort($0[0])) * $0[0] },
            Row("topk", "largest, last axis", inputs: [d]) { square(topk($0[0], k: 2).values) },
            Row("topk", "smallest, axis 0; indices constant", inputs: [d]) { x in
                let (v, i) = topk(x[0], k: 2, axis: 0, largest: false)
                return square(v) * (asDouble(i) + 1)
            },
            Row("argmax", "axis 1, keepDims", inputs: [d]) { asDouble($0[0].argmax(axis: 1, keepDims: true)) * $0[0] * $0[0] },
            Row("argmax", "all", inputs: [d]) { (asDouble($0[0].argmax()) + 1) * $0[0] * $0[0] },
            Row("argmin", "axis 0", inputs: [d]) { asDouble($0[0].argmin(axis: 0)) * $0[0] * $0[0] },
            Row("cumsum", "axis 1", inputs: [u([3, 4], 521)]) { square(cumsum($0[0], axis: 1)) },
            Row("cumsum", "axis 0", inputs: [u([3, 4], 522)]) { tanh(cumsum($0[0], axis: 0)) },
            Row("cumprod", "axis 1", inputs: [off([3, 4], 523)]) { cumprod($0[0], axis: 1) },
            Row("cumprod", "axis 0, exact zeros", inputs: [z]) { cumprod($0[0], axis: 0) },
            Row("cumprod", "axis 1, exact zeros", inputs: [z]) { cumprod($0[0], axis: 1) },
            Row("cummax", "axis 1; indices constant", inputs: [d]) { x in
                let (v, i) = cummax(x[0], axis: 1)
                return square(v) + asDouble(i) * x[0] * x[0]
            },
            Row("cummin", "axis 0", inputs: [d]) { square(cummin($0[0], axis: 0).values) * $0[0] },
            Row("searchsorted", "a constant", inputs: [u([2, 3], 524)]) {
                asDouble(searchsorted(values([-1.5, -0.2, 0.4, 1.1], [4]), values: $0[0])) * $0[0] * $0[0]
            },
            Row("searchsorted", "right, batched sequence", inputs: [u([2, 3], 525)]) {
                (asDouble(searchsorted(values([-1, 0, 1, -0.5, 0.5, 1.5], [2, 3]), values: $0[0], right: true)) + 1) * $0[0] * $0[0]
            },
            // Ties come from floor (constant near these inputs, away from integers), so finite differences do not
            // split them: the inverse and the counts stay constant on the piece.
            Row("unique", "inverse and counts of tied values: constants", inputs: [values([0.5, -1.5, 0.7, 2.2, -1.2, 0.1], [2, 3])]) { x in
                let (v, inverse, counts) = unique(floor(x[0]))
                return (asDouble(inverse) + v.sum()) * x[0] * x[0] + asDouble(counts).sum() * x[0]
            },
            Row("uniqueConsecutive", "inverse and counts of tied runs: constants", inputs: [values([0.5, 0.7, -1.5, 2.2, 2.6, 0.1], [2, 3])]) { x in
                let (v, inverse, counts) = uniqueConsecutive(floor(x[0]))
                return (asDouble(inverse) + v.sum()) * x[0] * x[0] + asDouble(counts).sum() * x[0]
            },
            // KNOWN FAILURE (Sources, left red on purpose): the values of unique and uniqueConsecutive are the input's
            // own elements, but the result is built unrecorded, so the tape's derivative is a silent 0 (first and
            // second order) where finite differences see the elements move. Multiplied by the input, the constant
            // shows (the square alone would pass as 0 = 0). Green once the op records a gather at each value's first
            // position, or throws when differentiated (then: `expectation: .throwsWhenDifferentiatedTwice`, and
            // drop these rows from the first-order test).
            Row("unique", "values of distinct elements", inputs: [d]) { x in square(unique(x[0]).values) * x[0].reshaped(to: [-1]) },
            Row("uniqueConsecutive", "values of distinct elements", inputs: [d]) { x in
                square(uniqueConsecutive(x[0]).values) * x[0].reshaped(to: [-1])
            },
        ]
    }

    /// The second-order check compares the tape's Hessian-vector product with finite differences of the tape's
    /// own first derivative, so an op that silently returned an unrecorded result would pass it (both sides 0).
    /// The first derivative of every indexing, selection and shape row against finite differences of f itself.
    func testTheIndexingSelectionAndShapeRowsMatchFiniteDifferencesToFirstOrder() throws {
        var worst = (error: 0.0, row: "")
        for row in Self.indexing + Self.selection + Self.splitting + Self.rearranging + Self.diagonals {
            let result = try checkGradients(row.name, at: row.inputs(), epsilon: row.epsilon, of: row.f)
            XCTAssertLessThan(result.worstRelativeError, row.tolerance, "first order: \(result)")
            if result.worstRelativeError > worst.error { worst = (result.worstRelativeError, row.name) }
        }
        print("indexing, selection and shape rows, first order: worst relative error \(worst.error) (\(worst.row))")
    }
}
