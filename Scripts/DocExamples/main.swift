// `make doc-examples`: regenerates Tests/TapeGradTests/Docs/DocExamples*.generated.swift.
// Built together with Tests/TapeGradTests/Docs/DocExampleExtractor.swift (see the Makefile).
import Foundation

let root = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
for (path, text) in try DocExampleExtractor.generate(root: root) {
    let target = root.appendingPathComponent(path)
    if (try? String(contentsOf: target, encoding: .utf8)) == text {
        print("doc-examples: \(path) is up to date")
    } else {
        try text.write(to: target, atomically: true, encoding: .utf8)
        print("doc-examples: wrote \(path)")
    }
}
