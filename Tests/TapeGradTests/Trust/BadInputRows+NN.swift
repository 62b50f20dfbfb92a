import Foundation
@testable import TapeGrad

// Rows for every layer (wrong input rank or width), every loss, the optimizer step and the training cells.
extension BadInputRows {
    static var nn: [BadInput] {
        func row(_ name: String, _ op: String, _ mentions: [String], _ body: @escaping () throws -> Void) -> BadInput {
            BadInput(family: "nn", name: name, expected: .tensor(op: op), mentions: mentions, body: body)
        }
        func optimizerRow(_ name: String, _ mentions: [String], _ body: @escaping () throws -> Void) -> BadInput {
            BadInput(family: "nn", name: name, expected: .optimizer, mentions: mentions, body: body)
        }
        func dense() -> Dense { Dense(inChannels: 2, outChannels: 3, seed: 1) }
        let x23 = Tensor.zeros([2, 3]), image = Tensor.zeros([1, 2, 4, 4])
        let logits = Tensor.zeros([2, 3]), labels = Tensor([0, 2] as [Int32])
        return [
            // Layers.
            row("Dense width", "Dense", ["inChannels: 2", "got input [2, 3]", "expected [..., 2]"]) { _ = dense()(x23) },
            row("Dense rank 0", "Dense", ["inChannels: 2", "got input []", "expected [..., 2]"]) { _ = dense()(Tensor(1)) },
            row("Dense rank 3 width", "Dense", ["[4, 2, 5]"]) { _ = dense()(Tensor.zeros([4, 2, 5])) },
            row("Dense weightInit shape", "Dense", ["weightInit", "expected [3, 2]"]) {
                _ = Dense(inChannels: 2, outChannels: 3, weightInit: Tensor.zeros([2, 3]))
            },
            row("Dense biasInit shape", "Dense", ["biasInit", "expected [3]"]) {
                _ = Dense(inChannels: 2, outChannels: 3, biasInit: Tensor.zeros([2]))
            },
            row("Dense given two inputs", "Dense.construct", ["no construct taking 2 input(s)"]) { _ = dense()(x23, x23) },
            row("Cell given five inputs", "Dense.construct", ["no construct taking 5 input(s)"]) { _ = dense()([x23, x23, x23, x23, x23]) },
            row("second layer of a SequentialCell", "Dense", ["inChannels: 4", "got input [2, 3]", "expected [..., 4]"]) {
                _ = SequentialCell([dense(), Dense(inChannels: 4, outChannels: 1, seed: 2)])(Tensor.zeros([2, 2]))
            },
            row("Conv2d rank", "Conv2d", ["inChannels: 2", "got input [2, 3]", "expected (N, 2, H, W)"]) {
                _ = Conv2d(inChannels: 2, outChannels: 1, kernelSize: 3)(x23)
            },
            row("Conv2d channels", "Conv2d", ["inChannels: 3", "got input [1, 2, 4, 4]", "expected (N, 3, H, W)"]) {
                _ = Conv2d(inChannels: 3, outChannels: 1, kernelSize: 3)(image)
            },
            row("Conv2d valid kernel too big", "conv2d", ["dilated kernel"]) {
                _ = Conv2d(inChannels: 2, outChannels: 1, kernelSize: 5, padMode: .valid)(image)
            },
            row("MaxPool2d rank", "MaxPool2d", ["(N, C, H, W)"]) { _ = MaxPool2d(kernelSize: 2, stride: 2)(x23) },
            row("AvgPool2d rank", "AvgPool2d", ["(N, C, H, W)"]) { _ = AvgPool2d(kernelSize: 2, stride: 2)(Tensor.zeros([1, 4, 4])) },
            row("MaxPool2d window too big", "maxPool2d", ["no smaller than the window"]) { _ = MaxPool2d(kernelSize: 5)(image) },
            row("BatchNorm1d rank", "BatchNorm1d", ["numFeatures: 3", "got input [1, 2, 4, 4]", "expected (N, 3)"]) { _ = BatchNorm1d(numFeatures: 3)(image) },
            row("BatchNorm1d width", "BatchNorm1d", ["numFeatures: 4", "got input [2, 3]", "expected (N, 4)"]) { _ = BatchNorm1d(numFeatures: 4)(x23) },
            row("LayerNorm width", "LayerNorm", ["normalizedShape: [4]", "got input [2, 3]", "expected [..., 4]"]) { _ = LayerNorm(normalizedShape: [4])(x23) },
            row("LayerNorm rank", "LayerNorm", ["normalizedShape: [2, 3]", "got input [3]", "expected [..., 2, 3]"]) { _ = LayerNorm(normalizedShape: [2, 3])(Tensor.zeros([3])) },
            row("Embedding id out of range", "Embedding", ["vocabSize: 5", "id 7", "0..<5"]) {
                _ = Embedding(vocabSize: 5, embeddingSize: 2, seed: 1)(Tensor([1, 7] as [Int32]))
            },
            row("Flatten of a scalar", "Flatten", ["at least one dimension"]) { _ = Flatten()(Tensor(1)) },
            row("Softmax layer axis", "softmax", ["axis 2"]) { _ = Softmax(axis: 2)(x23) },
            row("LogSoftmax layer axis", "logSoftmax", ["axis -3"]) { _ = LogSoftmax(axis: -3)(x23) },
            row("Dense negative channels", "initializer", ["negative dimension", "-2"]) { _ = Dense(inChannels: -2, outChannels: 3) },
            row("Embedding negative vocabulary", "initializer", ["negative dimension", "-5"]) { _ = Embedding(vocabSize: -5, embeddingSize: 2) },
            row("LayerNorm negative shape", "full", ["negative dimension", "-4"]) { _ = LayerNorm(normalizedShape: [-4]) },
            row("BatchNorm1d negative features", "full", ["negative dimension", "-3"]) { _ = BatchNorm1d(numFeatures: -3) },
            row("Conv2d huge kernel", "initializer", ["too many elements"]) {
                _ = Conv2d(inChannels: 2, outChannels: 1, kernelSize: (1 << 40, 1 << 40))
            },
            row("Conv2d weightInit shape", "Conv2d", ["weightInit", "expected [1, 2, 3, 3]"]) {
                _ = Conv2d(inChannels: 2, outChannels: 1, kernelSize: 3, weightInit: Tensor.zeros([1, 2, 2, 2]))
            },
            row("Conv2d biasInit shape", "Conv2d", ["biasInit", "expected [1]"]) {
                _ = Conv2d(inChannels: 2, outChannels: 1, kernelSize: 3, hasBias: true, biasInit: Tensor.zeros([3]))
            },
            // Losses.
            row("SoftmaxCrossEntropyWithLogits rank", "SoftmaxCrossEntropyWithLogits", ["dimension of logits must be equal to 2"]) {
                _ = SoftmaxCrossEntropyWithLogits(sparse: true)(Tensor.zeros([3]), labels)
            },
            row("SoftmaxCrossEntropyWithLogits dense labels", "SoftmaxCrossEntropyWithLogits", ["labels of shape [2, 2]", "logits of shape [2, 3]"]) {
                _ = SoftmaxCrossEntropyWithLogits()(logits, Tensor.zeros([2, 2]))
            },
            row("SoftmaxCrossEntropyWithLogits sparse count", "SoftmaxCrossEntropyWithLogits", ["labels of shape [3]"]) {
                _ = SoftmaxCrossEntropyWithLogits(sparse: true)(logits, Tensor([0, 1, 2] as [Int32]))
            },
            row("CrossEntropyLoss rank", "CrossEntropyLoss", ["(N, C) logits", "[3]"]) { _ = CrossEntropyLoss()(Tensor.zeros([3]), labels) },
            row("CrossEntropyLoss index target", "CrossEntropyLoss", ["class-index target [3]", "[2, 3]"]) {
                _ = CrossEntropyLoss()(logits, Tensor([0, 1, 2] as [Int32]))
            },
            row("CrossEntropyLoss probability target", "CrossEntropyLoss", ["probability target [2, 2]"]) {
                _ = CrossEntropyLoss()(logits, Tensor.zeros([2, 2]))
            },
            row("NLLLoss target", "NLLLoss", ["(N, C) input and (N,) target", "[3]"]) { _ = NLLLoss()(logits, Tensor([0, 1, 2] as [Int32])) },
            row("NLLLoss rank", "NLLLoss", ["(N, C) input"]) { _ = NLLLoss()(Tensor.zeros([3]), labels) },
            row("BCEWithLogitsLoss shapes", "BCEWithLogitsLoss", ["logits [2, 3]", "target [3, 2]"]) {
                _ = BCEWithLogitsLoss()(logits, Tensor.zeros([3, 2]))
            },
            row("MSELoss shapes", "MSELoss", ["prediction [2, 3]", "label [2]", "broadcast"]) { _ = MSELoss()(logits, Tensor.zeros([2])) },
            row("L1Loss shapes", "L1Loss", ["prediction [2, 3]", "label [4]", "broadcast"]) { _ = L1Loss()(logits, Tensor.zeros([4])) },
            row("WithLossCell label shape", "MSELoss", ["prediction [2, 3]", "label [5]"]) {
                _ = WithLossCell(dense(), MSELoss())(Tensor.zeros([2, 2]), Tensor.zeros([5]))
            },
            // The optimizer step and the training cells.
            optimizerRow("optimizer step: gradient count", ["expected 2 gradients", "got 1"]) {
                let net = dense()
                try SGD(params: net.trainableParams(), learningRate: 0.1).step(gradients: [Tensor.zeros([3, 2])])
            },
            optimizerRow("optimizer step: gradient shape", ["gradient for 'bias'", "[3]", "[2]"]) {
                let net = dense()
                try Adam(params: net.trainableParams()).step(gradients: [Tensor.zeros([3, 2]), Tensor.zeros([2])])
            },
            row("TrainOneStepCell wrong label", "MSELoss", ["prediction [2, 3]", "label [4]"]) {
                let net = WithLossCell(dense(), MSELoss())
                do { _ = try TrainOneStepCell(net, optimizer: SGD(params: net.trainableParams(), learningRate: 0.1)).step(Tensor.zeros([2, 2]), Tensor.zeros([4])) }
                catch GradError.tensor(let e) { throw e }
            },
            row("TrainOneStepCell wrong width", "Dense", ["inChannels: 2", "expected [..., 2]"]) {
                let net = WithLossCell(dense(), MSELoss())
                do { _ = try TrainOneStepCell(net, optimizer: SGD(params: net.trainableParams(), learningRate: 0.1)).step(x23, Tensor.zeros([2, 3])) }
                catch GradError.tensor(let e) { throw e }
            },
            row("TrainOneStepCell given one input", "TrainOneStepCell", ["WithLossCell was called with 1 input(s)", "no construct taking 1 tensor(s)"]) {
                let net = WithLossCell(dense(), MSELoss())
                _ = try TrainOneStepCell(net, optimizer: SGD(params: net.trainableParams(), learningRate: 0.1))([x23])
            },
        ]
    }
}
