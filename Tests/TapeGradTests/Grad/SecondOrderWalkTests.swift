import Foundation
import XCTest
@testable import TapeGrad

/// The second-order walk: every public op (and every layer, loss and internal backward op) differentiated
/// twice in float64. For each row, S(x) = ⟨∇⟨f(x), r⟩, u⟩ is computed with a nested gradient; the tape's ∂S/∂x
/// (a Hessian-vector product) must match central finite differences of the first-order S, or the row must
/// say that differentiating twice throws. No row may return silent zeros.
final class SecondOrderWalkTests: XCTestCase {
    typealias Row = SecondOrderCase

    static func u(_ shape: [Int], _ seed: UInt64, lo: Double = -2, hi: Double = 2) -> Tensor { SecondOrder.uniform(shape, seed, lo: lo, hi: hi) }
    static func pos(_ shape: [Int], _ seed: UInt64) -> Tensor { SecondOrder.positive(shape, seed) }
    static func off(_ shape: [Int], _ seed: UInt64) -> Tensor { SecondOrder.offZero(shape, seed) }
    static func distinct(_ shape: [Int], _ seed: UInt64) -> Tensor { SecondOrder.distinct(shape, seed) }

    /// Public names in `Sources/TapeGrad/Ops` that are not differentiable ops, with the reason.
    static let notOps: [String: String] = [
        "samePadding": "window geometry, no tensor",
        "==": "Window2D equality, no tensor",
        "oneHot": "integer input: nothing to differentiate (its output is a constant)",
    ]

    // MARK: The table

    static var arithmetic: [Row] {
        [
            Row("+", "broadcast [2,3] + [3]", inputs: [u([2, 3], 1), u([3], 2)]) { $0[0] * $0[0] + $0[1] * $0[0] },
            Row("+", "tensor + scalar", inputs: [u([2, 3], 3)]) { square($0[0] + 1.5) },
            Row("+", "scalar + tensor", inputs: [u([2, 3], 4)]) { square(1.5 + $0[0]) },
            Row("-", "broadcast [2,1] − [1,3]", inputs: [u([2, 1], 5), u([1, 3], 6)]) { square($0[0] - $0[1]) },
            Row("-", "tensor − scalar", inputs: [u([2, 3], 7)]) { square($0[0] - 0.5) },
            Row("-", "scalar − tensor", inputs: [u([2, 3], 8)]) { square(0.5 - $0[0]) },
            Row("-", "negation", inputs: [u([2, 3], 9)]) { square(-$0[0]) },
            Row("*", "broadcast [2,3] ⊙ [3]", inputs: [u([2, 3], 10), u([3], 11)]) { $0[0] * $0[1] * $0[0] },
            Row("*", "tensor · scalar", inputs: [u([2, 3], 12)]) { square($0[0] * -2.5) },
            Row("*", "scalar · tensor", inputs: [u([2, 3], 13)]) { square(3 * $0[0]) },
            Row("/", "broadcast [2,3] / [3]", inputs: [u([2, 3], 14), pos([3], 15)]) { $0[0] / $0[1] },
            Row("/", "tensor / scalar", inputs: [u([2, 3], 16)]) { square($0[0] / 4) },
            Row("/", "scalar / tensor", inputs: [pos([2, 3], 17)]) { 2 / $0[0] },
            Row("+=", inputs: [u([2, 3], 18), u([2, 3], 19)]) { var a = $0[0] * $0[0]; a += $0[1] * $0[0]; return a },
            Row("-=", inputs: [u([2, 3], 20), u([2, 3], 21)]) { var a = $0[0] * $0[0]; a -= $0[1] * $0[0]; return a },
            Row("*=", inputs: [u([2, 3], 22), u([2, 3], 23)]) { var a = $0[0]; a *= $0[1] * $0[0]; return a },
            Row("/=", inputs: [u([2, 3], 24), pos([2, 3], 25)]) { var a = $0[0]; a /= $0[1]; return a },
            Row("pow", "tensor exponent, both differentiated", inputs: [pos([2, 3], 26), u([3], 27)]) { pow($0[0], $0[1]) },
            Row("pow", "scalar exponent", inputs: [pos([2, 3], 28)]) { pow($0[0], 2.5) },
            Row("pow", "constant base, exponent differentiated", inputs: [u([3], 29)]) { pow(pos([2, 3], 31), $0[0]) },
        ]
    }

