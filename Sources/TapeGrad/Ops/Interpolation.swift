// Resizing by interpolation (MindSpore's ops.interpolate for nearest, linear and bilinear), built on the
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

    /// The ranks MindSpore 2.10 accepts for this mode.
    var ranks: [Int] {
        switch self {
        case .nearest: return [3, 4]
        case .linear: return [3]
        case .bilinear: return [4]
        }
    }

    func sampling(from n: Int, to m: Int, alignCorners: Bool) -> AxisSampling {
        self == .nearest ? .nearest(from: n, to: m) : .linear(from: n, to: m, alignCorners: alignCorners)
    }
}

/// Resizes the spatial axes of an `(N, C, W)` or `(N, C, H, W)` input to `size`, MindSpore's `ops.interpolate`
/// with an explicit size:
/// - `.nearest`: output i reads input min(⌊i·n/m⌋, n − 1) along each axis (rank 3 or 4; `alignCorners` must be nil);
/// - `.linear` (rank 3), `.bilinear` (rank 4): output i sits at s = (i + ½)·n/m − ½ (clamped at 0) or, with
///   `alignCorners: true`, at s = i·(n − 1)/(m − 1), and mixes inputs ⌊s⌋, ⌊s⌋ + 1 with weights 1 − λ, λ (λ = s − ⌊s⌋).
///
/// Each axis is a linear map A, so y = A_h · x · A_wᵀ and ∂L/∂x = A_hᵀ · G · A_w (a linear op whose own pullback is
/// the resize again).
///
/// ```swift
/// let image = Tensor.randomNormal([1, 3, 4, 5], seed: 1)
/// interpolate(image, size: [8, 10], mode: .bilinear).shape                      // [1, 3, 8, 10]
/// interpolate(image, size: [8, 10], mode: .bilinear, alignCorners: true).shape  // corners kept
/// interpolate(Tensor.randomNormal([2, 3, 6], seed: 2), size: [12]).shape        // [2, 3, 12], nearest
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
    guard mode != .nearest || alignCorners == nil else { return fail("no alignCorners with mode nearest (MindSpore rejects it)") }
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
