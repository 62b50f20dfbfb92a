import Foundation

/// Saving and loading a cell's parameters in the safetensors format: an 8-byte little-endian header
/// length, a JSON header `{name: {"dtype", "shape", "data_offsets"}}`, then the raw little-endian data.
/// Files load in Python with `safetensors.numpy.load_file`.
///
/// ```swift
/// import Foundation
///
/// try Checkpoint.save(net, to: URL(fileURLWithPath: "model.safetensors"))
/// try Checkpoint.load(into: net, from: URL(fileURLWithPath: "model.safetensors"))
/// ```
public enum Checkpoint {
    /// Writes every parameter of `cell` under its full name. The file is written to a temporary file in the
    /// same folder and renamed over `url`, so a crash mid-save never loses the previous checkpoint.
    public static func save(_ cell: Cell, to url: URL, metadata: [String: String] = [:]) throws {
        try save(cell.parametersAndNames().map { ($0.name, $0.parameter.storedValue) }, to: url, metadata: metadata)
    }

    /// Writes named tensors (names must be distinct and not `__metadata__`).
    ///
    /// The file is written to `.<name>.<pid>.<n>.tmp` beside `url`, flushed to disk (fsync), renamed over
    /// `url`, and the folder is flushed, so a crash or power loss at any point leaves either the previous file
    /// or the new one. Temporary files left by earlier saves that were killed are removed.
    ///
    /// ```swift
    /// try Checkpoint.save([("w", Tensor.ones([2, 2]))], to: url, metadata: ["epoch": "3"])
    /// ```
    public static func save(_ tensors: [(name: String, tensor: Tensor)], to url: URL, metadata: [String: String] = [:]) throws {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        for (name, t) in tensors {
            guard header[name] == nil, name != "__metadata__" else { throw CheckpointError.duplicateName(name) }
            let bytes = t.count * t.dtype.byteSize
            header[name] = ["dtype": code(t.dtype), "shape": t.shape, "data_offsets": [offset, offset + bytes]]
            offset += bytes
        }
        var json: Data
        do { json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]) } catch {
            throw CheckpointError.io("cannot encode the checkpoint header: \(error)")
        }
        while json.count % 8 != 0 { json.append(0x20) }    // pad with spaces, as the reference writer does
        var prefix = Data(capacity: 8 + json.count)
        var length = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &length) { prefix.append(contentsOf: $0) }
        prefix.append(json)
        try DurableFile.replace(url) { fd in
            try prefix.withUnsafeBytes { try DurableFile.writeAll(fd, $0, path: url.path) }
            for (_, t) in tensors {
                // Little-endian hosts only (x86_64, arm64): the buffer is already in file order.
                try withExtendedLifetime(t.buffer) {
                    try DurableFile.writeAll(fd, UnsafeRawBufferPointer(start: t.buffer.raw, count: t.count * t.dtype.byteSize), path: url.path)
                }
            }
        }
    }

    /// Reads every tensor of a safetensors file, validating it strictly first (see ``CheckpointError``):
    /// a missing file, a folder, invalid JSON, non-string metadata, an unknown dtype, a shape whose size
    /// overflows, and offsets that overlap, leave gaps or trailing bytes are all errors.
    ///
    /// ```swift
    /// let tensors = try Checkpoint.read(from: url)   // ["w": Tensor(...)]
    /// ```
    public static func read(from url: URL) throws -> [String: Tensor] {
        try readWithMetadata(from: url).tensors
    }

    /// The tensors and the `__metadata__` map of a safetensors file.
    ///
    /// ```swift
    /// let (tensors, metadata) = try Checkpoint.readWithMetadata(from: url)   // metadata["epoch"] == "3"
    /// ```
    public static func readWithMetadata(from url: URL) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        let (tensors, metadata, _) = try readAll(from: url, skippingUnsupported: false)
        return (tensors, metadata)
    }

    /// Reads a safetensors file; with `skippingUnsupported`, entries of a dtype TapeGrad does not hold (`I8`…)
    /// are returned by name and code instead of failing the whole file.
    static func readTensors(from url: URL, skippingUnsupported: Bool) throws -> (tensors: [String: Tensor], unsupported: [String: String]) {
        let (tensors, _, unsupported) = try readAll(from: url, skippingUnsupported: skippingUnsupported)
        return (tensors, unsupported)
    }

    private static func readAll(from url: URL, skippingUnsupported: Bool)
        throws -> (tensors: [String: Tensor], metadata: [String: String], unsupported: [String: String]) {
        let data = try contents(of: url)
        let (entries, dataStart, metadata, unsupported) = try SafetensorsHeader.parse(data, skippingUnsupported: skippingUnsupported)
        var out: [String: Tensor] = [:]
        for e in entries {
            // The shape and byte range were validated against the file's size: the allocation is bounded by it.
            let tensor = Tensor.uninitialized(e.shape, dtype: e.dtype)
            data.withUnsafeBytes { raw in
                if let base = raw.baseAddress, e.end > e.begin {
                    tensor.buffer.raw.copyMemory(from: base + dataStart + e.begin, byteCount: e.end - e.begin)
                }
            }
            out[e.name] = tensor
        }
        return (out, metadata, unsupported)
    }

    /// The bytes of the file at `url`, with every failure as a ``CheckpointError``.
    static func contents(of url: URL) throws -> Data {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else {
            throw CheckpointError.fileNotFound(path: url.path)
        }
        if isFolder.boolValue { throw CheckpointError.isDirectory(path: url.path) }
        do { return try Data(contentsOf: url, options: [.mappedIfSafe]) } catch {
            throw CheckpointError.io("cannot read \(url.path): \(error.localizedDescription)")
        }
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
        try validate(tensors, for: params)
        for (name, p) in params { if let t = tensors[name] { p.replaceStoredValue(with: t.converted(to: p.dtype)) } }
    }

    /// Checks the shape and dtype of every tensor of `tensors` named after one of `params`.
    static func validate(_ tensors: [String: Tensor], for params: [(name: String, parameter: Parameter)]) throws {
        for (name, p) in params {
            guard let t = tensors[name] else { continue }
            guard t.shape == p.shape else { throw CheckpointError.shapeMismatch(name: name, expected: p.shape, found: t.shape) }
            guard t.dtype == p.dtype || convertsOnLoad(t.dtype, to: p.dtype) else {
                throw CheckpointError.dtypeMismatch(name: name, expected: p.dtype, found: t.dtype)
            }
        }
    }

    static func code(_ dtype: DType) -> String { dtype.safetensorsCode }

    static func dtype(code: String) -> DType? { DType(safetensorsCode: code) }
}
