import Dispatch
import Foundation
import TrustGateAuth
import TrustGateStore

/// Checks a presented client secret against the client's stored secret hashes (slow, salted: PBKDF2 or scrypt).
///
/// A secret that verified once is remembered (keyed by an HMAC of client and secret, never the secret itself) so
/// the slow hash runs once per distinct secret, not once per token; a hit counts only while the secret it matched
/// is still registered and unexpired. Slow hashing runs on a Dispatch queue, off the Swift concurrency pool that
/// serves requests, and only when the process-wide ``SlowHashLimiter`` has room (one per CPU): a burst of wrong
/// secrets queues instead of taking every core.
final class ClientSecretVerifier: Sendable {
    /// Longer secrets are refused unhashed: nobody generates them, and hashing megabytes is a cheap denial of service.
    static let maximumSecretLength = 1024

    private let cache: VerifiedSecretCache

    init(cache: VerifiedSecretCache = VerifiedSecretCache()) {
        self.cache = cache
    }

    func verify(_ secret: String, registration: ClientRegistration, at time: Date) async -> Bool {
        let bytes = Array(secret.utf8)
        guard !bytes.isEmpty, bytes.count <= Self.maximumSecretLength else { return false }
        let clientID = registration.client.id
        let candidates = registration.secrets.filter { !$0.isExpired(at: time) }
        guard !candidates.isEmpty else { return false }
        let scheme = "client_secret:" + clientID
        if let remembered = cache.principalName(scheme: scheme, credential: bytes),
            candidates.contains(where: { $0.id.uuidString == remembered })
        {
            return true
        }
        let matched: UUID?
        do {
            matched = try await SlowHashLimiter.shared.run { () -> UUID? in
                candidates.first { $0.hash.verify(bytes) }?.id
            }
        } catch {
            return false
        }
        guard let matched else { return false }
        cache.remember(matched.uuidString, scheme: scheme, credential: bytes)
        return true
    }
}
