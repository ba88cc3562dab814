public import Foundation
import Synchronization

/// Access tokens per (endpoint, client, scope), shared by every connector in the process unless one is given
/// its own. A token is reused until `refreshAt`; callers that need a token while one is being acquired wait for
/// that acquisition instead of starting another (single flight), and a failed acquisition fails them all and
/// leaves nothing cached.
public final class TokenCache: Sendable {
    public static let shared = TokenCache()

    private enum Entry {
        case ready(AccessToken)
        case acquiring(id: UUID, task: Task<AccessToken, any Error>)
    }

    private let entries = Mutex<[TokenCacheKey: Entry]>([:])

    public init() {}

    /// The cached token, or the result of the acquisition in flight, or of a new one made with `acquire`.
    public func token(
        for key: TokenCacheKey, now: Date, acquire: @escaping @Sendable () async throws -> AccessToken
    ) async throws -> AccessToken {
        enum Step {
            case use(AccessToken)
            case wait(Task<AccessToken, any Error>)
        }
        let step: Step = entries.withLock { entries in
            switch entries[key] {
            case .ready(let token) where token.isUsable(at: now):
                return .use(token)
            case .acquiring(_, let task):
                return .wait(task)
            default:
                let id = UUID()
                // The task completes the entry itself, so waiters are served even if the caller that started it
                // is cancelled; it cannot finish before this closure stores it, as finishing takes the same lock.
                let task = Task<AccessToken, any Error> { [weak self] in
                    do {
                        let token = try await acquire()
                        self?.finish(key: key, id: id, with: token)
                        return token
                    } catch {
                        self?.finish(key: key, id: id, with: nil)
                        throw error
                    }
                }
                entries[key] = .acquiring(id: id, task: task)
                return .wait(task)
            }
        }
        switch step {
        case .use(let token): return token
        case .wait(let task): return try await task.value
        }
    }

    /// Forgets `token` after the API refused it as invalid, so the next `token(for:)` acquires a new one. A token
    /// other than the cached one (already replaced by another caller's refresh) changes nothing.
    public func invalidate(_ token: AccessToken, for key: TokenCacheKey) {
        entries.withLock { entries in
            if case .ready(let cached) = entries[key], cached.value == token.value {
                entries[key] = nil
            }
        }
    }

    /// Forgets every token (tests; a configuration reload).
    public func removeAll() {
        entries.withLock { $0.removeAll() }
    }

    private func finish(key: TokenCacheKey, id: UUID, with token: AccessToken?) {
        entries.withLock { entries in
            guard case .acquiring(let current, _) = entries[key], current == id else { return }
            entries[key] = token.map { .ready($0) }
        }
    }
}
