/// `nn.AdaptiveAvgPool2d(output_size)`: ``adaptiveAvgPool2d(_:outputSize:)`` over an `(N, C, H, W)` or `(C, H, W)`
/// input. Output (i, j) averages rows [⌊i·H/h⌋, ⌈(i+1)·H/h⌉) and columns [⌊j·W/w⌋, ⌈(j+1)·W/w⌉); a `nil` size keeps
/// that axis.
///
/// ```swift
/// AdaptiveAvgPool2d(outputSize: 1)(Tensor.zeros([4, 16, 7, 7])).shape          // [4, 16, 1, 1], global pooling
/// AdaptiveAvgPool2d(outputSize: (nil, 3))(Tensor.zeros([4, 16, 7, 7])).shape   // [4, 16, 7, 3]
/// ```
public final class AdaptiveAvgPool2d: Cell, @unchecked Sendable {
    /// The output height and width (`nil`: as the input's).
    public let outputSize: (Int?, Int?)

    /// An adaptive average pooling layer to `outputSize`.
    public init(outputSize: (Int?, Int?)) {
        self.outputSize = outputSize
        super.init()
        if (outputSize.0 ?? 1) < 1 || (outputSize.1 ?? 1) < 1 {
            reportLayerError(configuration, "outputSize must hold sizes ≥ 1 or nil")
        }
    }

    /// A square output: `AdaptiveAvgPool2d(outputSize: 1)`.
    public convenience init(outputSize: Int) { self.init(outputSize: (outputSize, outputSize)) }

    var configuration: String {
        "AdaptiveAvgPool2d(outputSize: (\(outputSize.0.map(String.init) ?? "nil"), \(outputSize.1.map(String.init) ?? "nil")))"
    }

    /// The pooled input: `(…, h, w)`.
    public override func construct(_ x: Tensor) -> Tensor {
        guard x.rank == 3 || x.rank == 4, x.shape.allSatisfy({ $0 > 0 }), (outputSize.0 ?? 1) > 0, (outputSize.1 ?? 1) > 0 else {
            reportLayerError(configuration, "got input \(x.shape); expected a non-empty (N, C, H, W) or (C, H, W) input")
            return Tensor.placeholder(dtype: x.dtype)
        }
        return adaptiveAvgPool2d(x, outputSize: outputSize)
    }
}

/// `nn.Upsample(size, scale_factor, mode, align_corners, recompute_scale_factor)`: ``interpolate(_:size:mode:alignCorners:)``
/// to a fixed `size` or to ⌊n · scaleFactor⌋ along each spatial axis.
///
/// As in MindSpore 2.10, exactly one of `size` and `scaleFactor` is given (one value applies to every spatial axis);
/// nearest and nearest-exact (rank 3 or 4), linear (rank 3), bilinear and bicubic (rank 4) take `scaleFactor` only
/// with `recomputeScaleFactor: true`; area (rank 4, or 3) takes it either way. `alignCorners` is for linear,
/// bilinear and bicubic only. Anything else is an error naming the layer.
///
/// ```swift
/// let up = Upsample(size: [8, 8], mode: .bilinear, alignCorners: true)
/// up(Tensor.zeros([1, 3, 4, 4])).shape   // [1, 3, 8, 8]
/// Upsample(scaleFactor: [2], recomputeScaleFactor: true)(Tensor.zeros([1, 3, 4, 5])).shape   // [1, 3, 8, 10]
/// ```
public final class Upsample: Cell, @unchecked Sendable {
    /// The output spatial size, if fixed.
    public let size: [Int]?
    /// The scale of each spatial axis, if the size is not fixed.
    public let scaleFactor: [Double]?
    /// The sampling: nearest, nearest-exact, linear, bilinear, bicubic or area.
    public let mode: InterpolationMode
    /// Whether linear modes map the corner samples onto each other (nil: false).
    public let alignCorners: Bool?
    /// Whether `scaleFactor` is turned into a size ⌊n · scale⌋ first (the only way MindSpore 2.10 accepts it for these modes).
    public let recomputeScaleFactor: Bool?

    /// An upsampling layer.
    public init(size: [Int]? = nil, scaleFactor: [Double]? = nil, mode: InterpolationMode = .nearest, alignCorners: Bool? = nil,
                recomputeScaleFactor: Bool? = nil) {
        self.size = size
        self.scaleFactor = scaleFactor
        self.mode = mode
        self.alignCorners = alignCorners
        self.recomputeScaleFactor = recomputeScaleFactor
        super.init()
        if let problem = settingsProblem { reportLayerError(configuration, problem) }
    }

    var configuration: String {
        var parts: [String] = []
        if let size { parts.append("size: \(size)") }
        if let scaleFactor { parts.append("scaleFactor: \(scaleFactor)") }
        parts.append("mode: .\(mode.caseName)")
        if let alignCorners { parts.append("alignCorners: \(alignCorners)") }
        if let recomputeScaleFactor { parts.append("recomputeScaleFactor: \(recomputeScaleFactor)") }
        return "Upsample(\(parts.joined(separator: ", ")))"
    }

    /// What is wrong with the settings regardless of the input, as MindSpore says it.
    var settingsProblem: String? {
        switch (size, scaleFactor) {
        case (nil, nil): return "size and scaleFactor cannot be both empty"
        case (.some, .some): return "size and scaleFactor cannot be set simultaneously"
        case (let size?, nil):
            if size.isEmpty || size.contains(where: { $0 < 1 }) { return "size must hold sizes ≥ 1" }
            if recomputeScaleFactor == true { return "recomputeScaleFactor cannot be true with an explicit size" }
        case (nil, let scale?):
            if scale.isEmpty || scale.contains(where: { !($0 > 0 && $0.isFinite) }) { return "scaleFactor must hold finite factors > 0" }
            if recomputeScaleFactor != true && mode != .area {
                return "scaleFactor cannot be set with mode .\(mode.caseName) unless recomputeScaleFactor is true (MindSpore 2.10)"
            }
        }
        if !mode.takesAlignCorners, alignCorners != nil { return "alignCorners cannot be set with mode .\(mode.caseName)" }
        return nil
    }

    /// The resized input.
    public override func construct(_ x: Tensor) -> Tensor {
        if let problem = settingsProblem {
            reportLayerError(configuration, problem)
            return Tensor.placeholder(dtype: x.dtype)
        }
        let spatial = Array(x.shape.dropFirst(2))
        let given = size?.count ?? scaleFactor?.count ?? 0
        guard mode.ranks.contains(x.rank), given == 1 || given == spatial.count else {
            reportLayerError(configuration, "got input \(x.shape); expected a rank-\(mode.ranks.map(String.init).joined(separator: " or ")) "
                + "(N, C, …) input with \(given) spatial axes (or one size for all)")
            return Tensor.placeholder(dtype: x.dtype)
        }
        var target: [Int] = []
        for (axis, n) in spatial.enumerated() {
            if let size {
                target.append(size[given == 1 ? 0 : axis])
            } else if let scaleFactor {
                let scaled = (Double(n) * scaleFactor[given == 1 ? 0 : axis]).rounded(.down)
                guard scaled >= 1, scaled < Double(Int32.max) else {
                    reportLayerError(configuration, "got input \(x.shape); the scaled size \(scaled) of axis \(axis + 2) is not in [1, 2³¹)")
                    return Tensor.placeholder(dtype: x.dtype)
                }
                target.append(Int(scaled))
            }
        }
        return interpolate(x, size: target, mode: mode, alignCorners: alignCorners)
    }
}
