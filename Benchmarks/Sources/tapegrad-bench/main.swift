// TapeGrad's benchmark table: each figure beside its floor measured in the same run (see README.md).
//
//     swift run -c release --package-path Benchmarks tapegrad-bench [--quick] [--only W0,W2] [--threads all|1|both]
import CBLASFloor
import Foundation
import TapeGrad

// MARK: - Options

struct Options {
    var quick = false
    var only: Set<String> = ["W0", "W1", "W2", "W3", "W4", "W5", "W6", "W7", "W8", "W9"]
    var threads = "both"
    var childJSON: String?
    var w4Child: Int?
    var output = "bench-results.json"

    init(_ args: [String]) {
        var i = 1
        func value() -> String { i += 1; return i < args.count ? args[i] : "" }
        while i < args.count {
            switch args[i] {
            case "--quick": quick = true
            case "--only": only = Set(value().split(separator: ",").map { $0.uppercased() })
            case "--threads": threads = value()
            case "--child-json": childJSON = value()
            case "--w4-child": w4Child = Int(value()) ?? 0
            case "--output": output = value()
            case "--help", "-h":
                print("""
                    tapegrad-bench [--quick] [--only W0,W1,W2,W3,W4,W5,W6,W7,W8,W9] [--threads all|1|both] [--output bench-results.json]
                      --quick    5 repetitions, no n = 2048
                      --only     a comma-separated subset of the workloads (default: all)
                      --threads  'all' (OpenBLAS default), '1' (OPENBLAS_NUM_THREADS=1, in a child process), or both
                    """)
                exit(0)
            default: break
            }
            i += 1
        }
    }
}

// MARK: - Timing

func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

struct Stats {
    let median, min, max: Double

    /// Median (mean of the middle two for an even count), min and max of `samples`.
    init(_ samples: [Double]) {
        let t = samples.sorted()
        median = t.count % 2 == 1 ? t[t.count / 2] : (t[t.count / 2 - 1] + t[t.count / 2]) / 2
        min = t[0]
        max = t[t.count - 1]
    }

    /// The same figures scaled (seconds → ms: 1e3).
    func scaled(_ k: Double) -> (Double, Double, Double) { (median * k, min * k, max * k) }
}

/// Runs `body` `warmup` times untimed, then `reps` times, and returns the seconds per run.
func measure(reps: Int, warmup: Int = 2, _ body: () -> Void) -> Stats {
    for _ in 0..<warmup { body() }
    var t: [Double] = []
    for _ in 0..<reps {
        let s = now()
        body()
        t.append(now() - s)
    }
    return Stats(t)
}

struct Record: Codable {
    var workload: String
    var variant: String
    var threads: String
    var metric: String
    var value: Double
    var min: Double?
    var max: Double?
    var floor: Double?
    var ratio: Double?
    /// OPENBLAS_CORETYPE as this process saw it (nil: unset), so that ratios pair like with like.
    var coretype: String? = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"]

    // Written out with explicit nulls (the synthesized encoder would drop nil keys).
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(workload, forKey: .workload)
        try c.encode(variant, forKey: .variant)
        try c.encode(threads, forKey: .threads)
        try c.encode(metric, forKey: .metric)
        try c.encode(value, forKey: .value)
        try c.encode(min, forKey: .min)
        try c.encode(max, forKey: .max)
        try c.encode(floor, forKey: .floor)
        try c.encode(ratio, forKey: .ratio)
        try c.encode(coretype, forKey: .coretype)
    }
}

nonisolated(unsafe) var records: [Record] = []
let options = Options(CommandLine.arguments)
let threadLabel = ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] == "1" ? "1" : "all"
let reps = options.quick ? 5 : 20

func report(_ r: Record) {
    records.append(r)
    func f(_ v: Double?) -> String { v.map { String(format: "%10.3f", $0) } ?? "         —" }
    let ratio = r.ratio.map { String(format: "%6.3f", $0) } ?? "     —"
    print("\(r.workload.padding(toLength: 4, withPad: " ", startingAt: 0)) \(r.variant.padding(toLength: 50, withPad: " ", startingAt: 0)) \(r.threads.padding(toLength: 4, withPad: " ", startingAt: 0)) \(r.metric.padding(toLength: 11, withPad: " ", startingAt: 0)) \(f(r.value)) \(f(r.min)) \(f(r.max)) \(f(r.floor)) \(ratio)")
}

