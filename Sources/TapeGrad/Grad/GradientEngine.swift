/// The one place where a forward function is run on a fresh tape and replayed backwards. Every public
/// differentiation API (`valueWithGradient`, `valueAndGrad`, `grad`, `GradOperation`,
/// `ForwardValueAndGrad`, `checkGradients`) is a shape of input and output around this.
enum GradientEngine {
    /// Which Parameters a computation tracks.
    enum ParameterTracking {
        /// None: parameters are constants.
        case none
        /// Exactly these (those with `requiresGrad`; others get zeros).
        case explicit([Parameter])
        /// Every parameter with `requiresGrad` that the forward reads, in order of first use.
        case usedTrainable
    }

    struct Result {
        /// The forward output, cut off from the tape.
        var output: TensorTree
        /// ∂/∂input for each tracked position (zeros where the output does not depend on it).
        var inputGradients: [Int: Tensor]
        /// ∂/∂parameter for the explicit parameters, in the order given.
        var parameterGradients: [Tensor]
        /// For `.usedTrainable`: the parameters the output reaches, in order of use, with their gradients.
        var reachedParameters: [(Parameter, Tensor)]
    }

    /// Runs `forward` on `inputs` with `positions` and the selected parameters tracked, then seeds the
    /// differentiated outputs (all of them, or the first with `hasAux`) with ones or with `sens`.
    ///
    /// Errors of tensor operations inside the forward or the backward are thrown as ``GradError/tensor(_:)``.
    /// The computation is a ``Transaction``: when it throws, the state the forward staged (BatchNorm's running
    /// statistics, Dropout's draws) is rolled back; when it succeeds, it is committed.
    static func run(
        inputs: [Tensor], positions: [Int], parameters: ParameterTracking,
        hasAux: Bool, sens: TensorTree?, forward: ([Tensor]) -> TensorTree
    ) throws -> Result {
        try Transaction.run {
            let recording = try record(inputs: inputs, positions: positions, parameters: parameters, forward: forward)
            defer { recording.tape.close() }
            let differentiated = try recording.differentiatedOutput(hasAux: hasAux)
            let outs = differentiated.tensors
            let seedValues = try seeds(for: outs, sens: sens)
            var result = try recording.replay(outputs: outs, seeds: seedValues)
            result.output = recording.output.detached
            return result
        }
    }

    /// Runs `forward` once on a fresh tape with `positions` and the selected parameters tracked, and
    /// returns the recording, still open: the caller replays it (``Recording/replay(outputs:seeds:)``)
    /// and then closes or seals its tape.
    static func record(
        inputs: [Tensor], positions: [Int], parameters: ParameterTracking, forward: ([Tensor]) -> TensorTree
    ) throws -> Recording {
        let tape = Tape()
        let scope = GradScope(tape: tape, parameters: parameters, parent: GradScope.current)
        let sink = ErrorSink()

        var args = inputs
        var leafOfPosition: [Int: Int] = [:]
        var order: [Int] = []
        for p in positions where p < args.count && leafOfPosition[p] == nil {
            (args[p], leafOfPosition[p]) = tape.leaf(args[p])
            order.append(p)
        }

        let output = ErrorChecking.$sink.withValue(sink) {
            GradScope.$current.withValue(scope) { forward(args) }
        }
        if let error = sink.firstError {
            tape.close()
            throw GradError.tensor(error)
        }
        let explicitParameters: [Parameter]
        if case .explicit(let list) = parameters { explicitParameters = list } else { explicitParameters = [] }
        return Recording(tape: tape, inputs: inputs, positions: order, leafOfPosition: leafOfPosition, output: output,
                         trackedParameters: scope.trackedInOrder, explicitParameters: explicitParameters)
    }

    /// The backward seeds: ones for each differentiated output, or the caller's `sens` checked against
    /// MindSpore's rules (one per output; exact shape and dtype, except that a 0-d output sums any sens).
    static func seeds(for outs: [Tensor], sens: TensorTree?) throws -> [Tensor] {
        guard let sens else { return outs.map { Tensor.ones(like: $0) } }
        let given = sens.tensors
        guard given.count == outs.count else { throw GradError.sensCountMismatch(outputs: outs.count, sens: given.count) }
        return try zip(outs, given).map { out, s in
            if out.rank == 0 { return s.sum().astype(out.dtype) }
            if s.rank == 0 { throw GradError.sensNotBroadcastable(sens: s.shape, output: out.shape) }
            guard s.shape == out.shape else { throw GradError.sensShapeMismatch(expected: out.shape, got: s.shape) }
            guard s.dtype == out.dtype else { throw GradError.sensDTypeMismatch(expected: out.dtype, got: s.dtype) }
            // Not detached: a sens recorded by an enclosing computation is differentiated through.
            return s
        }
    }
}

/// One forward pass recorded on its own tape, with what is needed to replay it backwards: the leaf of
/// each differentiated input position and the tracked parameters. ``GradientEngine/run`` replays it once
/// and closes it; `vjp` seals it and replays it for every cotangent.
struct Recording: Sendable {
    let tape: Tape
    /// The inputs as given (for zero gradients of the right shape and dtype).
    let inputs: [Tensor]
    /// The differentiated positions, without duplicates, in the order their leaves were made.
    let positions: [Int]
    let leafOfPosition: [Int: Int]
    /// The forward output, still recorded.
    let output: TensorTree
    let trackedParameters: [GradScope.Tracked]
    let explicitParameters: [Parameter]

