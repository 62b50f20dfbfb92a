/// Which inputs to differentiate: MindSpore's `grad_position`, an int or a tuple of ints.
///
/// ```swift
/// let f = { (x: Tensor, y: Tensor, z: Tensor) in x * y * z }
/// let one = try valueAndGrad(f, gradPosition: 1)          // one input: a bare gradient
/// let two = try valueAndGrad(f, gradPosition: [0, 2])     // a tuple of two gradients
/// ```
public enum GradPosition: Sendable, Equatable, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral {
    /// A single position (`grad_position=i`).
    case index(Int)
    /// A tuple of positions (`grad_position=(i, j, …)`), in the order the gradients are returned.
    case indices([Int])

    /// `gradPosition: 1`.
    public init(integerLiteral value: Int) { self = .index(value) }
    /// `gradPosition: [0, 1]`.
    public init(arrayLiteral elements: Int...) { self = .indices(elements) }

    /// The positions as a list.
    var list: [Int] {
        switch self {
        case .index(let i): return [i]
        case .indices(let p): return p
        }
    }

    /// MindSpore's construction-time checks: no negative positions, no duplicates.
    func validate() throws {
        switch self {
        case .index(let i):
            if i < 0 { throw GradError.negativePosition(i) }
        case .indices(let p):
            if p.contains(where: { $0 < 0 }) { throw GradError.negativePositionInTuple(p) }
            if Set(p).count != p.count { throw GradError.duplicatePositions(p) }
        }
    }
}

/// The `weights` argument: a single ``Parameter`` (its gradient comes back bare), or an array of
/// parameters or a ``ParameterTuple`` (a tuple of gradients, one per element, in order).
///
/// ```swift
/// let net = Dense(inChannels: 2, outChannels: 1)
/// let w = net.trainableParams()[0]
/// let f = { (x: Tensor) in net(x).sum() }
/// let bare = try valueAndGrad(f, gradPosition: nil, weights: w)                       // bare gradient
/// let tuple = try valueAndGrad(f, gradPosition: nil, weights: net.trainableParams())   // tuple
/// ```
public protocol GradWeights: Sendable {
    /// The parameters, and whether they came as a single parameter.
    var weightSelection: WeightSelection { get }
}

/// The two shapes a `weights` argument takes.
public enum WeightSelection: Sendable {
    /// A bare Parameter.
    case single(Parameter)
    /// A list, tuple or ParameterTuple.
    case list([Parameter])

    var parameters: [Parameter] {
        switch self {
        case .single(let p): return [p]
        case .list(let ps): return ps
        }
    }
}

extension Parameter: GradWeights {
    /// `.single(self)`.
    public var weightSelection: WeightSelection { .single(self) }
}

extension Array: GradWeights where Element == Parameter {
    /// `.list(self)`.
    public var weightSelection: WeightSelection { .list(self) }
}

extension ParameterTuple: GradWeights {
    /// `.list(parameters)`.
    public var weightSelection: WeightSelection { .list(parameters) }
}
