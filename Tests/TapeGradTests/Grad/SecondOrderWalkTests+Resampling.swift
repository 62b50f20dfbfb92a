import XCTest
@testable import TapeGrad

/// The second-order walk's rows for the transposed convolution, adaptive pooling and interpolation (ops and
/// layers). All are linear in the input, so each result is squared or passed through tanh.
extension SecondOrderWalkTests {
    static var resampling: [Row] {
        let strided = Window2D(kernel: (3, 3), stride: (2, 2), padding: (1, 1, 1, 1))
        let odd = Window2D(kernel: (2, 3), stride: (1, 2), dilation: (2, 1), padding: (1, 0, 2, 1))
        let (rows, columns) = (AxisSampling.adaptiveAverage(from: 5, to: 3), AxisSampling.linear(from: 3, to: 5, alignCorners: false))
        let conv1d = Conv1d(inChannels: 2, outChannels: 3, kernelSize: 3, stride: 2, hasBias: true, weightInit: u([3, 2, 3], 612), biasInit: u([3], 613))
        let transposed = Conv2dTranspose(inChannels: 2, outChannels: 2, kernelSize: 3, stride: 2, padMode: .pad(1), outputPadding: 1,
                                         hasBias: true, weightInit: u([2, 2, 3, 3], 614), biasInit: u([2], 615))
        return [
            Row("conv2dTranspose", "stride 2, padded", inputs: [u([1, 2, 3, 3], 600), u([2, 3, 3, 3], 601)]) {
                square(conv2dTranspose($0[0], weight: $0[1], window: strided, outputSize: (5, 5)))
            },
            Row("conv2dTranspose", "dilation, uneven padding, then tanh", inputs: [u([2, 2, 3, 2], 602), u([2, 1, 2, 3], 603)]) {
                tanh(conv2dTranspose($0[0], weight: $0[1], window: odd, outputSize: (4, 3)))
            },
            Row("adaptiveAvgPool2d", "5×7 to 3×4, overlapping bins", inputs: [u([1, 2, 5, 7], 604)]) { square(adaptiveAvgPool2d($0[0], outputSize: (3, 4))) },
            Row("adaptiveAvgPool2d", "rank 3, upsizing, nil width", inputs: [u([2, 3, 2], 605)]) { square(adaptiveAvgPool2d($0[0], outputSize: (5, nil))) },
            Row("interpolate", "nearest, rank 4", inputs: [u([1, 2, 3, 4], 606)]) { square(interpolate($0[0], size: [5, 3])) },
            Row("interpolate", "bilinear, half-pixel", inputs: [u([1, 2, 3, 4], 607)]) { square(interpolate($0[0], size: [5, 7], mode: .bilinear)) },
            Row("interpolate", "bilinear, corners aligned", inputs: [u([1, 1, 3, 4], 608)]) {
                tanh(interpolate($0[0], size: [4, 6], mode: .bilinear, alignCorners: true))
            },
            Row("interpolate", "linear, rank 3, down", inputs: [u([2, 2, 7], 609)]) { square(interpolate($0[0], size: [3], mode: .linear)) },
            Row("interpolate", "bicubic, half-pixel", inputs: [u([1, 2, 3, 4], 612)]) { square(interpolate($0[0], size: [5, 7], mode: .bicubic)) },
            Row("interpolate", "bicubic, corners aligned", inputs: [u([1, 1, 4, 3], 613)]) {
                tanh(interpolate($0[0], size: [6, 5], mode: .bicubic, alignCorners: true))
            },
            Row("interpolate", "nearest-exact, rank 3", inputs: [u([2, 2, 5], 614)]) { square(interpolate($0[0], size: [8], mode: .nearestExact)) },
            Row("interpolate", "area, rank 4, up", inputs: [u([1, 2, 3, 4], 615)]) { square(interpolate($0[0], size: [5, 6], mode: .area)) },
            Row("resampledAdjoint", inputs: [u([2, 3, 5], 610)]) { square(resampledAdjoint($0[0], rows: rows, columns: columns, inputShape: [2, 5, 3])) },
            Row("Conv1d", "same, stride 2, bias", inputs: [u([2, 2, 6], 611)]) { square(conv1d($0[0])) },
            Row("Conv2dTranspose", "pad 1, stride 2, output padding 1, bias", inputs: [u([1, 2, 2, 3], 616)]) { square(transposed($0[0])) },
            Row("AdaptiveAvgPool2d", inputs: [u([1, 2, 5, 4], 617)]) { square(AdaptiveAvgPool2d(outputSize: (2, 3))($0[0])) },
            Row("Upsample", "bilinear, recomputed scale", inputs: [u([1, 1, 3, 3], 618)]) {
                square(Upsample(scaleFactor: [1.5], mode: .bilinear, recomputeScaleFactor: true)($0[0]))
            },
        ]
    }
}
