/// An error of a collective or of data-parallel training.
///
/// ```swift
/// do { _ = try allReduce(Tensor([1, 2])) }
/// catch let error as DistributedError { print(error) }   // allReduce: the process group is not initialised …
/// ```
public enum DistributedError: Error, Equatable, CustomStringConvertible {
    /// A collective was called before ``Communication/initialize(timeout:)`` or after ``Communication/finalize()``.
    case notInitialized(operation: String)
    /// ``Communication/initialize(timeout:)`` was called in the wrong state.
    case invalidState(operation: String, message: String)
    /// MPI returned an error code.
    case mpi(operation: String, code: Int32, message: String)
    /// The other processes did not reach the collective within ``Communication/timeout``.
    case timeout(operation: String, seconds: Double)
    /// The processes passed tensors of different element counts or dtypes to one collective.
    case mismatch(operation: String, message: String)
    /// An argument makes no sense (a root outside the group, a batch that does not split evenly, …).
    case invalidArgument(operation: String, argument: String, message: String)
    /// Other ranks threw during a data-parallel step; every rank throws, so none waits in a collective.
    case peerFailed(operation: String, failures: [RankFailure])

    /// One rank's error, as the other ranks learn of it.
    public struct RankFailure: Equatable, Sendable {
        /// The rank that failed.
        public let rank: Int
        /// Its error's description (at most 1,000 bytes).
        public let message: String
    }

    /// A sentence naming the operation, the value and what was expected.
    public var description: String {
        switch self {
        case .notInitialized(let op):
            return "\(op): the process group is not initialised; call Communication.initialize() first (and launch with mpirun for more than one process)"
        case .invalidState(let op, let message):
            return "\(op): \(message)"
        case .mpi(let op, let code, let message):
            return "\(op) failed with MPI error \(code): \(message)"
        case .timeout(let op, let seconds):
            return "\(op): timed out after \(seconds) s waiting for the other processes (Communication.timeout); the group is unusable now, end the process"
        case .mismatch(let op, let message):
            return "\(op): the processes disagree: \(message)"
        case .invalidArgument(let op, let argument, let message):
            return "\(op): \(argument) \(message)"
        case .peerFailed(let op, let failures):
            let list = failures.map { "rank \($0.rank): \($0.message)" }.joined(separator: "; ")
            return "\(op): the step failed on another process — \(list)"
        }
    }
}
