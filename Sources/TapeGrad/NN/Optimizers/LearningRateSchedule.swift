import Foundation

/// The learning rate as a function of the optimizer's step count (MindSpore's dynamic learning rates).
///
/// ```swift
/// let adam = Adam(params: net.trainableParams(), learningRate: .cosine(initial: 1e-2, minimum: 1e-4, totalSteps: 1000))
/// ```
public enum LearningRateSchedule: Sendable, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral, CustomStringConvertible {
    /// A fixed rate.
    case constant(Double)
    /// `initial · rate^⌊step / stepSize⌋` (MindSpore's `exponential_decay_lr` with `is_stair=True`).
    case stepDecay(initial: Double, rate: Double, stepSize: Int)
    /// `minimum + ½ (initial − minimum)(1 + cos(π · min(step, totalSteps) / totalSteps))` (MindSpore's `CosineDecayLR`).
    case cosine(initial: Double, minimum: Double, totalSteps: Int)
    /// Any rule of the step.
    case custom(@Sendable (Int) -> Double)

    /// `learningRate: 0.01`.
    public init(floatLiteral value: Double) { self = .constant(value) }

    /// `learningRate: 1`.
    public init(integerLiteral value: Int) { self = .constant(Double(value)) }

    /// `0.1` for a constant rate, else the case with its arguments (`cosine(initial: 0.01, minimum: 0.0001, totalSteps: 1000)`).
    public var description: String {
        switch self {
        case .constant(let lr): return "\(lr)"
        case .stepDecay(let initial, let rate, let size): return "stepDecay(initial: \(initial), rate: \(rate), stepSize: \(size))"
        case .cosine(let initial, let minimum, let total): return "cosine(initial: \(initial), minimum: \(minimum), totalSteps: \(total))"
        case .custom: return "custom"
        }
    }

    /// The rate at `step` (0 for the first update).
    public func rate(at step: Int) -> Double {
        switch self {
        case .constant(let lr): return lr
        case .stepDecay(let initial, let rate, let size): return initial * Foundation.pow(rate, Double(step / Swift.max(size, 1)))
        case .cosine(let initial, let minimum, let total):
            let t = Double(Swift.min(step, total)) / Double(Swift.max(total, 1))
            return minimum + 0.5 * (initial - minimum) * (1 + Foundation.cos(Double.pi * t))
        case .custom(let rule): return rule(step)
        }
    }
}
