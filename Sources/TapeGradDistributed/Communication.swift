import CMPI
import Foundation
import Synchronization
import TapeGrad

/// The process group of a data-parallel run, MindSpore's `mindspore.communication`
/// (`init`, `get_rank`, `get_group_size`), over Open MPI.
///
/// Start the program with `mpirun -np 2 ./train` (on one machine add `--oversubscribe`, and
/// `--allow-run-as-root` as root); every process calls ``initialize(timeout:)`` once, then the
/// collectives (``allReduce(_:op:)``, ``allGather(_:)``, ``broadcast(_:root:)``, ``barrier()``).
///
/// ```swift
/// import TapeGradDistributed
///
/// try Communication.initialize()
/// print("rank \(Communication.rank) of \(Communication.groupSize)")
/// let total = try allReduce(Tensor([Float(Communication.rank)]))   // 0 + 1 + … + (p − 1)
/// try Communication.finalize()
/// ```
///
/// **Threading.** Every MPI call goes through one lock (MPI is initialised with
/// `MPI_THREAD_SERIALIZED`), so collectives may be called from any thread; two threads that call
/// collectives concurrently are serialised in an order MPI cannot match across processes, so call them
/// from one thread per process, as every MPI program does.
///
/// **Failures.** No collective waits forever: each waits at most ``timeout`` and then throws
/// ``DistributedError/timeout(operation:seconds:)``. After a timeout the group is unusable (a peer is
/// still inside, or never reached, the collective); end the process with ``abort(code:)`` or by exiting,
/// and `mpirun` stops the others.
public enum Communication {
    /// The process's rank in the group (`get_rank`): 0 when the group is not initialised.
    public static var rank: Int { state.withLock { $0.rank } }

    /// The number of processes in the group (`get_group_size`): 1 when the group is not initialised.
    public static var groupSize: Int { state.withLock { $0.size } }

    /// Whether ``initialize(timeout:)`` has run and ``finalize()`` has not.
    public static var isInitialized: Bool { state.withLock { $0.phase == .running } }

    /// Whether this process is rank 0, the one that writes checkpoints and prints.
    public static var isRoot: Bool { rank == 0 }

    /// How long a collective may wait for the other processes before it throws (300 s by default).
    public static var timeout: Duration {
        get { state.withLock { $0.timeout } }
        set { state.withLock { $0.timeout = newValue } }
    }

    /// Joins the process group (MindSpore's `init()`): `MPI_Init_thread`, then the rank and size.
    ///
    /// Run once per process. Without `mpirun` the process is a group of one.
    /// - Throws: ``DistributedError/mpi(operation:code:message:)`` when MPI cannot start, or
    ///   ``DistributedError/invalidState(operation:message:)`` when called twice.
    public static func initialize(timeout: Duration = .seconds(300)) throws {
        try state.withLock { s in
            guard s.phase == .fresh else {
                throw DistributedError.invalidState(operation: "Communication.initialize",
                    message: s.phase == .running ? "the group is already initialised" : "MPI cannot be initialised again after finalize()")
            }
            var provided: Int32 = 0
            try check(MPI_Init_thread(nil, nil, tg_mpi_thread_serialized(), &provided), "MPI_Init_thread")
            // Errors come back as codes (and become DistributedError) instead of aborting the job.
            try check(MPI_Comm_set_errhandler(tg_mpi_comm_world(), tg_mpi_errors_return()), "MPI_Comm_set_errhandler")
            var rank: Int32 = 0, size: Int32 = 1
            try check(MPI_Comm_rank(tg_mpi_comm_world(), &rank), "MPI_Comm_rank")
            try check(MPI_Comm_size(tg_mpi_comm_world(), &size), "MPI_Comm_size")
            s.rank = Int(rank)
            s.size = Int(size)
            s.timeout = timeout
            s.phase = .running
        }
    }

    /// Leaves the process group (`MPI_Finalize`); collectives throw afterwards.
    public static func finalize() throws {
        try state.withLock { s in
            guard s.phase == .running else { return }
            s.phase = .finished
            try check(MPI_Finalize(), "MPI_Finalize")
        }
    }

    /// Ends every process of the job (`MPI_Abort`) — the way out after a timeout or an error that the
    /// other ranks cannot learn of.
    public static func abort(code: Int32 = 1) -> Never {
        if isInitialized { _ = MPI_Abort(tg_mpi_comm_world(), code) }
        exit(code)
    }

    // MARK: - Internals

    enum Phase { case fresh, running, finished }

    struct State {
        var phase = Phase.fresh
        var rank = 0
        var size = 1
        var timeout = Duration.seconds(300)
    }

    static let state = Mutex(State())

    /// What a collective needs to know of the group.
    struct Context {
        let rank: Int
        let size: Int
        let timeout: Duration
    }

    /// Runs `body` holding the MPI lock, after checking that the group is running.
    static func withMPI<R>(_ operation: String, _ body: (Context) throws -> R) throws -> R {
        try state.withLock { s in
            guard s.phase == .running else { throw DistributedError.notInitialized(operation: operation) }
            return try body(Context(rank: s.rank, size: s.size, timeout: s.timeout))
        }
    }

    static func check(_ code: Int32, _ operation: String) throws {
        guard code != tg_mpi_success() else { return }
        var text = [CChar](repeating: 0, count: Int(MPI_MAX_ERROR_STRING) + 1)
        var length: Int32 = 0
        _ = MPI_Error_string(code, &text, &length)
        let message = String(decoding: text.prefix(Int(max(0, length))).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        throw DistributedError.mpi(operation: operation, code: code, message: message)
    }

    /// Waits for a non-blocking operation, at most `timeout`.
    static func wait(_ request: inout MPI_Request?, operation: String, timeout: Duration) throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var done: Int32 = 0
        var polls = 0
        while true {
            try check(MPI_Test(&request, &done, tg_mpi_status_ignore()), operation)
            if done != 0 { return }
            if clock.now > deadline {
                let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) * 1e-18
                throw DistributedError.timeout(operation: operation, seconds: seconds)
            }
            polls += 1
            if polls > 2_000 { usleep(50) } else { sched_yield() }
        }
    }
}
