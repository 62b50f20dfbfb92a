import Foundation

// Seeded sampling: integers, permutations, Bernoulli and categorical draws, normals with tensor
// parameters. Every function takes a seed or a RandomGenerator, so a run is reproducible bit for bit.
// (The streams are TapeGrad's own xoshiro256**; they do not reproduce MindSpore's or PyTorch's numbers.)

extension RandomGenerator {
    /// A uniform integer in `0..<bound` (bound > 0), without modulo bias.
    mutating func nextInt(below bound: UInt64) -> UInt64 {
        let limit = UInt64.max - UInt64.max % bound
        while true {
            let r = next()
            if r < limit { return r % bound }
        }
    }
}

extension Tensor {
    /// Uniform int32 integers in `[low, high)`. MindSpore `ops.randint(low, high, size, seed)`.
    ///
    /// ```swift
    /// Tensor.randint(low: 0, high: 10, shape: [2, 3], seed: 1)   // int32 values in 0..<10
    /// ```
    public static func randint(low: Int, high: Int, shape: [Int], seed: UInt64) -> Tensor {
        var rng = RandomGenerator(seed: seed)
        return randint(low: low, high: high, shape: shape, using: &rng)
    }

    /// ``randint(low:high:shape:seed:)`` drawing from `generator`.
    ///
    /// ```swift
    /// var rng = RandomGenerator(seed: 1)
    /// let a = Tensor.randint(low: 0, high: 6, shape: [4], using: &rng)   // four dice throws
    /// ```
    public static func randint(low: Int, high: Int, shape: [Int], using generator: inout RandomGenerator) -> Tensor {
        guard low < high, low >= Int(Int32.min), high <= Int(Int32.max) + 1 else {
            reportError(TensorError(op: "randint", message: "low \(low) must be < high \(high), both within int32"))
            return placeholder(dtype: .int32)
        }
        guard let n = validCount(shape, op: "randint") else { return placeholder(dtype: .int32) }
        let span = UInt64(high - low)
        var values = [Int32](repeating: 0, count: n)
        for i in 0..<n { values[i] = Int32(low + Int(generator.nextInt(below: span))) }
        return fromArray(values, shape: shape)
    }

    /// A random permutation of `0..<n` as int32 (Fisher–Yates). MindSpore `ops.randperm(n, seed)`.
    ///
    /// ```swift
    /// Tensor.randperm(5, seed: 3)   // a shuffle of [0, 1, 2, 3, 4]
    /// ```
    public static func randperm(_ n: Int, seed: UInt64) -> Tensor {
        var rng = RandomGenerator(seed: seed)
        return randperm(n, using: &rng)
    }

    /// ``randperm(_:seed:)`` drawing from `generator`.
    ///
    /// ```swift
    /// var rng = RandomGenerator(seed: 2)
    /// let order = Tensor.randperm(10, using: &rng)   // shuffle a dataset's indices each epoch
    /// ```
    public static func randperm(_ n: Int, using generator: inout RandomGenerator) -> Tensor {
        guard n >= 0, n <= Int(Int32.max) else {
            reportError(TensorError(op: "randperm", message: "n must be in 0...\(Int32.max), got \(n)"))
            return placeholder(dtype: .int32)
        }
        var values = (0..<n).map { Int32($0) }
        if n > 1 {
            for i in stride(from: n - 1, to: 0, by: -1) { values.swapAt(i, Int(generator.nextInt(below: UInt64(i + 1)))) }
        }
        return fromArray(values, shape: [n])
    }
}

/// 1 with probability pᵢ and 0 otherwise, for each element of `probabilities` (in [0, 1]); the result has
/// its shape and dtype. MindSpore `ops.bernoulli(input, p)`. Not differentiable.
///
/// ```swift
/// bernoulli(Tensor([0, 0.5, 1]), seed: 4)   // [0, 0 or 1, 1]
/// ```
public func bernoulli(_ probabilities: Tensor, seed: UInt64) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    return bernoulli(probabilities, using: &rng)
}

/// ``bernoulli(_:seed:)`` drawing from `generator`.
///
/// ```swift
/// var rng = RandomGenerator(seed: 3)
/// let keep = bernoulli(Tensor.full([4], value: 0.9), using: &rng)   // a dropout mask
/// ```
public func bernoulli(_ probabilities: Tensor, using generator: inout RandomGenerator) -> Tensor {
    let p = probabilities.scalars
    guard p.allSatisfy({ $0 >= 0 && $0 <= 1 }) else {
        reportError(TensorError(op: "bernoulli", message: "probabilities must lie in [0, 1], got \(p.first { !($0 >= 0 && $0 <= 1) } ?? .nan)"))
        return Tensor.placeholder(dtype: probabilities.dtype)
    }
    let draws = p.map { generator.nextUniform() < $0 ? 1.0 : 0.0 }
    return Tensor(draws, shape: probabilities.shape).converted(to: probabilities.dtype)
}

