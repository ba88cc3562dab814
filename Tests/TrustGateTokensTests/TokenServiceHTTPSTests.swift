import Foundation
import Hummingbird
import HummingbirdCore
import TrustGateAuth
import TrustGateHummingbird
import TrustGateJOSE
import TrustGateStore
import TrustGateTokens
import TrustGateTokensHummingbird
import TrustGateX509
import X509
import XCTest

/// The token service over real sockets on loopback, with curl as the client: TLS and HTTP (TE-1, TE-2), client
/// certificates in the TLS handshake (MT-1 … MT-4, CB-1), a trusted proxy's RFC 9440 header (MT-5), and
/// discovery and JWKS fetched over HTTPS (DS-1, JK-1) and used to verify an issued token.
final class TokenServiceHTTPSTests: XCTestCase {
    private var credentials: SharedCredentials!
    private var port = 0
    private var environment: TokenTestEnvironment!

    override func setUp() async throws {
        _ = try CurlClient.requireCurl()
        credentials = try SharedCredentials.get()
        port = try LiveTokenServer.freePort()
        environment = try await TokenTestEnvironment(issuer: "https://127.0.0.1:\(port)/contoso")
        try await environment.addClient("secret-app", methods: [.clientSecretBasic])
        _ = try await environment.addSecret("secret-app", value: "open-sesame")
        try await environment.addClient("mtls-app", methods: [.tlsClientAuth])
        try await environment.addRule("mtls-app", anchors: [credentials.pki.authority.root], dns: ["orders.svc.example.com"])
        try await environment.addClient("uri-app", methods: [.tlsClientAuth])
        try await environment.addRule("uri-app", anchors: [credentials.pki.authority.root], uris: ["spiffe://example.com/orders"])
        try await environment.addClient("self-app", methods: [.selfSignedTLSClientAuth])
        try await environment.addCertificate("self-app", credentials.selfSigned)
    }

    override func tearDown() async throws {
        await environment?.close()
    }

    private var base: String { "https://127.0.0.1:\(port)" }
    private let tokenBody = "grant_type=client_credentials&scope=api%3A%2F%2Forders%2F.default"

    private func router(trustedProxies: TrustedProxies = .none) -> Router<BasicRequestContext> {
        let router = Router()
        TokenServiceRoutes.add(environment.service, to: router, trustedProxies: trustedProxies)
        return router
    }

    private func tls() throws -> HTTPServerBuilder {
        try .trustGateTLS(TrustGateTLSConfiguration(
            certificateChain: credentials.pki.server.chain,
            privateKey: credentials.pki.server.privateKey,
            clientCertificateMode: .optional,
            clientCertificatePolicy: CertificatePolicy(CertificatePolicySettings(trustAnchors: [credentials.pki.authority.root]))))
    }

    private func curl(_ credential: TokenTestPKI.Credential? = nil, http2: Bool = false, tls: [String] = []) -> CurlClient {
        CurlClient(caFile: credentials.pki.caFile, certificateFile: credential?.chainFile, keyFile: credential?.keyFile, http2: http2, tlsOptions: tls)
    }

    private func verifiedClaims(_ response: CurlClient.Response, file: StaticString = #filePath, line: UInt = #line) async throws -> JSONObject {
        XCTAssertEqual(response.status, 200, response.bodyText, file: file, line: line)
        let body = try XCTUnwrap(try StrictJSONParser.parseObject(Array(response.body)), file: file, line: line)
        let token = try XCTUnwrap(body["access_token"]?.stringValue, file: file, line: line)
        let jwks = try await curl().request(base + "/contoso/discovery/v2.0/keys")
        let verified = try JWSVerifier.verify(token, keys: try JSONWebKeySet(jsonBytes: Array(jwks.body)).keys, allowedAlgorithms: [.rs256])
        return try XCTUnwrap(try StrictJSONParser.parseObject(verified.payload), file: file, line: line)
    }

    // MARK: TE-1 / TE-2

