import Crypto
import Foundation
import Hummingbird
import HummingbirdCore
import TrustGateAuth
import TrustGateHummingbird
import TrustGateJOSE
import TrustGateX509
import XCTest

/// JWT access tokens through the middleware over TLS: signed here with TrustGateJOSE's signer, validated
/// against an inline JWKS, with role constraints and the RFC 8705 binding to this connection's certificate.
final class BearerTokenMiddlewareTests: XCTestCase {
    private var pki: HummingbirdTestPKI!
    private let signingKey = P256.Signing.PrivateKey()
    private let issuer = "https://issuer.test/tenant/v2.0"
    private let audience = "api://loyalty"

    override func setUpWithError() throws {
        _ = try CurlClient.requireCurl()
        pki = try HummingbirdTestPKI()
    }

    override func tearDown() {
        pki?.remove()
    }

    private func authenticator() throws -> JWTBearerAuthenticator {
        let jwks = try JSONWebKeySet(keys: [try JWSSigningKey.p256(signingKey).publicJWK(keyID: "k1", algorithm: .es256)]).publicJSON()
        return JWTBearerAuthenticator(
            name: "entra",
            settings: JWTIssuerSettings(issuer: issuer, audiences: [audience], keySource: .inline(json: jwks)),
            realm: "loyalty")
    }

    private func token(roles: [String] = ["loyalty.write"], expiresIn: TimeInterval = 600, boundTo leafDER: [UInt8]? = nil) throws -> String {
        let now = Int64(Date().timeIntervalSince1970)
        var claims: JSONObject = [
            "iss": .string(issuer), "aud": .string(audience), "sub": .string("b2c-connector-app"),
            "client_id": .string("b2c-connector-app"),
            "iat": .integer(now - 10), "nbf": .integer(now - 10), "exp": .integer(now + Int64(expiresIn)),
            "roles": .array(roles.map { .string($0) }),
        ]
        if let leafDER {
            claims["cnf"] = .object(["x5t#S256": .string(CertificateThumbprint.sha256(certificateDER: leafDER))])
        }
        return try JWSSigner(key: .p256(signingKey)).sign(claims: claims, header: JWSHeader(algorithm: .es256, keyID: "k1", type: "at+jwt"))
    }

    private func tls() throws -> HTTPServerBuilder {
        try .trustGateTLS(TrustGateTLSConfiguration(
            certificateChain: pki.server.issued.chain, privateKey: pki.server.issued.privateKey,
            clientCertificateMode: .optional, clientCertificatePolicy: try pki.policy()))
    }

    func testBearerTokenWithRoleAcceptedOverHTTP2AndFailuresFollowRFC6750() async throws {
        let middleware = AuthenticationMiddleware<TrustGateRequestContext>(
            requirement: .scheme(try authenticator(), PrincipalConstraints(roles: ["loyalty.write"])))
        try await LiveServer.run(responder: PrincipalEchoRouter.make(middleware).buildResponder(), server: try tls()) { port in
            let url = "https://127.0.0.1:\(port)/whoami"
            let client = CurlClient(caFile: pki.caFile, version: .http2)

            let accepted = try await client.request(url, headers: ["Authorization: Bearer \(try token())"])
            XCTAssertEqual(accepted.status, 200, accepted.bodyText)
            XCTAssertEqual(accepted.httpVersion, "2")
            XCTAssertEqual(try accepted.json()["methods"] as? [String], ["jwt"])
            XCTAssertEqual(try accepted.json()["roles"] as? [String], ["loyalty.write"])

            let missing = try await client.request(url)
            XCTAssertEqual(missing.status, 401)
            XCTAssertEqual(missing.values("www-authenticate"), [#"Bearer realm="loyalty""#], "no error code when no token was sent")

            let expiredToken = try token(expiresIn: -3600)
            let expired = try await client.request(url, headers: ["Authorization: Bearer \(expiredToken)"])
            XCTAssertEqual(expired.status, 401)
            XCTAssertEqual(try expired.json()["reason"] as? String, "invalid_token")
            XCTAssertTrue(expired.values("www-authenticate").first?.hasPrefix(#"Bearer realm="loyalty", error="invalid_token""#) ?? false, "\(expired.values("www-authenticate"))")
            XCTAssertFalse(expired.bodyText.contains(expiredToken), "the token never appears in the answer")

            let unprivileged = try await client.request(url, headers: ["Authorization: Bearer \(try token(roles: ["loyalty.read"]))"])
            XCTAssertEqual(unprivileged.status, 403)
            XCTAssertEqual(try unprivileged.json()["reason"] as? String, "insufficient_scope")
            XCTAssertTrue(unprivileged.values("www-authenticate").first?.contains(#"error="insufficient_scope""#) ?? false, "\(unprivileged.values("www-authenticate"))")

            let malformed = try await client.request(url, headers: ["Authorization: Bearer not a token"])
            XCTAssertEqual(malformed.status, 400)
            XCTAssertEqual(try malformed.json()["reason"] as? String, "invalid_request")
        }
    }

    func testCertificateBoundTokenNeedsThisConnectionsCertificate() async throws {
        let middleware = AuthenticationMiddleware<TrustGateRequestContext>(
            requirement: .allOf([.scheme(ClientCertificateAuthenticator(policy: try pki.policy())), .scheme(try authenticator())]))
        let bound = try token(boundTo: pki.client.chainDER[0])
        try await LiveServer.run(responder: PrincipalEchoRouter.make(middleware).buildResponder(), server: try tls()) { port in
            let url = "https://127.0.0.1:\(port)/whoami"
            for version in [CurlClient.Version.http1, .http2] {
                let holder = CurlClient(caFile: pki.caFile, certificateFile: pki.client.chainFile, keyFile: pki.client.keyFile, version: version)
                let accepted = try await holder.request(url, headers: ["Authorization: Bearer \(bound)"])
                XCTAssertEqual(accepted.status, 200, accepted.bodyText)
                XCTAssertEqual(try accepted.json()["methods"] as? [String], ["certificate", "jwt"])
                XCTAssertEqual(try accepted.json()["name"] as? String, "CN=loyalty-client", "all_of: the first part names the principal")

                // The same token presented with another (valid) certificate: stolen, refused.
                let thief = CurlClient(caFile: pki.caFile, certificateFile: pki.connector.chainFile, keyFile: pki.connector.keyFile, version: version)
                let refused = try await thief.request(url, headers: ["Authorization: Bearer \(bound)"])
                XCTAssertEqual(refused.status, 401, refused.bodyText)
                XCTAssertEqual(try refused.json()["reason"] as? String, "invalid_token")
            }
        }
    }
}
