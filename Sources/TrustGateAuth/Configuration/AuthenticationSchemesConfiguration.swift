import Foundation
public import TrustGateConfiguration
public import TrustGateX509

/// Reads an `auth_schemes` mapping: scheme name → definition.
///
/// ```yaml
/// auth_schemes:
///   staff:     { type: basic, realm: "Loyalty API", users: { connector: "$pbkdf2-sha256$…" } }
///   functions: { type: api_key, header: x-functions-key, keys: { b2c: "$sha256$…" } }
///   static:    { type: bearer_token, realm: loyalty, tokens: { b2c: "$sha256$…" } }
///   entra:     { type: jwt, issuer: …, audience: …, jwks_file: jwks.json }   # see JWTSchemeConfiguration
/// ```
///
/// Realms default to the scheme name. `certificate` is built in and cannot be redefined. Basic passwords
/// must use a slow hash (`$pbkdf2-sha256$`, `$scrypt$`); `$sha256$` is for generated keys and tokens only.
public enum AuthenticationSchemesConfiguration {
    public enum SchemeType: String, CaseIterable, Sendable {
        case basic
        case apiKey = "api_key"
        case bearerToken = "bearer_token"
        case jwt
    }

    /// - Parameters:
    ///   - node: the `auth_schemes` mapping; nil gives only `certificate`.
    ///   - certificatePolicy: judges certificates that arrive without a verdict (a Swift service passes its
    ///     policy; the gateway passes nil and supplies verdicts from the handshake).
    public static func parse(_ node: ConfigurationNode?, certificatePolicy: CertificatePolicy?) throws -> AuthenticationSchemes {
        var schemes = AuthenticationSchemes(certificatePolicy: certificatePolicy)
        guard let node else { return schemes }
        let mapping = try node.mappingWithAnyKeys()
        for name in mapping.order {
            guard let definition = mapping[name] else { throw node.error("the scheme \(name) has no definition") }
            guard name != ClientCertificateAuthenticator.defaultName else {
                throw definition.error("'certificate' is built in (a client certificate judged by the route's policy) and cannot be redefined")
            }
            guard isValidSchemeName(name) else {
                throw definition.error("scheme names use letters, digits, '_', '-' and '.', starting with a letter or digit (at most 64)")
            }
            let (authenticator, summary) = try scheme(named: name, definition)
            schemes.add(authenticator, summary: summary)
        }
        return schemes
    }

    static let commonKeys: Set<String> = ["type"]
    static let keysByType: [SchemeType: Set<String>] = [
        .basic: ["type", "realm", "users"],
        .apiKey: ["type", "header", "keys"],
        .bearerToken: ["type", "realm", "tokens"],
        .jwt: JWTSchemeConfiguration.keys,
    ]

    private static func scheme(named name: String, _ node: ConfigurationNode) throws -> (any Authenticator, String?) {
        let allKeys = keysByType.values.reduce(into: Set<String>()) { $0.formUnion($1) }
        let type = try node.mapping(allowedKeys: allKeys).required("type").oneOf(SchemeType.self)
        // Again, with only this type's keys: `header` on a basic scheme is an error, not ignored.
        let map = try node.mapping(allowedKeys: keysByType[type] ?? commonKeys)
        switch type {
        case .basic:
            let realm = try map["realm"]?.nonEmptyString()
            let users = try secrets(map.required("users"), what: "user", allowFastHash: false) { user in
                user.contains(":") ? "a user name cannot contain ':' (RFC 7617 §2)" : nil
            }
            return (BasicAuthenticator(name: name, realm: realm, users: users), nil)
        case .apiKey:
            var header = APIKeyAuthenticator.defaultHeader
            if let node = map["header"] {
                header = try node.nonEmptyString().lowercased()
                guard isHeaderName(header) else { throw node.error("not a valid HTTP header name") }
                guard header != "authorization" else { throw node.error("use a bearer_token scheme for the Authorization header") }
            }
            let keys = try secrets(map.required("keys"), what: "key", allowFastHash: true)
            return (APIKeyAuthenticator(name: name, header: header, keys: keys), nil)
        case .bearerToken:
            let realm = try map["realm"]?.nonEmptyString()
            let tokens = try secrets(map.required("tokens"), what: "token", allowFastHash: true)
            return (StaticBearerAuthenticator(name: name, realm: realm, tokens: tokens), nil)
        case .jwt:
            return try JWTSchemeConfiguration.scheme(named: name, map)
        }
    }

    /// name → hash, each parsed with the real cost bounds; at least one.
    private static func secrets(
        _ node: ConfigurationNode, what: String, allowFastHash: Bool, nameProblem: (String) -> String? = { _ in nil }
    ) throws -> [String: SecretHash] {
        let mapping = try node.mappingWithAnyKeys()
        guard !mapping.order.isEmpty else { throw node.error("needs at least one \(what)") }
        var result: [String: SecretHash] = [:]
        for name in mapping.order {
            let entry = try mapping.required(name)
            if let problem = nameProblem(name) { throw entry.error(problem) }
            let hash: SecretHash
            do {
                hash = try SecretHash(entry.nonEmptyString())
            } catch let error as SecretHashError {
                throw entry.error(error.description)
            }
            if !allowFastHash, !hash.isSlow {
                throw entry.error("a \(what)'s password needs a slow hash ($pbkdf2-sha256$ or $scrypt$): $sha256$ is only for generated keys and tokens")
            }
            result[name] = hash
        }
        return result
    }

    static func isValidSchemeName(_ name: String) -> Bool {
        func isAlphanumeric(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        guard let first = name.utf8.first, isAlphanumeric(first), name.utf8.count <= 64 else { return false }
        return name.utf8.allSatisfy { isAlphanumeric($0) || "_-.".utf8.contains($0) }
    }

    /// RFC 9110 §5.1: a field name is a token.
    static func isHeaderName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return true
            default:
                return "!#$%&'*+-.^_`|~".utf8.contains(byte)
            }
        }
    }
}
