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
let net: Cell = Dense(inChannels: 2, outChannels: 1)
let netWithLoss: Cell = WithLossCell(net, MSELoss())

/// Takes the value of an example's expression statement (`x.shape   // [2, 3]`), so it raises no warning.
func docExampleValue<T>(_ value: T) {}

// More names examples commonly use (add here when a new example needs one).
let t = Tensor([1, 2]), input = Tensor([[1, 2]]), target = Tensor([[1]])
let weight = Tensor([[1, 2]]), bias = Tensor([0])
let params: [Parameter] = [Parameter(Tensor([1, 2]), name: "p")]
let grads: TensorTree = [Tensor([1, 2])]
let model: Cell = Dense(inChannels: 2, outChannels: 1)
let optimizer: Optimizer = SGD(params: model.trainableParams())

// Tangents and cotangents (`jvp`, `vjp`, `linearize`), batches, data sets, file locations and sequence
// tensors that many examples share.
let v = Tensor([1, 0]), v1 = Tensor([1, 0]), v2 = Tensor([0, 1])
let va = Tensor([1, 0]), vb = Tensor([0, 1]), vx = Tensor([1, 0]), vy = Tensor([0, 1]), vz = Tensor([1, 1])
let g = Tensor([[1, 2]]), xs = Tensor([[1, 2, 3]]), m = Tensor([[1, 2], [3, 4]]), u = Tensor([1, 2])
let q = Tensor.zeros([5, 3, 64]), k = Tensor.zeros([5, 3, 64])
let src = Tensor.zeros([7, 3, 32]), tgt = Tensor.zeros([5, 3, 32]), memory = Tensor.zeros([7, 3, 32])
let padding = Tensor([[0, 0, 1]] as [[Int32]])
let h0 = Tensor.zeros([1, 4]), c0 = Tensor.zeros([1, 4])
let images = Tensor.zeros([64, 8, 8])
let dataset = TensorDataset([images, Tensor.zeros([64])]).batched(size: 16)
let window = Window2D(kernel: (2, 2), stride: (2, 2))
let url = URL(fileURLWithPath: "/tmp/model.safetensors")
let loss: Cell = MSELoss()
let opt: Optimizer = SGD(params: net.trainableParams(), learningRate: 0.1)
