public import Foundation
import Synchronization

/// Lets at most ``limit`` slow secret-hash verifications (PBKDF2, scrypt) run at once; the others wait their
/// turn in arrival order.
///
/// Without it, many distinct wrong passwords (or unknown slow-hashed API keys) arriving together would run
/// that many verifications at once: each holds a thread for its full cost, and scrypt at ln=17 holds 128 MiB,
/// so a burst could exhaust memory and starve every other task. More verifications than CPUs cannot finish
/// sooner anyway, so the default limit is the number of active CPUs.
///
/// Waiting suspends the task (no thread is held, nothing spins). A task cancelled while waiting leaves the
/// queue without taking a permit and its verification does not run; a permit already handed to a task is
/// always given back. One ``shared`` limiter serves the whole process: the authenticators use it unless
/// given another.
public final class SlowHashLimiter: Sendable {
    /// The process-wide limiter, sized to the active CPUs.
    public static let shared = SlowHashLimiter()

    /// How many verifications may run at the same time (at least 1).
    public let limit: Int
    private let state: Mutex<State>

    public init(limit: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.limit = max(1, limit)
        self.state = Mutex(State(available: max(1, limit)))
    }

    /// Runs `verification` once a permit is free, on the caller's task, and gives the permit back after.
    ///
    /// - Throws: `CancellationError` when the task was cancelled while waiting; `verification` did not run.
    public nonisolated(nonsending) func run<Result>(_ verification: () -> Result) async throws(CancellationError) -> Result {
        guard await acquire() else { throw CancellationError() }
        defer { release() }
        return verification()
    }

    /// Tasks waiting for a permit now (for metrics and tests).
    public var waiting: Int { state.withLock { $0.waitingCount } }

    // MARK: - Permits

    /// Takes a permit, waiting in line when none is free. False: cancelled while waiting, no permit taken.
    private func acquire() async -> Bool {
        let ticket: UInt64? = state.withLock { state in
            // Free permits exist only while nobody waits (a released permit goes straight to the next waiter),
            // so taking one here never overtakes the line.
            if state.available > 0 {
                state.available -= 1
                return nil
            }
            return state.enqueue()
        }
        guard let ticket else { return true }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let decided: Bool? = state.withLock { state in
                    switch state.waiters[ticket] {
                    case .arriving:
                        state.waiters[ticket] = .suspended(continuation)
                        return nil
                    case .granted:
                        state.waiters[ticket] = nil
                        return true
                    case .cancelled:
                        state.waiters[ticket] = nil
                        return false
                    case .suspended, nil:
                        preconditionFailure("a waiter of SlowHashLimiter was resumed twice")
                    }
                }
                if let decided { continuation.resume(returning: decided) }
            }
        } onCancel: {
            let continuation: CheckedContinuation<Bool, Never>? = state.withLock { state in
                switch state.waiters[ticket] {
                case .arriving:
                    // Not suspended yet: the continuation sees this mark and returns at once.
                    state.waiters[ticket] = .cancelled
                    state.waitingCount -= 1
                    return nil
                case .suspended(let continuation):
                    state.waiters[ticket] = nil
                    state.waitingCount -= 1
                    return continuation
                case .granted, .cancelled, nil:
                    // Already holds the permit (or is being handed it): the task runs and releases as usual.
                    return nil
                }
            }
            continuation?.resume(returning: false)
        }
    }

    private func release() {
        let next: CheckedContinuation<Bool, Never>? = state.withLock { $0.handOver() }
        next?.resume(returning: true)
    }

    private enum Waiter {
        /// In line, its continuation not made yet.
        case arriving
        case suspended(CheckedContinuation<Bool, Never>)
        /// Handed a permit before its continuation was made.
        case granted
        /// Cancelled before its continuation was made.
        case cancelled
    }

    private struct State {
        var available: Int
        var waitingCount = 0
        var nextTicket: UInt64 = 0
        /// Tickets in arrival order from `head`; cancelled ones are skipped when their turn comes.
        var line: [UInt64] = []
        var head = 0
        var waiters: [UInt64: Waiter] = [:]

        init(available: Int) {
            self.available = available
        }

        mutating func enqueue() -> UInt64 {
            let ticket = nextTicket
            nextTicket += 1
            line.append(ticket)
            waiters[ticket] = .arriving
            waitingCount += 1
            return ticket
        }

        /// Gives a released permit to the first waiter still in line (returning its continuation to resume
        /// outside the lock), or back to the pool when nobody waits.
        mutating func handOver() -> CheckedContinuation<Bool, Never>? {
            while head < line.count {
                let ticket = line[head]
                head += 1
                compactLine()
                switch waiters[ticket] {
                case .arriving:
                    waiters[ticket] = .granted
                    waitingCount -= 1
                    return nil
                case .suspended(let continuation):
                    waiters[ticket] = nil
                    waitingCount -= 1
                    return continuation
                case .granted, .cancelled, nil:
                    continue
                }
            }
            available += 1
            return nil
        }

        /// Drops the served front of the line now and then, so it does not grow without bound.
        private mutating func compactLine() {
            if head == line.count {
                line.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 1024, head * 2 >= line.count {
                line.removeFirst(head)
                head = 0
            }
        }
    }
}
