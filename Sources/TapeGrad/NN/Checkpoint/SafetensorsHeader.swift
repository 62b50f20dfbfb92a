import Foundation

// Strict parsing of a safetensors file: every rule of the format is checked before a byte is copied.

/// One tensor's entry in a safetensors header.
struct SafetensorsEntry {
    let name: String
    let dtype: DType
    let shape: [Int]
    /// Byte range in the data section (after the header).
    let begin: Int
    let end: Int
}

enum SafetensorsHeader {
    /// The reference implementation's limit on the JSON header (100 MB).
    static let maximumHeaderBytes = 100_000_000

    /// Parses and validates `data` (a whole file): the 8-byte length, a JSON object header (UTF-8, starting with
    /// `{`, padded only with spaces), `__metadata__` a string→string map, each entry a known dtype, a
    /// non-negative shape whose element count fits, offsets whose length is the shape's byte count, and the
    /// entries, sorted by offset, tiling the data section exactly: from 0, contiguous, no overlap, no trailing
    /// bytes. Returns the entries sorted by offset and the offset where the data section starts.
    ///
    /// With `skippingUnsupported`, an entry of a dtype TapeGrad does not hold (`I8`, …) is returned in
    /// `unsupported` (name → dtype code) instead of failing; its bytes still take part in the tiling check.
    static func parse(_ data: Data, skippingUnsupported: Bool = false)
        throws -> (entries: [SafetensorsEntry], dataStart: Int, metadata: [String: String], unsupported: [String: String]) {
        guard data.count >= 8 else { throw CheckpointError.malformed("the file has \(data.count) bytes, fewer than the 8-byte header length") }
        let length = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard length <= UInt64(data.count - 8) else {
            throw CheckpointError.malformed("the header length \(length) exceeds the \(data.count - 8) bytes after it")
        }
        guard length <= UInt64(maximumHeaderBytes) else {
            throw CheckpointError.malformed("the header length \(length) exceeds the format's limit of \(maximumHeaderBytes) bytes")
        }
        let headerEnd = 8 + Int(length)
        let headerData = data.subdata(in: 8..<headerEnd)
        guard headerData.first == UInt8(ascii: "{") else { throw CheckpointError.malformed("the header does not start with '{'") }
        guard String(data: headerData, encoding: .utf8) != nil else { throw CheckpointError.malformed("the header is not UTF-8") }
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: headerData) } catch {
            throw CheckpointError.malformed("the header is not valid JSON")
        }
        guard let header = object as? [String: Any] else { throw CheckpointError.malformed("the header is not a JSON object") }

        var metadata: [String: String] = [:]
        if let raw = header["__metadata__"] {
            guard let map = raw as? [String: Any] else { throw CheckpointError.malformed("__metadata__ is not an object of strings") }
            for (key, value) in map {
                guard let text = value as? String else {
                    throw CheckpointError.malformed("__metadata__ value for '\(key)' is not a string (only string → string is allowed)")
                }
                metadata[key] = text
            }
        }
        var entries: [SafetensorsEntry] = []
        var unsupported: [String: String] = [:]
        var ranges: [(name: String, begin: Int, end: Int)] = []
        for (name, value) in header where name != "__metadata__" {
            guard let entry = value as? [String: Any], let dtypeCode = entry["dtype"] as? String,
                  let shape = integers(entry["shape"]), let offsets = integers(entry["data_offsets"]), offsets.count == 2 else {
                throw CheckpointError.malformed("entry '\(name)' needs a string dtype, an integer array shape and two integer data_offsets")
            }
            guard let dtype = Checkpoint.dtype(code: dtypeCode) else {
                guard skippingUnsupported, offsets[0] >= 0, offsets[0] <= offsets[1] else {
                    throw CheckpointError.unsupportedDType(name: name, dtype: dtypeCode)
                }
                unsupported[name] = dtypeCode
                ranges.append((name, offsets[0], offsets[1]))
                continue
            }
            guard let count = SizeArithmetic.elementCount(shape) else {
                throw CheckpointError.malformed("entry '\(name)' has shape \(shape): a negative dimension or too many elements")
            }
            let bytes = count * dtype.byteSize
            guard offsets[0] >= 0, offsets[0] <= offsets[1], offsets[1] - offsets[0] == bytes else {
                throw CheckpointError.malformed("entry '\(name)' has data_offsets \(offsets) but its \(dtypeCode) shape \(shape) takes \(bytes) bytes")
            }
            entries.append(SafetensorsEntry(name: name, dtype: dtype, shape: shape, begin: offsets[0], end: offsets[1]))
            ranges.append((name, offsets[0], offsets[1]))
        }
        entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        ranges.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        let dataBytes = data.count - headerEnd
        var expected = 0
        for e in ranges {
            if e.begin < expected { throw CheckpointError.malformed("entry '\(e.name)' at bytes \(e.begin)..<\(e.end) overlaps the previous tensor (ending at \(expected))") }
            if e.begin > expected { throw CheckpointError.malformed("a gap of unused bytes \(expected)..<\(e.begin) before entry '\(e.name)'") }
            expected = e.end
        }
        guard expected <= dataBytes else {
            throw CheckpointError.malformed("the tensors need \(expected) data bytes but the file has \(dataBytes)")
        }
        guard expected == dataBytes else {
            throw CheckpointError.malformed("\(dataBytes - expected) trailing bytes after the last tensor (the data section must be covered exactly)")
        }
        return (entries, headerEnd, metadata, unsupported)
    }

    /// A JSON array of integers (not floats, not booleans), or nil.
    private static func integers(_ value: Any?) -> [Int]? {
        guard let array = value as? [Any] else { return nil }
        var out: [Int] = []
        for element in array {
            // JSONSerialization gives NSNumbers; their type code tells integers from floats ("d") and booleans ("c").
            guard let number = element as? NSNumber, "ilqsILQS".contains(String(cString: number.objCType)),
                  let i = element as? Int else { return nil }
            out.append(i)
        }
        return out
    }
}
