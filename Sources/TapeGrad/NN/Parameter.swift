/// A trainable tensor held by reference, so that optimizers update it in place and every cell that
/// holds it sees the update.
///
/// Read its ``value`` inside a forward pass; a gradient computation that differentiates this parameter
/// sees it tracked on its tape. Its ``name`` is the one MindSpore gives: the `name:` passed here, or the
/// attribute it is stored in, prefixed with the path of the sub-cells that hold it (`fc.weight`) — set
/// once, when the cells holding it are created, never by listing them.
///
/// Threading: a `Parameter` is `Sendable`. Its value, name and `requiresGrad` sit behind one lock, so any
/// number of tasks may read it (forward passes, gradients, checkpoints) while an optimizer updates it;
/// each read sees a whole value, before or after an update.
///
/// ```swift
/// let w = Parameter(Tensor([[1, 2], [3, 4]]), name: "w")
/// let (_, g) = try valueAndGrad({ x in matmul(x, w.value).sum() }, gradPosition: nil, weights: w)(x)
/// ```
public final class Parameter: Sendable, CustomStringConvertible {
    private struct State {
        var name: String
        var requiresGrad: Bool
        var value: Tensor
    }
    private let state: Locked<State>
    /// Whether `name` was given explicitly (otherwise discovery names it after its attribute).
    let hasExplicitName: Bool
    /// The name passed at creation.
    let initialName: String

    /// A parameter holding `value`.
    public init(_ value: Tensor, name: String? = nil, requiresGrad: Bool = true) {
        state = Locked(State(name: name ?? "Parameter", requiresGrad: requiresGrad, value: value.detached))
        self.initialName = name ?? "Parameter"
        self.hasExplicitName = name != nil
    }

    /// The full name (`"fc.weight"`), set from the attribute path when the cells holding it are created.
    ///
    /// ```swift
    /// Dense(inChannels: 2, outChannels: 1).weight.name   // "weight"
    /// ```
    public var name: String {
        get { state.withLock { $0.name } }
        set { state.withLock { $0.name = newValue } }
    }

    /// Whether gradients are computed for it (MindSpore's `requires_grad`); optimizers skip frozen ones.
    ///
    /// ```swift
    /// let bn = BatchNorm1d(numFeatures: 4)
    /// bn.movingMean.requiresGrad   // false
    /// ```
    public var requiresGrad: Bool {
        get { state.withLock { $0.requiresGrad } }
        set { state.withLock { $0.requiresGrad = newValue } }
    }

    /// The current value. Inside a gradient computation that differentiates this parameter, the tracked
    /// value; setting it stores a constant. Inside a gradient computation, training step or checking scope
    /// the assignment is undone if that scope fails (and skipped after its first error), so a failed step
    /// changes nothing.
    ///
    /// ```swift
    /// let w = Parameter(Tensor([[1, 2], [3, 4]]), name: "w")
    /// w.value = Tensor([[0, 0], [0, 0]])
    /// ```
    public var value: Tensor {
        get { GradScope.current?.value(of: self) ?? storedValue }
        set {
            guard !ErrorChecking.hasFailed else { return }
            let new = newValue.detached
            let old = state.withLock { s -> Tensor in
                defer { s.value = new }
                return s.value
            }
            // Undo only our own write: a later one (an optimizer's, another thread's) is left alone.
            Transaction.onRollback { [state] in
                state.withLock { s in if s.value.buffer === new.buffer { s.value = old } }
            }
        }
    }

    /// The stored value, never tracked.
    var storedValue: Tensor { state.withLock { $0.value } }

    /// Replaces the stored value without the checking-scope guard (optimizers, checkpoints).
    func replaceStoredValue(with value: Tensor) {
        let detached = value.detached
        state.withLock { $0.value = detached }
    }

    /// Replaces the stored value by `transform(old)`, atomically: concurrent updates never lose one another.
    /// A transform that returns nil leaves the value as it is.
    func updateStoredValue(_ transform: (Tensor) -> Tensor?) {
        state.withLock { s in
            if let new = transform(s.value) { s.value = new.detached }
        }
    }

    /// Runs `body` on the stored elements in place, holding the lock (copying first only if a reader
    /// still shares the storage). A float16/bfloat16 parameter is updated in `T` (float32) and rounded back
    /// to its dtype.
    func mutateInPlace<T: TensorScalar>(as type: T.Type, _ body: (UnsafeMutableBufferPointer<T>) -> Void) {
        state.withLock { s in
            let dtype = s.value.dtype
            s.value.withUnsafeMutableBufferPointer(as: T.self) { body($0) }
            if s.value.dtype != dtype { s.value = s.value.converted(to: dtype) }
        }
    }

    /// The shape of the value.
    public var shape: [Int] { storedValue.shape }
    /// The dtype of the value.
    public var dtype: DType { storedValue.dtype }

    /// `Parameter (name=w, shape=[2, 2], dtype=Float32, requires_grad=True)`, as MindSpore prints it.
    public var description: String {
        "Parameter (name=\(name), shape=\(shape), dtype=\(dtype), requires_grad=\(requiresGrad ? "True" : "False"))"
    }
}
