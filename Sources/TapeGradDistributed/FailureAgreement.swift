import CMPI
import TapeGrad

/// Makes one process's error every process's error: each process says whether its part of a step
/// failed (one all-gather of a small record), then every process throws if any did — its own error
/// where it failed, ``DistributedError/peerFailed(operation:failures:)`` elsewhere. Call it before the
/// collectives of a step, so that no process waits in a collective for a peer that has given up.
///
/// ```swift
/// let gradFn = try valueAndGrad(WithLossCell(net, MSELoss()), gradPosition: nil, weights: net.trainableParams())
/// var grads: [Tensor] = []
/// var failure: (any Error)?
/// do { grads = try gradFn(x, y).1.tensors } catch { failure = error }
/// try throwIfAnyProcessFailed(failure, operation: "train step")
/// try opt.step(gradients: grads)   // reached on every process or on none
/// ```
public func throwIfAnyProcessFailed(_ localError: (any Error)?, operation: String) throws {
    let recordSize = 1_024
    var record = [CChar](repeating: 0, count: recordSize)
    if let localError {
        record[0] = 1
        let text = Array(String(describing: localError).utf8.prefix(recordSize - 2))
        for (k, byte) in text.enumerated() { record[k + 1] = CChar(bitPattern: byte) }
    }
    let failures: [DistributedError.RankFailure] = try Communication.withMPI(operation) { group in
        var all = [CChar](repeating: 0, count: recordSize * group.size)
        try record.withUnsafeBufferPointer { source in
            try all.withUnsafeMutableBufferPointer { target in
                var request: MPI_Request?
                try Communication.check(MPI_Iallgather(source.baseAddress, Int32(recordSize), tg_mpi_char(),
                                                       target.baseAddress, Int32(recordSize), tg_mpi_char(), tg_mpi_comm_world(), &request), operation)
                try Communication.wait(&request, operation: operation, timeout: group.timeout)
            }
        }
        return (0..<group.size).compactMap { rank in
            let slice = all[(rank * recordSize)..<((rank + 1) * recordSize)]
            guard slice.first == 1 else { return nil }
            let bytes = slice.dropFirst().prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
            return DistributedError.RankFailure(rank: rank, message: String(decoding: bytes, as: UTF8.self))
        }
    }
    if let localError { throw localError }
    if !failures.isEmpty { throw DistributedError.peerFailed(operation: operation, failures: failures) }
}
