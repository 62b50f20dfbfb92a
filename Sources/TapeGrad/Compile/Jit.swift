// `jit`: MindSpore's `mindspore.jit` and JAX's `jax.jit` for TapeGrad functions.
//
// The first call for each signature of input shapes and dtypes runs the function once on a tracing tape,
// noting each op; the trace (with its backward, for gradient functions) is compiled into a flat program
// — elementwise chains fused into one loop with vectorised eˣ/tanh/σ, buffers planned by liveness, products
// through cblas — and replayed on later calls. The rules, as JAX's:
// - Tensors the function captures that do not come from its inputs are constants of the trace; trainable
//   parameters it reads are inputs (read again on every call), frozen ones are constants. A captured tensor
//   that is also passed as an input (the same buffer) is taken for that input.
// - A value recomputed in a `noGrad` scope, or by a custom gradient, does not compile (it runs eagerly).
// - Value-dependent control flow (`if x.sum().item() > 0`) is traced as taken: later calls with the same
//   signature replay that branch whatever their values (`checked: true` catches it). A tensor made while
//   tracing by an op the trace does not record (`sign`, `argmax`, a comparison's mask) is never baked in: a
//   traced op reading one makes the signature run eagerly (buffer serials tell it from captured tensors).
// - What does not compile (an op without a trace rule, a layer that changes its state, mixed dtypes) runs
//   eagerly for that signature; ``JitDiagnostics/eagerFallbackReason`` names why, `strict: true` throws.

/// Why a jitted function could not do what was asked.
///
/// ```swift
/// let f = jit({ x in sin(x) }, strict: true)
/// do { _ = try f(x) } catch JitError.unsupported(let reason) { print(reason) }   // "the op sin(_:) has no trace rule"
/// ```
public enum JitError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The function does not compile (strict mode), with the reason (the op without a trace rule, …).
    case unsupported(String)
    /// Checked mode: the compiled result differs from the eager one (output index: 0 the value, then the gradients).
    case mismatch(output: Int, maxDifference: Double)

    /// A sentence naming what failed.
    ///
    /// ```swift
    /// print(JitError.unsupported("sin").description)   // "jit: cannot compile: sin"
    /// ```
    public var description: String {
        switch self {
        case .unsupported(let reason): return "jit: cannot compile: \(reason)"
        case .mismatch(let k, let d): return "jit: output \(k) of the compiled function differs from eager execution by \(d)"
        }
    }
}

/// What a jitted function has done so far.
///
/// ```swift
/// let f = jit { x in tanh(x) }
/// _ = try f(x)
/// print(f.diagnostics.traceCount)   // 1
/// ```
public struct JitDiagnostics: Sendable, Equatable {
    /// How many times the function was traced (once per new signature, again after eviction).
    public var traceCount: Int
    /// How many signatures the cache holds now.
    public var cachedSignatureCount: Int
    /// How many calls ran the compiled program (the first call of a signature included).
    public var compiledCallCount: Int
    /// How many calls ran eagerly (a signature that does not compile, or inside an enclosing gradient computation).
    public var eagerCallCount: Int
    /// Why the most recent signature that does not compile runs eagerly (nil when every one compiled).
    public var eagerFallbackReason: String?
}

/// How a jitted function compiles.
struct JitOptions: Sendable {
    var checked = false
    var strict = false
    var cacheSize = 8
}

/// A compiled function of tensors, made by `jit(_:checked:strict:cacheSize:)` (of a function of tensors).
/// Sendable: calls from several threads at once each work in their own buffers.
///
/// ```swift
/// let f = jit { x in tanh(x * 1.01 + 0.1).sum() }
/// let y = try f(x)
/// ```
public struct JitFunction: Sendable {
    let core: JitCore
    let arity: Int?

    /// Calls the function on `inputs`: replays the compiled trace for their signature (tracing it first if
    /// new). Throws ``GradError`` for an error of an op (as a gradient function does) and ``JitError``.
    ///
    /// ```swift
    /// let y = try jit { (t: [Tensor]) in t[0] * t[1] }([x, y])
    /// ```
    public func callAsFunction(_ inputs: [Tensor]) throws -> Tensor {
        if let arity, inputs.count != arity { throw GradError.wrongInputCount(expected: arity, got: inputs.count) }
        return try core.call(inputs)[0]
    }

