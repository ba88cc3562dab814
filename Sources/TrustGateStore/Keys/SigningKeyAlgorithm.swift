public import TrustGateJOSE

/// The algorithms the token service signs access tokens with (AT-1): RS256 by default, for Entra/MSAL-style
/// resource servers; PS256 and ES256 on request.
public enum SigningKeyAlgorithm: String, Sendable, Hashable, CaseIterable, Codable {
    case rs256 = "RS256"
    case ps256 = "PS256"
    case es256 = "ES256"

    public var jwsAlgorithm: JWSAlgorithm {
        switch self {
        case .rs256: return .rs256
        case .ps256: return .ps256
        case .es256: return .es256
        }
    }
}
