// Every example of the five seed documents (MindSpore's API pages for value_and_grad, GradOperation and
// ForwardValueAndGrad, and the ForwardValueAndGrad guide), ported line for line. Each prints TapeGrad's
// result under the output MindSpore 2.10 printed for the same code.
//
//     swift run seed-examples
import TapeGrad

func section(_ title: String) { print("\n=== \(title)") }
func show(_ label: String, _ value: CustomStringConvertible, mindspore: String) {
    print("\(label):\n  TapeGrad : \(value.description.replacingOccurrences(of: "\n", with: "\n             "))")
    print("  MindSpore: \(mindspore)")
}

do {
    // MARK: - Seed 001: mindspore.value_and_grad

    section("value_and_grad — Cell object to be differentiated")
    final class Net: Cell, @unchecked Sendable {
        override func construct(_ x: Tensor, _ y: Tensor, _ z: Tensor) -> Tensor { x * y * z }
    }
    do {
        let x = Tensor([1, 2]), y = Tensor([-2, 3]), z = Tensor([0, 3])
        let net = Net()
        let gradFn = try valueAndGrad(net, gradPosition: 1)
        let (output, inputsGradient) = try gradFn(x, y, z)
        show("output", output, mindspore: "[-0. 18.]")
        show("inputs_gradient", inputsGradient, mindspore: "[0. 6.]")
    }

    section("value_and_grad — function with has_aux, grad_position=(1, 2)")
    do {
        func fn(_ x: Tensor, _ y: Tensor, _ z: Tensor) -> TensorTree {
            let res = x * exp(y) * pow(z, 2)
            return [.tensor(res), .tensor(z)]
        }
        let x = Tensor([3, 3]), y = Tensor([0, 0]), z = Tensor([5, 5])
        let (output, inputsGradient) = try valueAndGrad(fn, gradPosition: [1, 2], weights: nil, hasAux: true)(x, y, z)
        show("output", output, mindspore: "(Tensor(shape=[2], dtype=Float32, value= [ 7.50000000e+01,  7.50000000e+01]), Tensor(shape=[2], dtype=Float32, value= [ 5.00000000e+00,  5.00000000e+00]))")
        show("inputs_gradient", inputsGradient, mindspore: "(Tensor(shape=[2], dtype=Float32, value= [ 7.50000000e+01,  7.50000000e+01]), Tensor(shape=[2], dtype=Float32, value= [ 3.00000000e+01,  3.00000000e+01]))")
    }

    section("value_and_grad — a network with inputs and weights (3 cases)")
    do {
        let net = Dense(inChannels: 10, outChannels: 1)
        let lossFn = MSELoss()
        func forward(_ inputs: Tensor, _ labels: Tensor) -> TensorTree {
            let logits = net(inputs)
            let loss = lossFn(logits, labels)
            return [.tensor(loss), .tensor(logits)]
        }
        let inputs = Tensor.randomNormal([16, 10], seed: 1)
        let labels = Tensor.randomNormal([16, 1], seed: 2)
        let weights = net.trainableParams()

        // Case 1: gradient with respect to inputs; with has_aux only the loss contributes.
        let (out1, inputsGradient1) = try valueAndGrad(forward, gradPosition: 0, weights: nil, hasAux: true)(inputs, labels)
        show("logits.shape", "\(out1[1].asTensor.shape)", mindspore: "(16, 1)")
        show("inputs.shape, inputs_gradient.shape", "\(inputs.shape) \(inputsGradient1.asTensor.shape)", mindspore: "(16, 10) (16, 10)")

        // Case 2: gradient with respect to weights.
        let (out2, paramsGradient2) = try valueAndGrad(forward, gradPosition: nil, weights: weights, hasAux: true)(inputs, labels)
        show("logits.shape", "\(out2[1].asTensor.shape)", mindspore: "(16, 1)")
        show("len(weights), len(params_gradient)", "\(weights.count) \(paramsGradient2.count)", mindspore: "2 2")

        // Case 3: inputs and weights; without has_aux both loss and logits contribute.
        let (out3, grads3) = try valueAndGrad(forward, gradPosition: 0, weights: weights, hasAux: false)(inputs, labels)
        show("logits.shape", "\(out3[1].asTensor.shape)", mindspore: "(16, 1)")
        show("inputs.shape, inputs_gradient.shape", "\(inputs.shape) \(grads3[0].asTensor.shape)", mindspore: "(16, 10) (16, 10)")
        show("len(weights), len(params_gradient)", "\(weights.count) \(grads3[1].count)", mindspore: "2 2")
    }

    // MARK: - Seed 002: mindspore.ops.GradOperation

    final class MatMulNet: Cell, @unchecked Sendable {
        let z = Parameter(Tensor([1]), name: "z")
        override func construct(_ x: Tensor, _ y: Tensor) -> Tensor { matmul(x * z.value, y) }
    }
    let x = Tensor([[0.8, 0.6, 0.2], [1.8, 1.3, 1.1]])
    let y = Tensor([[0.11, 3.3, 1.1], [1.1, 0.2, 1.4], [1.1, 2.2, 0.3]])

    section("GradOperation — GradNetWrtX (default: first input)")
    do {
        let net = MatMulNet()
        let output = try GradOperation()(net)(x, y)
        show("output", output, mindspore: "[[4.5099998 2.7 3.6000001] [4.5099998 2.7 3.6000001]]")
    }
    section("GradOperation — GradNetWrtXY (get_all=True)")
    do {
        let output = try GradOperation(getAll: true)(MatMulNet())(x, y)
        show("output", output, mindspore: "(Tensor(shape=[2, 3], dtype=Float32, value=[[4.51, 2.7, 3.6], [4.51, 2.7, 3.6]]), Tensor(shape=[3, 3], dtype=Float32, value=[[2.6, 2.6, 2.6], [1.9, 1.9, 1.9], [1.3, 1.3, 1.3]]))")
    }
    section("GradOperation — GradNetWithWrtParams (get_by_list=True)")
    do {
        let net = MatMulNet()
        let params = try ParameterTuple(net.trainableParams())
        let output = try GradOperation(getByList: true)(net, params)(x, y)
        show("output", output, mindspore: "(Tensor(shape=[1], dtype=Float32, value= [ 2.15359993e+01]),)")
    }
    section("GradOperation — GradNetWrtInputsAndParams (get_all=True, get_by_list=True)")
    do {
        let net = MatMulNet()
        let params = try ParameterTuple(net.trainableParams())
        let output = try GradOperation(getAll: true, getByList: true)(net, params)(x, y)
        show("output", output, mindspore: "((Tensor(shape=[2, 3], …[[4.51, 2.7, 3.6], [4.51, 2.7, 3.6]]), Tensor(shape=[3, 3], …[[2.6, 2.6, 2.6], [1.9, 1.9, 1.9], [1.3, 1.3, 1.3]])), (Tensor(shape=[1], dtype=Float32, value= [ 2.15359993e+01]),))")
    }
    section("GradOperation — GradNetWrtXYWithSensParam (get_all=True, sens_param=True)")
    do {
        let sens = Tensor([[0.1, 0.6, 0.2], [0.8, 1.3, 1.1]])
        let output = try GradOperation(getAll: true, sensParam: true)(MatMulNet())(x, y, sens)
        show("output", output, mindspore: "(Tensor(shape=[2, 3], …[[2.211, 0.51, 1.49], [5.588, 2.68, 4.07]]), Tensor(shape=[3, 3], …[[1.52, 2.82, 2.14], [1.1, 2.05, 1.55], [0.9, 1.55, 1.25]]))")
    }

    // MARK: - Seeds 000 and 003: mindspore.nn.ForwardValueAndGrad

    section("ForwardValueAndGrad — API page example (WithLossCell + SoftmaxCrossEntropyWithLogits)")
    do {
        final class WeightNet: Cell, @unchecked Sendable {
            let weight = Parameter(Tensor.ones([2, 2]), name: "weight")
            override func construct(_ x: Tensor) -> Tensor { matmul(x, weight.value) }
        }
        let net = WeightNet()
        let criterion = SoftmaxCrossEntropyWithLogits()
        let netWithCriterion = WithLossCell(net, criterion)
        let weight = try ParameterTuple(net.trainableParams())
        let trainNetwork = try ForwardValueAndGrad(netWithCriterion, weights: weight, getAll: true, getByList: true)
        let inputs = Tensor.ones([1, 2]), labels = Tensor.zeros([1, 2])
        let result = trainNetwork([inputs, labels])
        show("result", result, mindspore: """
            (Tensor(shape=[1], dtype=Float32, value=[0.00000000e+00]), ((Tensor(shape=[1, 2], dtype=Float32, value=
            [[1.00000000e+00, 1.00000000e+00]]), Tensor(shape=[1, 2], dtype=Float32, value=
            [[0.00000000e+00, 0.00000000e+00]])), (Tensor(shape=[2, 2], dtype=Float32, value=
            [[5.00000000e-01, 5.00000000e-01],
             [5.00000000e-01, 5.00000000e-01]]),)))   (MindSpore 2.10 prints the loss as -0.)
            """)
    }

    // MARK: - Seed 004: the ForwardValueAndGrad guide (nested inside another Cell)

    final class ForwardValueAndGradWrtX: Cell, @unchecked Sendable {
        let net: Cell
        let grad: ForwardValueAndGrad
        let gradWrtOutput: Tensor?
        init(_ net: Cell, weights: Bool = false, sens: Tensor? = nil) throws {
            self.net = net
            let params = try ParameterTuple(net.trainableParams())
            self.grad = weights ? try ForwardValueAndGrad(net, weights: params, getByList: true)
                : try ForwardValueAndGrad(net, sensParam: sens != nil)
            self.gradWrtOutput = sens
            super.init()
        }
        override func construct(_ inputs: [Tensor]) -> TensorTree {
            grad(inputs + (gradWrtOutput.map { [$0] } ?? []))
        }
    }

    section("ForwardValueAndGrad guide — gradient with respect to the input")
    show("output", try ForwardValueAndGradWrtX(MatMulNet())([x, y]), mindspore: """
        (Tensor(shape=[2, 3], dtype=Float32, value=
        [[9.68000054e-01, 3.20000029e+00, 1.78000009e+00],
         [2.83800006e+00, 8.61999989e+00, 4.13000011e+00]]), Tensor(shape=[2, 3], dtype=Float32, value=
        [[4.50999975e+00, 2.70000005e+00, 3.60000014e+00],
         [4.50999975e+00, 2.70000005e+00, 3.60000014e+00]]))
        """)
    section("ForwardValueAndGrad guide — gradient with respect to the weights")
    show("output", try ForwardValueAndGradWrtX(MatMulNet(), weights: true)([x, y]), mindspore: """
        (Tensor(shape=[2, 3], dtype=Float32, value=
        [[9.68000054e-01, 3.20000029e+00, 1.78000009e+00]
         [2.83800006e+00, 8.61999989e+00, 4.13000011e+00]]), (Tensor(shape=[1], dtype=Float32, value= [2.15359993e+01]),))
        """)
    section("ForwardValueAndGrad guide — scaling the gradient with sens")
    let sens = Tensor([[0.1, 0.6, 0.2], [0.8, 1.3, 1.1]])
    show("output", try ForwardValueAndGradWrtX(MatMulNet(), sens: sens)([x, y]), mindspore: """
        (Tensor(shape=[2, 3], dtype=Float32, value=
        [[9.68000054e-01, 3.20000029e+00, 1.78000009e+00],
         [2.83800006e+00, 8.61999989e+00, 4.13000011e+00]]), Tensor(shape=[2, 3], dtype=Float32, value=
        [[2.21099997e+00, 5.09999990e-01, 1.49000001e+00],
         [5.58799982e+00, 2.68000007e+00, 4.07000017e+00]]))
        """)
} catch {
    print("error: \(error)")
}