    static var elementwise: [Row] {
        let x = u([2, 3], 30)
        return [
            Row("exp", inputs: [x]) { exp($0[0]) },
            Row("log", inputs: [pos([2, 3], 31)]) { log($0[0]) },
            Row("sqrt", inputs: [pos([2, 3], 32)]) { sqrt($0[0]) },
            Row("rsqrt", inputs: [pos([2, 3], 33)]) { rsqrt($0[0]) },
            Row("abs", inputs: [off([2, 3], 34)]) { abs($0[0]) * $0[0] },
            Row("sign", "a constant", inputs: [off([2, 3], 35)]) { sign($0[0]) * $0[0] * $0[0] },
            Row("sin", inputs: [x]) { sin($0[0]) },
            Row("cos", inputs: [x]) { cos($0[0]) },
            Row("tanh", inputs: [x]) { tanh($0[0]) },
            Row("sigmoid", inputs: [x]) { sigmoid($0[0]) },
            Row("relu", inputs: [off([2, 3], 36)]) { relu($0[0]) * $0[0] },
            Row("square", inputs: [x]) { square($0[0]) * $0[0] },
            Row("softplus", inputs: [x]) { softplus($0[0]) },
            Row("erf", inputs: [x]) { erf($0[0]) },
            Row("leakyRelu", inputs: [off([2, 3], 37)]) { leakyRelu($0[0], alpha: 0.1) * $0[0] },
            Row("gelu", "tanh approximation", inputs: [x]) { gelu($0[0]) },
            Row("gelu", "exact", inputs: [x]) { gelu($0[0], approximate: false) },
            // The stopped branch has no derivative of any order; finite differences see only the rest.
            Row("stopGradient", inputs: [x]) { square($0[0]) * $0[0] + stopGradient($0[0]) * 3 },
        ]
    }

    static var selecting: [Row] {
        let (a, b) = (u([2, 3], 40), u([3], 41))
        return [
            Row("greater", "a constant mask", inputs: [a, b]) { greater($0[0], $0[1]) * $0[0] * $0[1] },
            Row("greaterEqual", "a constant mask", inputs: [a, b]) { greaterEqual($0[0], $0[1]) * $0[0] * $0[1] },
            Row("less", "a constant mask", inputs: [a, b]) { less($0[0], $0[1]) * $0[0] * $0[1] },
            Row("lessEqual", "a constant mask", inputs: [a, b]) { lessEqual($0[0], $0[1]) * $0[0] * $0[1] },
            Row("equal", "a constant mask", inputs: [a, b]) { (equal($0[0], $0[1]) + 1) * $0[0] * $0[1] },
            Row("maximum", "broadcast", inputs: [a, b]) { square(maximum($0[0], $0[1])) },
            Row("minimum", "broadcast", inputs: [a, b]) { square(minimum($0[0], $0[1])) },
            Row("clip", inputs: [u([2, 3], 42, lo: -3, hi: 3)]) { square(clip($0[0], min: -1.05, max: 1.05)) },
            Row("where", "both branches", inputs: [a, b]) { `where`(greater($0[0], Tensor(0.1)), $0[0] * $0[1], square($0[1])) },
            Row("gather", "axis 0, repeated indices", inputs: [u([4, 3], 43)]) { square(gather($0[0], indices: Tensor([3, 0, 3, 1] as [Int32]))) },
            Row("gather", "axis 1", inputs: [u([2, 4, 3], 44)]) { square(gather($0[0], indices: Tensor([[1, 3], [3, 0]] as [[Int32]]), axis: 1)) },
        ]
    }

    static var products: [Row] {
        let (a, b, at, bt) = (u([3, 4], 50), u([4, 2], 51), u([4, 3], 52), u([2, 4], 53))
        return [
            Row("matmul", "A·B", inputs: [a, b]) { square(matmul($0[0], $0[1])) },
            Row("matmul", "Aᵀ·B", inputs: [at, b]) { square(matmul($0[0], $0[1], transposeA: true)) },
            Row("matmul", "A·Bᵀ", inputs: [a, bt]) { square(matmul($0[0], $0[1], transposeB: true)) },
            Row("matmul", "Aᵀ·Bᵀ", inputs: [at, bt]) { square(matmul($0[0], $0[1], transposeA: true, transposeB: true)) },
            Row("matmul", "batched, broadcast batch", inputs: [u([1, 2, 3], 54), u([2, 3, 2], 55)]) { square(matmul($0[0], $0[1])) },
            Row("linear", "with bias", inputs: [a, u([2, 4], 56), u([2], 57)]) { square(linear($0[0], weight: $0[1], bias: $0[2])) },
            Row("linear", "no bias", inputs: [a, u([2, 4], 58)]) { tanh(linear($0[0], weight: $0[1], bias: nil)) },
            Row("linear", "fused relu", inputs: [a, u([2, 4], 59), u([2], 60)]) { square(linear($0[0], weight: $0[1], bias: $0[2], relu: true)) },
        ]
    }

