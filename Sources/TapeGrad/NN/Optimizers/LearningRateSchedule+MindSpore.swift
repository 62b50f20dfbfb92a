import Foundation

/// MindSpore's learning-rate schedules (`nn.WarmUpLR`, `nn.CosineDecayLR`, `nn.PolynomialDecayLR`,
/// `nn.ExponentialDecayLR`, `nn.NaturalExpDecayLR`, `nn.InverseDecayLR`, `nn.piecewise_constant_lr`) and their
/// composition, as functions of the step t = 0, 1, 2, … (MindSpore's `global_step` before the update).
///
/// ```swift
/// let lr = LearningRateSchedule.warmUp(learningRate: 1e-3, warmupSteps: 100)
///     .followed(by: .cosineDecay(minLearningRate: 1e-5, maxLearningRate: 1e-3, decaySteps: 900), after: 100)
/// let opt = Adam(params: net.trainableParams(), learningRate: lr)
/// ```
extension LearningRateSchedule {
    /// `nn.WarmUpLR`: lr · min(t, w) / w — a linear ramp from 0 that stays at `learningRate` after w steps.
    public static func warmUp(learningRate: Double, warmupSteps: Int) -> LearningRateSchedule {
        let w = Double(Swift.max(warmupSteps, 1))
        return .custom { t in learningRate * Swift.min(Double(t), w) / w }
    }

    /// `nn.CosineDecayLR`: min + ½(max − min)(1 + cos(π · min(t, T) / T)).
    public static func cosineDecay(minLearningRate: Double, maxLearningRate: Double, decaySteps: Int) -> LearningRateSchedule {
        let total = Double(Swift.max(decaySteps, 1))
        return .custom { t in
            minLearningRate + 0.5 * (maxLearningRate - minLearningRate) * (1 + Foundation.cos(Double.pi * Swift.min(Double(t), total) / total))
        }
    }

    /// `nn.PolynomialDecayLR`: (lr − end)(1 − min(t, T) / T)^power + end; with `updateDecaySteps`, T grows to
    /// T · ⌈t / T⌉ so the decay restarts from a lower peak instead of staying at `endLearningRate`.
    public static func polynomialDecay(learningRate: Double, endLearningRate: Double, decaySteps: Int, power: Double,
                                       updateDecaySteps: Bool = false) -> LearningRateSchedule {
        let base = Double(Swift.max(decaySteps, 1))
        return .custom { t in
            var total = base, step = Double(t)
            if updateDecaySteps {
                total = base * Swift.max(1, (step / base).rounded(.up))
            } else {
                step = Swift.min(step, total)
            }
            return (learningRate - endLearningRate) * Foundation.pow(1 - step / total, power) + endLearningRate
        }
    }

    /// `nn.ExponentialDecayLR`: lr · rate^p with p = t / T (⌊t / T⌋ when `isStair`).
    public static func exponentialDecay(learningRate: Double, decayRate: Double, decaySteps: Int, isStair: Bool = false) -> LearningRateSchedule {
        let p = decayProgress(decaySteps, isStair)
        return .custom { t in learningRate * Foundation.pow(decayRate, p(t)) }
    }

    /// `nn.NaturalExpDecayLR` as MindSpore 2.10 computes it: lr · e^(−rate · p) with p = t itself (not t / T),
    /// or T · ⌊t / T⌋ when `isStair` — so `decaySteps` only sets the stair width.
    public static func naturalExpDecay(learningRate: Double, decayRate: Double, decaySteps: Int, isStair: Bool = false) -> LearningRateSchedule {
        let total = Double(Swift.max(decaySteps, 1))
        return .custom { t in
            let p = isStair ? (Double(t) / total).rounded(.down) * total : Double(t)
            return learningRate * Foundation.exp(-decayRate * p)
        }
    }

    /// `nn.InverseDecayLR`: lr / (1 + rate · p) with p = t / T (⌊t / T⌋ when `isStair`).
    public static func inverseDecay(learningRate: Double, decayRate: Double, decaySteps: Int, isStair: Bool = false) -> LearningRateSchedule {
        let p = decayProgress(decaySteps, isStair)
        return .custom { t in learningRate / (1 + decayRate * p(t)) }
    }

    /// `nn.piecewise_constant_lr`: `learningRates[i]` for milestones[i − 1] ≤ t < milestones[i]; the last rate
    /// after the last milestone. `milestones` must increase and have as many entries as `learningRates`.
    public static func piecewiseConstant(milestones: [Int], learningRates: [Double]) -> LearningRateSchedule {
        .custom { t in
            let index = milestones.firstIndex { t < $0 } ?? (learningRates.count - 1)
            return learningRates.isEmpty ? 0 : learningRates[Swift.min(index, learningRates.count - 1)]
        }
    }

    /// This schedule for the first `steps` steps, then `next` counted from 0 again: a warm-up followed by a decay.
    public func followed(by next: LearningRateSchedule, after steps: Int) -> LearningRateSchedule {
        let first = self
        return .custom { t in t < steps ? first.rate(at: t) : next.rate(at: t - steps) }
    }

    private static func decayProgress(_ decaySteps: Int, _ isStair: Bool) -> @Sendable (Int) -> Double {
        let total = Double(Swift.max(decaySteps, 1))
        return { t in isStair ? (Double(t) / total).rounded(.down) : Double(t) / total }
    }
}
