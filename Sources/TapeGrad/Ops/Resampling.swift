// Resampling the last two axes of a tensor by a separable linear map: y = A_h · x · A_wᵀ for each leading index,
// where each row of A_h (A_w) has a few taps (input index, weight). Adaptive average pooling (bins of equal
// weights) and nearest/linear/bilinear interpolation (one or two taps) are both this op with different taps.
// The op and its adjoint y = A_hᵀ · g · A_w are each other's pullbacks, so derivatives of any order flow through.

/// The taps of a separable resampling along one axis: output position i reads
/// `indices[offsets[i]..<offsets[i+1]]` with the matching `weights`.
struct AxisSampling: Sendable, Equatable {
    let inputSize: Int
    let offsets: [Int]
    let indices: [Int]
    let weights: [Double]

    var outputSize: Int { offsets.count - 1 }

    /// Taps given per output position.
    init(inputSize: Int, taps: [[(index: Int, weight: Double)]]) {
        self.inputSize = inputSize
        var offsets = [0], indices: [Int] = [], weights: [Double] = []
        for row in taps {
            for tap in row {
                indices.append(tap.index)
                weights.append(tap.weight)
            }
            offsets.append(indices.count)
        }
        self.offsets = offsets
        self.indices = indices
        self.weights = weights
    }

    static func == (a: AxisSampling, b: AxisSampling) -> Bool {
        a.inputSize == b.inputSize && a.offsets == b.offsets && a.indices == b.indices && a.weights == b.weights
    }

    /// The identity on an axis of `size`.
    static func identity(_ size: Int) -> AxisSampling {
        AxisSampling(inputSize: size, taps: (0..<size).map { [($0, 1.0)] })
    }

    /// MindSpore's adaptive average bins: output i averages input [⌊i·n/m⌋, ⌈(i+1)·n/m⌉).
    static func adaptiveAverage(from n: Int, to m: Int) -> AxisSampling {
        AxisSampling(inputSize: n, taps: (0..<m).map { i in
            let start = i * n / m, end = ((i + 1) * n + m - 1) / m
            return (start..<end).map { ($0, 1 / Double(end - start)) }
        })
    }

    /// Nearest neighbour as MindSpore's `ResizeNearestNeighborV2` (no corner alignment, no half-pixel centres):
    /// output i reads input min(⌊i·n/m⌋, n − 1).
    static func nearest(from n: Int, to m: Int) -> AxisSampling {
        AxisSampling(inputSize: n, taps: (0..<m).map { i in [(Swift.min(i * n / m, n - 1), 1.0)] })
    }

    /// Linear interpolation: output i sits at s = i·(n−1)/(m−1) (`alignCorners`, s = 0 when m = 1) or at the
    /// half-pixel position s = max((i + ½)·n/m − ½, 0), and mixes inputs ⌊s⌋ and ⌊s⌋ + 1 (clamped to n − 1)
    /// with weights 1 − λ and λ, λ = s − ⌊s⌋.
    static func linear(from n: Int, to m: Int, alignCorners: Bool) -> AxisSampling {
        AxisSampling(inputSize: n, taps: (0..<m).map { i in
            let s = alignCorners
                ? (m > 1 ? Double(i) * Double(n - 1) / Double(m - 1) : 0)
                : Swift.max((Double(i) + 0.5) * Double(n) / Double(m) - 0.5, 0)
            let low = Swift.min(Int(s.rounded(.down)), n - 1), high = Swift.min(low + 1, n - 1)
            let lambda = s - s.rounded(.down)
            return low == high || lambda == 0 ? [(low, 1.0)] : [(low, 1 - lambda), (high, lambda)]
        })
    }
}

enum ResamplingKernels {
    /// y[p] = A_h · x[p] · A_wᵀ for each of `planes` (H × W) planes: first along the width into a (H × m_w) buffer,
    /// then along the height.
    static func forward<T: BLASElement>(_: T.Type, _ x: Tensor, rows: AxisSampling, columns: AxisSampling, outputShape: [Int]) -> Tensor {
        let (h, w, oh, ow) = (rows.inputSize, columns.inputSize, rows.outputSize, columns.outputSize)
        let out = Tensor.zeros(outputShape, dtype: x.dtype)
        let planes = h * w == 0 ? 0 : x.count / (h * w)
        guard planes > 0, oh > 0, ow > 0 else { return out }
        let px = x.buffer.pointer(T.self), po = out.buffer.pointer(T.self)
        let (rw, cw) = (rows.weights.map { T($0) }, columns.weights.map { T($0) })
        var temp = [T](repeating: 0, count: h * ow)
        temp.withUnsafeMutableBufferPointer { t in
            for p in 0..<planes {
                let src = px + p * h * w, dst = po + p * oh * ow
                for y in 0..<h {
                    let line = src + y * w
                    for j in 0..<ow {
                        var s: T = 0
                        for k in columns.offsets[j]..<columns.offsets[j + 1] { s += cw[k] * line[columns.indices[k]] }
                        t[y * ow + j] = s
                    }
                }
                for i in 0..<oh {
                    let row = dst + i * ow
                    for k in rows.offsets[i]..<rows.offsets[i + 1] {
                        let weight = rw[k], line = rows.indices[k] * ow
                        for j in 0..<ow { row[j] += weight * t[line + j] }
                    }
                }
            }
        }
        return out
    }

