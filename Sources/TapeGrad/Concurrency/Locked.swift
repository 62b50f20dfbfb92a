#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A POSIX mutex. TapeGrad guards its shared mutable state with this rather than `Synchronization.Mutex`:
/// ThreadSanitizer intercepts `pthread_mutex_lock`, so `make tsan` sees the happens-before edges
/// (it cannot see the futex inside the standard library's `Mutex`, which is not instrumented).
///
/// ```swift
/// // doc-example: internal
/// let lock = Lock()
/// var counter = 0
/// lock.withLock { counter += 1 }
/// ```
final class Lock: @unchecked Sendable {
    // Sendable: the mutex is only touched through pthread calls, which are thread-safe by definition.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Takes the lock; every `acquire()` is paired with a ``release()`` on the same thread (prefer ``withLock(_:)``).
    @inline(__always) func acquire() { pthread_mutex_lock(mutex) }

    /// Gives back the lock taken by ``acquire()``.
    @inline(__always) func release() { pthread_mutex_unlock(mutex) }

    /// Runs `body` holding the lock.
    @inline(__always)
    func withLock<R>(_ body: () throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}

/// A value reachable only while holding its own ``Lock``: the one way TapeGrad's reference types keep
/// mutable state and stay `Sendable`.
///
/// ```swift
/// // doc-example: internal
/// let count = Locked(0)
/// count.withLock { $0 += 1 }
/// let now = count.value
/// ```
final class Locked<Value>: @unchecked Sendable {
    // Sendable: the value is read and written only inside `lock.withLock`. It lives behind a pointer rather than
    // in a stored `var`, so an access costs no dynamic exclusivity check (the lock already makes it exclusive).
    private let lock = Lock()
    private let stored: UnsafeMutablePointer<Value>

    init(_ value: Value) {
        stored = .allocate(capacity: 1)
        stored.initialize(to: value)
    }

    deinit {
        stored.deinitialize(count: 1)
        stored.deallocate()
    }

    /// Runs `body` with exclusive access to the value.
    @inline(__always)
    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        try lock.withLock { try body(&stored.pointee) }
    }

    /// Runs `body` with exclusive access to the value, handing it `argument` moved rather than copied (a value
    /// to store in it costs no retain of its references).
    @inline(__always)
    func withLock<A, R>(moving argument: consuming A, _ body: (inout Value, consuming A) throws -> R) rethrows -> R {
        // Not through `lock.withLock { }`: a closure cannot move its captures.
        lock.acquire()
        defer { lock.release() }
        return try body(&stored.pointee, argument)
    }

    /// A copy of the value, read under the lock.
    var value: Value { withLock { $0 } }
}
