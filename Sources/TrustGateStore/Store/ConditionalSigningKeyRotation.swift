public import Foundation

/// A store that can rotate only when the rotation is still due, decided inside the write transaction.
///
/// Several gateways sharing one store each run the automatic rotation schedule; each notices the key has aged at
/// about the same moment. Checking the newest key's age and rotating in one transaction makes exactly one of them
/// rotate: the others see the key the first one added and do nothing.
public protocol ConditionalSigningKeyRotation: RegistrationStore {
    /// Adds `newKey` and retires the current keys as `rotateSigningKeys(adding:retention:)` does, but only when
    /// the newest key (by creation) started signing, or is due to start, no later than `cutoff`. Returns the
    /// retired keys, or nil when a newer key exists (someone rotated already) and nothing changed.
    func rotateSigningKeys(adding newKey: SigningKey, retention: TimeInterval, ifNewestKeyActiveBy cutoff: Date) async throws -> [SigningKey]?

    /// When the newest key (by creation) starts signing (its publication time if it has no activation); nil when
    /// the store has no key.
    func newestSigningKeyActivation() async throws -> Date?
}
