import Synchronization

/// Counts slow-hash verifications an authenticator ran: the observable proof (for tests and metrics) that
/// the cache spares repeated PBKDF2 / scrypt work.
final class SlowHashCounter: Sendable {
    private let runs = Atomic<Int>(0)

    func increment() { runs.add(1, ordering: .relaxed) }

    var value: Int { runs.load(ordering: .relaxed) }
}
