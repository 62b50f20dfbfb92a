/// A value shaped like MindSpore's results: a tensor, a (possibly empty or one-element) tuple of such
/// values, or the id that `returnIds` pairs with a gradient (an input position or a parameter name).
///
/// Forward outputs with several tensors and every gradient structure are `TensorTree`s. Take its tensors
/// with the throwing accessors ``tensor()`` and ``tensor(at:)``, destructure it, or print it as MindSpore
/// prints its nested tuples. An array literal of tensors (or of trees) is a tuple:
///
/// ```swift
/// let a = Tensor([1, 2]), b = Tensor([3, 4])
/// let (value, grads) = try valueAndGrad({ x, y in x * y }, gradPosition: [0, 1])(a, b)
/// let (dx, dy) = (try grads.tensor(at: 0), try grads.tensor(at: 1))
/// print(grads)   // (Tensor(shape=[2], …), Tensor(shape=[2], …))
/// let out: TensorTree = [a, b]          // a 2-tuple, as a multi-output function returns
/// let nested: TensorTree = [out, .tuple([])]
/// ```
///
/// Inside an array literal, `.tensor(a)` and `.tuple([…])` work as elements; an inner literal of such
/// members needs its type spelled out: `[.tuple([.position(0), .tensor(a)]), b]`.
public indirect enum TensorTree: Sendable, Equatable, CustomStringConvertible, ExpressibleByArrayLiteral {
    /// A single tensor.
    case tensor(Tensor)
    /// A tuple; `.tuple([])` is MindSpore's `()`.
    case tuple([TensorTree])
    /// An input position, as `returnIds` pairs it with that input's gradient.
    case position(Int)
    /// A parameter name, as `returnIds` pairs it with that parameter's gradient.
    case name(String)

    /// A tuple of the given elements, tensors or trees: `[x, y]` is `(x, y)`, `[.tensor(x), .tuple([])]` is `(x, ())`.
    public init(arrayLiteral elements: any TensorTreeConvertible...) { self = .tuple(elements.map(\.tensorTree)) }

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
    /// ``element(at:)`` and ``tensor(at:)`` are the forms that never trap.
    public subscript(index: Int) -> TensorTree {
        guard case .tuple(let items) = self, items.indices.contains(index) else {
            reportError(TensorError(op: "TensorTree[\(index)]", message: "no element \(index) in \(shortDescription)"))
            return .tuple([])
        }
        return items[index]
    }

    /// The tensor this holds. Asking a tuple or an id for its tensor is a caller error reported like a
    /// tensor op's (a trap outside a checking scope); ``tensor()`` throws instead, ``tensorValue`` gives nil.
    public var asTensor: Tensor {
        if case .tensor(let t) = self { return t }
        reportError(TensorError(op: "TensorTree.asTensor", message: "\(shortDescription) is not a single tensor"))
        return Tensor.placeholder()
    }

    /// The tensor this holds; throws a ``TensorError`` for a tuple or an id.
    ///
    /// ```swift
    /// let dx = try grad({ x in x * x })(Tensor([3])).tensor()   // [6]
    /// ```
    public func tensor() throws -> Tensor {
        if case .tensor(let t) = self { return t }
        throw TensorError(op: "TensorTree.tensor()", message: "\(shortDescription) is \(kindDescription), not a single tensor; use tensor(at:) for an element of a tuple")
    }

    /// The tensor at element `index` of a tuple; throws a ``TensorError`` when there is no such element
    /// or it is not a tensor.
    ///
    /// ```swift
    /// let g = try grad({ x, y in x * y }, gradPosition: [0, 1])(Tensor([2]), Tensor([5]))
    /// let dy = try g.tensor(at: 1)   // [2]
    /// ```
    public func tensor(at index: Int) throws -> Tensor {
        guard let element = element(at: index) else {
            throw TensorError(op: "TensorTree.tensor(at: \(index))", message: "\(shortDescription) is \(kindDescription), which has no element \(index)")
        }
        guard case .tensor(let t) = element else {
            throw TensorError(op: "TensorTree.tensor(at: \(index))", message: "element \(index) of \(shortDescription) is \(element.kindDescription), not a tensor")
        }
        return t
    }

    /// Element `index` of a tuple, or nil when this is not a tuple or has no such element.
    ///
    /// ```swift
    /// let pair: TensorTree = [Tensor([1]), Tensor([2])]
    /// pair.element(at: 2)   // nil
    /// ```
    public func element(at index: Int) -> TensorTree? {
        guard case .tuple(let items) = self, items.indices.contains(index) else { return nil }
        return items[index]
    }

    private var kindDescription: String {
        switch self {
        case .tensor: return "a tensor"
        case .tuple(let items): return "a \(items.count)-tuple"
        case .position: return "a position id"
        case .name: return "a parameter-name id"
        }
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

/// What a differentiable function may return: a ``Tensor``, a ``TensorTree`` or an array of tensors
/// (for several outputs).
///
/// ```swift
/// let f: (Tensor) -> TensorTree = { x in [x * x, x] }   // two outputs
/// let g = { (x: Tensor) in [x * x, x] }                 // [Tensor]: also two outputs
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

extension Array: TensorTreeConvertible where Element: TensorTreeConvertible {
    /// A tuple of the elements: `[Tensor]` (or `[TensorTree]`) returned by a function is several outputs.
    public var tensorTree: TensorTree { .tuple(map(\.tensorTree)) }
    /// The elements of a tuple whose every element converts to `Element`.
    public init?(tensorTree: TensorTree) {
        guard case .tuple(let items) = tensorTree else { return nil }
        var elements: [Element] = []
        for item in items {
            guard let e = Element(tensorTree: item) else { return nil }
            elements.append(e)
        }
        self = elements
    }
}

extension TensorTreeConvertible where Self == TensorTree {
    // Lets `[.tensor(a), .tuple([])]` resolve its elements against `TensorTree` in an array literal of
    // `any TensorTreeConvertible`.
    /// `.tensor(t)` inside an array literal of trees.
    @_disfavoredOverload public static func tensor(_ t: Tensor) -> TensorTree { TensorTree.tensor(t) }
    /// `.tuple(items)` inside an array literal of trees.
    @_disfavoredOverload public static func tuple(_ items: [TensorTree]) -> TensorTree { TensorTree.tuple(items) }
    /// `.position(i)` inside an array literal of trees.
    @_disfavoredOverload public static func position(_ i: Int) -> TensorTree { TensorTree.position(i) }
    /// `.name(s)` inside an array literal of trees.
    @_disfavoredOverload public static func name(_ s: String) -> TensorTree { TensorTree.name(s) }
}
