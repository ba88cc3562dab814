import Foundation
import Hummingbird
import NIOHTTP1
import NIOPosix
import TrustGateAuth
import TrustGateHummingbird
import TrustGateClient
import TrustGateStore
import TrustGateX509
import XCTest

/// The connector and `trustgate call` against TrustGate's own gateway and token service (`trustgate serve`, the
/// built binary, on a loopback port over TLS): a client-credentials token got with a certificate assertion plus
/// the same certificate in TLS meets a route needing the certificate AND the token (role service-api, `azpacr` 2);
/// a secret client's token is refused with insufficient_scope; the gateway's Basic and API key schemes; a token the
/// API rejects as invalid is replaced once.
final class OwnGatewayTests: XCTestCase {
    private var pki: ClientTestPKI!
    private var secret = ""
    private let scope = "api://demo/.default"
    private let certificateClient = "connector-client"
    private let secretClient = "secret-client"

    override func setUpWithError() throws {
        pki = try ClientTestPKI()
    }

    override func tearDown() {
        pki?.remove()
    }

    // MARK: Tests

    func testCertificateAssertionAndTLSCertificateMeetTheCertificateAndTokenRoute() async throws {
        try await withGateway { port, issuer in
            var configuration = self.configuration(url: "https://127.0.0.1:\(port)/api/orders", .bearer(.clientCredentials(self.assertionSettings(issuer))))
            configuration.tls.clientCertificate = .bundle(self.pki.bundle(self.pki.connector))
            let response = try await Connector(configuration: configuration, tokenCache: TokenCache()).call()
            XCTAssertEqual(response.status, 200, response.bodyText ?? "")
            XCTAssertEqual(response.outcome, .success)

            // The same token without the certificate in TLS: the route's certificate half is not met.
            var withoutTLSCertificate = configuration
            withoutTLSCertificate.tls.clientCertificate = nil
            let refused = try await Connector(configuration: withoutTLSCertificate, tokenCache: TokenCache()).call()
            guard case .authenticationRefused = refused.outcome else { return XCTFail("expected a refusal, got \(refused.status)") }
        }
    }

    func testSecretClientsTokenIsRefusedWithInsufficientScope() async throws {
        try await withGateway { port, issuer in
            let settings = ClientCredentialsSettings(
                endpoint: .issuer(URL(string: issuer)!), clientID: self.secretClient, scope: self.scope,
                clientAuthentication: .secretBasic(.value(SecretValue(self.secret))))
            var configuration = self.configuration(url: "https://127.0.0.1:\(port)/api/orders", .bearer(.clientCredentials(settings)))
            configuration.tls.clientCertificate = .bundle(self.pki.bundle(self.pki.connector))
            let response = try await Connector(configuration: configuration, tokenCache: TokenCache()).call()
            XCTAssertRefused(response, status: 403, reason: "insufficient_scope")
            XCTAssertEqual(response.refreshedToken, false, "insufficient_scope is not a reason to get a new token")
        }
    }

    func testBasicAndAPIKeyRoutesOfTheGateway() async throws {
        try await withGateway { port, _ in
            let basic = self.configuration(
                url: "https://127.0.0.1:\(port)/basic",
                .basic(username: .value(SecretValue(TestSecrets.basicUser)), password: .value(SecretValue(TestSecrets.basicPassword))))
            let basicResponse = try await Connector(configuration: basic).call()
            XCTAssertEqual(basicResponse.outcome, .success, basicResponse.bodyText ?? "")
            XCTAssertEqual(try Self.upstreamHeader(basicResponse, "x-trustgate-auth-method"), "basic")

            let wrongPassword = self.configuration(
                url: "https://127.0.0.1:\(port)/basic",
                .basic(username: .value(SecretValue(TestSecrets.basicUser)), password: .value(SecretValue("wrong"))))
            let refused = try await Connector(configuration: wrongPassword).call()
            guard case .authenticationRefused(let refusal) = refused.outcome else { return XCTFail("expected a refusal, got \(refused.status)") }
            XCTAssertEqual(refusal.status, 401)

            let apiKey = self.configuration(url: "https://127.0.0.1:\(port)/apikey", .apiKey(header: "x-functions-key", key: .value(SecretValue(TestSecrets.apiKey))))
            let apiKeyResponse = try await Connector(configuration: apiKey).call()
            XCTAssertEqual(apiKeyResponse.outcome, .success, apiKeyResponse.bodyText ?? "")
            XCTAssertEqual(try Self.upstreamHeader(apiKeyResponse, "x-trustgate-auth-method"), "api_key")

            let wrongKey = self.configuration(url: "https://127.0.0.1:\(port)/apikey", .apiKey(header: "x-functions-key", key: .value(SecretValue("k-wrong"))))
            let wrongKeyResponse = try await Connector(configuration: wrongKey).call()
            guard case .authenticationRefused(let keyRefusal) = wrongKeyResponse.outcome else {
                return XCTFail("expected a refusal, got \(wrongKeyResponse.status)")
            }
            XCTAssertEqual(keyRefusal.status, 401)
        }
    }