// MARK: - Floors: direct cblas calls

func sgemm(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int,
           _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>) {
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                blasint(m), blasint(n), blasint(k), 1, a, blasint(transA ? m : k), b, blasint(transB ? k : n), 0, c, blasint(n))
}

func randomBuffer(_ n: Int, seed: UInt64) -> [Float] { Tensor.randomUniform([n], lower: -1, upper: 1, seed: seed).asArray(Float.self) }

// MARK: - W0: matmul through Tensor vs cblas_sgemm

nonisolated(unsafe) var cblasRate1024 = 0.0

func w0() {
    let sizes = options.quick ? [256, 512, 1024] : [256, 512, 1024, 2048]
    for n in sizes {
        let r = reps
        let a = Tensor.randomUniform([n, n], lower: -1, upper: 1, seed: 1), b = Tensor.randomUniform([n, n], lower: -1, upper: 1, seed: 2)
        let pa = a.asArray(Float.self), pb = b.asArray(Float.self)
        var pc = [Float](repeating: 0, count: n * n)
        let flops = 2 * Double(n * n * n)
        // Interleave the two measurements so drift hits both alike.
        var tensorTimes: [Double] = [], blasTimes: [Double] = []
        for _ in 0..<2 { _ = matmul(a, b); sgemm(false, false, n, n, n, pa, pb, &pc) }
        for _ in 0..<r {
            var s = now(); _ = matmul(a, b); tensorTimes.append(now() - s)
            s = now(); sgemm(false, false, n, n, n, pa, pb, &pc); blasTimes.append(now() - s)
        }
        let ts = Stats(tensorTimes), bs = Stats(blasTimes)
        let tensorRate = flops / ts.median / 1e9, blasRate = flops / bs.median / 1e9
        if n == 1024 { cblasRate1024 = blasRate }
        report(Record(workload: "W0", variant: "matmul n=\(n) (Tensor)", threads: threadLabel, metric: "gflops", value: tensorRate,
                      min: flops / ts.max / 1e9, max: flops / ts.min / 1e9, floor: blasRate, ratio: tensorRate / blasRate))
        report(Record(workload: "W0", variant: "cblas_sgemm n=\(n) (floor)", threads: threadLabel, metric: "gflops", value: blasRate,
                      min: flops / bs.max / 1e9, max: flops / bs.min / 1e9, floor: nil, ratio: nil))
    }
}

// MARK: - W1: the MLP step

final class MLP: Cell {
    let fc1: Dense, fc2: Dense, fc3: Dense
    init(batchSeed: UInt64 = 1) {
        fc1 = Dense(inChannels: 784, outChannels: 512, activation: .relu, seed: 11)
        fc2 = Dense(inChannels: 512, outChannels: 512, activation: .relu, seed: 12)
        fc3 = Dense(inChannels: 512, outChannels: 10, seed: 13)
        super.init()
    }
    override func construct(_ x: Tensor) -> Tensor { fc3(fc2(fc1(x))) }
}

struct W1Setup {
    let net = MLP()
    let loss = SoftmaxCrossEntropyWithLogits(sparse: true, reduction: .mean)
    let x: Tensor
    let labels: Tensor
    let oneHotLabels: Tensor
    init(batch: Int) {
        x = Tensor.randomNormal([batch, 784], seed: 21)
        labels = Tensor((0..<batch).map { Int32($0 % 10) })
        oneHotLabels = oneHot(labels, depth: 10)   // built once, outside the timed loop
    }

    /// The six parameters as plain tensors, in the order w1, b1, w2, b2, w3, b3 (the Dense cells' values).
    var parameterValues: [Tensor] {
        [net.fc1, net.fc2, net.fc3].flatMap { [$0.weight.value, $0.bias!.value] }
    }
}

/// One W1 step: returns the loss. The variants compute the same loss from the same numbers.
typealias W1Step = () -> Double?

