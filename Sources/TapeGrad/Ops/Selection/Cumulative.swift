// Running sums, products and maxima along an axis.

extension Tensor {
    /// A scan along `a` (rank ≥ 1), forwards or backwards: out[i] = out[i∓1] ∘ x[i]. Not recorded.
    func scanKernel(axis a: Int, reverse: Bool, product: Bool) -> Tensor {
        let lanes = Lanes(shape: shape, axis: a)
        let out = Tensor.uninitialized(shape, dtype: dtype)
        func run<T: TensorScalar>(_: T.Type, _ combine: (T, T) -> T) {
            let src = buffer.pointer(T.self), dst = out.buffer.pointer(T.self)
            for l in 0..<lanes.count where lanes.length > 0 {
                let base = lanes.base(l), s = lanes.inner
                var acc: T = product ? 1 : 0
                for step in 0..<lanes.length {
                    let i = base + (reverse ? lanes.length - 1 - step : step) * s
                    acc = combine(acc, src[i])
                    dst[i] = acc
                }
            }
        }
        switch dtype {
        case .float32: product ? run(Float.self, *) : run(Float.self, +)
        case .float64: product ? run(Double.self, *) : run(Double.self, +)
        case .int32: product ? run(Int32.self, &*) : run(Int32.self, &+)
        case .int64: product ? run(Int64.self, &*) : run(Int64.self, &+)
        case .uint8, .bool, .float16, .bfloat16:
            // Scanned in the kernel dtype (int64 for uint8/bool, float32 for the halves) and cast back.
            let wide: DType = dtype.isFloatingPoint ? .float32 : .int64
            return converted(to: wide).scanKernel(axis: a, reverse: reverse, product: product).converted(to: dtype)
        }
        return out
    }

    /// cumsum along `a` (already normalised, rank ≥ 1), optionally from the end.
    /// ∂L/∂x = the cumsum of G in the opposite direction.
    func cumulativeSum(axis a: Int, reverse: Bool) -> Tensor {
        let out = scanKernel(axis: a, reverse: reverse, product: false)
        guard isRecorded else { return out }
        return out.recorded(self) { g in g.cumulativeSum(axis: a, reverse: !reverse) }
    }
}

/// Running sums along `axis`: yᵢ = Σ_{j≤i} xⱼ. MindSpore `ops.cumsum(x, axis)`.
/// ∂L/∂xᵢ = Σ_{j≥i} Gⱼ (a reversed running sum).
///
/// ```swift
/// cumsum(Tensor([1, 2, 3]), axis: 0)   // [1, 3, 6]
/// ```
public func cumsum(_ x: Tensor, axis: Int) -> Tensor {
    let v = x.atLeast1D
    guard let a = v.normalizedAxis(axis, op: "cumsum") else { return Tensor.placeholder(dtype: x.dtype) }
    return v.cumulativeSum(axis: a, reverse: false).reshaped(to: x.shape)
}

/// Running products along `axis`: yᵢ = Π_{j≤i} xⱼ. MindSpore `ops.cumprod(input, dim)`.
///
/// ∂L/∂xᵢ = Σ_{j≥i} Gⱼ · Π_{k≤j, k≠i} xₖ. Without zeros this is (Σ_{j≥i} Gⱼ yⱼ) / xᵢ; when a lane
/// holds a zero the division is replaced by the exact form Eᵢ · Σ_{j≥i} Gⱼ Π_{i<k≤j} xₖ (E the exclusive
/// running product), built from an [n, n] table of partial products, so zeros get their true gradient.
///
/// ```swift
/// cumprod(Tensor([2, 0, 3]), axis: 0)   // [2, 0, 0]; gradient of the sum: [1, 8, 0]
/// ```
public func cumprod(_ x: Tensor, axis: Int) -> Tensor {
    let v = x.atLeast1D
    guard let a = v.normalizedAxis(axis, op: "cumprod") else { return Tensor.placeholder(dtype: x.dtype) }
    let out = v.scanKernel(axis: a, reverse: false, product: true)
    guard v.isRecorded else { return out.reshaped(to: x.shape) }
    let recorded = out.recorded(v) { g in
        let y = out.saved(for: v) { cumprod($0, axis: a) }
        let hasZero = v.scalars.contains(0)
        if !hasZero { return (g * y).cumulativeSum(axis: a, reverse: true) / v }
        return cumprodGradientWithZeros(v, g, axis: a)
    }
    return recorded.reshaped(to: x.shape)
}

