import Foundation
import TrustGateAuth
import TrustGateJOSE
import TrustGateHummingbird
import XCTest

/// `trustgate keys add-secret|add-pfx|list-named|remove` and `trustgate call` through the built binary: each
/// authentication type against real TLS servers, and the exit codes (0 2xx, 2 usage/config, 3 transport,
/// 4 authentication refused, 5 other HTTP errors).
final class CallCommandTests: XCTestCase {
    private var pki: ClientTestPKI!
    private var storePath: String { pki.directory + "/store.db" }
    private var keyFile: String { pki.directory + "/store.key" }
    private var storeOptions: [String] { ["--store", storePath, "--key-file", keyFile] }

    override func setUpWithError() throws {
        pki = try ClientTestPKI()
    }

    override func tearDown() {
        pki?.remove()
    }

    private func trustgate(_ arguments: [String], environment: [String: String] = [:], stdin: String? = nil) async throws -> TrustGateProcess.Run {
        try await TrustGateProcess.run(arguments, environment: environment, stdin: stdin, in: pki.directory)
    }

    private func prepareStore(pfx: String) async throws {
        let created = try await trustgate(["keys", "create-store-key", keyFile])
        XCTAssertEqual(created.status, 0, created.stderr)
        let user = try await trustgate(["keys", "add-secret", "rest-user", "--stdin"] + storeOptions, stdin: TestSecrets.basicUser + "\n")
        XCTAssertEqual(user.status, 0, user.stderr)
        let password = try await trustgate(["keys", "add-secret", "rest-password", "--env", "REST_PASSWORD"] + storeOptions, environment: ["REST_PASSWORD": TestSecrets.basicPassword])
        XCTAssertEqual(password.status, 0, password.stderr)
        let certificate = try await trustgate(
            ["keys", "add-pfx", "rest-client-cert", "--file", pfx, "--password-env", "PFX_PASSWORD"] + storeOptions, environment: ["PFX_PASSWORD": "pfx pw"])
        XCTAssertEqual(certificate.status, 0, certificate.stderr)
        XCTAssertTrue(certificate.stdout.contains("CN=b2c-api-connector"), certificate.stdout)
    }

    func testNamedKeyCommands() async throws {
        let pfx = try pki.pfx(pki.connector, password: "pfx pw")
        try await prepareStore(pfx: pfx)

        let listed = try await trustgate(["keys", "list-named", "--json", "--store", storePath])
        XCTAssertEqual(listed.status, 0, listed.stderr)
        let entries = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(entries.map { $0["name"] as? String }, ["rest-client-cert", "rest-password", "rest-user"])
        XCTAssertEqual(entries.map { $0["kind"] as? String }, ["certificate", "secret", "secret"])
        XCTAssertEqual(entries[0]["certificate_subject"] as? String, "CN=b2c-api-connector")
        XCTAssertNotNil(entries[1]["created_at"] as? String)
        XCTAssertFalse(listed.stdout.contains(TestSecrets.basicPassword), "values are never listed")
        let text = try await trustgate(["keys", "list-named", "--store", storePath])
        XCTAssertTrue(text.stdout.contains("rest-password  secret"), text.stdout)
        XCTAssertFalse(text.stdout.contains(TestSecrets.basicPassword))

        let signing = try await trustgate(["keys", "list", "--store", storePath])
        XCTAssertEqual(signing.status, 0, signing.stderr)
        XCTAssertTrue(signing.stdout.contains("No signing keys"), "keys list stays the signing keys' list")

        let duplicate = try await trustgate(["keys", "add-secret", "rest-user", "--stdin"] + storeOptions, stdin: "x\n")
        XCTAssertEqual(duplicate.status, 1)
        XCTAssertTrue(duplicate.stderr.contains("already exists"), duplicate.stderr)
        let wrongPassword = try await trustgate(
            ["keys", "add-pfx", "other", "--file", pfx, "--password-env", "PFX_PASSWORD"] + storeOptions, environment: ["PFX_PASSWORD": "nope"])
        XCTAssertEqual(wrongPassword.status, 2)
        XCTAssertTrue(wrongPassword.stderr.contains("password"), wrongPassword.stderr)
        XCTAssertFalse(wrongPassword.stderr.contains("nope"))
        let noTerminal = try await trustgate(["keys", "add-secret", "prompted"] + storeOptions)
        XCTAssertEqual(noTerminal.status, 2)
        XCTAssertTrue(noTerminal.stderr.contains("--stdin"), noTerminal.stderr)

        let removed = try await trustgate(["keys", "remove", "rest-user", "--store", storePath])
        XCTAssertEqual(removed.status, 0, removed.stderr)
        let again = try await trustgate(["keys", "remove", "rest-user", "--store", storePath])
        XCTAssertEqual(again.status, 1)
        XCTAssertTrue(again.stderr.contains("no named key 'rest-user'"), again.stderr)
    }

