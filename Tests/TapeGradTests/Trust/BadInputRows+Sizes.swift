import Foundation
@testable import TapeGrad

// Rows for sizes that overflow or exceed memory: each was a trap (overflow or a failed allocation) before
// sizes were checked; now each is a TensorError from the enclosing scope.
extension BadInputRows {
    static var sizes: [BadInput] {
        func row(_ name: String, _ op: String, _ mentions: [String], _ body: @escaping () throws -> Void) -> BadInput {
            BadInput(family: "sizes", name: name, expected: .tensor(op: op), mentions: mentions, body: body)
        }
        let huge = Int.max / 2
        return [
            row("zeros 2^62 elements", "zeros", ["zeros", "too many elements"]) { _ = Tensor.zeros([1 << 62]) },
            row("zeros 2^40 floats: more bytes than memory", "zeros", ["zeros", "bytes", "memory"]) { _ = Tensor.zeros([1 << 40]) },
            row("zeros overflowing product", "zeros", ["too many elements"]) { _ = Tensor.zeros([1 << 32, 1 << 32]) },
            row("zeros with a zero does not excuse huge dims", "zeros", ["too many elements"]) { _ = Tensor.zeros([0, Int.max, 4]) },
            row("zeros negative dim", "zeros", ["negative", "-3"]) { _ = Tensor.zeros([2, -3]) },
            row("ones 2^40", "full", ["full", "memory"]) { _ = Tensor.ones([1 << 40]) },
            row("full overflow", "full", ["too many elements"]) { _ = Tensor.full([huge, 4], value: 1) },
            row("init shape overflow", "Tensor.init", ["too many elements"]) { _ = Tensor([1, 2] as [Float], shape: [huge, 4]) },
            row("init count mismatch", "Tensor.init", ["2 values", "[3]"]) { _ = Tensor([1, 2] as [Float], shape: [3]) },
            row("randomNormal 2^40", "randomNormal", ["memory"]) { _ = Tensor.randomNormal([1 << 40], seed: 1) },
            row("randomUniform overflow", "randomUniform", ["too many elements"]) { _ = Tensor.randomUniform([huge, huge], seed: 1) },
            row("eye Int.max", "eye", ["too many elements"]) { _ = Tensor.eye(Int.max) },
            row("arange 0..<1e300", "arange", ["arange", "too many elements"]) { _ = Tensor.arange(0, 1e300) },
            row("arange tiny step", "arange", ["step"]) { _ = Tensor.arange(0, 1, step: 1e-300) },
            row("arange infinite end", "arange", ["finite", "end inf"]) { _ = Tensor.arange(0, .infinity) },
            row("arange zero step", "arange", ["step 0.0"]) { _ = Tensor.arange(0, 1, step: 0) },
            row("broadcast to [Int.max/2, 2]", "broadcastTo", ["broadcastTo", "too many elements"]) {
                _ = Tensor([1, 2]).broadcast(to: [huge, 2])
            },
            row("broadcast to memory-sized", "broadcastTo", ["memory"]) { _ = Tensor([1, 2]).broadcast(to: [1 << 39, 2]) },
            row("reshape to [Int.max, 2]", "reshape", ["reshape", "[9223372036854775807, 2]", "same number of elements"]) {
                _ = Tensor([1, 2]).reshaped(to: [Int.max, 2])
            },
            row("reshape with -1 and overflow", "reshape", ["reshape"]) { _ = Tensor([1, 2]).reshaped(to: [-1, huge, 4]) },
            row("reshape two -1", "reshape", ["at most one -1"]) { _ = Tensor([1, 2, 3, 4]).reshaped(to: [-1, -1]) },
            row("oneHot depth Int.max", "oneHot", ["oneHot", "too many elements"]) { _ = oneHot(Tensor([0, 1] as [Int32]), depth: Int.max) },
            row("oneHot depth 2^40", "oneHot", ["memory"]) { _ = oneHot(Tensor([0, 1] as [Int32]), depth: 1 << 40) },
            row("binary broadcast of empty huge shapes", "add", ["add", "too many elements"]) {
                _ = Tensor.zeros([0, 1 << 30, 1]) + Tensor.zeros([0, 1, 1 << 30])
            },
            row("outer product too big", "mul", ["memory"]) {
                let a = Tensor.zeros([1 << 20, 1]), b = Tensor.zeros([1, 1 << 20])
                _ = a * b
            },
            row("matmul of empty inner dim, huge result", "matmul", ["matmul", "too many elements"]) {
                _ = matmul(Tensor.zeros([1 << 30, 0]), Tensor.zeros([0, 1 << 30]))
            },
            row("concat lengths overflow", "concat", ["concat"]) {
                let t = Tensor.zeros([0, 1 << 47])
                _ = concat([t, t, t, t, t, t, t, t, t], alongAxis: 1)
            },
            row("where huge broadcast", "where", ["where", "memory"]) {
                _ = `where`(Tensor.zeros([1 << 20, 1]), Tensor.zeros([1, 1 << 20]), Tensor.zeros([1]))
            },
            row("gather too big", "gather", ["gather", "too many elements"]) {
                _ = gather(Tensor.zeros([1, 0, 1 << 30]), indices: Tensor.zeros([0, 1 << 30], dtype: .int32), axis: 0)
            },
            row("conv2d huge padding", "conv2d", ["conv2d", "too many elements"]) {
                _ = conv2d(Tensor.zeros([1, 1, 3, 3]), weight: Tensor.zeros([1, 1, 1, 1]),
                           window: Window2D(kernel: (1, 1), padding: (0, 1 << 30, 0, 1 << 30)))
            },
            row("conv2d dilation overflow", "conv2d", ["conv2d", "dilation"]) {
                _ = conv2d(Tensor.zeros([1, 1, 3, 3]), weight: Tensor.zeros([1, 1, 2, 2]),
                           window: Window2D(kernel: (2, 2), dilation: (Int.max, 1)))
            },
            row("same padding for a stride near Int.max", "conv2d", ["conv2d", "padding ≥ 0"]) {
                let padding = Window2D.samePadding(height: 4, width: 4, kernel: (2, 2), stride: (Int.max, 1))
                _ = conv2d(Tensor.zeros([1, 1, 4, 4]), weight: Tensor.zeros([1, 1, 2, 2]),
                           window: Window2D(kernel: (2, 2), stride: (Int.max, 1), padding: padding))
            },
            row("maxPool2d padding Int.max", "maxPool2d", ["maxPool2d", "padding"]) {
                _ = maxPool2d(Tensor.zeros([1, 1, 3, 3]), window: Window2D(kernel: (2, 2), padding: (Int.max, Int.max, 0, 0)))
            },
            row("avgPool2d negative padding", "avgPool2d", ["padding ≥ 0"]) {
                _ = avgPool2d(Tensor.zeros([1, 1, 3, 3]), window: Window2D(kernel: (2, 2), padding: (-1, 0, 0, 0)))
            },
            row("initializer huge shape", "initializer", ["initializer", "memory"]) { _ = Initializer.zeros.make([1 << 40]) },
            row("inside a gradient function", "zeros", ["zeros"]) {
                do {
                    _ = try valueAndGrad({ (x: Tensor) in x.sum() + Tensor.zeros([1 << 62]).sum() })(Tensor([1, 2]))
                } catch GradError.tensor(let e) { throw e }
            },
        ]
    }
}
