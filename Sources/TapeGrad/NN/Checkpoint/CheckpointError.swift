/// Why a checkpoint could not be written or loaded. Every failure of ``Checkpoint`` is one of these
/// (file-system errors included), never a Foundation error or a trap.
///
/// ```swift
/// do { try Checkpoint.load(into: net, from: url) }
/// catch let error as CheckpointError { print(error) }   // e.g. "no checkpoint file at /tmp/missing"
/// ```
public enum CheckpointError: Error, Equatable, CustomStringConvertible {
    /// The file's parameter names differ from the cell's.
    case namesDiffer(missing: [String], unexpected: [String])
    /// A tensor's shape differs from its parameter's.
    case shapeMismatch(name: String, expected: [Int], found: [Int])
    /// A tensor's dtype differs from its parameter's.
    case dtypeMismatch(name: String, expected: DType, found: DType)
    /// A dtype TapeGrad does not hold (e.g. BF16).
    case unsupportedDType(name: String, dtype: String)
    /// Two tensors with one name, or a tensor named `__metadata__`.
    case duplicateName(String)
    /// The file is not valid safetensors.
    case malformed(String)
    /// No file at the path.
    case fileNotFound(path: String)
    /// The path names a folder, not a file.
    case isDirectory(path: String)
    /// Any other file-system failure (permissions, a full disk…), with the system's reason.
    case io(String)

    /// What went wrong.
    public var description: String {
        switch self {
        case .namesDiffer(let missing, let unexpected): return "checkpoint names differ: missing \(missing), unexpected \(unexpected)"
        case .shapeMismatch(let n, let e, let f): return "'\(n)': checkpoint shape \(f), parameter shape \(e)"
        case .dtypeMismatch(let n, let e, let f): return "'\(n)': checkpoint dtype \(f), parameter dtype \(e)"
        case .unsupportedDType(let n, let d): return "'\(n)': unsupported dtype \(d) (expected BOOL, U8, I32, I64, F16, BF16, F32 or F64)"
        case .duplicateName(let n): return "two tensors named '\(n)' (names must be distinct and not '__metadata__')"
        case .malformed(let m): return "malformed safetensors file: \(m)"
        case .fileNotFound(let p): return "no checkpoint file at \(p)"
        case .isDirectory(let p): return "\(p) is a folder, not a checkpoint file"
        case .io(let m): return m
        }
    }
}
