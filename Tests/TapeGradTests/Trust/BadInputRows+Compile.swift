import Foundation
@testable import TapeGrad

// Rows for jitted functions: an error while tracing is the eager error; an error in the data of a replay
// (a class index out of range) is the op's error too, never a trap.
extension BadInputRows {
    static var compile: [BadInput] {
        let add = jit { x, y in x + y }
        let loss = SoftmaxCrossEntropyWithLogits(sparse: true, reduction: .mean)
        let logits = Tensor.randomNormal([2, 3], seed: 1)
        return [
            BadInput(family: "compile", name: "jit: shapes that do not broadcast, while tracing", expected: .tensor(op: "add"),
                     mentions: ["[2]", "[3]"]) { _ = try add(Tensor([1, 2]), Tensor([1, 2, 3])) },
            BadInput(family: "compile", name: "jit: too few inputs", expected: .grad(.wrongInputCount(expected: 2, got: 1)),
                     mentions: ["takes 2"]) { _ = try add(Tensor([1, 2])) },
            BadInput(family: "compile", name: "jit(valueAndGrad): a class index out of range at replay",
                     expected: .tensor(op: "SoftmaxCrossEntropyWithLogits"), mentions: ["labels[1]", "[0, 3)"]) {
                let f = jit(try valueAndGrad({ (x: Tensor, y: Tensor) in loss(x, y) }), strict: true)
                _ = try f(logits, Tensor([0, 1] as [Int32]))    // traced with valid labels
                _ = try f(logits, Tensor([0, 7] as [Int32]))    // replayed with a bad one
            },
            BadInput(family: "compile", name: "jit(valueAndGrad): an embedding id out of range at replay",
                     expected: .tensor(op: "gather"), mentions: ["index 12", "0 ≤ index < 4"]) {
                let table = Tensor.randomNormal([4, 2], seed: 2)
                let f = jit(try valueAndGrad({ (t: Tensor, ids: Tensor) in gather(t, indices: ids).sum() }), strict: true)
                _ = try f(table, Tensor([0, 3] as [Int32]))     // traced with valid ids
                _ = try f(table, Tensor([0, 12] as [Int32]))    // replayed with a bad one
            },
        ]
    }
}
