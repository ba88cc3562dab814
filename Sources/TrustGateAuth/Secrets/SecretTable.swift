import Crypto

/// Named secrets (API keys, static tokens) looked up by the presented value alone, where no name says which
/// entry to try.
///
/// `$sha256$` entries: the presented value is hashed once and compared with every entry, each in constant
/// time and without stopping at a match, so timing does not depend on which (or whether an) entry matched.
/// Slow entries (PBKDF2, scrypt) are answered from the ``VerifiedSecretCache`` when possible; otherwise each
/// is verified in turn, under the ``SlowHashLimiter``, which costs one slow hash per entry for an unknown
/// value — the reason generated keys should be stored as `$sha256$`.
struct SecretTable: Sendable {
    enum Lookup: Equatable {
        case matched(name: String)
        case noMatch
        /// Only a slow hash can answer: not on an event loop.
        case needsSlowHash
    }

    private let fast: [(name: String, hash: SecretHash)]
    private let slow: [(name: String, hash: SecretHash)]

    /// Entries in name order, so that which name wins for a value configured twice is deterministic.
    init(_ entries: [String: SecretHash]) {
        let sorted = entries.sorted { $0.key < $1.key }.map { (name: $0.key, hash: $0.value) }
        self.fast = sorted.filter { !$0.hash.isSlow }
        self.slow = sorted.filter { $0.hash.isSlow }
    }

    var isEmpty: Bool { fast.isEmpty && slow.isEmpty }

    /// What can be known without a slow hash.
    func immediateLookup(_ credential: [UInt8], scheme: String, cache: VerifiedSecretCache) -> Lookup {
        if let name = fastMatch(credential) { return .matched(name: name) }
        if slow.isEmpty { return .noMatch }
        if let name = cache.principalName(scheme: scheme, credential: credential) { return .matched(name: name) }
        return .needsSlowHash
    }

    /// The full answer, running slow hashes when needed (call off the event loop), each under `limiter`,
    /// and caching a success. A task cancelled while waiting for the limiter gets no match.
    func lookup(
        _ credential: [UInt8], scheme: String, cache: VerifiedSecretCache, counter: SlowHashCounter, limiter: SlowHashLimiter
    ) async -> String? {
        switch immediateLookup(credential, scheme: scheme, cache: cache) {
        case .matched(let name): return name
        case .noMatch: return nil
        case .needsSlowHash: break
        }
        for entry in slow {
            // One permit per verification, not per lookup: a table of many slow entries waits its turn
            // between them instead of holding a permit for all of them.
            guard let matched = try? await limiter.run({ counter.measure { entry.hash.verify(credential) } }) else { return nil }
            if matched {
                cache.remember(entry.name, scheme: scheme, credential: credential)
                return entry.name
            }
        }
        return nil
    }

    private func fastMatch(_ credential: [UInt8]) -> String? {
        guard !fast.isEmpty else { return nil }
        let presented = Array(SHA256.hash(data: credential))
        var found: String?
        for entry in fast {
            let equal = entry.hash.matches(sha256Digest: presented)
            if equal, found == nil { found = entry.name }
        }
        return found
    }
}
