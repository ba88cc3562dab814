import Foundation
import Hummingbird
import TrustGateAuth
import TrustGateClient
import TrustGateHummingbird
import TrustGateJOSE
import TrustGateX509
import XCTest

/// Bearer tokens acquired with client credentials from an in-test OAuth token endpoint, sent to an API that
/// validates them as JWTs (TrustGateAuth's JWTBearerAuthenticator), both over TLS.
final class TokenAcquisitionTests: XCTestCase {
    private var pki: ClientTestPKI!
    private let clientSecret = "s3cret value/with+symbols"

    override func setUpWithError() throws {
        pki = try ClientTestPKI()
    }

    override func tearDown() {
        pki?.remove()
    }

    /// Runs the token service and, behind it, the API that accepts its tokens.
    private func withServices(
        time: SharedTime = SharedTime(),
        _ body: (TestTokenService, Int) async throws -> Void
    ) async throws {
        let service = TestTokenService(time: time, registrations: [
            "b2c-connector": .secret(clientSecret),
            "b2c-cert-connector": .certificate(pki.connector.leaf),
            "b2c-ec-connector": .certificate(pki.ecClient.leaf),
        ])
        try await TestServer.run(router: service.router(), server: try pki.tlsServer(.ignore)) { tokenPort in
            service.setIssuer(port: tokenPort)
            let settings = JWTIssuerSettings(
                issuer: service.issuer, audiences: [TestTokenService.audience], keySource: .inline(json: try service.jwksJSON()),
                algorithms: [.es256])
            let authenticator = JWTBearerAuthenticator(
                name: "loyalty-issuer", realm: "loyalty", validator: JWTAccessTokenValidator(settings: settings), clock: { time.now })
            let middleware = AuthenticationMiddleware<TrustGateRequestContext>(requirement: .scheme(authenticator))
            try await TestServer.run(router: EchoAPI().router(middleware), server: try pki.tlsServer(.ignore)) { apiPort in
                try await body(service, apiPort)
            }
        }
    }

    private func configuration(
        apiPort: Int, service: TestTokenService, clientID: String = "b2c-connector",
        authentication: ClientCredentialsSettings.ClientAuthentication? = nil, discovery: Bool = false
    ) -> ConnectorConfiguration {
        let endpoint: ClientCredentialsSettings.TokenEndpoint =
            discovery ? .issuer(URL(string: service.issuer)!) : .tokenURL(URL(string: service.tokenEndpoint)!)
        let settings = ClientCredentialsSettings(
            endpoint: endpoint, clientID: clientID, scope: "api://loyalty/.default",
            clientAuthentication: authentication ?? .secretBasic(.namedKey("loyalty-secret")))
        var configuration = ConnectorConfiguration(
            serviceURL: URL(string: "https://127.0.0.1:\(apiPort)/echo")!, authentication: .bearer(.clientCredentials(settings)))
        configuration.tls.trustedCAFiles = [pki.caFile]
        return configuration
    }

    private var keys: InMemoryKeys { InMemoryKeys(secrets: ["loyalty-secret": clientSecret]) }

    func testSecretBasicAndPostGetATokenTheAPIAccepts() async throws {
        try await withServices { service, apiPort in
            let basic = try await Connector(configuration: configuration(apiPort: apiPort, service: service), keys: keys, tokenCache: TokenCache())
            let response = try await basic.call()
            XCTAssertEqual(response.status, 200, response.bodyText ?? "")
            XCTAssertEqual(try Echo(response.body).methods, ["jwt"])
            XCTAssertEqual(service.seen.lastAuthenticationMethod, "client_secret_basic")
            XCTAssertEqual(service.seen.lastForm["scope"], "api://loyalty/.default")
            XCTAssertEqual(service.seen.lastForm["grant_type"], "client_credentials")
            XCTAssertNil(service.seen.lastForm["client_secret"], "Basic keeps the secret out of the form")

            let post = try await Connector(
                configuration: configuration(apiPort: apiPort, service: service, authentication: .secretPost(.namedKey("loyalty-secret"))),
                keys: keys, tokenCache: TokenCache())
            let status0 = try await post.call().status
            XCTAssertEqual(status0, 200)
            XCTAssertEqual(service.seen.lastAuthenticationMethod, "client_secret_post")
            XCTAssertEqual(service.seen.tokenRequests, 2)
        }
    }

