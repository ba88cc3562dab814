import Crypto
import Foundation
import TrustGateJOSE
import _CryptoExtras

/// Builds client assertions the way real clients do, quirks included (OAUTH-CHECKLIST §0), with every header
/// member and claim overridable.
struct AssertionBuilder {
    var clientID: String
    var audience: JSONValue
    var key: JWSSigningKey
    var algorithm: JWSAlgorithm
    var header: JSONObject = ["typ": "JWT"]
    var claims: JSONObject

    /// A standard assertion: iss = sub = client, aud, iat = now, exp = now + 600, a fresh uuid jti.
    init(clientID: String, audience: String, key: JWSSigningKey, algorithm: JWSAlgorithm = .rs256, now: Date = Date()) {
        self.clientID = clientID
        self.audience = .string(audience)
        self.key = key
        self.algorithm = algorithm
        let iat = Int64(now.timeIntervalSince1970)
        claims = [
            "iss": .string(clientID), "sub": .string(clientID), "aud": .string(audience),
            "iat": .integer(iat), "exp": .integer(iat + 600), "jti": .string(UUID().uuidString.lowercased()),
        ]
    }

    subscript(claim name: String) -> JSONValue? {
        get { claims[name] }
        set { claims[name] = newValue }
    }

    subscript(header name: String) -> JSONValue? {
        get { header[name] }
        set { header[name] = newValue }
    }

    /// The compact JWS. The header is written as given (with `alg`), so malformed or unusual members go out as is.
    func build() throws -> String {
        var headerObject = header
        if headerObject["alg"] == nil { headerObject["alg"] = .string(algorithm.rawValue) }
        let signer = JWSSigner(key: key)
        // JWSSigner signs with the typed header; additional members carry everything else verbatim.
        let jwsHeader = JWSHeader(algorithm: algorithm, additionalMembers: headerObject)
        return try signer.sign(claims: claims, header: jwsHeader)
    }

    /// Builds with raw header and payload JSON text (for inputs JSONObject cannot express) signed with `key`.
    static func raw(headerJSON: String, payloadJSON: String, key: JWSSigningKey, algorithm: JWSAlgorithm) throws -> String {
        let input = Base64URL.encode(Array(headerJSON.utf8)) + "." + Base64URL.encode(Array(payloadJSON.utf8))
        return input + "." + Base64URL.encode(try signature(Array(input.utf8), key: key, algorithm: algorithm))
    }

    static func signature(_ input: [UInt8], key: JWSSigningKey, algorithm: JWSAlgorithm) throws -> [UInt8] {
        switch key {
        case .rsa(let rsa):
            let padding: _RSA.Signing.Padding = algorithm.rawValue.hasPrefix("PS") ? .PSS : .insecurePKCS1v1_5
            return Array(try rsa.signature(for: SHA256.hash(data: input), padding: padding).rawRepresentation)
        case .p256(let ec):
            return Array(try ec.signature(for: input).rawRepresentation)
        default:
            fatalError("not used by the tests")
        }
    }

    /// The thumbprint as MSAL Python writes it: base64url *with* `=` padding.
    static func padded(_ thumbprint: String) -> String {
        var text = thumbprint
        while text.count % 4 != 0 { text.append("=") }
        return text
    }

    /// An `x5c` entry as MSAL Python sends it: standard base64 with a line break every 64 characters.
    static func wrapped(_ der: [UInt8]) -> String {
        let text = Base64Standard.encode(der)
        var lines: [Substring] = []
        var index = text.startIndex
        while index < text.endIndex {
            let end = text.index(index, offsetBy: 64, limitedBy: text.endIndex) ?? text.endIndex
            lines.append(text[index..<end])
            index = end
        }
        return lines.joined(separator: "\n")
    }
}
