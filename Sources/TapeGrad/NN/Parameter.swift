/// A trainable tensor held by reference, so that optimizers update it in place and every cell that
/// holds it sees the update.
///
/// Read its ``value`` inside a forward pass; a gradient computation that differentiates this parameter
/// sees it tracked on its tape. Its ``name`` is the one MindSpore gives: the `name:` passed here, or the
/// attribute it is stored in, prefixed with the path of the sub-cells that hold it (`fc.weight`).
///
/// ```swift
/// let w = Parameter(Tensor([[1, 2], [3, 4]]), name: "w")
/// let (_, g) = try valueAndGrad({ x in matmul(x, w.value).sum() }, gradPosition: nil, weights: w)(x)
/// ```
public final class Parameter: @unchecked Sendable, CustomStringConvertible {
    /// The full name (`"fc.weight"`), set from the attribute path when a cell discovers it.
    public var name: String
    /// Whether gradients are computed for it (MindSpore's `requires_grad`); optimizers skip frozen ones.
    public var requiresGrad: Bool
    /// Whether `name` was given explicitly (otherwise discovery names it after its attribute).
    let hasExplicitName: Bool
    /// The name passed at creation.
    let initialName: String
    private var stored: Tensor

    /// A parameter holding `value`.
    public init(_ value: Tensor, name: String? = nil, requiresGrad: Bool = true) {
        self.stored = value.detached
        self.name = name ?? "Parameter"
        self.initialName = name ?? "Parameter"
        self.hasExplicitName = name != nil
        self.requiresGrad = requiresGrad
    }

    /// The current value. Inside a gradient computation that differentiates this parameter, the tracked
    /// value; setting it stores a constant (and is skipped after an error inside a checking scope, so a
    /// failed step changes nothing).
    public var value: Tensor {
        get { GradScope.current?.value(of: self) ?? stored }
        set {
            guard !ErrorChecking.hasFailed else { return }
            stored = newValue.detached
        }
    }

    /// The stored value, never tracked.
    var storedValue: Tensor { stored }

    /// Replaces the stored value without the checking-scope guard (optimizers, checkpoints).
    func replaceStoredValue(with value: Tensor) { stored = value.detached }

    /// The shape of the value.
    public var shape: [Int] { stored.shape }
    /// The dtype of the value.
    public var dtype: DType { stored.dtype }

    /// `Parameter (name=w, shape=[2, 2], dtype=Float32, requires_grad=True)`, as MindSpore prints it.
    public var description: String {
        "Parameter (name=\(name), shape=\(shape), dtype=\(dtype), requires_grad=\(requiresGrad ? "True" : "False"))"
    }
}
