// Custom gradients: a Cell's `bprop` (MindSpore), a closure with a user pullback (JAX's `custom_vjp`,
// MindSpore's `custom_vjp` + `defbwd`), and `noGrad { }`.

/// A cell whose gradient is given by ``bprop(_:out:dout:)`` instead of being derived from its
/// `construct` (MindSpore's `Cell.bprop(self, *inputs, out, dout)`). Every gradient API honours it:
/// `valueAndGrad`, `grad`, `GradOperation`, `ForwardValueAndGrad`, `vjp`, `jvp`, `jacrev`, `jacfwd`,
/// and a cell called inside another cell's forward.
///
/// The forward runs without recording; the cell is recorded as one op whose pullback is `bprop`.
/// Parameters read inside `construct` therefore get no gradient through this cell. Written in tensor
/// ops, `bprop` is itself differentiable (a higher-order gradient differentiates it, with `out`
/// recomputed on the recorded inputs).
///
/// ```swift
/// /// Straight-through sign: the forward takes the sign, the gradient passes unchanged.
/// final class SignSTE: Cell, CustomBprop {
///     override func construct(_ x: Tensor) -> Tensor { sign(x) }
///     func bprop(_ inputs: [Tensor], out: TensorTree, dout: TensorTree) -> [Tensor] { [dout.asTensor] }
/// }
/// ```
public protocol CustomBprop: Cell {
    /// The gradients of the inputs, one per input (∂L/∂inputᵢ, of inputᵢ's shape), given the inputs, the
    /// forward output `out` and its cotangent `dout` = ∂L/∂out (same structure as `out`).
    ///
    /// ```swift
    /// func bprop(_ inputs: [Tensor], out: TensorTree, dout: TensorTree) -> [Tensor] {
    ///     [dout.asTensor * inputs[1], dout.asTensor * inputs[0]]   // the product rule of x · y
    /// }
    /// ```
    func bprop(_ inputs: [Tensor], out: TensorTree, dout: TensorTree) -> [Tensor]
}

extension Cell {
    /// `construct`, or for a ``CustomBprop`` cell the forward recorded as one op with `bprop` as its pullback.
    func constructApplyingBprop(_ inputs: [Tensor]) -> TensorTree {
        guard let custom = self as? any CustomBprop else { return construct(inputs) }
        return applyingCustomGradient(name: "\(typeName).bprop", inputs: inputs,
                                      forward: { custom.construct($0) },
                                      pullback: { custom.bprop($0, out: $1, dout: $2) })
    }
}

/// Runs `forward` without recording and records its output tensors as ops on `inputs` whose pullback is
/// `pullback(inputs, out, dout)`.
func applyingCustomGradient(
    name: String, inputs: [Tensor], forward: @escaping ([Tensor]) -> TensorTree,
    pullback: @escaping ([Tensor], TensorTree, TensorTree) -> [Tensor]
) -> TensorTree {
    let out = noGrad { forward(inputs.map(\.detached)) }
    guard inputs.contains(where: \.isRecordedOnActiveTape) else { return out }
    let outs = out.tensors
    var k = -1
    return out.mapTensors { value in
        k += 1
        let index = k
        // One node per output tensor; its pullback passes zeros as the other outputs' cotangents
        // (bprop is linear in dout, so the nodes' contributions add up to the joint pullback).
        return value.recorded(inputs: inputs) { g, needed in
            // At higher order the saved output is recomputed on the recorded inputs, so that
            // a bprop that uses `out` is differentiated through it.
            let current = inputs.contains(where: \.isRecordedOnActiveTape) ? forward(inputs) : out
            let dout = current.replacingTensors(outs.indices.map { $0 == index ? g : Tensor.zeros(like: outs[$0]) })
            let grads = pullback(inputs, current, dout)
            guard grads.count == inputs.count else {
                reportError(TensorError(op: name, message: "should return \(inputs.count) gradient(s), one per input, but returned \(grads.count)"))
                return inputs.map { _ in nil }
            }
            return zip(grads, inputs).enumerated().map { i, pair in
                let (grad, input) = pair
                guard needed[i] else { return nil }
                guard grad.shape == input.shape else {
                    reportError(TensorError(op: name, message: "the gradient of input \(i) has shape \(grad.shape), but the input has shape \(input.shape)"))
                    return nil
                }
                return grad
            }
        }
    }
}

