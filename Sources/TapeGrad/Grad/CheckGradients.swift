/// The outcome of ``checkGradients(_:at:dtype:epsilon:seed:of:)``: the worst disagreement between the tape's
/// gradient and a central finite difference, and where it occurred.
public struct GradientCheckResult: Sendable, CustomStringConvertible {
    /// max over all elements of |analytic − numeric| / max(1, |analytic|, |numeric|).
    public let worstRelativeError: Double
    /// The label given to the check (usually the op's name).
    public let op: String
    /// The input where the worst error occurred.
    public let inputIndex: Int
    /// The flat element index within that input.
    public let elementIndex: Int
    /// The tape's derivative there.
    public let analytic: Double
    /// The finite-difference derivative there.
    public let numeric: Double

    /// `"matmul: worst relative error 3.1e-10 at input 1, element 4 (analytic …, numeric …)"`.
    public var description: String {
        "\(op): worst relative error \(worstRelativeError) at input \(inputIndex), element \(elementIndex) (analytic \(analytic), numeric \(numeric))"
    }
}

/// Compares the tape's gradient of `f` with central finite differences and returns the worst relative error.
///
/// The scalar checked is L = Σ f(inputs) ⊙ r for a fixed pseudo-random weighting r (a plain sum would hide
/// errors such as a wrong softmax pullback, whose row sums vanish). The tape gradient is computed in
/// `dtype`; the finite differences always in float64, with step `epsilon` scaled by max(1, |x|):
/// numeric = (L(x + h) − L(x − h)) / 2h. The relative error of one element is
/// |analytic − numeric| / max(1, |analytic|, |numeric|).
///
/// ```swift
/// let r = try checkGradients("tanh", at: [Tensor.randomNormal([3, 4], dtype: .float64, seed: 1)]) { tanh($0[0]) }
/// assert(r.worstRelativeError < 1e-6)
/// ```
public func checkGradients(
    _ op: String = "f", at inputs: [Tensor], dtype: DType = .float64, epsilon: Double = 1e-6, seed: UInt64 = 0x6C,
    of f: ([Tensor]) -> Tensor
) throws -> GradientCheckResult {
    let points = inputs.map { $0.isFloatingPointDType ? $0.converted(to: .float64) : $0 }
    let probe = try withErrorChecking { f(points) }
    let weights = Tensor.randomUniform(probe.shape, lower: 0.5, upper: 1.5, dtype: .float64, seed: seed)
    func loss(_ xs: [Tensor]) -> Tensor { (f(xs).astype(.float64) * weights).sum() }

    let analyticInputs = points.map { $0.isFloatingPointDType ? $0.converted(to: dtype) : $0 }
    let (_, gradients) = try valueWithGradient(at: analyticInputs) { loss($0) }

    var worst = GradientCheckResult(worstRelativeError: 0, op: op, inputIndex: 0, elementIndex: 0, analytic: 0, numeric: 0)
    for (i, x) in points.enumerated() where x.isFloatingPointDType {
        let analytic = gradients[i].scalars
        var values = x.scalars
        for k in 0..<values.count {
            let original = values[k]
            let h = epsilon * Swift.max(1, Swift.abs(original))
            var args = points
            values[k] = original + h
            args[i] = Tensor(values, shape: x.shape)
            let plus = try withErrorChecking { loss(args).item() }
            values[k] = original - h
            args[i] = Tensor(values, shape: x.shape)
            let minus = try withErrorChecking { loss(args).item() }
            values[k] = original
            let numeric = (plus - minus) / (2 * h)
            let a = k < analytic.count ? analytic[k] : .nan
            let error = Swift.abs(a - numeric) / Swift.max(1, Swift.abs(a), Swift.abs(numeric))
            if error > worst.worstRelativeError || error.isNaN {
                worst = GradientCheckResult(worstRelativeError: error.isNaN ? .infinity : error, op: op, inputIndex: i,
                                            elementIndex: k, analytic: a, numeric: numeric)
            }
        }
    }
    return worst
}

extension Tensor {
    var isFloatingPointDType: Bool { dtype.isFloatingPoint }
}
