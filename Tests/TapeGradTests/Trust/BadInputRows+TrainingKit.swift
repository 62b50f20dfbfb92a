import Foundation
@testable import TapeGrad

// Rows for parameter groups and loss scaling: each bad argument throws a typed error naming it and what was expected.
extension BadInputRows {
    static var trainingKit: [BadInput] {
        func row(_ name: String, _ mentions: [String], _ body: @escaping () throws -> Void) -> BadInput {
            BadInput(family: "training kit", name: name, expected: .optimizer, mentions: mentions, body: body)
        }
        func dense() -> Dense { Dense(inChannels: 2, outChannels: 3, seed: 1) }
        return [
            row("groups: a parameter in two groups", ["Adam", "'bias'", "more than one group"]) {
                let d = dense()
                _ = try Adam(groups: [ParameterGroup(params: [d.weight, d.bias!]), ParameterGroup(params: [d.bias!])])
            },
            row("groups: an empty group", ["Momentum", "parameter group 1", "at least one Parameter"]) {
                _ = try Momentum(groups: [ParameterGroup(params: dense().trainableParams()), ParameterGroup(params: [])], learningRate: 0.1, momentum: 0.9)
            },
            row("groups: no groups", ["SGD", "at least one Parameter"]) { _ = try SGD(groups: []) },
            row("groups: NaN learning rate", ["SGD", "groups[0].learningRate", "nan", "finite number ≥ 0"]) {
                _ = try SGD(groups: [ParameterGroup(params: dense().trainableParams(), learningRate: .constant(.nan))])
            },
            row("groups: negative weight decay", ["AdamWeightDecay", "groups[0].weightDecay", "-0.5"]) {
                _ = try AdamWeightDecay(groups: [ParameterGroup(params: dense().trainableParams(), weightDecay: -0.5)])
            },
            row("groups: a schedule that turns NaN", ["Adam", "groups[0].learningRate", "nan"]) {
                let d = dense()
                try Adam(groups: [ParameterGroup(params: d.trainableParams(), learningRate: .custom { _ in .nan })])
                    .step(gradients: [Tensor.zeros([3, 2]), Tensor.zeros([3])])
            },
            row("groups: orderParams missing a parameter", ["orderParams", "1 parameters", "each of the 2 grouped parameters"]) {
                let d = dense()
                _ = try Adam(groups: [ParameterGroup(params: d.trainableParams())], orderParams: [d.weight])
            },
            row("groups: centralization for AdamWeightDecay", ["AdamWeightDecay", "gradCentralization", "does not centralize"]) {
                _ = try AdamWeightDecay(groups: [ParameterGroup(params: dense().trainableParams(), gradCentralization: true)])
            },
            row("loss scale: NaN initial scale", ["DynamicLossScaleUpdateCell", "lossScaleValue", "nan"]) {
                _ = try DynamicLossScaleUpdateCell(lossScaleValue: .nan, scaleFactor: 2, scaleWindow: 10)
            },
            row("loss scale: scale beyond float32", ["FixedLossScaleUpdateCell", "lossScaleValue", "float32"]) {
                _ = try FixedLossScaleUpdateCell(lossScaleValue: 1e39)
            },
            row("loss scale: factor below 1", ["DynamicLossScaleUpdateCell", "scaleFactor", "0.5", "≥ 1"]) {
                _ = try DynamicLossScaleUpdateCell(lossScaleValue: 1024, scaleFactor: 0.5, scaleWindow: 10)
            },
            row("loss scale: window 0", ["DynamicLossScaleUpdateCell", "scaleWindow", "0"]) {
                _ = try DynamicLossScaleUpdateCell(lossScaleValue: 1024, scaleFactor: 2, scaleWindow: 0)
            },
            row("loss scale manager: scale below 1", ["FixedLossScaleManager", "lossScale", "0.5"]) { _ = try FixedLossScaleManager(lossScale: 0.5) },
            row("loss scale manager: initial scale below 1", ["DynamicLossScaleManager", "initLossScale", "0.25"]) {
                _ = try DynamicLossScaleManager(initLossScale: 0.25)
            },
            row("loss scale cell: scale tensor of shape [2]", ["TrainOneStepWithLossScaleCell", "scaleSense", "[2]", "shape [] or [1]"]) {
                let d = dense()
                _ = try TrainOneStepWithLossScaleCell(WithLossCell(d, MSELoss()), optimizer: SGD(params: d.trainableParams()), scaleSense: Tensor([2, 2] as [Float]))
            },
            row("loss scale cell: infinite scale tensor", ["TrainOneStepWithLossScaleCell", "scaleSense", "inf", "> 0"]) {
                let d = dense()
                _ = try TrainOneStepWithLossScaleCell(WithLossCell(d, MSELoss()), optimizer: SGD(params: d.trainableParams()), scaleSense: Tensor(Float.infinity))
            },
            row("loss scale cell: a scale overwritten with NaN", ["TrainOneStepWithLossScaleCell", "scaleSense", "nan"]) {
                let d = dense()
                let train = try TrainOneStepWithLossScaleCell(WithLossCell(d, MSELoss()), optimizer: SGD(params: d.trainableParams()),
                                                              scaleSense: FixedLossScaleUpdateCell(lossScaleValue: 8))
                train.scaleSense.value = Tensor(Float.nan)
                _ = try train.step(Tensor.zeros([2, 2]), Tensor.zeros([2, 3]))
            },
            row("loss scale cell: a counter overwritten with a float", ["DynamicLossScaleUpdateCell", "current_iterator_step", "int32"]) {
                let d = dense(), dynamic = try DynamicLossScaleUpdateCell(lossScaleValue: 8, scaleFactor: 2, scaleWindow: 2)
                let train = try TrainOneStepWithLossScaleCell(WithLossCell(d, MSELoss()), optimizer: SGD(params: d.trainableParams()), scaleSense: dynamic)
                dynamic.curIter.value = Tensor([1.5, 2] as [Float])
                _ = try train.step(Tensor.zeros([2, 2]), Tensor.zeros([2, 3]))
            },
            BadInput(family: "training kit", name: "loss scale cell: wrong input width", expected: .tensor(op: "Dense"), mentions: ["inChannels: 2", "expected [..., 2]"]) {
                let d = dense()
                let train = try TrainOneStepWithLossScaleCell(WithLossCell(d, MSELoss()), optimizer: SGD(params: d.trainableParams()),
                                                              scaleSense: FixedLossScaleUpdateCell(lossScaleValue: 8))
                do { _ = try train.step(Tensor.zeros([2, 3]), Tensor.zeros([2, 3])) } catch GradError.tensor(let e) { throw e }
            },
        ]
    }
}
