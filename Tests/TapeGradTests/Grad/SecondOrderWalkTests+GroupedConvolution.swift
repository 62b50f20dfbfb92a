import XCTest
@testable import TapeGrad

/// The second-order walk's rows for grouped and depthwise convolutions: the three convolution ops and the public
/// transposed convolution with `groups` > 1 (each the others' pullback, the group carried along), and the grouped
/// layers. All are linear in each argument, so each result is squared or passed through tanh.
extension SecondOrderWalkTests {
    static var groupedConvolution: [Row] {
        let same = Window2D(kernel: (3, 3), padding: (1, 1, 1, 1))
        let odd = Window2D(kernel: (2, 3), stride: (2, 1), dilation: (1, 2), padding: (1, 0, 2, 1))
        let strided = Window2D(kernel: (3, 3), stride: (2, 2), padding: (1, 1, 1, 1))
        let grouped = Conv2d(inChannels: 4, outChannels: 2, kernelSize: 3, group: 2, hasBias: true, weightInit: u([2, 2, 3, 3], 650), biasInit: u([2], 651))
        let depthwise1d = Conv1d(inChannels: 3, outChannels: 3, kernelSize: 3, stride: 2, group: 3, weightInit: u([3, 1, 3], 652))
        let transposed = Conv2dTranspose(inChannels: 4, outChannels: 2, kernelSize: 3, stride: 2, group: 2, hasBias: true,
                                         weightInit: u([4, 1, 3, 3], 653), biasInit: u([2], 654))
        return [
            Row("conv2d", "groups 2, squared", inputs: [u([2, 4, 4, 3], 630), u([4, 2, 3, 3], 631)]) {
                square(conv2d($0[0], weight: $0[1], window: same, groups: 2))
            },
            Row("conv2d", "depthwise, stride, dilation, then tanh", inputs: [u([1, 3, 4, 5], 632), u([3, 1, 2, 3], 633)]) {
                tanh(conv2d($0[0], weight: $0[1], window: odd, groups: 3))
            },
            Row("conv2dTranspose", "groups 2, stride 2", inputs: [u([1, 4, 3, 3], 634), u([4, 3, 3, 3], 635)]) {
                square(conv2dTranspose($0[0], weight: $0[1], window: strided, outputSize: (5, 5), groups: 2))
            },
            Row("conv2dBackpropInput", "groups 2", inputs: [u([1, 4, 4, 3], 636), u([4, 1, 3, 3], 637)]) {
                square(conv2dBackpropInput($0[0], weight: $0[1], inputShape: [1, 2, 4, 3], window: same, groups: 2))
            },
            Row("conv2dBackpropFilter", "depthwise", inputs: [u([1, 3, 4, 3], 638), u([1, 3, 4, 3], 639)]) {
                square(conv2dBackpropFilter($0[0], gradient: $0[1], weightShape: [3, 1, 3, 3], window: same, groups: 3))
            },
            Row("Conv2d", "group 2, bias", inputs: [u([1, 4, 3, 3], 640)]) { square(grouped($0[0])) },
            Row("Conv1d", "depthwise, stride 2", inputs: [u([2, 3, 6], 641)]) { square(depthwise1d($0[0])) },
            Row("Conv2dTranspose", "group 2, stride 2, bias", inputs: [u([1, 4, 2, 2], 642)]) { square(transposed($0[0])) },
        ]
    }
}