    static var layout: [Row] {
        let t = u([2, 3, 2], 70)
        return [
            Row("reshaped", inputs: [t]) { square($0[0].reshaped(to: [3, -1])) },
            Row("transposed", "permutation", inputs: [t]) { square($0[0].transposed(permutation: [2, 0, 1])) * Tensor.arange(3).astype(.float64) },
            Row("transposed", "last two", inputs: [t]) { square($0[0].transposed()) * Tensor.arange(3).astype(.float64) },
            Row("expandingShape", inputs: [u([2, 3], 71)]) { square($0[0].expandingShape(at: 1)) * u([2, 2, 3], 72) },
            Row("squeezingShape", inputs: [u([2, 1, 3], 73)]) { square($0[0].squeezingShape(at: [1])) * u([2, 3], 74) },
            Row("broadcast", inputs: [u([3, 1], 75)]) { square($0[0].broadcast(to: [2, 3, 2])) * u([2, 3, 2], 76) },
            Row("astype", "through float32", inputs: [u([2, 3], 77)], epsilon: 1e-3, tolerance: 1e-3) {
                square($0[0].astype(.float32)).astype(.float64) * $0[0]
            },
            Row("sliced", inputs: [t]) { square($0[0].sliced(alongAxis: 1, from: 1, to: 3)) },
            Row("concat", inputs: [t, u([2, 1, 2], 78)]) { square(concat([$0[0], $0[1]], alongAxis: 1)) * $0[1] },
            Row("stack", inputs: [u([2, 3], 79), u([2, 3], 80)]) { square(stack([$0[0], $0[1]], alongAxis: 1)) * $0[0].expandingShape(at: 1) },
        ]
    }

    static var reductions: [Row] {
        let t = u([2, 3, 2], 90)
        let d = distinct([2, 3, 2], 91)
        return [
            Row("sum", "all", inputs: [t]) { square($0[0].sum()) },
            Row("sum", "axes [0, 2]", inputs: [t]) { square($0[0].sum(alongAxes: [0, 2])) },
            Row("mean", "all", inputs: [t]) { square($0[0].mean()) },
            Row("mean", "axis −1, keepDims", inputs: [t]) { square($0[0].mean(alongAxes: [-1], keepDims: true)) * $0[0] },
            Row("max", "all", inputs: [d]) { square($0[0].max()) },
            Row("max", "axis 1", inputs: [d]) { square($0[0].max(alongAxes: [1])) },
            Row("min", "axes [0, 1], keepDims", inputs: [d]) { square($0[0].min(alongAxes: [0, 1], keepDims: true)) * $0[0] },
            Row("logSumExp", "axis 2", inputs: [t]) { $0[0].logSumExp(alongAxes: [2]) },
            Row("logSumExp", "all", inputs: [t]) { $0[0].logSumExp() },
            Row("softmax", "axis 1", inputs: [t]) { $0[0].softmax(alongAxis: 1) },
            Row("softmax", "last axis", inputs: [t]) { $0[0].softmax() },
            Row("logSoftmax", "axis 0", inputs: [t]) { $0[0].logSoftmax(alongAxis: 0) },
            Row("logSoftmax", "last axis", inputs: [t]) { $0[0].logSoftmax() },
        ]
    }

