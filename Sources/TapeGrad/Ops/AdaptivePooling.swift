// Adaptive average pooling: the output size is fixed and the bins adapt to the input. Built on the separable
// resampling op of Resampling.swift, whose adjoint is its pullback.

/// Adaptive average pooling over the last two axes of a `(N, C, H, W)` or `(C, H, W)` input, MindSpore's
/// `ops.adaptive_avg_pool2d`: output (i, j) is the mean of the bin
/// rows [⌊i·H/h⌋, ⌈(i+1)·H/h⌉) × columns [⌊j·W/w⌋, ⌈(j+1)·W/w⌉), so bins may overlap and an output larger than the
/// input repeats values. A `nil` size keeps that axis as it is.
///
/// y = A_h · x · A_wᵀ with averaging matrices, so ∂L/∂x = A_hᵀ · G · A_w: each output's gradient is spread evenly
/// over its bin (a linear op whose own pullback is this pooling again).
///
/// ```swift
/// let x = Tensor.randomNormal([2, 3, 5, 7], seed: 1)
/// adaptiveAvgPool2d(x, outputSize: (3, 4)).shape     // [2, 3, 3, 4]
/// adaptiveAvgPool2d(x, outputSize: (nil, 1)).shape   // [2, 3, 5, 1]
/// ```
public func adaptiveAvgPool2d(_ x: Tensor, outputSize: (Int?, Int?)) -> Tensor {
    let requested = "(\(outputSize.0.map(String.init) ?? "nil"), \(outputSize.1.map(String.init) ?? "nil"))"
    guard x.rank == 3 || x.rank == 4 else {
        reportError(TensorError(op: "adaptiveAvgPool2d", message: "got input \(x.shape) for outputSize \(requested); expected a rank-3 (C, H, W) "
            + "or rank-4 (N, C, H, W) input"))
        return Tensor.placeholder(dtype: x.dtype.floatingPoint)
    }
    let (h, w) = (x.shape[x.rank - 2], x.shape[x.rank - 1])
    let (oh, ow) = (outputSize.0 ?? h, outputSize.1 ?? w)
    guard oh > 0, ow > 0, h > 0, w > 0 else {
        reportError(TensorError(op: "adaptiveAvgPool2d", message: "got input \(x.shape) for outputSize \(requested); expected output sizes > 0 "
            + "and a non-empty H × W"))
        return Tensor.placeholder(dtype: x.dtype.floatingPoint)
    }
    // Checked: the bin arithmetic (i + 1)·H must not overflow.
    guard SizeArithmetic.product(oh + 1, h) != nil, SizeArithmetic.product(ow + 1, w) != nil,
          Tensor.canAllocate([oh, ow], dtype: .float64, op: "adaptiveAvgPool2d"),
          Tensor.canAllocate(Array(x.shape.dropLast(2)) + [oh, ow], dtype: .float64, op: "adaptiveAvgPool2d") else {
        return Tensor.placeholder(dtype: x.dtype.floatingPoint)
    }
    return resampled(x, rows: .adaptiveAverage(from: h, to: oh), columns: .adaptiveAverage(from: w, to: ow), op: "adaptiveAvgPool2d")
}
