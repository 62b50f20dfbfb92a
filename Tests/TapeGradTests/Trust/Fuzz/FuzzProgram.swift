import Foundation
@testable import TapeGrad

/// A random differentiable program: float64 inputs, then steps that each apply an op to earlier values.
/// Value `i` is input `i` for `i < inputs.count`, then the result of step `i − inputs.count`.
struct FuzzProgram {
    struct Step {
        let name: String
        let args: [Int]
        /// Swift source of the step, from the argument names.
        let render: ([String]) -> String
        let apply: ([Tensor]) -> Tensor
    }

    var inputs: [Tensor]
    var steps: [Step]
    /// The value the program returns.
    var output: Int

    /// Runs the program on `xs` (one tensor per input).
    func run(_ xs: [Tensor]) -> Tensor {
        var values = xs
        for step in steps { values.append(step.apply(step.args.map { values[$0] })) }
        return values[output]
    }

    /// The steps the output depends on (dead code dropped), in order.
    var liveSteps: [Int] {
        var live = Set([output]), order: [Int] = []
        for (k, step) in steps.enumerated().reversed() where live.contains(inputs.count + k) {
            order.append(k)
            live.formUnion(step.args)
        }
        return order.reversed()
    }

    /// The program as a self-contained Swift snippet that reproduces the check.
    func swiftSnippet() -> String {
        func name(_ i: Int) -> String { i < inputs.count ? "x\(i)" : "v\(i)" }
        var lines = ["// Reproduce with `@testable import TapeGrad`:"]
        lines.append("let inputs = [")
        for x in inputs { lines.append("    Tensor(\(x.scalars) as [Double], shape: \(x.shape)),") }
        lines.append("]")
        lines.append("let result = try checkGradients(\"fuzz\", at: inputs) { xs in")
        for i in inputs.indices { lines.append("    let x\(i) = xs[\(i)]") }
        for k in liveSteps {
            let step = steps[k]
            lines.append("    let \(name(inputs.count + k)) = \(step.render(step.args.map(name)))")
        }
        lines.append("    return \(name(output))")
        lines.append("}")
        lines.append("print(result)   // worst relative error should be < 1e-6")
        return lines.joined(separator: "\n")
    }
}

/// Makes random programs from a seed: random ops over random broadcast-compatible shapes, with inner
/// gradients (second order) mixed in. Values are kept bounded: a step whose result is not finite or exceeds
/// `bound` in magnitude is dropped and another one drawn.
struct FuzzGenerator {
    var rng: RandomGenerator
    let bound = 30.0

    init(seed: UInt64) { rng = RandomGenerator(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ 1) }

    mutating func int(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }

    mutating func program() -> FuzzProgram {
        // A base shape of rank 0–3 with sizes 1–3; each input drops leading dimensions or sets some to 1.
        let base = (0..<[0, 1, 2, 2, 3][int(5)]).map { _ in 1 + int(3) }
        var inputs: [Tensor] = []
        for _ in 0..<(1 + int(3)) {
            var shape = Array(base.dropFirst(int(base.count + 1)))
            for d in shape.indices where int(3) == 0 { shape[d] = 1 }
            let values = (0..<SizeArithmetic.count(of: shape)).map { _ in (rng.nextUniform() * 3 - 1.5).rounded(toPlaces: 3) }
            inputs.append(Tensor(values, shape: shape))
        }
        var program = FuzzProgram(inputs: inputs, steps: [], output: 0)
        var values = inputs
        let length = 1 + int(6)
        var attempts = 0
        while program.steps.count < length && attempts < 60 {
            attempts += 1
            guard let step = randomStep(values) else { continue }
            let result = (try? withErrorChecking { step.apply(step.args.map { values[$0] }) })
            guard let result, result.dtype == .float64, result.count > 0, result.count <= 200,
                  result.scalars.allSatisfy({ $0.isFinite && Swift.abs($0) <= bound }) else { continue }
            program.steps.append(step)
            values.append(result)
        }
        program.output = values.count - 1
        return program
    }

    /// One random step over the values so far (nil when the drawn op does not apply).
    mutating func randomStep(_ values: [Tensor]) -> FuzzProgram.Step? {
        let a = int(values.count)
        let x = values[a]
        switch int(10) {
        case 0...2:
            let op = FuzzOps.elementwise[int(FuzzOps.elementwise.count)]
            return FuzzProgram.Step(name: op.name, args: [a], render: { op.render($0[0]) }, apply: { op.apply($0[0]) })
        case 3...5:
            let b = int(values.count)
            guard Broadcasting.shape(x.shape, values[b].shape) != nil else { return nil }
            let op = FuzzOps.binary[int(FuzzOps.binary.count)]
            if op.name == "maximum" || op.name == "minimum" {
                // Ties (or near-ties) are kinks: finite differences straddle them.
                guard a != b, let gap = try? withErrorChecking({ abs(x - values[b]) }), gap.scalars.allSatisfy({ $0 > 1e-3 }) else { return nil }
            }
            return FuzzProgram.Step(name: op.name, args: [a, b], render: { op.render($0[0], $0[1]) }, apply: { op.apply($0[0], $0[1]) })
        case 6...8:
            let ops = FuzzOps.shaped(for: x.shape, using: &rng)
            // Half the time, one of the rank-specific ops (after the four that fit every shape); a third of
            // those, the last two (convolution and pooling for matrices, the gram products otherwise).
            let specific = ops.count > 4 && int(2) == 0
            let op = !specific ? ops[int(ops.count)] : int(3) == 0 ? ops[ops.count - 1 - int(2)] : ops[4 + int(ops.count - 4)]
            return FuzzProgram.Step(name: op.name, args: [a], render: { op.render($0[0]) }, apply: { op.apply($0[0]) })
        default:
            return innerGradient(of: a)
        }
    }

    /// A second-order step: ∂/∂y Σ chain(y) at value `a`, itself differentiated by the outer check.
    mutating func innerGradient(of a: Int) -> FuzzProgram.Step {
        let chain = (0..<(1 + int(3))).map { _ in FuzzOps.elementwise[int(FuzzOps.elementwise.count)] }
        let body = chain.reduce("y") { source, op in op.render(source) }
        return FuzzProgram.Step(
            name: "gradient(" + chain.map(\.name).joined(separator: "∘") + ")", args: [a],
            render: { "((try? gradient(at: \($0[0])) { y in \(body).sum() }) ?? Tensor.zeros(like: \($0[0])))" },
            apply: { args in
                (try? gradient(at: args[0]) { y in chain.reduce(y) { value, op in op.apply(value) }.sum() }) ?? Tensor.zeros(like: args[0])
            })
    }
}
