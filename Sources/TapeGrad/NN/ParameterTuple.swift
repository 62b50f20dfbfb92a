/// An ordered collection of Parameters with distinct names, MindSpore's `ParameterTuple`.
///
/// ```swift
/// let weights = try ParameterTuple(net.trainableParams())
/// let gradOp = GradOperation(getByList: true)(net, weights)
/// ```
public struct ParameterTuple: RandomAccessCollection, Sendable, CustomStringConvertible {
    /// The parameters, in order.
    public let parameters: [Parameter]

    /// Collects `parameters`; throws ``GradError/duplicateParameterName(_:)`` when two different
    /// parameters share a name (the same parameter twice is allowed).
    public init(_ parameters: [Parameter]) throws {
        var byName: [String: ObjectIdentifier] = [:]
        for p in parameters {
            if let other = byName[p.name], other != ObjectIdentifier(p) { throw GradError.duplicateParameterName(p.name) }
            byName[p.name] = ObjectIdentifier(p)
        }
        self.parameters = parameters
    }

    /// The first index.
    public var startIndex: Int { parameters.startIndex }
    /// One past the last index.
    public var endIndex: Int { parameters.endIndex }
    /// The parameter at `position`.
    public subscript(position: Int) -> Parameter { parameters[position] }

    /// `(Parameter (name=w, …), …)`.
    public var description: String { "(" + parameters.map(\.description).joined(separator: ", ") + ")" }
}
