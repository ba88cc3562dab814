import Crypto
import Foundation
import NIOCore
import NIOPosix
import TrustGateAuth
import TrustGateDemo
import TrustGateJOSE
import TrustGateStore
import TrustGateX509
import XCTest
@testable import TrustGateGateway

/// `trustgate token` as users run it (the built binary) against the demo's gateway and token service, started
/// in-process on a loopback port: private_key_jwt with the EC and RSA demo certificates, tls_client_auth, secrets
/// (Basic and post), `--decode` / `--json`, and the exit codes for a refusal, bad usage and an unreachable service.
/// The issued tokens then meet the demo route that requires role service-api and `azpacr` "2".
final class TokenCommandTests: XCTestCase {
    private var root = ""
    private var pki: DemoPKI!
    private var group: MultiThreadedEventLoopGroup!
    private var upstream: EchoUpstream?
    private var server: GatewayServer?
    private var port = 0
    private var secret = ""

    private var issuer: String { DemoTokenService.issuer(port: port) }
    private let scope = "api://demo/.default"

    override func setUp() async throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/bin/curl"), "curl is not installed")
        root = NSTemporaryDirectory() + "trustgate-token-command-\(UUID().uuidString)"
        pki = try DemoPKI.prepare(in: root + "/demo")
        try await DemoTokenService.prepare(pki: pki)
        secret = try await registerSecretClient()

