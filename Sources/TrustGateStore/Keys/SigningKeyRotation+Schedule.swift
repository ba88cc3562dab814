public import Foundation

extension SigningKeyRotation {
    /// The automatic schedule's step: rotates when the newest key has been signing for `interval` or longer
    /// (the newest key is the one signing, or the one about to). Nil when nothing was due, including when
    /// another gateway sharing the store rotated first: the age is checked again inside the store's transaction,
    /// so one store sees one rotation per interval however many gateways run the schedule.
    ///
    /// A store without keys is not rotated here: `TokenSigningKeys.ensureSigningKey` creates the first key.
    public func rotateIfDue(
        in store: some ConditionalSigningKeyRotation,
        interval: TimeInterval,
        algorithm: SigningKeyAlgorithm,
        storeKey: KeyEncryptionKey,
        now: Date = Date()
    ) async throws -> Result? {
        let cutoff = now.addingTimeInterval(-interval)
        // A cheap read first: key generation (RSA especially) is not worth doing when nothing is due.
        guard let newest = try await store.newestSigningKeyActivation(), newest <= cutoff else { return nil }
        let key = try SigningKey.generate(
            algorithm: algorithm, publishedAt: now, activeFrom: now.addingTimeInterval(publishDelay), storeKey: storeKey, now: now)
        let retention = try await maximumTokenLifetime(in: store) + jwksCacheTime
        guard let retired = try await store.rotateSigningKeys(adding: key, retention: retention, ifNewestKeyActiveBy: cutoff) else {
            return nil
        }
        return Result(newKey: key, retiredKeys: retired, retention: retention)
    }
}