    /// The part of the output that is differentiated: all of it, or the first element with `hasAux`
    /// (which needs a tuple of at least two). When it throws, the recording's tape is closed (it will never
    /// be replayed), so callers need no cleanup of their own.
    func differentiatedOutput(hasAux: Bool) throws -> TensorTree {
        guard hasAux else { return output }
        guard case .tuple(let items) = output, items.count >= 2 else {
            tape.close()
            throw GradError.hasAuxNeedsSeveralOutputs
        }
        return items[0]
    }

    /// Replays the tape from `seeds` (one per tensor of `outputs`) and gathers the gradients: zeros for an
    /// input or explicit parameter the seeds do not reach. `output` of the result is left empty.
    func replay(outputs outs: [Tensor], seeds seedValues: [Tensor]) throws -> GradientEngine.Result {
        let sink = ErrorSink()
        var leaves = positions.compactMap { leafOfPosition[$0] }
        leaves += trackedParameters.map(\.leaf)
        var gradients: [Tensor?] = []
        try ErrorChecking.$sink.withValue(sink) {
            var seedList: [(id: Int, gradient: Tensor)] = []
            for (out, seed) in zip(outs, seedValues) {
                if let id = out.tracking?.id(on: tape) { seedList.append((id, seed)) }
            }
            gradients = tape.gradients(seeds: seedList, leaves: leaves)
            if let error = sink.firstError { throw GradError.tensor(error) }
        }

        var result = GradientEngine.Result(output: .tuple([]), inputGradients: [:], parameterGradients: [], reachedParameters: [])
        for (k, p) in positions.enumerated() {
            result.inputGradients[p] = (gradients[k] ?? Tensor.zeros(like: inputs[p])).detachedIfNotNested
        }
        let k = positions.count
        var byParameter: [ObjectIdentifier: Tensor] = [:]
        for (i, tracked) in trackedParameters.enumerated() {
            if let g = gradients[k + i] {
                byParameter[ObjectIdentifier(tracked.parameter)] = g.detachedIfNotNested
                result.reachedParameters.append((tracked.parameter, g.detachedIfNotNested))
            }
        }
        result.parameterGradients = explicitParameters.map {
            byParameter[ObjectIdentifier($0)] ?? Tensor.zeros(like: $0.storedValue)
        }
        return result
    }
}

extension Tensor {
    /// Gradients stay recorded only when an enclosing computation is recording them (higher order).
    var detachedIfNotNested: Tensor {
        guard let t = tracking else { return self }
        var link: Tracking? = t
        while let l = link {
            if l.tape.isRecording { return self }
            link = l.outer
        }
        return detached
    }
}

/// The parameter side of one gradient computation: which Parameters it tracks, and their tracked values.
/// Reached through a task-local, so that a `Parameter` read inside the forward returns its tracked value
/// without any global state. Sendable: child tasks of the forward inherit the task-local, so the tracked
/// table sits behind a lock.
final class GradScope: @unchecked Sendable {
    @TaskLocal static var current: GradScope?

    struct Tracked {
        let parameter: Parameter
        let value: Tensor
        let leaf: Int
    }

    let tape: Tape
    let parent: GradScope?
    private let mode: GradientEngine.ParameterTracking
    private let wanted: Set<ObjectIdentifier>
    private let lock = Lock()
    /// Guarded by `lock`.
    private var tracked: [ObjectIdentifier: Int] = [:]
    /// Guarded by `lock`.
    private var trackedList: [Tracked] = []

    /// The parameters tracked so far, in order of first use.
    var trackedInOrder: [Tracked] { lock.withLock { trackedList } }

    init(tape: Tape, parameters: GradientEngine.ParameterTracking, parent: GradScope?) {
        self.tape = tape
        self.mode = parameters
        self.parent = parent
        if case .explicit(let list) = parameters {
            wanted = Set(list.filter(\.requiresGrad).map(ObjectIdentifier.init))
        } else {
            wanted = []
        }
        // Explicit weights become leaves up front, in the order given, so their ids are stable.
        if case .explicit(let list) = parameters {
            for p in list where p.requiresGrad { _ = value(of: p) }
        }
    }

    /// The value a forward pass sees for `parameter`: tracked on this tape if this computation
    /// differentiates it, and on the enclosing computations' tapes if they do.
    func value(of parameter: Parameter) -> Tensor {
        let id = ObjectIdentifier(parameter)
        // Lock order: this scope, then its parent's, then the tapes — never the reverse.
        return lock.withLock {
            if let index = tracked[id] { return trackedList[index].value }
            let base = parent?.value(of: parameter) ?? parameter.storedValue
            let wants: Bool
            switch mode {
            case .none: wants = false
            case .explicit: wants = wanted.contains(id)
            case .usedTrainable: wants = parameter.requiresGrad
            }
            guard wants else { return base }
            let (leafValue, leaf) = tape.leaf(base)
            tracked[id] = trackedList.count
            trackedList.append(Tracked(parameter: parameter, value: leafValue, leaf: leaf))
            return leafValue
        }
    }
}
