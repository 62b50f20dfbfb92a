import XCTest

/// Issue 10 item 5: every ```swift block of the doc comments and README.md is type-checked, because
/// `make doc-examples` copies them into DocExamples+<folder>.generated.swift in this test target. This test fails
/// when a block was added or changed without regenerating.
final class DocExamplesTests: XCTestCase {
    func testGeneratedExampleFilesMatchTheDocComments() throws {
        let root = DocExampleExtractor.packageRoot()
        let files = try DocExampleExtractor.generate(root: root)
        for (path, expected) in files {
            let actual = try? String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
            XCTAssertTrue(actual == expected, "\(path) is stale or missing: run `make doc-examples` and rebuild the tests")
        }
        XCTAssertEqual(DocExampleExtractor.existingGeneratedFiles(root: root), files.map(\.path).sorted(),
                       "generated files differ from the ones make doc-examples writes: run it")
    }

    func testTheExtractorFindsTheReadmeAndDocCommentBlocksAndSkipsTheManifest() throws {
        let blocks = try DocExampleExtractor.blocks(root: DocExampleExtractor.packageRoot())
        XCTAssertGreaterThan(blocks.count, 100)
        XCTAssertTrue(blocks.contains { $0.source == "README.md" })
        XCTAssertFalse(blocks.contains { $0.code.contains { $0.contains(".package(path:") } })
        let lines: [String?] = ["```swift", "let a = 1", "```", "```swift", "let b = 2", nil, "```"]
        XCTAssertEqual(DocExampleExtractor.fenced(lines, source: "t").map(\.code), [["let a = 1"]])
    }
}
