
/// Parameter initialisers with MindSpore's names and formulas, drawing from TapeGrad's own generator so
/// that a seed gives the same network on every machine.
///
/// ```swift
/// setSeed(42)                                        // every layer created after this is reproducible
/// let w = Initializer.heUniform(negativeSlope: 5.0.squareRoot()).make([10, 64], fanIn: 64)
/// ```
public enum Initializer: Sendable {
    /// U(−scale, scale), MindSpore's `Uniform(scale)`.
    case uniform(scale: Double)
    /// N(mean, σ), MindSpore's `Normal(sigma, mean)`.
    case normal(sigma: Double, mean: Double)
    /// MindSpore's `HeUniform(negative_slope)` (leaky-ReLU gain, fan-in mode):
    /// bound = √3 · √(2 / (1 + a²)) / √fanIn.
    case heUniform(negativeSlope: Double)
    /// MindSpore's `XavierUniform(gain)`: bound = gain · √(6 / (fanIn + fanOut)).
    case xavierUniform(gain: Double)
    /// A constant.
    case constant(Double)
    /// All zeros.
    case zeros
    /// All ones.
    case ones

    /// A tensor of `shape` initialised by this rule; `fanIn`/`fanOut` default to MindSpore's reading of the shape.
    public func make(_ shape: [Int], fanIn: Int? = nil, fanOut: Int? = nil, dtype: DType = .float32, seed: UInt64? = nil) -> Tensor {
        guard Tensor.canAllocate(shape, dtype: dtype, op: "initializer") else { return Tensor.placeholder(dtype: dtype) }
        let (defaultIn, defaultOut) = Initializer.fans(shape)
        let fin = Double(Swift.max(fanIn ?? defaultIn, 1)), fout = Double(Swift.max(fanOut ?? defaultOut, 1))
        let s = seed ?? nextInitializerSeed()
        switch self {
        case .uniform(let scale): return Tensor.randomUniform(shape, lower: -scale, upper: scale, dtype: dtype, seed: s)
        case .normal(let sigma, let mean): return Tensor.randomNormal(shape, mean: mean, standardDeviation: sigma, dtype: dtype, seed: s)
        case .heUniform(let a):
            let bound = 3.0.squareRoot() * (2 / (1 + a * a)).squareRoot() / fin.squareRoot()
            return Tensor.randomUniform(shape, lower: -bound, upper: bound, dtype: dtype, seed: s)
        case .xavierUniform(let gain):
            let bound = gain * (6 / (fin + fout)).squareRoot()
            return Tensor.randomUniform(shape, lower: -bound, upper: bound, dtype: dtype, seed: s)
        case .constant(let v): return Tensor.full(shape, value: v, dtype: dtype)
        case .zeros: return Tensor.zeros(shape, dtype: dtype)
        case .ones: return Tensor.ones(shape, dtype: dtype)
        }
    }

    /// MindSpore's `_calculate_fan_in_and_fan_out`: for `[out, in, k…]`, fanIn = in·∏k, fanOut = out·∏k.
    static func fans(_ shape: [Int]) -> (Int, Int) {
        if shape.count < 2 { return (shape.first ?? 1, shape.first ?? 1) }
        // A valid shape (checked in `make`): these products cannot overflow.
        let receptive = SizeArithmetic.count(of: shape.dropFirst(2))
        return (shape[1] &* receptive, shape[0] &* receptive)
    }
}

private let initializerSeed = Locked<(base: UInt64, counter: UInt64)>((0x5EED, 0))

/// Sets the seed from which layers draw their initial parameters when they are not given one
/// (MindSpore's `set_seed`): networks built after the same `setSeed` are identical.
///
/// ```swift
/// setSeed(1)
/// let a = Dense(inChannels: 4, outChannels: 2)
/// setSeed(1)
/// let b = Dense(inChannels: 4, outChannels: 2)   // same weights as a
/// ```
public func setSeed(_ seed: UInt64) {
    initializerSeed.withLock { $0 = (seed, 0) }
}

/// The initialiser stream's state (its base seed and how many seeds it has given), for training checkpoints.
var initializerSeedState: (base: UInt64, counter: UInt64) {
    get { initializerSeed.value }
    set { initializerSeed.withLock { $0 = newValue } }
}

/// The next seed of the initialiser stream.
func nextInitializerSeed() -> UInt64 {
    initializerSeed.withLock { state in
        state.counter += 1
        return state.base &* 0x9E37_79B9_7F4A_7C15 &+ state.counter
    }
}
