// Resizing by interpolation (MindSpore's ops.interpolate for nearest, nearest-exact, linear, bilinear, bicubic
// and area), built on the
// separable resampling op of Resampling.swift, whose adjoint is its pullback.

/// How ``interpolate(_:size:mode:alignCorners:)`` samples, MindSpore's `mode`.
public enum InterpolationMode: String, Sendable, Equatable {
    /// The nearest input to the left: output i reads input min(⌊i·n/m⌋, n − 1) (MindSpore's `nearest`,
    /// OpenCV's INTER_NEAREST), for rank-3 and rank-4 inputs.
    case nearest
    /// Linear interpolation along W of an `(N, C, W)` input.
    case linear
    /// Bilinear interpolation along H and W of an `(N, C, H, W)` input.
    case bilinear
    /// The nearest input with half-pixel centres: output i reads input min(⌊(i + ½)·n/m⌋, n − 1) (MindSpore's
    /// `nearest-exact`), for rank-3 and rank-4 inputs.
    case nearestExact = "nearest-exact"
    /// Bicubic interpolation along H and W of an `(N, C, H, W)` input, with MindSpore's (TensorFlow's) weights.
    case bicubic
    /// The average over each output's bin of inputs, [⌊i·n/m⌋, ⌈(i + 1)·n/m⌉) — adaptive average pooling
    /// (MindSpore's `area`), for rank-3 inputs whose length the output size divides, and rank-4 inputs.
    case area

    /// The ranks MindSpore 2.10 accepts for this mode (`area` also takes rank 5 there; TapeGrad does not yet).
    var ranks: [Int] {
        switch self {
        case .nearest, .nearestExact, .area: return [3, 4]
        case .linear: return [3]
        case .bilinear, .bicubic: return [4]
        }
    }

    /// The case's Swift name (`nearestExact`), for messages.
    var caseName: String { self == .nearestExact ? "nearestExact" : rawValue }

    /// Whether MindSpore accepts `align_corners` with this mode.
    var takesAlignCorners: Bool { self == .linear || self == .bilinear || self == .bicubic }

    func sampling(from n: Int, to m: Int, alignCorners: Bool) -> AxisSampling {
        switch self {
        case .nearest: return .nearest(from: n, to: m)
        case .nearestExact: return .nearestExact(from: n, to: m)
        case .area: return .adaptiveAverage(from: n, to: m)
        case .bicubic: return .bicubic(from: n, to: m, alignCorners: alignCorners)
        case .linear, .bilinear: return .linear(from: n, to: m, alignCorners: alignCorners)
        }
    }
}

/// Resizes the spatial axes of an `(N, C, W)` or `(N, C, H, W)` input to `size`, MindSpore's `ops.interpolate`
/// with an explicit size:
/// - `.nearest`: output i reads input min(⌊i·n/m⌋, n − 1) along each axis (rank 3 or 4; `alignCorners` must be nil);
/// - `.nearestExact`: output i reads input min(⌊(i + ½)·n/m⌋, n − 1) (rank 3 or 4);
/// - `.linear` (rank 3), `.bilinear` (rank 4): output i sits at s = (i + ½)·n/m − ½ (clamped at 0) or, with
///   `alignCorners: true`, at s = i·(n − 1)/(m − 1), and mixes inputs ⌊s⌋, ⌊s⌋ + 1 with weights 1 − λ, λ (λ = s − ⌊s⌋);
/// - `.bicubic` (rank 4): at the same positions, inputs ⌊s⌋ − 1 … ⌊s⌋ + 2 with cubic convolution weights (Keys,
///   a = −½, taps outside the image dropped and renormalised; a = −¾ and clamped taps with `alignCorners`);
/// - `.area`: the mean of the inputs in [⌊i·n/m⌋, ⌈(i + 1)·n/m⌉) (rank 4, or rank 3 when the size divides the length).
///
/// Each axis is a linear map A, so y = A_h · x · A_wᵀ and ∂L/∂x = A_hᵀ · G · A_w (a linear op whose own pullback is
/// the resize again).
///
/// ```swift
/// let image = Tensor.randomNormal([1, 3, 4, 5], seed: 1)
/// interpolate(image, size: [8, 10], mode: .bilinear).shape                      // [1, 3, 8, 10]
/// interpolate(image, size: [8, 10], mode: .bilinear, alignCorners: true).shape  // corners kept
/// interpolate(Tensor.randomNormal([2, 3, 6], seed: 2), size: [12]).shape        // [2, 3, 12], nearest
/// interpolate(image, size: [2, 2], mode: .area).shape                           // [1, 3, 2, 2]
/// ```
public func interpolate(_ x: Tensor, size: [Int], mode: InterpolationMode = .nearest, alignCorners: Bool? = nil) -> Tensor {
    func fail(_ expected: String) -> Tensor {
        reportError(TensorError(op: "interpolate", message: "got input \(x.shape), size \(size), mode \(mode.rawValue)"
            + "\(alignCorners.map { ", alignCorners \($0)" } ?? ""): expected \(expected)"))
        return Tensor.placeholder(dtype: x.dtype.floatingPoint)
    }
    guard mode.ranks.contains(x.rank) else {
        return fail("a rank-\(mode.ranks.map(String.init).joined(separator: " or ")) input for mode \(mode.rawValue)")
    }
    guard size.count == x.rank - 2 else { return fail("\(x.rank - 2) sizes, one per spatial axis") }
    guard size.allSatisfy({ $0 > 0 }) else { return fail("sizes > 0") }
    guard mode.takesAlignCorners || alignCorners == nil else {
        return fail("no alignCorners with mode \(mode.rawValue) (MindSpore rejects it)")
    }
    if mode == .area, x.rank == 3, !(size[0] <= x.shape[2] && x.shape[2] % size[0] == 0) {
        return fail("an output length that divides the input's \(x.shape[2]) for mode area on a rank-3 input (MindSpore's adaptive_avg_pool1d)")
    }
    guard x.shape.dropFirst(2).allSatisfy({ $0 > 0 }) else { return fail("non-empty spatial axes") }
    guard Tensor.canAllocate(size, dtype: .float64, op: "interpolate"),
          Tensor.canAllocate(Array(x.shape.prefix(2)) + size, dtype: .float64, op: "interpolate") else {
        return Tensor.placeholder(dtype: x.dtype.floatingPoint)
    }
    let corners = alignCorners ?? false
    let w = x.shape[x.rank - 1]
    let columns = mode.sampling(from: w, to: size[size.count - 1], alignCorners: corners)
    if x.rank == 3 {
        // (N, C, W) as (N, C, 1, W): a reshape that shares the buffer.
        let y = resampled(x.reshaped(to: [x.shape[0], x.shape[1], 1, w]), rows: .identity(1), columns: columns, op: "interpolate")
        return y.reshaped(to: [x.shape[0], x.shape[1], size[0]])
    }
    return resampled(x, rows: mode.sampling(from: x.shape[2], to: size[0], alignCorners: corners), columns: columns, op: "interpolate")
}
