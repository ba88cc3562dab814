import Crypto
import Foundation
import Synchronization
import TrustGateX509

/// Remembers which credentials a slow hash has already accepted, so PBKDF2 / scrypt runs once per distinct
/// credential instead of once per request.
///
/// Entries are keyed by HMAC-SHA256, under a key drawn at random when the cache is made, of the scheme name
/// and the presented credential: the credential itself is never stored, and a memory dump yields values that
/// cannot be tested offline without the key. Only successes are remembered (the value is the principal
/// name). Entries live `timeToLive` (5 minutes by default) and the least recently used are dropped beyond
/// `capacity`. Each authenticator owns its cache, so reloading a configuration (a changed or removed
/// password) forgets every entry of the old one.
public final class VerifiedSecretCache: Sendable {
    public static let defaultCapacity = 10_000
    public static let defaultTimeToLive: Duration = .seconds(300)

    public let capacity: Int
    public let timeToLive: Duration
    private let key = SymmetricKey(size: .bits256)
    private let state: Mutex<LRUCache<EntryKey, Entry>>

    public init(capacity: Int = defaultCapacity, timeToLive: Duration = defaultTimeToLive) {
        self.capacity = max(1, capacity)
        self.timeToLive = timeToLive
        self.state = Mutex(LRUCache(capacity: capacity))
    }

    /// The principal name a previous verification of this credential produced, if still fresh.
    public func principalName(scheme: String, credential: some Collection<UInt8>) -> String? {
        principalName(scheme: scheme, credential: credential, now: .now)
    }

    public func remember(_ principalName: String, scheme: String, credential: some Collection<UInt8>) {
        remember(principalName, scheme: scheme, credential: credential, now: .now)
    }

    public var count: Int { state.withLock { $0.count } }

    func principalName(scheme: String, credential: some Collection<UInt8>, now: ContinuousClock.Instant) -> String? {
        let entryKey = self.entryKey(scheme: scheme, credential: credential)
        return state.withLock { lru in
            guard let entry = lru.get(entryKey) else { return nil }
            guard entry.expiresAt > now else {
                lru.remove(entryKey)
                return nil
            }
            return entry.principalName
        }
    }

    func remember(_ principalName: String, scheme: String, credential: some Collection<UInt8>, now: ContinuousClock.Instant) {
        let entryKey = self.entryKey(scheme: scheme, credential: credential)
        let entry = Entry(principalName: principalName, expiresAt: now.advanced(by: timeToLive))
        state.withLock { $0.set(entryKey, entry) }
    }

    /// HMAC(key, len(scheme) ‖ scheme ‖ credential): the length prefix keeps (a, bc) and (ab, c) apart.
    private func entryKey(scheme: String, credential: some Collection<UInt8>) -> EntryKey {
        var hmac = HMAC<SHA256>(key: key)
        let schemeBytes = Array(scheme.utf8)
        let length = UInt32(truncatingIfNeeded: schemeBytes.count)
        hmac.update(data: [UInt8(length >> 24), UInt8(truncatingIfNeeded: length >> 16), UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length)])
        hmac.update(data: schemeBytes)
        hmac.update(data: Array(credential))
        let mac = Array(hmac.finalize())
        return EntryKey(bytes: mac)
    }

    struct EntryKey: Hashable {
        let bytes: [UInt8]
    }

    struct Entry {
        let principalName: String
        let expiresAt: ContinuousClock.Instant
    }
}