/// The W1 variants, each a closure running one loss-and-6-gradients step. Add new APIs here.
func w1Variants(_ setup: W1Setup) -> [(name: String, step: W1Step)] {
    let (x, labels, mask) = (setup.x, setup.labels, setup.oneHotLabels)
    var variants: [(name: String, step: W1Step)] = []

    // 1. valueWithGradient(at: [w1, b1, w2, b2, w3, b3]) over composed ops (matmul, +, relu, logSoftmax, one-hot mask).
    let p = setup.parameterValues
    variants.append(("valueWithGradient(at:), composed", {
        let r = try? valueWithGradient(at: p) { t in
            let h1 = relu(matmul(x, t[0], transposeB: true) + t[1])
            let h2 = relu(matmul(h1, t[2], transposeB: true) + t[3])
            let logits = matmul(h2, t[4], transposeB: true) + t[5]
            return -(logits.logSoftmax(alongAxis: -1) * mask).sum(alongAxes: [1]).mean()
        }
        return r?.value.item()
    }))

    // 2. valueAndGrad(fn, gradPosition: nil, weights: params) over the Dense cells (fused linear) and the sparse loss.
    let (net, loss) = (setup.net, setup.loss)
    let params = net.trainableParams()
    if let step = try? valueAndGrad({ (x: Tensor, y: Tensor) in loss(net(x), y) }, gradPosition: nil, weights: params) {
        variants.append(("valueAndGrad(weights:), Dense", { (try? step(x, labels))?.value.item() }))
    }

    // 3. ForwardValueAndGrad(WithLossCell(net, loss), weights: params, getByList: true).
    if let fvg = try? ForwardValueAndGrad(WithLossCell(net, loss), weights: params, getByList: true) {
        variants.append(("ForwardValueAndGrad, Dense", { (try? fvg.valueAndGradients(x, labels))?.value.asTensor.item() }))
    }
    return variants
}

func w1() {
    let batch = 256
    let setup = W1Setup(batch: batch)
    let variants = w1Variants(setup)

    // The floor: the 8 sgemms of a reverse pass with the same shapes and flags.
    let x = randomBuffer(batch * 784, seed: 1), w1 = randomBuffer(512 * 784, seed: 2), w2 = randomBuffer(512 * 512, seed: 3)
    let w3 = randomBuffer(10 * 512, seed: 4)
    var h1 = [Float](repeating: 0, count: batch * 512), h2 = h1, logits = [Float](repeating: 0, count: batch * 10)
    var d1 = h1, d2 = h1, dw1 = [Float](repeating: 0, count: 512 * 784), dw2 = [Float](repeating: 0, count: 512 * 512)
    var dw3 = [Float](repeating: 0, count: 10 * 512)
    let g = randomBuffer(batch * 10, seed: 5)
    let floorBody = {
        sgemm(false, true, batch, 512, 784, x, w1, &h1)        // H1 = X·W1ᵀ
        sgemm(false, true, batch, 512, 512, h1, w2, &h2)       // H2 = H1·W2ᵀ
        sgemm(false, true, batch, 10, 512, h2, w3, &logits)    // L = H2·W3ᵀ
        sgemm(true, false, 10, 512, batch, g, h2, &dw3)        // ∂W3 = Gᵀ·H2
        sgemm(false, false, batch, 512, 10, g, w3, &d2)        // ∂H2 = G·W3
        sgemm(true, false, 512, 512, batch, d2, h1, &dw2)      // ∂W2 = G2ᵀ·H1
        sgemm(false, false, batch, 512, 512, d2, w2, &d1)      // ∂H1 = G2·W2
        sgemm(true, false, 512, 784, batch, d1, x, &dw1)       // ∂W1 = G1ᵀ·X
    }

    // Sanity: every variant computes the same loss.
    let losses = variants.map { $0.step() ?? .nan }
    if let l0 = losses.first, losses.contains(where: { !(abs($0 - l0) <= 1e-4 * Swift.max(1, abs(l0))) }) {
        print("W1: the variants disagree on the loss: \(zip(variants.map(\.name), losses).map { "\($0) = \($1)" })")
    }

    // Interleave variants and floor rep by rep so drift hits all alike.
    var times = [[Double]](repeating: [], count: variants.count), floorTimes: [Double] = []
    for _ in 0..<2 { for v in variants { _ = v.step() }; floorBody() }
    for _ in 0..<reps {
        for (i, v) in variants.enumerated() { let s = now(); _ = v.step(); times[i].append(now() - s) }
        let s = now(); floorBody(); floorTimes.append(now() - s)
    }
    let floor = Stats(floorTimes).median * 1e3
    for (i, v) in variants.enumerated() {
        let (m, lo, hi) = Stats(times[i]).scaled(1e3)
        report(Record(workload: "W1", variant: "MLP step, \(v.name)", threads: threadLabel, metric: "ms",
                      value: m, min: lo, max: hi, floor: floor, ratio: m / floor))
    }
    let (m, lo, hi) = Stats(floorTimes).scaled(1e3)
    report(Record(workload: "W1", variant: "8 × cblas_sgemm of a reverse pass (floor)", threads: threadLabel, metric: "ms",
                  value: m, min: lo, max: hi, floor: nil, ratio: nil))
}

