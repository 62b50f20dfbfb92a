import Foundation
import Synchronization

/// The fields of a ``TensorBuffer``, stored in front of its elements.
@usableFromInline
struct TensorBufferHeader {
    let dtype: DType
    let count: Int
    let serial: UInt64
    /// A block from ``BufferPool`` for large buffers; nil when the elements follow the header in the object.
    let external: UnsafeMutableRawPointer?
}

/// The storage behind a ``Tensor``: one contiguous, row-major block of elements.
///
/// A buffer is immutable once a tensor shares it; writers copy first (copy-on-write in ``Tensor``).
/// Small blocks (under ``BufferPool/minimumPooledBytes``) are allocated in the same object as these fields, 16-byte
/// aligned: one allocation per tensor. Large blocks come from ``BufferPool`` and go back to it, so a training step
/// that makes tensors of the same sizes every iteration does not return to the kernel for fresh, page-faulting memory.
/// Make one with ``make(dtype:count:)``.
///
/// Sendable: the header is written once, when the buffer is made; the elements are written only before the
/// buffer is shared or while it is uniquely referenced (``Tensor``'s copy-on-write), so no two threads ever write
/// or read-and-write them.
@usableFromInline
final class TensorBuffer: @unchecked Sendable {
    /// The layout of the object: the header, then (for a small buffer) the elements, 16-byte aligned. The class
    /// declares no stored property, as `ManagedBufferPointer` requires of the classes it allocates.
    private typealias Storage = ManagedBufferPointer<TensorBufferHeader, SIMD4<Float>>

    /// The last serial handed out. A buffer's serial says when it was made, in the order of all buffers of the
    /// process: a `jit` trace tells the tensors it captured from outside (older than the trace) from those
    /// computed while it ran by an op it does not record, whose values it must not bake in.
    static let serials = Atomic<UInt64>(0)

    /// The fields, read through the header's address (no exclusivity check: they are never written after creation).
    @inline(__always) private var fields: TensorBufferHeader {
        Storage(unsafeBufferObject: self).withUnsafeMutablePointerToHeader { $0.pointee }
    }

    var dtype: DType { fields.dtype }
    var count: Int { fields.count }
    var serial: UInt64 { fields.serial }
    /// The first element.
    var raw: UnsafeMutableRawPointer {
        @inline(__always) get {
            let storage = Storage(unsafeBufferObject: self)
            if let external = storage.withUnsafeMutablePointerToHeader({ $0.pointee.external }) { return external }
            return storage.withUnsafeMutablePointerToElements { UnsafeMutableRawPointer($0) }
        }
    }

    /// Uninitialised storage for `count` elements; callers write every element before sharing it.
    @inline(__always)
    static func make(dtype: DType, count: Int) -> TensorBuffer {
        let bytes = Swift.max(count, 1) * dtype.byteSize
        if bytes < BufferPool.minimumPooledBytes { return inline(dtype: dtype, count: count, bytes: bytes) }
        // A failed allocation is out of memory on a path whose size was already checked.
        return external(dtype: dtype, count: count, block: BufferPool.allocate(bytes))
    }

    /// Uninitialised storage, or nil when the allocation fails (the checked creation path reports it).
    static func make(allocating dtype: DType, count: Int) -> TensorBuffer? {
        let bytes = Swift.max(count, 1) * dtype.byteSize
        if bytes < BufferPool.minimumPooledBytes { return inline(dtype: dtype, count: count, bytes: bytes) }
        guard let block = BufferPool.tryAllocate(bytes) else { return nil }
        return external(dtype: dtype, count: count, block: block)
    }

    /// Zero-filled storage.
    static func make(zeros dtype: DType, count: Int) -> TensorBuffer {
        let buffer = make(dtype: dtype, count: count)
        memset(buffer.raw, 0, count * dtype.byteSize)
        return buffer
    }

    @inline(__always)
    private static func inline(dtype: DType, count: Int, bytes: Int) -> TensorBuffer {
        let serial = serials.add(1, ordering: .relaxed).newValue
        let storage = Storage(bufferClass: TensorBuffer.self, minimumCapacity: (bytes + 15) / 16) { _, _ in
            TensorBufferHeader(dtype: dtype, count: count, serial: serial, external: nil)
        }
        // The object is an instance of `bufferClass`.
        return unsafeDowncast(storage.buffer, to: TensorBuffer.self)
    }

    private static func external(dtype: DType, count: Int, block: UnsafeMutableRawPointer) -> TensorBuffer {
        let serial = serials.add(1, ordering: .relaxed).newValue
        let storage = Storage(bufferClass: TensorBuffer.self, minimumCapacity: 0) { _, _ in
            TensorBufferHeader(dtype: dtype, count: count, serial: serial, external: block)
        }
        return unsafeDowncast(storage.buffer, to: TensorBuffer.self)
    }

    deinit {
        let f = fields
        if let block = f.external { BufferPool.release(block, Swift.max(f.count, 1) * f.dtype.byteSize) }
    }

    @inline(__always) func pointer<T>(_: T.Type) -> UnsafeMutablePointer<T> {
        raw.assumingMemoryBound(to: T.self)
    }

    func copy() -> TensorBuffer {
        let other = TensorBuffer.make(dtype: dtype, count: count)
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
