import Foundation

// Evenly spaced sequences, and tensors shaped like another one.

extension Tensor {
    /// `steps` evenly spaced values from `start` to `end`, both included: start + i · (end − start)/(steps − 1).
    /// MindSpore `ops.linspace(start, end, steps)`.
    ///
    /// ```swift
    /// Tensor.linspace(0, 1, steps: 5)   // [0, 0.25, 0.5, 0.75, 1]
    /// ```
    public static func linspace(_ start: Double, _ end: Double, steps: Int, dtype: DType = .float32) -> Tensor {
        guard steps >= 0 else {
            reportError(TensorError(op: "linspace", message: "steps must be ≥ 0, got \(steps)"))
            return placeholder(dtype: dtype)
        }
        let step = steps > 1 ? (end - start) / Double(steps - 1) : 0
        // The second half counts back from `end`, so that the last value is exactly `end` (as PyTorch does).
        let values = steps == 1 ? [start] : (0..<steps).map { i in i < steps / 2 ? start + Double(i) * step : end - Double(steps - 1 - i) * step }
        return fromArray(values, shape: [steps]).converted(to: dtype)
    }

    /// `base` raised to `steps` evenly spaced exponents from `start` to `end`. MindSpore `ops.logspace(start, end, steps, base)`.
    ///
    /// ```swift
    /// Tensor.logspace(0, 2, steps: 3)   // [1, 10, 100]
    /// ```
    public static func logspace(_ start: Double, _ end: Double, steps: Int, base: Double = 10, dtype: DType = .float32) -> Tensor {
        let exponents = linspace(start, end, steps: steps, dtype: .float64).scalars
        return fromArray(exponents.map { Foundation.pow(base, $0) }, shape: [exponents.count]).converted(to: dtype)
    }
}

/// A tensor of `x`'s shape filled with `value`, in `x`'s dtype unless `dtype` is given.
/// MindSpore `ops.full_like(input, fill_value)`. A constant (no gradient flows to `x`).
///
/// ```swift
/// fullLike(Tensor([[1, 2]]), value: 7)   // [[7, 7]]
/// ```
public func fullLike(_ x: Tensor, value: Double, dtype: DType? = nil) -> Tensor {
    Tensor.full(x.shape, value: value, dtype: dtype ?? x.dtype)
}

/// Zeros of `x`'s shape and dtype (or `dtype`). MindSpore `ops.zeros_like(input)`.
///
/// ```swift
/// zerosLike(Tensor([1, 2]))   // [0, 0]
/// ```
public func zerosLike(_ x: Tensor, dtype: DType? = nil) -> Tensor { Tensor.zeros(x.shape, dtype: dtype ?? x.dtype) }

/// Ones of `x`'s shape and dtype (or `dtype`). MindSpore `ops.ones_like(input)`.
///
/// ```swift
/// onesLike(Tensor([1, 2] as [Int32]))   // int32 [1, 1]
/// ```
public func onesLike(_ x: Tensor, dtype: DType? = nil) -> Tensor { fullLike(x, value: 1, dtype: dtype) }
