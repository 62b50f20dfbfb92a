// TapeGrad's sequence demo: a small Transformer encoder (or an LSTM) learns a task generated in code —
// sorting 10 digits, or adding two 5-digit numbers — from scratch, and is scored by exact match on
// held-out sequences (never seen in training). Shows a progress bar, writes an SVG training curve and ends
// with `test accuracy: NN.N %`.
//
//     swift run -c release tapegrad-seq-demo [--model transformer|lstm] [--task sort|add] [--epochs N] [--help]
import Foundation
import TapeGrad

struct Options {
    var model = "transformer"
    var task: Task?
    var epochs: Int?
    var batchSize = 64
    var learningRate = 2e-3
    var trainCount = 24_000
    var testCount = 2_000
    var seed: UInt64 = 1
    var output = "demo-output"

    static let help = """
        tapegrad-seq-demo — train a sequence model with TapeGrad

          --model NAME        transformer (2 encoder layers, d 64, 4 heads) | lstm (2 layers, hidden 128) (default transformer)
          --task NAME         sort (10 digits) | add (two 5-digit numbers) (default: sort for the transformer, add for the lstm)
          --epochs N          passes over the training set (default 3 for the transformer, 2 for the lstm)
          --batch-size N      minibatch size (default 64)
          --learning-rate X   Adam's learning rate (default 0.002)
          --train N           training sequences (default 24000)
          --seed N            seed for the data, the shuffles and the initial weights (default 1)
          --output DIR        where the training curve goes (default demo-output)
        """

    init(_ args: [String]) throws {
        var i = 1
        func value() throws -> String {
            i += 1
            guard i < args.count else { throw DemoError("\(args[i - 1]) needs a value") }
            return args[i]
        }
        func int() throws -> Int {
            let s = try value()
            guard let v = Int(s), v > 0 else { throw DemoError("\(args[i - 1]) needs a positive whole number, got \(s)") }
            return v
        }
        while i < args.count {
            switch args[i] {
            case "--model": model = try value().lowercased()
            case "--task":
                let name = try value().lowercased()
                guard let t = Task(rawValue: name) else { throw DemoError("unknown task \(name) (sort | add)") }
                task = t
            case "--epochs": epochs = try int()
            case "--batch-size": batchSize = try int()
            case "--learning-rate":
                guard let lr = Double(try value()), lr > 0 else { throw DemoError("--learning-rate needs a positive number") }
                learningRate = lr
            case "--train": trainCount = try int()
            case "--seed": seed = UInt64(try int())
            case "--output": output = try value()
            case "--help", "-h": print(Options.help); exit(0)
            default: throw DemoError("unknown flag \(args[i]) (see --help)")
            }
            i += 1
        }
        guard ["transformer", "lstm"].contains(model) else { throw DemoError("unknown model \(model) (transformer | lstm)") }
    }
}

struct DemoError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// Exact-match accuracy (every position right) and per-digit accuracy on `inputs`/`targets`.
func evaluate(_ net: Cell, _ inputs: Tensor, _ targets: Tensor, length: Int) -> (exact: Double, digits: Double) {
    net.setTrain(false)
    defer { net.setTrain(true) }
    let n = inputs.shape[0]
    var exact = 0, digits = 0
    let truth = targets.asArray(Int32.self)
    for start in stride(from: 0, to: n, by: 500) {
        let end = Swift.min(start + 500, n)
        let logits = net(inputs.sliced(alongAxis: 0, from: start, to: end)).asArray(Float.self)
        for row in 0..<(end - start) {
            var all = true
            for p in 0..<length {
                let base = (row * length + p) * 10
                var best = 0
                for c in 1..<10 where logits[base + c] > logits[base + best] { best = c }
                let ok = Int32(best) == truth[(start + row) * length + p]
                digits += ok ? 1 : 0
                all = all && ok
            }
            exact += all ? 1 : 0
        }
    }
    return (Double(exact) / Double(n), Double(digits) / Double(n * length))
}

