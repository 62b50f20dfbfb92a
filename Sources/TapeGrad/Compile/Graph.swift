// The compiled form before lowering: values with static shapes and instructions over them, forward and
// backward in one list (the backward is emitted from trace-level derivative rules, VJPRules.swift).

/// An instruction's operation. Elementwise ones are fused by the lowering.
enum JitOp: Equatable {
    /// The k-th input of the program (the traced inputs, then the tracked parameters).
    case input(Int)
    /// The k-th constant (a tensor captured by the traced closure).
    case constant(Int)
    /// Every element equal to a number (the seed of ones, a zero gradient).
    case fill(Double)
    case add, sub, mul, div
    case addScalar(Double), mulScalar(Double), divScalar(Double), scalarSub(Double), scalarDiv(Double)
    case neg, exp, log, tanh, sigmoid, relu, square, sqrt, rsqrt
    /// softmax or log-softmax along `axis` (its backward is written in the ops above).
    case softmax(axis: Int), logSoftmax(axis: Int)
    /// A product over attention heads through views (inputs a and b).
    case headMatmul(HeadProduct)
    /// The input's elements from `start` along `axis` (as many as the output has).
    case slice(axis: Int, start: Int)
    /// The input placed at `before` along `axis` in zeros of the output's shape (the slice's backward).
    case pad(axis: Int, before: Int)
    /// Inputs params and indices (converted to the program's dtype per call, checked when read).
    case gather(axis: Int)
    /// Zeros of params' shape with each slice of g added at its index; inputs g and indices.
    case gatherBackward(axis: Int)
    /// g ⊙ (1 − y²), g ⊙ y ⊙ (1 − y), g where x > 0 else 0 — inputs (g, y) or (g, x).
    case tanhBackward, sigmoidBackward, reluBackward
    case matmul(transposeA: Bool, transposeB: Bool)
    /// Inputs x, W and optionally b.
    case linear(relu: Bool)
    /// Σ over `axes` of the input; the output value's shape is the reduced shape (kept or dropped dimensions).
    case sum(axes: [Int])
    /// The same elements under the output's shape (an alias, no instruction at run time).
    case reshape
    /// The input's value under the output's shape with no gradient (an alias).
    case stopGradient
    case broadcast
    /// Per-row loss; inputs logits and labels.
    case softmaxCrossEntropy
    /// (softmax(logits) − labels) ⊙ g per row; inputs logits, labels, g.
    case softmaxCrossEntropyBackward

    /// Computes each output element from the same element of its inputs (or from a one-element input).
    var isElementwise: Bool {
        switch self {
        case .add, .sub, .mul, .div, .addScalar, .mulScalar, .divScalar, .scalarSub, .scalarDiv,
             .neg, .exp, .log, .tanh, .sigmoid, .relu, .square, .sqrt, .rsqrt, .tanhBackward, .sigmoidBackward, .reluBackward:
            return true
        default:
            return false
        }
    }

    /// Its output shares its input's memory.
    var isAlias: Bool { self == .reshape || self == .stopGradient }
}

struct JitInstruction {
    var op: JitOp
    var inputs: [Int]
    var output: Int
}

/// Values (shapes and dtypes) and the instructions computing them, in execution order.
struct JitGraph {
    var shapes: [[Int]] = []
    var dtypes: [DType] = []
    var instructions: [JitInstruction] = []
    /// The element type of every computed value (float32 or float64).
    var dtype: DType
    var constants: [Tensor] = []
    /// The values the program returns: the forward output, then the gradients.
    var outputs: [Int] = []
    var inputCount = 0

    init(dtype: DType) { self.dtype = dtype }

    func count(_ value: Int) -> Int { shapes[value].reduce(1, *) }

    /// Appends an instruction computing a new value of `shape` (in the program's dtype unless given).
    mutating func emit(_ op: JitOp, _ inputs: [Int], shape: [Int], dtype: DType? = nil) -> Int {
        let id = shapes.count
        shapes.append(shape)
        dtypes.append(dtype ?? self.dtype)
        instructions.append(JitInstruction(op: op, inputs: inputs, output: id))
        return id
    }

    /// `value` summed back to `target` (the inverse of a broadcast): Σ over the added and stretched axes, reshaped.
    mutating func unbroadcast(_ value: Int, to target: [Int]) -> Int {
        let shape = shapes[value]
        if shape == target { return value }
        let extra = shape.count - target.count
        var axes = Array(0..<Swift.max(extra, 0))
        for (i, d) in target.enumerated() where d == 1 && i + extra < shape.count && shape[i + extra] != 1 { axes.append(i + extra) }
        var kept = shape
        for a in axes { kept[a] = 1 }
        let summed = axes.isEmpty ? value : emit(.sum(axes: axes), [value], shape: kept)
        return shapes[summed] == target ? summed : emit(.reshape, [summed], shape: target)
    }
}

/// Why a trace cannot be compiled.
struct TraceRejection: Error {
    let reason: String
}

