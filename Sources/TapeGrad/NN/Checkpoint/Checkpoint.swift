import Foundation

/// Saving and loading a cell's parameters in the safetensors format: an 8-byte little-endian header
/// length, a JSON header `{name: {"dtype", "shape", "data_offsets"}}`, then the raw little-endian data.
/// Files load in Python with `safetensors.numpy.load_file`.
///
/// ```swift
/// try Checkpoint.save(net, to: URL(fileURLWithPath: "model.safetensors"))
/// try Checkpoint.load(into: net, from: URL(fileURLWithPath: "model.safetensors"))
/// ```
public enum Checkpoint {
    /// Writes every parameter of `cell` under its full name. The file is written to a temporary file in the
    /// same folder and renamed over `url`, so a crash mid-save never loses the previous checkpoint.
    public static func save(_ cell: Cell, to url: URL, metadata: [String: String] = [:]) throws {
        try save(cell.parametersAndNames().map { ($0.name, $0.parameter.storedValue) }, to: url, metadata: metadata)
    }

    /// Writes named tensors (names must be distinct).
    public static func save(_ tensors: [(name: String, tensor: Tensor)], to url: URL, metadata: [String: String] = [:]) throws {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        for (name, t) in tensors {
            guard header[name] == nil else { throw CheckpointError.duplicateName(name) }
            let bytes = t.count * t.dtype.byteSize
            header[name] = ["dtype": code(t.dtype), "shape": t.shape, "data_offsets": [offset, offset + bytes]]
            offset += bytes
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }    // pad with spaces, as the reference writer does
        var data = Data(capacity: 8 + json.count + offset)
        var length = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &length) { data.append(contentsOf: $0) }
        data.append(json)
        for (_, t) in tensors {
            // Little-endian hosts only (x86_64, arm64): the buffer is already in file order.
            data.append(Data(bytes: t.buffer.raw, count: t.count * t.dtype.byteSize))
        }
        let folder = url.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        try data.write(to: temporary)
        guard rename(temporary.path, url.path) == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            throw CheckpointError.io("could not move the checkpoint into place at \(url.path)")
        }
    }

    /// Reads every tensor of a safetensors file.
    public static func read(from url: URL) throws -> [String: Tensor] { try readTensors(from: url, skippingUnsupported: false).tensors }

    /// Reads a safetensors file; with `skippingUnsupported`, entries of a dtype TapeGrad does not hold (`I8`…)
    /// are returned by name and code instead of failing the whole file.
    static func readTensors(from url: URL, skippingUnsupported: Bool) throws -> (tensors: [String: Tensor], unsupported: [String: String]) {
        let data = try Data(contentsOf: url)
        guard data.count >= 8 else { throw CheckpointError.malformed("file is shorter than its header length") }
        let length = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard length <= UInt64(data.count - 8) else { throw CheckpointError.malformed("header length \(length) exceeds the file") }
        let headerData = data.subdata(in: 8..<(8 + Int(length)))
        guard let header = try JSONSerialization.jsonObject(with: headerData) as? [String: Any] else {
            throw CheckpointError.malformed("header is not a JSON object")
        }
        let body = data.subdata(in: (8 + Int(length))..<data.count)
        var out: [String: Tensor] = [:], unsupported: [String: String] = [:]
        for (name, value) in header where name != "__metadata__" {
            guard let entry = value as? [String: Any], let dtypeCode = entry["dtype"] as? String,
                  let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int], offsets.count == 2 else {
                throw CheckpointError.malformed("entry '\(name)' lacks dtype, shape or data_offsets")
            }
            guard let dtype = dtype(code: dtypeCode) else {
                if skippingUnsupported { unsupported[name] = dtypeCode; continue }
                throw CheckpointError.unsupportedDType(name: name, dtype: dtypeCode)
            }
            let count = shape.reduce(1, *)
            guard shape.allSatisfy({ $0 >= 0 }), offsets[0] >= 0, offsets[1] <= body.count,
                  offsets[1] - offsets[0] == count * dtype.byteSize else {
                throw CheckpointError.malformed("entry '\(name)' has inconsistent shape \(shape) and offsets \(offsets)")
            }
            let tensor = Tensor.uninitialized(shape, dtype: dtype)
            body.withUnsafeBytes { raw in
                if let base = raw.baseAddress { tensor.buffer.raw.copyMemory(from: base + offsets[0], byteCount: offsets[1] - offsets[0]) }
            }
            out[name] = tensor
        }
        return (out, unsupported)
    }

    /// Loads a checkpoint into `cell`. Names, shapes and dtypes are all validated first; on any mismatch it
    /// throws ``CheckpointError`` and the network is left untouched. A floating-point tensor loads into a
    /// parameter of another floating dtype by conversion (F16 → float32), as PyTorch's `load_state_dict`;
    /// see ``load(into:from:strict:)`` for a non-strict load.
    public static func load(into cell: Cell, from url: URL) throws {
        let tensors = try read(from: url)
        let params = cell.parametersAndNames()
        let expected = Set(params.map(\.name)), found = Set(tensors.keys)
        guard expected == found else {
            throw CheckpointError.namesDiffer(missing: expected.subtracting(found).sorted(), unexpected: found.subtracting(expected).sorted())
        }
        for (name, p) in params {
            guard let t = tensors[name] else { continue }
            guard t.shape == p.shape else { throw CheckpointError.shapeMismatch(name: name, expected: p.shape, found: t.shape) }
            guard t.dtype == p.dtype || convertsOnLoad(t.dtype, to: p.dtype) else {
                throw CheckpointError.dtypeMismatch(name: name, expected: p.dtype, found: t.dtype)
            }
        }
        for (name, p) in params { if let t = tensors[name] { p.replaceStoredValue(with: t.converted(to: p.dtype)) } }
    }

    static func code(_ dtype: DType) -> String { dtype.safetensorsCode }

    static func dtype(code: String) -> DType? { DType(safetensorsCode: code) }
}

/// Why a checkpoint could not be written or loaded.
public enum CheckpointError: Error, Equatable, CustomStringConvertible {
    /// The file's parameter names differ from the cell's.
    case namesDiffer(missing: [String], unexpected: [String])
    /// A tensor's shape differs from its parameter's.
    case shapeMismatch(name: String, expected: [Int], found: [Int])
    /// A tensor's dtype differs from its parameter's.
    case dtypeMismatch(name: String, expected: DType, found: DType)
    /// A dtype TapeGrad does not hold (e.g. I8).
    case unsupportedDType(name: String, dtype: String)
    /// Two tensors with one name.
    case duplicateName(String)
    /// The file is not valid safetensors.
    case malformed(String)
    /// A file-system failure.
    case io(String)

    /// What went wrong.
    public var description: String {
        switch self {
        case .namesDiffer(let missing, let unexpected): return "checkpoint names differ: missing \(missing), unexpected \(unexpected)"
        case .shapeMismatch(let n, let e, let f): return "'\(n)': checkpoint shape \(f), parameter shape \(e)"
        case .dtypeMismatch(let n, let e, let f): return "'\(n)': checkpoint dtype \(f), parameter dtype \(e)"
        case .unsupportedDType(let n, let d): return "'\(n)': unsupported dtype \(d)"
        case .duplicateName(let n): return "two tensors named '\(n)'"
        case .malformed(let m): return "malformed safetensors file: \(m)"
        case .io(let m): return m
        }
    }
}