func run() throws {
    let options = try Options(CommandLine.arguments)
    let task = options.task ?? (options.model == "lstm" ? .add : .sort)
    let epochs = options.epochs ?? (options.model == "lstm" ? 2 : 3)
    setSeed(options.seed)
    let test = task.examples(options.testCount, seed: options.seed &+ 100)
    let train = task.examples(options.trainCount, seed: options.seed &+ 200, excluding: test.seen)
    print("task: \(task == .sort ? "sort 10 digits" : "add two 5-digit numbers"); \(options.trainCount) training and"
          + " \(options.testCount) held-out sequences (disjoint), seed \(options.seed)")

    let net: Cell = options.model == "lstm" ? LSTMModel(task: task) : TransformerModel(task: task)
    let params = net.trainableParams()
    let optimizer = Adam(params: params, learningRate: .constant(options.learningRate))
    let trainStep = try TrainOneStepCell(WithLossCell(net, SoftmaxCrossEntropyWithLogits(sparse: true, reduction: .mean)), optimizer: optimizer)
    net.setTrain(true)
    print("model: \(options.model), \(params.map { $0.shape.reduce(1, *) }.reduce(0, +)) parameters; Adam, learning rate"
          + " \(options.learningRate), batch \(options.batchSize), \(epochs) epochs")

    let data = TensorDataset([train.inputs, train.targets])
        .shuffled(seed: options.seed &+ 300)
        .batched(size: options.batchSize, dropRemainder: true)
        .map { [$0[0], $0[1].reshaped(to: [-1])] }
    let batchesPerEpoch = data.count
    let interactive = isatty(STDOUT_FILENO) != 0
    var history: [(loss: Double, train: Double, test: Double)] = []
    let start = Date()
    for epoch in 0..<epochs {
        var total = 0.0, done = 0
        let epochStart = Date()
        for batch in data.prefetched(epoch: epoch, bufferSize: 4) {
            total += try trainStep.step(batch[0], batch[1]).item()
            done += 1
            if interactive && (done % 25 == 0 || done == batchesPerEpoch) {
                let width = 30, filled = width * done / batchesPerEpoch
                let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
                let line = String(format: "\repoch %2d/%d %@ loss %.4f", epoch + 1, epochs, bar, total / Double(done))
                FileHandle.standardOutput.write(line.data(using: .utf8) ?? Data())
            }
        }
        let seconds = Date().timeIntervalSince(epochStart)
        let trainScore = evaluate(net, train.inputs.sliced(alongAxis: 0, from: 0, to: 2000), train.targets.sliced(alongAxis: 0, from: 0, to: 2000), length: task.length)
        let testScore = evaluate(net, test.inputs, test.targets, length: task.length)
        history.append((total / Double(done), trainScore.exact, testScore.exact))
        let line = String(format: "epoch %2d/%d loss %.4f  train exact %5.1f %%  test exact %5.1f %% (digits %5.1f %%)  %5.0f steps/s  %5.1f s",
                          epoch + 1, epochs, total / Double(done), trainScore.exact * 100, testScore.exact * 100, testScore.digits * 100,
                          Double(done) / seconds, Date().timeIntervalSince(start))
        print(interactive ? "\r" + line + "          " : line)
    }
    let seconds = Date().timeIntervalSince(start)
    let final = evaluate(net, test.inputs, test.targets, length: task.length)

    let folder = URL(fileURLWithPath: options.output, isDirectory: true)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let curve = folder.appendingPathComponent("sequence-\(options.model)-\(task.rawValue).svg")
    try curveSVG(history, title: "TapeGrad \(options.model) on \(task == .sort ? "sorting 10 digits" : "5-digit addition") — exact match")
        .write(to: curve, atomically: true, encoding: .utf8)
    print("training curve: \(curve.path)")
    print(String(format: "training time: %.1f s", seconds))
    print(String(format: "test accuracy: %.1f %%", final.exact * 100))
}

do {
    try run()
} catch {
    FileHandle.standardError.write("tapegrad-seq-demo: \(error)\n".data(using: .utf8) ?? Data())
    exit(1)
}
