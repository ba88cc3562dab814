import Dispatch
import NIOConcurrencyHelpers
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// SIGINT / SIGTERM end the run early instead of killing the process, so that what was measured is still printed.
/// The main thread sleeps on this between the phases of a run; a signal or `wake()` cuts the sleep short.
final class RunInterruption: @unchecked Sendable {
    // @unchecked: `sources` is only written in `install()`, before anything else uses this object.
    private let semaphore = DispatchSemaphore(value: 0)
    private let interrupted = NIOLockedValueBox(false)
    private var sources: [any DispatchSourceSignal] = []

    func install() {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [weak self] in self?.interrupt() }
            source.resume()
            sources.append(source)
        }
    }

    var isInterrupted: Bool {
        interrupted.withLockedValue { $0 }
    }

    func interrupt() {
        interrupted.withLockedValue { $0 = true }
        semaphore.signal()
    }

    /// Makes a sleeping `sleep(until:while:)` look at its condition again.
    func wake() {
        semaphore.signal()
    }

    /// Sleeps until `deadline`, or until `condition` turns false, or an interruption. Returns false when interrupted.
    func sleep(until deadline: NIODeadline, while condition: () -> Bool = { true }) -> Bool {
        while !isInterrupted {
            let now = NIODeadline.now()
            if now >= deadline || !condition() { return true }
            let remaining = min((deadline - now).nanoseconds, 1_000_000_000)
            _ = semaphore.wait(timeout: .now() + .nanoseconds(Int(remaining)))
        }
        return false
    }
}
