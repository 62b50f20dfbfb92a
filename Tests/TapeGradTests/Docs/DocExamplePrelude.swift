import Foundation
import TapeGrad

// The names that doc-comment and README examples use without defining them. The generated example
// functions are type-checked and never called, so these values only need the right types.
let x = Tensor([1, 2]), y = Tensor([3, 4]), z = Tensor([5, 6])
let a = Tensor([1, 2]), b = Tensor([3, 4]), c = Tensor([5, 6]), d = Tensor([7, 8])
let inputs = Tensor([[1, 2]]), labels = Tensor([[1]]), label = Tensor([[1]])
let logits = Tensor([[1, 2, 3]]), targets = Tensor([[0, 0, 1]])
let batches: [(Tensor, Tensor)] = []
let w = Tensor([[1, 2]])
let f: @Sendable (Tensor, Tensor, Tensor) -> Tensor = { x, y, z in x * y * z }
nonisolated(unsafe) let net: Cell = Dense(inChannels: 2, outChannels: 1)
nonisolated(unsafe) let netWithLoss: Cell = WithLossCell(net, MSELoss())

/// Takes the value of an example's expression statement (`x.shape   // [2, 3]`), so it raises no warning.
func docExampleValue<T>(_ value: T) {}

// More names examples commonly use (add here when a new example needs one).
let t = Tensor([1, 2]), input = Tensor([[1, 2]]), target = Tensor([[1]])
let weight = Tensor([[1, 2]]), bias = Tensor([0])
let params: [Parameter] = [Parameter(Tensor([1, 2]), name: "p")]
let grads: TensorTree = [Tensor([1, 2])]
nonisolated(unsafe) let model: Cell = Dense(inChannels: 2, outChannels: 1)
nonisolated(unsafe) let optimizer: Optimizer = SGD(params: model.trainableParams())
