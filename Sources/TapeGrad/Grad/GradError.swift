/// An error of the differentiation APIs, raised at the same stage as MindSpore raises it (building the
/// gradient function, or calling it).
///
/// ``description`` is a Swift sentence naming the Swift argument, the value and what was expected;
/// ``mindSporeErrorType`` and ``mindSporeMessage`` give MindSpore's exception class and text for the same
/// condition, for porting and for comparing with MindSpore's output.
///
/// ```swift
/// do {
///     _ = try valueAndGrad({ (x: Tensor) in x }, gradPosition: nil, weights: nil)
/// } catch let error as GradError {
///     print(error)                     // gradPosition and weights are both nil: …
///     print(error.mindSporeErrorType)  // ValueError
///     print(error.mindSporeMessage)    // `grad_position` and `weight` can not be None at the same time.
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
    /// Call: the cell has no `construct` taking that many inputs (MindSpore: TypeError from `construct`).
    case cellDoesNotTakeInputCount(cell: String, got: Int)
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
    /// Call: a `sens:` was passed to a function made without `sensParam` (MindSpore: TypeError, an unexpected
    /// keyword argument).
    case sensWithoutSensParam
    /// Construction (ForwardValueAndGrad): `getByList` needs an array of Parameters as `weights`.
    /// `got` is the Python class MindSpore names (`<class 'NoneType'>` for nil).
    case weightsMustBeParameterArray(got: String)
    /// Construction (ParameterTuple): two different Parameters share a name.
    case duplicateParameterName(String)
    /// Call (jvp, linearize): the number of tangent vectors differs from the number of inputs.
    case tangentCountMismatch(expected: Int, got: Int)
    /// Call (jvp, hvp): a tangent vector whose shape differs from its input's.
    case tangentShapeMismatch(position: Int, expected: [Int], got: [Int])
    /// Call (jacfwd, jacrev, hessian): a `gradPosition` at or beyond the number of inputs.
    case gradPositionOutOfRange(position: Int, inputCount: Int)
    /// A shape, dtype or argument error of a tensor operation inside the function.
    case tensor(TensorError)

    /// What went wrong, in Swift terms: the argument, the value and what was expected.
    public var description: String {
        switch self {
        case .gradPositionAndWeightsBothNone:
            return "gradPosition and weights are both nil: nothing to differentiate; pass gradPosition (an input position such as 0) or weights."
        case .duplicatePositions(let p):
            return "gradPosition \(p) lists a position more than once; expected distinct positions."
        case .negativePosition(let i):
            return "gradPosition is \(i); expected an input position >= 0."
        case .negativePositionInTuple(let p):
            return "gradPosition \(p) contains a negative position; expected positions >= 0."
        case .positionOutOfRange(let p, let n):
            return "gradPosition \(p) is out of range: the function was called with \(n) input(s), so the positions are 0..<\(n)."
        case .emptyPositions:
            return "gradPosition is []: expected at least one position (use gradPosition: nil with weights to differentiate only the weights)."
        case .wrongInputCount(let expected, let got):
            return "the function takes \(expected) input tensor(s) but was called with \(got)."
        case .cellDoesNotTakeInputCount(let cell, let got):
            return "\(cell) was called with \(got) input(s) but overrides no construct taking \(got) tensor(s); override that construct or construct(_ inputs: [Tensor])."
        case .hasAuxNeedsSeveralOutputs:
            return "hasAux is true, so the function must return at least two outputs (the value to differentiate, then the auxiliary values), e.g. [loss, aux]."
        case .sensCountMismatch(let outputs, let sens):
            return "sens has \(sens) tensor(s) but the function returned \(outputs) output tensor(s); expected one sens tensor per output."
        case .sensShapeMismatch(let expected, let got):
            return "sens has shape \(got); expected the output's shape \(expected)."
        case .sensDTypeMismatch(let expected, let got):
            return "sens has dtype \(got); expected the output's dtype \(expected)."
        case .sensNotBroadcastable(let sens, let output):
            return "sens has shape \(sens) but the output has shape \(output); expected a sens of shape \(output) (only a 0-d output takes a sens of another shape)."
        case .tangentCountMismatch(let expected, let got):
            return "jvp/hvp: got \(got) tangent vector(s); expected \(expected), one per input."
        case .tangentShapeMismatch(let position, let expected, let got):
            return "jvp/hvp: the tangent for input \(position) has shape \(got); expected the input's shape \(expected)."
        case .gradPositionOutOfRange(let position, let inputCount):
            return "gradPosition \(position) is out of range: the function takes \(inputCount) input(s), so the positions are 0..<\(inputCount)."
        case .missingSens:
            return "sensParam is true but no sens was given: pass sens: or add it as the last input."
        case .sensWithoutSensParam:
            return "a sens was given but sensParam is false: build the gradient function with sensParam: true, or drop sens:."
        case .weightsMustBeParameterArray(let got):
            let swiftGot = got == "<class 'NoneType'>" ? "nil" : got == "<class 'abc.Parameter'>" ? "a single Parameter" : got
            return "ForwardValueAndGrad: getByList is true, so weights must be an array of Parameters or a ParameterTuple; got \(swiftGot)."
        case .duplicateParameterName(let name):
            return "ParameterTuple: two different Parameters are named '\(name)'; expected unique names."
        case .tensor(let e):
            return e.description
        }
    }

    /// MindSpore 2.10's message for the same condition (Python's own text where MindSpore lets Python
    /// raise, as for a wrong number of arguments).
    public var mindSporeMessage: String {
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
            return "fn() takes \(expected) positional arguments but \(got) were given"
        case .cellDoesNotTakeInputCount(_, let got):
            return "construct() takes a different number of positional arguments but \(got + 1) were given"
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
            return "sens_param is set, but no sens was given."
        case .sensWithoutSensParam:
            return "fn() got an unexpected keyword argument 'sens'"
        case .weightsMustBeParameterArray(let got):
            return "For 'ForwardValueAndGrad', when 'get_by_list' is set to True, the argument 'weights' must be Parameters array, but got '\(got)'"
        case .duplicateParameterName(let name):
            return "The value Parameter (name=\(name)) , its name '\(name)' already exists."
        case .tangentCountMismatch(let expected, let got):
            return "v has invalid length: should be \(expected), but got \(got)"
        case .tangentShapeMismatch(let position, let expected, let got):
            return "The tangent of input \(position) should have shape \(expected), but got \(got)"
        case .gradPositionOutOfRange:
            return "The element in grad_position must belong to [0, args_num)."
        case .tensor(let e):
            return e.description
        }
    }

    /// MindSpore's Python exception class for this condition (`ValueError`, `TypeError`, `RuntimeError`).
    public var mindSporeErrorType: String {
        switch self {
        case .gradPositionAndWeightsBothNone, .duplicatePositions, .negativePosition, .negativePositionInTuple,
             .hasAuxNeedsSeveralOutputs, .sensShapeMismatch, .duplicateParameterName,
             .tangentCountMismatch, .tangentShapeMismatch, .gradPositionOutOfRange:
            return "ValueError"
        case .sensDTypeMismatch, .weightsMustBeParameterArray, .wrongInputCount, .cellDoesNotTakeInputCount,
             .missingSens, .sensWithoutSensParam:
            return "TypeError"
        case .positionOutOfRange, .emptyPositions, .sensCountMismatch, .sensNotBroadcastable, .tensor:
            return "RuntimeError"
        }
    }

    private func vector(_ shape: [Int]) -> String {
        "[const vector]{" + shape.map(String.init).joined(separator: ", ") + "}"
    }
}
