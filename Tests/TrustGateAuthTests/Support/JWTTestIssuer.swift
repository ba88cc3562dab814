import Crypto
import Foundation
import TrustGateAuth
import TrustGateJOSE
import _CryptoExtras

/// A signing key of the test issuer, with the `kid` it is published under.
struct JWTTestKey: Sendable {
    let key: JWSSigningKey
    let keyID: String

    var publicJWK: JSONWebKey {
        get throws { try key.publicJWK(keyID: keyID) }
    }
}

/// Issues access tokens for the JWT tests and publishes the matching JWKS.
enum JWTTestIssuer {
    static let issuer = "https://issuer.example/tenant/v2.0"
    static let audience = "api://trustgate-tests"

    static let rsaKey: _RSA.Signing.PrivateKey = {
        do { return try _RSA.Signing.PrivateKey(keySize: .bits2048) } catch { fatalError("RSA key generation failed: \(error)") }
    }()

    static let ec = JWTTestKey(key: .p256(P256.Signing.PrivateKey()), keyID: "ec-1")
    static let rsa = JWTTestKey(key: .rsa(rsaKey), keyID: "rsa-1")

    static func newECKey(_ keyID: String) -> JWTTestKey {
        JWTTestKey(key: .p256(P256.Signing.PrivateKey()), keyID: keyID)
    }

    static func jwks(_ keys: [JWTTestKey]) throws -> String {
        try JSONWebKeySet(keys: keys.map { try $0.publicJWK }).publicJSON()
    }

    /// A valid claim set at `now`; `changes` sets claims, and a nil value removes one.
    static func claims(now: Date, _ changes: [String: JSONValue?] = [:]) -> JSONObject {
        let seconds = Int64(now.timeIntervalSince1970)
        var claims: JSONObject = [
            "iss": .string(issuer),
            "aud": .string(audience),
            "sub": "user-1",
            "client_id": "client-app",
            "iat": .integer(seconds),
            "nbf": .integer(seconds),
            "exp": .integer(seconds + 600),
            "jti": "token-1",
            "scope": "orders.read orders.write",
            "roles": ["service-api"],
        ]
        for (name, value) in changes { claims[name] = value }
        return claims
    }

    static func token(
        _ signer: JWTTestKey = ec,
        algorithm: JWSAlgorithm? = nil,
        keyID: String?? = .none,
        type: String? = "at+jwt",
        now: Date,
        _ changes: [String: JSONValue?] = [:]
    ) throws -> String {
        let algorithm = algorithm ?? defaultAlgorithm(for: signer.key)
        let header = JWSHeader(algorithm: algorithm, keyID: keyID ?? signer.keyID, type: type)
        return try JWSSigner(key: signer.key).sign(claims: claims(now: now, changes), header: header)
    }

    static func defaultAlgorithm(for key: JWSSigningKey) -> JWSAlgorithm {
        switch key {
        case .rsa: return .rs256
        case .p256: return .es256
        case .p384: return .es384
        case .p521: return .es512
        case .ed25519: return .edDSA
        case .symmetric: return .hs256
        }
    }

    static func settings(
        _ keySource: JWTIssuerSettings.KeySource,
        algorithms: Set<JWSAlgorithm> = [.rs256, .es256, .ps256],
        tokenTypes: Set<String> = ["at+jwt", "application/at+jwt"],
        minimumRefetchInterval: TimeInterval = 30,
        requireCertificateBinding: Bool = false
    ) -> JWTIssuerSettings {
        JWTIssuerSettings(
            issuer: issuer, audiences: [audience], keySource: keySource, algorithms: algorithms, tokenTypes: tokenTypes,
            clockSkew: 60, refreshInterval: 3600, minimumRefetchInterval: minimumRefetchInterval,
            requireCertificateBinding: requireCertificateBinding)
    }

    static func inlineSettings(_ keys: [JWTTestKey] = [ec, rsa], algorithms: Set<JWSAlgorithm> = [.rs256, .es256, .ps256],
                               tokenTypes: Set<String> = ["at+jwt", "application/at+jwt"], requireCertificateBinding: Bool = false) throws -> JWTIssuerSettings {
        settings(.inline(json: try jwks(keys)), algorithms: algorithms, tokenTypes: tokenTypes, requireCertificateBinding: requireCertificateBinding)
    }
}
