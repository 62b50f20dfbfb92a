import CMPI
import TapeGrad

/// How ``allReduce(_:op:)`` combines the processes' tensors (MindSpore's `ReduceOp`).
public enum ReduceOp: Sendable, CustomStringConvertible {
    /// Σ over the processes.
    case sum
    /// The element-wise maximum.
    case max
    /// The element-wise minimum.
    case min
    /// Π over the processes.
    case prod

    var handle: MPI_Op {
        switch self {
        case .sum: return tg_mpi_sum()
        case .max: return tg_mpi_max()
        case .min: return tg_mpi_min()
        case .prod: return tg_mpi_prod()
        }
    }

    /// MindSpore's spelling (`ReduceOp.SUM` …).
    public var description: String {
        switch self {
        case .sum: return "sum"
        case .max: return "max"
        case .min: return "min"
        case .prod: return "prod"
        }
    }
}

/// Combines a tensor across every process of the group, MindSpore's `ops.AllReduce(op)`:
/// yᵢ = x⁽⁰⁾ᵢ ∘ x⁽¹⁾ᵢ ∘ … ∘ x⁽ᵖ⁻¹⁾ᵢ on every process.
///
/// Every process must pass a tensor of the same element count and dtype (checked: a mismatch throws
/// ``DistributedError/mismatch(operation:message:)`` on every process instead of corrupting memory).
/// The result is not recorded on a tape.
///
/// ```swift
/// let localGradient = try gradient(at: x) { ($0 * $0).sum() }   // this process's gradient
/// let g = try allReduce(localGradient, op: .sum) / Double(Communication.groupSize)   // the mean
/// ```
public func allReduce(_ tensor: Tensor, op: ReduceOp = .sum) throws -> Tensor {
    try Communication.withMPI("allReduce") { group in
        try agreeOnLayout(tensor, operation: "allReduce", timeout: group.timeout)
        var result = stopGradient(tensor)
        try result.withMPIBuffer { pointer, count, type in
            var request: MPI_Request?
            try Communication.check(MPI_Iallreduce(tg_mpi_in_place(), pointer, Int32(count), type, op.handle, tg_mpi_comm_world(), &request), "allReduce")
            try Communication.wait(&request, operation: "allReduce", timeout: group.timeout)
        }
        return result
    }
}

/// Concatenates every process's tensor along axis 0, in rank order, MindSpore's `ops.AllGather`:
/// for p processes each passing shape `[n, …]`, every process gets `[p·n, …]`.
///
/// ```swift
/// let everyone = try allGather(Tensor([Float(Communication.rank)]))   // [0, 1, …, p − 1]
/// ```
public func allGather(_ tensor: Tensor) throws -> Tensor {
    try Communication.withMPI("allGather") { group in
        try agreeOnLayout(tensor, operation: "allGather", timeout: group.timeout)
        let shape = tensor.shape.isEmpty ? [group.size] : [tensor.shape[0] * group.size] + tensor.shape.dropFirst()
        let (total, overflow) = tensor.count.multipliedReportingOverflow(by: group.size)
        guard !overflow, total <= Int(Int32.max) else {
            throw DistributedError.invalidArgument(operation: "allGather", argument: "tensor",
                message: "of \(tensor.count) elements gathered from \(group.size) processes exceeds MPI's count limit")
        }
        var result = Tensor.zeros(shape, dtype: tensor.dtype)
        try tensor.withMPIReadBuffer { source, count, type in
            try result.withMPIBuffer { target, _, _ in
                var request: MPI_Request?
                try Communication.check(MPI_Iallgather(source, Int32(count), type, target, Int32(count), type, tg_mpi_comm_world(), &request), "allGather")
                try Communication.wait(&request, operation: "allGather", timeout: group.timeout)
            }
        }
        return result
    }
}

/// Sends `root`'s tensor to every process, MindSpore's `ops.Broadcast(root_rank)`; the other processes'
/// tensors give only the shape and dtype (which must agree).
///
/// ```swift
/// for parameter in net.trainableParams() {
///     parameter.value = try broadcast(parameter.value, root: 0)   // every process starts from rank 0's weights
/// }
/// ```
public func broadcast(_ tensor: Tensor, root: Int = 0) throws -> Tensor {
    try Communication.withMPI("broadcast") { group in
        guard (0..<group.size).contains(root) else {
            throw DistributedError.invalidArgument(operation: "broadcast", argument: "root",
                message: "is \(root), but the group has ranks 0..<\(group.size)")
        }
        try agreeOnLayout(tensor, operation: "broadcast", timeout: group.timeout)
        var result = stopGradient(tensor)
        try result.withMPIBuffer { pointer, count, type in
            var request: MPI_Request?
            try Communication.check(MPI_Ibcast(pointer, Int32(count), type, Int32(root), tg_mpi_comm_world(), &request), "broadcast")
            try Communication.wait(&request, operation: "broadcast", timeout: group.timeout)
        }
        return result
    }
}

