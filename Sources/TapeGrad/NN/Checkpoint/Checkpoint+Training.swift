import Foundation

/// Training checkpoints: a network's parameters, its optimizer's state and the random streams in one
/// safetensors file, so that a run stopped at step k and resumed from the file continues bit-identically.
///
/// The file holds each parameter under its full name (as ``Checkpoint/save(_:to:metadata:)``), the optimizer's
/// ``Optimizer/stateTensors()`` (`global_step`, `moment1.fc.weight`, …), `rng.initializer_seed` (int64 [2]: the
/// ``setSeed(_:)`` stream's base seed and position, as bit patterns) and, for each ``Dropout`` in the network,
/// `rng.dropout.<path>` (int64 [2]: the layer's seed and how many masks it has drawn).
///
/// ```swift
/// import Foundation
///
/// let opt = Adam(params: net.trainableParams())
/// try Checkpoint.save(net, optimizer: opt, to: URL(fileURLWithPath: "run.safetensors"))
/// // later, in a fresh process, after building the same network and optimizer:
/// try Checkpoint.load(into: net, optimizer: opt, from: URL(fileURLWithPath: "run.safetensors"))
/// ```
extension Checkpoint {
    /// Writes `cell`'s parameters, `optimizer`'s state and the random streams (above), atomically as
    /// ``Checkpoint/save(_:to:metadata:)`` does. Throws ``CheckpointError/duplicateName(_:)`` if an optimizer
    /// state name equals a parameter's.
    ///
    /// ```swift
    /// import Foundation
    ///
    /// let opt = Momentum(params: net.trainableParams(), learningRate: 0.1, momentum: 0.9)
    /// try Checkpoint.save(net, optimizer: opt, to: URL(fileURLWithPath: "run.safetensors"), metadata: ["epoch": "3"])
    /// ```
    public static func save(_ cell: Cell, optimizer: Optimizer, to url: URL, metadata: [String: String] = [:]) throws {
        var tensors: [(name: String, tensor: Tensor)] = cell.parametersAndNames().map { ($0.name, $0.parameter.storedValue) }
        tensors += optimizer.stateTensors()
        let seed = initializerSeedState
        tensors.append((initializerSeedName, Tensor.fromArray([Int64(bitPattern: seed.base), Int64(bitPattern: seed.counter)], shape: [2])))
        for (name, dropout) in dropouts(in: cell) {
            let stream = dropout.maskStream
            tensors.append((name, Tensor.fromArray([Int64(bitPattern: stream.seed), Int64(bitPattern: stream.draws)], shape: [2])))
        }
        try save(tensors, to: url, metadata: metadata)
    }

