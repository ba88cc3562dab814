public import Foundation

/// Key rotation as JK-3 asks: the new key is published at once and signs only after `publishDelay` (so resource
/// servers with a cached JWKS already know it), and the keys it replaces stop signing at that moment and stay in
/// the JWKS for the longest token lifetime plus the JWKS cache time, so every token they signed still verifies.
public struct SigningKeyRotation: Sendable {
    /// How long after publication the new key starts signing. Set it to the resource servers' JWKS cache time
    /// for a rotation nobody notices; 0 makes the key sign at once (fine for the first key, and when every
    /// resource server refetches the JWKS on an unknown `kid`).
    public var publishDelay: TimeInterval
    /// How long resource servers may cache the JWKS (the `Cache-Control: max-age` the token service sends).
    public var jwksCacheTime: TimeInterval

    public static let defaultJWKSCacheTime: TimeInterval = 3600

    public init(publishDelay: TimeInterval = 0, jwksCacheTime: TimeInterval = defaultJWKSCacheTime) {
        self.publishDelay = max(0, publishDelay)
        self.jwksCacheTime = max(0, jwksCacheTime)
    }

    /// The outcome: the new key and the keys it retired (with their retirement and removal times).
    public struct Result: Sendable {
        public let newKey: SigningKey
        public let retiredKeys: [SigningKey]
        /// How long retired keys stay in the JWKS after they stop signing.
        public let retention: TimeInterval
    }

    /// Generates a key and rotates to it. The first key ever (no key signing or about to) signs at once: no
    /// resource server can have cached a JWKS without it.
    public func rotate(
        in store: some RegistrationStore,
        algorithm: SigningKeyAlgorithm,
        storeKey: KeyEncryptionKey,
        now: Date = Date()
    ) async throws -> Result {
        let existing = try await store.signingKeys()
        let hasSigningKey = existing.contains { key in
            key.activeFrom != nil && (key.retiredAt.map { $0 > now } ?? true) && (key.removedAt.map { $0 > now } ?? true)
        }
        let activeFrom = hasSigningKey ? now.addingTimeInterval(publishDelay) : now
        let key = try SigningKey.generate(algorithm: algorithm, publishedAt: now, activeFrom: activeFrom, storeKey: storeKey, now: now)
        let retention = try await maximumTokenLifetime(in: store) + jwksCacheTime
        let retired = try await store.rotateSigningKeys(adding: key, retention: retention)
        return Result(newKey: key, retiredKeys: retired, retention: retention)
    }

    /// The longest lifetime a token can currently be issued with: the clients' lifetimes (a resource's own lifetime
    /// only shortens tokens), and at least the default.
    public func maximumTokenLifetime(in store: some RegistrationStore) async throws -> TimeInterval {
        let clients = try await store.clients()
        let longest = clients.map(\.tokenLifetime.seconds).max() ?? TokenLifetime.default.seconds
        return TimeInterval(max(longest, TokenLifetime.default.seconds))
    }
}
