/// `Authorization: Bearer <token>` with tokens configured as hashes (RFC 6750 errors): for clients given a
/// fixed token rather than one from an authorization server. The principal is the token's configured name.
///
/// Lookup is the same as for API keys: `$sha256$` entries in constant time on the event loop, slow entries
/// through the ``VerifiedSecretCache``.
public final class StaticBearerAuthenticator: DescribedAuthenticator {
    public let name: String
    public let realm: String
    public var method: AuthenticationMethod { .staticBearer }
    public var headerNames: [String] { [AuthorizationHeader.name] }

    private let tokens: SecretTable
    private let tokenCount: Int
    private let cache: VerifiedSecretCache
    private let limiter: SlowHashLimiter
    let slowHashes = SlowHashCounter()

    /// - Parameters:
    ///   - realm: defaults to the scheme name.
    ///   - tokens: token name → hash of the token.
    ///   - slowHashLimiter: bounds concurrent slow-hash verifications; the process-wide one unless a test says.
    public init(
        name: String,
        realm: String? = nil,
        tokens: [String: SecretHash],
        cache: VerifiedSecretCache = VerifiedSecretCache(),
        slowHashLimiter: SlowHashLimiter = .shared
    ) {
        self.name = name
        self.realm = realm ?? name
        self.tokens = SecretTable(tokens)
        self.tokenCount = tokens.count
        self.cache = cache
        self.limiter = slowHashLimiter
    }

    /// `Bearer realm="…"`: what a client that sent no token is told (RFC 6750 §3: no error code).
    public var challenge: AuthenticationChallenge {
        AuthenticationChallenge(scheme: "Bearer", parameters: [("realm", realm)])
    }

    public var summary: String {
        "a static bearer token (scheme \(name), realm \"\(realm)\", \(tokenCount) token\(tokenCount == 1 ? "" : "s"))"
    }

    public func immediateOutcome(for request: AuthenticationRequest) -> AuthenticationOutcome? {
        let token: [UInt8]
        switch read(request) {
        case .decided(let outcome): return outcome
        case .token(let presented): token = presented
        }
        switch tokens.immediateLookup(token, scheme: name, cache: cache) {
        case .matched(let tokenName): return success(tokenName)
        case .noMatch: return wrongToken
        case .needsSlowHash: return nil
        }
    }

    public func authenticate(_ request: AuthenticationRequest) async -> AuthenticationOutcome {
        switch read(request) {
        case .decided(let outcome): return outcome
        case .token(let token):
            guard let tokenName = await tokens.lookup(token, scheme: name, cache: cache, counter: slowHashes, limiter: limiter) else { return wrongToken }
            return success(tokenName)
        }
    }

    private enum Reading {
        case decided(AuthenticationOutcome)
        case token([UInt8])
    }

    private func read(_ request: AuthenticationRequest) -> Reading {
        switch BearerCredentials.read(request) {
        case .notPresented: return .decided(.notPresented(challenge))
        case .malformed(let detail): return .decided(invalidRequest(detail))
        case .token(let token): return .token(Array(token.utf8))
        }
    }

    private var wrongToken: AuthenticationOutcome {
        .failed(
            AuthenticationFailure(.invalidToken, scheme: name, method: .staticBearer, detail: "the bearer token is not valid"),
            challenge: AuthenticationChallenge(scheme: "Bearer", parameters: [("realm", realm), ("error", "invalid_token")]))
    }

    private func invalidRequest(_ detail: String) -> AuthenticationOutcome {
        .failed(
            AuthenticationFailure(.invalidRequest, scheme: name, method: .staticBearer, detail: detail),
            challenge: AuthenticationChallenge(scheme: "Bearer", parameters: [("realm", realm), ("error", "invalid_request")]))
    }

    private func success(_ tokenName: String) -> AuthenticationOutcome {
        .authenticated(Principal(name: tokenName, methods: [.staticBearer], schemes: [name]))
    }
}
