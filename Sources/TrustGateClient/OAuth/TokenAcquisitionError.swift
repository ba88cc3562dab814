/// Why no access token could be had. Texts carry the server's OAuth error and description (sanitized), never a
/// secret, an assertion or a token.
public struct TokenAcquisitionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, to compare with `==`. A struct rather than an enum: a release may add codes without
    /// breaking a `switch` in code that uses TrustGate.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let description: String

        /// The token endpoint answered with an OAuth error (RFC 6749 §5.2): `invalid_client`, `invalid_scope`,
        /// `unauthorized_client`, …
        public static let refused = Code(description: "refused")

        public static let transport = Code(description: "transport")

        /// An answer that is neither a token nor an OAuth error (HTML from a proxy, a token of another type).
        public static let unexpectedResponse = Code(description: "unexpectedResponse")

        /// `{issuer}/.well-known/openid-configuration` could not be used.
        public static let discoveryFailed = Code(description: "discoveryFailed")
    }

    public let code: Code
    /// The complete text, safe to show and log (it is the `description`).
    public let message: String

    /// The token endpoint's HTTP status, for ``Code/refused`` and ``Code/unexpectedResponse``.
    public private(set) var status: Int?
    /// The OAuth `error` of a ``Code/refused`` answer (`invalid_client`, `temporarily_unavailable`…), for a caller
    /// that decides on it (retry, re-register).
    public private(set) var oauthError: String?
    /// Why the token request got no answer, for ``Code/transport``.
    public private(set) var transportFailure: TransportFailure?

    public var description: String { message }

    init(code: Code, message: String) {
        (self.code, self.message) = (code, message)
    }

    public static func refused(endpoint: String, status: Int, error: String, description: String?) -> Self {
        var refusal = Self(
            code: .refused,
            message: "the token endpoint \(endpoint) refused (\(status) \(error))" + (description.map { ": \($0)" } ?? ""))
        (refusal.status, refusal.oauthError) = (status, error)
        return refusal
    }

    public static func transport(_ failure: TransportFailure) -> Self {
        var error = Self(code: .transport, message: "token request: \(failure)")
        error.transportFailure = failure
        return error
    }

    public static func unexpectedResponse(endpoint: String, status: Int, reason: String) -> Self {
        var error = Self(code: .unexpectedResponse, message: "unexpected answer from the token endpoint \(endpoint) (\(status)): \(reason)")
        error.status = status
        return error
    }

    public static func discoveryFailed(issuer: String, reason: String) -> Self {
        Self(code: .discoveryFailed, message: "OpenID discovery for \(issuer) failed: \(reason)")
    }
}
