/// The state changes of one step — running statistics of ``BatchNorm1d``, random draws of ``Dropout`` —
/// staged so that a step that throws leaves them exactly as they were.
///
/// Every gradient computation, ``TrainOneStepCell`` step and ``withErrorChecking(_:)`` scope runs as a
/// transaction. Inside one, a layer does not write its state: it stages a *commit* (applied, in order,
/// when the outermost transaction succeeds) or registers a *rollback* (run, in reverse order, when it
/// fails). A nested transaction hands its effects to its parent on success. Outside every transaction
/// the commit runs at once.
///
/// Commits run under the lock of the state they change, so concurrent steps never lose an update; they
/// apply in the order the steps finish.
final class Transaction: Sendable {
    @TaskLocal static var current: Transaction?

    private struct Effects {
        var commits: [@Sendable () -> Void] = []
        var rollbacks: [@Sendable () -> Void] = []
    }
    private let effects = Locked(Effects())
    private let parent: Transaction?

    private init(parent: Transaction?) { self.parent = parent }

    /// Whether a layer staged a state change or a rollback in this transaction (a `jit` trace refuses those).
    var hasStagedEffects: Bool { effects.withLock { !$0.commits.isEmpty || !$0.rollbacks.isEmpty } }

    /// Applies `change` when the current transaction commits, or now when there is none.
    static func stage(_ change: @escaping @Sendable () -> Void) {
        if let t = current { t.effects.withLock { $0.commits.append(change) } } else { change() }
    }

    /// Runs `undo` if the current transaction fails (nothing outside a transaction).
    static func onRollback(_ undo: @escaping @Sendable () -> Void) {
        current?.effects.withLock { $0.rollbacks.append(undo) }
    }

    /// Runs `body` as a transaction: a thrown error rolls back its effects, success commits them
    /// (or hands them to the enclosing transaction).
    static func run<R>(_ body: () throws -> R) throws -> R {
        let t = Transaction(parent: current)
        do {
            let result = try $current.withValue(t) { try body() }
            t.finish()
            return result
        } catch {
            t.rollBack()
            throw error
        }
    }

    /// The `async` form of ``run(_:)``.
    static func run<R>(_ body: () async throws -> R) async throws -> R {
        let t = Transaction(parent: current)
        do {
            let result = try await $current.withValue(t) { try await body() }
            t.finish()
            return result
        } catch {
            t.rollBack()
            throw error
        }
    }

    private func finish() {
        let mine = effects.withLock { e -> Effects in defer { e = Effects() }; return e }
        if let parent {
            parent.effects.withLock {
                $0.commits += mine.commits
                $0.rollbacks += mine.rollbacks
            }
        } else {
            for commit in mine.commits { commit() }
        }
    }

    private func rollBack() {
        let mine = effects.withLock { e -> Effects in defer { e = Effects() }; return e }
        for undo in mine.rollbacks.reversed() { undo() }
    }
}
