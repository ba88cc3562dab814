import Foundation
import Hummingbird
import TrustGateAuth
import TrustGateClient
import TrustGateHummingbird
import TrustGateJOSE
import TrustGateX509
import XCTest

/// Each authentication type against a real TLS server (TrustGateHummingbird's TLS channel and
/// AuthenticationMiddleware): it succeeds where configured and fails cleanly, with the server's reason, where not.
final class ConnectorAuthenticationTests: XCTestCase {
    private var pki: ClientTestPKI!

    override func setUpWithError() throws {
        pki = try ClientTestPKI()
    }

    override func tearDown() {
        pki?.remove()
    }

    private func configuration(port: Int, _ authentication: ConnectorAuthentication) -> ConnectorConfiguration {
        var configuration = ConnectorConfiguration(serviceURL: URL(string: "https://127.0.0.1:\(port)/echo")!, authentication: authentication)
        configuration.tls.trustedCAFiles = [pki.caFile]
        configuration.retry = .never
        return configuration
    }

    func testNoAuthenticationOverTLSWithTheTrustedCA() async throws {
        let api = EchoAPI()
        try await TestServer.run(router: api.router(nil), server: try pki.tlsServer(.ignore)) { port in
            let connector = try await Connector(configuration: configuration(port: port, .none))
            let response = try await connector.call(claims: ["givenName": "Emily"])
            XCTAssertEqual(response.outcome, .success)
            let echo = try Echo(response.body)
            XCTAssertEqual(echo.method, "POST")
            XCTAssertEqual(echo.body, #"{"givenName":"Emily"}"#)
            XCTAssertEqual(echo.header("authorization"), [])

            // Without the CA the server's certificate is not trusted: a transport failure before anything was sent.
            var untrusting = configuration(port: port, .none)
            untrusting.tls.trustedCAFiles = []
            let caught1 = await connectorError { () async throws(ConnectorError) in
                _ = try await Connector(configuration: untrusting).call()
                XCTFail("an untrusted server certificate must fail")
            }
            switch caught1?.code {
            case .transport?:
                guard let failure = caught1?.transportFailure else { return XCTFail("no transport failure") }
                XCTAssertEqual(failure.phase, .connecting)
                XCTAssertEqual(failure.url, "https://127.0.0.1:\(port)/echo")
            default:
                XCTFail("unexpected outcome: \(String(describing: caught1))")
            }
        }
    }

    func testBasicWithNamedKeysAndAWrongPasswordRefusedWithTheServersReason() async throws {
        let api = EchoAPI()
        let middleware = AuthenticationMiddleware<TrustGateRequestContext>(requirement: .scheme(try TestSecrets.basicScheme()))
        let keys = InMemoryKeys(secrets: ["rest-user": TestSecrets.basicUser, "rest-password": TestSecrets.basicPassword, "stale-password": "wrong"])
        try await TestServer.run(router: api.router(middleware), server: try pki.tlsServer(.ignore)) { port in
            let good = try await Connector(
                configuration: configuration(port: port, .basic(username: .namedKey("rest-user"), password: .namedKey("rest-password"))), keys: keys)
            let accepted = try await good.call(claims: ["email": "emily@example.com"])
            XCTAssertEqual(accepted.status, 200, accepted.bodyText ?? "")
            XCTAssertEqual(try Echo(accepted.body).principal, TestSecrets.basicUser)
            XCTAssertEqual(try Echo(accepted.body).methods, ["basic"])

            let wrong = try await Connector(
                configuration: configuration(port: port, .basic(username: .namedKey("rest-user"), password: .namedKey("stale-password"))), keys: keys)
            let refused = try await wrong.call()
            XCTAssertRefused(refused, status: 401, reason: "invalid_credentials")
            guard case .authenticationRefused(let refusal) = refused.outcome else { return }
            XCTAssertEqual(refusal.challenges, [#"Basic realm="loyalty", charset="UTF-8""#])

            let missing = try await Connector(configuration: configuration(port: port, .none)).call()
            XCTAssertRefused(missing, status: 401, reason: "authentication_required")
        }
    }

    func testMissingNamedKeyFailsWhenTheConnectorIsMade() async throws {
        let caught2 = await connectorError { () async throws(ConnectorError) in
            _ = try await Connector(
                configuration: configuration(port: 1, .basic(username: .namedKey("rest-user"), password: .namedKey("nowhere"))),
                keys: InMemoryKeys(secrets: ["rest-user": "u"]))
            XCTFail("a missing key must fail at once")
        }
        switch caught2?.code {
        case .configuration?:
            let message = caught2?.message ?? ""
            XCTAssertTrue(message.contains("nowhere"), message)
        default:
            XCTFail("unexpected outcome: \(String(describing: caught2))")
        }
    }

    func testClientCertificateFromPEMFilesAPFXAndANamedKey() async throws {
        let api = EchoAPI()
        let middleware = AuthenticationMiddleware<TrustGateRequestContext>(
            requirement: .scheme(ClientCertificateAuthenticator(policy: try pki.policy())))
        let pfx = try pki.pfx(pki.connector, password: "pfx secret")
        let keys = InMemoryKeys(certificates: ["rest-client-cert": pki.bundle(pki.connector)])
        try await TestServer.run(router: api.router(middleware), server: try pki.tlsServer(.optional)) { port in
            let sources: [ClientIdentitySource] = [
                .pemFiles(certificate: pki.connector.chainFile, privateKey: pki.connector.keyFile, password: nil),
                .pfxFile(path: pfx, password: .value(SecretValue("pfx secret"))),
                .namedKey("rest-client-cert"),
            ]
            for source in sources {
                let connector = try await Connector(configuration: configuration(port: port, .clientCertificate(source)), keys: keys)
                let response = try await connector.call()
                XCTAssertEqual(response.status, 200, "\(source): \(response.bodyText ?? "")")
                XCTAssertEqual(try Echo(response.body).principal, "CN=b2c-api-connector", "\(source)")
                XCTAssertEqual(try Echo(response.body).methods, ["certificate"])
            }

            let none = try await Connector(configuration: configuration(port: port, .none)).call()
            XCTAssertRefused(none, status: 403, reason: "no_certificate")

            let foreign = try await Connector(configuration: configuration(
                port: port, .clientCertificate(.pemFiles(certificate: pki.foreign.chainFile, privateKey: pki.foreign.keyFile, password: nil)))).call()
            XCTAssertRefused(foreign, status: 403, reason: "untrusted_issuer")
        }
        let caught3 = await connectorError { () async throws(ConnectorError) in
            _ = try await Connector(configuration: configuration(port: 1, .clientCertificate(.pfxFile(path: pfx, password: .value(SecretValue("wrong"))))))
            XCTFail("a wrong PFX password must fail when the connector is made")
        }
        switch caught3?.code {
        case .configuration?:
            let message = caught3?.message ?? ""
            XCTAssertTrue(message.contains(pfx), message)
            XCTAssertFalse(message.contains("wrong"), "the password is never repeated")
        default:
            XCTFail("unexpected outcome: \(String(describing: caught3))")
        }
    }

    func testFixedBearerTokenAndAWrongOne() async throws {
        let api = EchoAPI()
        let middleware = AuthenticationMiddleware<TrustGateRequestContext>(requirement: .scheme(try TestSecrets.staticBearerScheme()))
        let keys = InMemoryKeys(secrets: ["rest-bearer": TestSecrets.staticToken, "old-bearer": "t-revoked"])
        try await TestServer.run(router: api.router(middleware), server: try pki.tlsServer(.ignore)) { port in
            let accepted = try await Connector(configuration: configuration(port: port, .bearer(.fixed(.namedKey("rest-bearer")))), keys: keys).call()
            XCTAssertEqual(accepted.status, 200, accepted.bodyText ?? "")
            XCTAssertEqual(try Echo(accepted.body).principal, "b2c")
            XCTAssertFalse(accepted.refreshedToken)

            let refused = try await Connector(configuration: configuration(port: port, .bearer(.fixed(.namedKey("old-bearer")))), keys: keys).call()
            XCTAssertRefused(refused, status: 401, reason: "invalid_token")
            XCTAssertFalse(refused.refreshedToken, "a fixed token has nothing to refresh")
            XCTAssertEqual(refused.attempts, 1)
        }
    }

    func testAPIKeyHeaderAndAWrongKey() async throws {
        let api = EchoAPI()
        let middleware = AuthenticationMiddleware<TrustGateRequestContext>(requirement: .scheme(try TestSecrets.apiKeyScheme()))
        try await TestServer.run(router: api.router(middleware), server: try pki.tlsServer(.ignore)) { port in
            let accepted = try await Connector(
                configuration: configuration(port: port, .apiKey(header: "x-functions-key", key: .environment("FUNCTIONS_KEY"))),
                environment: ["FUNCTIONS_KEY": TestSecrets.apiKey]
            ).call()
            XCTAssertEqual(accepted.status, 200, accepted.bodyText ?? "")
            XCTAssertEqual(try Echo(accepted.body).principal, "b2c")
            XCTAssertEqual(try Echo(accepted.body).methods, ["api_key"])

            let refused = try await Connector(
                configuration: configuration(port: port, .apiKey(header: "x-functions-key", key: .value(SecretValue("k-not-the-key"))))
            ).call()
            XCTAssertRefused(refused, status: 401, reason: "invalid_credentials")
            XCTAssertFalse(refused.bodyText?.contains("k-not-the-key") ?? true)
        }
    }

    func testCredentialsOverPlainHTTPAreRefusedAtConfigurationNamingTheKey() async throws {
        let url = URL(string: "http://127.0.0.1:1/echo")!
        let insecure: [(ConnectorAuthentication, String)] = [
            (.basic(username: .namedKey("rest-user"), password: .namedKey("rest-password")), "named key 'rest-password'"),
            (.bearer(.fixed(.namedKey("rest-bearer"))), "named key 'rest-bearer'"),
            (.apiKey(header: "x-functions-key", key: .environment("FUNCTIONS_KEY")), "environment variable FUNCTIONS_KEY"),
        ]
        for (authentication, named) in insecure {
            let configuration = ConnectorConfiguration(serviceURL: url, authentication: authentication)
            XCTAssertThrowsError(try configuration.validate()) { error in
                guard let error = error as? ConnectorConfigurationError, error.code == .insecureAuthentication else { return XCTFail("\(error)") }
                XCTAssertTrue(error.message.hasPrefix("\(authentication.typeName) authentication would send its credential ("), error.message)
                XCTAssertTrue(error.message.contains(named), error.message)
                XCTAssertTrue("\(error)".contains("allow_insecure_auth"))
            }
            let caught4 = await connectorError { () async throws(ConnectorError) in
                _ = try await Connector(configuration: configuration, keys: InMemoryKeys())
                XCTFail("refused before any key is read")
            }
            switch caught4?.code {
            case .configuration?:
                let message = caught4?.message ?? ""
                XCTAssertTrue(message.contains(named), message)
            default:
                XCTFail("unexpected outcome: \(String(describing: caught4))")
            }
        }
        // No credential in the request, nothing to refuse.
        XCTAssertNoThrow(try ConnectorConfiguration(serviceURL: url).validate())

        // With allow_insecure_auth (and a server that allows it too) the call goes through.
        let api = EchoAPI()
        let middleware = AuthenticationMiddleware<TrustGateRequestContext>(
            requirement: .scheme(try TestSecrets.apiKeyScheme()), allowInsecureAuthentication: true)
        try await TestServer.run(router: api.router(middleware), server: .trustGatePlainHTTP1()) { port in
            var configuration = ConnectorConfiguration(
                serviceURL: URL(string: "http://127.0.0.1:\(port)/echo")!,
                authentication: .apiKey(header: "x-functions-key", key: .value(SecretValue(TestSecrets.apiKey))))
            configuration.allowInsecureAuthentication = true
            let response = try await Connector(configuration: configuration).call()
            XCTAssertEqual(response.status, 200, response.bodyText ?? "")
        }
    }
}