    func testATokenTheGatewayRejectsAsInvalidIsReplacedOnce() async throws {
        try await withGateway { port, issuer in
            let settings = self.assertionSettings(issuer)
            let cache = TokenCache()
            // A token the gateway cannot verify sits in the cache, as an expired or revoked one would.
            let stale = AccessToken(value: "eyJhbGciOiJub25lIn0.e30.c3RhbGU", type: "Bearer", acquiredAt: Date(), expiresIn: 3600)
            let key = TokenCacheKey(endpoint: settings.endpoint.url.absoluteString, clientID: settings.clientID, scope: settings.scope)
            _ = try await cache.token(for: key, now: Date()) { stale }

            var configuration = self.configuration(url: "https://127.0.0.1:\(port)/api/orders", .bearer(.clientCredentials(settings)))
            configuration.tls.clientCertificate = .bundle(self.pki.bundle(self.pki.connector))
            let connector = try await Connector(configuration: configuration, tokenCache: cache)
            let response = try await connector.call()
            XCTAssertEqual(response.outcome, .success, response.bodyText ?? "")
            XCTAssertTrue(response.refreshedToken)
            let cached = try await cache.token(for: key, now: Date()) { stale }
            XCTAssertNotEqual(cached.value, stale.value, "the new token replaced the stale one")

            // The next call uses the new token directly.
            let next = try await connector.call()
            XCTAssertEqual(next.outcome, .success)
            XCTAssertFalse(next.refreshedToken)
        }
    }

    func testCallCommandWithTokenFromMeetsTheRouteAndExitsFourForTheSecretClient() async throws {
        try await withGateway { port, issuer in
            let url = "https://127.0.0.1:\(port)/api/orders"
            let certificateRun = try await TrustGateProcess.run(
                ["call", url, "--auth", "bearer", "--token-from", issuer, "--client-id", self.certificateClient, "--scope", self.scope,
                 "--cert", self.pki.connector.chainFile, "--cert-key", self.pki.connector.keyFile, "--ca", self.pki.caFile],
                in: self.pki.directory)
            XCTAssertEqual(certificateRun.status, 0, certificateRun.stderr)
            XCTAssertTrue(certificateRun.stdout.hasPrefix("HTTP 200"), certificateRun.stdout)

            let secretRun = try await TrustGateProcess.run(
                ["call", url, "--auth", "bearer", "--token-from", issuer, "--client-id", self.secretClient, "--scope", self.scope,
                 "--secret-key", "env:TG_TEST_CLIENT_SECRET",
                 "--tls-cert", self.pki.connector.chainFile, "--tls-cert-key", self.pki.connector.keyFile, "--ca", self.pki.caFile],
                environment: ["TG_TEST_CLIENT_SECRET": self.secret], in: self.pki.directory)
            XCTAssertEqual(secretRun.status, 4, secretRun.stderr)
            XCTAssertTrue(secretRun.stderr.contains("insufficient_scope"), secretRun.stderr)
            XCTAssertFalse(secretRun.stderr.contains(self.secret) || secretRun.stdout.contains(self.secret), "the secret is never printed")
        }
    }

    // MARK: Configuration

    private func configuration(url: String, _ authentication: ConnectorAuthentication) -> ConnectorConfiguration {
        var configuration = ConnectorConfiguration(serviceURL: URL(string: url)!, authentication: authentication)
        configuration.method = .GET
        configuration.tls.trustedCAFiles = [pki.caFile]
        configuration.retry = .never
        return configuration
    }

    private func assertionSettings(_ issuer: String) -> ClientCredentialsSettings {
        ClientCredentialsSettings(
            endpoint: .issuer(URL(string: issuer)!), clientID: certificateClient, scope: scope,
            clientAuthentication: .certificateAssertion(CertificateAssertionSettings(certificate: .bundle(pki.bundle(pki.connector)))))
    }