    /// The adjoint: dx[p] = A_hᵀ · g[p] · A_w (scatter-adds along the height, then along the width).
    static func adjoint<T: BLASElement>(_: T.Type, _ g: Tensor, rows: AxisSampling, columns: AxisSampling, inputShape: [Int]) -> Tensor {
        let (h, w, oh, ow) = (rows.inputSize, columns.inputSize, rows.outputSize, columns.outputSize)
        let dx = Tensor.zeros(inputShape, dtype: g.dtype)
        let planes = oh * ow == 0 ? 0 : g.count / (oh * ow)
        guard planes > 0, h > 0, w > 0 else { return dx }
        let pg = g.buffer.pointer(T.self), pd = dx.buffer.pointer(T.self)
        let (rw, cw) = (rows.weights.map { T($0) }, columns.weights.map { T($0) })
        var temp = [T](repeating: 0, count: h * ow)
        temp.withUnsafeMutableBufferPointer { t in
            for p in 0..<planes {
                let src = pg + p * oh * ow, dst = pd + p * h * w
                for k in 0..<t.count { t[k] = 0 }
                for i in 0..<oh {
                    let row = src + i * ow
                    for k in rows.offsets[i]..<rows.offsets[i + 1] {
                        let weight = rw[k], line = rows.indices[k] * ow
                        for j in 0..<ow { t[line + j] += weight * row[j] }
                    }
                }
                for y in 0..<h {
                    let line = dst + y * w
                    for j in 0..<ow {
                        let v = t[y * ow + j]
                        for k in columns.offsets[j]..<columns.offsets[j + 1] { line[columns.indices[k]] += cw[k] * v }
                    }
                }
            }
        }
        return dx
    }
}

/// The separable resampling of the last two axes, `y[…] = A_h · x[…] · A_wᵀ` (rank ≥ 2). Linear in x; its pullback is
/// ``resampledAdjoint(_:rows:columns:inputShape:)``. `op` names the public op in errors.
func resampled(_ x: Tensor, rows: AxisSampling, columns: AxisSampling, op: String = "resampled") -> Tensor {
    let dtype = x.dtype.floatingPoint
    // float16/bfloat16 resample in float32 and round back (recorded through astype).
    if dtype.kernelDType != dtype { return resampled(x.astype(.float32), rows: rows, columns: columns, op: op).astype(dtype) }
    guard x.rank >= 2, x.shape[x.rank - 2] == rows.inputSize, x.shape[x.rank - 1] == columns.inputSize else {
        reportError(TensorError(op: op, message: "input \(x.shape) does not end in [\(rows.inputSize), \(columns.inputSize)]"))
        return Tensor.placeholder(dtype: dtype)
    }
    let outputShape = Array(x.shape.dropLast(2)) + [rows.outputSize, columns.outputSize]
    guard Tensor.canAllocate(outputShape, dtype: dtype, op: op) else { return Tensor.placeholder(dtype: dtype) }
    let xs = x.converted(to: dtype)
    let out = dtype == .float64
        ? ResamplingKernels.forward(Double.self, xs, rows: rows, columns: columns, outputShape: outputShape)
        : ResamplingKernels.forward(Float.self, xs, rows: rows, columns: columns, outputShape: outputShape)
    guard x.isRecorded else { return out }
    let inputShape = x.shape
    return out.recorded(x) { g in resampledAdjoint(g, rows: rows, columns: columns, inputShape: inputShape) }
}

/// The adjoint of ``resampled(_:rows:columns:op:)``: `dx[…] = A_hᵀ · g[…] · A_w`, of shape `inputShape`. Linear in g;
/// its pullback is the forward resampling again.
///
/// ```swift
/// // doc-example: internal
/// let (rows, columns) = (AxisSampling.adaptiveAverage(from: 4, to: 2), AxisSampling.nearest(from: 3, to: 6))
/// let dx = resampledAdjoint(Tensor.ones([1, 1, 2, 6]), rows: rows, columns: columns, inputShape: [1, 1, 4, 3])
/// ```
func resampledAdjoint(_ g: Tensor, rows: AxisSampling, columns: AxisSampling, inputShape: [Int]) -> Tensor {
    let dtype = g.dtype.floatingPoint
    if dtype.kernelDType != dtype {
        return resampledAdjoint(g.astype(.float32), rows: rows, columns: columns, inputShape: inputShape).astype(dtype)
    }
    guard g.rank >= 2, g.rank == inputShape.count, g.shape.dropLast(2).elementsEqual(inputShape.dropLast(2)),
          g.shape[g.rank - 2] == rows.outputSize, g.shape[g.rank - 1] == columns.outputSize,
          inputShape[g.rank - 2] == rows.inputSize, inputShape[g.rank - 1] == columns.inputSize else {
        reportError(TensorError(op: "resampledAdjoint", message: "gradient \(g.shape) does not fit an input of shape \(inputShape) "
            + "resampled from \(rows.inputSize)×\(columns.inputSize) to \(rows.outputSize)×\(columns.outputSize)"))
        return Tensor.placeholder(dtype: dtype)
    }
    guard Tensor.canAllocate(inputShape, dtype: dtype, op: "resampledAdjoint") else { return Tensor.placeholder(dtype: dtype) }
    let gs = g.converted(to: dtype)
    let out = dtype == .float64
        ? ResamplingKernels.adjoint(Double.self, gs, rows: rows, columns: columns, inputShape: inputShape)
        : ResamplingKernels.adjoint(Float.self, gs, rows: rows, columns: columns, inputShape: inputShape)
    guard g.isRecordedOnActiveTape else { return out }
    return out.recorded(g) { u in resampled(u, rows: rows, columns: columns) }
}