// MARK: - customVJP

/// JAX's `custom_vjp` (MindSpore's `custom_vjp` with `defbwd`): `forward` with the gradient given by
/// `pullback(x, out, dout)` instead of being derived. Use it for a missing op, a straight-through
/// estimator, or a numerically stable rule. Written in tensor ops, the pullback is itself differentiable.
/// Only the arguments are differentiated: tensors and parameters the closures capture are constants here.
///
/// ```swift
/// // Gradient clipping in the backward pass only: the value is x, the gradient is clip(dout, −1, 1).
/// let clipGradient = customVJP({ x in x }, pullback: { _, _, dout in clip(dout, min: -1, max: 1) })
/// let g = try gradient(at: x) { x in (clipGradient(x) * 10).sum() }   // 1 everywhere, not 10
/// ```
public func customVJP(
    _ forward: @escaping (Tensor) -> Tensor, pullback: @escaping (_ x: Tensor, _ out: Tensor, _ dout: Tensor) -> Tensor
) -> (Tensor) -> Tensor {
    { x in
        applyingCustomGradient(name: "customVJP", inputs: [x], forward: { .tensor(forward($0[0])) },
                               pullback: { [pullback($0[0], $1.asTensor, $2.asTensor)] }).asTensor
    }
}

/// `customVJP` of a function of two tensors: `pullback(x, y, out, dout)` returns `(∂x, ∂y)`.
///
/// ```swift
/// let mul = customVJP({ x, y in x * y }, pullback: { x, y, _, dout in (dout * y, dout * x) })
/// ```
public func customVJP(
    _ forward: @escaping (Tensor, Tensor) -> Tensor,
    pullback: @escaping (_ x: Tensor, _ y: Tensor, _ out: Tensor, _ dout: Tensor) -> (Tensor, Tensor)
) -> (Tensor, Tensor) -> Tensor {
    { x, y in
        applyingCustomGradient(name: "customVJP", inputs: [x, y], forward: { .tensor(forward($0[0], $0[1])) }, pullback: { inputs, out, dout in
            let (gx, gy) = pullback(inputs[0], inputs[1], out.asTensor, dout.asTensor)
            return [gx, gy]
        }).asTensor
    }
}

/// `customVJP` of a function of any number of tensors and outputs: `pullback(inputs, out, dout)` returns
/// one gradient per input, `dout` having the structure of `out` — exactly a cell's `bprop`.
///
/// ```swift
/// let f = customVJP({ (t: [Tensor]) -> TensorTree in .tensor(t[0] * t[1]) },
///                   pullback: { t, _, dout in [dout.asTensor * t[1], dout.asTensor * t[0]] })
/// ```
public func customVJP(
    _ forward: @escaping ([Tensor]) -> TensorTree,
    pullback: @escaping (_ inputs: [Tensor], _ out: TensorTree, _ dout: TensorTree) -> [Tensor]
) -> ([Tensor]) -> TensorTree {
    { inputs in applyingCustomGradient(name: "customVJP", inputs: inputs, forward: forward, pullback: pullback) }
}

// MARK: - noGrad

/// Runs `body` with recording paused on every gradient computation enclosing it (PyTorch's `no_grad`):
/// what `body` computes is a constant for them, and costs no tape memory. A gradient computation started
/// inside `body` records as usual.
///
/// ```swift
/// let (_, g) = try valueWithGradient(at: x) { x in
///     let scale = noGrad { (x * x).sum() }   // a constant: no gradient through it
///     return (x * scale).sum()
/// }
/// ```
public func noGrad<R>(_ body: () throws -> R) rethrows -> R {
    var paused: [Tape] = []
    var scope = GradScope.current
    while let s = scope {
        if s.tape.pauseRecording() { paused.append(s.tape) }
        scope = s.parent
    }
    defer { for tape in paused { tape.resumeRecording() } }
    return try body()
}
