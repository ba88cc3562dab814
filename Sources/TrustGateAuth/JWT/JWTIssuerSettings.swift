public import Foundation
public import TrustGateJOSE
public import X509

/// How tokens from one issuer are validated (OAUTH-CHECKLIST RS-2 … RS-8), parsed once from configuration.
public struct JWTIssuerSettings: Sendable {
    public enum KeySource: Sendable {
        /// A JWKS document on disk, re-read when the file changes.
        case file(path: String)
        /// A JWKS served over https (http only for loopback), cached for `refreshInterval`, re-fetched at most
        /// once per `minimumRefetchInterval` when a token names an unknown `kid`.
        /// `trustRoots` empty = the system's roots.
        case url(URL, trustRoots: [Certificate])
        /// A JWKS document given inline in the configuration (tests, static deployments).
        case inline(json: String)
    }

    /// `iss` must equal this exactly (RS-3).
    public var issuer: String
    /// `aud` must contain at least one of these (RS-4).
    public var audiences: [String]
    public var keySource: KeySource
    /// Algorithms accepted from this issuer; a token's `alg` outside this set fails before any key is used (RS-5).
    public var algorithms: Set<JWSAlgorithm>
    /// Accepted `typ` values, lower-cased; `at+jwt` and `application/at+jwt` by default, `jwt` for
    /// Entra-style issuers (RS-2). A token without `typ` always fails.
    public var tokenTypes: Set<String>
    /// Allowed clock difference for `exp`, `nbf` and `iat` (≤ 60 s; RS-6).
    public var clockSkew: TimeInterval
    public var refreshInterval: TimeInterval
    public var minimumRefetchInterval: TimeInterval
    /// Refuse tokens without `cnf.x5t#S256` (every token must be certificate-bound). A token that has the
    /// claim is always checked against the connection's certificate (RS-8), whatever this says.
    public var requireCertificateBinding: Bool

    public init(
        issuer: String,
        audiences: [String],
        keySource: KeySource,
        algorithms: Set<JWSAlgorithm> = [.rs256, .es256, .ps256],
        tokenTypes: Set<String> = ["at+jwt", "application/at+jwt"],
        clockSkew: TimeInterval = 60,
        refreshInterval: TimeInterval = 3600,
        minimumRefetchInterval: TimeInterval = 30,
        requireCertificateBinding: Bool = false
    ) {
        self.issuer = issuer
        self.audiences = audiences
        self.keySource = keySource
        self.algorithms = algorithms
        self.tokenTypes = tokenTypes
        self.clockSkew = clockSkew
        self.refreshInterval = refreshInterval
        self.minimumRefetchInterval = minimumRefetchInterval
        self.requireCertificateBinding = requireCertificateBinding
    }
}
