/// The kind of key each algorithm needs; the one place that decides which key may be used with which `alg`.
extension JWSAlgorithm {
    enum Family: Sendable, Equatable {
        case rsaPKCS1
        case rsaPSS
        case ecdsa(JSONWebKey.Curve)
        case edDSA
        case hmac
    }

    var family: Family {
        switch self {
        case .rs256, .rs384, .rs512: return .rsaPKCS1
        case .ps256, .ps384, .ps512: return .rsaPSS
        case .es256: return .ecdsa(.p256)
        case .es384: return .ecdsa(.p384)
        case .es512: return .ecdsa(.p521)
        case .edDSA: return .edDSA
        case .hs256, .hs384, .hs512: return .hmac
        }
    }

    /// Output size of the SHA-2 function the algorithm uses (EdDSA hashes internally; 64 is SHA-512's).
    var hashByteCount: Int {
        switch self {
        case .rs256, .ps256, .es256, .hs256: return 32
        case .rs384, .ps384, .es384, .hs384: return 48
        case .rs512, .ps512, .es512, .hs512, .edDSA: return 64
        }
    }
}
