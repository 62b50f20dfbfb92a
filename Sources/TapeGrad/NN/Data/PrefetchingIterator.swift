import Foundation

/// Produces an epoch's elements on a background thread, at most `bufferSize` ahead of the consumer, so
/// that batching and `map` overlap with the training step.
///
/// The producer and the consumer share one bounded queue behind a condition lock; the producer stops when
/// the epoch ends or the iterator is dropped (``cancel()``). Elements arrive in the epoch's order.
///
/// ```swift
/// let train = try TrainOneStepCell(WithLossCell(net, MSELoss()), optimizer: SGD(params: net.trainableParams()))
/// for batch in dataset.prefetched(epoch: 0, bufferSize: 4) {
///     _ = try train.step(batch[0], batch[1])
/// }
/// ```
public final class PrefetchingIterator: IteratorProtocol, Sequence {
    private let state: PrefetchState

    init(elements: [TensorDataset.Element], bufferSize: Int) {
        let state = PrefetchState(capacity: Swift.max(bufferSize, 1))
        self.state = state
        let thread = Thread {
            for element in elements {
                let value = element.make()
                guard state.push(value) else { return }
            }
            state.finish()
        }
        thread.name = "TapeGrad.prefetch"
        thread.start()
    }

    deinit { state.cancel() }

    /// The next element, waiting for the producer if needed; nil after the last.
    public func next() -> [Tensor]? { state.pop() }

    /// Stops the producer; `next()` then returns nil.
    public func cancel() { state.cancel() }
}

/// The queue between the prefetching thread and the consumer. Every mutable field is read and written
/// only while `condition` is locked.
private final class PrefetchState: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [[Tensor]] = []
    private var head = 0
    private var finished = false
    private var cancelled = false
    private let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    /// Appends a produced element, waiting while the queue is full; false once cancelled.
    func push(_ value: [Tensor]) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while queue.count - head >= capacity && !cancelled { condition.wait() }
        guard !cancelled else { return false }
        queue.append(value)
        condition.broadcast()
        return true
    }

    /// Marks the end of the epoch.
    func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// Stops the producer and empties the queue.
    func cancel() {
        condition.lock()
        cancelled = true
        queue = []
        head = 0
        condition.broadcast()
        condition.unlock()
    }

    /// The next element, waiting while the queue is empty and the producer still running.
    func pop() -> [Tensor]? {
        condition.lock()
        defer { condition.unlock() }
        while head == queue.count && !finished && !cancelled { condition.wait() }
        guard head < queue.count else { return nil }
        let value = queue[head]
        head += 1
        if head > 64 && head * 2 > queue.count {
            queue.removeFirst(head)
            head = 0
        }
        condition.broadcast()
        return value
    }
}

extension TensorDataset {
    /// Epoch `epoch` produced on a background thread, up to `bufferSize` elements ahead.
    ///
    /// ```swift
    /// for batch in dataset.prefetched(epoch: 0) { print(batch[0].shape) }
    /// ```
    public func prefetched(epoch: Int, bufferSize: Int = 2) -> PrefetchingIterator {
        PrefetchingIterator(elements: plan(epoch: epoch), bufferSize: bufferSize)
    }
}
