import Crypto
import Foundation
import Synchronization

/// Tokens whose signature and claims already verified, keyed by the SHA-256 of the token (the token itself is
/// never kept as a key), so each token's signature is checked once. Entries live until the token expires; when
/// full, the oldest entry goes first.
///
/// A hit is not an acceptance: the caller still checks the validity window and the certificate binding for the
/// request at hand (`AccessTokenRequestChecks`).
final class VerifiedTokenCache: Sendable {
    private struct State {
        var entries: [SHA256Digest: AccessTokenClaims] = [:]
        /// Insertion order; may hold keys already removed, skipped when evicting.
        var order: [SHA256Digest] = []
        var orderStart = 0
    }

    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int = 10_000) {
        self.capacity = max(capacity, 1)
    }

    static func key(for token: String) -> SHA256Digest {
        SHA256.hash(data: Array(token.utf8))
    }

    var count: Int { state.withLock { $0.entries.count } }

    /// The cached claims. An entry past `exp` plus the largest allowed skew is returned one last time (so this
    /// request is told "expired") and dropped.
    func claims(for key: SHA256Digest, now: Date) -> AccessTokenClaims? {
        state.withLock { state in
            guard let claims = state.entries[key] else { return nil }
            if now >= claims.expiresAt.addingTimeInterval(60) { state.entries[key] = nil }
            return claims
        }
    }

    func insert(_ claims: AccessTokenClaims, for key: SHA256Digest) {
        state.withLock { state in
            if state.entries[key] == nil {
                while state.entries.count >= capacity, state.orderStart < state.order.count {
                    let oldest = state.order[state.orderStart]
                    state.orderStart += 1
                    state.entries[oldest] = nil
                }
                state.order.append(key)
            }
            state.entries[key] = claims
            // Compact the order list once the consumed prefix dominates it.
            if state.orderStart > 1024, state.orderStart * 2 > state.order.count {
                state.order.removeFirst(state.orderStart)
                state.orderStart = 0
            }
        }
    }
}
