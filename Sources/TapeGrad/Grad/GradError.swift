/// An error of the differentiation APIs, raised at the same stage as MindSpore raises it (building the
/// gradient function, or calling it), with MindSpore's message.
///
/// ```swift
/// do {
///     _ = try valueAndGrad({ (x: Tensor) in x }, gradPosition: nil, weights: nil)
/// } catch GradError.gradPositionAndWeightsBothNone {
///     // "`grad_position` and `weight` can not be None at the same time."
/// }
/// ```
public enum GradError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Construction: `gradPosition` and `weights` are both nil.
    case gradPositionAndWeightsBothNone
    /// Construction: a position appears twice.
    case duplicatePositions([Int])
    /// Construction: a single negative position.
    case negativePosition(Int)
    /// Construction: a negative position inside a tuple of positions.
    case negativePositionInTuple([Int])
    /// Call: a position at or beyond the number of inputs.
    case positionOutOfRange(position: Int, inputCount: Int)
    /// Call: an empty tuple of positions.
    case emptyPositions
    /// Call: the function was given a different number of inputs than it takes.
    case wrongInputCount(expected: Int, got: Int)
    /// Call: `hasAux` needs the function to return a tuple of at least two values.
    case hasAuxNeedsSeveralOutputs
    /// Call: the number of sens tensors differs from the number of output tensors.
    case sensCountMismatch(outputs: Int, sens: Int)
    /// Call: a sens whose shape differs from its (non-0-d) output's.
    case sensShapeMismatch(expected: [Int], got: [Int])
    /// Call: a sens whose dtype differs from its (non-0-d) output's.
    case sensDTypeMismatch(expected: DType, got: DType)
    /// Call: a 0-d sens for an output that is not 0-d.
    case sensNotBroadcastable(sens: [Int], output: [Int])
    /// Call: `sensParam` is set but no sens was passed.
    case missingSens
    /// Call: a `sens:` was passed to a gradient function made without `sensParam`.
    case sensWithoutSensParam
    /// Construction (ForwardValueAndGrad): `getByList` needs an array of Parameters as `weights`.
    case weightsMustBeParameterArray(got: String)
    /// Construction (ParameterTuple): two different Parameters share a name.
    case duplicateParameterName(String)
    /// A shape, dtype or argument error of a tensor operation inside the function.
    case tensor(TensorError)

    /// MindSpore's message for the same condition.
    public var description: String {
        switch self {
        case .gradPositionAndWeightsBothNone:
            return "`grad_position` and `weight` can not be None at the same time."
        case .duplicatePositions:
            return "There are duplicate positions in `grad_position`, please check it"
        case .negativePosition:
            return "grad_position must be >= 0."
        case .negativePositionInTuple:
            return "The element in grad_position must be >= 0."
        case .positionOutOfRange(let p, _):
            return "Position index \(p) is exceed input size."
        case .emptyPositions:
            return "grad_position should not be empty when grad by position!"
        case .wrongInputCount(let expected, let got):
            return "The function takes \(expected) input tensor(s) but was given \(got)."
        case .hasAuxNeedsSeveralOutputs:
            return "When has_aux is True, origin fn requires more than one outputs."
        case .sensCountMismatch:
            return "Failure info [The given sens gradient's size should be same as out of network!]."
        case .sensShapeMismatch(let expected, let got):
            return "The shape should be \(vector(expected)), but got \(vector(got))"
        case .sensDTypeMismatch(let expected, let got):
            return "The dtype should be \(expected), but got \(got)"
        case .sensNotBroadcastable(let sens, let output):
            return "For grad interface or custom function, grad tensor should be broadcast to expected shape, but got \(vector(sens)) vs \(vector(output))"
        case .missingSens:
            return "sens_param is set, but no sens was given: pass the sens as the last input (after the function's inputs) or as `sens:`."
        case .sensWithoutSensParam:
            return "a sens was given (`sens:`), but sens_param is not set: make the gradient function with `sensParam: true`."
        case .weightsMustBeParameterArray(let got):
            return "For 'ForwardValueAndGrad', when 'get_by_list' is set to True, the argument 'weights' must be Parameters array, but got '\(got)'"
        case .duplicateParameterName(let name):
            return "The value Parameter (name=\(name)) , its name '\(name)' already exists."
        case .tensor(let e):
            return e.description
        }
    }

    /// MindSpore's Python exception class for this condition (`ValueError`, `TypeError`, `RuntimeError`).
    public var mindSporeErrorType: String {
        switch self {
        case .gradPositionAndWeightsBothNone, .duplicatePositions, .negativePosition, .negativePositionInTuple,
             .hasAuxNeedsSeveralOutputs, .sensShapeMismatch, .duplicateParameterName:
            return "ValueError"
        case .sensDTypeMismatch, .weightsMustBeParameterArray, .wrongInputCount, .missingSens, .sensWithoutSensParam:
            return "TypeError"
        case .positionOutOfRange, .emptyPositions, .sensCountMismatch, .sensNotBroadcastable, .tensor:
            return "RuntimeError"
        }
    }

    private func vector(_ shape: [Int]) -> String {
        "[const vector]{" + shape.map(String.init).joined(separator: ", ") + "}"
    }
}