    /// A header the gateway added to the request the upstream received (the upstream answers with them).
    private static func upstreamHeader(_ response: ConnectorResponse, _ name: String) throws -> String? {
        let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: String]
        return object?[name]
    }

    // MARK: The gateway

    /// The token store: the certificate client (its certificate registered; private_key_jwt and tls_client_auth)
    /// and a secret client, both with role service-api on api://demo.
    private func register(storePath: String) async throws {
        let store = try SQLiteRegistrationStore(path: storePath, create: true)
        try await store.addResource(Resource(identifier: "api://demo", name: "Demo API", appRoles: ["service-api"], tokenProfile: .entra))
        try await store.addClient(Client(id: certificateClient, name: "Connector", authenticationMethods: [.privateKeyJWT, .tlsClientAuth]))
        try await store.addCertificate(ClientCertificate(clientID: certificateClient, derBytes: pki.connector.leaf.derBytes))
        _ = try await store.grantRoles(clientID: certificateClient, resource: "api://demo", roles: ["service-api"])
        try await store.addClient(Client(id: secretClient, name: "Secret", authenticationMethods: [.clientSecretBasic]))
        let generated = try ClientSecret.generate(for: secretClient, hashAlgorithm: .pbkdf2SHA256(iterations: 100_000))
        try await store.addSecret(generated.record)
        _ = try await store.grantRoles(clientID: secretClient, resource: "api://demo", roles: ["service-api"])
        await store.close()
        secret = generated.value
    }

    /// Runs `trustgate serve` in front of an upstream that answers with the headers it received, for `body`.
    private func withGateway(_ body: (_ port: Int, _ issuer: String) async throws -> Void) async throws {
        let port = try Self.freePort()
        let issuer = "https://127.0.0.1:\(port)/demo"
        let storePath = pki.directory + "/tokens.db"
        let keyFile = pki.directory + "/store.key"
        let keyBytes = (0..<32).map { _ in UInt8.random(in: 0...255) }
        FileManager.default.createFile(atPath: keyFile, contents: Data(keyBytes).base64EncodedData(), attributes: [.posixPermissions: 0o600])
        try await register(storePath: storePath)
        let basicHash = try SecretHash.create(for: Array(TestSecrets.basicPassword.utf8), algorithm: .pbkdf2SHA256(iterations: 100_000)).encoded
        let apiKeyHash = try SecretHash.create(for: Array(TestSecrets.apiKey.utf8), algorithm: .sha256).encoded

        let upstream = Router(context: TrustGateRequestContext.self)
        upstream.get("**") { request, _ -> Response in
            var seen: [String: String] = [:]
            for field in request.headers { seen[field.name.canonicalName] = field.value }
            let data = try JSONSerialization.data(withJSONObject: seen)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        try await TestServer.run(router: upstream, server: .http1()) { upstreamPort in
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
              users:
                type: basic
                users: { \(TestSecrets.basicUser): "\(basicHash)" }
              functions:
                type: api_key
                keys: { b2c: "\(apiKeyHash)" }
            routes:
              - name: orders
                path: /api/orders
                upstream: echo
                auth:
                  all_of:
                    - certificate
                    - { scheme: tokens, roles: [service-api], claims: { azpacr: "2" } }
              - name: basic
                path: /basic
                upstream: echo
                auth: users
                principal_headers: true
              - name: apikey
                path: /apikey
                upstream: echo
                auth: functions
                principal_headers: true
            # Idle pooled connections of the shared HTTP client would otherwise hold the shutdown for 30 s.
            shutdown: { drain_timeout: 1s }
            access_log: off
            """
            let path = pki.directory + "/gateway.yaml"
            try yaml.write(toFile: path, atomically: true, encoding: .utf8)

            let gateway = Process()
            gateway.executableURL = URL(fileURLWithPath: try TrustGateProcess.binary())
            gateway.arguments = ["serve", "--config", path]
            gateway.standardInput = FileHandle.nullDevice
            gateway.standardOutput = FileHandle.nullDevice
            let errPath = pki.directory + "/gateway.err"
            _ = FileManager.default.createFile(atPath: errPath, contents: nil)
            gateway.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
            try gateway.run()
            var failure: (any Error)?
            do {
                try await waitUntilListening(port: port, gateway: gateway, errPath: errPath)
                try await body(port, issuer)
            } catch {
                failure = error
            }
            gateway.terminate()
            while gateway.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
            if let failure { throw failure }
        }
    }

    /// Waits until the gateway answers over TLS (any status), or fails with what it wrote to stderr.
    private func waitUntilListening(port: Int, gateway: Process, errPath: String) async throws {
        var probe = configuration(url: "https://127.0.0.1:\(port)/probe", .none)
        probe.timeouts = ConnectorTimeouts(connect: 1, request: 2)
        for _ in 0..<300 {
            guard gateway.isRunning else { break }
            if (try? await Connector(configuration: probe).call()) != nil { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        let stderr = String(decoding: FileManager.default.contents(atPath: errPath) ?? Data(), as: UTF8.self)
        XCTFail("the gateway did not start: \(stderr)")
        throw XCTSkip("gateway not started")
    }

    /// A port nobody listens on right now: the issuer URL must name the port before the gateway starts.
    private static func freePort() throws -> Int {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let channel = try ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).wait()
        let port = channel.localAddress?.port ?? 0
        try channel.close().wait()
        return port
    }
}