    /// Loads a file written by ``save(_:optimizer:to:metadata:)``. Everything is validated before anything
    /// changes: the parameters as ``Checkpoint/load(into:from:)`` does, the optimizer state as
    /// ``Optimizer/loadState(_:)`` does, the random streams' names and shapes, and each Dropout's seed (a layer
    /// built with another seed would draw other masks: ``CheckpointError/malformed(_:)``). On any mismatch it
    /// throws ``CheckpointError`` and the network, the optimizer and the streams are left untouched.
    ///
    /// ```swift
    /// import Foundation
    ///
    /// let opt = Momentum(params: net.trainableParams(), learningRate: 0.1, momentum: 0.9)
    /// try Checkpoint.load(into: net, optimizer: opt, from: URL(fileURLWithPath: "run.safetensors"))   // then keep stepping
    /// ```
    public static func load(into cell: Cell, optimizer: Optimizer, from url: URL) throws {
        var tensors = try read(from: url)
        let params = cell.parametersAndNames()
        var parameterTensors: [String: Tensor] = [:], missing: [String] = []
        for (name, _) in params {
            if let t = tensors.removeValue(forKey: name) { parameterTensors[name] = t } else { missing.append(name) }
        }
        var streams: [(name: String, dropout: Dropout?)] = [(initializerSeedName, nil)]
        streams += dropouts(in: cell).map { ($0.name, $0.dropout) }
        var streamValues: [(Dropout?, UInt64, UInt64)] = []
        for (name, dropout) in streams {
            guard let t = tensors.removeValue(forKey: name) else { missing.append(name); continue }
            guard t.shape == [2] else { throw CheckpointError.shapeMismatch(name: name, expected: [2], found: t.shape) }
            guard t.dtype == .int64 else { throw CheckpointError.dtypeMismatch(name: name, expected: .int64, found: t.dtype) }
            let words = t.asArray(Int64.self).map { UInt64(bitPattern: $0) }
            if let dropout, words[0] != dropout.maskStream.seed {
                throw CheckpointError.malformed("'\(name)': the Dropout was built with seed \(dropout.maskStream.seed), "
                    + "the checkpoint's has seed \(words[0]) (build the network after the same setSeed, or with the same seed)")
            }
            streamValues.append((dropout, words[0], words[1]))
        }
        guard missing.isEmpty else {
            // Names that belong to neither the parameters nor the streams are the optimizer's to judge; report them
            // unless they are valid optimizer state.
            let unexpected = tensors.keys.filter { !optimizer.acceptsStateName($0) }
            throw CheckpointError.namesDiffer(missing: missing.sorted(), unexpected: unexpected.sorted())
        }
        try validate(parameterTensors, for: params)
        try optimizer.loadState(tensors)   // validates, then restores; throws with the optimizer unchanged
        // Everything is checked: nothing below can fail.
        for (name, p) in params { if let t = parameterTensors[name] { p.replaceStoredValue(with: t.converted(to: p.dtype)) } }
        for (dropout, first, second) in streamValues {
            if let dropout { dropout.restoreDraws(second) } else { initializerSeedState = (first, second) }
        }
    }

    static let initializerSeedName = "rng.initializer_seed"

    /// Every ``Dropout`` reachable from `cell` (once each), named `rng.dropout.<path>`: through the sub-cells, and
    /// through the hidden (`_`-prefixed) cell properties layers keep their own dropouts in (``MultiheadAttention``'s
    /// `_dropout`, a recurrent layer's, a Transformer layer's tuple `_dropout1`…), found by reflection.
    static func dropouts(in cell: Cell) -> [(name: String, dropout: Dropout)] {
        var out: [(name: String, dropout: Dropout)] = [], seen = Set<ObjectIdentifier>()
        func visit(_ c: Cell, path: String) {
            guard seen.insert(ObjectIdentifier(c)).inserted else { return }
            if let d = c as? Dropout { out.append((path.isEmpty ? "rng.dropout" : "rng.dropout." + path, d)) }
            let children = c.subCells() + hiddenCells(of: c)
            for (label, child) in children { visit(child, path: path.isEmpty ? label : path + "." + label) }
        }
        visit(cell, path: "")
        return out
    }

    /// The cells a layer keeps in `_`-prefixed stored properties (which ``Cell/subCells()`` does not list), alone,
    /// in an optional, an array or a tuple.
    private static func hiddenCells(of cell: Cell) -> [(name: String, cell: Cell)] {
        var out: [(name: String, cell: Cell)] = []
        func add(_ value: Any, _ label: String, depth: Int) {
            if let c = value as? Cell { out.append((label, c)); return }
            guard depth < 2 else { return }
            let m = Mirror(reflecting: value)
            switch m.displayStyle {
            case .optional: if let v = m.children.first?.value { add(v, label, depth: depth + 1) }
            case .collection, .tuple:
                for (i, child) in m.children.enumerated() { add(child.value, "\(label).\(i)", depth: depth + 1) }
            default: break
            }
        }
        var mirror: Mirror? = Mirror(reflecting: cell)
        while let m = mirror {
            for child in m.children { if let label = child.label, label.hasPrefix("_") { add(child.value, label, depth: 0) } }
            mirror = m.superclassMirror
        }
        return out
    }
}
