import Foundation
@testable import TapeGrad

// Rows for every flag of the differentiation APIs. GradError messages are MindSpore's own (the case carries the
// values: the position, the input count, the expected shape…), so each row asserts the exact case.
extension BadInputRows {
    static var grad: [BadInput] {
        func row(_ name: String, _ error: GradError, _ mentions: [String], _ body: @escaping () throws -> Void) -> BadInput {
            BadInput(family: "grad", name: name, expected: .grad(error), mentions: mentions, body: body)
        }
        let f: (Tensor, Tensor) -> Tensor = { x, y in x * y }
        let x = Tensor([1, 2]), y = Tensor([3, 4])
        let w = Parameter(Tensor([1, 2]), name: "w")
        func net() -> Dense { Dense(inChannels: 2, outChannels: 1, seed: 1) }
        return [
            row("grad: positions and weights both nil", .gradPositionAndWeightsBothNone, ["grad_position", "weight"]) {
                _ = try TapeGrad.grad(f, gradPosition: nil, weights: nil)
            },
            row("valueAndGrad: both nil", .gradPositionAndWeightsBothNone, ["grad_position"]) { _ = try valueAndGrad(f, gradPosition: nil) },
            row("cell valueAndGrad: both nil", .gradPositionAndWeightsBothNone, ["grad_position"]) {
                _ = try valueAndGrad(net(), gradPosition: nil, weights: nil)
            },
            row("negative position", .negativePosition(-1), ["grad_position", ">= 0"]) { _ = try TapeGrad.grad(f, gradPosition: -1) },
            row("negative position in a tuple", .negativePositionInTuple([0, -1]), ["grad_position", ">= 0"]) {
                _ = try TapeGrad.grad(f, gradPosition: [0, -1])
            },
            row("duplicate positions", .duplicatePositions([1, 1]), ["duplicate positions", "grad_position"]) {
                _ = try valueAndGrad(f, gradPosition: [1, 1])
            },
            row("position out of range", .positionOutOfRange(position: 3, inputCount: 2), ["Position index 3"]) {
                _ = try TapeGrad.grad(f, gradPosition: 3)(x, y)
            },
            row("tuple position out of range", .positionOutOfRange(position: 2, inputCount: 2), ["Position index 2"]) {
                _ = try valueAndGrad(f, gradPosition: [0, 2])(x, y)
            },
            row("position out of range with returnIds", .positionOutOfRange(position: 5, inputCount: 2), ["Position index 5"]) {
                _ = try TapeGrad.grad(f, gradPosition: 5, returnIds: true)(x, y)
            },
            row("empty positions", .emptyPositions, ["grad_position", "empty"]) { _ = try TapeGrad.grad(f, gradPosition: [])(x, y) },
            row("too few inputs", .wrongInputCount(expected: 2, got: 1), ["takes 2", "called with 1"]) { _ = try TapeGrad.grad(f)(x) },
            row("too many inputs", .wrongInputCount(expected: 2, got: 3), ["takes 2", "called with 3"]) { _ = try valueAndGrad(f)(x, y, y) },
            row("hasAux with one output", .hasAuxNeedsSeveralOutputs, ["has_aux", "more than one"]) {
                _ = try TapeGrad.grad(f, hasAux: true)(x, y)
            },
            row("hasAux with a 1-tuple", .hasAuxNeedsSeveralOutputs, ["has_aux"]) {
                _ = try valueAndGrad({ (x: Tensor) -> TensorTree in [.tensor(x * x)] }, hasAux: true)(x)
            },
            row("sens of the wrong shape", .sensShapeMismatch(expected: [2], got: [3]), ["shape should be", "{2}", "{3}"]) {
                _ = try TapeGrad.grad(f, sensParam: true)(x, y, sens: Tensor([1, 1, 1]))
            },
            row("sens of the wrong dtype", .sensDTypeMismatch(expected: .float32, got: .float64), ["dtype should be Float32", "Float64"]) {
                _ = try TapeGrad.grad(f, sensParam: true)(x, y, sens: Tensor([1, 1] as [Double]))
            },
            row("0-d sens for a vector output", .sensNotBroadcastable(sens: [], output: [2]), ["broadcast to expected shape"]) {
                _ = try valueAndGrad(f, sensParam: true)(x, y, sens: Tensor(1))
            },
            row("sens as the last input, wrong shape", .sensShapeMismatch(expected: [2], got: [1]), ["shape should be"]) {
                _ = try TapeGrad.grad(f, sensParam: true)([x, y, Tensor([1])])
            },
            row("one sens for two outputs", .sensCountMismatch(outputs: 2, sens: 1), ["sens gradient's size"]) {
                _ = try TapeGrad.grad({ (x: Tensor, y: Tensor) -> TensorTree in [.tensor(x * y), .tensor(x)] }, sensParam: true)(x, y, sens: x)
            },
            row("sensParam but the sens forgotten", .missingSens, ["no sens was given", "sens:", "last input"]) {
                _ = try TapeGrad.grad(f, sensParam: true)(x, y)
            },
            row("sensParam and no inputs at all", .missingSens, ["no sens was given"]) {
                _ = try TapeGrad.grad({ (xs: [Tensor]) in xs[0] }, sensParam: true)([])
            },
            row("sens without sensParam", .sensWithoutSensParam, ["sensParam is false", "sensParam: true"]) {
                _ = try TapeGrad.grad(f)(x, y, sens: x * y)
            },
            row("valueAndGrad: sens without sensParam", .sensWithoutSensParam, ["sensParam: true"]) {
                _ = try valueAndGrad(f)(x, y, sens: x * y)
            },
            row("GradOperation(sensParam) forgotten sens", .missingSens, ["no sens"]) {
                _ = try GradOperation(sensParam: true)({ (x: Tensor) in x * 2 })(x)
            },
            row("ForwardValueAndGrad getByList without weights", .weightsMustBeParameterArray(got: "<class 'NoneType'>"), ["get_by_list", "weights"]) {
                _ = try ForwardValueAndGrad(WithLossCell(net(), MSELoss()), getByList: true)
            },
            row("ForwardValueAndGrad getByList with one Parameter", .weightsMustBeParameterArray(got: "<class 'abc.Parameter'>"),
                ["Parameters array"]) {
                _ = try ForwardValueAndGrad(WithLossCell(net(), MSELoss()), weights: w, getByList: true)
            },
            row("ParameterTuple with one name twice", .duplicateParameterName("a"), ["name 'a' already exists"]) {
                _ = try ParameterTuple([Parameter(Tensor([1]), name: "a"), Parameter(Tensor([2]), name: "a")])
            },
            row("an op error inside the function", .tensor(TensorError(op: "add", message:
                "shapes [2] and [3] do not broadcast")), ["add"]) {
                _ = try TapeGrad.grad({ (x: Tensor) in (x + Tensor([1, 2, 3])).sum() })(x)
            },
        ]
    }
}
