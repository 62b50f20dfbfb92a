import Foundation
import XCTest
@testable import TapeGrad

/// One row of the bad-input table: a call that must throw a typed error whose message names the op or
/// argument and what was expected.
struct BadInput {
    /// What the error must be.
    enum Expected {
        /// A ``TensorError`` of this op (thrown by `withErrorChecking`, or wrapped in `GradError.tensor`).
        case tensor(op: String)
        /// Exactly this ``GradError``.
        case grad(GradError)
        /// A ``CheckpointError`` accepted by the predicate.
        case checkpoint((CheckpointError) -> Bool)
        /// An ``OptimizerError``.
        case optimizer
    }

    let family: String
    let name: String
    let expected: Expected
    /// Substrings the error's description must contain (the op or argument, and what was expected).
    let mentions: [String]
    let body: () throws -> Void

    /// Runs the row inside a checking scope and returns a failure description, or nil when it holds.
    func check() -> String? {
        do {
            try withErrorChecking { try body() }
            return "\(family)/\(name): no error was thrown"
        } catch {
            // A GradError's Swift sentence and MindSpore's original text must together name what was expected.
            let text = String(describing: error) + ((error as? GradError).map { " | " + $0.mindSporeMessage } ?? "")
            // A layer names itself with its configuration: `Dense(inChannels: 2, outChannels: 3)` for op "Dense".
            func names(_ actual: String, _ op: String) -> Bool { actual == op || actual.hasPrefix(op + "(") }
            switch (expected, error) {
            case (.tensor(let op), let e as TensorError) where names(e.op, op): break
            case (.tensor(let op), GradError.tensor(let e)) where names(e.op, op): break
            case (.grad(let g), let e as GradError) where e == g: break
            case (.checkpoint(let accepts), let e as CheckpointError) where accepts(e): break
            case (.optimizer, _ as OptimizerError): break
            default: return "\(family)/\(name): unexpected error \(type(of: error)) \(text)"
            }
            for m in mentions where !text.contains(m) {
                return "\(family)/\(name): message \"\(text)\" does not mention \"\(m)\""
            }
            return nil
        }
    }
}

/// Runs a table of rows, failing the test for each row that does not hold, and returns the count per family.
@discardableResult
func runTable(_ rows: [BadInput], file: StaticString = #filePath, line: UInt = #line) -> [String: Int] {
    var counts: [String: Int] = [:]
    var failures = 0
    for row in rows {
        counts[row.family, default: 0] += 1
        if let failure = row.check() { XCTFail(failure, file: file, line: line); failures += 1 }
    }
    for (family, n) in counts.sorted(by: { $0.key < $1.key }) {
        print("bad-input table: \(family): \(n) rows, \(n - failures) typed errors naming the op or argument, \(failures) failing")
    }
    return counts
}

/// A fresh empty folder for one test.
func temporaryFolder() -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tapegrad-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

/// Writes a hand-made safetensors file: the 8-byte length, `header` (padded with spaces) and `body`.
func writeSafetensors(header: String, body: [UInt8], in folder: URL = temporaryFolder(), pad: Bool = true) -> URL {
    var json = Array(header.utf8)
    while pad && json.count % 8 != 0 { json.append(0x20) }
    var data = Data()
    var length = UInt64(json.count).littleEndian
    withUnsafeBytes(of: &length) { data.append(contentsOf: $0) }
    data.append(contentsOf: json)
    data.append(contentsOf: body)
    let url = folder.appendingPathComponent("crafted-\(UUID().uuidString).safetensors")
    try? data.write(to: url)
    return url
}
