// A small in-memory dataset pipeline: a dataset of tensors that share their first dimension, and the
// stages shuffle, batch and map, applied in the order written (as in MindSpore's dataset and tf.data).
// Nothing is computed until an epoch is iterated; batching untouched samples gathers their rows in one
// copy per tensor instead of stacking single samples.

/// An in-memory dataset: sample `i` is row `i` of every tensor (MindSpore's `NumpySlicesDataset`).
/// Stages return new datasets; iterate one epoch with ``epoch(_:)``, several with ``epochs(_:)``, or
/// on a background thread with ``prefetched(epoch:bufferSize:)``.
///
/// ```swift
/// let data = TensorDataset([images, labels])            // images [1000, 784], labels [1000]
///     .shuffled(seed: 7)                                // a new order every epoch, reproducible
///     .batched(size: 64, dropRemainder: true)
///     .map { [$0[0] / 255, $0[1]] }
/// let train = try TrainOneStepCell(WithLossCell(net, MSELoss()), optimizer: SGD(params: net.trainableParams()))
/// for (_, batches) in data.epochs(3) {
///     for batch in batches { _ = try train.step(batch[0], batch[1]) }
/// }
/// ```
public struct TensorDataset: Sendable {
    /// One stage of the pipeline.
    enum Stage: Sendable {
        case shuffle(seed: UInt64)
        case batch(size: Int, dropRemainder: Bool)
        case map(@Sendable ([Tensor]) -> [Tensor])
    }

    /// The source tensors.
    public let tensors: [Tensor]
    /// The number of samples (the shared first dimension).
    public let sampleCount: Int
    let stages: [Stage]

    /// A dataset over `tensors`, which must agree in their first dimension (reported otherwise).
    public init(_ tensors: [Tensor]) {
        let n = tensors.first?.shape.first ?? 0
        if tensors.isEmpty || tensors.contains(where: { $0.rank == 0 || $0.shape[0] != n }) {
            reportError(TensorError(op: "TensorDataset", message: "needs tensors of rank ≥ 1 with one first dimension, got \(tensors.map(\.shape))"))
            self.tensors = []
            sampleCount = 0
        } else {
            self.tensors = tensors.map(\.detached)
            sampleCount = n
        }
        stages = []
    }

    init(tensors: [Tensor], sampleCount: Int, stages: [Stage]) {
        self.tensors = tensors
        self.sampleCount = sampleCount
        self.stages = stages
    }

    private func adding(_ stage: Stage) -> TensorDataset { TensorDataset(tensors: tensors, sampleCount: sampleCount, stages: stages + [stage]) }

    /// The elements in a random order, drawn anew each epoch from `seed` and the epoch number.
    ///
    /// ```swift
    /// let shuffled = TensorDataset([x]).shuffled(seed: 1)
    /// ```
    public func shuffled(seed: UInt64) -> TensorDataset { adding(.shuffle(seed: seed)) }

    /// Consecutive elements stacked into batches of `size` (a new first dimension); the last, smaller batch
    /// is dropped with `dropRemainder`. A size below 1 is reported.
    ///
    /// ```swift
    /// TensorDataset([x]).batched(size: 32).epoch(0).count   // ⌈n / 32⌉
    /// ```
    public func batched(size: Int, dropRemainder: Bool = false) -> TensorDataset {
        if size < 1 { reportError(TensorError(op: "TensorDataset.batched", message: "size must be ≥ 1, got \(size)")) }
        return adding(.batch(size: Swift.max(size, 1), dropRemainder: dropRemainder))
    }

    /// Each element transformed by `transform` (run lazily, on the prefetching thread when prefetched).
    ///
    /// ```swift
    /// let scaled = TensorDataset([x, y]).map { [$0[0] * 2, $0[1]] }
    /// ```
    public func map(_ transform: @escaping @Sendable ([Tensor]) -> [Tensor]) -> TensorDataset { adding(.map(transform)) }

    /// The elements of epoch `epoch`, in order. Shuffles depend on the epoch, so epochs differ but each is reproducible.
    ///
    /// ```swift
    /// for batch in dataset.epoch(0) { print(batch[0].shape) }
    /// ```
    public func epoch(_ epoch: Int) -> [[Tensor]] { plan(epoch: epoch).map { $0.make() } }

    /// `(epoch, elements)` for epochs `0..<count`, each produced when reached.
    ///
    /// ```swift
    /// for (e, batches) in dataset.epochs(10) { print(e, batches.count) }
    /// ```
    public func epochs(_ count: Int) -> LazyMapSequence<Range<Int>, (epoch: Int, batches: [[Tensor]])> {
        (0..<Swift.max(count, 0)).lazy.map { ($0, self.epoch($0)) }
    }

    /// The number of elements one epoch yields.
    public var count: Int { plan(epoch: 0).count }

    /// One element of an epoch's plan: the sample rows it is made of while no map has touched it (so a
    /// batch can gather them at once), and how to make it.
    struct Element: Sendable {
        var rows: [Int]?
        var isBatch: Bool
        var make: @Sendable () -> [Tensor]
    }

    /// The elements of `epoch`, not yet computed.
    func plan(epoch: Int) -> [Element] {
        let source = tensors
        var elements = (0..<sampleCount).map { i in
            Element(rows: [i], isBatch: false, make: { source.map { TensorDataset.rows([i], of: $0, keepAxis: false) } })
        }
        for stage in stages {
            switch stage {
            case .shuffle(let seed):
                var generator = RandomGenerator(seed: seed &+ UInt64(truncatingIfNeeded: epoch) &* 0x9E37_79B9_7F4A_7C15)
                elements.shuffle(using: &generator)
            case .batch(let size, let drop):
                var batches: [Element] = []
                var start = 0
                while start < elements.count {
                    let group = Array(elements[start..<Swift.min(start + size, elements.count)])
                    start += size
                    if drop && group.count < size { break }
                    if group.allSatisfy({ $0.rows != nil && !$0.isBatch }) {
                        let rows = group.flatMap { $0.rows ?? [] }
                        batches.append(Element(rows: rows, isBatch: true, make: { source.map { TensorDataset.rows(rows, of: $0, keepAxis: true) } }))
                    } else {
                        batches.append(Element(rows: nil, isBatch: true, make: {
                            let made = group.map { $0.make() }
                            guard let width = made.first?.count else { return [] }
                            return (0..<width).map { k in stack(made.map { $0[k] }, alongAxis: 0) }
                        }))
                    }
                }
                elements = batches
            case .map(let transform):
                elements = elements.map { e in Element(rows: nil, isBatch: e.isBatch, make: { transform(e.make()) }) }
            }
        }
        return elements
    }

    /// Rows `rows` of `t` (one row without its axis unless `keepAxis`), copied block by block.
    static func rows(_ rows: [Int], of t: Tensor, keepAxis: Bool) -> Tensor {
        let rowShape = Array(t.shape.dropFirst())
        let out = Tensor.uninitialized((keepAxis ? [rows.count] : []) + rowShape, dtype: t.dtype)
        let bytes = rowShape.reduce(1, *) * t.dtype.byteSize
        for (k, r) in rows.enumerated() where bytes > 0 {
            (out.buffer.raw + k * bytes).copyMemory(from: t.buffer.raw + r * bytes, byteCount: bytes)
        }
        return out
    }
}
