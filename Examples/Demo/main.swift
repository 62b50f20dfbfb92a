// TapeGrad's main example: trains a classifier on the handwritten-digits data bundled with this demo
// (UCI Optical Recognition of Handwritten Digits, CC BY 4.0 — see Resources/DATA_ATTRIBUTION.md),
// shows a progress line per epoch, and ends with the test accuracy, a confusion matrix, a checkpoint and
// an SVG training curve.
//
//     swift run -c release tapegrad-demo [--epochs 40] [--optimizer adam] [--model mlp|cnn] [--help]
import Foundation
import TapeGrad

// MARK: - Options

struct Options {
    var epochs = 40
    var batchSize = 32
    var learningRate: Double?
    var optimizer = "momentum"
    var seed: UInt64 = 7
    var output = "demo-output"
    var model = "mlp"

    static let help = """
        tapegrad-demo — train a digit classifier with TapeGrad

          --epochs N          training epochs (default 40)
          --batch-size N      minibatch size (default 32)
          --learning-rate X   learning rate (default 0.05 for momentum, 0.1 for sgd, 0.003 for adam/adamw)
          --optimizer NAME    sgd | momentum | adam | adamw (default momentum, μ = 0.9)
          --seed N            seed for the split, the shuffles and the initial weights (default 7)
          --output DIR        where the checkpoint and the training curve go (default demo-output)
          --model NAME        mlp (64→128→64→10) | cnn (conv 3×3 → pool → dense) (default mlp)
          --help              this text
        """

    init(_ args: [String]) throws {
        var i = 1
        func value(_ flag: String) throws -> String {
            i += 1
            guard i < args.count else { throw DemoError("\(flag) needs a value") }
            return args[i]
        }
        while i < args.count {
            let flag = args[i]
            switch flag {
            case "--epochs": epochs = try Options.int(try value(flag), flag)
            case "--batch-size": batchSize = try Options.int(try value(flag), flag)
            case "--learning-rate":
                guard let lr = Double(try value(flag)), lr > 0 else { throw DemoError("--learning-rate needs a positive number") }
                learningRate = lr
            case "--optimizer": optimizer = try value(flag).lowercased()
            case "--seed": seed = UInt64(try Options.int(try value(flag), flag))
            case "--output": output = try value(flag)
            case "--model": model = try value(flag).lowercased()
            case "--help", "-h": print(Options.help); exit(0)
            default: throw DemoError("unknown flag \(flag) (see --help)")
            }
            i += 1
        }
        guard ["sgd", "momentum", "adam", "adamw"].contains(optimizer) else { throw DemoError("unknown optimizer \(optimizer)") }
        guard ["mlp", "cnn"].contains(model) else { throw DemoError("unknown model \(model)") }
    }

    static func int(_ s: String, _ flag: String) throws -> Int {
        guard let v = Int(s), v > 0 else { throw DemoError("\(flag) needs a positive whole number, got \(s)") }
        return v
    }
}

struct DemoError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

// MARK: - Data

struct Dataset {
    var images: [[Float]]   // 64 values in [0, 1]
    var labels: [Int32]

    static func loadDigits() throws -> Dataset {
        guard let url = Bundle.module.url(forResource: "digits", withExtension: "csv", subdirectory: "Resources") else {
            throw DemoError("digits.csv is missing from the demo's resources")
        }
        let text = try String(contentsOf: url, encoding: .utf8)
        var data = Dataset(images: [], labels: [])
        for line in text.split(separator: "\n") where !line.isEmpty {
            let fields = line.split(separator: ",").compactMap { Float($0.trimmingCharacters(in: .whitespaces)) }
            guard fields.count == 65 else { throw DemoError("a line of digits.csv has \(fields.count) fields, expected 65") }
            data.images.append(fields.prefix(64).map { $0 / 16 })
            data.labels.append(Int32(fields[64]))
        }
        return data
    }

    /// A seeded shuffle split into train and test parts (`testFraction` of each class held out).
    func split(testFraction: Double, seed: UInt64) -> (train: Dataset, test: Dataset) {
        var rng = RandomGenerator(seed: seed)
        var train = Dataset(images: [], labels: []), test = Dataset(images: [], labels: [])
        for label in 0..<Int32(10) {
            var indices = labels.indices.filter { labels[$0] == label }
            indices.shuffle(using: &rng)
            let held = Int((Double(indices.count) * testFraction).rounded())
            for (k, i) in indices.enumerated() {
                if k < held { test.images.append(images[i]); test.labels.append(labels[i]) }
                else { train.images.append(images[i]); train.labels.append(labels[i]) }
            }
        }
        return (train, test)
    }

    func batch(_ indices: ArraySlice<Int>, imageShape: [Int]) -> (Tensor, Tensor) {
        let x = Tensor(indices.flatMap { images[$0] }, shape: [indices.count] + imageShape)
        let y = Tensor(indices.map { labels[$0] })
        return (x, y)
    }
}

// MARK: - Models

