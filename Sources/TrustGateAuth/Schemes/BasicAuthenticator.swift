import Foundation

/// HTTP Basic (RFC 7617) with UTF-8 credentials, checked against configured salted hashes.
///
/// User names and passwords are compared after Unicode NFC normalisation, as `charset="UTF-8"` asks (RFC 7617
/// §2.1, the OpaqueString profile); `trustgate hash-secret` normalises the same way. An unknown user name
/// costs a hash of the same algorithm and cost as a known one, so timing does not reveal which names exist.
/// A correct password is remembered in a ``VerifiedSecretCache``: the slow hash runs once per distinct
/// credential, and ``immediateOutcome(for:)`` answers repeat requests without leaving the event loop.
public final class BasicAuthenticator: DescribedAuthenticator {
    public let name: String
    public let realm: String
    public var method: AuthenticationMethod { .basic }
    public var headerNames: [String] { [AuthorizationHeader.name] }

    private let users: [String: SecretHash]
    /// Verified for unknown users: the algorithm and cost of the first configured user (by name).
    private let decoy: SecretHash?
    private let cache: VerifiedSecretCache
    private let limiter: SlowHashLimiter
    let slowHashes = SlowHashCounter()

    /// - Parameters:
    ///   - realm: shown by clients in their password prompt; defaults to the scheme name.
    ///   - users: user name → hash of the password. Names containing `:` can never match (RFC 7617 §2).
    ///   - slowHashLimiter: bounds concurrent slow-hash verifications; the process-wide one unless a test says.
    public init(
        name: String,
        realm: String? = nil,
        users: [String: SecretHash],
        cache: VerifiedSecretCache = VerifiedSecretCache(),
        slowHashLimiter: SlowHashLimiter = .shared
    ) {
        self.name = name
        self.realm = realm ?? name
        var normalized: [String: SecretHash] = [:]
        for (user, hash) in users { normalized[user.precomposedStringWithCanonicalMapping] = hash }
        self.users = normalized
        self.decoy = normalized.min { $0.key < $1.key }?.value.decoy()
        self.cache = cache
        self.limiter = slowHashLimiter
    }

    /// `Basic realm="…", charset="UTF-8"`.
    public var challenge: AuthenticationChallenge {
        AuthenticationChallenge(scheme: "Basic", parameters: [("realm", realm), ("charset", "UTF-8")])
    }

    public var summary: String {
        "HTTP Basic credentials (scheme \(name), realm \"\(realm)\", \(users.count) user\(users.count == 1 ? "" : "s"))"
    }

    public func immediateOutcome(for request: AuthenticationRequest) -> AuthenticationOutcome? {
        switch evaluate(request) {
        case .decided(let outcome): return outcome
        case .needsSlowHash: return nil
        }
    }

    public func authenticate(_ request: AuthenticationRequest) async -> AuthenticationOutcome {
        switch evaluate(request) {
        case .decided(let outcome):
            return outcome
        case .needsSlowHash(let hash, let credentials, let knownUser):
            // The slow hash runs here, on the caller's task, never on an event loop, and only when the
            // limiter has room: a burst of wrong passwords queues instead of running all at once.
            let matched = try? await limiter.run { slowHashes.measure { hash.verify(credentials.password) } }
            guard knownUser, matched == true else { return wrongCredentials }
            cache.remember(credentials.user, scheme: name, credential: credentials.cacheKey)
            return success(credentials.user)
        }
    }

    // MARK: - Evaluation

    private enum Evaluation {
        case decided(AuthenticationOutcome)
        /// Only a slow hash can answer; for an unknown user it is the decoy, whose answer is always no.
        case needsSlowHash(SecretHash, BasicCredentials, knownUser: Bool)
    }

    /// Everything short of a slow hash.
    private func evaluate(_ request: AuthenticationRequest) -> Evaluation {
        let credentials: BasicCredentials
        switch BasicCredentials.read(request) {
        case .absent:
            return .decided(.notPresented(challenge))
        case .malformed(let detail):
            return .decided(failure(.invalidRequest, detail))
        case .present(let presented):
            credentials = presented
        }

        guard let hash = users[credentials.user] else {
            // Same work as for a known user, then the same answer.
            guard let decoy else { return .decided(wrongCredentials) }
            if decoy.isSlow { return .needsSlowHash(decoy, credentials, knownUser: false) }
            _ = decoy.verify(credentials.password)
            return .decided(wrongCredentials)
        }
        guard hash.isSlow else {
            return .decided(hash.verify(credentials.password) ? success(credentials.user) : wrongCredentials)
        }
        if cache.principalName(scheme: name, credential: credentials.cacheKey) == credentials.user {
            return .decided(success(credentials.user))
        }
        return .needsSlowHash(hash, credentials, knownUser: true)
    }

    private var wrongCredentials: AuthenticationOutcome {
        failure(.invalidCredentials, "the user name or password is not correct")
    }

    private func success(_ user: String) -> AuthenticationOutcome {
        .authenticated(Principal(name: user, methods: [.basic], schemes: [name]))
    }

    private func failure(_ kind: AuthenticationFailure.Kind, _ detail: String) -> AuthenticationOutcome {
        .failed(AuthenticationFailure(kind, scheme: name, method: .basic, detail: detail), challenge: challenge)
    }
}

/// The user name and password of a Basic `Authorization` header, decoded strictly.
struct BasicCredentials {
    enum Reading {
        case absent
        case malformed(String)
        case present(BasicCredentials)
    }

    /// NFC-normalised.
    let user: String
    /// NFC-normalised UTF-8.
    let password: [UInt8]
    /// `user:password` as the cache's key material (the cache stores only an HMAC of it).
    let cacheKey: [UInt8]

    static func read(_ request: AuthenticationRequest) -> Reading {
        let header = AuthorizationHeader(request)
        switch header {
        case .absent:
            return .absent
        case .duplicated:
            return .malformed("the request has more than one Authorization header")
        case .present(_, let encoded):
            guard header.uses("Basic") else { return .absent }
            guard !encoded.isEmpty else { return .malformed("the Basic credentials are empty") }
            guard let decoded = PHCBase64.decode(encoded) else { return .malformed("the Basic credentials are not valid base64") }
            guard let text = String(validating: decoded, as: UTF8.self) else {
                return .malformed("the Basic credentials are not UTF-8 text")
            }
            guard let colon = text.firstIndex(of: ":") else {
                return .malformed("the Basic credentials have no ':' between user name and password")
            }
            let user = String(text[..<colon]).precomposedStringWithCanonicalMapping
            let password = String(text[text.index(after: colon)...]).precomposedStringWithCanonicalMapping
            return .present(BasicCredentials(user: user, password: Array(password.utf8), cacheKey: Array("\(user):\(password)".utf8)))
        }
    }
}
