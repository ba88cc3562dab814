import Foundation
import TrustGateJOSE

/// Types a verified payload into `AccessTokenClaims`, refusing registered claims of the wrong JSON type: dates
/// must be JSON numbers (RFC 7519 §2 NumericDate; a string `exp` is not silently read as a date), `aud` a string
/// or an array of strings, `cnf` an object whose only member is `x5t#S256`.
///
/// `all` holds every claim as a `TrustGateJOSE.JSONValue`.
enum AccessTokenClaimsDecoder {
    static func decode(_ claims: JSONObject) throws(TokenRejection) -> AccessTokenClaims {
        guard let issuerValue = claims["iss"] else { throw .wrongIssuer }
        guard let issuer = issuerValue.stringValue else { throw .invalidClaim("iss") }

        let audiences: [String]
        switch claims["aud"] {
        case nil: throw .wrongAudience
        case .string(let audience)?: audiences = [audience]
        case .array(let entries)?:
            var names: [String] = []
            for entry in entries {
                guard let name = entry.stringValue else { throw .invalidClaim("aud") }
                names.append(name)
            }
            audiences = names
        default: throw .invalidClaim("aud")
        }

        guard claims["exp"] != nil else { throw .missingExpiry }
        guard let expiresAt = try date(claims, "exp") else { throw .missingExpiry }

        let scopes: [String]
        if claims["scope"] != nil {
            scopes = try scopeList(claims, "scope")
        } else if claims["scp"] != nil {
            scopes = try scopeList(claims, "scp")
        } else {
            scopes = []
        }

        var roles: [String] = []
        if let value = claims["roles"] {
            guard let entries = value.arrayValue else { throw .invalidClaim("roles") }
            for entry in entries {
                guard let role = entry.stringValue else { throw .invalidClaim("roles") }
                roles.append(role)
            }
        }

        // Client identity: RFC 9068 `client_id`, else Entra v2 `azp`, else Entra v1 `appid`.
        var clientID = try string(claims, "client_id")
        if clientID == nil { clientID = try string(claims, "azp") }
        if clientID == nil { clientID = try string(claims, "appid") }

        var all: [String: any Sendable] = [:]
        for member in claims.members { all[member.name] = member.value }

        return AccessTokenClaims(
            issuer: issuer,
            subject: try string(claims, "sub"),
            audiences: audiences,
            expiresAt: expiresAt,
            notBefore: try date(claims, "nbf"),
            issuedAt: try date(claims, "iat"),
            tokenID: try string(claims, "jti"),
            clientID: clientID,
            scopes: scopes,
            roles: roles,
            azpacr: try code(claims, "azpacr"),
            appidacr: try code(claims, "appidacr"),
            idtyp: try string(claims, "idtyp"),
            certificateThumbprintSHA256: try confirmationThumbprint(claims),
            all: all)
    }

    private static func string(_ claims: JSONObject, _ name: String) throws(TokenRejection) -> String? {
        guard let value = claims[name] else { return nil }
        guard let text = value.stringValue else { throw .invalidClaim(name) }
        return text
    }

    /// A NumericDate: a JSON number of seconds since the epoch (fractions allowed).
    private static func date(_ claims: JSONObject, _ name: String) throws(TokenRejection) -> Date? {
        guard let value = claims[name] else { return nil }
        guard let number = value.numberValue else { throw .invalidClaim(name) }
        return Date(timeIntervalSince1970: number.doubleValue)
    }

    /// Entra's `azpacr` / `appidacr` are strings ("0", "1", "2"); a number is read as its decimal text.
    private static func code(_ claims: JSONObject, _ name: String) throws(TokenRejection) -> String? {
        switch claims[name] {
        case nil: return nil
        case .string(let text)?: return text
        case .number(let number)?: return number.text
        default: throw .invalidClaim(name)
        }
    }

    /// `scope` (RFC 9068: space-separated) or `scp` (Entra: space-separated string; some issuers an array).
    private static func scopeList(_ claims: JSONObject, _ name: String) throws(TokenRejection) -> [String] {
        switch claims[name] {
        case .string(let text)?:
            return text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        case .array(let entries)?:
            var scopes: [String] = []
            for entry in entries {
                guard let scope = entry.stringValue else { throw .invalidClaim(name) }
                scopes.append(scope)
            }
            return scopes
        default:
            throw .invalidClaim(name)
        }
    }

    /// RFC 8705 §3.1 `cnf.x5t#S256`. A `cnf` with any other member (`jkt`, `jwk`, `kid`…) asks for a proof
    /// TrustGate cannot check, so the token is refused rather than accepted without its binding.
    private static func confirmationThumbprint(_ claims: JSONObject) throws(TokenRejection) -> String? {
        guard let value = claims["cnf"] else { return nil }
        guard let confirmation = value.objectValue else { throw .invalidClaim("cnf") }
        guard confirmation.names == ["x5t#S256"] else { throw .unsupportedConfirmation }
        guard let thumbprint = confirmation["x5t#S256"]?.stringValue,
              let digest = Base64URL.decode(thumbprint), digest.count == 32
        else { throw .invalidClaim("cnf") }
        return thumbprint
    }
}
