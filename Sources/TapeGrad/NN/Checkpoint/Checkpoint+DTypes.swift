import Foundation

// Safetensors dtype codes, and the non-strict load that takes a PyTorch or MindSpore file.

extension DType {
    /// The safetensors dtype string: `BOOL`, `U8`, `I32`, `I64`, `F16`, `BF16`, `F32`, `F64`.
    ///
    /// ```swift
    /// DType.bfloat16.safetensorsCode   // "BF16"
    /// ```
    public var safetensorsCode: String {
        switch self {
        case .bool: return "BOOL"
        case .uint8: return "U8"
        case .int32: return "I32"
        case .int64: return "I64"
        case .float16: return "F16"
        case .bfloat16: return "BF16"
        case .float32: return "F32"
        case .float64: return "F64"
        }
    }

    /// The dtype of a safetensors dtype string, or nil for one TapeGrad does not hold (`I8`, `I16`, `U16`…).
    ///
    /// ```swift
    /// DType(safetensorsCode: "I64")   // .int64
    /// ```
    public init?(safetensorsCode code: String) {
        guard let match = DType.allCases.first(where: { $0.safetensorsCode == code }) else { return nil }
        self = match
    }
}

/// What a non-strict ``Checkpoint/load(into:from:strict:)`` did, named as PyTorch's `load_state_dict`
/// result: the cell's parameters the file lacked, the file's tensors no parameter took, and the
/// parameters filled by converting a floating dtype (for example an F16 tensor into a float32 parameter).
///
/// ```swift
/// let report = try Checkpoint.load(into: net, from: url, strict: false)
/// print(report.missingKeys, report.unexpectedKeys)
/// ```
public struct CheckpointLoadReport: Equatable, Sendable {
    /// Parameter names of the cell that the file does not contain (left unchanged), sorted.
    public var missingKeys: [String]
    /// Tensor names in the file that no parameter of the cell has (ignored), sorted.
    public var unexpectedKeys: [String]
    /// Parameters loaded from a tensor of another floating dtype, converted to the parameter's, sorted.
    public var convertedKeys: [String]
}

extension Checkpoint {
    /// Whether a tensor of dtype `found` loads into a parameter of dtype `expected` by conversion: both
    /// floating-point (rounded to nearest-even when narrowing), as PyTorch's `load_state_dict` copies. An
    /// integer or bool mismatch (an int64 counter into a float32 parameter) is an error.
    static func convertsOnLoad(_ found: DType, to expected: DType) -> Bool {
        found.isFloatingPoint && expected.isFloatingPoint
    }

    /// Loads the tensors of a safetensors file into the parameters of `cell` with the same names.
    ///
    /// With `strict: true` this is ``load(into:from:)``: the names must match exactly. With
    /// `strict: false` parameters the file lacks keep their values and tensors the cell lacks are ignored,
    /// both reported, so a file exported by PyTorch or MindSpore (extra buffers, a different head) loads.
    /// A tensor of a dtype TapeGrad does not hold (`I8`, `U16`…) is an unexpected name when no parameter
    /// takes it, and an error when one does (always, with `strict: true`).
    /// In both modes each matched tensor must have its parameter's shape, and its dtype or another
    /// floating dtype (converted); every check runs before any parameter changes, so a throw leaves the
    /// cell untouched.
    ///
    /// ```swift
    /// let report = try Checkpoint.load(into: net, from: url, strict: false)
    /// report.unexpectedKeys   // ["bn.num_batches_tracked"]
    /// ```
    @discardableResult
    public static func load(into cell: Cell, from url: URL, strict: Bool) throws -> CheckpointLoadReport {
        // A tensor of a dtype TapeGrad does not hold (an int8 buffer…) only fails the load if a parameter needs it.
        let (tensors, unsupported) = try readTensors(from: url, skippingUnsupported: !strict)
        let params = cell.parametersAndNames()
        if let (name, code) = unsupported.first(where: { u in params.contains { $0.name == u.key } }) {
            throw CheckpointError.unsupportedDType(name: name, dtype: code)
        }
        let expected = Set(params.map(\.name)), found = Set(tensors.keys).union(unsupported.keys)
        let missing = expected.subtracting(found).sorted(), unexpected = found.subtracting(expected).sorted()
        if strict && !(missing.isEmpty && unexpected.isEmpty) {
            throw CheckpointError.namesDiffer(missing: missing, unexpected: unexpected)
        }
        var converted: [String] = []
        for (name, p) in params {
            guard let t = tensors[name] else { continue }
            guard t.shape == p.shape else { throw CheckpointError.shapeMismatch(name: name, expected: p.shape, found: t.shape) }
            guard t.dtype == p.dtype || convertsOnLoad(t.dtype, to: p.dtype) else {
                throw CheckpointError.dtypeMismatch(name: name, expected: p.dtype, found: t.dtype)
            }
            if t.dtype != p.dtype { converted.append(name) }
        }
        for (name, p) in params { if let t = tensors[name] { p.replaceStoredValue(with: t.converted(to: p.dtype)) } }
        return CheckpointLoadReport(missingKeys: missing, unexpectedKeys: unexpected, convertedKeys: converted.sorted())
    }
}
