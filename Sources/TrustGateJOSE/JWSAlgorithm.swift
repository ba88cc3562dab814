/// A JWS signature algorithm TrustGate knows (RFC 7518 §3, RFC 8037). `none` is deliberately not a case: a token
/// that names it cannot even be represented, so no configuration or code path can accept it.
public enum JWSAlgorithm: String, Sendable, Hashable, CaseIterable, Codable {
    case rs256 = "RS256", rs384 = "RS384", rs512 = "RS512"
    case ps256 = "PS256", ps384 = "PS384", ps512 = "PS512"
    case es256 = "ES256", es384 = "ES384", es512 = "ES512"
    case edDSA = "EdDSA"
    case hs256 = "HS256", hs384 = "HS384", hs512 = "HS512"

    /// HMAC algorithms verify with a shared secret; they must never be verified with an asymmetric key's bytes
    /// (CVE-2016-10555 key confusion).
    public var isSymmetric: Bool {
        switch self {
        case .hs256, .hs384, .hs512: return true
        default: return false
        }
    }
}
