// Anomaly detection: the first NaN or ±∞ produced by a recorded op, forward or backward, becomes an error
// naming the op, the phase and the shapes (PyTorch's `detect_anomaly`, but precise and cheap when off).

enum AnomalyDetection {
    /// Whether tapes made now check their values (set by ``withAnomalyDetection(_:)``). Read once per tape.
    @TaskLocal static var isEnabled = false

    /// Reports `out` if it holds a non-finite value: `op` is the name of the op that produced it.
    static func checkForward(_ out: Tensor, op: StaticString, inputs: [Tensor]) {
        guard !ErrorChecking.hasFailed, out.containsNonFinite else { return }
        let inputShapes = inputs.map { "\($0.shape)" }.joined(separator: ", ")
        // A recorded op's inputs were checked when they were made, so a non-finite input came from outside.
        let origin = inputs.contains(where: \.containsNonFinite)
            ? " (an input already holds a non-finite value: it entered as an argument or a constant)" : ""
        report(op: op, phase: "forward", value: out,
               detail: "its output of shape \(out.shape), from inputs of shapes \(inputShapes)\(origin)")
    }

    /// Reports a non-finite `value` produced by `op` in `phase`.
    static func report(op: StaticString, phase: String, value: Tensor, detail: String) {
        let kind = value.scalars.contains(where: \.isNaN) ? "NaN" : "infinity"
        reportError(TensorError(op: name(of: op), message: "anomaly detected in the \(phase) pass: \(kind) in \(detail) "
            + "(every value must be finite under withAnomalyDetection)"))
    }

    /// `"matmul(_:_:transposeA:transposeB:)"` → `"matmul"`; `"+(_:_:)"` → `"+"`.
    static func name(of function: StaticString) -> String {
        let text = "\(function)"
        return String(text.prefix { $0 != "(" })
    }
}

extension Tensor {
    /// Whether any element is NaN or ±∞ (never for an integer or bool dtype).
    var containsNonFinite: Bool {
        switch dtype {
        case .float64: return withUnsafeBufferPointer(as: Double.self) { p in p.contains { !$0.isFinite } }
        case .float32, .float16, .bfloat16: return withUnsafeBufferPointer(as: Float.self) { p in p.contains { !$0.isFinite } }
        case .int32, .int64, .uint8, .bool: return false
        }
    }
}

/// Runs `body` with anomaly detection: gradient computations started inside it check every value a recorded op
/// produces, in the forward pass and in each pullback, and the first NaN or ±∞ is thrown as a ``TensorError``
/// naming the op, the phase (forward or backward) and the shapes — from the gradient function (wrapped in
/// `GradError.tensor`) or from this scope. Off by default; when off it costs one branch per recorded op.
///
/// ```swift
/// let f = try valueAndGrad { (x: Tensor) in sqrt(x).sum() }
/// try withAnomalyDetection { _ = try f(Tensor([0, 1])) }
/// // throws: sqrt: anomaly detected in the backward pass: infinity in the gradient for an input of shape [2] …
/// ```
public func withAnomalyDetection<R>(_ body: () throws -> R) throws -> R {
    try AnomalyDetection.$isEnabled.withValue(true) { try withErrorChecking(body) }
}

/// The `async` form of ``withAnomalyDetection(_:)``.
public func withAnomalyDetection<R>(_ body: () async throws -> R) async throws -> R {
    try await AnomalyDetection.$isEnabled.withValue(true) { try await withErrorChecking(body) }
}
