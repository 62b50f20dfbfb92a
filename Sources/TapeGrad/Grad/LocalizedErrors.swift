import Foundation

// `error.localizedDescription` of TapeGrad's errors is their Swift sentence, not Foundation's generic
// "The operation couldn't be completed".

extension GradError: LocalizedError {
    /// The same text as ``description``.
    ///
    /// ```swift
    /// do { _ = try grad({ (x: Tensor) in x }, gradPosition: -1) } catch { print(error.localizedDescription) }
    /// // gradPosition is -1; expected an input position >= 0.
    /// ```
    public var errorDescription: String? { description }
}

extension TensorError: LocalizedError {
    /// The same text as ``description``: `"op: message"`.
    public var errorDescription: String? { description }
}

extension OptimizerError: LocalizedError {
    /// The same text as ``description``.
    public var errorDescription: String? { description }
}
