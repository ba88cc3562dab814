/// Why no access token could be had. Texts carry the server's OAuth error and description (sanitized), never a
/// secret, an assertion or a token.
public enum TokenAcquisitionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The token endpoint answered with an OAuth error (RFC 6749 §5.2): `invalid_client`, `invalid_scope`,
    /// `unauthorized_client`, …
    case refused(endpoint: String, status: Int, error: String, description: String?)
    case transport(TransportFailure)
    /// An answer that is neither a token nor an OAuth error (HTML from a proxy, a token of another type).
    case unexpectedResponse(endpoint: String, status: Int, reason: String)
    /// `{issuer}/.well-known/openid-configuration` could not be used.
    case discoveryFailed(issuer: String, reason: String)

    public var description: String {
        switch self {
        case .refused(let endpoint, let status, let error, let description):
            return "the token endpoint \(endpoint) refused (\(status) \(error))" + (description.map { ": \($0)" } ?? "")
        case .transport(let failure):
            return "token request: \(failure)"
        case .unexpectedResponse(let endpoint, let status, let reason):
            return "unexpected answer from the token endpoint \(endpoint) (\(status)): \(reason)"
        case .discoveryFailed(let issuer, let reason):
            return "OpenID discovery for \(issuer) failed: \(reason)"
        }
    }
}