final class MLP: Cell {
    let fc1 = Dense(inChannels: 64, outChannels: 128, activation: .relu)
    let fc2 = Dense(inChannels: 128, outChannels: 64, activation: .relu)
    let fc3 = Dense(inChannels: 64, outChannels: 10)
    override func construct(_ x: Tensor) -> Tensor { fc3(fc2(fc1(x))) }
}

// MARK: - Training

func accuracy(_ net: Cell, _ data: Dataset, imageShape: [Int]) -> (Double, [[Int]]) {
    net.setTrain(false)
    defer { net.setTrain(true) }
    let (x, _) = data.batch(Array(data.labels.indices)[...], imageShape: imageShape)
    let logits = net(x).asArray(Float.self)
    var confusion = Array(repeating: Array(repeating: 0, count: 10), count: 10)
    var correct = 0
    for (i, label) in data.labels.enumerated() {
        var predicted = 0
        for c in 1..<10 where logits[i * 10 + c] > logits[i * 10 + predicted] { predicted = c }
        confusion[Int(label)][predicted] += 1
        if predicted == Int(label) { correct += 1 }
    }
    return (Double(correct) / Double(Swift.max(data.labels.count, 1)), confusion)
}

func progressLine(epoch: Int, of total: Int, loss: Double, train: Double, test: Double, stepsPerSecond: Double) -> String {
    let width = 24, filled = width * epoch / total
    let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
    return String(format: "epoch %3d/%d %@ loss %.4f  train %5.1f %%  test %5.1f %%  %6.0f steps/s",
                  epoch, total, bar, loss, train * 100, test * 100, stepsPerSecond)
}

struct EpochRecord {
    let loss, trainAccuracy, testAccuracy: Double
}