    func testNoneBasicAndExitCodes() async throws {
        try await prepareStore(pfx: try pki.pfx(pki.connector, password: "pfx pw"))
        let middleware = AuthenticationMiddleware<TrustGateRequestContext>(requirement: .scheme(try TestSecrets.basicScheme()))
        try await TestServer.run(router: EchoAPI().router(nil), server: try pki.tlsServer(.ignore)) { openPort in
            let open = try await trustgate(["call", "https://127.0.0.1:\(openPort)/echo", "--ca", pki.caFile, "--claims", #"{"email":"emily@example.com"}"#, "--json"])
            XCTAssertEqual(open.status, 0, open.stderr)
            let json = try open.json()
            XCTAssertEqual(json["status"] as? Int, 200)
            XCTAssertEqual(json["outcome"] as? String, "success")
            let echo = try Echo(Array((json["body"] as? String ?? "").utf8))
            XCTAssertEqual(echo.method, "POST", "claims in the body make it a POST")
            XCTAssertEqual(echo.body, #"{"email":"emily@example.com"}"#)

            let text = try await trustgate(["call", "https://127.0.0.1:\(openPort)/echo", "--ca", pki.caFile, "--header", "X-Trace: 42"])
            XCTAssertEqual(text.status, 0, text.stderr)
            XCTAssertTrue(text.stdout.hasPrefix("HTTP 200 OK\n"), text.stdout)
            XCTAssertTrue(text.stdout.contains("content-type: application/json"), text.stdout)
            XCTAssertTrue(text.stdout.contains(#""x-trace":["42"]"#), text.stdout)

            let missing = try await trustgate(["call", "https://127.0.0.1:\(openPort)/missing", "--ca", pki.caFile])
            XCTAssertEqual(missing.status, 5, missing.stderr)
            XCTAssertTrue(missing.stdout.hasPrefix("HTTP 404"), missing.stdout)
        }
        try await TestServer.run(router: EchoAPI().router(middleware), server: try pki.tlsServer(.ignore)) { port in
            let url = "https://127.0.0.1:\(port)/echo"
            let basic = try await trustgate(["call", url, "--auth", "basic", "--key", "rest-user", "--key", "rest-password", "--ca", pki.caFile] + storeOptions)
            XCTAssertEqual(basic.status, 0, basic.stderr)
            XCTAssertTrue(basic.stdout.contains(#""principal":"b2c-connector""#), basic.stdout)

            let wrong = try await trustgate(
                ["call", url, "--auth", "basic", "--key", "rest-user", "--key", "env:WRONG", "--ca", pki.caFile] + storeOptions, environment: ["WRONG": "guess"])
            XCTAssertEqual(wrong.status, 4, wrong.stderr)
            XCTAssertTrue(wrong.stderr.contains("401 invalid_credentials"), wrong.stderr)
            XCTAssertFalse(wrong.stderr.contains("guess"))

            let connectorFile = pki.directory + "/loyalty.yaml"
            try """
                url: \(url)
                send_claims_in: form
                authentication: { type: basic, username: rest-user, password: rest-password }
                tls: { ca: [ca.pem] }
                """.write(toFile: connectorFile, atomically: true, encoding: .utf8)
            let viaFile = try await trustgate(["call", "--connector", connectorFile, "--claims", #"{"tier":"gold"}"#, "--json"] + storeOptions)
            XCTAssertEqual(viaFile.status, 0, viaFile.stderr)
            let body = try Echo(Array((try viaFile.json()["body"] as? String ?? "").utf8))
            XCTAssertEqual(body.body, "tier=gold")
            XCTAssertEqual(body.principal, "b2c-connector")

            let wrongStoreKey = pki.directory + "/other.key"
            _ = try await trustgate(["keys", "create-store-key", wrongStoreKey])
            let undecryptable = try await trustgate(
                ["call", url, "--auth", "basic", "--key", "rest-user", "--key", "rest-password", "--ca", pki.caFile, "--store", storePath, "--key-file", wrongStoreKey])
            XCTAssertEqual(undecryptable.status, 2, undecryptable.stderr)
            XCTAssertTrue(undecryptable.stderr.contains("different store key"), undecryptable.stderr)
        }

        let refusedConnection = try await trustgate(["call", "https://127.0.0.1:1/echo", "--attempts", "1", "--json"])
        XCTAssertEqual(refusedConnection.status, 3, refusedConnection.stderr)
        XCTAssertEqual(try refusedConnection.json()["outcome"] as? String, "transport_error")

        let insecure = try await trustgate(["call", "http://127.0.0.1:1/echo", "--auth", "basic", "--key", "rest-user", "--key", "rest-password"] + storeOptions)
        XCTAssertEqual(insecure.status, 2)
        XCTAssertTrue(insecure.stderr.contains("named key 'rest-password'") && insecure.stderr.contains("allow_insecure_auth"), insecure.stderr)

        let usage = try await trustgate(["call"])
        XCTAssertEqual(usage.status, 2)
        let badClaims = try await trustgate(["call", "https://127.0.0.1:1/", "--claims", "[1]"])
        XCTAssertEqual(badClaims.status, 2)
        XCTAssertTrue(badClaims.stderr.contains("JSON object"), badClaims.stderr)

        let help = try await trustgate(["call", "--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.stdout.contains("4  authentication refused"), help.stdout)
    }

    func testClientCertificateFromANamedKeyAPFXAndPEMFiles() async throws {
        let pfx = try pki.pfx(pki.connector, password: "pfx pw")
        try await prepareStore(pfx: pfx)
        let middleware = AuthenticationMiddleware<TrustGateRequestContext>(
            requirement: .scheme(ClientCertificateAuthenticator(policy: try pki.policy())))
        try await TestServer.run(router: EchoAPI().router(middleware), server: try pki.tlsServer(.optional)) { port in
            let url = "https://127.0.0.1:\(port)/echo"
            let named = try await trustgate(["call", url, "--auth", "cert", "--key", "rest-client-cert", "--ca", pki.caFile] + storeOptions)
            XCTAssertEqual(named.status, 0, named.stderr)
            XCTAssertTrue(named.stdout.contains(#""principal":"CN=b2c-api-connector""#), named.stdout)

            let fromPFX = try await trustgate(
                ["call", url, "--auth", "cert", "--pfx", pfx, "--password-env", "PFX_PASSWORD", "--ca", pki.caFile], environment: ["PFX_PASSWORD": "pfx pw"])
            XCTAssertEqual(fromPFX.status, 0, fromPFX.stderr)

            let fromPEM = try await trustgate(
                ["call", url, "--auth", "cert", "--cert", pki.connector.chainFile, "--cert-key", pki.connector.keyFile, "--ca", pki.caFile])
            XCTAssertEqual(fromPEM.status, 0, fromPEM.stderr)

            let without = try await trustgate(["call", url, "--ca", pki.caFile])
            XCTAssertEqual(without.status, 4, without.stderr)
            XCTAssertTrue(without.stderr.contains("403 no_certificate"), without.stderr)

            let foreign = try await trustgate(
                ["call", url, "--auth", "cert", "--cert", pki.foreign.chainFile, "--cert-key", pki.foreign.keyFile, "--ca", pki.caFile, "--json"])
            XCTAssertEqual(foreign.status, 4, foreign.stderr)
            XCTAssertEqual(try foreign.json()["reason"] as? String, "untrusted_issuer")
        }
    }

    func testBearerFromATokenEndpointAndAnAPIKey() async throws {
        let time = SharedTime()
        let service = TestTokenService(time: time, registrations: [
            "b2c-connector": .secret("cli secret"), "b2c-cert-connector": .certificate(pki.connector.leaf),
        ])
        try await TestServer.run(router: service.router(), server: try pki.tlsServer(.ignore)) { tokenPort in
            service.setIssuer(port: tokenPort)
            let settings = JWTIssuerSettings(
                issuer: service.issuer, audiences: [TestTokenService.audience], keySource: .inline(json: try service.jwksJSON()), algorithms: [.es256])
            let bearer = AuthenticationMiddleware<TrustGateRequestContext>(requirement: .anyOf([
                .scheme(JWTBearerAuthenticator(name: "issuer", realm: "loyalty", validator: JWTAccessTokenValidator(settings: settings), clock: { time.now })),
                .scheme(try TestSecrets.apiKeyScheme()),
            ]))
            try await TestServer.run(router: EchoAPI().router(bearer), server: try pki.tlsServer(.ignore)) { apiPort in
                let url = "https://127.0.0.1:\(apiPort)/echo"
                let secret = try await trustgate(
                    ["call", url, "--auth", "bearer", "--token-from", service.issuer, "--client-id", "b2c-connector",
                     "--scope", "api://loyalty/.default", "--secret-key", "env:CLIENT_SECRET", "--ca", pki.caFile, "--json"],
                    environment: ["CLIENT_SECRET": "cli secret"])
                XCTAssertEqual(secret.status, 0, secret.stderr)
                XCTAssertEqual(service.seen.discoveryRequests, 1)
                XCTAssertEqual(service.seen.lastAuthenticationMethod, "client_secret_basic")

                let assertion = try await trustgate(
                    ["call", url, "--auth", "bearer", "--token-url", service.tokenEndpoint, "--client-id", "b2c-cert-connector",
                     "--cert", pki.connector.chainFile, "--cert-key", pki.connector.keyFile, "--send-x5c", "--ca", pki.caFile])
                XCTAssertEqual(assertion.status, 0, assertion.stderr)
                XCTAssertEqual(service.seen.lastAuthenticationMethod, "private_key_jwt")
                let header = try CompactJWS(parsing: XCTUnwrap(service.seen.lastAssertion)).header
                XCTAssertEqual(header.certificateChain, pki.connector.chainDER)

                let refused = try await trustgate(
                    ["call", url, "--auth", "bearer", "--token-url", service.tokenEndpoint, "--client-id", "b2c-connector",
                     "--secret-key", "env:CLIENT_SECRET", "--ca", pki.caFile],
                    environment: ["CLIENT_SECRET": "guessed"])
                XCTAssertEqual(refused.status, 4, refused.stderr)
                XCTAssertTrue(refused.stderr.contains("invalid_client"), refused.stderr)

                let apiKey = try await trustgate(
                    ["call", url, "--auth", "apikey", "--key", "env:FUNCTIONS_KEY", "--ca", pki.caFile], environment: ["FUNCTIONS_KEY": TestSecrets.apiKey])
                XCTAssertEqual(apiKey.status, 0, apiKey.stderr)
                XCTAssertTrue(apiKey.stdout.contains(#""methods":["api_key"]"#), apiKey.stdout)
            }
        }
    }
}
