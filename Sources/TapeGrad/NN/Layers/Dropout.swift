/// `nn.Dropout(p=0.5)`: in training, zeroes each element with probability `p` and scales the rest by
/// 1/(1 − p); in evaluation (``Cell/setTrain(_:)`` false) the identity. ∂L/∂x = G ⊙ mask / (1 − p).
///
/// Masks are reproducible: the n-th mask a layer draws is a function of its seed and n alone.
/// Threading and failed steps: n comes from a locked counter, so concurrent forward passes never share
/// or lose a mask (which call gets which n depends on the order they run in); a gradient computation
/// or step that throws gives its draws back (the counter returns to where it was, when no other call
/// drew in between). Inside ``withRandomSeed(_:_:)`` masks come from that seed instead and the counter
/// does not move: concurrent computations are then bit-identical to sequential ones.
///
/// ```swift
/// let drop = Dropout(p: 0.1, seed: 7)
/// drop.setTrain()
/// let y = drop(Tensor.ones([4, 8]))   // about 10% zeros, the rest 1/0.9
/// ```
public final class Dropout: Cell, @unchecked Sendable {
    /// The drop probability.
    public let p: Double
    private let _seed: UInt64
    /// How many masks this layer has drawn outside ``withRandomSeed(_:_:)``.
    private let _draws = Locked<UInt64>(0)

    /// A dropout layer; `seed` fixes its masks (else the ``setSeed(_:)`` stream). A `p` outside `[0, 1]`
    /// (or NaN) is reported like an op's argument error (MindSpore: ValueError).
    public init(p: Double = 0.5, seed: UInt64? = nil) {
        if !(p >= 0 && p <= 1) {
            reportError(TensorError(op: "Dropout", message: "the argument 'p' must be in [0, 1], but got \(p)"))
        }
        self.p = p >= 0 ? Swift.min(p, 1) : 0
        _seed = seed ?? nextInitializerSeed()
        super.init()
    }

    /// The layer's seed and how many masks it has drawn, for training checkpoints.
    var maskStream: (seed: UInt64, draws: UInt64) { (_seed, _draws.value) }

    /// Sets how many masks the layer has drawn (restoring a training checkpoint).
    func restoreDraws(_ draws: UInt64) { _draws.withLock { $0 = draws } }

    /// `p=0.5`, as MindSpore prints a Dropout.
    public override var extendRepr: String { "p=\(p)" }

    /// The masked, rescaled input in training; the input otherwise.
    public override func construct(_ x: Tensor) -> Tensor {
        guard isTraining, p > 0 else { return x }
        guard p < 1 else { return x * 0 }
        var generator = RandomGenerator(seed: nextMaskSeed())
        let mask = Tensor.randomUniform(x.shape, dtype: x.dtype.floatingPoint, using: &generator)
        return x * (Tensor.numericMask(.greaterEqual, mask, Tensor(p).astype(mask.dtype)) / (1 - p))
    }

    /// The seed of the next mask: from the enclosing ``withRandomSeed(_:_:)``, or the layer's next draw.
    private func nextMaskSeed() -> UInt64 {
        if let scope = RandomScope.current { return scope.nextSeed(mixedWith: _seed) }
        let draws = _draws
        let n = draws.withLock { n -> UInt64 in defer { n &+= 1 }; return n }
        Transaction.onRollback { draws.withLock { if $0 == n &+ 1 { $0 = n } } }
        return RandomScope.mix(_seed, n)
    }
}

/// The random stream of one ``withRandomSeed(_:_:)`` scope.
final class RandomScope: Sendable {
    @TaskLocal static var current: RandomScope?
    private let draws = Locked<UInt64>(0)
    private let seed: UInt64

    init(seed: UInt64) { self.seed = seed }

    /// The next seed of this scope, combined with a layer's own seed.
    func nextSeed(mixedWith layerSeed: UInt64) -> UInt64 {
        let n = draws.withLock { n -> UInt64 in defer { n &+= 1 }; return n }
        return RandomScope.mix(RandomScope.mix(seed, n), layerSeed)
    }

    /// A 64-bit hash of two words (SplitMix64's finaliser), so that nearby seeds give unrelated streams.
    static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var z = a ^ (b &* 0x9E37_79B9_7F4A_7C15 &+ 0x632B_E59B_D9B4_E019)
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Runs `body` with every random layer (``Dropout``) drawing its masks from `seed`, in the order the
/// forward passes inside `body` call them, without advancing the layers' own streams. Each task gives
/// its own seed, so computations that share one network are reproducible and bit-identical to the same
/// computations run one after another.
///
/// ```swift
/// let net = Dropout(p: 0.5)
/// let grads = try await withThrowingTaskGroup(of: Tensor.self) { group in
///     for i in 0..<16 { group.addTask { try withRandomSeed(UInt64(i)) { try gradient(at: x) { net($0).sum() } } } }
///     return try await group.reduce(into: [Tensor]()) { $0.append($1) }   // the same 16 masks on every run
/// }
/// ```
public func withRandomSeed<R>(_ seed: UInt64, _ body: () throws -> R) rethrows -> R {
    try RandomScope.$current.withValue(RandomScope(seed: seed)) { try body() }
}

/// The `async` form of ``withRandomSeed(_:_:)``; child tasks started inside inherit the seed's stream.
///
/// ```swift
/// let drop = Dropout(p: 0.5)
/// let g = try await withRandomSeed(7) { () async throws -> Tensor in
///     await Task.yield()
///     return try gradient(at: x) { drop($0).sum() }   // the same mask on every run
/// }
/// ```
public func withRandomSeed<R>(_ seed: UInt64, _ body: () async throws -> R) async rethrows -> R {
    try await RandomScope.$current.withValue(RandomScope(seed: seed)) { try await body() }
}