    /// `f(x, y)`.
    ///
    /// ```swift
    /// let p = try jit { x, y in x * y }(x, y)
    /// ```
    public func callAsFunction(_ inputs: Tensor...) throws -> Tensor { try callAsFunction(inputs) }

    /// Traces, cache and fallbacks so far.
    ///
    /// ```swift
    /// let f = jit { x in sin(x) }
    /// _ = try f(x)
    /// print(f.diagnostics.eagerFallbackReason ?? "compiled")   // "the op sin(_:) has no trace rule"
    /// ```
    public var diagnostics: JitDiagnostics { core.diagnostics }
}

func makeJit(arity: Int?, checked: Bool, strict: Bool, cacheSize: Int, _ forward: @escaping @Sendable ([Tensor]) -> Tensor) -> JitFunction {
    JitFunction(core: JitCore(forward: { .tensor(forward($0)) }, mode: .forward,
                              options: JitOptions(checked: checked, strict: strict, cacheSize: Swift.max(cacheSize, 1))),
                arity: arity)
}

/// Compiles `fn`: traced on the first call for each signature of input shapes and dtypes, replayed after.
///
/// - `checked`: every call also runs `fn` eagerly and throws ``JitError/mismatch(output:maxDifference:)`` if the
///   results differ beyond 10⁻⁴ (float32) or 10⁻⁹ (float64) relative — a debugging mode.
/// - `strict`: a signature that does not compile throws ``JitError/unsupported(_:)`` instead of running eagerly.
/// - `cacheSize`: how many signatures stay compiled (least recently used out first).
///
/// Results equal eager results exactly where no vectorised function (eˣ, tanh, σ) or reduction is involved,
/// and within a few ulp otherwise.
///
/// ```swift
/// let f = jit { x in tanh(x * 1.01 + 0.1).sum() }
/// let y = try f(Tensor.randomNormal([16], seed: 1))
/// ```
public func jit(_ fn: @escaping @Sendable (Tensor) -> Tensor, checked: Bool = false, strict: Bool = false, cacheSize: Int = 8) -> JitFunction {
    makeJit(arity: 1, checked: checked, strict: strict, cacheSize: cacheSize) { fn($0[0]) }
}

/// `jit` for a function of two tensors.
///
/// ```swift
/// let f = jit { x, y in (x * y).sum() }
/// let s = try f(x, y)
/// ```
public func jit(_ fn: @escaping @Sendable (Tensor, Tensor) -> Tensor, checked: Bool = false, strict: Bool = false, cacheSize: Int = 8) -> JitFunction {
    makeJit(arity: 2, checked: checked, strict: strict, cacheSize: cacheSize) { fn($0[0], $0[1]) }
}

/// `jit` for a function of three tensors.
///
/// ```swift
/// let f = jit { x, w, b in relu(matmul(x, w, transposeB: true) + b) }
/// ```
public func jit(_ fn: @escaping @Sendable (Tensor, Tensor, Tensor) -> Tensor, checked: Bool = false, strict: Bool = false,
                cacheSize: Int = 8) -> JitFunction {
    makeJit(arity: 3, checked: checked, strict: strict, cacheSize: cacheSize) { fn($0[0], $0[1], $0[2]) }
}

/// `jit` for a function of four tensors.
///
/// ```swift
/// let f = jit { a, b, c, d in a * b + c * d }
/// ```
public func jit(_ fn: @escaping @Sendable (Tensor, Tensor, Tensor, Tensor) -> Tensor, checked: Bool = false, strict: Bool = false,
                cacheSize: Int = 8) -> JitFunction {
    makeJit(arity: 4, checked: checked, strict: strict, cacheSize: cacheSize) { fn($0[0], $0[1], $0[2], $0[3]) }
}

/// `jit` for a function of an array of tensors (any count; each count is its own signature).
///
/// ```swift
/// let f = jit { (t: [Tensor]) in t.dropFirst().reduce(t[0], +) }
/// ```
public func jit(_ fn: @escaping @Sendable ([Tensor]) -> Tensor, checked: Bool = false, strict: Bool = false, cacheSize: Int = 8) -> JitFunction {
    makeJit(arity: nil, checked: checked, strict: strict, cacheSize: cacheSize, fn)
}
