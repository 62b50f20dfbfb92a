import Foundation
import TapeGrad

/// Data-parallel training, one step a call (MindSpore's `TrainOneStepCell` with a
/// `DistributedGradReducer`, or PyTorch's DDP): every process runs the network on its own shard of the
/// global batch, the gradients are averaged across the group with a ``DistributedGradReducer``, and
/// every process applies the same update. It is a step function rather than a `Cell`: a failed
/// distributed step must throw on every process, and a cell's `construct` cannot.
///
/// On construction the network's parameters are broadcast from rank 0, so the replicas start equal;
/// they stay bit-identical because every process applies the same reduced gradients. A step that fails
/// on any process (a bad input shape, a non-finite sens, …) throws on every process before any
/// collective on the gradients and before the optimizer runs, so no parameter changes and no process
/// waits for the failed one.
///
/// With `mean` (the default) and equal shards, the averaged gradient of the per-shard mean losses is the
/// gradient of the global batch's mean loss: ∇(1/N)Σᵢℓᵢ = (1/p)Σₖ ∇(p/N)Σ_{i∈shard k} ℓᵢ.
///
/// ```swift
/// try Communication.initialize()
/// let train = try DataParallelTrainer(WithLossCell(net, loss), optimizer: Momentum(params: net.trainableParams(), learningRate: 0.05, momentum: 0.9))
/// let (globalX, globalY) = (Tensor.zeros([64, 2]), Tensor.zeros([64, 1]))   // the same global batch on every process
/// let (x, y) = (try shard(globalX), try shard(globalY))
/// let globalLoss = try train.step(x, y)
/// ```
public final class DataParallelTrainer {
    /// The network with its loss.
    public let network: Cell
    /// The optimizer that owns the parameters being trained.
    public let optimizer: Optimizer
    /// The scale of the loss's gradient (MindSpore's `sens`, 1 by default).
    public let sens: Double
    /// The gradient reducer (mean over the group by default).
    public let reducer: DistributedGradReducer
    private let _grad: ForwardValueAndGrad

    /// Wraps `network` (a cell whose output is the loss) and `optimizer`, and broadcasts every parameter
    /// of `network` from rank 0.
    ///
    /// - Throws: ``DistributedError/notInitialized(operation:)`` before ``Communication/initialize(timeout:)``,
    ///   and the errors of building the gradient function or of the broadcast.
    public init(_ network: Cell, optimizer: Optimizer, sens: Double = 1, mean: Bool = true, bucketBytes: Int = 25 << 20) throws {
        guard sens.isFinite else {
            throw DistributedError.invalidArgument(operation: "DataParallelTrainer", argument: "sens", message: "is \(sens), expected a finite number")
        }
        self.network = network
        self.optimizer = optimizer
        self.sens = sens
        reducer = DistributedGradReducer(parameters: optimizer.parameters, mean: mean, bucketBytes: bucketBytes)
        _grad = try ForwardValueAndGrad(network, weights: try ParameterTuple(optimizer.parameters), getByList: true)
        try broadcastParameters(of: network, root: 0)
    }

    /// Forward and backward on this process's shard, the gradient all-reduce, the update; returns the
    /// loss averaged over the group (the global batch's mean loss when shards are equal).
    public func step(_ inputs: [Tensor]) throws -> Tensor {
        var failure: (any Error)?
        var loss = Tensor.zeros([])
        var gradients: [Tensor] = []
        do {
            let (value, grads) = try _grad.valueAndGradients(inputs)
            loss = value.asTensor
            gradients = sens == 1 ? grads.tensors : grads.tensors.map { $0 * sens }
        } catch {
            failure = error
        }
        try throwIfAnyProcessFailed(failure, operation: "DataParallelTrainer.step")
        try reducer.reduce(&gradients)
        let globalLoss = try allReduce(loss.astype(.float64)) / Double(Communication.groupSize)
        try optimizer.step(gradients: gradients)
        return globalLoss.astype(loss.dtype)
    }

    /// `try train.step(x, labels)`.
    public func step(_ inputs: Tensor...) throws -> Tensor { try step(inputs) }
}

/// Overwrites every parameter of `cell` (trainable or not, such as running statistics) with `root`'s value.
///
/// ```swift
/// try broadcastParameters(of: net)   // every process now holds rank 0's initial weights
/// ```
public func broadcastParameters(of cell: Cell, root: Int = 0) throws {
    for (_, parameter) in cell.parametersAndNames() {
        parameter.value = try broadcast(parameter.value, root: root)
    }
}

/// This process's part of a global batch: rows `[r·n/p, (r+1)·n/p)` along axis 0 for rank r of p.
///
/// - Throws: ``DistributedError/invalidArgument(operation:argument:message:)`` when the batch has no
///   axis 0 or its size is not a multiple of the group size (uneven shards would weight the samples
///   unequally in the averaged gradient).
///
/// ```swift
/// let localImages = try shard(images)   // [64, 8, 8] on 2 processes → [32, 8, 8] each
/// ```
public func shard(_ batch: Tensor) throws -> Tensor {
    let (rank, size) = (Communication.rank, Communication.groupSize)
    guard let rows = batch.shape.first else {
        throw DistributedError.invalidArgument(operation: "shard", argument: "batch", message: "is a scalar; expected a batch along axis 0")
    }
    guard rows % size == 0 else {
        throw DistributedError.invalidArgument(operation: "shard", argument: "batch",
            message: "has \(rows) rows along axis 0, not a multiple of the group size \(size)")
    }
    let n = rows / size
    return batch.sliced(alongAxis: 0, from: rank * n, to: (rank + 1) * n)
}

/// The indices `0..<count` of a data set that this process takes: every p-th index from its rank, as
/// MindSpore's `num_shards`/`shard_id` (the remainder of `count` after a multiple of p is dropped, so
/// every process has the same number of samples).
///
/// ```swift
/// let images = Tensor.zeros([64, 8, 8])
/// for i in shardIndices(count: images.shape[0]) { print(images[i].shape) }   // [8, 8]
/// ```
public func shardIndices(count: Int) -> StrideTo<Int> {
    let size = Communication.groupSize
    let usable = count - count % size
    return stride(from: Communication.rank, to: usable, by: size)
}

/// Saves a checkpoint from rank 0 only, then waits until it is written; an error while saving reaches
/// every process.
///
/// ```swift
/// try saveCheckpointOnRoot(net, to: URL(fileURLWithPath: "model.safetensors"))
/// ```
public func saveCheckpointOnRoot(_ cell: Cell, to url: URL) throws {
    var failure: (any Error)?
    if Communication.isRoot {
        do { try Checkpoint.save(cell, to: url) } catch { failure = error }
    }
    try throwIfAnyProcessFailed(failure, operation: "saveCheckpointOnRoot")
}
