// The shared recording step of the unary math table: a kernel entry and a derivative expression per op.

extension Tensor {
    /// Runs the `op` kernel and records ∂L/∂x = G ⊙ `derivative(x, y)`, where y is the op's output (recomputed
    /// through `forward` when a higher-order gradient differentiates the pullback). The derivative is written
    /// in differentiable ops, so second derivatives work.
    static func math(
        _ op: MathOp, _ x: Tensor, forward: @escaping (Tensor) -> Tensor,
        derivative: @escaping (_ x: Tensor, _ y: Tensor) -> Tensor
    ) -> Tensor {
        let out = MathKernels.unary(op, x)
        guard x.isRecorded else { return out }
        return out.recorded(x) { g in g * derivative(x, out.saved(for: x, recompute: forward)) }
    }

    /// The binary math kernels with broadcasting; the pullback returns (∂L/∂a, ∂L/∂b) summed to each shape.
    static func math(
        _ op: MathBinaryOp, _ a: Tensor, _ b: Tensor, name: String,
        derivatives: @escaping (_ a: Tensor, _ b: Tensor, _ y: Tensor) -> (Tensor, Tensor)
    ) -> Tensor {
        let out = MathKernels.binary(op, a, b, name: name)
        guard a.isRecorded || b.isRecorded else { return out }
        return out.recorded(a, b) { g, needed in
            let (da, db) = derivatives(a, b, out.detached)
            return (needed[0] ? (g * da).unbroadcast(to: a.shape) : nil, needed[1] ? (g * db).unbroadcast(to: b.shape) : nil)
        }
    }
}
