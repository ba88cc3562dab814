/// How a client proves its identity at the token endpoint (the `token_endpoint_auth_method` values).
public enum ClientAuthenticationMethod: String, Sendable, Hashable, CaseIterable, Codable, Comparable {
    /// client_id and secret as HTTP Basic (RFC 6749 §2.3.1).
    case clientSecretBasic = "client_secret_basic"
    /// client_id and secret in the form body.
    case clientSecretPost = "client_secret_post"
    /// A JWT assertion signed with the client's private key (RFC 7523).
    case privateKeyJWT = "private_key_jwt"
    /// mTLS with a CA-issued certificate matched by subject or SAN (RFC 8705 §2.1).
    case tlsClientAuth = "tls_client_auth"
    /// mTLS with a registered self-signed certificate (RFC 8705 §2.2).
    case selfSignedTLSClientAuth = "self_signed_tls_client_auth"

    /// Whether the method authenticates with a key rather than a shared secret (Entra's `azpacr` "2").
    public var usesCertificate: Bool {
        switch self {
        case .clientSecretBasic, .clientSecretPost: return false
        case .privateKeyJWT, .tlsClientAuth, .selfSignedTLSClientAuth: return true
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
    }
}
