public import TrustGateJOSE

/// Why an issuer's JWKS could not be loaded. Kept for diagnostics; clients only learn "keys unavailable".
public enum JWKSLoadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not https, and not plain http to a loopback host.
    case insecureURL
    case invalidTrustRoot
    case unreadableFile(String)
    case transport(String)
    case httpStatus(Int)
    case documentTooLarge(limit: Int)
    case invalidDocument(JSONWebKeyError)
    case noUsableKey

    public var description: String {
        switch self {
        case .insecureURL: return "the JWKS URL must be https (http only for a loopback host)"
        case .invalidTrustRoot: return "a configured JWKS trust root could not be loaded"
        case .unreadableFile(let path): return "cannot read the JWKS file \(path)"
        case .transport(let reason): return "fetching the JWKS failed: \(reason)"
        case .httpStatus(let status): return "the JWKS endpoint answered HTTP \(status)"
        case .documentTooLarge(let limit): return "the JWKS is larger than \(limit) bytes"
        case .invalidDocument(let error): return "the JWKS is invalid: \(error)"
        case .noUsableKey: return "the JWKS holds no usable key"
        }
    }
}
