import Foundation

/// Extracts every ```swift block from the doc comments under `Sources/`, the articles of the documentation
/// catalog (`Sources/**/*.md`) and `README.md`, and writes
/// them into `Tests/TapeGradTests/Docs/DocExamples+<folder>.generated.swift`, each block in its own function so
/// that the test target type-checks it without running it.
///
/// Shared by `make doc-examples` (compiled with `Scripts/DocExamples/main.swift`) and by
/// `DocExamplesTests`, which fails when the generated file is stale.
///
/// A block is skipped when it is a package manifest (it mentions `PackageDescription` or starts with
/// `// Package.swift`) or when it contains the line `// doc-example: skip`. A block on an internal symbol
/// contains the line `// doc-example: internal` and goes to `DocExamples+Internal.generated.swift`, which
/// imports TapeGrad with `@testable` (every other file imports only its public API).
enum DocExampleExtractor {
    struct Block {
        let source: String   // path relative to the package root
        let line: Int        // 1-based line of the opening fence
        let code: [String]
    }

    /// The package root, found from this file's path.
    static func packageRoot(filePath: String = #filePath) -> URL {
        URL(fileURLWithPath: filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Every block, doc comments first (files in path order), then the README.
    static func blocks(root: URL) throws -> [Block] {
        var out: [Block] = []
        let sources = root.appendingPathComponent("Sources")
        let files = (FileManager.default.enumerator(atPath: sources.path)?.allObjects as? [String] ?? [])
            .filter { $0.hasSuffix(".swift") || $0.hasSuffix(".md") }.sorted()
        for file in files where file.hasSuffix(".md") {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            out += fenced(text.components(separatedBy: "\n").map { Optional($0) }, source: "Sources/" + file)
        }
        for file in files where file.hasSuffix(".swift") {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            let lines = text.components(separatedBy: "\n").map { line -> String? in
                let trimmed = line.drop(while: { $0 == " " })
                guard trimmed.hasPrefix("///") else { return nil }
                let rest = trimmed.dropFirst(3)
                return String(rest.hasPrefix(" ") ? rest.dropFirst() : rest)
            }
            out += fenced(lines, source: "Sources/" + file)
        }
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        out += fenced(readme.components(separatedBy: "\n").map { Optional($0) }, source: "README.md")
        return out.filter { block in
            !block.code.contains { $0.contains("PackageDescription") || $0.contains("// doc-example: skip") }
                && block.code.first?.hasPrefix("// Package.swift") != true
        }
    }

    /// The ```swift blocks in `lines` (nil marks a line outside any doc comment, which ends a block).
    static func fenced(_ lines: [String?], source: String) -> [Block] {
        var out: [Block] = []
        var current: [String]?
        var start = 0
        for (i, line) in lines.enumerated() {
            guard let line else { current = nil; continue }
            let fence = line.trimmingCharacters(in: .whitespaces)
            if current == nil {
                if fence == "```swift" { current = []; start = i + 1 }
            } else if fence == "```" {
                out.append(Block(source: source, line: start, code: current ?? []))
                current = nil
            } else {
                current?.append(line)
            }
        }
        return out
    }

    /// The names a top-level `let` of an example binds (`let x = …`, `let x: T = …`, `let (a, (b, c)) = …`),
    /// so the generated function can use them; other statements bind nothing here.
    static func boundNames(_ line: String) -> [String] {
        guard line.hasPrefix("let ") else { return [] }
        let rest = line.dropFirst(4)
        guard let eq = rest.range(of: " = ") else { return [] }
        var pattern = String(rest[..<eq.lowerBound])
        if !pattern.hasPrefix("("), let colon = pattern.firstIndex(of: ":") { pattern = String(pattern[..<colon]) }
        let names = pattern.components(separatedBy: CharacterSet(charactersIn: "(), "))
            .filter { !$0.isEmpty && !$0.hasSuffix(":") }
        guard names.allSatisfy({ $0 == "_" || $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } }) else { return [] }
        return names.filter { $0 != "_" }
    }

    /// Whether a top-level line is a whole expression statement whose value the example shows in a comment
    /// (`x.shape   // [2, 3]`); the generated code passes it to `docExampleValue(_:)` to avoid unused-result warnings.
    static func isValueStatement(_ line: String, next: String?) -> Bool {
        let code = (line.range(of: "//").map { String(line[..<$0.lowerBound]) } ?? line).trimmingCharacters(in: .whitespaces)
        guard !code.isEmpty, line.first?.isWhitespace == false, code.contains("(") || code.contains(".") else { return false }
        let keywords = ["let ", "var ", "func ", "final ", "class ", "struct ", "enum ", "extension ", "for ", "if ", "guard ",
                        "do ", "do{", "catch", "return", "@", "}", ")", "]", ".", "print(", "assert", "switch ", "case ", "while ",
                        "#", "_ =", "docExampleValue(", "try ", "try!", "try?", "await "]
        if keywords.contains(where: { code.hasPrefix($0) }) { return false }
        if code.contains(" = ") || code.contains("+=") || code.contains("-=") { return false }
        if let last = code.last, "{([,".contains(last) { return false }
        if let next, next.first?.isWhitespace == true || next.hasPrefix(".") { return false }
        return true
    }

    /// The generated test files, by path: one per source folder (`DocExamples+Grad.generated.swift`, …,
    /// `DocExamples+README.generated.swift`), each short enough to read. Blocks that `import Foundation` go to
    /// `DocExamples+Foundation.generated.swift`, which imports it; the others to files that do not, so a block
    /// using Foundation without importing it fails to compile.
    static func generate(root: URL) throws -> [(path: String, text: String)] {
        let all = try blocks(root: root)
        let needsFoundation: (Block) -> Bool = { $0.code.contains { $0.trimmingCharacters(in: .whitespaces) == "import Foundation" } }
        let needsDistributed: (Block) -> Bool = { $0.source.hasPrefix("Sources/TapeGradDistributed/") || $0.code.contains { $0.contains("import TapeGradDistributed") } }
        let needsInternal: (Block) -> Bool = { $0.code.contains { $0.contains("// doc-example: internal") } }
        func group(_ block: Block) -> String {
            if needsDistributed(block) { return "Distributed" }
            if needsInternal(block) { return "Internal" }
            if needsFoundation(block) { return "Foundation" }
            let parts = block.source.split(separator: "/")
            guard parts.first == "Sources", parts.count > 2 else { return "README" }
            return String(parts[2]).replacingOccurrences(of: ".docc", with: "")
        }
        var order: [String] = []
        var groups: [String: [Block]] = [:]
        for block in all {
            let key = group(block)
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(block)
        }
        return order.sorted().map { key in
            (generatedFolder + "/DocExamples+\(key).generated.swift",
             render(groups[key] ?? [], imports: key == "Distributed" ? ["Foundation", "TapeGrad", "TapeGradDistributed"]
                    : key == "Foundation" ? ["Foundation", "TapeGrad"] : key == "Internal" ? ["@testable TapeGrad"]
                    : ["TapeGrad"], prefix: "docExample\(key)"))
        }
    }

    static let generatedFolder = "Tests/TapeGradTests/Docs"

    /// The generated files present in the folder (to find ones no longer generated).
    static func existingGeneratedFiles(root: URL) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(generatedFolder).path)) ?? []
        return names.filter { $0.hasSuffix(".generated.swift") }.sorted().map { generatedFolder + "/" + $0 }
    }

    static func render(_ blocks: [Block], imports: [String], prefix: String) -> String {
        var text = """
        // GENERATED by `make doc-examples` from the ```swift blocks of the doc comments and README.md.
        // Do not edit: fix the example at the place named above each function, then run `make doc-examples`.
        // Each block is wrapped in a function that is type-checked and never called; the names it uses
        // without defining come from DocExamplePrelude.swift.

        """
        text += imports.map { $0.hasPrefix("@testable ") ? "@testable import \($0.dropFirst(10))\n" : "import \($0)\n" }.joined()
        var counts: [String: Int] = [:]
        for block in blocks {
            let base = block.source.replacingOccurrences(of: "Sources/TapeGrad/", with: "")
                .replacingOccurrences(of: ".swift", with: "").replacingOccurrences(of: ".docc", with: "")
                .replacingOccurrences(of: ".md", with: "")
                .map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
            counts[base, default: 0] += 1
            text += "\n// \(block.source):\(block.line)\n"
            text += "private func \(prefix)_\(base)_\(counts[base] ?? 0)() async throws {\n"
            let code = block.code.filter { !$0.hasPrefix("import ") }
            for (i, line) in code.enumerated() {
                let next = code[(i + 1)...].first { !$0.isEmpty }
                if isValueStatement(line, next: next) {
                    let comment = line.range(of: "//").map { String(line[$0.lowerBound...]) } ?? ""
                    let expression = String(line.dropLast(comment.count)).trimmingCharacters(in: .whitespaces)
                    text += "    docExampleValue(\(expression))" + (comment.isEmpty ? "" : "   " + comment) + "\n"
                } else {
                    text += line.isEmpty ? "\n" : "    " + line + "\n"
                }
            }
            let names = block.code.flatMap(boundNames)
            if !names.isEmpty { text += "    _ = (\(names.joined(separator: ", ")))   // uses the example's values: no unused-value warnings\n" }
            text += "}\n"
        }
        return text
    }
}
