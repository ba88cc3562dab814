/// A key in a named request header (`x-functions-key` by default, as Azure Functions uses), matched against
/// configured hashes; the principal is the matching key's configured name.
///
/// There is no standard `WWW-Authenticate` scheme for API keys, so this authenticator never challenges.
/// Store generated keys as `$sha256$` (see ``SecretHash``): they are then checked in constant time on the
/// event loop. Slow-hashed keys work too, at one slow hash per configured key for each new value presented.
public final class APIKeyAuthenticator: DescribedAuthenticator {
    public static let defaultHeader = "x-functions-key"

    public let name: String
    /// Lower-cased.
    public let header: String
    public var method: AuthenticationMethod { .apiKey }
    public var headerNames: [String] { [header] }

    private let keys: SecretTable
    private let keyCount: Int
    private let cache: VerifiedSecretCache
    private let limiter: SlowHashLimiter
    let slowHashes = SlowHashCounter()

    /// - Parameters:
    ///   - keys: key name → hash of the key.
    ///   - slowHashLimiter: bounds concurrent slow-hash verifications; the process-wide one unless a test says.
    public init(
        name: String,
        header: String = defaultHeader,
        keys: [String: SecretHash],
        cache: VerifiedSecretCache = VerifiedSecretCache(),
        slowHashLimiter: SlowHashLimiter = .shared
    ) {
        self.name = name
        self.header = header.lowercased()
        self.keys = SecretTable(keys)
        self.keyCount = keys.count
        self.cache = cache
        self.limiter = slowHashLimiter
    }

    public var summary: String {
        "an API key in the \(header) header (scheme \(name), \(keyCount) key\(keyCount == 1 ? "" : "s"))"
    }

    public func immediateOutcome(for request: AuthenticationRequest) -> AuthenticationOutcome? {
        let key: [UInt8]
        switch read(request) {
        case .decided(let outcome): return outcome
        case .key(let presented): key = presented
        }
        switch keys.immediateLookup(key, scheme: name, cache: cache) {
        case .matched(let keyName): return success(keyName)
        case .noMatch: return wrongKey
        case .needsSlowHash: return nil
        }
    }

    public func authenticate(_ request: AuthenticationRequest) async -> AuthenticationOutcome {
        switch read(request) {
        case .decided(let outcome): return outcome
        case .key(let key):
            guard let keyName = await keys.lookup(key, scheme: name, cache: cache, counter: slowHashes, limiter: limiter) else { return wrongKey }
            return success(keyName)
        }
    }

    private enum Reading {
        case decided(AuthenticationOutcome)
        case key([UInt8])
    }

    private func read(_ request: AuthenticationRequest) -> Reading {
        let values = request.values(of: header)
        guard let value = values.first else { return .decided(.notPresented(nil)) }
        guard values.count == 1 else {
            return .decided(failure(.invalidRequest, "the request has more than one \(header) header"))
        }
        let key = AuthorizationHeader.trimmingOWS(value)
        guard !key.isEmpty else { return .decided(failure(.invalidRequest, "the \(header) header is empty")) }
        return .key(Array(key.utf8))
    }

    private var wrongKey: AuthenticationOutcome { failure(.invalidCredentials, "the API key is not valid") }

    private func success(_ keyName: String) -> AuthenticationOutcome {
        .authenticated(Principal(name: keyName, methods: [.apiKey], schemes: [name]))
    }

    private func failure(_ kind: AuthenticationFailure.Kind, _ detail: String) -> AuthenticationOutcome {
        .failed(AuthenticationFailure(kind, scheme: name, method: .apiKey, detail: detail), challenge: nil)
    }
}