        port = try Self.freePort()
        group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let echo = EchoUpstream(group: group)
        upstream = echo
        let upstreamPort = try await echo.start()
        let file = pki.directory + "/gateway.yaml"
        try DemoGatewayConfiguration.text(port: port, adminPort: 0, upstreamPort: upstreamPort)
            .write(toFile: file, atomically: true, encoding: .utf8)
        var configuration = try GatewayConfigurationLoader.load(contentsOfFile: file, environment: [:])
        configuration.accessLog = AccessLogConfiguration(destination: .disabled)
        configuration.admin = nil
        let server = try GatewayServer(configuration: configuration, group: group)
        self.server = server
        try await server.start()
    }

    override func tearDown() async throws {
        await server?.shutdown(drainTimeout: 1)
        try? await upstream?.stop()
        try? await group?.shutdownGracefully()
        try? FileManager.default.removeItem(atPath: root)
    }

    /// A secret client next to the demo's certificate client: its tokens carry `azpacr` "1".
    private func registerSecretClient() async throws -> String {
        let store = try SQLiteRegistrationStore(path: pki.tokenStoreFile, create: false)
        try await store.addClient(Client(id: "secret-client", name: "Secret", authenticationMethods: [.clientSecretBasic, .clientSecretPost]))
        let secret = try ClientSecret.generate(for: "secret-client", hashAlgorithm: .pbkdf2SHA256(iterations: 100_000))
        try await store.addSecret(secret.record)
        _ = try await store.grantRoles(clientID: "secret-client", resource: DemoTokenService.resource, roles: [DemoTokenService.role])
        await store.close()
        return secret.value
    }

    // MARK: Tests

    func testPrivateKeyJWTWithTheECCertificateDecodesToACertificateToken() throws {
        let result = try token(["--client-id", "demo-client", "--cert", pki.clientCertificateFile, "--key", pki.clientKeyFile, "--decode"])

        XCTAssertEqual(result.status, 0, result.stderr)
        let decoded = try XCTUnwrap(Self.object(result.stdout))
        let header = try XCTUnwrap(decoded["header"] as? [String: Any])
        let claims = try XCTUnwrap(decoded["claims"] as? [String: Any])
        XCTAssertEqual(header["typ"] as? String, "at+jwt")
        XCTAssertEqual(claims["iss"] as? String, issuer)
        XCTAssertEqual(claims["aud"] as? String, "api://demo")
        XCTAssertEqual(claims["azp"] as? String, "demo-client")
        XCTAssertEqual(claims["azpacr"] as? String, "2")
        XCTAssertEqual(claims["roles"] as? [String], ["service-api"])
        XCTAssertNil(claims["cnf"], "the certificate signed the assertion; it was not on the connection")
    }

    func testPrivateKeyJWTWithTheRSACertificateRS256AndPS256WithX5cMeetsTheDemoRoute() throws {
        for extra in [[], ["--algorithm", "PS256", "--x5c"]] {
            let result = try token(["--client-id", "demo-client", "--cert", pki.clientRSACertificateFile, "--key", pki.clientRSAKeyFile] + extra)
            XCTAssertEqual(result.status, 0, "\(extra): \(result.stderr)")
            let accessToken = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            XCTAssertEqual(accessToken.split(separator: ".").count, 3, "a compact JWT and nothing else")
            XCTAssertEqual(try claims(of: accessToken)["azpacr"] as? String, "2")

            XCTAssertEqual(try callDemoRoute(token: accessToken), 200, "\(extra)")
        }
        XCTAssertEqual(try callDemoRoute(token: nil), 401, "the route needs the token")
    }

    func testMutualTLSClientGetsATokenBoundToItsCertificate() throws {
        let result = try token(["--client-id", "demo-client", "--cert", pki.clientCertificateFile, "--key", pki.clientKeyFile, "--mtls", "--json"])

        XCTAssertEqual(result.status, 0, result.stderr)
        let response = try XCTUnwrap(Self.object(result.stdout))
        XCTAssertEqual(response["token_type"] as? String, "Bearer")
        let accessToken = try XCTUnwrap(response["access_token"] as? String)
        let claims = try claims(of: accessToken)
        XCTAssertEqual(claims["azpacr"] as? String, "2")
        let leaf = try CertificateDecoder.certificates(contentsOfFile: pki.clientCertificateFile)[0]
        XCTAssertEqual((claims["cnf"] as? [String: Any])?["x5t#S256"] as? String, Base64URL.encode(SHA256.hash(data: leaf.derBytes)))
        XCTAssertEqual(try callDemoRoute(token: accessToken), 200)
    }

    func testSecretClientGetsAzpacrOneByBasicAndPostAndTheRouteRefusesIt() throws {
        let basic = try token(["--client-id", "secret-client", "--secret-env", "TG_TEST_SECRET"], environment: ["TG_TEST_SECRET": secret])
        XCTAssertEqual(basic.status, 0, basic.stderr)
        // `--secret=` form: a generated secret may begin with "-", which a separate argument would read as an option.
        let post = try token(["--client-id", "secret-client", "--secret=\(secret)", "--method", "client_secret_post", "--decode"])
        XCTAssertEqual(post.status, 0, post.stderr)
        XCTAssertEqual((Self.object(post.stdout)?["claims"] as? [String: Any])?["azpacr"] as? String, "1")

        let weakToken = basic.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(try claims(of: weakToken)["azpacr"] as? String, "1")
        XCTAssertEqual(try callDemoRoute(token: weakToken), 403, "azpacr 1 does not meet the route")
    }

    func testRefusedClientExitsOneWithTheServersErrorAndNoSecret() throws {
        let wrong = "not-the-secret-\(UUID().uuidString)"
        let result = try token(["--client-id", "secret-client", "--secret", wrong])

        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stdout, "")
        XCTAssertTrue(result.stderr.contains("invalid_client"), result.stderr)
        XCTAssertTrue(result.stderr.contains("HTTP 401"), result.stderr)
        XCTAssertFalse(result.stderr.contains(wrong), "the secret is never echoed")

        // A certificate client asking for a scope it was not granted: the service's invalid_scope.
        let scope = try run(["token", "--issuer", issuer, "--ca", pki.caFile, "--client-id", "demo-client",
                             "--cert", pki.clientCertificateFile, "--key", pki.clientKeyFile, "--scope", "api://nowhere/.default"])
        XCTAssertEqual(scope.status, 1)
        XCTAssertTrue(scope.stderr.contains("invalid_scope"), scope.stderr)
    }

    func testUsageErrorsExitTwoAndAnUnreachableServiceExitsThree() throws {
        let noCredential = try token(["--client-id", "demo-client"])
        XCTAssertEqual(noCredential.status, 2)
        XCTAssertTrue(noCredential.stderr.contains("credential"), noCredential.stderr)

        let mtlsWithoutCertificate = try token(["--client-id", "demo-client", "--secret", "x", "--mtls"])
        XCTAssertEqual(mtlsWithoutCertificate.status, 2)

        let wrongKey = try token(["--client-id", "demo-client", "--cert", pki.clientCertificateFile, "--key", pki.clientRSAKeyFile])
        XCTAssertEqual(wrongKey.status, 2)
        XCTAssertTrue(wrongKey.stderr.contains("does not belong"), wrongKey.stderr)

        let unreachable = try run(["token", "--issuer", "https://127.0.0.1:\(try Self.freePort())/demo", "--ca", pki.caFile,
                                   "--client-id", "demo-client", "--cert", pki.clientCertificateFile, "--key", pki.clientKeyFile, "--scope", scope, "--timeout", "2"])
        XCTAssertEqual(unreachable.status, 3, unreachable.stderr)
        XCTAssertTrue(unreachable.stderr.contains("discovery"), unreachable.stderr)

        // The service's certificate is not trusted without --ca: a transport failure, not a refusal.
        let untrusted = try run(["token", "--issuer", issuer, "--client-id", "demo-client",
                                 "--cert", pki.clientCertificateFile, "--key", pki.clientKeyFile, "--scope", scope, "--timeout", "2"])
        XCTAssertEqual(untrusted.status, 3, untrusted.stderr)
    }

    // MARK: Helpers

    private func token(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        try run(["token", "--issuer", issuer, "--ca", pki.caFile, "--scope", scope] + arguments, environment: environment)
    }

    private func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try GatewayCommandTests.trustgateBinary())
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    /// The status of GET /api/orders with the demo client certificate and, when given, the token.
    private func callDemoRoute(token: String?) throws -> Int {
        var arguments = ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", pki.caFile,
                         "--cert", pki.clientCertificateFile, "--key", pki.clientKeyFile]
        if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
        arguments.append("https://127.0.0.1:\(port)\(DemoTokenService.routePath)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Int(String(decoding: data, as: UTF8.self)) ?? -1
    }

    private func claims(of token: String) throws -> [String: Any] {
        let parts = token.split(separator: ".")
        XCTAssertEqual(parts.count, 3)
        let bytes = try XCTUnwrap(Base64URL.decode(parts[1]))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    private static func object(_ text: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
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
