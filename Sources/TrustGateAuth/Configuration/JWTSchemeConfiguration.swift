import Foundation
import TrustGateConfiguration
import TrustGateJOSE
import TrustGateX509
import X509

/// Reads a `type: jwt` scheme into ``JWTIssuerSettings``:
///
/// ```yaml
/// entra:
///   type: jwt
///   issuer: https://login.example.com/tenant/v2.0
///   audience: api://loyalty            # string or list
///   jwks_file: jwks.json               # exactly one of jwks_file | jwks_url (+ optional jwks_ca) | jwks (inline JSON)
///   algorithms: [RS256]                # default [RS256, PS256, ES256]; "none" and HS* refused
///   token_types: [JWT]                 # default [at+jwt, application/at+jwt]
///   clock_skew: 30s                    # ≤ 60s
///   jwks_refresh: 1h
///   jwks_min_refetch: 30s
///   require_certificate_binding: false
///   realm: loyalty                     # defaults to the scheme name
/// ```
///
/// A JWKS file or inline document is read once here so a broken one is a configuration error; `jwks_url`
/// must be https (http only for a loopback host, as ``LoopbackHost`` defines it).
enum JWTSchemeConfiguration {
    static let keys: Set<String> = [
        "type", "issuer", "audience", "jwks_file", "jwks_url", "jwks_ca", "jwks", "algorithms", "token_types",
        "clock_skew", "jwks_refresh", "jwks_min_refetch", "require_certificate_binding", "realm",
    ]

    static func scheme(named name: String, _ map: ConfigurationMapping) throws -> (any Authenticator, String?) {
        let settings = try settings(map)
        let realm = try map["realm"]?.nonEmptyString() ?? name
        return (JWTBearerAuthenticator(name: name, settings: settings, realm: realm), summary(of: settings))
    }

    /// "a bearer token from https://…/v2.0 (audience api://loyalty)".
    static func summary(of settings: JWTIssuerSettings) -> String {
        let audiences = settings.audiences.joined(separator: " or ")
        var text = "a bearer token from \(settings.issuer) (audience \(audiences))"
        if settings.requireCertificateBinding { text += " bound to the client certificate" }
        return text
    }

    static func settings(_ map: ConfigurationMapping) throws -> JWTIssuerSettings {
        let issuer = try map.required("issuer").nonEmptyString()
        let audienceNode = try map.required("audience")
        let audiences = try audienceNode.list().map { try $0.nonEmptyString() }
        guard !audiences.isEmpty else { throw audienceNode.error("needs at least one audience") }

        var settings = JWTIssuerSettings(issuer: issuer, audiences: audiences, keySource: try keySource(map))
        if let node = map["algorithms"] { settings.algorithms = try algorithms(node) }
        if let node = map["token_types"] {
            let types = try node.list().map { try $0.nonEmptyString().lowercased() }
            guard !types.isEmpty else { throw node.error("needs at least one token type (e.g. at+jwt, or JWT for Entra)") }
            settings.tokenTypes = Set(types)
        }
        if let node = map["clock_skew"] { settings.clockSkew = try node.duration(max: 60) }
        if let node = map["jwks_refresh"] {
            settings.refreshInterval = try node.duration(max: 7 * 86_400)
            guard settings.refreshInterval >= 60 else { throw node.error("must be at least 60s (the issuer's key endpoint is not to be polled harder)") }
        }
        if let node = map["jwks_min_refetch"] {
            settings.minimumRefetchInterval = try node.duration(max: 3600)
            guard settings.minimumRefetchInterval >= 1 else {
                throw node.error("must be at least 1s: tokens with made-up key ids must not make the gateway fetch keys for each request")
            }
        }
        if let node = map["require_certificate_binding"] { settings.requireCertificateBinding = try node.bool() }
        return settings
    }

    private static func keySource(_ map: ConfigurationMapping) throws -> JWTIssuerSettings.KeySource {
        let given = ["jwks_file", "jwks_url", "jwks"].filter { map[$0] != nil }
        guard given.count == 1 else {
            throw map.owner.error(given.isEmpty
                ? "needs the issuer's keys: one of jwks_file, jwks_url or jwks"
                : "give only one of jwks_file, jwks_url, jwks (found \(given.joined(separator: ", ")))")
        }
        if let ca = map["jwks_ca"], map["jwks_url"] == nil {
            throw ca.error("jwks_ca applies only to jwks_url")
        }
        if let node = map["jwks_file"] {
            let path = try node.path()
            guard let data = FileManager.default.contents(atPath: path) else { throw node.error("\(path): cannot read the file") }
            try checkKeySet(Array(data), node: node, origin: path)
            return .file(path: path)
        }
        if let node = map["jwks"] {
            let json = try node.nonEmptyString()
            try checkKeySet(Array(json.utf8), node: node, origin: "the inline JWKS")
            return .inline(json: json)
        }
        let node = try map.required("jwks_url")
        let text = try node.nonEmptyString()
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
            throw node.error("not an absolute URL")
        }
        guard scheme == "https" || (scheme == "http" && LoopbackHost.contains(host)) else {
            throw node.error("the JWKS must be fetched over https (http only from a loopback address)")
        }
        var roots: [Certificate] = []
        if let ca = map["jwks_ca"] {
            roots = try CertificatePolicyConfiguration.certificates(from: ca)
            guard !roots.isEmpty else { throw ca.error("no certificate found") }
        }
        return .url(url, trustRoots: roots)
    }

    private static func checkKeySet(_ bytes: [UInt8], node: ConfigurationNode, origin: String) throws {
        let keySet: JSONWebKeySet
        do {
            keySet = try JSONWebKeySet(jsonBytes: bytes)
        } catch {
            throw node.error("\(origin): not a usable JWKS: \(error)")
        }
        guard !keySet.keys.isEmpty else { throw node.error("\(origin): the JWKS holds no usable key") }
    }

    private static func algorithms(_ node: ConfigurationNode) throws -> Set<JWSAlgorithm> {
        var result: Set<JWSAlgorithm> = []
        for item in try node.list() {
            let name = try item.nonEmptyString()
            guard name.lowercased() != "none" else { throw item.error("alg none (an unsigned token) is never accepted") }
            guard let algorithm = JWSAlgorithm.allCases.first(where: { $0.rawValue.lowercased() == name.lowercased() }) else {
                let known = JWSAlgorithm.allCases.filter { !$0.isSymmetric }.map(\.rawValue).joined(separator: ", ")
                throw item.error("unknown algorithm (expected one of: \(known))")
            }
            guard !algorithm.isSymmetric else {
                throw item.error("\(algorithm.rawValue) is an HMAC algorithm: access tokens are verified with the issuer's public keys, never a shared secret")
            }
            result.insert(algorithm)
        }
        guard !result.isEmpty else { throw node.error("needs at least one algorithm") }
        return result
    }
}
