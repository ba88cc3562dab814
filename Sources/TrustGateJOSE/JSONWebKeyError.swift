/// Why a JWK or JWK Set was refused. Descriptions name members, never key material.
public enum JSONWebKeyError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidJSON(JSONParseError)
    case notAnObject
    case missingMember(String)
    /// A member of the wrong JSON type or with an invalid encoding or length.
    case invalidMember(String)
    case unsupportedKeyType(String)
    case unsupportedCurve(String)
    case rsaModulusTooSmall(bits: Int)
    case rsaModulusTooLarge(bits: Int)
    /// The numbers do not form a usable key (an EC point off its curve, an RSA exponent BoringSSL refuses).
    case invalidKeyMaterial(String)
    /// `x5c`'s first certificate holds another key, or `x5t#S256` is not that certificate's thumbprint.
    case certificateDoesNotMatchKey
    /// A secret (`oct`) key is never written out as a public JWK.
    case secretKeyNotExportable
    /// A JWK Set document without a `keys` array.
    case notAKeySet

    public var description: String {
        switch self {
        case .invalidJSON(let error): return "not valid JSON: \(error)"
        case .notAnObject: return "a JWK must be a JSON object"
        case .missingMember(let name): return "member \(name) is missing"
        case .invalidMember(let name): return "member \(name) is invalid"
        case .unsupportedKeyType(let type): return "key type \"\(JSONParseError.printable(type))\" is not supported"
        case .unsupportedCurve(let curve): return "curve \"\(JSONParseError.printable(curve))\" is not supported"
        case .rsaModulusTooSmall(let bits): return "RSA modulus of \(bits) bits is below the 2048-bit minimum"
        case .rsaModulusTooLarge(let bits): return "RSA modulus of \(bits) bits is above the 16384-bit maximum"
        case .invalidKeyMaterial(let reason): return "invalid key: \(reason)"
        case .certificateDoesNotMatchKey: return "the x5c certificate or x5t#S256 thumbprint does not match the key"
        case .secretKeyNotExportable: return "a secret key cannot be exported as a public JWK"
        case .notAKeySet: return "a JWK Set must be an object with a \"keys\" array"
        }
    }
}
