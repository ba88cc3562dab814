import Foundation
import Synchronization
import TrustGateJOSE
import TrustGateStore

/// The key that signs access tokens right now, ready to sign.
///
/// Asks the store which key is current at most once per `refreshInterval`, and opens each key's sealed private
/// half with the store key once, caching the signer by `kid`: no request decrypts or parses a key (the
/// issuance rate target is thousands of tokens per second on one core).
final class TokenSigner: Sendable {
    struct CurrentKey: Sendable {
        let keyID: String
        let algorithm: JWSAlgorithm
        let signer: JWSSigner
    }

    private struct State {
        var current: CurrentKey?
        var checkedAt: Date?
        var signersByKeyID: [String: JWSSigner] = [:]
    }

    private let store: any RegistrationStore
    private let storeKey: KeyEncryptionKey
    private let refreshInterval: TimeInterval
    private let state = Mutex(State())

    init(store: any RegistrationStore, storeKey: KeyEncryptionKey, refreshInterval: TimeInterval) {
        self.store = store
        self.storeKey = storeKey
        self.refreshInterval = refreshInterval
    }

    func currentKey(at now: Date) async throws(TokenEndpointError) -> CurrentKey {
        let cached = state.withLock { state -> CurrentKey? in
            guard let current = state.current, let checkedAt = state.checkedAt,
                now >= checkedAt, now.timeIntervalSince(checkedAt) < refreshInterval
            else { return nil }
            return current
        }
        if let cached { return cached }

        let key: SigningKey?
        do {
            key = try await store.currentSigningKey(at: now)
        } catch {
            throw .serverError(.storeFailure)
        }
        guard let key else { throw .serverError(.noSigningKey) }
        let existing = state.withLock { $0.signersByKeyID[key.keyID] }
        let signer: JWSSigner
        if let existing {
            signer = existing
        } else {
            do {
                signer = try key.signer(using: storeKey)
            } catch {
                throw .serverError(.signingKeyUnusable)
            }
        }
        let current = CurrentKey(keyID: key.keyID, algorithm: key.algorithm.jwsAlgorithm, signer: signer)
        state.withLock { state in
            state.signersByKeyID[key.keyID] = signer
            state.current = current
            state.checkedAt = now
        }
        return current
    }
}
