import Foundation
import XCTest

/// Runs `DistributedSelfTest` under `mpirun -np 2` (built next to this test bundle by
/// `swift build --build-tests`) and checks how both processes end. Skipped when Open MPI's `mpirun`
/// is not installed (`make test` installs it).
final class DistributedTests: XCTestCase {
    struct Run {
        let status: Int32
        let output: String
        let seconds: Double
    }

    /// The build folder: where the test bundle and the self-test executable both live.
    private var buildDirectory: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    }

    private func mpirun() throws -> URL {
        for dir in ["/usr/bin", "/usr/local/bin", "/usr/lib64/openmpi/bin"] {
            let url = URL(fileURLWithPath: dir).appendingPathComponent("mpirun")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        throw XCTSkip("mpirun is not installed (apt-get install openmpi-bin libopenmpi-dev)")
    }

    private func run(_ mode: String) throws -> Run {
        let executable = buildDirectory.appendingPathComponent("DistributedSelfTest")
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            XCTFail("DistributedSelfTest is not built at \(executable.path) (swift build --build-tests builds it)")
            return Run(status: -1, output: "", seconds: 0)
        }
        let process = Process()
        process.executableURL = try mpirun()
        process.arguments = ["--oversubscribe", "-np", "2", executable.path, mode]
        var environment = ProcessInfo.processInfo.environment
        environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        environment["OMPI_MCA_btl"] = "self,vader"     // one machine: shared memory, no network probing
        environment["OPENBLAS_NUM_THREADS"] = "1"
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let start = Date()
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self), seconds: Date().timeIntervalSince(start))
    }

    private func assertEveryCheckPassed(_ run: Run, checks: Int, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(run.status, 0, run.output, file: file, line: line)
        XCTAssertFalse(run.output.contains("FAIL"), run.output, file: file, line: line)
        for rank in 0..<2 {
            let oks = run.output.split(separator: "\n").filter { $0.hasPrefix("rank \(rank): ok ") }.count
            XCTAssertEqual(oks, checks, "rank \(rank) passed \(oks) of \(checks) checks:\n\(run.output)", file: file, line: line)
            XCTAssertTrue(run.output.contains("rank \(rank): done"), run.output, file: file, line: line)
        }
    }

    func testCollectivesSumGatherBroadcastAndRejectMismatchedLayouts() throws {
        assertEveryCheckPassed(try run("collectives"), checks: 7)
    }

    func testTwoProcessGradientsEqualSingleProcessGradientsOfTheGlobalBatch() throws {
        let run = try run("gradients")
        assertEveryCheckPassed(run, checks: 6)
        XCTAssertTrue(run.output.contains("Float32 gradients of 2 shards reduced = single-process gradients"), run.output)
    }

    func testDataParallelTrainingKeepsReplicasBitIdenticalAndMatchesOneProcess() throws {
        assertEveryCheckPassed(try run("train"), checks: 1 + 5 * 2 + 1)
    }

    func testARankThatThrowsMakesBothProcessesExitWithTheErrorAndChangeNothing() throws {
        let run = try run("failure")
        XCTAssertNotEqual(run.status, 0, run.output)
        XCTAssertTrue(run.output.contains("rank 1: error: matmul"), run.output)
        XCTAssertTrue(run.output.contains("rank 0: error: DataParallelTrainer.step: the step failed on another process — rank 1: matmul"), run.output)
        XCTAssertFalse(run.output.contains("FAIL"), run.output)
        XCTAssertTrue(run.output.contains("rank 0: parameters unchanged"), run.output)
    }

    func testACollectiveThatWaitsTooLongTimesOutWithAClearError() throws {
        let run = try run("timeout")
        XCTAssertNotEqual(run.status, 0, run.output)
        XCTAssertTrue(run.output.contains("rank 0: error after"), run.output)
        XCTAssertTrue(run.output.contains("barrier: timed out after 1.0 s"), run.output)
        XCTAssertLessThan(run.seconds, 30, run.output)
    }
}
