// Closures returning a tuple of tensors (several outputs without building a TensorTree by hand), for
// `valueAndGrad`, `grad` and `GradOperation`. Generated shapes: 1…4 inputs × 2 or 3 outputs.
// MARK: - 2 outputs
/// `valueAndGrad` for a function of 1 tensor(s) returning 2 tensors; the value comes back as that tuple
/// and every output is differentiated (seeded with ones, or with one sens per output).
///
/// ```swift
/// let (value, dx) = try valueAndGrad({ (x: Tensor) in (x * x, x) })(Tensor([3]))   // value = ([9], [3]), dx = [7]
/// ```
public func valueAndGrad(
    _ fn: @escaping (Tensor) -> (Tensor, Tensor), gradPosition: GradPosition? = 0, weights: (any GradWeights)? = nil,
    hasAux: Bool = false, returnIds: Bool = false, sensParam: Bool = false
) throws -> ValueAndGradFunction<(Tensor, Tensor)> {
    ValueAndGradFunction(spec: try makeGradSpec(gradPosition: gradPosition, weights: weights, hasAux: hasAux, returnIds: returnIds, sensParam: sensParam),
                         arity: 1, forward: { let o = fn($0[0]); return [o.0, o.1] }, makeValue: { tree in try? (tree.tensor(at: 0), tree.tensor(at: 1)) })
}

/// `grad` for a function of 1 tensor(s) returning 2 tensors (with `hasAux`, the first is differentiated
/// and the others are the aux).
///
/// ```swift
/// let dx = try grad({ (x: Tensor) in (x * x, x) }, hasAux: true)(Tensor([3]))   // ([6], ([3],))
/// ```
public func grad(
    _ fn: @escaping (Tensor) -> (Tensor, Tensor), gradPosition: GradPosition? = 0, weights: (any GradWeights)? = nil,
    hasAux: Bool = false, returnIds: Bool = false, sensParam: Bool = false
) throws -> GradFunction {
    GradFunction(spec: try makeGradSpec(gradPosition: gradPosition, weights: weights, hasAux: hasAux, returnIds: returnIds, sensParam: sensParam),
                 arity: 1, forward: { let o = fn($0[0]); return [o.0, o.1] })
}

extension GradOperation {
    /// The gradient function of a closure of 1 tensor(s) returning 2 tensors.
    ///
    /// ```swift
    /// let g = try GradOperation(getAll: true)({ (x: Tensor) in (x * x, x) })(Tensor([3]))   // ([7],)
    /// ```
    public func callAsFunction(_ fn: @escaping (Tensor) -> (Tensor, Tensor), _ weights: (any GradWeights)? = nil) -> GradFunction {
        GradFunction(spec: spec(weights), arity: 1, forward: { let o = fn($0[0]); return [o.0, o.1] })
    }
}

/// `valueAndGrad` for a function of 2 tensor(s) returning 2 tensors; the value comes back as that tuple
/// and every output is differentiated (seeded with ones, or with one sens per output).
///
/// ```swift
/// let (value, dx) = try valueAndGrad({ (x: Tensor) in (x * x, x) })(Tensor([3]))   // value = ([9], [3]), dx = [7]
/// ```
public func valueAndGrad(
    _ fn: @escaping (Tensor, Tensor) -> (Tensor, Tensor), gradPosition: GradPosition? = 0, weights: (any GradWeights)? = nil,
    hasAux: Bool = false, returnIds: Bool = false, sensParam: Bool = false
) throws -> ValueAndGradFunction<(Tensor, Tensor)> {
    ValueAndGradFunction(spec: try makeGradSpec(gradPosition: gradPosition, weights: weights, hasAux: hasAux, returnIds: returnIds, sensParam: sensParam),
                         arity: 2, forward: { let o = fn($0[0], $0[1]); return [o.0, o.1] }, makeValue: { tree in try? (tree.tensor(at: 0), tree.tensor(at: 1)) })
}

/// `grad` for a function of 2 tensor(s) returning 2 tensors (with `hasAux`, the first is differentiated
/// and the others are the aux).
///
/// ```swift
/// let dx = try grad({ (x: Tensor) in (x * x, x) }, hasAux: true)(Tensor([3]))   // ([6], ([3],))
/// ```
public func grad(
    _ fn: @escaping (Tensor, Tensor) -> (Tensor, Tensor), gradPosition: GradPosition? = 0, weights: (any GradWeights)? = nil,
    hasAux: Bool = false, returnIds: Bool = false, sensParam: Bool = false
) throws -> GradFunction {
    GradFunction(spec: try makeGradSpec(gradPosition: gradPosition, weights: weights, hasAux: hasAux, returnIds: returnIds, sensParam: sensParam),
                 arity: 2, forward: { let o = fn($0[0], $0[1]); return [o.0, o.1] })
}