/// Waits until every process has reached this point (`MPI_Ibarrier`, at most ``Communication/timeout``).
///
/// ```swift
/// if Communication.isRoot { try Checkpoint.save(net, to: url) }
/// try barrier()   // nobody reads the file before it is written
/// ```
public func barrier() throws {
    try Communication.withMPI("barrier") { group in
        var request: MPI_Request?
        try Communication.check(MPI_Ibarrier(tg_mpi_comm_world(), &request), "barrier")
        try Communication.wait(&request, operation: "barrier", timeout: group.timeout)
    }
}

// MARK: - Internals (called with the MPI lock held)

/// Element-wise all-reduce of raw Int32 values (the agreement and layout checks).
func allReduceInts(_ values: [Int32], op: ReduceOp, operation: String, timeout: Duration) throws -> [Int32] {
    var values = values
    try values.withUnsafeMutableBufferPointer { buffer in
        var request: MPI_Request?
        try Communication.check(MPI_Iallreduce(tg_mpi_in_place(), buffer.baseAddress, Int32(buffer.count), tg_mpi_int(), op.handle, tg_mpi_comm_world(), &request), operation)
        try Communication.wait(&request, operation: operation, timeout: timeout)
    }
    return values
}

/// Throws on every process when the processes' element counts or dtypes differ: a max and a min of
/// (count, dtype) in one collective.
func agreeOnLayout(_ tensor: Tensor, operation: String, timeout: Duration) throws {
    guard tensor.count <= Int(Int32.max) else {
        throw DistributedError.invalidArgument(operation: operation, argument: "tensor",
            message: "has \(tensor.count) elements, more than MPI's count limit \(Int32.max)")
    }
    let layout = [Int32(tensor.count), Int32(tensor.dtype.rawValue)]
    let both = try allReduceInts(layout + layout.map { -$0 }, op: .max, operation: operation, timeout: timeout)
    let (maxCount, maxType, minCount, minType) = (both[0], both[1], -both[2], -both[3])
    guard maxCount == minCount, maxType == minType else {
        throw DistributedError.mismatch(operation: operation,
            message: "element counts range over \(minCount)…\(maxCount) and dtype codes over \(minType)…\(maxType); this process passed \(tensor.shape) \(tensor.dtype)")
    }
}

extension Tensor {
    /// The MPI datatype of this tensor's elements.
    var mpiType: MPI_Datatype? {
        switch dtype {
        case .float32: return tg_mpi_float()
        case .float64: return tg_mpi_double()
        case .int32: return tg_mpi_int()
        case .int64: return tg_mpi_int64()
        case .uint8: return tg_mpi_uint8()
        case .bool, .float16, .bfloat16: return nil   // no MPI reduction type; cast to float32 or int32 first
        }
    }

    /// Calls `body` with the tensor's contiguous storage, writable.
    mutating func withMPIBuffer(_ body: (UnsafeMutableRawPointer?, Int, MPI_Datatype) throws -> Void) throws {
        guard let type = mpiType else {
            throw DistributedError.invalidArgument(operation: "collective", argument: "tensor", message: "has dtype \(dtype), which has no MPI type")
        }
        switch dtype {
        case .float64: try withUnsafeMutableBufferPointer(as: Double.self) { try body(UnsafeMutableRawPointer($0.baseAddress), $0.count, type) }
        case .int32: try withUnsafeMutableBufferPointer(as: Int32.self) { try body(UnsafeMutableRawPointer($0.baseAddress), $0.count, type) }
        case .int64: try withUnsafeMutableBufferPointer(as: Int64.self) { try body(UnsafeMutableRawPointer($0.baseAddress), $0.count, type) }
        case .uint8: try withUnsafeMutableBufferPointer(as: UInt8.self) { try body(UnsafeMutableRawPointer($0.baseAddress), $0.count, type) }
        default: try withUnsafeMutableBufferPointer(as: Float.self) { try body(UnsafeMutableRawPointer($0.baseAddress), $0.count, type) }
        }
    }

    /// Calls `body` with the tensor's contiguous storage, read-only.
    func withMPIReadBuffer(_ body: (UnsafeRawPointer?, Int, MPI_Datatype) throws -> Void) throws {
        guard let type = mpiType else {
            throw DistributedError.invalidArgument(operation: "collective", argument: "tensor", message: "has dtype \(dtype), which has no MPI type")
        }
        switch dtype {
        case .float64: try withUnsafeBufferPointer(as: Double.self) { try body(UnsafeRawPointer($0.baseAddress), $0.count, type) }
        case .int32: try withUnsafeBufferPointer(as: Int32.self) { try body(UnsafeRawPointer($0.baseAddress), $0.count, type) }
        case .int64: try withUnsafeBufferPointer(as: Int64.self) { try body(UnsafeRawPointer($0.baseAddress), $0.count, type) }
        case .uint8: try withUnsafeBufferPointer(as: UInt8.self) { try body(UnsafeRawPointer($0.baseAddress), $0.count, type) }
        default: try withUnsafeBufferPointer(as: Float.self) { try body(UnsafeRawPointer($0.baseAddress), $0.count, type) }
        }
    }
}
