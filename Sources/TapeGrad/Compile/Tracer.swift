// The trace of one call of a `jit` function: the ops recorded on its tape, each with its kind and
// attributes, its inputs (values of the trace or constants) and its output's shape and dtype.
//
// Tracing reads tapes, it never changes how ops record: an op passes a `TracedOp` to `recorded(…)`, which
// evaluates it only when the tape has a tracer (an autoclosure), so ordinary recording pays one nil check.

/// What a traced op computes, with the attributes its forward and its trace-level derivative need.
/// The output's shape and dtype are kept by the node.
enum TracedOp: Equatable, Sendable {
    /// Tensor ∘ tensor with broadcasting.
    case add, sub, mul, div
    /// `x + c`, `x · c`, `x / c`, `c − x`, `c / x`.
    case addScalar(Double), mulScalar(Double), divScalar(Double), scalarSub(Double), scalarDiv(Double)
    case neg, exp, log, tanh, sigmoid, relu, square, sqrt, rsqrt
    /// softmax and log-softmax along `axis` (normalised, non-negative).
    case softmax(axis: Int), logSoftmax(axis: Int)
    /// A product over the heads of attention read and written through views (Ops/HeadMatMul.swift).
    case headMatmul(HeadProduct)
    /// The elements from `start` along `axis` (as many as the output has).
    case slice(axis: Int, start: Int)
    /// Slices of the first input along `axis` at the indices of the second (integer) input.
    case gather(axis: Int)
    /// A 2-D product `op(a)·op(b)`.
    case matmul(transposeA: Bool, transposeB: Bool)
    /// `relu?(x·Wᵀ + b)` (the inputs are x, W and optionally b).
    case linear(relu: Bool)
    /// Σ over `axes` (the output shape says whether the dimensions are kept).
    case sum(axes: [Int])
    /// Same elements, the output's shape.
    case reshape
    /// Broadcast to the output's shape.
    case broadcast
    /// A dtype change (traced only when it changes nothing).
    case astype
    /// Per-row −Σⱼ yᵢⱼ log softmax(xᵢ)ⱼ; inputs logits and labels (class indices of rank 1, or dense).
    case softmaxCrossEntropy
}

/// The attributes of one `headMatmul`: the views of its operands and output, the transposes, α and the
/// batch and head counts.
struct HeadProduct: Equatable, Sendable {
    var a: HeadView, b: HeadView, out: HeadView
    var transposeA: Bool, transposeB: Bool
    var alpha: Double
    var batch: Int, heads: Int
}

/// Collects the nodes of one trace. Sendable: a traced forward may fan out over threads, so the nodes sit
/// behind a lock.
final class Tracer: @unchecked Sendable {
    /// An input of a traced op.
    enum Operand {
        /// A value of the trace: the id of the node on the tracing tape.
        case value(Int)
        /// A tensor the trace does not compute (captured by the closure): baked in, as JAX does.
        case constant(Tensor)
        /// A traced value with its gradient stopped (a detached copy, perhaps reshaped, of the value `id`).
        case stopped(Int, shape: [Int])
    }

    struct Node {
        let op: TracedOp
        let inputs: [Operand]
        /// The node id on the tracing tape.
        let output: Int
        let shape: [Int]
        let dtype: DType
    }

    private let lock = Lock()
    /// Guarded by `lock`.
    private var recordedNodes: [Node] = []
    /// The first reason the trace cannot be compiled. Guarded by `lock`.
    private var firstUnsupported: String?
    /// Which trace value owns a buffer, so a detached copy of a traced value (`stopGradient`, `.detached`)
    /// is recognised as that value rather than baked in as a constant. Guarded by `lock`.
    private var ownerOfBuffer: [ObjectIdentifier: Int] = [:]

    /// Buffers with a serial above this were made while the trace ran (``TensorBuffer/serial``).
    private let startSerial = TensorBuffer.serials.load(ordering: .relaxed)

    var nodes: [Node] { lock.withLock { recordedNodes } }
    var unsupported: String? { lock.withLock { firstUnsupported } }

    /// Notes a leaf (an input or a parameter of the trace).
    func noteLeaf(_ value: Tensor, id: Int) {
        lock.withLock { ownerOfBuffer[ObjectIdentifier(value.buffer)] = id }
    }

    /// Marks the trace as not compilable, keeping the first reason.
    func noteUnsupported(_ reason: String) {
        lock.withLock { if firstUnsupported == nil { firstUnsupported = reason } }
    }

    /// A non-differentiable op (a comparison) read a tensor: if a tracing tape records it, the result would be baked
    /// into the trace as a constant, so that trace does not compile. Called only for recorded tensors.
    static func noteUntracedRead(of inputs: [Tensor], by op: String) {
        for input in inputs {
            var link = input.tracking
            while let l = link {
                l.tape.tracer?.noteUnsupported("the non-differentiable op \(op) reads a traced value (its result would be baked in)")
                link = l.outer
            }
        }
    }

    /// How the trace sees a tensor it did not record (an output of the function): a detached traced value, a
    /// constant captured from outside, or nil for one made while tracing by an op that is not traced.
    func operand(forUntracked t: Tensor) -> Operand? {
        lock.withLock {
            if let owner = ownerOfBuffer[ObjectIdentifier(t.buffer)] { return .stopped(owner, shape: t.shape) }
            return t.buffer.serial > startSerial ? nil : .constant(t.detached)
        }
    }

    /// Notes one recorded op; `ids` are the inputs' ids on the tracing tape (−1 for an input it does not record).
    func note(_ op: TracedOp?, op name: StaticString, inputs: [Tensor], ids: [Int], output: Tensor, id: Int) {
        guard let op else {
            noteUnsupported("the op \(name) has no trace rule")
            return
        }
        var operands: [Operand] = []
        operands.reserveCapacity(inputs.count)
        for (k, input) in inputs.enumerated() {
            if k < ids.count, ids[k] >= 0 { operands.append(.value(ids[k])); continue }
            if input.isRecordedOnActiveTape {
                noteUnsupported("the op \(name) reads a tensor that an enclosing gradient computation differentiates")
            }
            operands.append(.constant(input.detached))
        }
        lock.withLock {
            // A constant sharing the buffer of a traced value is that value with its gradient stopped.
            for (k, operand) in operands.enumerated() {
                guard case .constant(let t) = operand else { continue }
                if let owner = ownerOfBuffer[ObjectIdentifier(t.buffer)] {
                    operands[k] = .stopped(owner, shape: t.shape)
                } else if t.buffer.serial > startSerial, firstUnsupported == nil {
                    // Made while the trace ran but not by a recorded op: perhaps computed from a traced value by an
                    // op without a trace rule (sign, argmax, oneHot, a mask…). Baking it in could replay a stale
                    // value, so this trace runs eagerly.
                    firstUnsupported = "the op \(name) reads a tensor made inside the traced function by an op that is not traced (its value could depend on the inputs)"
                }
            }
            ownerOfBuffer[ObjectIdentifier(output.buffer)] = id
            recordedNodes.append(Node(op: op, inputs: operands, output: id, shape: output.shape, dtype: output.dtype))
        }
    }
}
