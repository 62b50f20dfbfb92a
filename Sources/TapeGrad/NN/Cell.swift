/// The base class of networks and layers, as MindSpore's `nn.Cell`.
///
/// A subclass stores its ``Parameter``s and sub-cells in ordinary properties — they are found by
/// reflection, with no registration call — and overrides one `construct` for its forward pass: the
/// one taking as many tensors as it has inputs, returning a `Tensor`, or ``construct(_:)-([Tensor])``
/// for any number of inputs and a tuple of outputs.
///
/// ```swift
/// final class Net: Cell {
///     let z = Parameter(Tensor([1]), name: "z")
///     override func construct(_ x: Tensor, _ y: Tensor) -> Tensor { matmul(x * z.value, y) }
/// }
/// let net = Net()
/// let out = net(x, y)                    // a Tensor; net([x, y]) gives the TensorTree
/// net.trainableParams().map(\.name)   // ["z"]
/// ```
///
/// Threading: a `Cell` is `Sendable` — one network may be run and differentiated from many tasks at
/// once. A forward pass mutates nothing but through locks: ``Parameter`` values are locked, BatchNorm's
/// running statistics are updated atomically when the step commits (see ``BatchNorm1d``), Dropout draws
/// its masks from a locked counter (see ``Dropout``), and listing parameters computes names without
/// writing them. Swift asks a subclass to restate the conformance (`final class Net: Cell, @unchecked
/// Sendable`); restating it promises the rule the built-in layers keep: stored properties are `let`s of
/// `Sendable` types, and any mutable state sits behind a lock.
open class Cell: @unchecked Sendable, CustomStringConvertible {
    // Sendable: the only mutable state of the base class is the training flag, behind its lock.
    private let _training = Locked(false)

    /// A cell with no parameters yet. It names the parameters it holds after their attribute paths
    /// (`fc.weight`), as MindSpore names them when a cell is built; listing them later renames nothing.
    public init() { bindParameterNames() }

    /// Whether sub-cells' parameter names get this cell's attribute names as prefixes
    /// (MindSpore's `auto_prefix`; ``WithLossCell`` turns it off).
    open var autoPrefix: Bool { true }

    // MARK: Forward

    /// The forward pass for any number of inputs. The default dispatches to the `construct` overload that
    /// takes that many tensors.
    open func construct(_ inputs: [Tensor]) -> TensorTree {
        switch inputs.count {
        case 1: return .tensor(construct(inputs[0]))
        case 2: return .tensor(construct(inputs[0], inputs[1]))
        case 3: return .tensor(construct(inputs[0], inputs[1], inputs[2]))
        case 4: return .tensor(construct(inputs[0], inputs[1], inputs[2], inputs[3]))
        default:
            return .tensor(missingConstruct(inputs.count))
        }
    }

    /// The forward pass of a one-input cell. Override it (or another `construct`).
    open func construct(_ x: Tensor) -> Tensor { missingConstruct(1) }
    /// The forward pass of a two-input cell.
    open func construct(_ x: Tensor, _ y: Tensor) -> Tensor { missingConstruct(2) }
    /// The forward pass of a three-input cell.
    open func construct(_ x: Tensor, _ y: Tensor, _ z: Tensor) -> Tensor { missingConstruct(3) }
    /// The forward pass of a four-input cell.
    open func construct(_ a: Tensor, _ b: Tensor, _ c: Tensor, _ d: Tensor) -> Tensor { missingConstruct(4) }

    func missingConstruct(_ n: Int) -> Tensor {
        reportError(TensorError(op: "\(typeName).construct", message: Cell.missingConstructMessage + "\(n) input(s)"))
        return Tensor.placeholder()
    }

    static let missingConstructMessage = "no construct taking "

    /// Whether `error` says a cell was called with a number of inputs it has no `construct` for.
    static func isMissingConstruct(_ error: TensorError) -> Bool {
        error.op.hasSuffix(".construct") && error.message.hasPrefix(missingConstructMessage)
    }

    /// Runs a one-input, one-output forward pass: `y = net(x)`.
    /// (A cell with several outputs, such as ``ForwardValueAndGrad``, is called with an array: `net([x])`.)
    public func callAsFunction(_ x: Tensor) -> Tensor { callAsFunction([x]).asTensor }

    /// Runs a two-input, one-output forward pass: `loss = criterion(prediction, label)`.
    public func callAsFunction(_ x: Tensor, _ y: Tensor) -> Tensor { callAsFunction([x, y]).asTensor }

    /// Runs a three-input, one-output forward pass.
    public func callAsFunction(_ x: Tensor, _ y: Tensor, _ z: Tensor) -> Tensor { callAsFunction([x, y, z]).asTensor }

    /// Runs a four-input, one-output forward pass.
    public func callAsFunction(_ a: Tensor, _ b: Tensor, _ c: Tensor, _ d: Tensor) -> Tensor { construct([a, b, c, d]).asTensor }

    /// Runs the forward pass on any number of inputs and returns every output: `net([x, y])`.
    public func callAsFunction(_ inputs: [Tensor]) -> TensorTree { constructApplyingBprop(inputs) }

    // MARK: Training mode

    /// Whether the cell is in training mode (Dropout drops, BatchNorm uses batch statistics).
    public var isTraining: Bool { _training.value }

    /// Sets training mode on this cell and every sub-cell; returns `self`.
    ///
    /// ```swift
    /// net.setTrain()          // training
    /// net.setTrain(false)     // evaluation
    /// ```
    @discardableResult
    public func setTrain(_ mode: Bool = true) -> Self {
        _training.withLock { $0 = mode }
        for (_, cell) in subCells() { cell.setTrain(mode) }
        return self
    }

