import Foundation
@testable import TapeGrad

// Rows for every op family: arithmetic, unary, matmul, shape, slicing, reductions, softmax, indexing,
// convolution and pooling. Each names the op and what was expected.
extension BadInputRows {
    static var ops: [BadInput] {
        func row(_ name: String, _ op: String, _ mentions: [String], _ body: @escaping () throws -> Void) -> BadInput {
            BadInput(family: "ops", name: name, expected: .tensor(op: op), mentions: mentions, body: body)
        }
        let m23 = Tensor.zeros([2, 3]), v4 = Tensor.zeros([4])
        let image = Tensor.zeros([1, 2, 4, 4])
        return [
            // Arithmetic (every spelling of a broadcast failure).
            row("add", "add", ["[2, 3]", "[4]", "do not broadcast"]) { _ = m23 + v4 },
            row("sub", "sub", ["[2, 3]", "[4]", "do not broadcast"]) { _ = m23 - v4 },
            row("mul", "mul", ["[2, 3]", "[4]"]) { _ = m23 * v4 },
            row("div", "div", ["[2, 3]", "[4]"]) { _ = m23 / v4 },
            row("pow", "pow", ["[2, 3]", "[4]"]) { _ = pow(m23, v4) },
            row("+=", "add", ["[2, 3]", "[4]"]) { var a = m23; a += v4 },
            row("maximum", "maximum", ["[2, 3]", "[4]"]) { _ = maximum(m23, v4) },
            row("minimum", "minimum", ["[2, 3]", "[4]"]) { _ = minimum(m23, v4) },
            row("greater", "greater", ["[2, 3]", "[4]"]) { _ = greater(m23, v4) },
            row("equal", "equal", ["[2, 3]", "[4]"]) { _ = equal(m23, v4) },
            row("notEqual", "notEqual", ["[2, 3]", "[4]"]) { _ = notEqual(m23, v4) },
            row("logicalAnd", "logicalAnd", ["[2, 3]", "[4]"]) { _ = logicalAnd(m23, v4) },
            row("logicalOr", "logicalOr", ["[2, 3]", "[4]"]) { _ = logicalOr(m23, Tensor.zeros([4], dtype: .bool)) },
            row("logicalXor", "logicalXor", ["[2, 3]", "[4]"]) { _ = logicalXor(m23, v4) },
            row("negated mask", "neg", ["bool", "logicalNot"]) { _ = -greater(m23, Tensor(0)) },
            row("bool mask subscript", "subscript", ["mask of shape [4]", "[2, 3]"]) { _ = m23[Tensor.zeros([4], dtype: .bool)] },
            row("where", "where", ["where", "[2, 3]", "[4]"]) { _ = `where`(m23, m23, v4) },
            row("recorded add", "add", ["[2, 3]", "[4]"]) {
                do { _ = try valueWithGradient(at: m23) { ($0 + v4).sum() } } catch GradError.tensor(let e) { throw e }
            },
            // Unary ops on a placeholder after an error keep the first error (no cascade).
            row("first error wins", "reshape", ["reshape"]) { _ = exp(log(Tensor([1, 2]).reshaped(to: [3]))) + v4 },
            row("item of many", "item", ["[2, 3]", "6 elements, not one"]) { _ = m23.item() },
            // Matrix products.
            row("matmul rank 1", "matmul", ["rank ≥ 2", "[4]"]) { _ = matmul(v4, m23) },
            row("matmul inner dims", "matmul", ["contracted dimensions", "3 vs 2"]) { _ = matmul(m23, m23) },
            row("matmul transposeA", "matmul", ["transposeA: true", "2 vs 3"]) { _ = matmul(m23, m23.transposed(), transposeA: true) },
            row("matmul batch", "matmul", ["batch dimensions"]) { _ = matmul(Tensor.zeros([2, 2, 3]), Tensor.zeros([3, 3, 4])) },
            row("linear width", "matmul", ["contracted dimensions"]) { _ = linear(m23, weight: Tensor.zeros([4, 2]), bias: nil) },
            // Shape.
            row("reshape count", "reshape", ["[2, 3]", "[4]", "same number of elements"]) { _ = m23.reshaped(to: [4]) },
            row("reshape negative", "reshape", ["no other negative size"]) { _ = m23.reshaped(to: [-2, -3]) },
            row("transpose short", "transpose", ["[0]", "each of 0..<2"]) { _ = m23.transposed(permutation: [0]) },
            row("transpose repeated", "transpose", ["[1, 1]"]) { _ = m23.transposed(permutation: [1, 1]) },
            row("expand axis", "expandDims", ["axis 4", "expected -3 ≤ axis < 3"]) { _ = m23.expandingShape(at: 4) },
            row("squeeze non-1", "squeeze", ["dimension 1", "size-1"]) { _ = m23.squeezingShape(at: [1]) },
            row("squeeze axis", "squeeze", ["axis 5", "out of range"]) { _ = m23.squeezingShape(at: [5]) },
            row("broadcast to smaller", "broadcastTo", ["[2, 3]", "[3]", "be 1"]) { _ = m23.broadcast(to: [3]) },
            row("broadcast mismatch", "broadcastTo", ["[2, 3]", "[2, 4]"]) { _ = m23.broadcast(to: [2, 4]) },
            // Slicing, concatenation, stacking.
            row("slice past end", "slice", ["0..<4", "0 ≤ start ≤ end ≤ 3"]) { _ = m23.sliced(alongAxis: 1, from: 0, to: 4) },
            row("slice reversed", "slice", ["2..<1"]) { _ = m23.sliced(alongAxis: 1, from: 2, to: 1) },
            row("slice negative start", "slice", ["-1..<1"]) { _ = m23.sliced(alongAxis: 0, from: -1, to: 1) },
            row("slice axis", "slice", ["axis 2", "out of range"]) { _ = m23.sliced(alongAxis: 2, from: 0, to: 1) },
            row("slice scalar", "slice", ["rank-0"]) { _ = Tensor(1).sliced(alongAxis: 0, from: 0, to: 1) },
            row("concat empty", "concat", ["at least one tensor"]) { _ = concat([]) },
            row("concat ranks", "concat", ["differ in rank", "first one's rank"]) { _ = concat([m23, v4]) },
            row("concat other dims", "concat", ["differ outside axis 0", "every other dimension"]) { _ = concat([m23, Tensor.zeros([2, 2])]) },
            row("concat axis", "concat", ["axis 3"]) { _ = concat([m23, m23], alongAxis: 3) },
            row("concat scalars", "concat", ["rank-0"]) { _ = concat([Tensor(1), Tensor(2)]) },
            row("stack shapes", "stack", ["differ", "same shape"]) { _ = stack([m23, Tensor.zeros([3, 2])]) },
            row("stack empty", "stack", ["at least one tensor"]) { _ = stack([]) },
            row("stack axis", "stack", ["axis 4"]) { _ = stack([m23, m23], alongAxis: 4) },
            // Reductions and softmax.
            row("sum axis", "sum", ["axis 2", "out of range"]) { _ = m23.sum(alongAxes: [2]) },
            row("mean axis", "mean", ["axis -3"]) { _ = m23.mean(alongAxes: [-3]) },
            row("max empty", "max", ["empty dimension", "at least one element"]) { _ = Tensor.zeros([0, 3]).max(alongAxes: [0]) },
            row("min empty all", "min", ["empty dimension"]) { _ = Tensor.zeros([0]).min() },
            row("logSumExp axis", "logSumExp", ["axis 7"]) { _ = m23.logSumExp(alongAxes: [7]) },
            row("softmax axis", "softmax", ["axis 2", "expected -2 ≤ axis < 2"]) { _ = m23.softmax(alongAxis: 2) },
            row("logSoftmax axis", "logSoftmax", ["axis -3"]) { _ = m23.logSoftmax(alongAxis: -3) },
            // Indexing.
            row("gather index", "gather", ["index 5", "0 ≤ index < 2"]) { _ = gather(m23, indices: Tensor([5] as [Int32])) },
            row("gather negative", "gather", ["index -1"]) { _ = gather(m23, indices: Tensor([-1] as [Int32]), axis: 1) },
            row("gather axis", "gather", ["axis 2"]) { _ = gather(m23, indices: Tensor([0] as [Int32]), axis: 2) },
            row("gather scalar", "gather", ["rank-0"]) { _ = gather(Tensor(1), indices: Tensor([0] as [Int32])) },
            row("oneHot negative depth", "oneHot", ["depth", "≥ 0", "-1"]) { _ = oneHot(Tensor([0] as [Int32]), depth: -1) },
            // Convolution and pooling.
            row("conv2d rank", "conv2d", ["rank-4 (N, C, H, W)"]) {
                _ = conv2d(m23, weight: Tensor.zeros([1, 2, 3, 3]), window: Window2D(kernel: (3, 3)))
            },
            row("conv2d channels", "conv2d", ["2 channels", "C = 3"]) {
                _ = conv2d(image, weight: Tensor.zeros([1, 3, 3, 3]), window: Window2D(kernel: (3, 3)))
            },
            row("conv2d kernel vs window", "conv2d", ["kernel 3×3", "window"]) {
                _ = conv2d(image, weight: Tensor.zeros([1, 2, 3, 3]), window: Window2D(kernel: (2, 2)))
            },
            row("conv2d kernel too large", "conv2d", ["at least as large as the dilated kernel"]) {
                _ = conv2d(image, weight: Tensor.zeros([1, 2, 5, 5]), window: Window2D(kernel: (5, 5)))
            },
            row("conv2d zero stride", "conv2d", ["positive kernel, stride"]) {
                _ = conv2d(image, weight: Tensor.zeros([1, 2, 3, 3]), window: Window2D(kernel: (3, 3), stride: (0, 1)))
            },
            row("maxPool2d rank", "maxPool2d", ["rank-4", "[2, 3]"]) { _ = maxPool2d(m23, window: Window2D(kernel: (2, 2))) },
            row("maxPool2d window too big", "maxPool2d", ["no smaller than the window"]) {
                _ = maxPool2d(image, window: Window2D(kernel: (5, 5)))
            },
            row("avgPool2d zero stride", "avgPool2d", ["positive kernel, stride and dilation"]) {
                _ = avgPool2d(image, window: Window2D(kernel: (2, 2), stride: (1, 0)))
            },
            // Creation.
            row("ragged rows", "Tensor.init", ["ragged", "[2, 1]"]) { _ = Tensor([[1, 2], [3]] as [[Float]]) },
            row("ragged planes", "Tensor.init", ["ragged"]) { _ = Tensor([[[1], [2]], [[3]]] as [[[Float]]]) },
        ]
    }
}
