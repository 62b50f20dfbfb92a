// `make doc-examples`: regenerates Tests/TapeGradTests/Docs/DocExamples+*.generated.swift.
// Built together with Tests/TapeGradTests/Docs/DocExampleExtractor.swift (see the Makefile).
import Foundation

let root = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
let files = try DocExampleExtractor.generate(root: root)
for (path, text) in files {
    let target = root.appendingPathComponent(path)
    if (try? String(contentsOf: target, encoding: .utf8)) == text {
        print("doc-examples: \(path) is up to date")
    } else {
        try text.write(to: target, atomically: true, encoding: .utf8)
        print("doc-examples: wrote \(path)")
    }
}
for path in DocExampleExtractor.existingGeneratedFiles(root: root) where !files.contains(where: { $0.path == path }) {
    try FileManager.default.removeItem(at: root.appendingPathComponent(path))
    print("doc-examples: removed \(path)")
}