/// `numSamples` int32 category indices per row of non-negative `weights` (1-D or 2-D; rows need not sum to
/// 1), with or without replacement. MindSpore `ops.multinomial(input, num_samples, replacement, seed)`.
/// Not differentiable.
///
/// ```swift
/// multinomial(Tensor([0, 1, 3]), numSamples: 2, seed: 5)   // two distinct indices from {1, 2}
/// ```
public func multinomial(_ weights: Tensor, numSamples: Int, replacement: Bool = false, seed: UInt64) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    return multinomial(weights, numSamples: numSamples, replacement: replacement, using: &rng)
}

/// ``multinomial(_:numSamples:replacement:seed:)`` drawing from `generator`.
///
/// ```swift
/// var rng = RandomGenerator(seed: 4)
/// let token = multinomial(Tensor([0.1, 0.7, 0.2]), numSamples: 1, using: &rng)   // most likely [1]
/// ```
public func multinomial(_ weights: Tensor, numSamples: Int, replacement: Bool = false, using generator: inout RandomGenerator) -> Tensor {
    guard weights.rank == 1 || weights.rank == 2 else {
        reportError(TensorError(op: "multinomial", message: "weights must be 1-D or 2-D, got shape \(weights.shape)"))
        return Tensor.placeholder(dtype: .int32)
    }
    let rows = weights.rank == 2 ? weights.shape[0] : 1, k = weights.shape[weights.rank - 1]
    let w = weights.scalars
    guard w.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
        reportError(TensorError(op: "multinomial", message: "weights must be finite and ≥ 0"))
        return Tensor.placeholder(dtype: .int32)
    }
    guard numSamples >= 0, replacement || numSamples <= k else {
        reportError(TensorError(op: "multinomial", message: "numSamples \(numSamples) must be ≥ 0 and, without replacement, ≤ the \(k) categories"))
        return Tensor.placeholder(dtype: .int32)
    }
    var out: [Int32] = []
    for r in 0..<rows {
        var row = Array(w[(r * k)..<((r + 1) * k)])
        let positive = row.filter { $0 > 0 }.count
        guard positive > 0, replacement || numSamples <= positive else {
            reportError(TensorError(op: "multinomial", message: "row \(r) has \(positive) categories of non-zero weight, too few for \(numSamples) samples\(replacement ? "" : " without replacement")"))
            return Tensor.placeholder(dtype: .int32)
        }
        for _ in 0..<numSamples {
            let total = row.reduce(0, +)
            var u = generator.nextUniform() * total, pick = k - 1
            for (c, v) in row.enumerated() where v > 0 {
                if u < v { pick = c; break }
                u -= v
                pick = c
            }
            out.append(Int32(pick))
            if !replacement { row[pick] = 0 }
        }
    }
    return Tensor(out, shape: weights.rank == 2 ? [rows, numSamples] : [numSamples])
}

/// Normal samples with elementwise `mean` and `standardDeviation` (broadcast together):
/// mean + std ⊙ ε with ε ~ N(0, 1) drawn from `seed`. MindSpore `ops.normal(shape, mean, stddev, seed)`.
/// Differentiable in both parameters (the reparameterisation): ∂L/∂mean = G, ∂L/∂std = G ⊙ ε.
///
/// ```swift
/// normal(mean: Tensor([0, 10]), standardDeviation: Tensor([1, 0]), seed: 6)   // [~N(0,1), 10]
/// ```
public func normal(mean: Tensor, standardDeviation: Tensor, seed: UInt64) -> Tensor {
    guard let shape = Broadcasting.shape(mean.shape, standardDeviation.shape) else {
        reportError(TensorError(op: "normal", message: "mean of shape \(mean.shape) and standardDeviation of shape \(standardDeviation.shape) do not broadcast"))
        return Tensor.placeholder(dtype: DType.promoted(mean.dtype, standardDeviation.dtype).floatingPoint)
    }
    let dtype = DType.promoted(mean.dtype, standardDeviation.dtype).floatingPoint
    let noise = Tensor.randomNormal(shape, dtype: .float64, seed: seed).converted(to: dtype)
    return mean.astype(dtype) + standardDeviation.astype(dtype) * noise
}

/// Uniform values in [0, 1) with `x`'s shape and floating dtype. MindSpore `ops.rand_like(input, seed)`.
///
/// ```swift
/// randLike(Tensor.zeros([2, 2]), seed: 8)   // four values in [0, 1)
/// ```
public func randLike(_ x: Tensor, seed: UInt64) -> Tensor {
    Tensor.randomUniform(x.shape, dtype: x.dtype.floatingPoint, seed: seed)
}

/// Standard normal values with `x`'s shape and floating dtype. MindSpore `ops.randn_like(input, seed)`.
///
/// ```swift
/// randnLike(Tensor.zeros([3]), seed: 9)   // three N(0, 1) draws
/// ```
public func randnLike(_ x: Tensor, seed: UInt64) -> Tensor {
    Tensor.randomNormal(x.shape, dtype: x.dtype.floatingPoint, seed: seed)
}
