/// How a principal proved who it is.
public enum AuthenticationMethod: String, Sendable, Hashable, CaseIterable {
    /// A client certificate on the TLS connection or from a trusted proxy's header.
    case clientCertificate = "certificate"
    /// HTTP Basic (RFC 7617).
    case basic
    /// A key in a named header (`x-functions-key` by default).
    case apiKey = "api_key"
    /// A static bearer token compared with a stored hash.
    case staticBearer = "bearer_token"
    /// A JWT access token validated against an issuer's keys.
    case jwtBearer = "jwt"
}
