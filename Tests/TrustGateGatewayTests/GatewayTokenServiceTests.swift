import Crypto
import Foundation
import NIOCore
import NIOPosix
import TrustGateAuth
import TrustGateJOSE
import TrustGateStore
import TrustGateX509
import XCTest
@testable import TrustGateGateway

/// Seed 004 through the gateway: the token service served on the gateway's own listener issues a token to a
/// client that authenticates with its certificate (private_key_jwt over mutual TLS), and a route that needs that
/// certificate AND a token with role service-api issued to a certificate client (`azpacr` 2) lets it through;
/// a secret client's token (`azpacr` 1) is refused with 403 insufficient_scope.
final class GatewayTokenServiceTests: XCTestCase {
    var pki: GatewayTestPKI!

    override func setUpWithError() throws {
        try XCTSkipUnless(Curl.isAvailable, "curl is not installed")
        pki = try GatewayTestPKI()
    }

    override func tearDown() {
        pki?.remove()
    }

    /// A port nobody listens on right now: the issuer URL must name the port before the gateway starts.
    private func freePort() throws -> Int {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let channel = try ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).wait()
        let port = channel.localAddress?.port ?? 0
        try channel.close().wait()
        return port
    }

    private func register(storePath: String) async throws -> String {
        let store = try SQLiteRegistrationStore(path: storePath, create: true)
        try await store.addResource(Resource(identifier: "api://demo", name: "Demo API", appRoles: ["service-api"], tokenProfile: .entra))
        try await store.addClient(Client(id: "demo-client", name: "Demo", authenticationMethods: [.privateKeyJWT, .tlsClientAuth]))
        try await store.addCertificate(ClientCertificate(clientID: "demo-client", derBytes: pki.client.leafDER))
        _ = try await store.grantRoles(clientID: "demo-client", resource: "api://demo", roles: ["service-api"])
        try await store.addClient(Client(id: "secret-client", name: "Secret", authenticationMethods: [.clientSecretBasic]))
        let secret = try ClientSecret.generate(for: "secret-client", hashAlgorithm: .pbkdf2SHA256(iterations: 100_000))
        try await store.addSecret(secret.record)
        _ = try await store.grantRoles(clientID: "secret-client", resource: "api://demo", roles: ["service-api"])
        return secret.value
    }

    private func assertion(issuer: String, tokenEndpoint: String) throws -> String {
        let now = Int64(Date().timeIntervalSince1970)
        let claims = JSONObject([
            ("iss", "demo-client"), ("sub", "demo-client"), ("aud", .string(tokenEndpoint)), ("jti", .string(UUID().uuidString)),
            ("iat", .integer(now)), ("nbf", .integer(now)), ("exp", .integer(now + 600)),
        ])
        let thumbprint = Base64URL.encode(Array(SHA256.hash(data: pki.client.leafDER)))
        let header = JWSHeader(algorithm: .es256, type: "JWT", certificateSHA256Thumbprint: thumbprint)
        let key = try P256.Signing.PrivateKey(pemRepresentation: String(contentsOfFile: pki.client.keyFile, encoding: .utf8))
        return try JWSSigner(key: .p256(key)).sign(claims: claims, header: header)
    }

    func testSeed004CertificateTokenPassesAndSecretTokenIsRefused() async throws {
        let port = try freePort()
        let issuer = "https://localhost:\(port)/demo"
        let storePath = pki.directory + "/tokens.db"
        let keyFile = pki.directory + "/store.key"
        let keyBytes = (0..<32).map { _ in UInt8.random(in: 0...255) }
        FileManager.default.createFile(atPath: keyFile, contents: Data(keyBytes).base64EncodedData(), attributes: [.posixPermissions: 0o600])
        let secret = try await register(storePath: storePath)

        let harness = try await GatewayHarness(pki: pki) { configuration, upstreamPort in
            let yaml = """
            listeners:
              - name: tls
                address: 127.0.0.1:\(port)
                tls: true
                hosts:
                  - names: [localhost, 127.0.0.1]
                    certificate: \(pki.server.chainFile)
                    key: \(pki.server.keyFile)
                    client_certificate: { mode: optional, policy: { trust: { anchors: [\(pki.caFile)] } } }
            upstreams:
              echo: { url: "http://127.0.0.1:\(upstreamPort)" }
            token_service:
              issuer: \(issuer)
              store: \(storePath)
              store_key_file: \(keyFile)
            auth_schemes:
              tokens:
                type: jwt
                issuer: \(issuer)
                audience: api://demo
                jwks_url: \(issuer)/discovery/v2.0/keys
                jwks_ca: \(pki.caFile)
                token_types: [at+jwt]
            routes:
              - name: api
                path: /api
                upstream: echo
                auth:
                  all_of:
                    - certificate
                    - { scheme: tokens, roles: [service-api], claims: { azpacr: "2" } }
            access_log: off
            """
            let path = pki.directory + "/gateway.yaml"
            try yaml.write(toFile: path, atomically: true, encoding: .utf8)
            configuration = try GatewayConfigurationLoader.load(contentsOfFile: path, environment: [:])
        }
        var failure: (any Error)?
        do {
            // Discovery as MSAL reads it.
            let discovery = try Curl.request("/demo/.well-known/openid-configuration", port: port, pki: pki)
            XCTAssertEqual(discovery.status, 200, discovery.body)
            let document = try XCTUnwrap(discovery.json)
            XCTAssertEqual(document["issuer"] as? String, issuer)
            let tokenEndpoint = try XCTUnwrap(document["token_endpoint"] as? String)
            XCTAssertNotNil(document["authorization_endpoint"])
            let tokenPath = try XCTUnwrap(URL(string: tokenEndpoint)?.path)

            // private_key_jwt over mutual TLS: a certificate client.
            let form = "grant_type=client_credentials&scope=api%3A%2F%2Fdemo%2F.default&client_id=demo-client"
                + "&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"
                + "&client_assertion=" + (try assertion(issuer: issuer, tokenEndpoint: tokenEndpoint))
            let issued = try Curl.request(tokenPath, port: port, pki: pki, credential: pki.client, extra: ["--data", form])
            XCTAssertEqual(issued.status, 200, issued.body)
            XCTAssertTrue(issued.headers.lowercased().contains("cache-control: no-store"), issued.headers)
            let token = try XCTUnwrap(issued.json?["access_token"] as? String)
            let claims = try XCTUnwrap(StrictJSONParser.parseObject(XCTUnwrap(Base64URL.decode(String(token.split(separator: ".")[1])))))
            XCTAssertEqual(claims["azpacr"]?.stringValue, "2")
            XCTAssertEqual(claims["aud"]?.stringValue, "api://demo")
            XCTAssertEqual(claims["roles"]?.arrayValue?.first?.stringValue, "service-api")

            let allowed = try Curl.request("/api", port: port, pki: pki, credential: pki.client, extra: ["-H", "Authorization: Bearer \(token)"])
            XCTAssertEqual(allowed.status, 200, allowed.body)

            // client_secret_basic: a secret client's token (azpacr 1) does not meet the route.
            let secretToken = try Curl.request(
                tokenPath, port: port, pki: pki,
                extra: ["--data", "grant_type=client_credentials&scope=api%3A%2F%2Fdemo%2F.default", "-u", "secret-client:\(secret)"])
            XCTAssertEqual(secretToken.status, 200, secretToken.body)
            let weakToken = try XCTUnwrap(secretToken.json?["access_token"] as? String)
            let refused = try Curl.request("/api", port: port, pki: pki, credential: pki.client, extra: ["-H", "Authorization: Bearer \(weakToken)"])
            XCTAssertEqual(refused.status, 403, refused.body)
            XCTAssertEqual(refused.json?["reason"] as? String, "insufficient_scope")

            // A wrong secret: RFC 6749 invalid_client with 401 and a Basic challenge.
            let wrong = try Curl.request(
                tokenPath, port: port, pki: pki,
                extra: ["--data", "grant_type=client_credentials&scope=api%3A%2F%2Fdemo%2F.default", "-u", "secret-client:nope"])
            XCTAssertEqual(wrong.status, 401, wrong.body)
            XCTAssertEqual(wrong.json?["error"] as? String, "invalid_client")
            XCTAssertTrue(wrong.headers.lowercased().contains("www-authenticate: basic"), wrong.headers)

            // A GET on the token endpoint never issues a token (TE-1).
            let get = try Curl.request(tokenPath, port: port, pki: pki)
            XCTAssertNotEqual(get.status, 200)
        } catch {
            failure = error
        }
        await harness.stop()
        if let failure { throw failure }
    }
}