// MARK: - W2: tape overhead on tiny tensors

func w2() {
    let x0 = Tensor.randomNormal([16], seed: 1)
    func chain(_ x: Tensor) -> Tensor {
        var x = x
        for _ in 0..<1000 { x = tanh(x * 1.01 + 0.1) }
        return x.sum()
    }
    // Timestamps taken inside the differentiated closure split the call into
    // setup (call → closure entry), forward (the recorded ops) and backward (closure exit → call return).
    var total: [Double] = [], forward: [Double] = [], backward: [Double] = []
    for i in 0..<(reps * 2 + 2) {
        var tIn = 0.0, tOut = 0.0
        let t0 = now()
        _ = try? valueWithGradient(at: x0) { x in
            tIn = now()
            let y = chain(x)
            tOut = now()
            return y
        }
        let t1 = now()
        if i >= 2 { total.append(t1 - t0); forward.append(tOut - tIn); backward.append(t1 - tOut) }
    }
    // Memory held per recorded op: the heap in use (glibc's mallinfo2, small and mmap'd blocks) at the
    // end of the recorded forward minus at its start, over the 3,000 ops, smallest of a few calls.
    var bytesPerOp = Double.infinity
    for _ in 0..<5 {
        var before = 0, after = 0
        _ = try? valueWithGradient(at: x0) { x in
            before = Int(tapegrad_heap_in_use())
            let y = chain(x)
            after = Int(tapegrad_heap_in_use())
            return y
        }
        bytesPerOp = Swift.min(bytesPerOp, Double(after - before) / 3000)
    }
    report(Record(workload: "W2", variant: "heap held per recorded op (bytes)", threads: threadLabel, metric: "bytes_per_op",
                  value: bytesPerOp, min: nil, max: nil, floor: nil, ratio: nil))
    let constant = measure(reps: reps * 2) { _ = chain(x0) }
    // The same gradient call inside withAnomalyDetection (every recorded output and pullback result checked).
    let checked = measure(reps: reps * 2) { _ = try? withAnomalyDetection { try valueWithGradient(at: x0) { chain($0) } } }
    let perOp = 1e6 / 3000
    for (name, stats) in [("forward + backward (one gradient call)", Stats(total)), ("forward, recorded (inside the call)", Stats(forward)),
                          ("backward (closure exit → call return)", Stats(backward)), ("forward on a constant (no tape)", constant),
                          ("forward + backward under withAnomalyDetection", checked)] {
        let (m, lo, hi) = stats.scaled(perOp)
        report(Record(workload: "W2", variant: name, threads: threadLabel, metric: "us_per_op", value: m, min: lo, max: hi, floor: nil, ratio: nil))
    }
}

// MARK: - W3: a chain of large products

