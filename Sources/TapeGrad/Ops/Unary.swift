// Elementwise functions, each with its pullback beside it. Int32 inputs are computed in float32.

/// eˣ. ∂L/∂x = G ⊙ eˣ.
///
/// ```swift
/// exp(Tensor([0, 1]))   // [1, 2.7182817]
/// ```
public func exp(_ x: Tensor) -> Tensor {
    let out = ElementwiseKernels.unary(.exp, x)
    guard x.isRecorded else { return out }
    return out.recorded(x, trace: .exp) { g in g * out.saved(for: x, recompute: exp) }
}

/// Natural logarithm. ∂L/∂x = G / x (so `inf` at 0, as in MindSpore).
public func log(_ x: Tensor) -> Tensor {
    let out = ElementwiseKernels.unary(.log, x)
    guard x.isRecorded else { return out }
    return out.recorded(x, trace: .log) { g in g / x }
}

/// Square root. ∂L/∂x = G / (2√x) (so `inf` at 0).
public func sqrt(_ x: Tensor) -> Tensor {
    let out = ElementwiseKernels.unary(.sqrt, x)
    guard x.isRecorded else { return out }
    return out.recorded(x, trace: .sqrt) { g in g * 0.5 / out.saved(for: x, recompute: sqrt) }
}

/// Reciprocal square root 1/√x. ∂L/∂x = −½ G ⊙ (1/√x)³.
public func rsqrt(_ x: Tensor) -> Tensor {
    let out = ElementwiseKernels.unary(.rsqrt, x)
    guard x.isRecorded else { return out }
    return out.recorded(x, trace: .rsqrt) { g in let y = out.saved(for: x, recompute: rsqrt); return g * -0.5 * y * y * y }
}

/// Absolute value. ∂L/∂x = G ⊙ sign(x), which is 0 at 0.
public func abs(_ x: Tensor) -> Tensor {
    let out = ElementwiseKernels.unary(.abs, x)
    guard x.isRecorded else { return out }
    return out.recorded(x) { g in g * sign(x) }
}

/// −1, 0 or 1 by the sign of each element (not differentiable: its derivative is 0 almost everywhere).
public func sign(_ x: Tensor) -> Tensor { ElementwiseKernels.unary(.sign, x) }

/// Sine. ∂L/∂x = G ⊙ cos x.
public func sin(_ x: Tensor) -> Tensor {
    let out = ElementwiseKernels.unary(.sin, x)
    guard x.isRecorded else { return out }
    return out.recorded(x) { g in g * cos(x) }
}

/// Cosine. ∂L/∂x = −G ⊙ sin x.
public func cos(_ x: Tensor) -> Tensor {
    let out = ElementwiseKernels.unary(.cos, x)
    guard x.isRecorded else { return out }
    return out.recorded(x) { g in -g * sin(x) }
}

/// Hyperbolic tangent. ∂L/∂x = G ⊙ (1 − tanh²x).
///
/// ```swift
/// tanh(Tensor([0]))   // [0]
/// ```
public func tanh(_ x: Tensor) -> Tensor {
    let out = ElementwiseKernels.unary(.tanh, x)
    guard x.isRecorded else { return out }
    // Recorded by one tape only: nothing will differentiate the pullback, so the output is stored as data.
    if x.tracking?.hasOuter == false { return out.recorded(x, backward: .tanh(out.buffer, shape: out.shape), trace: .tanh) }
    return out.recorded(x, trace: .tanh) { g in tanhBackward(g, out.saved(for: x, recompute: tanh)) }
}

/// g ⊙ (1 − y²) in one pass, differentiable in both: ∂/∂g = 1 − y², ∂/∂y = −2 g y.
func tanhBackward(_ g: Tensor, _ y: Tensor) -> Tensor {
    let out = Tensor.elementwise(.tanhBackward, g, y, name: "tanh")
    guard g.isRecorded || y.isRecorded else { return out }
    return out.recorded(g, y) { gg, needed in
        (needed[0] ? tanhBackward(gg, y) : nil, needed[1] ? (gg * g * y * -2.0).unbroadcast(to: y.shape) : nil)
    }
}

