public import TrustGateX509

/// Why a credential was refused. `detail` is safe to show to the client and to log: it never contains a
/// secret, a token or a password, only what was wrong with it.
public struct AuthenticationFailure: Error, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// A credential of this kind was presented and is wrong (unknown user, bad password, unknown key).
        case invalidCredentials
        /// A bearer token that is malformed, expired, badly signed, for another audience… (RFC 6750 `invalid_token`).
        case invalidToken
        /// Authenticated, but without a required role, scope or claim (RFC 6750 `insufficient_scope`, 403).
        case insufficientScope
        /// The request itself is malformed: two Authorization headers, a token in two places, bad encoding
        /// (RFC 6750 `invalid_request`, 400).
        case invalidRequest
        /// A password, key or token arrived over plain HTTP on a route that does not allow it.
        case insecureTransport
        /// A client certificate was presented and refused by the policy.
        case invalidCertificate(RejectionCode)
    }

    public var kind: Kind
    /// The configured scheme name (e.g. `staff`, `entra`, `certificate`).
    public var scheme: String
    public var method: AuthenticationMethod
    public var detail: String

    public init(_ kind: Kind, scheme: String, method: AuthenticationMethod, detail: String) {
        self.kind = kind
        self.scheme = scheme
        self.method = method
        self.detail = detail
    }
}
