import Foundation

/// A shape, dtype or argument error raised by a tensor operation, naming the op and the shapes.
///
/// Operators never throw. Inside a gradient function or a ``withErrorChecking(_:)-77gbz`` scope the first
/// such error is captured and thrown from that scope; outside every scope the operator traps with the
/// same message, as a Swift array does on a bad index.
///
/// ```swift
/// do {
///     try withErrorChecking { _ = Tensor.zeros([2, 3]) + Tensor.zeros([4]) }
/// } catch let error as TensorError {
///     print(error)   // add: shapes [2, 3] and [4] do not broadcast
/// }
/// ```
public struct TensorError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The operation that failed, e.g. `"matmul"`.
    public let op: String
    /// What was wrong, with the shapes or values involved.
    public let message: String

    /// Creates an error for `op`.
    public init(op: String, message: String) {
        self.op = op
        self.message = message
    }

    /// `"op: message"`.
    public var description: String { "\(op): \(message)" }
}

/// Collects the first error reported inside one checking scope. Sendable: its one field is behind the lock.
final class ErrorSink: @unchecked Sendable {
    private let lock = NSLock()
    private var error: TensorError?

    func record(_ e: TensorError) {
        lock.lock(); defer { lock.unlock() }
        if error == nil { error = e }
    }

    var firstError: TensorError? {
        lock.lock(); defer { lock.unlock() }
        return error
    }
}

enum ErrorChecking {
    /// The innermost checking scope of the current task or thread.
    @TaskLocal static var sink: ErrorSink?

    /// Whether an error has already been reported in the current scope: state changes are then skipped.
    static var hasFailed: Bool { sink?.firstError != nil }
}

/// Reports a caller error from an operator: captured by the innermost checking scope, or a trap
/// (the one intended crash path, as for an out-of-range array index) when there is none.
func reportError(_ error: TensorError) {
    if let sink = ErrorChecking.sink {
        sink.record(error)
    } else {
        fatalError("TapeGrad: \(error.description)")
    }
}

/// Runs `body`, turning the first shape, dtype or argument error of any tensor operation inside it into a
/// thrown ``TensorError``. After the first error the rest of `body` runs on inert placeholder tensors and
/// changes no parameter; the scope is a transaction, so state staged before the error (BatchNorm's running
/// statistics, Dropout's draws) is rolled back too.
///
/// ```swift
/// let result = try? withErrorChecking { Tensor.zeros([2, 3]).reshaped(to: [4]) }   // nil: 6 ≠ 4 elements
/// ```
public func withErrorChecking<R>(_ body: () throws -> R) throws -> R {
    try Transaction.run {
        let sink = ErrorSink()
        let result = try ErrorChecking.$sink.withValue(sink) { try body() }
        if let error = sink.firstError { throw error }
        return result
    }
}

/// The `async` form of ``withErrorChecking(_:)-77gbz``.
public func withErrorChecking<R>(_ body: () async throws -> R) async throws -> R {
    try await Transaction.run {
        let sink = ErrorSink()
        let result = try await ErrorChecking.$sink.withValue(sink) { try await body() }
        if let error = sink.firstError { throw error }
        return result
    }
}
