/// How a loss reduces its elementwise values, MindSpore's `reduction`.
public enum Reduction: String, Sendable {
    /// The mean over all elements (the default).
    case mean
    /// The sum over all elements.
    case sum
    /// No reduction: the elementwise (or per-sample) losses.
    case none

    /// Applies the reduction.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        switch self {
        case .mean: return x.mean()
        case .sum: return x.sum()
        case .none: return x
        }
    }
}
