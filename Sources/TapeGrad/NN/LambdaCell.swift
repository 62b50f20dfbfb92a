/// A cell whose forward pass is a closure: the ready-made way to give a plain function to an API that
/// takes a ``Cell`` (``ForwardValueAndGrad``, ``TrainOneStepCell``, ``WithLossCell``).
///
/// The closure's Parameters are invisible to reflection; list them in `parameters:` so that
/// ``Cell/trainableParams()`` and `GradOperation(getByList: true)` see them.
///
/// ```swift
/// let w = Parameter(Tensor([2]), name: "w")
/// let cell = LambdaCell(parameters: [w]) { (x: Tensor, y: Tensor) in square(x * w.value - y).sum() }
/// let fvg = try ForwardValueAndGrad(cell, weights: cell.trainableParams(), getByList: true)
/// let (loss, grads) = try fvg(Tensor([1]), Tensor([3]))   // loss [1], grads ([-2],)
/// ```
public final class LambdaCell: Cell {
    /// The Parameters the closure reads (named as given; listed by `trainableParams()`).
    public let capturedParameters: [Parameter]
    private let _forward: ([Tensor]) -> TensorTree
    private let _arity: Int?

    /// A cell of one input.
    public init<Output: TensorTreeConvertible>(parameters: [Parameter] = [], _ fn: @escaping (Tensor) -> Output) {
        self.capturedParameters = parameters; _arity = 1; _forward = { fn($0[0]).tensorTree }
        super.init()
    }

    /// A cell of two inputs.
    public init<Output: TensorTreeConvertible>(parameters: [Parameter] = [], _ fn: @escaping (Tensor, Tensor) -> Output) {
        self.capturedParameters = parameters; _arity = 2; _forward = { fn($0[0], $0[1]).tensorTree }
        super.init()
    }

    /// A cell of three inputs.
    public init<Output: TensorTreeConvertible>(parameters: [Parameter] = [], _ fn: @escaping (Tensor, Tensor, Tensor) -> Output) {
        self.capturedParameters = parameters; _arity = 3; _forward = { fn($0[0], $0[1], $0[2]).tensorTree }
        super.init()
    }

    /// A cell of four inputs.
    public init<Output: TensorTreeConvertible>(parameters: [Parameter] = [], _ fn: @escaping (Tensor, Tensor, Tensor, Tensor) -> Output) {
        self.capturedParameters = parameters; _arity = 4; _forward = { fn($0[0], $0[1], $0[2], $0[3]).tensorTree }
        super.init()
    }

    /// A cell of any number of inputs, given as an array (`inputCount` checks the count, as for `valueAndGrad`).
    public init<Output: TensorTreeConvertible>(parameters: [Parameter] = [], inputCount: Int? = nil, _ fn: @escaping ([Tensor]) -> Output) {
        self.capturedParameters = parameters; _arity = inputCount; _forward = { fn($0).tensorTree }
        super.init()
    }

    /// Runs the closure; another number of inputs than it takes is reported as the cell's input-count error.
    public override func construct(_ inputs: [Tensor]) -> TensorTree {
        if let arity = _arity, inputs.count != arity {
            reportError(TensorError(op: "LambdaCell.construct", message: Cell.missingConstructMessage + "\(inputs.count) input(s)"))
            return .tensor(Tensor.placeholder())
        }
        return _forward(inputs)
    }
}