    func testTE1TE2TokenOverHTTPSWithHTTP1AndHTTP2() async throws {
        try await LiveTokenServer.run(router: router(), server: try tls(), port: port) {
            for http2 in [false, true] {
                let response = try await curl(http2: http2).request(
                    base + "/contoso/oauth2/v2.0/token", method: "POST",
                    headers: ["Content-Type: application/x-www-form-urlencoded", "Authorization: Basic " + Data("secret-app:open-sesame".utf8).base64EncodedString()],
                    body: tokenBody)
                XCTAssertEqual(response.httpVersion, http2 ? "2" : "1.1")
                XCTAssertEqual(response.value("cache-control"), "no-store")
                XCTAssertEqual(response.value("pragma"), "no-cache")
                let claims = try await verifiedClaims(response)
                XCTAssertEqual(claims["iss"]?.stringValue, "https://127.0.0.1:\(port)/contoso")
                XCTAssertNil(claims["cnf"], "no client certificate, no binding")
            }
            let get = try await curl().request(base + "/contoso/oauth2/v2.0/token?grant_type=client_credentials")
            XCTAssertEqual(get.status, 405)
            XCTAssertFalse(get.bodyText.contains("access_token"))
        }
    }

    func testTE2PlainHTTPIsRefused() async throws {
        try await LiveTokenServer.run(router: router(), server: .trustGatePlainHTTP1(), port: port) {
            let response = try await CurlClient().request(
                "http://127.0.0.1:\(port)/contoso/oauth2/v2.0/token", method: "POST",
                headers: ["Content-Type: application/x-www-form-urlencoded", "Authorization: Basic " + Data("secret-app:open-sesame".utf8).base64EncodedString()],
                body: tokenBody)
            XCTAssertEqual(response.status, 400)
            XCTAssertTrue(response.bodyText.contains("invalid_request"))
            XCTAssertFalse(response.bodyText.contains("access_token"))
        }
    }

    // MARK: MT-1 … MT-4, CB-1

    func testMT1MT4TLSClientAuthOverTheHandshakeBindsTheToken() async throws {
        try await LiveTokenServer.run(router: router(), server: try tls(), port: port) {
            for http2 in [false, true] {
                let response = try await curl(credentials.dnsClient, http2: http2).request(
                    base + "/contoso/oauth2/v2.0/token", method: "POST", headers: ["Content-Type: application/x-www-form-urlencoded"],
                    body: tokenBody + "&client_id=mtls-app")
                let claims = try await verifiedClaims(response)
                XCTAssertEqual(claims["client_id"]?.stringValue, "mtls-app")
                XCTAssertEqual(claims["cnf"]?.objectValue?["x5t#S256"]?.stringValue, credentials.dnsClient.x5tS256)
            }
        }
    }

    func testMT4TLS12WorksAndOlderVersionsDoNot() async throws {
        try await LiveTokenServer.run(router: router(), server: try tls(), port: port) {
            let tls12 = try await curl(credentials.dnsClient, tls: ["--tlsv1.2", "--tls-max", "1.2"]).request(
                base + "/contoso/oauth2/v2.0/token", method: "POST", headers: ["Content-Type: application/x-www-form-urlencoded"],
                body: tokenBody + "&client_id=mtls-app")
            XCTAssertEqual(tls12.status, 200, tls12.bodyText)
            do {
                _ = try await curl(credentials.dnsClient, tls: ["--tlsv1.0", "--tls-max", "1.1"]).request(base + "/contoso/.well-known/openid-configuration")
                XCTFail("TLS 1.1 must not complete a handshake")
            } catch let failure as CurlClient.Failure {
                guard case .exited = failure else { return XCTFail("\(failure)") }
            }
        }
    }

    func testMT2SelfSignedOverTheHandshake() async throws {
        try await LiveTokenServer.run(router: router(), server: try tls(), port: port) {
            let response = try await curl(credentials.selfSigned).request(
                base + "/contoso/oauth2/v2.0/token", method: "POST", headers: ["Content-Type: application/x-www-form-urlencoded"],
                body: tokenBody + "&client_id=self-app")
            let claims = try await verifiedClaims(response)
            XCTAssertEqual(claims["cnf"]?.objectValue?["x5t#S256"]?.stringValue, credentials.selfSigned.x5tS256)
        }
    }

    func testMT3AnotherClientsCertificateOverTheHandshake() async throws {
        try await LiveTokenServer.run(router: router(), server: try tls(), port: port) {
            let response = try await curl(credentials.uriClient).request(
                base + "/contoso/oauth2/v2.0/token", method: "POST", headers: ["Content-Type: application/x-www-form-urlencoded"],
                body: tokenBody + "&client_id=mtls-app")
            XCTAssertEqual(response.status, 401)
            XCTAssertTrue(response.value("www-authenticate")?.hasPrefix("Basic realm=") ?? false)
            XCTAssertTrue(response.bodyText.contains("invalid_client"))
            let noCertificate = try await curl().request(
                base + "/contoso/oauth2/v2.0/token", method: "POST", headers: ["Content-Type: application/x-www-form-urlencoded"],
                body: tokenBody + "&client_id=mtls-app")
            XCTAssertEqual(noCertificate.status, 401)
        }
    }

