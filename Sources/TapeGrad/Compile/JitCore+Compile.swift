// Tracing and compiling one signature: the function runs once on a tracing tape; its forward graph, the
// seeds (ones, or the caller's sens) and the backward from trace-level rules are lowered into one program.

extension JitCore {
    /// Traces `forward` on `inputs` and compiles the trace, with `sens` as trailing program inputs seeding the
    /// backward. Throws ``TraceRejection`` when it does not compile, and the errors an eager call throws (a
    /// shape error as ``GradError/tensor(_:)``, a sens that does not fit the output) as that call would.
    func compile(_ inputs: [Tensor], sens: [Tensor]) throws -> Entry {
        let tracer = Tracer()
        let tape = Tape(tracer: tracer)
        defer { tape.close() }
        var args = inputs
        var leaves: [(id: Int, value: Tensor)] = []
        for k in inputs.indices {
            let (tracked, id) = tape.leaf(inputs[k])
            args[k] = tracked
            leaves.append((id, inputs[k]))
        }
        // Every trainable parameter the forward reads is an input of the trace (read again on each call), whether
        // or not its gradient is asked for; frozen ones are constants.
        let scope = GradScope(tape: tape, parameters: .usedTrainable, parent: nil)
        let output: TensorTree = try Transaction.run {
            let sink = ErrorSink()
            let out = ErrorChecking.$sink.withValue(sink) { GradScope.$current.withValue(scope) { forward(args) } }
            if let error = sink.firstError { throw GradError.tensor(error) }
            // Rolled back: the eager run that replaces this trace applies the state change itself.
            if Transaction.current?.hasStagedEffects ?? false {
                throw TraceRejection(reason: "the function changes a layer's state (BatchNorm statistics, Dropout draws)")
            }
            return out
        }
        if let reason = tracer.unsupported { throw TraceRejection(reason: reason) }

        var form: JitGradForm?
        if case .differentiate(let f) = mode { form = f }
        if form?.singleOutput ?? true, output.tensorValue == nil {
            throw TraceRejection(reason: "the function returns \(output.shortDescription), not one tensor")
        }
        // The differentiated part: the whole output, or its first element with `hasAux` (as eager).
        var differentiatedCount = output.tensors.count
        if form?.hasAux ?? false {
            guard case .tuple(let items) = output, items.count >= 2 else { throw GradError.hasAuxNeedsSeveralOutputs }
            differentiatedCount = items[0].tensors.count
        }
        let outputTensors = output.tensors
        guard let dtype = outputTensors.first?.dtype else { throw TraceRejection(reason: "the function returns no tensor") }
        var outputOperands: [Tracer.Operand] = []
        for t in outputTensors {
            if let id = t.tracking?.id(on: tape) {
                outputOperands.append(.value(id))
            } else if let operand = tracer.operand(forUntracked: t) {
                outputOperands.append(operand)
            } else {
                throw TraceRejection(reason: "an output made inside the function by an op that is not traced (its value could depend on the inputs)")
            }
            guard t.dtype == dtype else { throw TraceRejection(reason: "outputs of several dtypes (\(dtype), \(t.dtype))") }
        }
        if form != nil, !sens.isEmpty {
            // The eager checks of the sens (count, shape, dtype), with their errors.
            _ = try GradientEngine.seeds(for: Array(outputTensors.prefix(differentiatedCount)), sens: .tuple(sens.map(TensorTree.tensor)))
        }

        let tracked = scope.trackedInOrder
        for t in tracked { leaves.append((t.leaf, t.parameter.storedValue)) }
        var (graph, valueOf) = try JitGraph.forward(of: tracer.nodes, leaves: leaves, outputs: outputOperands, dtype: dtype)
        var layout = JitLayout(template: output.mapTensors { _ in Tensor.placeholder() }, forwardCount: outputTensors.count,
                               positions: [], gradientParameters: [], reached: [])
        if let form {
            layout.positions = form.positions(count: inputs.count)
            var wrt = try layout.positions.map { p -> Int in
                guard let v = valueOf[leaves[p].id] else { throw TraceRejection(reason: "an input outside the trace") }
                guard inputs[p].dtype == dtype else { throw TraceRejection(reason: "a gradient with respect to input \(p) of dtype \(inputs[p].dtype)") }
                return v
            }
            // The parameters differentiated: those asked for that the forward tracks (others get zeros).
            switch form.weights {
            case .none: break
            case .explicit(let ps):
                for p in ps where !layout.gradientParameters.contains(where: { $0 === p }) {
                    if let t = tracked.first(where: { $0.parameter === p }), let v = valueOf[t.leaf] {
                        layout.gradientParameters.append(p)
                        wrt.append(v)
                    }
                }
            case .used:
                for t in tracked {
                    guard let v = valueOf[t.leaf] else { continue }
                    layout.gradientParameters.append(t.parameter)
                    wrt.append(v)
                }
            }
            // Seeds: ones, or the sens inputs (after the parameters); a 0-d output sums its sens, as eager.
            var seeds: [(value: Int, seed: Int?)] = []
            for k in 0..<differentiatedCount {
                let out = graph.outputs[k]
                guard k < sens.count else { seeds.append((out, nil)); continue }
                guard sens[k].dtype == dtype else { throw TraceRejection(reason: "a sens of dtype \(sens[k].dtype) for a \(dtype) output") }
                var s = graph.emit(.input(graph.inputCount), [], shape: sens[k].shape, dtype: sens[k].dtype)
                graph.inputCount += 1
                if graph.shapes[out].isEmpty, !sens[k].shape.isEmpty {
                    s = graph.emit(.sum(axes: Array(sens[k].shape.indices)), [s], shape: [])
                }
                seeds.append((out, s))
            }
            let reached = try graph.appendBackward(wrt: wrt, seeds: seeds)
            layout.reached = Array(reached[layout.positions.count...])
        }
        return .compiled(JitExecutable(try graph.lowered()), parameters: tracked.map(\.parameter), layout: layout)
    }
}
