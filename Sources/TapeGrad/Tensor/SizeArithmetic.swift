import Foundation

// Checked size arithmetic: the one place where shapes become element counts, byte counts and strides.
//
// Invariant: every tensor's shape is *valid* — no negative dimension, and the product of its non-zero
// dimensions is at most `maximumElementCount` (2⁴⁸). So any product of a part of a tensor's shape (a
// stride, an outer or inner count) and that times 8 bytes fits an `Int` and needs no further check. New
// shapes computed from arguments (creation, reshape, broadcast, matmul, concat, convolution, one-hot,
// gather, checkpoints) go through `Tensor.validCount(_:op:)` or `Tensor.validAllocation(_:dtype:op:)`
// before any memory is touched.

enum SizeArithmetic {
    /// The most elements a tensor may have (2⁴⁸): far past any memory, small enough that strides and
    /// byte counts of valid shapes never overflow.
    static let maximumElementCount = 1 << 48

    /// The most bytes one tensor may take: this machine's physical memory.
    static let maximumByteCount: Int = Int(clamping: ProcessInfo.processInfo.physicalMemory)

    /// `a · b`, or nil when it overflows.
    @inline(__always)
    static func product(_ a: Int, _ b: Int) -> Int? {
        let (p, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? nil : p
    }

    /// `a + b`, or nil when it overflows.
    @inline(__always)
    static func sum(_ a: Int, _ b: Int) -> Int? {
        let (s, overflow) = a.addingReportingOverflow(b)
        return overflow ? nil : s
    }

    /// The element count of `dims`, or nil when a dimension is negative or the product of the non-zero
    /// dimensions exceeds ``maximumElementCount`` (a zero does not excuse huge other dimensions: their
    /// strides would still overflow).
    static func elementCount<C: Collection<Int>>(_ dims: C) -> Int? {
        var nonZero = 1, hasZero = false
        for d in dims {
            if d < 0 { return nil }
            if d == 0 { hasZero = true; continue }
            guard let p = product(nonZero, d), p <= maximumElementCount else { return nil }
            nonZero = p
        }
        return hasZero ? 0 : nonZero
    }

    /// The element count of a part of a valid tensor's shape (an outer or inner count, a stride): it cannot
    /// overflow by the invariant above.
    @inline(__always)
    static func count<C: Collection<Int>>(of dims: C) -> Int {
        var n = 1
        for d in dims { n &*= d }
        return n
    }
}

extension Tensor {
    /// The element count of `shape`, or `nil` (after reporting an error naming `op`) when a dimension is
    /// negative or the shape has too many elements.
    static func validCount(_ shape: [Int], op: String) -> Int? {
        if let bad = shape.first(where: { $0 < 0 }) {
            reportError(TensorError(op: op, message: "shape \(shape) has a negative dimension (\(bad)); dimensions must be ≥ 0"))
            return nil
        }
        guard let n = SizeArithmetic.elementCount(shape) else {
            reportError(TensorError(op: op, message: "shape \(shape) has too many elements (the limit is 2^48 elements)"))
            return nil
        }
        return n
    }

    /// Like ``validCount(_:op:)``, and also checks that `count · dtype.byteSize` fits this machine's memory.
    static func validAllocation(_ shape: [Int], dtype: DType, op: String) -> Int? {
        guard let n = validCount(shape, op: op) else { return nil }
        let bytes = n * dtype.byteSize   // ≤ 2⁴⁸ · 8: no overflow
        guard bytes <= SizeArithmetic.maximumByteCount else {
            reportError(TensorError(op: op, message: "shape \(shape) of \(dtype) needs \(bytes) bytes, more than this machine's "
                + "\(SizeArithmetic.maximumByteCount) bytes of memory"))
            return nil
        }
        return n
    }

    /// A buffer for a new tensor of `shape`, or nil (after reporting) when the shape is invalid, too big or
    /// the allocation fails: the one allocation path that turns out-of-memory into an error.
    static func allocatedBuffer(_ shape: [Int], dtype: DType, op: String, zeroed: Bool = false) -> TensorBuffer? {
        guard let n = validAllocation(shape, dtype: dtype, op: op) else { return nil }
        guard let buffer = TensorBuffer.make(allocating: dtype, count: n) else {
            reportError(TensorError(op: op, message: "out of memory: cannot allocate \(n * dtype.byteSize) bytes for shape \(shape) of \(dtype)"))
            return nil
        }
        if zeroed { memset(buffer.raw, 0, n * dtype.byteSize) }
        return buffer
    }

    /// Whether a new tensor of `shape` may be allocated; reports an error naming `op` when not.
    @inline(__always)
    static func canAllocate(_ shape: [Int], dtype: DType, op: String) -> Bool {
        validAllocation(shape, dtype: dtype, op: op) != nil
    }
}
