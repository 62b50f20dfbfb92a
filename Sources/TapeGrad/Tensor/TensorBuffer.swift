/// The storage behind a ``Tensor``: one contiguous, 64-byte-aligned, row-major block of elements.
///
/// A buffer is immutable once a tensor shares it; writers copy first (copy-on-write in ``Tensor``).
@usableFromInline
final class TensorBuffer: @unchecked Sendable {
    let dtype: DType
    let count: Int
    let raw: UnsafeMutableRawPointer

    /// Uninitialised storage for `count` elements; callers write every element before sharing it.
    init(dtype: DType, count: Int) {
        self.dtype = dtype
        self.count = count
        raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * dtype.byteSize, alignment: 64)
    }

    /// Zero-filled storage.
    convenience init(zeros dtype: DType, count: Int) {
        self.init(dtype: dtype, count: count)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: count * dtype.byteSize)
    }

    deinit { raw.deallocate() }

    @inline(__always) func pointer<T: TensorScalar>(_: T.Type) -> UnsafeMutablePointer<T> {
        raw.assumingMemoryBound(to: T.self)
    }

    func copy() -> TensorBuffer {
        let other = TensorBuffer(dtype: dtype, count: count)
        other.raw.copyMemory(from: raw, byteCount: count * dtype.byteSize)
        return other
    }
}