func w3() {
    let n = 1024
    let a = Tensor.randomUniform([n, n], lower: -1, upper: 1, seed: 31), b = Tensor.randomUniform([n, n], lower: -1, upper: 1, seed: 32)
    let c = Tensor.randomUniform([n, n], lower: -1, upper: 1, seed: 33)
    let stats = measure(reps: reps, warmup: 2) {
        _ = try? valueWithGradient(at: a, b, c) { a, b, c in matmul(relu(matmul(a, b)), c).sum() }
    }
    if cblasRate1024 == 0 {
        let pa = a.asArray(Float.self), pb = b.asArray(Float.self)
        var pc = [Float](repeating: 0, count: n * n)
        let t = measure(reps: reps) { sgemm(false, false, n, n, n, pa, pb, &pc) }
        cblasRate1024 = 2 * Double(n * n * n) / t.median / 1e9
    }
    let rate = 6 * 2 * Double(n * n * n) / stats.median / 1e9
    let floorMs = 6 * 2 * Double(n * n * n) / cblasRate1024 / 1e6
    report(Record(workload: "W3", variant: "sum(relu(A·B)·C), grads A,B,C", threads: threadLabel, metric: "ms",
                  value: stats.median * 1e3, min: stats.min * 1e3, max: stats.max * 1e3, floor: floorMs, ratio: stats.median * 1e3 / floorMs))
    report(Record(workload: "W3", variant: "efficiency vs W0 cblas n=1024", threads: threadLabel, metric: "efficiency",
                  value: rate / cblasRate1024, min: nil, max: nil, floor: cblasRate1024, ratio: rate / cblasRate1024))
}

// MARK: - W4: peak memory of W1 at batch 1024 (in a child process)

func residentMB(_ field: String) -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
        let kb = Double(line.split(separator: " ").dropFirst().first.map(String.init) ?? "0") ?? 0
        return kb / 1024
    }
    return 0
}

func w4Child(_ index: Int) {
    let before = residentMB("VmRSS")   // before the first tensor
    let setup = W1Setup(batch: 1024)
    let variants = w1Variants(setup)
    guard variants.indices.contains(index) else { print("no W1 variant \(index)"); return }
    for _ in 0..<7 { _ = variants[index].step() }   // 2 warm-up + 5 timed steps
    print(variants[index].name)
    print(String(format: "%.3f", residentMB("VmHWM") - before))
}

func runChild(_ args: [String], environment: [String: String]) -> String? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    process.arguments = args
    var env = ProcessInfo.processInfo.environment
    for (k, v) in environment { env[k] = v }
    process.environment = env
    let pipe = Pipe()
    process.standardOutput = pipe
    do { try process.run() } catch { return nil }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(data: data, encoding: .utf8)
}

func w4() {
    // The variant names come from the children; stop at the first index a child does not know.
    for index in 0..<8 {
        let lines = runChild(["--w4-child", String(index)], environment: [:])?.split(separator: "\n").map(String.init) ?? []
        guard lines.count >= 2, let mb = Double(lines[lines.count - 1]) else {
            if index == 0 { print("W4: the child process failed (\(lines.joined(separator: " / ")))") }
            return
        }
        report(Record(workload: "W4", variant: "peak RSS b=1024, \(lines[lines.count - 2])", threads: threadLabel, metric: "mb",
                      value: mb, min: nil, max: nil, floor: nil, ratio: nil))
    }
}

// MARK: - W5: the demo's training steps

func w5() {
    let x = Tensor.randomUniform([32, 64], seed: 51), labels = Tensor((0..<32).map { Int32($0 % 10) })
    let mlp = SequentialCell([Dense(inChannels: 64, outChannels: 128, activation: .relu), Dense(inChannels: 128, outChannels: 64, activation: .relu),
                              Dense(inChannels: 64, outChannels: 10)])
    let cnn = SequentialCell([Conv2d(inChannels: 1, outChannels: 8, kernelSize: 3, padMode: .same, hasBias: true), ReLU(), MaxPool2d(kernelSize: 2, stride: 2),
                              Conv2d(inChannels: 8, outChannels: 16, kernelSize: 3, padMode: .same, hasBias: true), ReLU(), MaxPool2d(kernelSize: 2, stride: 2),
                              Flatten(), Dense(inChannels: 64, outChannels: 10)])
    for (name, net, input) in [("MLP 64→128→64→10", mlp as Cell, x), ("CNN conv8-pool-conv16-pool-dense", cnn as Cell, x.reshaped(to: [32, 1, 8, 8]))] {
        let loss = SoftmaxCrossEntropyWithLogits(sparse: true, reduction: .mean)
        guard let step = try? TrainOneStepCell(WithLossCell(net, loss), optimizer: Momentum(params: net.trainableParams(), learningRate: 0.05, momentum: 0.9)) else { continue }
        let stats = measure(reps: reps * 5) { _ = try? step.step(input, labels) }
        report(Record(workload: "W5", variant: "demo \(name), batch 32", threads: threadLabel, metric: "steps_per_s",
                      value: 1 / stats.median, min: 1 / stats.max, max: 1 / stats.min, floor: nil, ratio: nil))
    }
}