    // MARK: Parameters

    /// Every parameter with its full name: this cell's own first (in declaration order), then each
    /// sub-cell's, recursively; a parameter reachable twice is listed once. Names are the attribute paths
    /// from this cell (`fc.weight`); listing writes nothing, so it is safe from any number of tasks, and
    /// listing a sub-cell does not rename the parameters its parent sees.
    public func parametersAndNames() -> [(name: String, parameter: Parameter)] {
        var seen = Set<ObjectIdentifier>()
        var out: [(name: String, parameter: Parameter)] = []
        collect(prefix: "", into: &out, seen: &seen)
        return out
    }

    /// The parameters that require a gradient, unused ones included, in MindSpore's order
    /// (MindSpore's `trainable_params()`).
    ///
    /// ```swift
    /// let params = Dense(inChannels: 3, outChannels: 2).trainableParams()   // [weight, bias]
    /// ```
    public func trainableParams() -> [Parameter] { parametersAndNames().map(\.parameter).filter(\.requiresGrad) }

    /// Every parameter, frozen ones included (MindSpore's `get_parameters()`).
    public func parameters() -> [Parameter] { parametersAndNames().map(\.parameter) }

    /// The direct sub-cells with their attribute names (`layers.0` for an element of an array).
    /// Containers such as ``SequentialCell`` override it to name their children as MindSpore does.
    open func subCells() -> [(name: String, cell: Cell)] {
        var out: [(String, Cell)] = []
        for (label, value) in storedProperties() { Cell.cells(in: value, label: label, into: &out) }
        return out
    }

    /// Gives every parameter reachable from this cell its path name; called once, when the cell is built
    /// (an enclosing cell built later renames them again with its prefix, as MindSpore does).
    private func bindParameterNames() {
        for (name, p) in parametersAndNames() where p.name != name { p.name = name }
    }

    private func collect(prefix: String, into out: inout [(name: String, parameter: Parameter)], seen: inout Set<ObjectIdentifier>) {
        let properties = storedProperties()
        for (label, value) in properties {
            for (suffix, p) in Cell.parameters(in: value, label: label) where seen.insert(ObjectIdentifier(p)).inserted {
                out.append((prefix + (p.hasExplicitName ? p.initialName : suffix), p))
            }
        }
        for (label, cell) in subCells() {
            cell.collect(prefix: autoPrefix ? prefix + label + "." : prefix, into: &out, seen: &seen)
        }
    }

    /// Stored properties in declaration order, base classes first.
    private func storedProperties() -> [(String, Any)] {
        var mirrors: [Mirror] = []
        var mirror: Mirror? = Mirror(reflecting: self)
        while let m = mirror { mirrors.append(m); mirror = m.superclassMirror }
        return mirrors.reversed().flatMap { m in m.children.compactMap { c in c.label.map { ($0, c.value) } } }
            .filter { !$0.0.hasPrefix("_") }
    }

    private static func unwrapOptional(_ value: Any) -> Any? {
        let m = Mirror(reflecting: value)
        guard m.displayStyle == .optional else { return value }
        return m.children.first?.value
    }

    private static func parameters(in value: Any, label: String) -> [(String, Parameter)] {
        guard let value = unwrapOptional(value) else { return [] }
        if let p = value as? Parameter { return [(label, p)] }
        if let ps = value as? [Parameter] { return ps.enumerated().map { ("\(label).\($0.offset)", $0.element) } }
        if let tuple = value as? ParameterTuple { return tuple.enumerated().map { ("\(label).\($0.offset)", $0.element) } }
        return []
    }

    private static func cells(in value: Any, label: String, into out: inout [(String, Cell)]) {
        guard let value = unwrapOptional(value) else { return }
        if let c = value as? Cell { out.append((label, c)); return }
        if let cs = value as? [Cell] { for (i, c) in cs.enumerated() { out.append(("\(label).\(i)", c)) } }
    }

    var typeName: String { String(describing: type(of: self)) }

    /// The cell's configuration as MindSpore 2.10 prints it inside the parentheses
    /// (MindSpore's `extend_repr`), e.g. `input_channels=3, output_channels=5, has_bias=True` for a
    /// ``Dense``; empty by default. Override it in a layer with settings.
    open var extendRepr: String { "" }

    /// The cell tree as MindSpore 2.10 prints it: the class name, its configuration and its sub-cells.
    ///
    /// ```swift
    /// print(SequentialCell([Dense(inChannels: 3, outChannels: 5), ReLU()]))
    /// // SequentialCell(
    /// //   (0): Dense(input_channels=3, output_channels=5, has_bias=True)
    /// //   (1): ReLU()
    /// // )
    /// ```
    open var description: String {
        let children = subCells()
        let extra = extendRepr
        if children.isEmpty && !extra.contains("\n") { return "\(typeName)(\(extra))" }
        var lines = extra.isEmpty ? [] : extra.components(separatedBy: "\n")
        lines += children.map { "(\($0.name)): \($0.cell)" }
        return "\(typeName)(\n" + lines.map { "  " + $0.replacingOccurrences(of: "\n", with: "\n  ") }.joined(separator: "\n") + "\n)"
    }

    /// Reports a caller error of this layer, naming it with its Swift configuration, e.g.
    /// `Dense(inChannels: 3, outChannels: 5): got input [4, 2]; expected [N, 3]`.
    func reportLayerError(_ configuration: String, _ message: String) {
        reportError(TensorError(op: configuration, message: message))
    }
}
