// Typed conveniences in the style of Swift's `_Differentiation` module, for the common case where the
// structure of the result is fixed and needs no unwrapping.

/// The value of `f` at `x` and ∂f/∂x (seeded with ones, i.e. the gradient of the sum of `f`'s elements).
///
/// ```swift
/// let (value, gradient) = try valueWithGradient(at: Tensor([1, 2, 3])) { x in (x * x).sum() }
/// // value = 14, gradient = [2, 4, 6]
/// ```
public func valueWithGradient(at x: Tensor, of f: (Tensor) -> Tensor) throws -> (value: Tensor, gradient: Tensor) {
    let r = try GradientEngine.run(inputs: [x], positions: [0], parameters: .none, hasAux: false, sens: nil) { .tensor(f($0[0])) }
    return (r.output.asTensor, r.inputGradients[0] ?? Tensor.zeros(like: x))
}

/// The value of `f` at `(x, y)` and its gradients with respect to both.
///
/// ```swift
/// let (v, (dx, dy)) = try valueWithGradient(at: a, b) { x, y in (x * y).sum() }
/// ```
public func valueWithGradient(
    at x: Tensor, _ y: Tensor, of f: (Tensor, Tensor) -> Tensor
) throws -> (value: Tensor, gradient: (Tensor, Tensor)) {
    let r = try GradientEngine.run(inputs: [x, y], positions: [0, 1], parameters: .none, hasAux: false, sens: nil) {
        .tensor(f($0[0], $0[1]))
    }
    return (r.output.asTensor, (r.inputGradients[0] ?? Tensor.zeros(like: x), r.inputGradients[1] ?? Tensor.zeros(like: y)))
}

/// The value of `f` at `(x, y, z)` and its gradients with respect to all three.
public func valueWithGradient(
    at x: Tensor, _ y: Tensor, _ z: Tensor, of f: (Tensor, Tensor, Tensor) -> Tensor
) throws -> (value: Tensor, gradient: (Tensor, Tensor, Tensor)) {
    let r = try GradientEngine.run(inputs: [x, y, z], positions: [0, 1, 2], parameters: .none, hasAux: false, sens: nil) {
        .tensor(f($0[0], $0[1], $0[2]))
    }
    let g = (0..<3).map { r.inputGradients[$0] ?? Tensor.zeros(like: [x, y, z][$0]) }
    return (r.output.asTensor, (g[0], g[1], g[2]))
}

/// The value of `f` at `inputs` and its gradient with respect to each of them.
///
/// ```swift
/// let (v, grads) = try valueWithGradient(at: [a, b, c, d]) { t in (t[0] * t[1] + t[2] * t[3]).sum() }
/// ```
public func valueWithGradient(at inputs: [Tensor], of f: ([Tensor]) -> Tensor) throws -> (value: Tensor, gradient: [Tensor]) {
    let r = try GradientEngine.run(inputs: inputs, positions: Array(inputs.indices), parameters: .none, hasAux: false, sens: nil) {
        .tensor(f($0))
    }
    return (r.output.asTensor, inputs.indices.map { r.inputGradients[$0] ?? Tensor.zeros(like: inputs[$0]) })
}

/// ∂f/∂x alone.
///
/// ```swift
/// let g = try gradient(at: Tensor([3])) { x in x * x }   // [6]
/// ```
public func gradient(at x: Tensor, of f: (Tensor) -> Tensor) throws -> Tensor {
    try valueWithGradient(at: x, of: f).gradient
}