/// The exact cumprod pullback for lanes that may contain zeros (see ``cumprod(_:axis:)``), in differentiable ops.
func cumprodGradientWithZeros(_ x: Tensor, _ g: Tensor, axis a: Int) -> Tensor {
    let last = x.rank - 1
    let xl = x.movedim(source: a, destination: last), gl = g.movedim(source: a, destination: last)
    let n = x.shape[a]
    // after[i][k] = 1 where k > i: row i of the table multiplies x_k only after position i.
    var after = [Double](repeating: 0, count: n * n)
    for i in 0..<n { for k in (i + 1)..<Swift.max(n, i + 1) { after[i * n + k] = 1 } }
    let afterMask = Tensor(after, shape: [n, n]).converted(to: x.dtype)
    let upper = afterMask + Tensor.eye(n, dtype: x.dtype)                      // j ≥ i
    let rows = xl.expandingShape(at: -2).broadcast(to: Array(xl.shape.dropLast()) + [n, n])
    let table = cumprod(`where`(afterMask, rows, Tensor.ones([], dtype: x.dtype)), axis: -1)   // Π_{i<k≤j} x_k
    let h = (table * upper * gl.expandingShape(at: -2)).sum(alongAxes: [-1])
    let ones = Tensor.ones(Array(xl.shape.dropLast()) + [1], dtype: x.dtype)
    let exclusive = cumprod(concat([ones, xl.sliced(alongAxis: -1, from: 0, to: n - 1)], alongAxis: -1), axis: -1)
    return (exclusive * h).movedim(source: last, destination: a)
}

/// Running maxima along `axis` and the int32 position each came from (the latest position on ties,
/// as MindSpore and PyTorch; a NaN propagates). MindSpore `ops.cummax(input, axis)`.
/// ∂L/∂x = G scatter-added to the positions the maxima came from.
///
/// ```swift
/// let (values, indices) = cummax(Tensor([1, 3, 2, 3]), axis: 0)   // [1, 3, 3, 3], [0, 1, 1, 3]
/// ```
public func cummax(_ input: Tensor, axis: Int) -> (values: Tensor, indices: Tensor) {
    runningExtremum(input, axis: axis, op: "cummax") { v, best in v >= best }
}

/// Running extremes along `axis`: position i takes element i when `replaces(xᵢ, best)` (or xᵢ is NaN);
/// a NaN, once reached, stays. ∂L/∂x = G scatter-added to the positions the values came from.
func runningExtremum(_ input: Tensor, axis: Int, op: String, replaces: (Double, Double) -> Bool) -> (values: Tensor, indices: Tensor) {
    let x = input.atLeast1D
    guard let a = x.normalizedAxis(axis, op: op) else { return (Tensor.placeholder(dtype: input.dtype), Tensor.placeholder(dtype: .int32)) }
    let lanes = Lanes(shape: x.shape, axis: a)
    let values = x.scalars
    var order = [Int32](repeating: 0, count: x.count), positions = [Int](repeating: 0, count: x.count)
    for l in 0..<lanes.count where lanes.length > 0 {
        let base = lanes.base(l), s = lanes.inner
        var best = values[base], at = 0
        for i in 0..<lanes.length {
            let v = values[base + i * s]
            if !best.isNaN && (v.isNaN || replaces(v, best)) { best = v; at = i }
            order[base + i * s] = Int32(at)
            positions[base + i * s] = base + at * s
        }
    }
    return (x.taking(flat: positions, shape: x.shape).reshaped(to: input.shape), Tensor(order, shape: input.shape))
}