    static var convolutionAndPooling: [Row] {
        let same = Window2D(kernel: (3, 3), padding: (1, 1, 1, 1))
        let odd = Window2D(kernel: (2, 3), stride: (2, 1), dilation: (1, 2), padding: (1, 0, 2, 1))
        let pool = Window2D(kernel: (2, 2), stride: (2, 2))
        let overlapping = Window2D(kernel: (3, 3), stride: (1, 2), padding: (1, 1, 1, 1))
        return [
            Row("conv2d", "3×3 same", inputs: [u([2, 2, 4, 3], 100), u([2, 2, 3, 3], 101)]) { conv2d($0[0], weight: $0[1], window: same) },
            Row("conv2d", "then tanh", inputs: [u([1, 2, 4, 3], 102), u([2, 2, 3, 3], 103)]) { tanh(conv2d($0[0], weight: $0[1], window: same)) },
            Row("conv2d", "stride, dilation, uneven padding, squared", inputs: [u([1, 2, 4, 5], 104), u([3, 2, 2, 3], 105)]) {
                square(conv2d($0[0], weight: $0[1], window: odd))
            },
            Row("maxPool2d", "2×2 stride 2", inputs: [distinct([1, 2, 4, 4], 106)]) { square(maxPool2d($0[0], window: pool)) },
            Row("maxPool2d", "overlapping, padded", inputs: [distinct([1, 1, 4, 5], 107)]) { square(maxPool2d($0[0], window: overlapping)) },
            Row("avgPool2d", "2×2 stride 2", inputs: [u([1, 2, 4, 4], 108)]) { square(avgPool2d($0[0], window: pool)) },
            Row("avgPool2d", "overlapping, padded", inputs: [u([1, 1, 4, 5], 109)]) { square(avgPool2d($0[0], window: overlapping)) },
        ]
    }

    /// The internal backward ops that pullbacks are made of: their own first and second derivatives.
    static var backwardOps: [Row] {
        let same = Window2D(kernel: (3, 3), padding: (1, 1, 1, 1))
        let strided = Window2D(kernel: (2, 2), stride: (2, 1), padding: (0, 1, 1, 0))
        let overlapping = Window2D(kernel: (3, 3), stride: (1, 2), padding: (1, 1, 1, 1))
        let argmax = [0, 6, 6, 13, -1, 12]   // a repeated index and an empty window
        return [
            Row("conv2dBackpropInput", inputs: [u([1, 2, 4, 3], 120), u([2, 2, 3, 3], 121)]) {
                square(conv2dBackpropInput($0[0], weight: $0[1], inputShape: [1, 2, 4, 3], window: same))
            },
            Row("conv2dBackpropInput", "strided", inputs: [u([1, 2, 2, 3], 122), u([2, 1, 2, 2], 123)]) {
                square(conv2dBackpropInput($0[0], weight: $0[1], inputShape: [1, 1, 3, 3], window: strided))
            },
            Row("conv2dBackpropFilter", inputs: [u([1, 2, 4, 3], 124), u([1, 2, 4, 3], 125)]) {
                square(conv2dBackpropFilter($0[0], gradient: $0[1], weightShape: [2, 2, 3, 3], window: same))
            },
            Row("avgPool2dBackprop", inputs: [u([1, 1, 4, 3], 126)]) { square(avgPool2dBackprop($0[0], inputShape: [1, 1, 4, 5], window: overlapping)) },
            Row("maxPool2dBackprop", "repeated index", inputs: [u([1, 1, 2, 3], 127)]) {
                square(maxPool2dBackprop($0[0], argmax: argmax, inputShape: [1, 1, 4, 4]))
            },
            Row("maxPool2dGather", inputs: [u([1, 1, 4, 4], 128)]) { square(maxPool2dGather($0[0], argmax: argmax, outputShape: [1, 1, 2, 3])) },
            Row("tanhBackward", inputs: [u([2, 3], 129), u([2, 3], 130, lo: -0.9, hi: 0.9)]) { square(tanhBackward($0[0], $0[1])) },
            Row("sigmoidBackward", inputs: [u([2, 3], 131), u([2, 3], 132, lo: 0.1, hi: 0.9)]) { square(sigmoidBackward($0[0], $0[1])) },
            Row("passWherePositive", inputs: [u([2, 3], 133), off([2, 3], 134)]) { square(passWherePositive($0[0], $0[1])) },
            Row("scatterAdd", inputs: [u([4, 3], 135)]) { square(scatterAdd($0[0], indices: [2, 0, 2, 1], indexShape: [4], into: [3, 3], axis: 0)) },
            Row("padded", inputs: [u([2, 3], 136)]) { square($0[0].padded(alongAxis: 1, before: 1, after: 2)) * u([2, 6], 137) },
            Row("softmaxCrossEntropy", "dense labels, MindSpore's pullback", inputs: [u([3, 4], 138), u([3, 4], 139)]) {
                softmaxCrossEntropy(logits: $0[0], labels: $0[1], denseLabels: $0[1])
            },
        ]
    }

