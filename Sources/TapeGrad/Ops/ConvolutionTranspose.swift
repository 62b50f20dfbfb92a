// The transposed convolution as a public op: exactly the input gradient of conv2d (conv2dBackpropInput in
// Convolution.swift), whose pullbacks are conv2d and conv2dBackpropFilter, so second derivatives flow through.

/// 2-D transposed convolution ("deconvolution") of `x: (N, Cᵢₙ, H, W)` with `weight: (Cᵢₙ, Cₒᵤₜ/groups, kh, kw)` to an
/// `(N, Cₒᵤₜ, outputSize.0, outputSize.1)` result, MindSpore's `ops.Conv2DTranspose`: the adjoint of
/// ``conv2d(_:weight:window:groups:)`` with the same `window` (kernel, stride, dilation, padding of the convolution it
/// undoes) and `groups`, so that `conv2d` of an `outputSize` image under `window` has x's height and width H × W.
///
/// y_b = col2im(Wᵀ · x_b) with W read as a (Cᵢₙ, Cₒᵤₜ/g·kh·kw) matrix; with `groups` = g, input channels of group k
/// (k·Cᵢₙ/g ..< (k+1)·Cᵢₙ/g) reach only output channels k·Cₒᵤₜ/g ..< (k+1)·Cₒᵤₜ/g. Linear in both arguments:
/// ∂L/∂x = conv2d(G, W) and ∂L/∂W = conv2dBackpropFilter(G, x), both recorded ops carrying `groups`.
///
/// ```swift
/// let x = Tensor.randomNormal([1, 4, 3, 3], seed: 1)
/// let w = Tensor.randomNormal([4, 2, 3, 3], seed: 2)   // (in, out, kh, kw)
/// let window = Window2D(kernel: (3, 3), stride: (2, 2), padding: (1, 1, 1, 1))
/// conv2dTranspose(x, weight: w, window: window, outputSize: (5, 5)).shape   // [1, 2, 5, 5]
/// conv2dTranspose(x, weight: w, window: window, outputSize: (5, 5), groups: 2).shape   // [1, 4, 5, 5]: (in, out/2, kh, kw)
/// ```
public func conv2dTranspose(_ x: Tensor, weight: Tensor, window: Window2D, outputSize: (Int, Int), groups: Int = 1) -> Tensor {
    let dtype = DType.promoted(x.dtype, weight.dtype).floatingPoint
    if dtype.kernelDType != dtype {
        // float16/bfloat16 convolve in float32 and round back once (recorded through astype).
        return conv2dTranspose(x.astype(.float32), weight: weight.astype(.float32), window: window, outputSize: outputSize, groups: groups).astype(dtype)
    }
    func fail(_ expected: String) -> Tensor {
        reportError(TensorError(op: "conv2dTranspose", message: "input \(x.shape) and weight \(weight.shape) to output size \(outputSize) "
            + "with groups \(groups), kernel \(window.kernel), stride \(window.stride), dilation \(window.dilation), padding \(window.padding): expected \(expected)"))
        return Tensor.placeholder(dtype: dtype)
    }
    guard x.rank == 4, weight.rank == 4 else { return fail("a rank-4 (N, Cin, H, W) input and a rank-4 (Cin, Cout/groups, kh, kw) weight") }
    guard x.shape[1] == weight.shape[0] else { return fail("the input's \(x.shape[1]) channels to equal the weight's Cin = \(weight.shape[0])") }
    guard groups >= 1 else { return fail("groups ≥ 1 (got \(groups))") }
    guard x.shape[1] % groups == 0, let outChannels = SizeArithmetic.product(weight.shape[1], groups) else {
        return fail("the input's \(x.shape[1]) channels to be divisible by groups \(groups)")
    }
    guard weight.shape[2] == window.kernel.0, weight.shape[3] == window.kernel.1 else {
        return fail("the weight's kernel \(weight.shape[2])×\(weight.shape[3]) to equal the window's")
    }
    guard outputSize.0 >= 0, outputSize.1 >= 0,
          let (h, w) = window.outputSize(height: outputSize.0, width: outputSize.1), h == x.shape[2], w == x.shape[3] else {
        return fail("positive kernel, stride and dilation, padding ≥ 0, and an output size that a convolution under the window "
            + "maps back to the input's \(x.shape[2])×\(x.shape[3])")
    }
    let outputShape = [x.shape[0], outChannels, outputSize.0, outputSize.1]
    guard Tensor.canAllocate(outputShape, dtype: dtype, op: "conv2dTranspose"),
          Tensor.canAllocate([outChannels, weight.shape[2], weight.shape[3], x.shape[2], x.shape[3]], dtype: dtype, op: "conv2dTranspose") else {
        return Tensor.placeholder(dtype: dtype)
    }
    return conv2dBackpropInput(x, weight: weight, inputShape: outputShape, window: window, groups: groups)
}