    func testTwentyConcurrentCallsShareOneTokenRequest() async throws {
        try await withServices { service, apiPort in
            service.configure { $0.delay = .milliseconds(300) }
            let cache = TokenCache()
            let first = try await Connector(configuration: configuration(apiPort: apiPort, service: service), keys: keys, tokenCache: cache)
            let second = try await Connector(configuration: configuration(apiPort: apiPort, service: service), keys: keys, tokenCache: cache)
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<20 {
                    group.addTask { try await (index.isMultiple(of: 2) ? first : second).call().status }
                }
                var statuses: [Int] = []
                for try await status in group { statuses.append(status) }
                return statuses
            }
            XCTAssertEqual(statuses, Array(repeating: 200, count: 20))
            XCTAssertEqual(service.seen.tokenRequests, 1, "one acquisition served every caller of both connectors")

            // Another scope is another token.
            var other = configuration(apiPort: apiPort, service: service)
            if case .bearer(.clientCredentials(var settings)) = other.authentication {
                settings.scope = "api://loyalty/read"
                other.authentication = .bearer(.clientCredentials(settings))
            }
            let status1 = try await Connector(configuration: other, keys: keys, tokenCache: cache).call().status
            XCTAssertEqual(status1, 200)
            XCTAssertEqual(service.seen.tokenRequests, 2)
        }
    }

    func testTokenNearExpiryIsNotReusedAndAFailedAcquisitionCachesNothing() async throws {
        try await withServices { service, apiPort in
            let cache = TokenCache()
            service.configure { $0.lifetime = 45 }  // below the 60 s margin: usable for the calls waiting only
            let connector = try await Connector(configuration: configuration(apiPort: apiPort, service: service), keys: keys, tokenCache: cache)
            let status2 = try await connector.call().status
            XCTAssertEqual(status2, 200)
            let status3 = try await connector.call().status
            XCTAssertEqual(status3, 200)
            XCTAssertEqual(service.seen.tokenRequests, 2)

            service.configure { $0.lifetime = 3600; $0.error = (503, "temporarily_unavailable", "try later") }
            let caught1 = await connectorError { () async throws(ConnectorError) in
                _ = try await connector.call()
                XCTFail("the token endpoint refused")
            }
            switch caught1?.tokenAcquisitionError {
            case let refusal? where refusal.code == .refused:
                XCTAssertEqual(refusal.status, 503)
                XCTAssertEqual(refusal.oauthError, "temporarily_unavailable")
            default:
                XCTFail("unexpected outcome: \(String(describing: caught1))")
            }
            service.configure { $0.error = nil }
            let status4 = try await connector.call().status
            XCTAssertEqual(status4, 200, "the failure was not cached")
        }
    }

    func testExpiredTokenIsRefreshedOnceOn401InvalidToken() async throws {
        let time = SharedTime()
        try await withServices(time: time) { service, apiPort in
            let connector = try await Connector(configuration: configuration(apiPort: apiPort, service: service), keys: keys, tokenCache: TokenCache())
            let first = try await connector.call()
            XCTAssertEqual(first.status, 200)
            XCTAssertFalse(first.refreshedToken)

            // The API's time moves past the token's expiry; the client still thinks it has an hour.
            time.advance(by: 7200)
            let second = try await connector.call()
            XCTAssertEqual(second.status, 200, second.bodyText ?? "")
            XCTAssertTrue(second.refreshedToken)
            XCTAssertEqual(second.attempts, 2)
            XCTAssertEqual(service.seen.tokenRequests, 2)

            let third = try await connector.call()
            XCTAssertEqual(third.status, 200)
            XCTAssertFalse(third.refreshedToken, "the new token is cached")
            XCTAssertEqual(service.seen.tokenRequests, 2)
        }
    }

    func testATokenTheAPIKeepsRefusingIsRefreshedOnlyOnce() async throws {
        try await withServices { service, apiPort in
            service.configure { $0.audience = "api://another-api" }
            let connector = try await Connector(configuration: configuration(apiPort: apiPort, service: service), keys: keys, tokenCache: TokenCache())
            let response = try await connector.call()
            XCTAssertRefused(response, status: 401, reason: "invalid_token")
            XCTAssertTrue(response.refreshedToken)
            XCTAssertEqual(service.seen.tokenRequests, 2, "one refresh, then the refusal is the answer")
        }
    }

    func testCertificateAssertionIsBuiltLikeMSALAndVerifiesAgainstTheCertificate() async throws {
        try await withServices { service, apiPort in
            let settings = CertificateAssertionSettings(
                certificate: .bundle(pki.bundle(pki.connector)), includeCertificateChain: true, includeSHA1Thumbprint: true)
            let connector = try await Connector(
                configuration: configuration(apiPort: apiPort, service: service, clientID: "b2c-cert-connector", authentication: .certificateAssertion(settings)),
                tokenCache: TokenCache())
            let response = try await connector.call()
            XCTAssertEqual(response.status, 200, response.bodyText ?? "")
            XCTAssertEqual(service.seen.lastAuthenticationMethod, "private_key_jwt")
            XCTAssertEqual(service.seen.lastForm["client_id"], "b2c-cert-connector")
            XCTAssertEqual(service.seen.lastForm["client_assertion_type"], "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")

            let assertion = try XCTUnwrap(service.seen.lastAssertion)
            let leaf = pki.connector.leaf.derBytes
            let jwk = try JSONWebKey(material: try TestTokenService.material(of: pki.connector.leaf))
            let verified = try JWSVerifier.verify(assertion, keys: [jwk], allowedAlgorithms: [.ps256])
            XCTAssertEqual(verified.header.algorithm, .ps256, "MSAL's default for RSA certificates")
            XCTAssertEqual(verified.header.type, "JWT")
            XCTAssertEqual(verified.header.certificateSHA256Thumbprint, CertificateThumbprint.sha256(certificateDER: leaf))
            XCTAssertEqual(verified.header.certificateSHA1Thumbprint, CertificateThumbprint.sha1(certificateDER: leaf))
            XCTAssertEqual(verified.header.certificateChain, pki.connector.chainDER)
            let claims = try XCTUnwrap(try StrictJSONParser.parseObject(verified.payload))
            XCTAssertEqual(claims["iss"]?.stringValue, "b2c-cert-connector")
            XCTAssertEqual(claims["sub"]?.stringValue, "b2c-cert-connector")
            XCTAssertEqual(claims["aud"]?.stringValue, service.tokenEndpoint)
            let iat = try XCTUnwrap(claims["iat"]?.numberValue?.integerValue)
            XCTAssertEqual(claims["nbf"]?.numberValue?.integerValue, iat)
            XCTAssertEqual(claims["exp"]?.numberValue?.integerValue, iat + 600)
            XCTAssertNotNil(UUID(uuidString: claims["jti"]?.stringValue ?? ""), "jti is a UUID")
        }
    }

    func testAssertionAlgorithmsAndAnAssertionFromTheWrongCertificate() async throws {
        try await withServices { service, apiPort in
            // RS256 on request; ES256 by default for an EC certificate.
            let rs256 = CertificateAssertionSettings(certificate: .bundle(pki.bundle(pki.connector)), algorithm: .rs256)
            let rsConnector = try await Connector(
                configuration: configuration(apiPort: apiPort, service: service, clientID: "b2c-cert-connector", authentication: .certificateAssertion(rs256)),
                tokenCache: TokenCache())
            let status5 = try await rsConnector.call().status
            XCTAssertEqual(status5, 200)
            XCTAssertEqual(try CompactJWS(parsing: XCTUnwrap(service.seen.lastAssertion)).header.algorithm, .rs256)

            let ec = CertificateAssertionSettings(certificate: .pemFiles(certificate: pki.ecClient.chainFile, privateKey: pki.ecClient.keyFile, password: nil))
            let ecConnector = try await Connector(
                configuration: configuration(apiPort: apiPort, service: service, clientID: "b2c-ec-connector", authentication: .certificateAssertion(ec)),
                tokenCache: TokenCache())
            let status6 = try await ecConnector.call().status
            XCTAssertEqual(status6, 200)
            XCTAssertEqual(try CompactJWS(parsing: XCTUnwrap(service.seen.lastAssertion)).header.algorithm, .es256)

            // The EC certificate's assertion for the RSA client: the token endpoint refuses it.
            let wrong = try await Connector(
                configuration: configuration(apiPort: apiPort, service: service, clientID: "b2c-cert-connector", authentication: .certificateAssertion(ec)),
                tokenCache: TokenCache())
            let caught2 = await connectorError { () async throws(ConnectorError) in
                _ = try await wrong.call()
                XCTFail("a wrong certificate's assertion must be refused")
            }
            switch caught2?.tokenAcquisitionError {
            case let refusal? where refusal.code == .refused:
                XCTAssertEqual(refusal.status, 401)
                XCTAssertEqual(refusal.oauthError, "invalid_client")
                XCTAssertTrue(refusal.message.contains("(401 invalid_client): "), "with a description: \(refusal.message)")
            default:
                XCTFail("unexpected outcome: \(String(describing: caught2))")
            }
            let caught3 = await connectorError { () async throws(ConnectorError) in
                _ = try await Connector(configuration: configuration(
                    apiPort: apiPort, service: service, clientID: "b2c-ec-connector",
                    authentication: .certificateAssertion(CertificateAssertionSettings(certificate: ec.certificate, algorithm: .ps256))))
                XCTFail("an EC key cannot sign PS256")
            }
            switch caught3?.code {
            case .configuration?:
                let message = caught3?.message ?? ""
                XCTAssertTrue(message.contains("PS256"), message)
            default:
                XCTFail("unexpected outcome: \(String(describing: caught3))")
            }
        }
    }

    func testWrongClientSecretSurfacesTheOAuthError() async throws {
        try await withServices { service, apiPort in
            let connector = try await Connector(
                configuration: configuration(apiPort: apiPort, service: service), keys: InMemoryKeys(secrets: ["loyalty-secret": "not it"]),
                tokenCache: TokenCache())
            let caught4 = await connectorError { () async throws(ConnectorError) in
                _ = try await connector.call()
                XCTFail("a wrong secret must be refused")
            }
            switch caught4?.tokenAcquisitionError {
            case let error?:
                XCTAssertEqual(
                    error,
                    .refused(endpoint: service.tokenEndpoint, status: 401, error: "invalid_client", description: "wrong client secret"))
                XCTAssertFalse(error.description.contains("not it"), "the secret is never in the error")
            default:
                XCTFail("unexpected outcome: \(String(describing: caught4))")
            }
        }
    }

    func testDiscoveryFindsTheTokenEndpointAndRefusesAnotherIssuer() async throws {
        try await withServices { service, apiPort in
            let connector = try await Connector(
                configuration: configuration(apiPort: apiPort, service: service, discovery: true), keys: keys, tokenCache: TokenCache())
            let status7 = try await connector.call().status
            XCTAssertEqual(status7, 200)
            XCTAssertEqual(service.seen.discoveryRequests, 1)
            XCTAssertEqual(service.seen.tokenRequests, 1)
        }
        try await withServices { service, apiPort in
            service.configure { $0.discoveredIssuer = "https://evil.example.com" }
            let connector = try await Connector(
                configuration: configuration(apiPort: apiPort, service: service, discovery: true), keys: keys, tokenCache: TokenCache())
            let caught5 = await connectorError { () async throws(ConnectorError) in
                _ = try await connector.call()
                XCTFail("a discovery document for another issuer must not be used")
            }
            switch caught5?.tokenAcquisitionError {
            case let error? where error.code == .discoveryFailed:
                XCTAssertTrue(error.message.hasPrefix("OpenID discovery for \(service.issuer) failed: "), error.message)
                XCTAssertTrue(error.message.contains("another issuer"), error.message)
            default:
                XCTFail("unexpected outcome: \(String(describing: caught5))")
            }
            XCTAssertEqual(service.seen.tokenRequests, 0)
        }
    }
}
