import Foundation
import Synchronization

/// A bounded (LRU) cache of verdicts keyed by the presented chain and the policy generation.
///
/// An entry expires at the earliest of: the TTL, the next validity boundary of any certificate in the
/// chain (notBefore / notAfter with skew) and the next nextUpdate of a CRL that was consulted. An entry
/// made under another policy generation is never returned: reloading trust or revocation data makes
/// every older verdict unusable at once. One cache may be shared by successive policies (reload).
public final class VerdictCache: Sendable {
    public let capacity: Int
    private let state: Mutex<State>

    public init(capacity: Int = 10_000) {
        self.capacity = max(1, capacity)
        self.state = Mutex(State(entries: LRUCache(capacity: capacity)))
    }

    private struct State {
        var entries: LRUCache<PresentedCertificateChain, Entry>
        var hits = 0
        var misses = 0
    }

    struct Entry {
        let verdict: CertificateVerdict
        let generation: UInt64
        let expiresAt: Date
    }

    func lookup(_ key: PresentedCertificateChain, generation: UInt64, now: Date) -> CertificateVerdict? {
        state.withLock { state in
            guard let entry = state.entries.get(key) else {
                state.misses += 1
                return nil
            }
            guard entry.generation == generation, entry.expiresAt > now else {
                state.entries.remove(key)
                state.misses += 1
                return nil
            }
            state.hits += 1
            return entry.verdict
        }
    }

    func store(_ key: PresentedCertificateChain, verdict: CertificateVerdict, generation: UInt64, expiresAt: Date) {
        state.withLock { $0.entries.set(key, Entry(verdict: verdict, generation: generation, expiresAt: expiresAt)) }
    }

    public var count: Int { state.withLock { $0.entries.count } }
    public var hits: Int { state.withLock { $0.hits } }
    public var misses: Int { state.withLock { $0.misses } }

    public func removeAll() {
        state.withLock { $0 = State(entries: LRUCache(capacity: capacity)) }
    }
}
