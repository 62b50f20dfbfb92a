import Foundation
import XCTest
@testable import TapeGrad

/// Saves killed mid-write never damage the previous checkpoint, and their temporary files do not pile up.
final class CheckpointDurabilityTests: XCTestCase {
    static let childEnvironmentKey = "TAPEGRAD_CHECKPOINT_KILL_TARGET"
    static let elements = 1 << 19   // 4 MB of float64 per save: long enough to be killed mid-write

    /// The tensors of generation `g`: every element of "w" is `g`, and "generation" is `g`.
    static func generation(_ g: Int) -> [(name: String, tensor: Tensor)] {
        [("generation", Tensor(Double(g))), ("w", Tensor.full([elements], value: Double(g), dtype: .float64))]
    }

    /// Child mode: saves generations to the target path until killed. Skipped in a normal run.
    func testChildModeSavesUntilKilled() throws {
        guard let path = ProcessInfo.processInfo.environment[Self.childEnvironmentKey] else {
            throw XCTSkip("runs only as the child process of testKilledSavesLeaveThePreviousFileIntact")
        }
        var g = 1
        while true {
            try Checkpoint.save(Self.generation(g), to: URL(fileURLWithPath: path))
            g += 1
        }
    }

    func testKilledSavesLeaveThePreviousFileIntactAndNoTemporaryFile() throws {
        let folder = temporaryFolder()
        let url = folder.appendingPathComponent("net.safetensors")
        try Checkpoint.save(Self.generation(0), to: url)
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        var environment = ProcessInfo.processInfo.environment
        environment[Self.childEnvironmentKey] = url.path
        var killedMidWrite = 0, generations = Set<Int>()
        for kill in 0..<20 {
            let child = Process()
            child.executableURL = URL(fileURLWithPath: executable)
            child.arguments = ["TapeGradTests.CheckpointDurabilityTests/testChildModeSavesUntilKilled"]
            child.environment = environment
            child.standardOutput = FileHandle.nullDevice
            child.standardError = FileHandle.nullDevice
            try child.run()
            // Wait until the child is writing (its temporary file exists), however slow its start, then vary the
            // moment of the kill over the next few saves.
            let prefix = ".net.safetensors.\(child.processIdentifier)."
            let deadline = Date().addingTimeInterval(20)
            while Date() < deadline, !((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).contains(where: { $0.hasPrefix(prefix) }) {
                usleep(500)
            }
            usleep(UInt32(7_919 * kill % 40_000))
            Foundation.kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
            XCTAssertEqual(child.terminationReason, .uncaughtSignal, "kill \(kill): the child exited on its own")

            // The file is always a whole generation: read validates it strictly, and every element agrees.
            let tensors = try Checkpoint.read(from: url)
            let g = try XCTUnwrap(tensors["generation"]).item()
            let w = try XCTUnwrap(tensors["w"])
            XCTAssertEqual(w.shape, [Self.elements])
            XCTAssertTrue(w.scalars.allSatisfy { $0 == g }, "kill \(kill): a mixed file")
            generations.insert(Int(g))
            let leftovers = try temporaries(in: folder)
            XCTAssertLessThanOrEqual(leftovers.count, 1, "kill \(kill): temporary files pile up: \(leftovers)")
            if !leftovers.isEmpty { killedMidWrite += 1 }
        }
        // The next save removes what the last kill left behind.
        try Checkpoint.save(Self.generation(-1), to: url)
        XCTAssertEqual(try temporaries(in: folder), [])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["net.safetensors"])
        XCTAssertGreaterThan(killedMidWrite, 0, "no kill landed during a write; the test proves nothing")
        print("checkpoint kill test: 20 kills, \(killedMidWrite) mid-write, \(generations.count) distinct generations loaded, 0 damaged")
    }

    func testStaleTemporaryFilesOfDeadProcessesAreRemovedAndLiveOnesKept() throws {
        let folder = temporaryFolder()
        let url = folder.appendingPathComponent("m.safetensors")
        // A pid that cannot exist (above pid_max) and the old naming scheme, and a live process's file.
        let dead = folder.appendingPathComponent(".m.safetensors.2147483646.tmp")
        let deadNew = folder.appendingPathComponent(".m.safetensors.2147483645.7.tmp")
        let live = folder.appendingPathComponent(".m.safetensors.1.3.tmp")   // pid 1 is alive
        let other = folder.appendingPathComponent(".n.safetensors.2147483646.tmp")
        for f in [dead, deadNew, live, other] { try Data([1]).write(to: f) }
        try Checkpoint.save([("w", Tensor([1, 2]))], to: url)
        let names = Set(try FileManager.default.contentsOfDirectory(atPath: folder.path))
        XCTAssertEqual(names, ["m.safetensors", ".m.safetensors.1.3.tmp", ".n.safetensors.2147483646.tmp"])
    }

    func testRoundTripKeepsMetadataAndEmptyTensors() throws {
        let url = temporaryFolder().appendingPathComponent("x.safetensors")
        try Checkpoint.save([("empty", Tensor.zeros([0, 3])), ("s", Tensor(Int32(7))), ("v", Tensor([1.5, -2] as [Double]))],
                            to: url, metadata: ["epoch": "3"])
        let (tensors, metadata) = try Checkpoint.readWithMetadata(from: url)
        XCTAssertEqual(metadata, ["epoch": "3"])
        XCTAssertEqual(tensors["empty"]?.shape, [0, 3])
        XCTAssertEqual(tensors["s"]?.asArray(Int32.self), [7])
        XCTAssertEqual(tensors["v"]?.scalars, [1.5, -2])
    }

    private func temporaries(in folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".tmp") }.sorted()
    }
}
