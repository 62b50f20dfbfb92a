import Foundation
@testable import TapeGrad

// The operations a fuzzed program is made of: each evaluates on tensors and prints itself as Swift source,
// so a failing program can be replayed as a snippet. Only smooth ops (no kinks where finite differences
// disagree with any one-sided derivative); log, sqrt, rsqrt and division see arguments kept ≥ 1.

/// A smooth one-input op: an element-wise map, a reduction, a shape change.
struct FuzzUnary: Sendable {
    let name: String
    /// Swift source with `$` for the operand, e.g. `"tanh($)"`.
    let source: String
    let apply: @Sendable (Tensor) -> Tensor

    func render(_ operand: String) -> String { source.replacingOccurrences(of: "$", with: operand) }
}

/// A smooth two-input op over broadcast-compatible operands.
struct FuzzBinary: Sendable {
    let name: String
    /// Swift source with `$0` and `$1` for the operands.
    let source: String
    let apply: @Sendable (Tensor, Tensor) -> Tensor

    func render(_ a: String, _ b: String) -> String {
        source.replacingOccurrences(of: "$0", with: a).replacingOccurrences(of: "$1", with: b)
    }
}

enum FuzzOps {
    /// Element-wise maps, safe on any finite input (the generator rejects results that grow past its bound).
    static let elementwise: [FuzzUnary] = [
        FuzzUnary(name: "tanh", source: "tanh($)") { tanh($0) },
        FuzzUnary(name: "sigmoid", source: "sigmoid($)") { sigmoid($0) },
        FuzzUnary(name: "sin", source: "sin($)") { sin($0) },
        FuzzUnary(name: "cos", source: "cos($)") { cos($0) },
        FuzzUnary(name: "exp", source: "exp($)") { exp($0) },
        FuzzUnary(name: "square", source: "square($)") { square($0) },
        FuzzUnary(name: "softplus", source: "softplus($)") { softplus($0) },
        FuzzUnary(name: "erf", source: "erf($)") { erf($0) },
        FuzzUnary(name: "gelu", source: "gelu($)") { gelu($0) },
        FuzzUnary(name: "neg", source: "-($)") { -$0 },
        FuzzUnary(name: "log", source: "log(square($) + 1)") { log(square($0) + 1) },
        FuzzUnary(name: "sqrt", source: "sqrt(square($) + 1)") { sqrt(square($0) + 1) },
        FuzzUnary(name: "rsqrt", source: "rsqrt(square($) + 1)") { rsqrt(square($0) + 1) },
        FuzzUnary(name: "pow", source: "pow(square($) + 1, 1.5)") { pow(square($0) + 1, 1.5) },
        FuzzUnary(name: "addScalar", source: "($ + 0.5)") { $0 + 0.5 },
        FuzzUnary(name: "mulScalar", source: "($ * -1.5)") { $0 * -1.5 },
        FuzzUnary(name: "scalarMinus", source: "(2 - $)") { 2 - $0 },
        FuzzUnary(name: "divScalar", source: "($ / 4)") { $0 / 4 },
        FuzzUnary(name: "scalarDiv", source: "(1 / (square($) + 1))") { 1 / (square($0) + 1) },
        FuzzUnary(name: "sigmoidTape", source: "sigmoid($ * 2)") { sigmoid($0 * 2) },
    ]

    /// Binary ops; `maximum`/`minimum` are used only where the operands differ clearly (no ties).
    static let binary: [FuzzBinary] = [
        FuzzBinary(name: "add", source: "($0 + $1)") { $0 + $1 },
        FuzzBinary(name: "sub", source: "($0 - $1)") { $0 - $1 },
        FuzzBinary(name: "mul", source: "($0 * $1)") { $0 * $1 },
        FuzzBinary(name: "div", source: "($0 / (square($1) + 1))") { $0 / (square($1) + 1) },
        FuzzBinary(name: "powTensor", source: "pow(square($0) + 1, tanh($1))") { pow(square($0) + 1, tanh($1)) },
        FuzzBinary(name: "maximum", source: "maximum($0, $1)") { maximum($0, $1) },
        FuzzBinary(name: "minimum", source: "minimum($0, $1)") { minimum($0, $1) },
    ]

