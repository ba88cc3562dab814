public import TrustGateJOSE

/// Why an access token was refused (OAUTH-CHECKLIST RS-2 … RS-8). `description` is safe to send to the client
/// as `error_description` and to log: it says what was wrong and never repeats the token or a claim's value.
public enum TokenRejection: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not a compact JWS, bad base64url, duplicate JSON members, a payload that is not a JSON object…
    case malformed(String)
    /// `alg` missing, `none`, or unknown.
    case unsupportedAlgorithm
    /// A known algorithm this issuer is not configured for (checked before any key is used; RS-5).
    case algorithmNotAllowed(JWSAlgorithm)
    /// The header has no `typ` (RS-2).
    case missingType
    /// `typ` is not one of the issuer's token types (RS-2).
    case typeNotAccepted
    /// No key of the issuer has the token's `kid`, even after the rate-limited refetch (RS-5).
    case unknownKey
    /// The issuer's key with this `kid` may not verify this algorithm (`kty`, curve, `use`, `key_ops`, `alg`).
    case keyNotUsable
    case badSignature
    /// The issuer's keys could not be loaded (JWKS unreachable or unusable, and no earlier copy).
    case keysUnavailable
    /// `iss` missing or not exactly the configured issuer (RS-3).
    case wrongIssuer
    /// `aud` missing or naming none of this API's identifiers (RS-4).
    case wrongAudience
    case missingExpiry
    case expired
    case notYetValid
    /// `iat` lies in the future beyond the allowed clock skew (RS-6).
    case issuedInFuture
    /// A registered claim has the wrong JSON type (a date as a string, `aud` as a number…).
    case invalidClaim(String)
    /// The token is bound to a certificate (`cnf.x5t#S256`) and the request came without one (RS-8).
    case certificateRequired
    /// The token is bound to another certificate than the one on this request (RS-8).
    case certificateMismatch
    /// `cnf` uses a confirmation method TrustGate cannot check (e.g. `jkt` for DPoP).
    case unsupportedConfirmation
    /// This issuer requires certificate-bound tokens and the token has no `cnf.x5t#S256`.
    case certificateBindingRequired

    public var description: String {
        switch self {
        case .malformed(let reason): return "the token is malformed: \(reason)"
        case .unsupportedAlgorithm: return "the token's signature algorithm is not supported"
        case .algorithmNotAllowed(let algorithm): return "the signature algorithm \(algorithm.rawValue) is not accepted from this issuer"
        case .missingType: return "the token has no typ header"
        case .typeNotAccepted: return "the token type (typ) is not accepted"
        case .unknownKey: return "the token was signed with an unknown key"
        case .keyNotUsable: return "the issuer's key may not verify this token's algorithm"
        case .badSignature: return "the token signature is invalid"
        case .keysUnavailable: return "the issuer's signing keys are unavailable"
        case .wrongIssuer: return "the token is from another issuer"
        case .wrongAudience: return "the token is not for this audience"
        case .missingExpiry: return "the token has no expiry (exp)"
        case .expired: return "the token has expired"
        case .notYetValid: return "the token is not valid yet (nbf)"
        case .issuedInFuture: return "the token was issued in the future (iat)"
        case .invalidClaim(let name): return "the claim \(name) has the wrong type"
        case .certificateRequired: return "the token is bound to a client certificate and none was presented"
        case .certificateMismatch: return "the token is bound to a different client certificate"
        case .unsupportedConfirmation: return "the token's confirmation method (cnf) is not supported"
        case .certificateBindingRequired: return "the token must be bound to a client certificate (cnf x5t#S256)"
        }
    }
}