extension GradOperation {
    /// The gradient function of a closure of 2 tensor(s) returning 2 tensors.
    ///
    /// ```swift
    /// let g = try GradOperation(getAll: true)({ (x: Tensor) in (x * x, x) })(Tensor([3]))   // ([7],)
    /// ```
    public func callAsFunction(_ fn: @escaping (Tensor, Tensor) -> (Tensor, Tensor), _ weights: (any GradWeights)? = nil) -> GradFunction {
        GradFunction(spec: spec(weights), arity: 2, forward: { let o = fn($0[0], $0[1]); return [o.0, o.1] })
    }
}

/// `valueAndGrad` for a function of 3 tensor(s) returning 2 tensors; the value comes back as that tuple
/// and every output is differentiated (seeded with ones, or with one sens per output).
///
/// ```swift
/// let (value, dx) = try valueAndGrad({ (x: Tensor) in (x * x, x) })(Tensor([3]))   // value = ([9], [3]), dx = [7]
/// ```
public func valueAndGrad(
    _ fn: @escaping (Tensor, Tensor, Tensor) -> (Tensor, Tensor), gradPosition: GradPosition? = 0, weights: (any GradWeights)? = nil,
    hasAux: Bool = false, returnIds: Bool = false, sensParam: Bool = false
) throws -> ValueAndGradFunction<(Tensor, Tensor)> {
    ValueAndGradFunction(spec: try makeGradSpec(gradPosition: gradPosition, weights: weights, hasAux: hasAux, returnIds: returnIds, sensParam: sensParam),
                         arity: 3, forward: { let o = fn($0[0], $0[1], $0[2]); return [o.0, o.1] }, makeValue: { tree in try? (tree.tensor(at: 0), tree.tensor(at: 1)) })
}

/// `grad` for a function of 3 tensor(s) returning 2 tensors (with `hasAux`, the first is differentiated
/// and the others are the aux).
///
/// ```swift
/// let dx = try grad({ (x: Tensor) in (x * x, x) }, hasAux: true)(Tensor([3]))   // ([6], ([3],))
/// ```
public func grad(
    _ fn: @escaping (Tensor, Tensor, Tensor) -> (Tensor, Tensor), gradPosition: GradPosition? = 0, weights: (any GradWeights)? = nil,
    hasAux: Bool = false, returnIds: Bool = false, sensParam: Bool = false
) throws -> GradFunction {
    GradFunction(spec: try makeGradSpec(gradPosition: gradPosition, weights: weights, hasAux: hasAux, returnIds: returnIds, sensParam: sensParam),
                 arity: 3, forward: { let o = fn($0[0], $0[1], $0[2]); return [o.0, o.1] })
}

extension GradOperation {
    /// The gradient function of a closure of 3 tensor(s) returning 2 tensors.
    ///
    /// ```swift
    /// let g = try GradOperation(getAll: true)({ (x: Tensor) in (x * x, x) })(Tensor([3]))   // ([7],)
    /// ```
    public func callAsFunction(_ fn: @escaping (Tensor, Tensor, Tensor) -> (Tensor, Tensor), _ weights: (any GradWeights)? = nil) -> GradFunction {
        GradFunction(spec: spec(weights), arity: 3, forward: { let o = fn($0[0], $0[1], $0[2]); return [o.0, o.1] })
    }
}

/// `valueAndGrad` for a function of 4 tensor(s) returning 2 tensors; the value comes back as that tuple
/// and every output is differentiated (seeded with ones, or with one sens per output).
///
/// ```swift
/// let (value, dx) = try valueAndGrad({ (x: Tensor) in (x * x, x) })(Tensor([3]))   // value = ([9], [3]), dx = [7]
/// ```
public func valueAndGrad(
    _ fn: @escaping (Tensor, Tensor, Tensor, Tensor) -> (Tensor, Tensor), gradPosition: GradPosition? = 0, weights: (any GradWeights)? = nil,
    hasAux: Bool = false, returnIds: Bool = false, sensParam: Bool = false
) throws -> ValueAndGradFunction<(Tensor, Tensor)> {
    ValueAndGradFunction(spec: try makeGradSpec(gradPosition: gradPosition, weights: weights, hasAux: hasAux, returnIds: returnIds, sensParam: sensParam),
                         arity: 4, forward: { let o = fn($0[0], $0[1], $0[2], $0[3]); return [o.0, o.1] }, makeValue: { tree in try? (tree.tensor(at: 0), tree.tensor(at: 1)) })
}

