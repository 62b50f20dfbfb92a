import Foundation
import XCTest
@testable import TapeGrad

// Rows for Conv1d, Conv2dTranspose, AdaptiveAvgPool2d, Upsample and their ops: each error names the layer with
// its configuration (or the op) and what was expected.
extension BadInputRows {
    static var convLayers: [BadInput] {
        func row(_ name: String, _ op: String, _ mentions: [String], _ body: @escaping () throws -> Void) -> BadInput {
            BadInput(family: "convLayers", name: name, expected: .tensor(op: op), mentions: mentions, body: body)
        }
        let sequence = Tensor.zeros([1, 2, 4]), image = Tensor.zeros([1, 2, 4, 4])
        return [
            row("Conv1d rank", "Conv1d", ["inChannels: 2", "kernelSize: 3", "got input [1, 2, 4, 4]", "expected (N, 2, W)"]) {
                _ = Conv1d(inChannels: 2, outChannels: 1, kernelSize: 3)(image)
            },
            row("Conv1d channels", "Conv1d", ["inChannels: 3", "got input [1, 2, 4]", "expected (N, 3, W)"]) {
                _ = Conv1d(inChannels: 3, outChannels: 1, kernelSize: 3)(sequence)
            },
            row("Conv1d valid kernel too long", "Conv1d", ["padMode: valid", "got input [1, 2, 4]", "dilated kernel 2 × (3 − 1) + 1"]) {
                _ = Conv1d(inChannels: 2, outChannels: 1, kernelSize: 3, padMode: .valid, dilation: 2)(sequence)
            },
            row("Conv1d kernel 0", "Conv1d", ["kernelSize: 0", "must be ≥ 1"]) { _ = Conv1d(inChannels: 2, outChannels: 1, kernelSize: 0) },
            row("Conv1d stride 0", "Conv1d", ["stride (0)", "must be ≥ 1"]) { _ = Conv1d(inChannels: 2, outChannels: 1, kernelSize: 3, stride: 0) },
            row("Conv1d group not dividing", "Conv1d", ["inChannels: 2", "group 3 must be ≥ 1 and divide inChannels (2) and outChannels (3)"]) {
                _ = Conv1d(inChannels: 2, outChannels: 3, kernelSize: 3, group: 3)
            },
            row("Conv1d group 0", "Conv1d", ["group 0 must be ≥ 1"]) { _ = Conv1d(inChannels: 2, outChannels: 2, kernelSize: 3, group: 0) },
            row("Conv1d 2-D padding", "Conv1d", ["not a 1-D padding"]) {
                _ = Conv1d(inChannels: 2, outChannels: 1, kernelSize: 3, padMode: .pad(top: 1, bottom: 0, left: 1, right: 1))
            },
            row("Conv1d weightInit shape", "Conv1d", ["weightInit has shape [1, 2, 2]", "expected [1, 2, 3] or [1, 2, 1, 3]"]) {
                _ = Conv1d(inChannels: 2, outChannels: 1, kernelSize: 3, weightInit: Tensor.zeros([1, 2, 2]))
            },
            row("Conv2dTranspose rank", "Conv2dTranspose", ["inChannels: 2", "got input [1, 2, 4]", "expected (N, 2, H, W)"]) {
                _ = Conv2dTranspose(inChannels: 2, outChannels: 1, kernelSize: 3)(sequence)
            },
            row("Conv2dTranspose channels", "Conv2dTranspose", ["inChannels: 3", "got input [1, 2, 4, 4]", "expected (N, 3, H, W)"]) {
                _ = Conv2dTranspose(inChannels: 3, outChannels: 1, kernelSize: 3)(image)
            },
            row("Conv2dTranspose kernel 0", "Conv2dTranspose", ["kernelSize (0, 3)", "must be ≥ 1"]) {
                _ = Conv2dTranspose(inChannels: 2, outChannels: 1, kernelSize: (0, 3))
            },
            row("Conv2dTranspose group not dividing", "Conv2dTranspose", ["outChannels: 3", "group 2 must be ≥ 1 and divide inChannels (2) and outChannels (3)"]) {
                _ = Conv2dTranspose(inChannels: 2, outChannels: 3, kernelSize: 3, group: 2)
            },
            row("Conv2dTranspose grouped weightInit", "Conv2dTranspose", ["weightInit has shape [2, 4, 3, 3]", "expected [2, 2, 3, 3]"]) {
                _ = Conv2dTranspose(inChannels: 2, outChannels: 4, kernelSize: 3, group: 2, weightInit: Tensor.zeros([2, 4, 3, 3]))
            },
            row("Conv2d group not dividing", "Conv2d", ["inChannels: 4", "group: 4", "divide inChannels (4) and outChannels (6)"]) {
                _ = Conv2d(inChannels: 4, outChannels: 6, kernelSize: 3, group: 4)
            },
            row("Conv2d grouped weightInit", "Conv2d", ["weightInit", "expected [6, 2, 3, 3]"]) {
                _ = Conv2d(inChannels: 4, outChannels: 6, kernelSize: 3, group: 2, weightInit: Tensor.zeros([6, 4, 3, 3]))
            },
            row("Conv2d grouped input channels", "Conv2d", ["group: 2", "got input [1, 2, 4, 4]", "expected (N, 4, H, W)"]) {
                _ = Conv2d(inChannels: 4, outChannels: 2, kernelSize: 3, group: 2)(image)
            },
            row("conv2d groups 0", "conv2d", ["groups 0", "groups ≥ 1 (got 0)"]) {
                _ = conv2d(image, weight: Tensor.zeros([2, 2, 3, 3]), window: Window2D(kernel: (3, 3)), groups: 0)
            },
            row("conv2d groups vs weight", "conv2d", ["weight [2, 2, 3, 3]", "input's 2 channels to equal groups 2 × the weight's C/groups = 2"]) {
                _ = conv2d(image, weight: Tensor.zeros([2, 2, 3, 3]), window: Window2D(kernel: (3, 3)), groups: 2)
            },
            row("conv2d out channels not divisible", "conv2d", ["the 3 output channels to be divisible by groups 2"]) {
                _ = conv2d(image, weight: Tensor.zeros([3, 1, 3, 3]), window: Window2D(kernel: (3, 3)), groups: 2)
            },
            row("conv2dTranspose groups not dividing", "conv2dTranspose", ["groups 3", "input's 2 channels to be divisible by groups 3"]) {
                _ = conv2dTranspose(image, weight: Tensor.zeros([2, 1, 3, 3]), window: Window2D(kernel: (3, 3)), outputSize: (6, 6), groups: 3)
            },
            row("conv2dTranspose groups 0", "conv2dTranspose", ["groups ≥ 1 (got 0)"]) {
                _ = conv2dTranspose(image, weight: Tensor.zeros([2, 1, 3, 3]), window: Window2D(kernel: (3, 3)), outputSize: (6, 6), groups: 0)
            },
            row("conv2dBackpropInput groups vs weight", "conv2dBackpropInput", ["groups 2", "input of shape [1, 2, 4, 4]"]) {
                _ = conv2dBackpropInput(Tensor.zeros([1, 2, 2, 2]), weight: Tensor.zeros([2, 2, 3, 3]), inputShape: [1, 2, 4, 4],
                                        window: Window2D(kernel: (3, 3)), groups: 2)
            },
            row("conv2dBackpropFilter groups 0", "conv2dBackpropFilter", ["groups 0", "weight of shape [2, 2, 3, 3]"]) {
                _ = conv2dBackpropFilter(image, gradient: Tensor.zeros([1, 2, 2, 2]), weightShape: [2, 2, 3, 3], window: Window2D(kernel: (3, 3)), groups: 0)
            },
            row("Conv2dTranspose outputPadding ≥ stride", "Conv2dTranspose", ["outputPadding (2, 2)", "[0, max(stride, dilation))"]) {
                _ = Conv2dTranspose(inChannels: 2, outChannels: 1, kernelSize: 3, stride: 2, padMode: .pad(1), outputPadding: 2)
            },
            row("Conv2dTranspose outputPadding without pad", "Conv2dTranspose", ["outputPadding (1, 1) needs padMode .pad"]) {
                _ = Conv2dTranspose(inChannels: 2, outChannels: 1, kernelSize: 3, stride: 2, outputPadding: 1)
            },
            row("Conv2dTranspose negative padding", "Conv2dTranspose", ["must be ≥ 0"]) {
                _ = Conv2dTranspose(inChannels: 2, outChannels: 1, kernelSize: 3, padMode: .pad(-1))
            },
            row("Conv2dTranspose padding eats the output", "Conv2dTranspose", ["padMode: pad", "got input [1, 2, 4, 4]", "positive output size"]) {
                _ = Conv2dTranspose(inChannels: 2, outChannels: 1, kernelSize: 1, padMode: .pad(2))(image)
            },
            row("Conv2dTranspose padding near Int.max", "Conv2dTranspose", ["got input [1, 2, 4, 4]", "positive output size"]) {
                _ = Conv2dTranspose(inChannels: 2, outChannels: 1, kernelSize: 3, padMode: .pad(Int.max))(image)
            },
            row("conv2dTranspose output size", "conv2dTranspose", ["output size (7, 7)", "maps back to the input's 4×4"]) {
                _ = conv2dTranspose(image, weight: Tensor.zeros([2, 1, 3, 3]), window: Window2D(kernel: (3, 3)), outputSize: (7, 7))
            },
            row("conv2dTranspose channels", "conv2dTranspose", ["input's 2 channels to equal the weight's Cin = 3"]) {
                _ = conv2dTranspose(image, weight: Tensor.zeros([3, 1, 3, 3]), window: Window2D(kernel: (3, 3)), outputSize: (6, 6))
            },
            row("AdaptiveAvgPool2d rank", "AdaptiveAvgPool2d", ["outputSize: (2, 2)", "got input [2, 3]", "(N, C, H, W) or (C, H, W)"]) {
                _ = AdaptiveAvgPool2d(outputSize: 2)(Tensor.zeros([2, 3]))
            },
            row("AdaptiveAvgPool2d empty", "AdaptiveAvgPool2d", ["got input [1, 2, 0, 4]", "non-empty"]) {
                _ = AdaptiveAvgPool2d(outputSize: 2)(Tensor.zeros([1, 2, 0, 4]))
            },
            row("AdaptiveAvgPool2d size 0", "AdaptiveAvgPool2d", ["outputSize: (0, nil)", "sizes ≥ 1 or nil"]) {
                _ = AdaptiveAvgPool2d(outputSize: (0, nil))
            },
            row("adaptiveAvgPool2d rank 5", "adaptiveAvgPool2d", ["got input [1, 1, 1, 2, 2]", "rank-3 (C, H, W) or rank-4"]) {
                _ = adaptiveAvgPool2d(Tensor.zeros([1, 1, 1, 2, 2]), outputSize: (1, 1))
            },
            row("Upsample size and scale", "Upsample", ["size: [4]", "scaleFactor: [2.0]", "cannot be set simultaneously"]) {
                _ = Upsample(size: [4], scaleFactor: [2])
            },
            row("Upsample neither", "Upsample", ["mode: .nearest", "cannot be both empty"]) { _ = Upsample() },
            row("Upsample scale without recompute", "Upsample", ["scaleFactor: [2.0]", "recomputeScaleFactor is true"]) {
                _ = Upsample(scaleFactor: [2], mode: .bilinear)
            },
            row("Upsample alignCorners with nearest", "Upsample", ["alignCorners: true", "cannot be set with mode .nearest"]) {
                _ = Upsample(size: [4, 4], alignCorners: true)
            },
            row("Upsample linear on an image", "Upsample", ["mode: .linear", "got input [1, 2, 4, 4]", "rank-3"]) {
                _ = Upsample(size: [8], mode: .linear)(image)
            },
            row("Upsample size count", "Upsample", ["size: [8, 8, 8]", "got input [1, 2, 4, 4]", "3 spatial axes"]) {
                _ = Upsample(size: [8, 8, 8])(image)
            },
            row("interpolate bilinear on a sequence", "interpolate", ["got input [1, 2, 4]", "mode bilinear", "rank-4"]) {
                _ = interpolate(sequence, size: [8], mode: .bilinear)
            },
            row("interpolate size 0", "interpolate", ["size [0, 4]", "sizes > 0"]) { _ = interpolate(image, size: [0, 4]) },
            row("interpolate area rank 3 not dividing", "interpolate", ["got input [1, 2, 4]", "mode area", "divides the input's 4"]) {
                _ = interpolate(sequence, size: [3], mode: .area)
            },
            row("interpolate nearest-exact aligned", "interpolate", ["mode nearest-exact", "no alignCorners"]) {
                _ = interpolate(image, size: [8, 8], mode: .nearestExact, alignCorners: true)
            },
            row("Upsample bicubic on a sequence", "Upsample", ["mode: .bicubic", "got input [1, 2, 4]", "rank-4"]) {
                _ = Upsample(size: [8], mode: .bicubic)(sequence)
            },
        ]
    }
}

/// The convolution and resampling layers' bad inputs each throw an error naming the layer and its configuration.
final class ConvLayersBadInputTests: XCTestCase {
    func testConvolutionAndResamplingLayersNameThemselvesAndWhatTheyExpected() {
        let counts = runTable(BadInputRows.convLayers)
        XCTAssertEqual(counts["convLayers"], 46)
    }
}