/// The training curve as a self-contained SVG: loss (left axis) and accuracies (right axis) per epoch.
func trainingCurveSVG(_ history: [EpochRecord], title: String) -> String {
    let (w, h, left, right, top, bottom) = (720.0, 420.0, 70.0, 70.0, 50.0, 60.0)
    let plotW = w - left - right, plotH = h - top - bottom
    let maxLoss = Swift.max(history.map(\.loss).max() ?? 1, 1e-9)
    let n = Swift.max(history.count - 1, 1)
    func x(_ i: Int) -> Double { left + plotW * Double(i) / Double(n) }
    func yLoss(_ v: Double) -> Double { top + plotH * (1 - v / maxLoss) }
    func yAcc(_ v: Double) -> Double { top + plotH * (1 - v) }
    func path(_ points: [(Double, Double)]) -> String {
        points.enumerated().map { String(format: "%@%.1f,%.1f", $0.offset == 0 ? "M" : " L", $0.element.0, $0.element.1) }.joined()
    }
    var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(w))" height="\(Int(h))" viewBox="0 0 \(Int(w)) \(Int(h))" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(w / 2)" y="28" text-anchor="middle" font-size="16">\(title)</text>
        <rect x="\(left)" y="\(top)" width="\(plotW)" height="\(plotH)" fill="none" stroke="#888"/>

        """
    for k in 0...4 {
        let f = Double(k) / 4
        let yy = top + plotH * (1 - f)
        svg += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>\n", left, yy, left + plotW, yy)
        svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#c0392b\">%.3f</text>\n", left - 6, yy + 4, maxLoss * f)
        svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" fill=\"#2c3e50\">%.0f %%</text>\n", left + plotW + 6, yy + 4, f * 100)
    }
    let ticks = Swift.min(history.count, 10)
    for k in 0..<ticks {
        let i = ticks == 1 ? 0 : k * (history.count - 1) / (ticks - 1)
        svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%d</text>\n", x(i), top + plotH + 18, i + 1)
    }
    svg += "<text x=\"\(left + plotW / 2)\" y=\"\(h - 18)\" text-anchor=\"middle\">epoch</text>\n"
    svg += "<text transform=\"translate(18,\(top + plotH / 2)) rotate(-90)\" text-anchor=\"middle\" fill=\"#c0392b\">training loss</text>\n"
    svg += "<text transform=\"translate(\(w - 14),\(top + plotH / 2)) rotate(90)\" text-anchor=\"middle\" fill=\"#2c3e50\">accuracy</text>\n"
    svg += "<path d=\"\(path(history.enumerated().map { (x($0.offset), yLoss($0.element.loss)) }))\" fill=\"none\" stroke=\"#c0392b\" stroke-width=\"2\"/>\n"
    svg += "<path d=\"\(path(history.enumerated().map { (x($0.offset), yAcc($0.element.trainAccuracy)) }))\" fill=\"none\" stroke=\"#2980b9\" stroke-width=\"2\"/>\n"
    svg += "<path d=\"\(path(history.enumerated().map { (x($0.offset), yAcc($0.element.testAccuracy)) }))\" fill=\"none\" stroke=\"#27ae60\" stroke-width=\"2\" stroke-dasharray=\"6,3\"/>\n"
    let legend = [("training loss", "#c0392b", ""), ("train accuracy", "#2980b9", ""), ("test accuracy", "#27ae60", " stroke-dasharray=\"6,3\"")]
    for (k, item) in legend.enumerated() {
        let ly = top + plotH * 0.45 + Double(k) * 18, lx = left + plotW - 150
        svg += "<line x1=\"\(lx)\" y1=\"\(ly)\" x2=\"\(lx + 24)\" y2=\"\(ly)\" stroke=\"\(item.1)\" stroke-width=\"2\"\(item.2)/>\n"
        svg += "<text x=\"\(lx + 30)\" y=\"\(ly + 4)\">\(item.0)</text>\n"
    }
    return svg + "</svg>\n"
}

func run() throws {
    let options = try Options(CommandLine.arguments)
    setSeed(options.seed)
    let data = try Dataset.loadDigits()
    let (train, test) = data.split(testFraction: 0.2, seed: options.seed)
    print("digits: \(train.labels.count) training and \(test.labels.count) held-out images (8×8), seed \(options.seed)")

    let net: Cell
    let imageShape: [Int]
    switch options.model {
    case "cnn":
        net = try makeCNN()
        imageShape = [1, 8, 8]
    default:
        net = MLP()
        imageShape = [64]
    }
    let params = net.trainableParams()
    let lr = options.learningRate ?? ["sgd": 0.1, "momentum": 0.05, "adam": 3e-3, "adamw": 3e-3][options.optimizer, default: 0.05]
    let optimizer: Optimizer
    switch options.optimizer {
    case "sgd": optimizer = SGD(params: params, learningRate: .constant(lr))
    case "momentum": optimizer = Momentum(params: params, learningRate: .constant(lr), momentum: 0.9)
    case "adamw": optimizer = AdamWeightDecay(params: params, learningRate: .constant(lr), weightDecay: 1e-4)
    default: optimizer = Adam(params: params, learningRate: .constant(lr))
    }
    let loss = SoftmaxCrossEntropyWithLogits(sparse: true, reduction: .mean)
    let trainStep = try TrainOneStepCell(WithLossCell(net, loss), optimizer: optimizer)
    net.setTrain(true)
    print("model: \(options.model), \(params.map { $0.shape.reduce(1, *) }.reduce(0, +)) parameters; optimizer \(options.optimizer), learning rate \(lr), batch \(options.batchSize)")

    let interactive = isatty(STDOUT_FILENO) != 0
    var rng = RandomGenerator(seed: options.seed &+ 1)
    var order = Array(train.labels.indices)
    var history: [EpochRecord] = []
    let start = Date()
    for epoch in 1...options.epochs {
        order.shuffle(using: &rng)
        var total = 0.0, batches = 0
        let epochStart = Date()
        for s in stride(from: 0, to: order.count, by: options.batchSize) {
            let (x, y) = train.batch(order[s..<Swift.min(s + options.batchSize, order.count)], imageShape: imageShape)
            total += try trainStep.step(x, y).item()
            batches += 1
        }
        let stepsPerSecond = Double(batches) / Date().timeIntervalSince(epochStart)
        let (trainAcc, _) = accuracy(net, train, imageShape: imageShape)
        let (testAcc, _) = accuracy(net, test, imageShape: imageShape)
        history.append(EpochRecord(loss: total / Double(batches), trainAccuracy: trainAcc, testAccuracy: testAcc))
        let line = progressLine(epoch: epoch, of: options.epochs, loss: total / Double(batches), train: trainAcc, test: testAcc, stepsPerSecond: stepsPerSecond)
        if interactive {
            FileHandle.standardOutput.write(("\r" + line + (epoch == options.epochs ? "\n" : "")).data(using: .utf8) ?? Data())
        } else {
            print(line)
        }
    }
    let seconds = Date().timeIntervalSince(start)

    let (testAccuracy, confusion) = accuracy(net, test, imageShape: imageShape)
    print("\nconfusion matrix (rows: true digit, columns: predicted)")
    print("      " + (0..<10).map { String(format: "%4d", $0) }.joined())
    for (digit, row) in confusion.enumerated() {
        print(String(format: "%4d  ", digit) + row.map { String(format: "%4d", $0) }.joined())
    }

    let folder = URL(fileURLWithPath: options.output, isDirectory: true)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let checkpoint = folder.appendingPathComponent("\(options.model).safetensors")
    try Checkpoint.save(net, to: checkpoint, metadata: ["model": options.model, "test_accuracy": String(format: "%.4f", testAccuracy)])
    let curve = folder.appendingPathComponent("training-curve.svg")
    try trainingCurveSVG(history, title: "TapeGrad \(options.model.uppercased()) on digits — \(options.optimizer), \(options.epochs) epochs")
        .write(to: curve, atomically: true, encoding: .utf8)
    print("\ncheckpoint: \(checkpoint.path)")
    print("training curve: \(curve.path)")
    print(String(format: "training time: %.1f s", seconds))
    print(String(format: "test accuracy: %.1f %%", testAccuracy * 100))
}

do {
    try run()
} catch {
    FileHandle.standardError.write("tapegrad-demo: \(error)\n".data(using: .utf8) ?? Data())
    exit(1)
}