/// `grad` for a function of 4 tensor(s) returning 2 tensors (with `hasAux`, the first is differentiated
/// and the others are the aux).
///
/// ```swift
/// let dx = try grad({ (x: Tensor) in (x * x, x) }, hasAux: true)(Tensor([3]))   // ([6], ([3],))
/// ```
public func grad(
    _ fn: @escaping (Tensor, Tensor, Tensor, Tensor) -> (Tensor, Tensor), gradPosition: GradPosition? = 0, weights: (any GradWeights)? = nil,
    hasAux: Bool = false, returnIds: Bool = false, sensParam: Bool = false
) throws -> GradFunction {
    GradFunction(spec: try makeGradSpec(gradPosition: gradPosition, weights: weights, hasAux: hasAux, returnIds: returnIds, sensParam: sensParam),
                 arity: 4, forward: { let o = fn($0[0], $0[1], $0[2], $0[3]); return [o.0, o.1] })
}

extension GradOperation {
    /// The gradient function of a closure of 4 tensor(s) returning 2 tensors.
    ///
    /// ```swift
    /// let g = try GradOperation(getAll: true)({ (x: Tensor) in (x * x, x) })(Tensor([3]))   // ([7],)
    /// ```
    public func callAsFunction(_ fn: @escaping (Tensor, Tensor, Tensor, Tensor) -> (Tensor, Tensor), _ weights: (any GradWeights)? = nil) -> GradFunction {
        GradFunction(spec: spec(weights), arity: 4, forward: { let o = fn($0[0], $0[1], $0[2], $0[3]); return [o.0, o.1] })
    }
}

// MARK: - 3 outputs
/// `valueAndGrad` for a function of 1 tensor(s) returning 3 tensors; the value comes back as that tuple
/// and every output is differentiated (seeded with ones, or with one sens per output).
///
/// ```swift
/// let (value, dx) = try valueAndGrad({ (x: Tensor) in (x * x, x, -x) })(Tensor([3]))   // dx = [6] (= 6 + 1 − 1)
/// ```
public func valueAndGrad(
    _ fn: @escaping (Tensor) -> (Tensor, Tensor, Tensor), gradPosition: GradPosition? = 0, weights: (any GradWeights)? = nil,
    hasAux: Bool = false, returnIds: Bool = false, sensParam: Bool = false
) throws -> ValueAndGradFunction<(Tensor, Tensor, Tensor)> {
    ValueAndGradFunction(spec: try makeGradSpec(gradPosition: gradPosition, weights: weights, hasAux: hasAux, returnIds: returnIds, sensParam: sensParam),
                         arity: 1, forward: { let o = fn($0[0]); return [o.0, o.1, o.2] }, makeValue: { tree in try? (tree.tensor(at: 0), tree.tensor(at: 1), tree.tensor(at: 2)) })
}

/// `grad` for a function of 1 tensor(s) returning 3 tensors (with `hasAux`, the first is differentiated
/// and the others are the aux).
///
/// ```swift
/// let dx = try grad({ (x: Tensor) in (x * x, x) }, hasAux: true)(Tensor([3]))   // ([6], ([3],))
/// ```
public func grad(
    _ fn: @escaping (Tensor) -> (Tensor, Tensor, Tensor), gradPosition: GradPosition? = 0, weights: (any GradWeights)? = nil,
    hasAux: Bool = false, returnIds: Bool = false, sensParam: Bool = false
) throws -> GradFunction {
    GradFunction(spec: try makeGradSpec(gradPosition: gradPosition, weights: weights, hasAux: hasAux, returnIds: returnIds, sensParam: sensParam),
                 arity: 1, forward: { let o = fn($0[0]); return [o.0, o.1, o.2] })
}

