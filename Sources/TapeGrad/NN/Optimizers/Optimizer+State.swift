/// Saving and restoring an optimizer's state (for resumable training), with MindSpore's names:
///
/// - `global_step` (int64, shape [1]): the number of steps made, which is also the learning-rate schedule's position;
/// - the subclass's ``Optimizer/scalarState()`` (Adam's `beta1_power`/`beta2_power`, Lamb's `lamb_step`);
/// - one tensor per parameter and slot store, `<store>.<parameter name>`: Adam/AdamWeightDecay `moment1.*`,
///   `moment2.*`; SGD `accum.*`; Momentum `moments.*`; RMSProp `mean_square.*`, `moment.*`, `mean_grad.*`;
///   Adagrad `accum.*`; Adadelta `accum.*`, `accum_update.*`; Lamb `lamb_m.*`, `lamb_v.*`.
///
/// Slots are created on first use, so a store with no entry yet (an optimizer that has not stepped, SGD
/// without momentum, a non-centred RMSProp's `mean_grad`) is simply absent.
extension Optimizer {
    /// The optimizer's state as named tensors (see above), taken under the optimizer's lock.
    ///
    /// ```swift
    /// let opt = Adam(params: net.trainableParams())
    /// try opt.step(gradients: net.trainableParams().map { onesLike($0.value) })
    /// opt.stateTensors().map(\.name)   // ["global_step", "beta1_power", …, "moment1.fc.weight", …, "moment2.fc.bias"]
    /// ```
    public func stateTensors() -> [(name: String, tensor: Tensor)] {
        _lock.withLock {
            var out: [(name: String, tensor: Tensor)] = [("global_step", Tensor.fromArray([Int64(_stepCount)], shape: [1]))]
            out += scalarState()
            for store in slotStores {
                for (slot, p) in parameters.enumerated() {
                    if let buffer = store.buffer(slot) { out.append(("\(store.name).\(p.name)", buffer)) }
                }
            }
            return out
        }
    }

    /// Restores state written by ``stateTensors()``. Everything is checked first, under the optimizer's lock:
    /// `global_step` and every scalar entry must be present with their shape and dtype (integer ones ≥ 0); a
    /// slot store's entries must each have their parameter's shape and dtype and, when a store appears at all,
    /// cover every trainable floating-point parameter; no other name may appear. On any mismatch it throws
    /// ``CheckpointError`` and the optimizer is left unchanged. Slot stores absent from `state` start fresh.
    ///
    /// ```swift
    /// let opt = Adam(params: net.trainableParams()), fresh = Adam(params: net.trainableParams())
    /// try fresh.loadState(Dictionary(uniqueKeysWithValues: opt.stateTensors().map { ($0.name, $0.tensor) }))
    /// ```
    public func loadState(_ state: [String: Tensor]) throws {
        try _lock.withLock {
            var remaining = state, missing: [String] = []
            var scalars: [String: Tensor] = [:]
            let expectedScalars = [("global_step", Tensor.fromArray([Int64(_stepCount)], shape: [1]))] + scalarState()
            for (name, current) in expectedScalars {
                guard let t = remaining.removeValue(forKey: name) else { missing.append(name); continue }
                guard t.shape == current.shape else { throw CheckpointError.shapeMismatch(name: name, expected: current.shape, found: t.shape) }
                guard t.dtype == current.dtype else { throw CheckpointError.dtypeMismatch(name: name, expected: current.dtype, found: t.dtype) }
                if !t.dtype.isFloatingPoint && t.dtype != .bool, t.asArray(Int64.self).contains(where: { $0 < 0 }) {
                    throw CheckpointError.malformed("the optimizer state '\(name)' must be ≥ 0, but got \(t.asArray(Int64.self))")
                }
                scalars[name] = t
            }
            var restored: [(OptimizerSlots, [Int: Tensor])] = []
            for store in slotStores {
                var found: [Int: Tensor] = [:], absent: [String] = []
                for (slot, p) in parameters.enumerated() {
                    let name = "\(store.name).\(p.name)"
                    let used = p.requiresGrad && p.dtype.isFloatingPoint
                    guard used, let t = remaining[name] else {
                        if used { absent.append(name) }
                        continue
                    }
                    remaining[name] = nil
                    guard t.shape == p.shape else { throw CheckpointError.shapeMismatch(name: name, expected: p.shape, found: t.shape) }
                    guard t.dtype == p.dtype else { throw CheckpointError.dtypeMismatch(name: name, expected: p.dtype, found: t.dtype) }
                    found[slot] = t.detached
                }
                if !found.isEmpty { missing += absent }
                restored.append((store, found))
            }
            guard missing.isEmpty, remaining.isEmpty else {
                throw CheckpointError.namesDiffer(missing: missing.sorted(), unexpected: remaining.keys.sorted())
            }
            // Checked: nothing below can fail.
            if let step = scalars["global_step"]?.item(as: Int64.self), let value = Int(exactly: step) { _stepCount = value }
            restoreScalarState(scalars)
            for (store, buffers) in restored { store.replaceAll(with: buffers) }
        }
    }

    /// Whether `name` can name an entry of this optimizer's state (used to report a file's unexpected names).
    func acceptsStateName(_ name: String) -> Bool {
        _lock.withLock {
            if name == "global_step" || scalarState().contains(where: { $0.name == name }) { return true }
            return slotStores.contains { store in parameters.contains { "\(store.name).\($0.name)" == name } }
        }
    }

    /// The subclass's per-parameter stores, found by reflection in declaration order (base classes first).
    var slotStores: [OptimizerSlots] {
        var mirrors: [Mirror] = []
        var mirror: Mirror? = Mirror(reflecting: self)
        while let m = mirror { mirrors.append(m); mirror = m.superclassMirror }
        return mirrors.reversed().flatMap { $0.children.compactMap { $0.value as? OptimizerSlots } }
    }
}
