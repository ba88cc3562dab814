import Synchronization

/// Counts the slow-hash verifications an authenticator ran, and the most that ran at the same time: the
/// observable proof (for tests and metrics) that the cache spares repeated PBKDF2 / scrypt work and that
/// the ``SlowHashLimiter`` bounds how many run at once.
final class SlowHashCounter: Sendable {
    private let runs = Atomic<Int>(0)
    private let running = Atomic<Int>(0)
    private let peak = Atomic<Int>(0)

    /// Runs one slow verification, counting it while it runs.
    func measure<Result>(_ verification: () -> Result) -> Result {
        runs.add(1, ordering: .relaxed)
        let now = running.add(1, ordering: .sequentiallyConsistent).newValue
        var highest = peak.load(ordering: .relaxed)
        while now > highest {
            let (exchanged, original) = peak.compareExchange(expected: highest, desired: now, ordering: .relaxed)
            if exchanged { break }
            highest = original
        }
        defer { running.subtract(1, ordering: .sequentiallyConsistent) }
        return verification()
    }

    /// Verifications run so far.
    var value: Int { runs.load(ordering: .relaxed) }

    /// The most verifications that were running at the same time.
    var peakConcurrency: Int { peak.load(ordering: .relaxed) }
}