// MARK: - Main

if let index = options.w4Child {
    w4Child(index)
    exit(0)
}

if CommandLine.arguments.contains("--sgemm-probe") { sgemmProbe(); exit(0) }
let coretype = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"]
let openblasCore = String(cString: openblas_get_corename()), openblasThreads = openblas_get_num_threads()
if options.childJSON == nil {
    print("TapeGrad benchmarks — OPENBLAS_CORETYPE is \(coretype.map { "set to \($0)" } ?? "not set"); OpenBLAS core \(openblasCore), "
          + "\(openblasThreads) threads; \(ProcessInfo.processInfo.activeProcessorCount) cores; \(options.quick ? "quick, " : "")\(reps) reps")
    print("OpenBLAS config: \(String(cString: openblas_get_config()))")
    printCoretypeHint()
    print("WL   figure                                             thr  metric          median        min        max      floor  ratio")
}

if options.childJSON != nil {
    print("— single-thread half (child process, OPENBLAS_NUM_THREADS=1): OpenBLAS core \(openblasCore), \(openblasThreads) thread(s)")
}

let runHere = options.childJSON != nil || options.threads == "all" || options.threads == "both" || (options.threads == "1" && threadLabel == "1")
if runHere {
    if options.only.contains("W0") { w0() }
    if options.only.contains("W1") { w1() }
    if options.only.contains("W2") { w2() }
    if options.only.contains("W3") { w3() }
    if options.only.contains("W4") { w4() }
    if options.only.contains("W5") { w5() }
    if options.only.contains("W6") { w6() }
    if options.only.contains("W7") { w7() }
    if options.only.contains("W8") { w8() }
    if options.only.contains("W9") { w9() }
    if options.only.contains("BN") { bn() }
    if options.only.contains("W11") { w11() }   // Products.swift
    if options.only.contains("W2LOOP") { w2Loop() }   // EagerLoop.swift: for a profiler
    if options.only.contains("BM") { boolMasks() }
    jitWorkloads(options.only)   // Jit.swift: jit beside eager in the same run
    jitCoverageWorkloads(options.only)   // JitCoverage.swift: `--only JT`, jit on attention and embeddings
    vectorMathWorkloads(options.only)   // VectorMath.swift: VM (ns/element), VMA (accuracy sweep)
}

if let path = options.childJSON {
    if let data = try? JSONEncoder().encode(records) { try? data.write(to: URL(fileURLWithPath: path)) }
    exit(0)
}

if options.threads == "both" || (options.threads == "1" && threadLabel != "1") {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("tapegrad-bench-\(getpid()).json").path
    var args = ["--child-json", path, "--only", options.only.joined(separator: ",")]
    if options.quick { args.append("--quick") }
    if let output = runChild(args, environment: ["OPENBLAS_NUM_THREADS": "1", "TAPEGRAD_NUM_THREADS": "1"]) {
        print(output, terminator: "")
    }
    if let data = try? Data(contentsOf: URL(fileURLWithPath: path)), let child = try? JSONDecoder().decode([Record].self, from: data) {
        records += child
    }
    try? FileManager.default.removeItem(atPath: path)
}

let encoder = JSONEncoder()
encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
if let data = try? encoder.encode(records) {
    try? data.write(to: URL(fileURLWithPath: options.output))
    print("wrote \(options.output) (\(records.count) records)")
}