/// The logistic function σ(x) = 1 / (1 + e⁻ˣ), computed without overflow. ∂L/∂x = G ⊙ σ(x)(1 − σ(x)).
public func sigmoid(_ x: Tensor) -> Tensor {
    let out = ElementwiseKernels.unary(.sigmoid, x)
    guard x.isRecorded else { return out }
    if x.tracking?.hasOuter == false { return out.recorded(x, backward: .sigmoid(out.buffer, shape: out.shape), trace: .sigmoid) }
    return out.recorded(x, trace: .sigmoid) { g in sigmoidBackward(g, out.saved(for: x, recompute: sigmoid)) }
}

/// g ⊙ y ⊙ (1 − y) in one pass, differentiable in both: ∂/∂g = y(1 − y), ∂/∂y = g (1 − 2y).
func sigmoidBackward(_ g: Tensor, _ y: Tensor) -> Tensor {
    let out = Tensor.elementwise(.sigmoidBackward, g, y, name: "sigmoid")
    guard g.isRecorded || y.isRecorded else { return out }
    return out.recorded(g, y) { gg, needed in
        (needed[0] ? sigmoidBackward(gg, y) : nil, needed[1] ? (gg * g * (1 - 2 * y)).unbroadcast(to: y.shape) : nil)
    }
}

/// max(x, 0). ∂L/∂x = G where x > 0, else 0 (so 0 at 0, as in MindSpore).
public func relu(_ x: Tensor) -> Tensor {
    let out = ElementwiseKernels.unary(.relu, x)
    guard x.isRecorded else { return out }
    return out.recorded(x, trace: .relu) { g in passWherePositive(g, x) }
}

/// `g` where `x > 0`, else 0 — ReLU's backward in one pass. Linear in `g`, so its own pullback is itself.
func passWherePositive(_ g: Tensor, _ x: Tensor) -> Tensor {
    let out = Tensor.elementwise(.passWherePositive, g, x.detached, name: "relu")
    guard g.isRecorded else { return out }
    return out.recorded(g) { gg in passWherePositive(gg, x) }
}

/// x². ∂L/∂x = 2 G ⊙ x.
public func square(_ x: Tensor) -> Tensor {
    let out = ElementwiseKernels.unary(.square, x)
    guard x.isRecorded else { return out }
    return out.recorded(x, trace: .square) { g in g * 2 * x }
}

/// log(1 + eˣ), computed stably. ∂L/∂x = G ⊙ σ(x).
public func softplus(_ x: Tensor) -> Tensor {
    let out = ElementwiseKernels.unary(.softplus, x)
    guard x.isRecorded else { return out }
    return out.recorded(x) { g in g * sigmoid(x) }
}

/// The Gauss error function. ∂L/∂x = G ⊙ (2/√π) e^(−x²).
public func erf(_ x: Tensor) -> Tensor {
    let out = ElementwiseKernels.unary(.erf, x)
    guard x.isRecorded else { return out }
    return out.recorded(x) { g in g * (2 / Double.pi.squareRoot()) * exp(-(x * x)) }
}

/// x where x > 0, else `alpha · x`. ∂L/∂x = G where x > 0, else `alpha · G`.
///
/// ```swift
/// leakyRelu(Tensor([-2, 3]), alpha: 0.1)   // [-0.2, 3]
/// ```
public func leakyRelu(_ x: Tensor, alpha: Double = 0.2) -> Tensor {
    `where`(greater(x, Tensor.zeros([], dtype: x.dtype)), x, x * alpha)
}

/// The Gaussian error linear unit. With `approximate` (MindSpore's `nn.GELU` default) it is
/// `0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))`; otherwise the exact `0.5 x (1 + erf(x / √2))`.
/// The gradient follows from the composition.
public func gelu(_ x: Tensor, approximate: Bool = true) -> Tensor {
    if approximate {
        let inner = (x + x * x * x * 0.044715) * (2 / Double.pi).squareRoot()
        return x * 0.5 * (1 + tanh(inner))
    }
    return x * 0.5 * (1 + erf(x / 2.0.squareRoot()))
}
