/// Gradient clipping, applied between the backward pass and the update (MindSpore's
/// `ops.clip_by_global_norm` and `ops.clip_by_value`): pass one to ``TrainOneStepCell`` as `clipping:`, or
/// call it on the gradients before ``Optimizer/step(gradients:)``.
///
/// ```swift
/// let clipping = GradientClipping.globalNorm(1.0)
/// try opt.step(gradients: clipping(grads.tensors))   // the global norm of the update's gradients ≤ 1
/// let train = try TrainOneStepCell(WithLossCell(net, MSELoss()), optimizer: opt, clipping: .globalNorm(1.0))
/// ```
public enum GradientClipping: Sendable, Equatable {
    /// Scales every gradient by c / max(‖g‖, c), where ‖g‖ = √(Σᵢ ‖gᵢ‖²) over all of them.
    case globalNorm(Double)
    /// Clamps every element to [min, max].
    case value(min: Double, max: Double)

    /// Throws ``OptimizerError/invalidArgument(optimizer:argument:value:expected:)`` for a clip norm that is
    /// not a finite number > 0, or value bounds that are not finite with min ≤ max.
    public func validate() throws {
        switch self {
        case .globalNorm(let c):
            guard c.isFinite, c > 0 else {
                throw OptimizerError.invalidArgument(optimizer: "GradientClipping", argument: "clipNorm", value: "\(c)", expected: "a finite number > 0")
            }
        case .value(let lo, let hi):
            guard lo.isFinite, hi.isFinite, lo <= hi else {
                throw OptimizerError.invalidArgument(optimizer: "GradientClipping", argument: "min/max", value: "\(lo)/\(hi)", expected: "finite bounds with min ≤ max")
            }
        }
    }

    /// Applies the clipping to `gradients`.
    public func callAsFunction(_ gradients: [Tensor]) -> [Tensor] {
        switch self {
        case .globalNorm(let c): return clipByGlobalNorm(gradients, clipNorm: c)
        case .value(let lo, let hi): return gradients.map { clip($0, min: lo, max: hi) }
        }
    }
}

/// The global L2 norm of a list of tensors, √(Σᵢ Σⱼ gᵢⱼ²), MindSpore's `ops.global_norm`.
///
/// ```swift
/// let n = globalNorm([Tensor([3, 4]), Tensor([12])])   // 13
/// ```
public func globalNorm(_ tensors: [Tensor]) -> Double {
    tensors.reduce(0.0) { $0 + ($1 * $1).sum().item() }.squareRoot()
}

/// MindSpore's `ops.clip_by_global_norm`: gᵢ · c / max(‖g‖, c), so that the global norm is at most c and
/// the direction is kept. Differentiable in the gradients (the scale is treated as a function of them).
///
/// ```swift
/// let clipped = clipByGlobalNorm([Tensor([3, 4]), Tensor([12])], clipNorm: 1)   // global norm 1
/// ```
public func clipByGlobalNorm(_ tensors: [Tensor], clipNorm: Double) -> [Tensor] {
    guard let first = tensors.first else { return [] }
    var squares = (first * first).sum()
    for t in tensors.dropFirst() { squares = squares + (t * t).sum().astype(squares.dtype) }
    let norm = sqrt(squares)
    let scale = clipNorm / maximum(norm, Tensor.full([], value: clipNorm, dtype: norm.dtype))
    return tensors.map { $0 * scale.astype($0.dtype) }
}
