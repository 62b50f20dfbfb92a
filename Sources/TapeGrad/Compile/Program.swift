// The lowered form of a compiled function: a flat array of plain-data instructions over numbered memory
// locations, run by an interpreter on raw pointers (Interpreter.swift). Nothing in an instruction is a
// reference, so the replay loop retains and releases nothing.

/// One instruction. Fields unused by an instruction's code are 0.
struct JitCode {
    enum Kind: UInt8 {
        /// `count` elements through `stepCount` steps starting at `first` in ``JitProgram/steps``, a block at a time.
        case fused
        /// out[0..<count] = scalar.
        case fill
        /// out[0..<count] = a[0..<count].
        case copy
        /// out = op(a)·op(b) with m, n, k and the transposes in `flags` (bit 0: a, bit 1: b).
        case matmul
        /// `count` products as ``matmul``, the i-th reading a and b at the offsets integers[first + 2i], [first + 2i + 1]
        /// and writing out at i·m·n.
        case batchedMatmul
        /// A product per (batch, head) through the views at integers[first...] (a, b, out: offset, batch, head and row
        /// strides, rows, cols; then batch, heads); `scalar` α; `flags` bit 0/1 the transposes, bit 2 zero the output first.
        case headMatmul
        /// Blocks along the middle axis of [m, ·, n]: out[o, c + j, :] = a[o, first + j, :] for j below the shorter axis,
        /// a's axis k long, out's `count`; `flags` bit 0 zeroes out first (a pad). A slice or its backward.
        case axisCopy
        /// out = slices of a along the middle axis of [m, k, n] at the `count` indices in b, as [m, count, n].
        case gather
        /// out (viewed as [m, k, n]) = zeros with a's slices [m, count, n] added at the indices in b.
        case gatherBackward
        /// softmax (or, with `flags` bit 0, log-softmax) of a viewed as [m, n, k] along n.
        case softmax
        /// out = relu?(a·bᵀ + c) with c the bias (or −1), relu in `flags` bit 0.
        case linear
        /// out[o, i] = Σᵣ a[o, r, i] for a viewed as [m, k, n].
        case sumBlock
        /// out = a broadcast; `first` indexes ``JitProgram/integers``: rank, then per output dimension its size
        /// and the input's stride (0 where broadcast).
        case broadcast
        /// out[i] = loss of row i; a logits [m, n], b labels, `flags` bit 0 sparse.
        case softmaxCrossEntropy
        /// out = (softmax(a) − labels(b)) ⊙ c[row].
        case softmaxCrossEntropyBackward
    }

    var kind: Kind
    var out = 0, a = 0, b = 0, c = 0
    var m = 0, n = 0, k = 0
    var count = 0
    var first = 0, stepCount = 0
    var flags = 0
    var scalar = 0.0
}

/// One elementwise step of a fused loop.
struct JitStep {
    enum Op: UInt8 {
        case add, sub, mul, div, addScalar, mulScalar, divScalar, scalarSub, scalarDiv
        case neg, exp, log, tanh, sigmoid, relu, square, sqrt, rsqrt, tanhBackward, sigmoidBackward, reluBackward
        /// Merged steps (Lowering.swift): x·c + d, tanh(x·c + d), g ⊙ (1 − y²) · c.
        case affine, tanhAffine, tanhBackwardScaled
    }

    /// Where an operand lives.
    struct Operand {
        enum Kind: UInt8 {
            case none
            /// A location holding the loop's `count` elements (offset by the block start).
            case full
            /// A location holding one element, read for every element.
            case broadcastScalar
            /// A scratch slot of one block (an intermediate that never reaches memory outside the loop).
            case slot
        }
        var kind: Kind = .none
        var index = 0
    }

    var op: Op
    var destination: Operand
    var a: Operand
    var b = Operand()
    var scalar = 0.0
    var scalar2 = 0.0
}

/// Where a location's memory comes from.
enum JitLocation {
    case arena(offset: Int)
    case input(Int)
    case constant(Int)
    /// A program output, written directly into the returned tensor.
    case output(Int)
}

/// How a program output is produced.
struct JitOutput {
    var shape: [Int]
    /// The location holding it.
    var location: Int
    /// Whether it is written in place (an ``JitLocation/output(_:)``) or copied from another location at the end.
    var isDirect: Bool
}

/// A lowered program: instructions, steps and the memory plan.
struct JitProgram: @unchecked Sendable {
    // Sendable: every field is immutable after lowering; the constants are tensors, which are Sendable.
    let dtype: DType
    var code: [JitCode] = []
    var steps: [JitStep] = []
    var integers: [Int] = []
    var locations: [JitLocation] = []
    /// Elements of the arena, scratch included.
    var arenaCount = 0
    /// Where the scratch slots start in the arena, and how many there are.
    var scratchOffset = 0
    var scratchSlots = 0
    var constants: [Tensor] = []
    var outputs: [JitOutput] = []
    var inputShapes: [[Int]] = []
    var inputDTypes: [DType] = []
    /// The fused loop's block, in elements: scratch slots hold one block each.
    static let block = 512

    init(dtype: DType) { self.dtype = dtype }
}

/// The memory one call works in: the arena, and the pointer of every location. Taken from a program's pool
/// by one call at a time, so nothing in it is shared between threads while in use.
final class JitArena: @unchecked Sendable {
    // Sendable: both fields are immutable pointers; the memory behind them is used by one call at a time.
    let memory: UnsafeMutableRawPointer
    let pointers: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    let locationCount: Int

    init(_ program: JitProgram) {
        let size = program.dtype.byteSize
        memory = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(program.arenaCount, 1) * size, alignment: 64)
        locationCount = program.locations.count
        pointers = .allocate(capacity: Swift.max(locationCount, 1))
        pointers.initialize(repeating: nil, count: Swift.max(locationCount, 1))
        for (i, location) in program.locations.enumerated() {
            switch location {
            case .arena(let offset): pointers[i] = memory + offset * size
            case .constant(let k): pointers[i] = program.constants[k].buffer.raw
            case .input, .output: pointers[i] = nil
            }
        }
    }

    deinit {
        memory.deallocate()
        pointers.deallocate()
    }
}