extension GradOperation {
    /// The gradient function of a closure of 1 tensor(s) returning 3 tensors.
    ///
    /// ```swift
    /// let g = try GradOperation(getAll: true)({ (x: Tensor) in (x * x, x) })(Tensor([3]))   // ([7],)
    /// ```
    public func callAsFunction(_ fn: @escaping (Tensor) -> (Tensor, Tensor, Tensor), _ weights: (any GradWeights)? = nil) -> GradFunction {
        GradFunction(spec: spec(weights), arity: 1, forward: { let o = fn($0[0]); return [o.0, o.1, o.2] })
    }
}

/// `valueAndGrad` for a function of 2 tensor(s) returning 3 tensors; the value comes back as that tuple
/// and every output is differentiated (seeded with ones, or with one sens per output).
///
/// ```swift
/// let (value, dx) = try valueAndGrad({ (x: Tensor) in (x * x, x, -x) })(Tensor([3]))   // dx = [6] (= 6 + 1 − 1)
/// ```
public func valueAndGrad(
    _ fn: @escaping (Tensor, Tensor) -> (Tensor, Tensor, Tensor), gradPosition: GradPosition? = 0, weights: (any GradWeights)? = nil,
    hasAux: Bool = false, returnIds: Bool = false, sensParam: Bool = false
) throws -> ValueAndGradFunction<(Tensor, Tensor, Tensor)> {
    ValueAndGradFunction(spec: try makeGradSpec(gradPosition: gradPosition, weights: weights, hasAux: hasAux, returnIds: returnIds, sensParam: sensParam),
                         arity: 2, forward: { let o = fn($0[0], $0[1]); return [o.0, o.1, o.2] }, makeValue: { tree in try? (tree.tensor(at: 0), tree.tensor(at: 1), tree.tensor(at: 2)) })
}

/// `grad` for a function of 2 tensor(s) returning 3 tensors (with `hasAux`, the first is differentiated
/// and the others are the aux).
///
/// ```swift
/// let dx = try grad({ (x: Tensor) in (x * x, x) }, hasAux: true)(Tensor([3]))   // ([6], ([3],))
/// ```
public func grad(
    _ fn: @escaping (Tensor, Tensor) -> (Tensor, Tensor, Tensor), gradPosition: GradPosition? = 0, weights: (any GradWeights)? = nil,
    hasAux: Bool = false, returnIds: Bool = false, sensParam: Bool = false
) throws -> GradFunction {
    GradFunction(spec: try makeGradSpec(gradPosition: gradPosition, weights: weights, hasAux: hasAux, returnIds: returnIds, sensParam: sensParam),
                 arity: 2, forward: { let o = fn($0[0], $0[1]); return [o.0, o.1, o.2] })
}

extension GradOperation {
    /// The gradient function of a closure of 2 tensor(s) returning 3 tensors.
    ///
    /// ```swift
    /// let g = try GradOperation(getAll: true)({ (x: Tensor) in (x * x, x) })(Tensor([3]))   // ([7],)
    /// ```
    public func callAsFunction(_ fn: @escaping (Tensor, Tensor) -> (Tensor, Tensor, Tensor), _ weights: (any GradWeights)? = nil) -> GradFunction {
        GradFunction(spec: spec(weights), arity: 2, forward: { let o = fn($0[0], $0[1]); return [o.0, o.1, o.2] })
    }
}

/// `valueAndGrad` for a function of 3 tensor(s) returning 3 tensors; the value comes back as that tuple
/// and every output is differentiated (seeded with ones, or with one sens per output).
///
/// ```swift
/// let (value, dx) = try valueAndGrad({ (x: Tensor) in (x * x, x, -x) })(Tensor([3]))   // dx = [6] (= 6 + 1 − 1)
/// ```
public func valueAndGrad(
    _ fn: @escaping (Tensor, Tensor, Tensor) -> (Tensor, Tensor, Tensor), gradPosition: GradPosition? = 0, weights: (any GradWeights)? = nil,
    hasAux: Bool = false, returnIds: Bool = false, sensParam: Bool = false
) throws -> ValueAndGradFunction<(Tensor, Tensor, Tensor)> {
    ValueAndGradFunction(spec: try makeGradSpec(gradPosition: gradPosition, weights: weights, hasAux: hasAux, returnIds: returnIds, sensParam: sensParam),
                         arity: 3, forward: { let o = fn($0[0], $0[1], $0[2]); return [o.0, o.1, o.2] }, makeValue: { tree in try? (tree.tensor(at: 0), tree.tensor(at: 1), tree.tensor(at: 2)) })
}

