/// Why a compact JWS was refused. Descriptions name what was wrong and never repeat the token, its payload or a
/// signature, so they are safe in logs and in `error_description`.
public enum JWSError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not a compact JWS: wrong number of parts, bad base64url, a header that is not a JSON object, a header
    /// member of the wrong type, duplicate member names… The text says which.
    case malformed(String)
    /// `alg` is missing, `none`, or not an algorithm TrustGate implements.
    case unsupportedAlgorithm(String)
    /// The header has `crit`: it names extensions the recipient must understand, and TrustGate implements none.
    case criticalHeaderParameters
    /// The header has `b64` (RFC 7797 unencoded payloads), which TrustGate does not implement.
    case unencodedPayload
    /// A known algorithm that the caller does not accept here.
    case algorithmNotAllowed(JWSAlgorithm)
    /// No candidate key has the header's `kid` (or, without a `kid`, no key fits the algorithm at all).
    case noMatchingKey(keyID: String?)
    /// Keys with this `kid` exist, but none may be used with this algorithm (key type, curve, `use`, `key_ops`
    /// or the key's own `alg` say no).
    case keyNotUsable(keyID: String?)
    /// The signature does not verify with any candidate key.
    case badSignature

    public var description: String {
        switch self {
        case .malformed(let reason): return "malformed JWS: \(reason)"
        case .unsupportedAlgorithm(let name): return "unsupported algorithm \"\(JSONParseError.printable(name))\""
        case .criticalHeaderParameters: return "the header lists critical extensions (crit), which are not supported"
        case .unencodedPayload: return "unencoded payloads (b64) are not supported"
        case .algorithmNotAllowed(let algorithm): return "algorithm \(algorithm.rawValue) is not allowed"
        case .noMatchingKey(let keyID):
            if let keyID { return "no key with kid \"\(JSONParseError.printable(keyID))\"" }
            return "no key fits the token's algorithm"
        case .keyNotUsable(let keyID):
            if let keyID { return "the key with kid \"\(JSONParseError.printable(keyID))\" may not verify this algorithm" }
            return "no key may verify this algorithm"
        case .badSignature: return "signature does not verify"
        }
    }
}
