/// A value shaped like MindSpore's results: a tensor, a (possibly empty or one-element) tuple of such
/// values, or the id that `returnIds` pairs with a gradient (an input position or a parameter name).
///
/// Forward outputs with several tensors and every gradient structure are `TensorTree`s. Index it,
/// destructure it, or print it as MindSpore prints its nested tuples:
///
/// ```swift
/// let (value, grads) = try valueAndGrad({ x, y in x * y }, gradPosition: [0, 1])(a, b)
/// let (dx, dy) = (grads[0].asTensor, grads[1].asTensor)
/// print(grads)   // (Tensor(shape=[2], …), Tensor(shape=[2], …))
/// let out: TensorTree = [a, b]          // a 2-tuple, as a multi-output function returns
/// ```
public indirect enum TensorTree: Sendable, Equatable, CustomStringConvertible, ExpressibleByArrayLiteral {
    /// A single tensor.
    case tensor(Tensor)
    /// A tuple; `.tuple([])` is MindSpore's `()`.
    case tuple([TensorTree])
    /// An input position, as `returnIds` pairs it with that input's gradient.
    case position(Int)
    /// A parameter name, as `returnIds` pairs it with that parameter's gradient.
    case name(String)

    /// A tuple of the given elements: `[x, y]` is `(x, y)`.
    public init(arrayLiteral elements: TensorTree...) { self = .tuple(elements) }

    /// A tuple of tensors.
    public init(_ tensors: [Tensor]) { self = .tuple(tensors.map(TensorTree.tensor)) }

    /// The elements of a tuple (an empty array for any other case).
    public var elements: [TensorTree] {
        if case .tuple(let items) = self { return items }
        return []
    }

    /// The number of elements of a tuple (1 for a tensor or an id).
    public var count: Int {
        if case .tuple(let items) = self { return items.count }
        return 1
    }

    /// Whether this is `()`.
    public var isEmptyTuple: Bool { self == .tuple([]) }

    /// Element `index` of a tuple. An index out of range, or indexing a non-tuple, is a caller error
    /// reported like a tensor op's (thrown inside a checking scope, a trap outside, as for an array).
    public subscript(index: Int) -> TensorTree {
        guard case .tuple(let items) = self, items.indices.contains(index) else {
            reportError(TensorError(op: "TensorTree[\(index)]", message: "no element \(index) in \(shortDescription)"))
            return .tuple([])
        }
        return items[index]
    }

    /// The tensor this holds. Asking a tuple or an id for its tensor is a caller error (reported like a tensor op's).
    public var asTensor: Tensor {
        if case .tensor(let t) = self { return t }
        reportError(TensorError(op: "TensorTree.asTensor", message: "\(shortDescription) is not a single tensor"))
        return Tensor.placeholder()
    }

    /// The tensor, or nil for a tuple or an id.
    public var tensorValue: Tensor? {
        if case .tensor(let t) = self { return t }
        return nil
    }

    /// Every tensor in depth-first order (ids are skipped).
    public var tensors: [Tensor] {
        switch self {
        case .tensor(let t): return [t]
        case .tuple(let items): return items.flatMap(\.tensors)
        case .position, .name: return []
        }
    }

    /// The same structure with every tensor cut off from the tapes.
    var detached: TensorTree { mapTensors { $0.detachedIfNotNested } }

    func mapTensors(_ transform: (Tensor) -> Tensor) -> TensorTree {
        switch self {
        case .tensor(let t): return .tensor(transform(t))
        case .tuple(let items): return .tuple(items.map { $0.mapTensors(transform) })
        default: return self
        }
    }

    /// Printed as MindSpore prints Python tuples: `(a, b)`, `(a,)`, `()`, ids as `0` and `'w'`.
    public var description: String {
        switch self {
        case .tensor(let t): return t.description
        case .position(let i): return String(i)
        case .name(let s): return "'\(s)'"
        case .tuple(let items):
            if items.count == 1 { return "(\(items[0]),)" }
            return "(" + items.map(\.description).joined(separator: ", ") + ")"
        }
    }

    /// A one-line summary naming shapes only.
    var shortDescription: String {
        switch self {
        case .tensor(let t): return "Tensor\(t.shape)"
        case .position(let i): return String(i)
        case .name(let s): return "'\(s)'"
        case .tuple(let items):
            if items.count == 1 { return "(\(items[0].shortDescription),)" }
            return "(" + items.map(\.shortDescription).joined(separator: ", ") + ")"
        }
    }
}

/// What a differentiable function may return: a ``Tensor`` or a ``TensorTree`` (for several outputs).
///
/// ```swift
/// let f: (Tensor) -> TensorTree = { x in [x * x, x] }   // two outputs
/// ```
public protocol TensorTreeConvertible: Sendable {
    /// The value as a tree.
    var tensorTree: TensorTree { get }
    /// Rebuilds the value from a tree of the same structure (used to hand back detached outputs).
    init?(tensorTree: TensorTree)
}

extension Tensor: TensorTreeConvertible {
    /// `.tensor(self)`.
    public var tensorTree: TensorTree { .tensor(self) }
    /// The tensor of a `.tensor` tree.
    public init?(tensorTree: TensorTree) {
        guard case .tensor(let t) = tensorTree else { return nil }
        self = t
    }
}

extension TensorTree: TensorTreeConvertible {
    /// `self`.
    public var tensorTree: TensorTree { self }
    /// The tree itself.
    public init?(tensorTree: TensorTree) { self = tensorTree }
}
