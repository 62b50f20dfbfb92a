import CMPI
import TapeGrad

/// Sums (or averages) a tuple of gradients across the process group after the backward pass,
/// MindSpore's `nn.DistributedGradReducer(parameters, mean)`: gᵢ ← (1/p)·Σₖ gᵢ⁽ᵏ⁾ with `mean`,
/// Σₖ gᵢ⁽ᵏ⁾ without.
///
/// Many small gradients are fused into buckets of about ``bucketBytes`` (25 MB by default), one
/// non-blocking all-reduce per bucket, all buckets in flight at once. Each element is reduced on its own,
/// so the result does not depend on the bucket size or order. With `deterministic` (the default) every
/// process receives bit-identical gradients, so replicas stay bit-identical: for two processes an
/// all-reduce already guarantees it (x + y = y + x); for more, the buckets are reduced to rank 0 and
/// broadcast from there, since MPI does not promise that every process sums in the same order.
///
/// ```swift
/// let reducer = DistributedGradReducer(parameters: net.trainableParams(), mean: true)
/// var grads = try valueAndGrad(WithLossCell(net, MSELoss()), gradPosition: nil, weights: net.trainableParams())(x, y).1.tensors
/// try reducer.reduce(&grads)   // now the mean over every process's shard
/// ```
public struct DistributedGradReducer: Sendable {
    /// The shape of each parameter, in order.
    public let shapes: [[Int]]
    /// The dtype of each parameter, in order.
    public let dtypes: [DType]
    /// Whether the sum is divided by the group size.
    public let mean: Bool
    /// The fused buffer size aimed at, in bytes.
    public let bucketBytes: Int
    /// Whether every process must receive bit-identical gradients (see above).
    public let deterministic: Bool
    /// The parameter indices of each bucket (one dtype per bucket).
    public let buckets: [[Int]]

    /// A reducer for gradients shaped like `parameters`.
    public init(parameters: [Parameter], mean: Bool = true, bucketBytes: Int = 25 << 20, deterministic: Bool = true) {
        self.init(shapes: parameters.map(\.shape), dtypes: parameters.map(\.dtype), mean: mean, bucketBytes: bucketBytes, deterministic: deterministic)
    }

    /// A reducer for gradients of the given shapes and dtypes.
    public init(shapes: [[Int]], dtypes: [DType], mean: Bool = true, bucketBytes: Int = 25 << 20, deterministic: Bool = true) {
        self.shapes = shapes
        self.dtypes = dtypes
        self.mean = mean
        self.bucketBytes = max(1, bucketBytes)
        self.deterministic = deterministic
        var buckets: [[Int]] = []
        for dtype in Set(dtypes).sorted(by: { $0.rawValue < $1.rawValue }) {
            var current: [Int] = [], bytes = 0
            for i in dtypes.indices where dtypes[i] == dtype {
                let size = shapes[i].reduce(1, *) * dtype.byteSize
                if !current.isEmpty && bytes + size > self.bucketBytes {
                    buckets.append(current)
                    current = []
                    bytes = 0
                }
                current.append(i)
                bytes += size
            }
            if !current.isEmpty { buckets.append(current) }
        }
        self.buckets = buckets
    }

    /// Reduces `gradients` in place: afterwards each is the sum or mean over the group.
    ///
    /// - Throws: ``DistributedError/invalidArgument(operation:argument:message:)`` when the gradients do
    ///   not match the parameters (checked before any communication), ``DistributedError/mismatch(operation:message:)``
    ///   when the processes' layouts differ, ``DistributedError/timeout(operation:seconds:)``. On a
    ///   throw `gradients` is unchanged.
    public func reduce(_ gradients: inout [Tensor]) throws {
        guard gradients.count == shapes.count else {
            throw DistributedError.invalidArgument(operation: "DistributedGradReducer", argument: "gradients",
                message: "has \(gradients.count) tensors, expected \(shapes.count) (one per parameter)")
        }
        for (i, g) in gradients.enumerated() where g.shape != shapes[i] || g.dtype != dtypes[i] {
            throw DistributedError.invalidArgument(operation: "DistributedGradReducer", argument: "gradients[\(i)]",
                message: "is \(g.shape) \(g.dtype), expected \(shapes[i]) \(dtypes[i])")
        }
        var fused = buckets.map { bucket in concat(bucket.map { gradients[$0].reshaped(to: [gradients[$0].count]) }, alongAxis: 0) }
        try Communication.withMPI("DistributedGradReducer") { group in
            // One small collective checks that every process has the same bucket layout.
            try agreeOnLayout(Tensor.zeros([fused.map(\.count).reduce(0, +)], dtype: dtypes.first ?? .float32),
                              operation: "DistributedGradReducer", timeout: group.timeout)
            let viaRoot = deterministic && group.size > 2
            var requests = [MPI_Request?](repeating: nil, count: fused.count)
            for k in fused.indices {
                try fused[k].withMPIBuffer { pointer, count, type in
                    let sendBuffer = viaRoot && group.rank != 0 ? UnsafeRawPointer(pointer) : tg_mpi_in_place().map { UnsafeRawPointer($0) }
                    if viaRoot {
                        try Communication.check(MPI_Ireduce(sendBuffer, pointer, Int32(count), type, tg_mpi_sum(), 0, tg_mpi_comm_world(), &requests[k]), "DistributedGradReducer")
                    } else {
                        try Communication.check(MPI_Iallreduce(tg_mpi_in_place(), pointer, Int32(count), type, tg_mpi_sum(), tg_mpi_comm_world(), &requests[k]), "DistributedGradReducer")
                    }
                }
            }
            for k in requests.indices { try Communication.wait(&requests[k], operation: "DistributedGradReducer", timeout: group.timeout) }
            if viaRoot {
                for k in fused.indices {
                    try fused[k].withMPIBuffer { pointer, count, type in
                        try Communication.check(MPI_Ibcast(pointer, Int32(count), type, 0, tg_mpi_comm_world(), &requests[k]), "DistributedGradReducer")
                    }
                }
                for k in requests.indices { try Communication.wait(&requests[k], operation: "DistributedGradReducer", timeout: group.timeout) }
            }
            if mean && group.size > 1 { fused = fused.map { $0 / Double(group.size) } }
        }
        for (k, bucket) in buckets.enumerated() {
            var offset = 0
            for i in bucket {
                let n = gradients[i].count
                gradients[i] = fused[k].sliced(alongAxis: 0, from: offset, to: offset + n).reshaped(to: shapes[i])
                offset += n
            }
        }
    }

    /// MindSpore's call form, `grads = grad_reducer(grads)`.
    public func callAsFunction(_ gradients: [Tensor]) throws -> [Tensor] {
        var result = gradients
        try reduce(&result)
        return result
    }
}