    /// Layers and losses (differentiated with respect to their inputs; their parameters are constants here).
    static var cells: [Row] {
        let x = u([3, 4], 150)
        let dense = Dense(inChannels: 4, outChannels: 2, weightInit: u([2, 4], 151), biasInit: u([2], 152), activation: .tanh)
        let denseRelu = Dense(inChannels: 4, outChannels: 2, weightInit: u([2, 4], 153), biasInit: u([2], 154), activation: .relu)
        let conv = Conv2d(inChannels: 2, outChannels: 2, kernelSize: 3, hasBias: true, weightInit: u([2, 2, 3, 3], 155), biasInit: u([2], 156))
        let net = SequentialCell([conv, Tanh(), AvgPool2d(kernelSize: 2, stride: 2), Flatten(),
                                  Dense(inChannels: 2, outChannels: 1, weightInit: u([1, 2], 157), biasInit: u([1], 158))])
        let image = u([2, 2, 2, 2], 159)
        let labels = Tensor([1, 3, 0] as [Int32])
        let probabilities = Tensor.randomUniform([3, 4], lower: 0.1, upper: 1, dtype: .float64, seed: 160).softmax()
        return [
            Row("Dense", "tanh", inputs: [x]) { dense($0[0]) },
            Row("Dense", "relu", inputs: [x]) { square(denseRelu($0[0])) },
            Row("Conv2d", "same, bias", inputs: [image]) { square(conv($0[0])) },
            Row("MaxPool2d", inputs: [distinct([1, 2, 4, 4], 161)]) { square(MaxPool2d(kernelSize: 2, stride: 2)($0[0])) },
            Row("AvgPool2d", inputs: [u([1, 2, 4, 4], 162)]) { square(AvgPool2d(kernelSize: 3, stride: 1, padMode: .same)($0[0])) },
            Row("SequentialCell", "conv-tanh-pool-flatten-dense", inputs: [image]) { net($0[0]) },
            Row("ReLU", inputs: [off([2, 3], 163)]) { square(ReLU()($0[0])) },
            Row("Sigmoid", inputs: [x]) { Sigmoid()($0[0]) },
            Row("Tanh", inputs: [x]) { Tanh()($0[0]) },
            Row("GELU", inputs: [x]) { GELU()($0[0]) },
            Row("Softmax", inputs: [x]) { Softmax()($0[0]) },
            Row("LogSoftmax", inputs: [x]) { LogSoftmax()($0[0]) },
            Row("Dropout", "training, a fixed mask", inputs: [x]) { x in
                let dropout = Dropout(p: 0.3, seed: 7)
                _ = dropout.setTrain(true)
                return square(dropout(x[0]))
            },
            Row("LayerNorm", inputs: [x]) { LayerNorm(normalizedShape: [4])($0[0]) },
            Row("BatchNorm1d", "training statistics", inputs: [x]) { BatchNorm1d(numFeatures: 4)($0[0]) },
            Row("MSELoss", inputs: [x, u([3, 4], 164)]) { MSELoss()($0[0], $0[1]) },
            Row("L1Loss", inputs: [off([3, 4], 165), Tensor.zeros([3, 4], dtype: .float64)]) { L1Loss()($0[0], $0[1]) },
            Row("BCEWithLogitsLoss", inputs: [x, u([3, 4], 166, lo: 0, hi: 1)]) { BCEWithLogitsLoss()($0[0], $0[1]) },
            Row("CrossEntropyLoss", "class indices", inputs: [x]) { CrossEntropyLoss()($0[0], labels) },
            Row("CrossEntropyLoss", "probabilities, label smoothing", inputs: [x, probabilities]) {
                CrossEntropyLoss(labelSmoothing: 0.1)($0[0], $0[1])
            },
            Row("NLLLoss", inputs: [x]) { NLLLoss()($0[0].logSoftmax(), labels) },
            Row("SoftmaxCrossEntropyWithLogits", "sparse", inputs: [x]) { SoftmaxCrossEntropyWithLogits(sparse: true, reduction: .mean)($0[0], labels) },
            Row("SoftmaxCrossEntropyWithLogits", "dense", inputs: [x, probabilities]) { SoftmaxCrossEntropyWithLogits()($0[0], $0[1]) },
        ]
    }

    static var table: [Row] { arithmetic + elementwise + selecting + products + layout + reductions + convolutionAndPooling + backwardOps + cells
        + smoothMath + activations + piecewiseConstant + linearAlgebra + statistics
        + indexing + selection + splitting + rearranging + diagonals + resampling + normalization + groupedConvolution }