    /// Ops that depend on the operand's shape (axes, permutations), built for one shape.
    static func shaped(for shape: [Int], using rng: inout RandomGenerator) -> [FuzzUnary] {
        let rank = shape.count
        var ops: [FuzzUnary] = [
            FuzzUnary(name: "sum", source: "$.sum()") { $0.sum() },
            FuzzUnary(name: "mean", source: "$.mean()") { $0.mean() },
            FuzzUnary(name: "flatten", source: "$.reshaped(to: [-1])") { $0.reshaped(to: [-1]) },
            FuzzUnary(name: "expand", source: "$.expandingShape(at: 0)") { $0.expandingShape(at: 0) },
        ]
        guard rank > 0 else { return ops }
        let axis = Int(rng.next() % UInt64(rank)) - (rng.next() % 2 == 0 ? 0 : rank)   // also negative axes
        let keep = rng.next() % 3 != 0
        ops += [
            FuzzUnary(name: "sumAxis", source: "$.sum(alongAxes: [\(axis)], keepDims: \(keep))") { $0.sum(alongAxes: [axis], keepDims: keep) },
            FuzzUnary(name: "meanAxis", source: "$.mean(alongAxes: [\(axis)], keepDims: \(keep))") { $0.mean(alongAxes: [axis], keepDims: keep) },
            FuzzUnary(name: "logSumExp", source: "$.logSumExp(alongAxes: [\(axis)], keepDims: \(keep))") {
                $0.logSumExp(alongAxes: [axis], keepDims: keep)
            },
            FuzzUnary(name: "softmax", source: "$.softmax(alongAxis: \(axis))") { $0.softmax(alongAxis: axis) },
            FuzzUnary(name: "logSoftmax", source: "$.logSoftmax(alongAxis: \(axis))") { $0.logSoftmax(alongAxis: axis) },
            FuzzUnary(name: "concatSelf", source: "concat([$, $ * 2], alongAxis: \(axis))") { concat([$0, $0 * 2], alongAxis: axis) },
            FuzzUnary(name: "stackSelf", source: "stack([$, tanh($)], alongAxis: \(axis))") { stack([$0, tanh($0)], alongAxis: axis) },
        ]
        let a = (axis + rank) % rank
        if shape[a] >= 2 {
            let start = Int(rng.next() % UInt64(shape[a] - 1)), end = start + 1 + Int(rng.next() % UInt64(shape[a] - start - 1 + 1))
            ops.append(FuzzUnary(name: "slice", source: "$.sliced(alongAxis: \(axis), from: \(start), to: \(end))") {
                $0.sliced(alongAxis: axis, from: start, to: end)
            })
            // Repeated and reordered indices exercise gather's scatter-add pullback.
            let indices = (0..<3).map { _ in Int32(rng.next() % UInt64(shape[a])) }
            ops.append(FuzzUnary(name: "gather", source: "gather($, indices: Tensor(\(indices) as [Int32]), axis: \(axis))") {
                gather($0, indices: Tensor(indices), axis: axis)
            })
        }
        if rank >= 2 {
            var shuffled = Array(0..<rank)
            shuffled.shuffle(using: &rng)
            let perm = shuffled
            ops += [
                FuzzUnary(name: "transpose", source: "$.transposed(permutation: \(perm))") { $0.transposed(permutation: perm) },
                FuzzUnary(name: "gram", source: "matmul($, $, transposeB: true)") { matmul($0, $0, transposeB: true) },
                FuzzUnary(name: "gramT", source: "matmul($, $, transposeA: true)") { matmul($0, $0, transposeA: true) },
            ]
        }
        if rank == 2, shape[0] >= 2, shape[1] >= 2 {
            let (h, w) = (shape[0], shape[1])
            let kernel = (0..<4).map { _ in (rng.nextUniform() * 2 - 1).rounded(toPlaces: 2) }
            ops.append(FuzzUnary(name: "conv2d",
                                 source: "conv2d($.reshaped(to: [1, 1, \(h), \(w)]), weight: Tensor(\(kernel) as [Double], shape: [1, 1, 2, 2]), "
                                    + "window: Window2D(kernel: (2, 2), padding: (1, 0, 0, 1))).reshaped(to: [\(h), \(w)])") {
                conv2d($0.reshaped(to: [1, 1, h, w]), weight: Tensor(kernel, shape: [1, 1, 2, 2]),
                       window: Window2D(kernel: (2, 2), padding: (1, 0, 0, 1))).reshaped(to: [h, w])
            })
            ops.append(FuzzUnary(name: "avgPool2d",
                                 source: "avgPool2d($.reshaped(to: [1, 1, \(h), \(w)]), window: Window2D(kernel: (2, 2), padding: (0, 1, 1, 0)))"
                                    + ".reshaped(to: [\(h), \(w)])") {
                avgPool2d($0.reshaped(to: [1, 1, h, w]), window: Window2D(kernel: (2, 2), padding: (0, 1, 1, 0))).reshaped(to: [h, w])
            })
        }
        return ops
    }
}

extension Double {
    func rounded(toPlaces places: Int) -> Double {
        let scale = Foundation.pow(10, Double(places))
        return (self * scale).rounded() / scale
    }
}
