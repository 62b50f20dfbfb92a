import XCTest
@testable import TapeGrad

/// One row of the second-order walk: an op, a float64 input builder and a function of those inputs that
/// exercises the op. Add a row when you add an op (``SecondOrderWalkTests`` fails on a public op of
/// `Sources/TapeGrad/Ops` that no row covers).
struct SecondOrderCase {
    enum Expectation {
        /// ∂⟨∇f, u⟩/∂x matches central finite differences of the (first-order) gradient.
        case matchesFiniteDifferences
        /// Differentiating the op's pullback throws an error naming the op (no second derivative yet).
        case throwsWhenDifferentiatedTwice
    }

    /// The op as spelled in its declaration (`conv2d`, `+`, `softmax`), or a layer or internal op name.
    let op: String
    /// What tells this row apart from the other rows of the same op.
    let variant: String
    /// The float64 points; only floating-point inputs are differentiated.
    let inputs: () -> [Tensor]
    var expectation = Expectation.matchesFiniteDifferences
    /// The finite-difference step (relative), and the largest relative error accepted.
    var epsilon = 1e-6
    var tolerance = 1e-6
    let f: ([Tensor]) -> Tensor

    init(_ op: String, _ variant: String = "", inputs: @escaping @autoclosure () -> [Tensor],
         expectation: Expectation = .matchesFiniteDifferences, epsilon: Double = 1e-6, tolerance: Double = 1e-6,
         f: @escaping ([Tensor]) -> Tensor) {
        self.op = op
        self.variant = variant
        self.inputs = inputs
        self.expectation = expectation
        self.epsilon = epsilon
        self.tolerance = tolerance
        self.f = f
    }

    var name: String { variant.isEmpty ? op : "\(op) (\(variant))" }
}

/// The outcome of differentiating a row twice.
enum SecondOrderOutcome {
    case checked(GradientCheckResult)
    case threw(Error)
}

/// Keeps the first error of the inner (first-order) gradient, which the outer computation cannot see.
final class FirstErrorBox: @unchecked Sendable {
    var error: Error?
}

enum SecondOrder {
    /// Values in [lo, hi).
    static func uniform(_ shape: [Int], _ seed: UInt64, lo: Double = -2, hi: Double = 2) -> Tensor {
        Tensor.randomUniform(shape, lower: lo, upper: hi, dtype: .float64, seed: seed)
    }

    /// Values in [0.5, 2).
    static func positive(_ shape: [Int], _ seed: UInt64) -> Tensor { uniform(shape, seed, lo: 0.5, hi: 2) }

    /// ±[0.3, 2): away from the kinks of relu, abs and leakyRelu.
    static func offZero(_ shape: [Int], _ seed: UInt64) -> Tensor {
        let magnitude = uniform(shape, seed, lo: 0.3, hi: 2), signs = uniform(shape, seed &+ 1000)
        return magnitude * sign(signs)
    }

    /// A shuffled ramp: distinct values at least `gap` apart (no ties for max and max pooling).
    static func distinct(_ shape: [Int], _ seed: UInt64, gap: Double = 0.1) -> Tensor {
        let n = shape.reduce(1, *)
        var generator = RandomGenerator(seed: seed)
        var values = (0..<n).map { Double($0) * gap - Double(n) * gap / 2 }
        for i in stride(from: n - 1, to: 0, by: -1) { values.swapAt(i, Int(generator.next() % UInt64(i + 1))) }
        return Tensor(values, shape: shape)
    }

    /// S(xs) = Σᵢ ⟨∂⟨f(xs), r⟩/∂xᵢ, uᵢ⟩: the first derivative of `f` weighted by `r` along `u`. Its gradient is
    /// the Hessian of ⟨f, r⟩ applied to u; evaluated outside any tape, it is the first-order gradient only.
    static func directionalDerivative(_ f: @escaping ([Tensor]) -> Tensor, _ xs: [Tensor], r: Tensor, u: [Tensor?],
                                      failure: FirstErrorBox) -> Tensor {
        do {
            let (_, gradients) = try valueWithGradient(at: xs) { xs in (f(xs).astype(.float64) * r).sum() }
            var total = Tensor.zeros([], dtype: .float64)
            for (g, direction) in zip(gradients, u) {
                if let direction { total = total + (g.astype(.float64) * direction).sum() }
            }
            return total
        } catch {
            if failure.error == nil { failure.error = error }
            return Tensor(Double.nan)
        }
    }

    /// Differentiates `row` twice: the tape's gradient of S against central finite differences of S.
    static func check(_ row: SecondOrderCase, seed: UInt64 = 0x2D) throws -> SecondOrderOutcome {
        let points = row.inputs()
        let probe = try withErrorChecking { row.f(points) }
        let r = Tensor.randomUniform(probe.shape, lower: 0.5, upper: 1.5, dtype: .float64, seed: seed)
        let u: [Tensor?] = points.enumerated().map { i, x in
            x.dtype.isFloatingPoint ? Tensor.randomUniform(x.shape, lower: -1, upper: 1, dtype: .float64, seed: seed &+ UInt64(i) &+ 1) : nil
        }
        let failure = FirstErrorBox()
        let f = row.f
        do {
            let result = try checkGradients(row.name, at: points, epsilon: row.epsilon) { xs in
                directionalDerivative(f, xs, r: r, u: u, failure: failure)
            }
            if let error = failure.error { return .threw(error) }
            return .checked(result)
        } catch {
            return .threw(failure.error ?? error)
        }
    }
}
