public import Foundation
public import TrustGateStore

/// Bootstrapping the signing key: a service that has never rotated has no key to sign with.
public enum TokenSigningKeys {
    /// The current signing key, generating and activating one (with `algorithm`) when the store has none.
    /// The first key signs at once: no resource server can have cached a JWKS without it.
    @discardableResult
    public static func ensureSigningKey(
        in store: some RegistrationStore,
        algorithm: SigningKeyAlgorithm,
        storeKey: KeyEncryptionKey,
        jwksCacheTime: TimeInterval = SigningKeyRotation.defaultJWKSCacheTime,
        now: Date = Date()
    ) async throws -> SigningKey {
        if let current = try await store.currentSigningKey(at: now) { return current }
        let rotation = SigningKeyRotation(publishDelay: 0, jwksCacheTime: jwksCacheTime)
        return try await rotation.rotate(in: store, algorithm: algorithm, storeKey: storeKey, now: now).newKey
    }
}
