// The geometry of a 2-D sliding window (convolution and pooling): kernel, stride, dilation, padding, and the
// output size and MindSpore's 'same' padding it implies.

/// Geometry of a 2-D window sliding over an image: kernel, stride, dilation and the padding on each side.
public struct Window2D: Sendable, Equatable {
    /// Kernel height and width.
    public var kernel: (Int, Int)
    /// Vertical and horizontal stride.
    public var stride: (Int, Int)
    /// Vertical and horizontal dilation.
    public var dilation: (Int, Int)
    /// Padding: top, bottom, left, right.
    public var padding: (top: Int, bottom: Int, left: Int, right: Int)

    /// A window.
    public init(kernel: (Int, Int), stride: (Int, Int) = (1, 1), dilation: (Int, Int) = (1, 1),
                padding: (top: Int, bottom: Int, left: Int, right: Int) = (0, 0, 0, 0)) {
        self.kernel = kernel
        self.stride = stride
        self.dilation = dilation
        self.padding = padding
    }

    /// Two windows are equal when kernel, stride, dilation and padding all are.
    public static func == (a: Window2D, b: Window2D) -> Bool {
        a.kernel == b.kernel && a.stride == b.stride && a.dilation == b.dilation && a.padding == b.padding
    }

    /// The padding MindSpore's `pad_mode="same"` uses for an `h × w` input: output ⌈size/stride⌉, the total
    /// padding split with the extra row or column at the bottom or right.
    public static func samePadding(height h: Int, width w: Int, kernel: (Int, Int), stride: (Int, Int), dilation: (Int, Int) = (1, 1))
        -> (top: Int, bottom: Int, left: Int, right: Int) {
        func split(_ size: Int, _ k: Int, _ s: Int, _ d: Int) -> (Int, Int) {
            // Checked: absurd sizes give an impossible padding (Int.max), which the op then reports.
            let s = Swift.max(s, 1)
            guard size >= 0, k >= 0, d >= 0, let padded = SizeArithmetic.sum(size, s - 1),
                  let covered = SizeArithmetic.product(padded / s - 1, s),
                  let span = SizeArithmetic.product(k - 1, d).flatMap({ SizeArithmetic.sum(covered, $0) }) else { return (Int.max, Int.max) }
            let total = Swift.max(span - size + 1, 0)
            return (total / 2, total - total / 2)
        }
        let (t, b) = split(h, kernel.0, stride.0, dilation.0), (l, r) = split(w, kernel.1, stride.1, dilation.1)
        return (t, b, l, r)
    }

    /// The output height and width for an `h × w` input, or nil if the window does not fit.
    func outputSize(height h: Int, width w: Int) -> (Int, Int)? {
        guard kernel.0 > 0, kernel.1 > 0, stride.0 > 0, stride.1 > 0, dilation.0 > 0, dilation.1 > 0,
              padding.top >= 0, padding.bottom >= 0, padding.left >= 0, padding.right >= 0 else { return nil }
        // Checked: a kernel, dilation or padding near Int.max is an error, not an overflow.
        func extent(_ size: Int, _ before: Int, _ after: Int, _ k: Int, _ d: Int, _ s: Int) -> Int? {
            guard let span = SizeArithmetic.product(k - 1, d), let padded = SizeArithmetic.sum(size, before).flatMap({ SizeArithmetic.sum($0, after) }),
                  padded > span else { return nil }
            return (padded - span - 1) / s + 1
        }
        guard let oh = extent(h, padding.top, padding.bottom, kernel.0, dilation.0, stride.0),
              let ow = extent(w, padding.left, padding.right, kernel.1, dilation.1, stride.1) else { return nil }
        return (oh, ow)
    }
}