    // MARK: The walk

    func testEveryOpHasASecondDerivativeMatchingFiniteDifferencesOrThrows() throws {
        var worst = (error: 0.0, row: "")
        var withoutSecondDerivative: [String] = [], relaxed: [String] = []
        for row in Self.table {
            switch (try SecondOrder.check(row), row.expectation) {
            case (.checked(let result), .matchesFiniteDifferences):
                XCTAssertLessThan(result.worstRelativeError, row.tolerance, "\(result)")
                if row.tolerance <= 1e-6, result.worstRelativeError > worst.error { worst = (result.worstRelativeError, row.name) }
                if row.tolerance > 1e-6 { relaxed.append("\(row.name): \(result.worstRelativeError)") }
            case (.threw(let error), .matchesFiniteDifferences):
                XCTFail("\(row.name): differentiating twice threw \(error)")
            case (.threw(let error), .throwsWhenDifferentiatedTwice):
                XCTAssertTrue("\(error)".contains(row.op), "\(row.name): the error does not name the op: \(error)")
                withoutSecondDerivative.append(row.op)
            case (.checked(let result), .throwsWhenDifferentiatedTwice):
                XCTFail("\(row.name): expected an error when differentiated twice, got \(result)")
            }
        }
        let ops = Set(Self.table.map(\.op))
        print("second-order walk: \(Self.table.count) rows over \(ops.count) ops; worst relative error \(worst.error) (\(worst.row)); "
              + "rows through float32 (tolerance 1e-3): \(relaxed.joined(separator: ", ")); "
              + "without a second derivative: \(withoutSecondDerivative.isEmpty ? "none" : withoutSecondDerivative.joined(separator: ", "))")
    }

    /// x³ with its pullback 3x²·G computed by a kernel: an op that has no second derivative.
    static func cubeWithKernelPullback(_ x: Tensor) -> Tensor {
        let out = Tensor(x.scalars.map { $0 * $0 * $0 }, shape: x.shape)
        guard x.isRecorded else { return out }
        return out.recordedFirstOrderOnly(x, op: "cubeWithKernelPullback") { g in
            Tensor(zip(g.scalars, x.scalars).map { $0 * 3 * $1 * $1 }, shape: x.shape)
        }
    }

    func testAnOpWithoutASecondDerivativeThrowsWhenDifferentiatedTwiceAndWorksOnce() throws {
        let x = Self.u([2, 3], 200)
        let once = try checkGradients("cubeWithKernelPullback", at: [x]) { Self.cubeWithKernelPullback($0[0]) }
        XCTAssertLessThan(once.worstRelativeError, 1e-6, "\(once)")
        let row = Row("cubeWithKernelPullback", inputs: [x], expectation: .throwsWhenDifferentiatedTwice) { Self.cubeWithKernelPullback($0[0]) }
        guard case .threw(let error) = try SecondOrder.check(row) else { return XCTFail("differentiating twice did not throw") }
        guard case GradError.tensor(let e) = error else { return XCTFail("unexpected error \(error)") }
        XCTAssertEqual(e.op, "cubeWithKernelPullback")
        XCTAssertTrue(e.message.contains("second derivative"), e.message)
    }

    /// Every public op declared in `Sources/TapeGrad/Ops` has a row (or is listed in `notOps` with a reason).
    func testTheWalkCoversEveryPublicOpInTheOpsFolder() throws {
        let ops = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources/TapeGrad/Ops")
        guard let files = FileManager.default.enumerator(at: ops, includingPropertiesForKeys: nil) else {
            throw XCTSkip("sources not found at \(ops.path)")
        }
        let declaration = try NSRegularExpression(pattern: #"public (?:static )?(?:prefix )?func ([^\s(<]+)"#)
        var declared = Set<String>()
        for case let file as URL in files where file.pathExtension == "swift" {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in declaration.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                if let range = Range(match.range(at: 1), in: text) { declared.insert(text[range].replacingOccurrences(of: "`", with: "")) }
            }
        }
        XCTAssertGreaterThan(declared.count, 40, "the scan found too few ops in \(ops.path)")
        let covered = Set(Self.table.map(\.op)).union(Self.notOps.keys)
        let missing = declared.subtracting(covered).sorted()
        XCTAssertTrue(missing.isEmpty, "public ops without a row in SecondOrderWalkTests.table: \(missing)")
    }
}
