import Foundation
@testable import TapeGrad

// Rows for every checkpoint path: file-system failures, strict safetensors validation, loading into a cell.
extension BadInputRows {
    static var checkpoint: [BadInput] {
        func row(_ name: String, _ mentions: [String], _ accepts: @escaping (CheckpointError) -> Bool,
                 _ body: @escaping () throws -> Void) -> BadInput {
            BadInput(family: "checkpoint", name: name, expected: .checkpoint(accepts), mentions: mentions, body: body)
        }
        func malformed(_ e: CheckpointError) -> Bool { if case .malformed = e { return true } else { return false } }
        func read(_ header: String, _ body: [UInt8] = [], pad: Bool = true) throws {
            _ = try Checkpoint.read(from: writeSafetensors(header: header, body: body, pad: pad))
        }
        let eight = [UInt8](repeating: 0, count: 8)
        func net() -> SequentialCell { setSeed(1); return SequentialCell([Dense(inChannels: 2, outChannels: 2)]) }
        return [
            row("missing file", ["no checkpoint file", "missing.safetensors"], { if case .fileNotFound = $0 { true } else { false } }) {
                _ = try Checkpoint.read(from: temporaryFolder().appendingPathComponent("missing.safetensors"))
            },
            row("a folder", ["is a folder"], { if case .isDirectory = $0 { true } else { false } }) {
                _ = try Checkpoint.read(from: temporaryFolder())
            },
            row("load from a missing file", ["no checkpoint file"], { if case .fileNotFound = $0 { true } else { false } }) {
                try Checkpoint.load(into: net(), from: temporaryFolder().appendingPathComponent("none"))
            },
            row("save over a folder", ["is a folder"], { if case .isDirectory = $0 { true } else { false } }) {
                let folder = temporaryFolder()
                try FileManager.default.createDirectory(at: folder.appendingPathComponent("dir"), withIntermediateDirectories: true)
                try Checkpoint.save(net(), to: folder.appendingPathComponent("dir"))
            },
            row("save into a missing folder", ["does not exist"], { if case .io = $0 { true } else { false } }) {
                try Checkpoint.save(net(), to: temporaryFolder().appendingPathComponent("no/such/file.safetensors"))
            },
            row("save duplicate names", ["'w'", "distinct"], { $0 == .duplicateName("w") }) {
                try Checkpoint.save([("w", Tensor([1])), ("w", Tensor([2]))], to: temporaryFolder().appendingPathComponent("d"))
            },
            row("save a tensor named __metadata__", ["__metadata__"], { $0 == .duplicateName("__metadata__") }) {
                try Checkpoint.save([("__metadata__", Tensor([1]))], to: temporaryFolder().appendingPathComponent("m"))
            },
            row("file shorter than 8 bytes", ["fewer than the 8-byte"], malformed) {
                let url = temporaryFolder().appendingPathComponent("short")
                try Data([1, 2, 3]).write(to: url)
                _ = try Checkpoint.read(from: url)
            },
            row("header length past the file", ["exceeds"], malformed) {
                let url = temporaryFolder().appendingPathComponent("long")
                try Data([255, 0, 0, 0, 0, 0, 0, 0, 123]).write(to: url)
                _ = try Checkpoint.read(from: url)
            },
            row("header length UInt64.max", ["exceeds"], malformed) {
                let url = temporaryFolder().appendingPathComponent("max")
                try Data([255, 255, 255, 255, 255, 255, 255, 255, 123]).write(to: url)
                _ = try Checkpoint.read(from: url)
            },
            row("invalid JSON", ["not valid JSON"], malformed) { try read("{\"a\": [1, 2") },
            row("not starting with {", ["start with '{'"], malformed) { try read("[1, 2, 3]") },
            row("header a JSON string", ["start with '{'"], malformed) { try read("\"text\"") },
            row("not UTF-8", ["UTF-8"], malformed) {
                let url = temporaryFolder().appendingPathComponent("latin")
                var data = Data([8, 0, 0, 0, 0, 0, 0, 0])
                data.append(contentsOf: [UInt8(ascii: "{"), 0xFF, 0xFE, UInt8(ascii: "}"), 0x20, 0x20, 0x20, 0x20])
                try data.write(to: url)
                _ = try Checkpoint.read(from: url)
            },
            row("metadata value a number", ["__metadata__", "'epoch'", "string"], malformed) {
                try read(#"{"__metadata__":{"epoch":3}}"#)
            },
            row("metadata an array", ["__metadata__"], malformed) { try read(#"{"__metadata__":["a"]}"#) },
            row("entry without dtype", ["'w'", "dtype"], malformed) { try read(#"{"w":{"shape":[2],"data_offsets":[0,8]}}"#, eight) },
            row("entry not an object", ["'w'"], malformed) { try read(#"{"w":3}"#) },
            row("shape with a float", ["'w'", "integer array shape"], malformed) {
                try read(#"{"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#, [0, 0, 0, 0])
            },
            row("shape with a string", ["'w'"], malformed) { try read(#"{"w":{"dtype":"F32","shape":["2"],"data_offsets":[0,8]}}"#, eight) },
            row("one data offset", ["'w'", "two integer data_offsets"], malformed) {
                try read(#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0]}}"#, eight)
            },
            row("unsupported dtype", ["'w'", "I16"], { $0 == .unsupportedDType(name: "w", dtype: "I16") }) {
                try read(#"{"w":{"dtype":"I16","shape":[4],"data_offsets":[0,8]}}"#, eight)
            },
            row("negative dimension", ["'w'", "negative"], malformed) { try read(#"{"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#, eight) },
            row("shape product overflows", ["'w'", "too many elements"], malformed) {
                try read(#"{"w":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,8]}}"#, eight)
            },
            row("shape product wraps to the byte count", ["'w'", "too many elements"], malformed) {
                // 2^62 · 2 · 4 bytes wraps to 0 in unchecked arithmetic.
                try read(#"{"w":{"dtype":"F32","shape":[4611686018427387904,2],"data_offsets":[0,0]}}"#)
            },
            row("offsets disagree with the shape", ["'w'", "takes 8 bytes"], malformed) {
                try read(#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, [0, 0, 0, 0])
            },
            row("offsets reversed", ["'w'", "data_offsets [8, 0]"], malformed) {
                try read(#"{"w":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}"#, eight)
            },
            row("offsets past the data", ["need 16 data bytes"], malformed) {
                try read(#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},"v":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, eight)
            },
            row("overlapping offsets", ["overlaps"], malformed) {
                try read(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#,
                         eight + [0, 0, 0, 0])
            },
            row("two entries on the same bytes", ["overlaps"], malformed) {
                try read(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"I32","shape":[2],"data_offsets":[0,8]}}"#, eight)
            },
            row("a gap between tensors", ["gap"], malformed) {
                try read(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#,
                         eight + [0, 0, 0, 0])
            },
            row("trailing bytes", ["trailing bytes"], malformed) { try read(#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, eight) },
            row("data but no tensors", ["trailing bytes"], malformed) { try read("{}", eight) },
            row("load: names differ", ["missing", "0.weight"], { if case .namesDiffer = $0 { true } else { false } }) {
                let url = temporaryFolder().appendingPathComponent("other")
                try Checkpoint.save([("weight", Tensor.zeros([2, 2]))], to: url)
                try Checkpoint.load(into: net(), from: url)
            },
            row("load: shape differs", ["'0.weight'", "[3, 2]", "[2, 2]"], { if case .shapeMismatch = $0 { true } else { false } }) {
                let url = temporaryFolder().appendingPathComponent("shape")
                try Checkpoint.save([("0.weight", Tensor.zeros([3, 2])), ("0.bias", Tensor.zeros([2]))], to: url)
                try Checkpoint.load(into: net(), from: url)
            },
            row("load: dtype differs (int into float)", ["'0.bias'", "Int32"], { if case .dtypeMismatch = $0 { true } else { false } }) {
                let url = temporaryFolder().appendingPathComponent("dtype")
                try Checkpoint.save([("0.weight", Tensor.zeros([2, 2])), ("0.bias", Tensor.zeros([2], dtype: .int32))], to: url)
                try Checkpoint.load(into: net(), from: url)
            },
        ]
    }
}
