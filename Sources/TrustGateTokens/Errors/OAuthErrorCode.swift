/// The `error` values the token service answers with (RFC 6749 §4.1.2.1 and §5.2, RFC 8707 §2).
public enum OAuthErrorCode: String, Sendable, Hashable, CaseIterable {
    case invalidRequest = "invalid_request"
    case invalidClient = "invalid_client"
    case invalidGrant = "invalid_grant"
    case unauthorizedClient = "unauthorized_client"
    case unsupportedGrantType = "unsupported_grant_type"
    case invalidScope = "invalid_scope"
    /// RFC 8707: a `resource` parameter that is malformed or names no known resource.
    case invalidTarget = "invalid_target"
    /// The authorization endpoint: this service issues client-credentials tokens only.
    case unsupportedResponseType = "unsupported_response_type"
    /// The service itself failed (no signing key, the store is unavailable).
    case serverError = "server_error"

    /// ER-2 / ER-3: 400, except 401 for every `invalid_client` (with `WWW-Authenticate`) and 500 for a
    /// failure of the service.
    public var httpStatus: Int {
        switch self {
        case .invalidClient: return 401
        case .serverError: return 500
        default: return 400
        }
    }
}
