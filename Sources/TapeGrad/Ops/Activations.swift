// Activation functions, each written as a composition of differentiable ops, so its gradient (and higher
// derivatives) follow from the pieces. The formulas are MindSpore's (`ops.silu`, `ops.elu`, …).

/// SiLU (swish): x ⊙ σ(x). ∂L/∂x = G ⊙ σ(x)(1 + x(1 − σ(x))).
///
/// ```swift
/// silu(Tensor([0, 1]))   // [0, 0.7310586]
/// ```
public func silu(_ x: Tensor) -> Tensor { x * sigmoid(x) }

/// ELU: x for x > 0, α(eˣ − 1) otherwise. ∂L/∂x = G for x > 0, G ⊙ α eˣ otherwise.
///
/// ```swift
/// elu(Tensor([-1, 2]))   // [-0.6321206, 2]
/// ```
public func elu(_ x: Tensor, alpha: Double = 1) -> Tensor {
    let zero = Tensor.zeros([], dtype: x.dtype)
    // expm1 of min(x, 0): the unused branch never overflows, so its zero gradient stays 0 (not 0 · ∞).
    return `where`(greater(x, zero), x, expm1(minimum(x, zero)) * alpha)
}

/// SELU: λ · ELU(x, α) with λ = 1.0507009873554805, α = 1.6732632423543772 (self-normalising).
///
/// ```swift
/// selu(Tensor([1]))   // [1.050701]
/// ```
public func selu(_ x: Tensor) -> Tensor { elu(x, alpha: 1.6732632423543772) * 1.0507009873554805 }

/// CELU: max(0, x) + min(0, α(e^(x/α) − 1)). ∂L/∂x = G for x > 0, G ⊙ e^(x/α) otherwise.
/// A zero α is reported as an error.
///
/// ```swift
/// celu(Tensor([-1, 2]), alpha: 1)   // [-0.6321206, 2]
/// ```
public func celu(_ x: Tensor, alpha: Double = 1) -> Tensor {
    guard alpha != 0 else {
        reportError(TensorError(op: "celu", message: "argument alpha must not be 0"))
        return Tensor.placeholder(dtype: x.dtype.floatingPoint)
    }
    let zero = Tensor.zeros([], dtype: x.dtype)
    return `where`(greater(x, zero), x, expm1(minimum(x, zero) / alpha) * alpha)
}

/// Mish: x ⊙ tanh(softplus(x)).
///
/// ```swift
/// mish(Tensor([0, 1]))   // [0, 0.8650984]
/// ```
public func mish(_ x: Tensor) -> Tensor { x * tanh(softplus(x)) }

/// ReLU6: min(max(x, 0), 6). ∂L/∂x = G where 0 < x < 6.
///
/// ```swift
/// relu6(Tensor([-1, 3, 8]))   // [0, 3, 6]
/// ```
public func relu6(_ x: Tensor) -> Tensor { hardtanh(x, minVal: 0, maxVal: 6) }

/// Hard sigmoid: relu6(x + 3) / 6. ∂L/∂x = G / 6 where −3 < x < 3.
///
/// ```swift
/// hardsigmoid(Tensor([-4, 0, 4]))   // [0, 0.5, 1]
/// ```
public func hardsigmoid(_ x: Tensor) -> Tensor { relu6(x + 3) / 6 }

/// Hard swish: x ⊙ relu6(x + 3) / 6.
///
/// ```swift
/// hardswish(Tensor([-4, 1, 4]))   // [0, 0.6666667, 4]
/// ```
public func hardswish(_ x: Tensor) -> Tensor { x * hardsigmoid(x) }

/// Hard tanh: x clamped to [minVal, maxVal]. ∂L/∂x = G where minVal < x < maxVal (0 at the bounds, as in
/// MindSpore and PyTorch). minVal > maxVal is reported as an error.
///
/// ```swift
/// hardtanh(Tensor([-2, 0.5, 2]))   // [-1, 0.5, 1]
/// ```
public func hardtanh(_ x: Tensor, minVal: Double = -1, maxVal: Double = 1) -> Tensor {
    guard minVal <= maxVal else {
        reportError(TensorError(op: "hardtanh", message: "argument minVal (\(minVal)) must be ≤ maxVal (\(maxVal))"))
        return Tensor.placeholder(dtype: x.dtype)
    }
    let lo = Tensor.scalarOperand(minVal, like: x), hi = Tensor.scalarOperand(maxVal, like: x)
    let inside = greater(x, lo) * less(x, hi)
    return `where`(inside, x, clip(stopGradient(x), min: minVal, max: maxVal))
}

/// Softsign: x / (1 + |x|). ∂L/∂x = G / (1 + |x|)².
///
/// ```swift
/// softsign(Tensor([-1, 3]))   // [-0.5, 0.75]
/// ```
public func softsign(_ x: Tensor) -> Tensor { x / (1 + abs(x)) }

/// log σ(x) = −softplus(−x), computed stably. ∂L/∂x = G ⊙ (1 − σ(x)).
///
/// ```swift
/// logSigmoid(Tensor([0]))   // [-0.6931472]
/// ```
public func logSigmoid(_ x: Tensor) -> Tensor { -softplus(-x) }

/// PReLU: x for x > 0, w ⊙ x otherwise, with one learnable slope per channel (axis 1; `weight` has the
/// channel count or one element). ∂L/∂x = G where x > 0, else G ⊙ w; ∂L/∂w = Σ G ⊙ x over x ≤ 0.
///
/// ```swift
/// prelu(Tensor([[-2, 3]]), weight: Tensor([0.25, 0.5]))   // [[-0.5, 3]]
/// ```
public func prelu(_ x: Tensor, weight: Tensor) -> Tensor {
    let channels = x.rank >= 2 ? x.shape[1] : 1
    guard weight.rank <= 1, weight.count == channels || weight.count == 1 else {
        reportError(TensorError(op: "prelu", message: "argument weight of shape \(weight.shape) must have 1 or \(channels) elements (x has shape \(x.shape))"))
        return Tensor.placeholder(dtype: x.dtype)
    }
    var slopeShape = [Int](repeating: 1, count: Swift.max(x.rank, 1))
    if x.rank >= 2 { slopeShape[1] = weight.count }
    let slope = weight.reshaped(to: weight.count == 1 ? [] : slopeShape)
    return `where`(greater(x, Tensor.zeros([], dtype: x.dtype)), x, x * slope)
}

/// GLU: splits x in two halves a, b along `axis` and returns a ⊙ σ(b). An odd length is reported as an error.
///
/// ```swift
/// glu(Tensor([[1, 0]]))   // [[0.5]]
/// ```
public func glu(_ x: Tensor, axis: Int = -1) -> Tensor {
    guard let a = x.normalizedAxis(axis, op: "glu") else { return Tensor.placeholder(dtype: x.dtype) }
    guard x.rank > 0, x.shape[a] % 2 == 0 else {
        reportError(TensorError(op: "glu", message: "dimension \(axis) of shape \(x.shape) must have an even length"))
        return Tensor.placeholder(dtype: x.dtype)
    }
    let half = x.shape[a] / 2
    return x.sliced(alongAxis: a, from: 0, to: half) * sigmoid(x.sliced(alongAxis: a, from: half, to: 2 * half))
}