/// `grad` for a function of 3 tensor(s) returning 3 tensors (with `hasAux`, the first is differentiated
/// and the others are the aux).
///
/// ```swift
/// let dx = try grad({ (x: Tensor) in (x * x, x) }, hasAux: true)(Tensor([3]))   // ([6], ([3],))
/// ```
public func grad(
    _ fn: @escaping (Tensor, Tensor, Tensor) -> (Tensor, Tensor, Tensor), gradPosition: GradPosition? = 0, weights: (any GradWeights)? = nil,
    hasAux: Bool = false, returnIds: Bool = false, sensParam: Bool = false
) throws -> GradFunction {
    GradFunction(spec: try makeGradSpec(gradPosition: gradPosition, weights: weights, hasAux: hasAux, returnIds: returnIds, sensParam: sensParam),
                 arity: 3, forward: { let o = fn($0[0], $0[1], $0[2]); return [o.0, o.1, o.2] })
}

extension GradOperation {
    /// The gradient function of a closure of 3 tensor(s) returning 3 tensors.
    ///
    /// ```swift
    /// let g = try GradOperation(getAll: true)({ (x: Tensor) in (x * x, x) })(Tensor([3]))   // ([7],)
    /// ```
    public func callAsFunction(_ fn: @escaping (Tensor, Tensor, Tensor) -> (Tensor, Tensor, Tensor), _ weights: (any GradWeights)? = nil) -> GradFunction {
        GradFunction(spec: spec(weights), arity: 3, forward: { let o = fn($0[0], $0[1], $0[2]); return [o.0, o.1, o.2] })
    }
}

/// `valueAndGrad` for a function of 4 tensor(s) returning 3 tensors; the value comes back as that tuple
/// and every output is differentiated (seeded with ones, or with one sens per output).
///
/// ```swift
/// let (value, dx) = try valueAndGrad({ (x: Tensor) in (x * x, x, -x) })(Tensor([3]))   // dx = [6] (= 6 + 1 − 1)
/// ```
public func valueAndGrad(
    _ fn: @escaping (Tensor, Tensor, Tensor, Tensor) -> (Tensor, Tensor, Tensor), gradPosition: GradPosition? = 0, weights: (any GradWeights)? = nil,
    hasAux: Bool = false, returnIds: Bool = false, sensParam: Bool = false
) throws -> ValueAndGradFunction<(Tensor, Tensor, Tensor)> {
    ValueAndGradFunction(spec: try makeGradSpec(gradPosition: gradPosition, weights: weights, hasAux: hasAux, returnIds: returnIds, sensParam: sensParam),
                         arity: 4, forward: { let o = fn($0[0], $0[1], $0[2], $0[3]); return [o.0, o.1, o.2] }, makeValue: { tree in try? (tree.tensor(at: 0), tree.tensor(at: 1), tree.tensor(at: 2)) })
}

/// `grad` for a function of 4 tensor(s) returning 3 tensors (with `hasAux`, the first is differentiated
/// and the others are the aux).
///
/// ```swift
/// let dx = try grad({ (x: Tensor) in (x * x, x) }, hasAux: true)(Tensor([3]))   // ([6], ([3],))
/// ```
public func grad(
    _ fn: @escaping (Tensor, Tensor, Tensor, Tensor) -> (Tensor, Tensor, Tensor), gradPosition: GradPosition? = 0, weights: (any GradWeights)? = nil,
    hasAux: Bool = false, returnIds: Bool = false, sensParam: Bool = false
) throws -> GradFunction {
    GradFunction(spec: try makeGradSpec(gradPosition: gradPosition, weights: weights, hasAux: hasAux, returnIds: returnIds, sensParam: sensParam),
                 arity: 4, forward: { let o = fn($0[0], $0[1], $0[2], $0[3]); return [o.0, o.1, o.2] })
}

extension GradOperation {
    /// The gradient function of a closure of 4 tensor(s) returning 3 tensors.
    ///
    /// ```swift
    /// let g = try GradOperation(getAll: true)({ (x: Tensor) in (x * x, x) })(Tensor([3]))   // ([7],)
    /// ```
    public func callAsFunction(_ fn: @escaping (Tensor, Tensor, Tensor, Tensor) -> (Tensor, Tensor, Tensor), _ weights: (any GradWeights)? = nil) -> GradFunction {
        GradFunction(spec: spec(weights), arity: 4, forward: { let o = fn($0[0], $0[1], $0[2], $0[3]); return [o.0, o.1, o.2] })
    }
}
