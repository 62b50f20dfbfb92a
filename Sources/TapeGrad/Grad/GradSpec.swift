/// What one gradient function computes and how it shapes its result — the common core of `grad`,
/// `valueAndGrad`, `GradOperation` and `ForwardValueAndGrad` (MindSpore's `_Grad` + `GetGrads`).
struct GradSpec {
    enum Inputs {
        /// No input gradients (`grad_position=None`, or GradOperation with only `get_by_list`).
        case none
        /// `grad_position`: the given positions, collapsed to a bare tensor when there is one.
        case positions([Int])
        /// `get_all`: every input, always a tuple.
        case all
        /// GradOperation's default: input 0, bare (or `()` with no inputs).
        case first
    }

    enum Weights {
        case none
        case explicit(WeightSelection)
        /// GradOperation(get_by_list) without weights: the trainable parameters the output reaches.
        case used
    }

    var inputs: Inputs
    var weights: Weights
    var hasAux = false
    var returnIds = false
    var sensParam = false

    /// Runs `forward` on `inputs` (sens taken from `sens` or, with `sensParam`, from the last input)
    /// and returns the full forward output and the gradient structure.
    func evaluate(
        inputs given: [Tensor], sens keywordSens: TensorTree?, arity: Int?, forward: ([Tensor]) -> TensorTree
    ) throws -> (output: TensorTree, gradients: TensorTree) {
        var args = given
        var sens: TensorTree?
        if sensParam {
            if let keywordSens {
                sens = keywordSens
            } else if let arity, args.count == arity {
                // Exactly the function's inputs and nothing after them: the sens was forgotten.
                throw GradError.missingSens
            } else if let last = args.popLast() {
                sens = .tensor(last)
            } else {
                throw GradError.missingSens
            }
        } else if keywordSens != nil {
            throw GradError.sensWithoutSensParam
        }
        if let arity, args.count != arity {
            throw GradError.wrongInputCount(expected: arity, got: args.count)
        }

        let positions: [Int]
        switch inputs {
        case .none: positions = []
        case .positions(let p):
            if p.isEmpty { throw GradError.emptyPositions }
            if let bad = p.first(where: { $0 >= args.count }) {
                throw GradError.positionOutOfRange(position: bad, inputCount: args.count)
            }
            positions = p
        case .all: positions = Array(args.indices)
        case .first: positions = args.isEmpty ? [] : [0]
        }

        let tracking: GradientEngine.ParameterTracking
        switch weights {
        case .none: tracking = .none
        case .explicit(let selection): tracking = .explicit(selection.parameters)
        case .used: tracking = .usedTrainable
        }

        let r: GradientEngine.Result
        do {
            r = try GradientEngine.run(inputs: args, positions: positions, parameters: tracking,
                                       hasAux: hasAux, sens: sens, forward: forward)
        } catch GradError.tensor(let e) where Cell.isMissingConstruct(e) {
            // A cell without a forward for this many inputs: MindSpore's TypeError, as for a closure.
            throw GradError.cellDoesNotTakeInputCount(cell: String(e.op.dropLast(".construct".count)), got: args.count)
        }
        let inputGrads = positions.map { r.inputGradients[$0] ?? Tensor.zeros(like: args[$0]) }
        return (r.output, shaped(inputGradients: inputGrads, parameterGradients: r.parameterGradients, reachedParameters: r.reachedParameters))
    }

    /// The gradient structure of MindSpore's `_Grad` from the gradients of the differentiated positions (in
    /// order) and of the explicit (or reached) parameters.
    func shaped(inputGradients inputGrads: [Tensor], parameterGradients: [Tensor], reachedParameters: [(Parameter, Tensor)]) -> TensorTree {
        // The inputs part (§2.1).
        var inputsPart: TensorTree?
        switch inputs {
        case .none: inputsPart = nil
        case .positions(let p):
            if returnIds {
                inputsPart = p.count == 1 ? [.position(p[0]), .tensor(inputGrads[0])]
                    : .tuple(zip(p, inputGrads).map { [.position($0), .tensor($1)] })
            } else {
                inputsPart = inputGrads.count == 1 ? .tensor(inputGrads[0]) : TensorTree(inputGrads)
            }
        case .all: inputsPart = TensorTree(inputGrads)
        case .first: inputsPart = inputGrads.first.map(TensorTree.tensor) ?? .tuple([])
        }

        // The weights part (§2.2).
        var weightsPart: TensorTree?
        switch weights {
        case .none: weightsPart = nil
        case .explicit(.single(let p)):
            let g = parameterGradients[0]
            weightsPart = returnIds ? [.name(p.name), .tensor(g)] : .tensor(g)
        case .explicit(.list(let ps)):
            weightsPart = .tuple(zip(ps, parameterGradients).map { p, g in returnIds ? [.name(p.name), .tensor(g)] : .tensor(g) })
        case .used:
            weightsPart = .tuple(reachedParameters.map { p, g in returnIds ? [.name(p.name), .tensor(g)] : .tensor(g) })
        }

        // Combining (§2.3).
        let gradients: TensorTree
        switch (inputsPart, weightsPart) {
        case let (i?, w?): gradients = [i, w]
        case let (i?, nil): gradients = i
        case let (nil, w?): gradients = w
        case (nil, nil): gradients = .tuple([])
        }
        return gradients
    }
}