extension JitGraph {
    /// Builds the forward graph of a trace: `leaves` are the tape ids of the program inputs, in order;
    /// `outputs` the returned tensors (the graph's first outputs). Throws ``TraceRejection`` for anything the
    /// compiled path does not cover (the caller then runs that signature eagerly).
    static func forward(of nodes: [Tracer.Node], leaves: [(id: Int, value: Tensor)], outputs: [Tracer.Operand], dtype: DType) throws -> (JitGraph, [Int: Int]) {
        guard dtype == .float32 || dtype == .float64 else { throw TraceRejection(reason: "the output dtype \(dtype) (only float32 and float64 compile)") }
        var g = JitGraph(dtype: dtype)
        var valueOf: [Int: Int] = [:]
        for (k, leaf) in leaves.enumerated() {
            valueOf[leaf.id] = g.emit(.input(k), [], shape: leaf.value.shape, dtype: leaf.value.dtype)
        }
        g.inputCount = leaves.count
        func resolve(_ operand: Tracer.Operand) throws -> Int {
            switch operand {
            case .value(let id):
                guard let v = valueOf[id] else { throw TraceRejection(reason: "a value recorded outside the trace") }
                return v
            case .constant(let t):
                g.constants.append(t)
                return g.emit(.constant(g.constants.count - 1), [], shape: t.shape, dtype: t.dtype)
            case .stopped(let id, let shape):
                guard let v = valueOf[id] else { throw TraceRejection(reason: "a value recorded outside the trace") }
                return g.emit(.stopGradient, [v], shape: shape, dtype: g.dtypes[v])
            }
        }
        for node in nodes {
            let inputs = try node.inputs.map(resolve)
            valueOf[node.output] = try g.append(node, inputs: inputs)
        }
        g.outputs = try outputs.map(resolve)
        return (g, valueOf)
    }

    /// Appends the instruction for one traced node after checking what the lowering relies on.
    private mutating func append(_ node: Tracer.Node, inputs: [Int]) throws -> Int {
        let shape = node.shape
        func reject(_ why: String) -> TraceRejection { TraceRejection(reason: "\(node.op): \(why)") }
        guard node.dtype == dtype else { throw reject("the dtype \(node.dtype) differs from the program's \(dtype)") }
        for (k, v) in inputs.enumerated() where dtypes[v] != dtype {
            // Only class indices may have another dtype (they are converted once per call).
            let takesIndices: Bool
            switch node.op {
            case .softmaxCrossEntropy, .gather: takesIndices = true
            default: takesIndices = false
            }
            guard takesIndices, k == 1, dtypes[v] == .int32 || dtypes[v] == .int64 else {
                throw reject("an input of dtype \(dtypes[v]) in a \(dtype) program")
            }
        }
        let op: JitOp
        switch node.op {
        case .add: op = .add
        case .sub: op = .sub
        case .mul: op = .mul
        case .div: op = .div
        case .addScalar(let c): op = .addScalar(c)
        case .mulScalar(let c): op = .mulScalar(c)
        case .divScalar(let c): op = .divScalar(c)
        case .scalarSub(let c): op = .scalarSub(c)
        case .scalarDiv(let c): op = .scalarDiv(c)
        case .neg: op = .neg
        case .exp: op = .exp
        case .log: op = .log
        case .tanh: op = .tanh
        case .sigmoid: op = .sigmoid
        case .relu: op = .relu
        case .square: op = .square
        case .sqrt: op = .sqrt
        case .rsqrt: op = .rsqrt
        case .softmax(let axis): op = .softmax(axis: axis)
        case .logSoftmax(let axis): op = .logSoftmax(axis: axis)
        case .headMatmul(let product):
            guard inputs.count == 2 else { throw reject("unexpected inputs") }
            op = .headMatmul(product)
        case .slice(let axis, let start):
            let s = shapes[inputs[0]]
            guard inputs.count == 1, axis >= 0, axis < s.count, shape.count == s.count, start >= 0, start + shape[axis] <= s[axis] else {
                throw reject("unexpected shapes")
            }
            op = .slice(axis: axis, start: start)
        case .gather(let axis):
            guard inputs.count == 2, axis >= 0, axis < shapes[inputs[0]].count else { throw reject("unexpected inputs") }
            // Indices travel in the program's dtype: exact below 2²⁴ in float32.
            guard dtype == .float64 || shapes[inputs[0]][axis] <= 1 << 24 else { throw reject("an axis of \(shapes[inputs[0]][axis]) slices in float32") }
            op = .gather(axis: axis)
        case .matmul(let ta, let tb):
            guard inputs.count == 2, shapes[inputs[0]].count >= 2, shapes[inputs[1]].count >= 2 else { throw reject("operands of rank < 2") }
            op = .matmul(transposeA: ta, transposeB: tb)
        case .linear(let relu):
            guard inputs.count == 2 || inputs.count == 3 else { throw reject("unexpected inputs") }
            op = .linear(relu: relu)
        case .sum(let axes): op = .sum(axes: axes)
        case .reshape: op = .reshape
        case .broadcast: op = .broadcast
        case .astype:
            // A change of dtype was rejected above (the output's dtype differs from its input's).
            op = .reshape
        case .softmaxCrossEntropy:
            guard inputs.count == 2, shapes[inputs[0]].count == 2 else { throw reject("unexpected inputs") }
            let (rows, classes) = (shapes[inputs[0]][0], shapes[inputs[0]][1])
            let labels = shapes[inputs[1]]
            guard labels == [rows] || labels == [rows, classes] else { throw reject("labels of shape \(labels)") }
            guard labels == [rows] || dtypes[inputs[1]] == dtype else { throw reject("dense labels of dtype \(dtypes[inputs[1]])") }
            op = .softmaxCrossEntropy
        }
        if op.isElementwise {
            let n = shape.reduce(1, *)
            for v in inputs where count(v) != n && count(v) != 1 && Broadcasting.shape(shapes[v], shape) != shape {
                throw reject("an operand of shape \(shapes[v]) does not broadcast to \(shape)")
            }
        }
        return emit(op, inputs, shape: shape)
    }
}
