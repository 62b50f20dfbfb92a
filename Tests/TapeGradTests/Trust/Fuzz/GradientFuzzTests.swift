import Foundation
import XCTest
@testable import TapeGrad

/// Random differentiable programs (including second-order steps) checked against central finite differences.
/// `make test` runs 500 programs; `make fuzz N=100000` runs more (`TAPEGRAD_FUZZ_N`, from `TAPEGRAD_FUZZ_SEED`).
/// A failure prints the shortest failing prefix of the program as a Swift snippet.
final class GradientFuzzTests: XCTestCase {
    static let tolerance = 1e-5

    func testRandomProgramsMatchFiniteDifferences() throws {
        let environment = ProcessInfo.processInfo.environment
        let count = environment["TAPEGRAD_FUZZ_N"].flatMap { Int($0) } ?? 500
        let firstSeed = environment["TAPEGRAD_FUZZ_SEED"].flatMap { UInt64($0) } ?? 1
        let start = Date()
        var steps = 0, secondOrder = 0, failures = 0, worst = 0.0
        for seed in firstSeed..<(firstSeed + UInt64(count)) {
            var generator = FuzzGenerator(seed: seed)
            let program = generator.program()
            steps += program.steps.count
            if program.steps.contains(where: { $0.name.hasPrefix("gradient(") }) { secondOrder += 1 }
            guard let error = Self.failure(of: program, worst: &worst) else { continue }
            failures += 1
            let minimal = Self.shrink(program)
            XCTFail("fuzz seed \(seed): \(error)\nshortest failing program:\n\(minimal.swiftSnippet())")
            if failures >= 3 { break }
        }
        let seconds = Date().timeIntervalSince(start)
        print("gradient fuzz: \(count) programs from seed \(firstSeed) (\(steps) steps, \(secondOrder) with second-order steps), "
            + "\(failures) failures, worst relative error \(worst), \(String(format: "%.2f", seconds)) s")
    }

    /// Why `program` fails the check, or nil when its gradient matches finite differences.
    static func failure(of program: FuzzProgram) -> String? {
        var worst = 0.0
        return failure(of: program, worst: &worst)
    }

    /// Like ``failure(of:)``, also raising `worst` to the program's worst relative error.
    static func failure(of program: FuzzProgram, worst: inout Double) -> String? {
        do {
            let result = try checkGradients("fuzz", at: program.inputs) { program.run($0) }
            worst = Swift.max(worst, result.worstRelativeError)
            return result.worstRelativeError > tolerance ? result.description : nil
        } catch {
            return "the program threw \(error)"
        }
    }

    /// The shortest prefix of `program` whose last value already fails (the whole program if none does).
    static func shrink(_ program: FuzzProgram) -> FuzzProgram {
        for k in program.steps.indices {
            var prefix = program
            prefix.steps = Array(program.steps[...k])
            prefix.output = program.inputs.count + k
            if failure(of: prefix) != nil { return prefix }
        }
        return program
    }

    func testTheGeneratorIsDeterministicAndCoversEveryOpFamily() {
        var names = Set<String>()
        for seed in 1...300 {
            var a = FuzzGenerator(seed: UInt64(seed)), b = FuzzGenerator(seed: UInt64(seed))
            let p = a.program(), q = b.program()
            XCTAssertEqual(p.steps.map(\.name), q.steps.map(\.name))
            XCTAssertEqual(p.run(p.inputs), q.run(q.inputs))
            names.formUnion(p.steps.map { $0.name.hasPrefix("gradient(") ? "gradient" : $0.name })
        }
        for family in ["add", "mul", "div", "maximum", "tanh", "exp", "log", "sumAxis", "softmax", "logSumExp", "transpose",
                       "gram", "concatSelf", "slice", "gather", "conv2d", "avgPool2d", "gradient"] {
            XCTAssertTrue(names.contains(family), "no program of the first 300 uses \(family)")
        }
    }

    func testAFailingProgramPrintsAReplayableSnippet() {
        var generator = FuzzGenerator(seed: 7)
        let program = generator.program()
        let snippet = program.swiftSnippet()
        XCTAssertTrue(snippet.contains("checkGradients(\"fuzz\", at: inputs)"))
        XCTAssertTrue(snippet.contains("Tensor(["))
        XCTAssertTrue(snippet.contains("return v\(program.output)") || snippet.contains("return x"))
    }
}

/// The fuzzer's check can fail: a step whose recorded derivative is wrong is caught and shrunk to itself.
final class GradientFuzzSelfTests: XCTestCase {
    func testAWrongDerivativeIsCaughtAndShrunkToTheFirstBadStep() throws {
        // x · stopGradient(x) has tape derivative x but true derivative 2x: a planted wrong pullback.
        let good = FuzzProgram.Step(name: "tanh", args: [0], render: { "tanh(\($0[0]))" }, apply: { tanh($0[0]) })
        let bad = FuzzProgram.Step(name: "planted", args: [1], render: { "\($0[0]) * stopGradient(\($0[0]))" },
                                   apply: { $0[0] * stopGradient($0[0]) })
        let after = FuzzProgram.Step(name: "sin", args: [2], render: { "sin(\($0[0]))" }, apply: { sin($0[0]) })
        let program = FuzzProgram(inputs: [Tensor([0.5, -1] as [Double])], steps: [good, bad, after], output: 3)
        XCTAssertNotNil(GradientFuzzTests.failure(of: program))
        let minimal = GradientFuzzTests.shrink(program)
        XCTAssertEqual(minimal.steps.map(\.name), ["tanh", "planted"])
        XCTAssertTrue(minimal.swiftSnippet().contains("let v2 = v1 * stopGradient(v1)"), minimal.swiftSnippet())
        XCTAssertNil(GradientFuzzTests.failure(of: FuzzProgram(inputs: program.inputs, steps: [good, after].enumerated().map { k, s in
            FuzzProgram.Step(name: s.name, args: [k], render: s.render, apply: s.apply)
        }, output: 2)))
    }
}