    // MARK: MT-5

    func testMT5CertificateFromATrustedProxysRFC9440Header() async throws {
        let proxies = TrustedProxies(networks: [try CIDRBlock(parsing: "127.0.0.1/32")], certificateFormat: .rfc9440)
        let headers = ForwardedCertificateHeader.headers(for: credentials.dnsClient.chainDER, format: .rfc9440).map { "\($0.name): \($0.value)" }
        try await LiveTokenServer.run(router: router(trustedProxies: proxies), server: .trustGatePlainHTTP1(), port: port) {
            let response = try await CurlClient().request(
                "http://127.0.0.1:\(port)/contoso/oauth2/v2.0/token", method: "POST",
                headers: ["Content-Type: application/x-www-form-urlencoded", "X-Forwarded-Proto: https"] + headers,
                body: tokenBody + "&client_id=mtls-app")
            let claims = try await verifiedClaimsPlain(response)
            XCTAssertEqual(claims["client_id"]?.stringValue, "mtls-app")
            XCTAssertEqual(claims["cnf"]?.objectValue?["x5t#S256"]?.stringValue, credentials.dnsClient.x5tS256)
        }
    }

    func testMT5HeadersFromAnUntrustedPeerAreIgnored() async throws {
        let headers = ForwardedCertificateHeader.headers(for: credentials.dnsClient.chainDER, format: .rfc9440).map { "\($0.name): \($0.value)" }
        try await LiveTokenServer.run(router: router(), server: try tls(), port: port) {
            // Over TLS without a certificate, a Client-Cert header must not stand in for one.
            let response = try await curl().request(
                base + "/contoso/oauth2/v2.0/token", method: "POST",
                headers: ["Content-Type: application/x-www-form-urlencoded"] + headers, body: tokenBody + "&client_id=mtls-app")
            XCTAssertEqual(response.status, 401, response.bodyText)
        }
    }

    private func verifiedClaimsPlain(_ response: CurlClient.Response) async throws -> JSONObject {
        XCTAssertEqual(response.status, 200, response.bodyText)
        let body = try XCTUnwrap(try StrictJSONParser.parseObject(Array(response.body)))
        let token = try XCTUnwrap(body["access_token"]?.stringValue)
        let jwks = await environment.get(environment.settings.urls.jwksPath)
        let verified = try JWSVerifier.verify(token, keys: try JSONWebKeySet(jsonBytes: jwks.body).keys, allowedAlgorithms: [.rs256])
        return try XCTUnwrap(try StrictJSONParser.parseObject(verified.payload))
    }

    // MARK: DS-1, JK-1 over HTTPS

    func testDiscoveryAndJWKSOverHTTPS() async throws {
        try await LiveTokenServer.run(router: router(), server: try tls(), port: port) {
            let issuer = "https://127.0.0.1:\(port)/contoso"
            for path in ["/contoso/.well-known/openid-configuration", "/.well-known/oauth-authorization-server/contoso", "/contoso/v2.0/.well-known/openid-configuration"] {
                let response = try await curl(http2: true).request(base + path)
                XCTAssertEqual(response.status, 200, path)
                let document = try XCTUnwrap(try StrictJSONParser.parseObject(Array(response.body)))
                // DS-1: identical to the issuer the URL was built from.
                XCTAssertEqual(document["issuer"]?.stringValue, issuer, path)
                // The endpoints it names are served here.
                let jwksURI = try XCTUnwrap(document["jwks_uri"]?.stringValue)
                let jwks = try await curl().request(jwksURI)
                XCTAssertEqual(jwks.status, 200)
                XCTAssertEqual(jwks.value("cache-control"), "public, max-age=3600")
                XCTAssertFalse(try JSONWebKeySet(jsonBytes: Array(jwks.body)).keys.isEmpty)
                let authorize = try await curl().request(try XCTUnwrap(document["authorization_endpoint"]?.stringValue) + "?response_type=code")
                XCTAssertEqual(authorize.status, 400)
                XCTAssertTrue(authorize.bodyText.contains("unsupported_response_type"))
            }
            let head = try await curl().request(base + "/contoso/discovery/v2.0/keys", method: "HEAD")
            XCTAssertEqual(head.status, 200)
        }
    }
}
