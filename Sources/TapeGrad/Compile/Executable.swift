// A lowered program ready to run: its preallocated arenas (a pool, one per concurrent call) and the
// input and output locations to patch per call.

final class JitExecutable: Sendable {
    let program: JitProgram
    /// (location, program input) pairs.
    private let inputLocations: [(location: Int, input: Int)]
    /// (location, program output) pairs of the outputs written in place.
    private let outputLocations: [(location: Int, output: Int)]
    /// Arenas not in use. A call takes one (or makes one) and gives it back, so concurrent calls never share memory.
    private let pool = Locked<[JitArena]>([])

    init(_ program: JitProgram) {
        self.program = program
        var inputs: [(Int, Int)] = [], outputs: [(Int, Int)] = []
        for (i, location) in program.locations.enumerated() {
            switch location {
            case .input(let k): inputs.append((i, k))
            case .output(let k): outputs.append((i, k))
            default: break
            }
        }
        inputLocations = inputs
        outputLocations = outputs
    }

    /// Whether `inputs` have the shapes and dtypes the program was traced with.
    func accepts(_ inputs: [Tensor]) -> Bool {
        guard inputs.count == program.inputShapes.count else { return false }
        for (k, x) in inputs.enumerated() where x.shape != program.inputShapes[k] || x.dtype != program.inputDTypes[k] { return false }
        return true
    }

    /// Runs the program on `inputs` (already checked with ``accepts(_:)``) and returns its outputs as new tensors.
    func run(_ inputs: [Tensor]) throws -> [Tensor] {
        let arena = pool.withLock { $0.popLast() } ?? JitArena(program)
        defer { pool.withLock { if $0.count < 4 { $0.append(arena) } } }
        let dtype = program.dtype
        // Class indices of another dtype are converted once per call.
        let converted = inputs.map { $0.dtype == dtype ? $0 : $0.converted(to: dtype) }
        for (location, k) in inputLocations { arena.pointers[location] = converted[k].buffer.raw }
        var outputs = program.outputs.map { Tensor.uninitialized($0.shape, dtype: dtype) }
        for (location, k) in outputLocations { arena.pointers[location] = outputs[k].buffer.raw }
        let failure: TensorError?
        switch dtype {
        case .float64: failure = JitInterpreter.run(program, in: arena, as: Double.self)
        default: failure = JitInterpreter.run(program, in: arena, as: Float.self)
        }
        if let failure { throw GradError.tensor(failure) }
        for (k, output) in program.outputs.enumerated() where !output.isDirect {
            guard let source = arena.pointers[output.location] else { continue }
            outputs[k].buffer.raw.copyMemory(from: source, byteCount: outputs[k].count * dtype.byteSize)
        }
        withExtendedLifetime(converted) {}
        return outputs
    }
}
