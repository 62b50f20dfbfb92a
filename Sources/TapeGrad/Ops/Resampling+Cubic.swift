// The taps of MindSpore 2.10's `nearest-exact` and `bicubic` interpolation (its CPU kernels follow TensorFlow's
// ResizeNearestNeighbor with half-pixel centres and ResizeBicubic), computed in float32 as those kernels do so
// that the same input positions and weights come out.

extension AxisSampling {
    /// The float32 scale from n inputs to m outputs: (n − 1)/(m − 1) with aligned corners (and m > 1), else n/m.
    static func scale(from n: Int, to m: Int, alignCorners: Bool) -> Float {
        alignCorners && m > 1 ? Float(n - 1) / Float(m - 1) : Float(n) / Float(m)
    }

    /// Nearest neighbour with half-pixel centres: output i reads input min(⌊(i + ½)·n/m⌋, n − 1).
    static func nearestExact(from n: Int, to m: Int) -> AxisSampling {
        let scale = AxisSampling.scale(from: n, to: m, alignCorners: false)
        return AxisSampling(inputSize: n, taps: (0..<m).map { i in
            [(Swift.min(Int(((Float(i) + 0.5) * scale).rounded(.down)), n - 1), 1.0)]
        })
    }

    /// Bicubic taps. Output i sits at s = (i + ½)·n/m − ½ (or s = i·(n − 1)/(m − 1) with `alignCorners`) and reads
    /// inputs ⌊s⌋ − 1 … ⌊s⌋ + 2 with the cubic convolution weights of t = s − ⌊s⌋, looked up in a 1024-step table:
    /// Keys' kernel with a = −½, taps outside the input dropped and the rest renormalised to sum 1, for half-pixel
    /// positions; a = −¾ with the indices clamped to the input (edge taps repeat) with `alignCorners`.
    static func bicubic(from n: Int, to m: Int, alignCorners: Bool) -> AxisSampling {
        let scale = AxisSampling.scale(from: n, to: m, alignCorners: alignCorners)
        let table = alignCorners ? CubicTable.aligned : CubicTable.halfPixel
        return AxisSampling(inputSize: n, taps: (0..<m).map { i in
            let s = alignCorners ? Float(i) * scale : (Float(i) + 0.5) * scale - 0.5
            let low = Int(s.rounded(.down)), t = s - Float(low)
            let offset = Int((t * Float(CubicTable.steps)).rounded(.toNearestOrEven))
            let far = CubicTable.steps - offset
            var weights = [table[2 * offset + 1], table[2 * offset], table[2 * far], table[2 * far + 1]]
            let positions = (low - 1)...(low + 2)
            let indices = positions.map { Swift.min(Swift.max($0, 0), n - 1) }
            if !alignCorners {
                for (k, p) in positions.enumerated() where indices[k] != p { weights[k] = 0 }
                let sum = weights[0] + weights[1] + weights[2] + weights[3]
                if Swift.abs(sum) >= 1000 * Float.leastNormalMagnitude {
                    let reciprocal = 1 / sum
                    for k in 0..<4 { weights[k] *= reciprocal }
                }
            }
            return zip(indices, weights).map { ($0, Double($1)) }
        })
    }
}

/// The cubic convolution weights at t = k/1024, k = 0…1024, as float32 pairs: [2k] the weight of the taps at
/// distance t (|x| ≤ 1: (a + 2)|x|³ − (a + 3)|x|² + 1), [2k + 1] at distance t + 1 (1 < |x| < 2: a|x|³ − 5a|x|² + 8a|x| − 4a),
/// computed in float64 from a float32 t and rounded, as MindSpore's kernel builds its table.
enum CubicTable {
    static let steps = 1024
    static let halfPixel = make(a: -0.5)
    static let aligned = make(a: -0.75)

    static func make(a: Double) -> [Float] {
        var table = [Float](repeating: 0, count: 2 * (steps + 1))
        for k in 0...steps {
            var x = Float(Double(k) / Double(steps))
            var d = Double(x)
            table[2 * k] = Float(((a + 2) * d - (a + 3)) * d * d + 1)
            x = Float(Double(x) + 1)
            d = Double(x)
            table[2 * k + 1] = Float(((a * d - 5 * a) * d + 8 * a) * d - 4 * a)
        }
        return table
    }
}
