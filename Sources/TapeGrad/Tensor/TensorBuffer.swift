import Foundation
import Synchronization

/// The storage behind a ``Tensor``: one contiguous, row-major block of elements.
///
/// A buffer is immutable once a tensor shares it; writers copy first (copy-on-write in ``Tensor``).
/// Large blocks come from ``BufferPool`` and go back to it, so a training step that makes tensors of the
/// same sizes every iteration does not return to the kernel for fresh, page-faulting memory.
///
/// Sendable: every field is a `let`; the elements are written only before the buffer is shared or while
/// it is uniquely referenced (``Tensor``'s copy-on-write), so no two threads ever write or read-and-write them.
@usableFromInline
final class TensorBuffer: @unchecked Sendable {
    let dtype: DType
    let count: Int
    let raw: UnsafeMutableRawPointer
    private let byteCount: Int
    /// When this buffer was made, in the order of all buffers of the process (``TensorBuffer/serials``): a
    /// `jit` trace tells the tensors it captured from outside (older than the trace) from those computed while
    /// it ran by an op it does not record, whose values it must not bake in.
    let serial: UInt64

    /// The last serial handed out.
    static let serials = Atomic<UInt64>(0)

    /// Uninitialised storage for `count` elements; callers write every element before sharing it.
    init(dtype: DType, count: Int) {
        self.dtype = dtype
        self.count = count
        serial = TensorBuffer.serials.add(1, ordering: .relaxed).newValue
        byteCount = Swift.max(count, 1) * dtype.byteSize
        raw = BufferPool.allocate(byteCount)
    }

    /// Uninitialised storage, or nil when the allocation fails (the checked creation path reports it).
    init?(allocating dtype: DType, count: Int) {
        self.dtype = dtype
        self.count = count
        serial = TensorBuffer.serials.add(1, ordering: .relaxed).newValue
        byteCount = Swift.max(count, 1) * dtype.byteSize
        guard let p = BufferPool.tryAllocate(byteCount) else { return nil }
        raw = p
    }

    /// Zero-filled storage.
    convenience init(zeros dtype: DType, count: Int) {
        self.init(dtype: dtype, count: count)
        memset(raw, 0, count * dtype.byteSize)
    }

    deinit { BufferPool.release(raw, byteCount) }

    @inline(__always) func pointer<T>(_: T.Type) -> UnsafeMutablePointer<T> {
        raw.assumingMemoryBound(to: T.self)
    }

    func copy() -> TensorBuffer {
        let other = TensorBuffer(dtype: dtype, count: count)
        other.raw.copyMemory(from: raw, byteCount: count * dtype.byteSize)
        return other
    }
}

/// A cache of freed large blocks, by exact byte size, bounded in total bytes. Small blocks use malloc
/// directly (it is already fast for them).
enum BufferPool {
    static let minimumPooledBytes = 16 * 1024
    static let maximumCachedBytes = 96 * 1024 * 1024

    private struct State {
        var free: [Int: [UnsafeMutableRawPointer]] = [:]
        var cachedBytes = 0
    }
    /// A pthread-based lock (not `Mutex`), so ThreadSanitizer sees the hand-over of a block between threads.
    private static let state = Locked(State())

    static func allocate(_ bytes: Int) -> UnsafeMutableRawPointer {
        // A failed allocation is out of memory on a path whose size was already checked.
        tryAllocate(bytes) ?? UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 16)
    }

    /// A block of `bytes`, or nil when the system cannot provide it.
    static func tryAllocate(_ bytes: Int) -> UnsafeMutableRawPointer? {
        if bytes >= minimumPooledBytes {
            let reused: UnsafeMutableRawPointer? = state.withLock { s in
                guard let block = s.free[bytes]?.popLast() else { return nil }
                s.cachedBytes -= bytes
                return block
            }
            if let reused { return reused }
            var p: UnsafeMutableRawPointer?
            if posix_memalign(&p, 64, bytes) == 0, let p { return p }
        }
        // malloc's 16-byte alignment suits every dtype.
        return malloc(bytes)
    }

    static func release(_ p: UnsafeMutableRawPointer, _ bytes: Int) {
        if bytes >= minimumPooledBytes {
            let kept = state.withLock { s -> Bool in
                guard s.cachedBytes + bytes <= maximumCachedBytes else { return false }
                s.free[bytes, default: []].append(p)
                s.cachedBytes += bytes
                return true
            }
            if kept { return }
        }
        free(p)
    }
}
