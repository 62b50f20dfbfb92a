import Foundation
import TapeGrad

// W2LOOP: W2's gradient call (a 3,000-op chain x = tanh(x · 1.01 + 0.1) on 16 floats, forward and backward)
// repeated for a few seconds, for a profiler: `perf record -g tapegrad-bench --only W2LOOP --threads all`.
// TAPEGRAD_W2LOOP_SECONDS sets the duration (default 5). Prints the mean µs per op; not part of the default run.
func w2Loop() {
    let seconds = Double(ProcessInfo.processInfo.environment["TAPEGRAD_W2LOOP_SECONDS"] ?? "") ?? 5
    let x0 = Tensor.randomNormal([16], seed: 1)
    func chain(_ x: Tensor) -> Tensor {
        var x = x
        for _ in 0..<1000 { x = tanh(x * 1.01 + 0.1) }
        return x.sum()
    }
    let start = now()
    var calls = 0
    while now() - start < seconds {
        _ = try? valueWithGradient(at: x0) { chain($0) }
        calls += 1
    }
    let perOp = (now() - start) / Double(calls * 3000) * 1e6
    print("W2LOOP: \(calls) gradient calls, \(String(format: "%.3f", perOp)) µs per op (forward + backward)")
}
