import Crypto
import Foundation
import NIOCore
import NIOPosix
import TrustGateJOSE
import TrustGateStore
import TrustGateX509
import X509
import XCTest

/// Issue 6 interop: real OAuth clients from PyPI (MSAL Python, Authlib, requests-oauth2client) get tokens from a
/// real `trustgate serve` process over HTTPS on loopback, and independent libraries (joserfc, PyJWT, Authlib's
/// RFC 9068 validator) verify each token against the service's JWKS. The Python side is
/// `scripts/interop/token_clients.py`; it prints one JSON object (never the token itself) that these tests read.
/// `.ci/run` installs the packages; without python3 or a package each test skips with a printed notice.
final class TokenServiceInteropTests: XCTestCase {
    private static let clientID = "interop-client"
    private static let resource = "api://demo"
    private static let scope = "api://demo/.default"

    private var pki: GatewayTestPKI!
    /// An RSA 2048 client certificate: MSAL signs assertions with RSA only.
    private var rsaClient: GatewayTestPKI.Credential!
    private var server: Process?

    override func setUpWithError() throws {
        pki = try GatewayTestPKI()
        let now = Date()
        let issued = try pki.authority.issue(IssuanceRequest(
            profile: .client, subject: try DistinguishedName { CommonName("interop-client") },
            subjectAlternativeNames: [.uniformResourceIdentifier("spiffe://test/interop")],
            validity: try ValidityPeriod(notBefore: now.addingTimeInterval(-3600), notAfter: now.addingTimeInterval(86_400)),
            keyAlgorithm: .rsa2048), now: now)
        let chainFile = pki.directory + "/client-rsa.pem"
        let keyFile = pki.directory + "/client-rsa.key"
        try PEMSerialization.certificates(issued.chain).write(toFile: chainFile, atomically: true, encoding: .utf8)
        try PEMSerialization.privateKey(issued.privateKey).write(toFile: keyFile, atomically: true, encoding: .utf8)
        rsaClient = GatewayTestPKI.Credential(chainFile: chainFile, keyFile: keyFile, issued: issued)
    }

    override func tearDown() {
        if let server, server.isRunning {
            server.terminate()
            server.waitUntilExit()
        }
        pki?.remove()
    }

    // MARK: - The clients

    func testMSALPublicCertificateFormPS256WithX5cGetsAVerifiedToken() async throws {
        let result = try await acquire(with: "msal-public-certificate")
        assertCertificateClientToken(result)
        XCTAssertNil(result.claims["cnf"], "no certificate on the TLS connection, so no binding")
        // What MSAL sent: PS256, x5c (base64 with line breaks) and a padded x5t#S256.
        let header = try XCTUnwrap(result.tokenRequest["client_assertion_header"] as? [String: Any], "\(result.tokenRequest)")
        XCTAssertEqual(header["alg"] as? String, "PS256")
        let x5c = try XCTUnwrap(header["x5c"] as? [String])
        XCTAssertEqual(x5c.first?.filter { !$0.isWhitespace }, Data(rsaClient.leafDER).base64EncodedString())
        XCTAssertEqual((header["x5t#S256"] as? String)?.replacingOccurrences(of: "=", with: ""), thumbprint(SHA256.hash(data: rsaClient.leafDER)))
        XCTAssertEqual(result.audit?.method, .privateKeyJWT)
    }

    func testMSALThumbprintFormRS256WithX5tGetsAVerifiedToken() async throws {
        let result = try await acquire(with: "msal-thumbprint")
        assertCertificateClientToken(result)
        // What MSAL sent: RS256 and the SHA-1 x5t only.
        let header = try XCTUnwrap(result.tokenRequest["client_assertion_header"] as? [String: Any], "\(result.tokenRequest)")
        XCTAssertEqual(header["alg"] as? String, "RS256")
        XCTAssertEqual((header["x5t"] as? String)?.replacingOccurrences(of: "=", with: ""), thumbprint(Insecure.SHA1.hash(data: rsaClient.leafDER)))
        XCTAssertNil(header["x5c"])
        XCTAssertNil(header["x5t#S256"])
        XCTAssertEqual(result.audit?.method, .privateKeyJWT)
    }

    func testAuthlibPrivateKeyJWTGetsAVerifiedToken() async throws {
        let result = try await acquire(with: "authlib-private-key-jwt")
        assertCertificateClientToken(result)
        // Authlib names no key (no kid, x5t or x5c): the client's only registered certificate verifies it.
        let header = try XCTUnwrap(result.tokenRequest["client_assertion_header"] as? [String: Any], "\(result.tokenRequest)")
        XCTAssertEqual(header["alg"] as? String, "RS256")
        XCTAssertEqual(result.audit?.method, .privateKeyJWT)
    }

    func testRequestsOAuth2ClientOverMutualTLSGetsACertificateBoundVerifiedToken() async throws {
        let result = try await acquire(with: "roc-mtls")
        assertCertificateClientToken(result)
        // tls_client_auth: client_id in the form, no assertion, no Basic credentials.
        XCTAssertEqual(result.tokenRequest["client_id"] as? String, Self.clientID)
        XCTAssertEqual((result.tokenRequest["form_keys"] as? [String])?.contains("client_assertion"), false)
        XCTAssertEqual(result.tokenRequest["basic_authorization"] as? Bool, false)
        // RFC 8705 §3: the token is bound to the certificate the client presented on the connection.
        let confirmation = result.claims["cnf"] as? [String: Any]
        XCTAssertEqual(confirmation?["x5t#S256"] as? String, thumbprint(SHA256.hash(data: rsaClient.leafDER)))
        XCTAssertEqual(result.audit?.method, .tlsClientAuth)
    }

    /// A certificate from the same CA that was never registered: MSAL's assertion verifies against nothing, and
    /// the service answers RFC 6749 §5.2 invalid_client with 401, which MSAL hands back as its error.
    func testMSALWithAnUnregisteredCertificateGetsInvalidClient() async throws {
        let now = Date()
        let issued = try pki.authority.issue(IssuanceRequest(
            profile: .client, subject: try DistinguishedName { CommonName("stranger") },
            validity: try ValidityPeriod(notBefore: now.addingTimeInterval(-3600), notAfter: now.addingTimeInterval(86_400)),
            keyAlgorithm: .rsa2048), now: now)
        let stranger = GatewayTestPKI.Credential(chainFile: pki.directory + "/stranger.pem", keyFile: pki.directory + "/stranger.key", issued: issued)
        try PEMSerialization.certificates(issued.chain).write(toFile: stranger.chainFile, atomically: true, encoding: .utf8)
        try PEMSerialization.privateKey(issued.privateKey).write(toFile: stranger.keyFile, atomically: true, encoding: .utf8)

        let (status, output, _) = try await run("msal-public-certificate", credential: stranger)
        XCTAssertEqual(status, 1, "\(output)")
        XCTAssertEqual(output["stage"] as? String, "token", "\(output)")
        XCTAssertEqual((output["response"] as? [String: Any])?["error"] as? String, "invalid_client", "\(output)")
        let requests = output["token_requests"] as? [[String: Any]] ?? []
        XCTAssertEqual(requests.first?["status"] as? Int, 401, "\(requests)")

        let store = try SQLiteRegistrationStore(path: pki.directory + "/tokens.db", create: false)
        let audit = try await store.latestAuditEvents(limit: 10, clientID: Self.clientID)
        XCTAssertEqual(audit.map(\.outcome), [.refused], "\(audit)")
    }

    private func thumbprint<Digest: Sequence>(_ digest: Digest) -> String where Digest.Element == UInt8 {
        Base64URL.encode(Array(digest))
    }

    // MARK: - Assertions

    private struct ClientResult {
        let output: [String: Any]
        let header: [String: Any]
        let claims: [String: Any]
        let issuer: String
        /// The one token request the client made, as the script recorded it (no credentials).
        let tokenRequest: [String: Any]
        /// The service's own record of the issuance.
        let audit: AuditEvent?
    }

    private func assertCertificateClientToken(_ result: ClientResult, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(result.header["typ"] as? String, "at+jwt", file: file, line: line)
        XCTAssertEqual(result.header["alg"] as? String, "RS256", file: file, line: line)
        XCTAssertNotNil(result.header["kid"] as? String, file: file, line: line)
        XCTAssertEqual(result.claims["iss"] as? String, result.issuer, file: file, line: line)
        XCTAssertEqual(result.claims["aud"] as? String, Self.resource, file: file, line: line)
        XCTAssertEqual(result.claims["roles"] as? [String], ["service-api"], file: file, line: line)
        XCTAssertEqual(result.claims["azp"] as? String, Self.clientID, file: file, line: line)
        XCTAssertEqual(result.claims["azpacr"] as? String, "2", file: file, line: line)
        XCTAssertEqual(result.claims["client_id"] as? String, Self.clientID, file: file, line: line)
        XCTAssertNotNil(result.claims["exp"] as? NSNumber, file: file, line: line)
        XCTAssertEqual(result.output["verified_by"] as? [String], ["joserfc", "pyjwt", "authlib-rfc9068"], file: file, line: line)
        let response = result.output["token_response"] as? [String: Any]
        XCTAssertEqual((response?["token_type"] as? String)?.lowercased(), "bearer", file: file, line: line)
    }

    // MARK: - The service and the Python run

    /// Registers the resource and one client that may use private_key_jwt (the RSA certificate, registered) and
    /// tls_client_auth (this PKI's root + the certificate's subject), starts `trustgate serve`, runs one client
    /// with `credential` (the registered RSA certificate unless told otherwise) and returns its JSON output.
    private func run(_ client: String, credential: GatewayTestPKI.Credential? = nil) async throws -> (status: Int32, output: [String: Any], issuer: String) {
        let python = try pythonPreflight()
        let port = try freePort()
        let issuer = "https://localhost:\(port)/demo"
        try await register(storePath: pki.directory + "/tokens.db")
        try startServer(port: port, issuer: issuer)

        let presented = credential ?? rsaClient!
        let run = try runPython(python, arguments: [
            client, "--issuer", issuer, "--ca", pki.caFile, "--client-id", Self.clientID,
            "--cert", presented.chainFile, "--key", presented.keyFile, "--scope", Self.scope, "--resource", Self.resource,
        ])
        if run.status == 77 {
            let notice = "skipping \(client): Python packages missing: \(run.stdout) — pip install msal authlib requests-oauth2client joserfc pyjwt cryptography requests"
            print(notice)
            throw XCTSkip(notice)
        }
        let output = try XCTUnwrap(
            (try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8))) as? [String: Any],
            "no JSON from \(client): exit \(run.status)\nstdout: \(run.stdout)\nstderr: \(run.stderr)\nserver: \(serverLog?.text ?? "")")
        if let versions = output["versions"] { print("\(client) ran with \(versions)") }
        if run.status != 0 { print("\(client) stderr: \(run.stderr)\nserver: \(serverLog?.text ?? "")") }
        return (run.status, output, issuer)
    }

    /// Runs `client` and expects a token, issued and verified.
    private func acquire(with client: String) async throws -> ClientResult {
        let (status, output, issuer) = try await run(client)
        XCTAssertEqual(status, 0, "\(client) failed (stderr and server log printed above): \(output)")
        XCTAssertEqual(output["ok"] as? Bool, true, "\(output)")
        let requests = output["token_requests"] as? [[String: Any]] ?? []
        XCTAssertEqual(requests.count, 1, "one token request per client: \(requests)")
        XCTAssertEqual(requests.first?["grant_type"] as? String, "client_credentials")

        let store = try SQLiteRegistrationStore(path: pki.directory + "/tokens.db", create: false)
        let audit = try await store.latestAuditEvents(limit: 10, clientID: Self.clientID)
        XCTAssertEqual(audit.map(\.outcome), [.issued], "\(audit)")
        return ClientResult(
            output: output, header: output["header"] as? [String: Any] ?? [:],
            claims: output["claims"] as? [String: Any] ?? [:], issuer: issuer,
            tokenRequest: requests.first ?? [:], audit: audit.first)
    }

    private func register(storePath: String) async throws {
        let store = try SQLiteRegistrationStore(path: storePath, create: true)
        try await store.addResource(Resource(identifier: Self.resource, name: "Demo API", appRoles: ["service-api"], tokenProfile: .entra))
        try await store.addClient(Client(id: Self.clientID, name: "Interop", authenticationMethods: [.privateKeyJWT, .tlsClientAuth]))
        try await store.addCertificate(ClientCertificate(clientID: Self.clientID, derBytes: rsaClient.leafDER))
        try await store.addSubjectIssuerRule(SubjectIssuerRule(
            clientID: Self.clientID, trustAnchors: [pki.authority.root],
            subject: try DistinguishedName { CommonName("interop-client") },
            alternativeNames: SubjectAlternativeNameMatchers()))
        _ = try await store.grantRoles(clientID: Self.clientID, resource: Self.resource, roles: ["service-api"])
    }

    private var serverLog: StderrCollector?

    private func startServer(port: Int, issuer: String) throws {
        let keyFile = pki.directory + "/store.key"
        let keyBytes = (0..<32).map { _ in UInt8.random(in: 0...255) }
        _ = FileManager.default.createFile(atPath: keyFile, contents: Data(keyBytes).base64EncodedData(), attributes: [.posixPermissions: 0o600])
        let configuration = pki.directory + "/gateway.yaml"
        try """
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
              unused: { url: "http://127.0.0.1:9" }
            token_service:
              issuer: \(issuer)
              store: \(pki.directory)/tokens.db
              store_key_file: \(keyFile)
            routes:
              - { name: api, path: /api, upstream: unused }
            access_log: off
            """.write(toFile: configuration, atomically: true, encoding: .utf8)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: try GatewayCommandTests.trustgateBinary())
        process.arguments = ["serve", "--config", configuration]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        let log = StderrCollector(errors.fileHandleForReading)
        try process.run()
        server = process
        serverLog = log
        let listening = log.waitFor(#"listening on https://127\.0\.0\.1:\#(port)"#, timeout: 60)
        XCTAssertNotNil(listening, log.text)
        if listening == nil { throw XCTSkip("trustgate serve did not start: \(log.text)") }
    }

    /// A port nobody listens on right now: the issuer URL must name the port before the service starts.
    private func freePort() throws -> Int {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let channel = try ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).wait()
        let port = channel.localAddress?.port ?? 0
        try channel.close().wait()
        return port
    }

    /// python3's path and the script's; skips (with a printed notice) when python3 or the script is absent.
    private func pythonPreflight() throws -> (interpreter: String, script: String) {
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let script = packageRoot.appendingPathComponent("scripts/interop/token_clients.py").path
        guard FileManager.default.fileExists(atPath: script) else {
            print("skipping: \(script) is absent")
            throw XCTSkip("\(script) is absent")
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/python3"
            if FileManager.default.isExecutableFile(atPath: candidate) { return (candidate, script) }
        }
        print("skipping: python3 is not installed")
        throw XCTSkip("python3 is not installed")
    }

    /// Runs the script without REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE, which would override `verify=` in requests.
    private func runPython(_ python: (interpreter: String, script: String), arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python.interpreter)
        process.arguments = [python.script] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["REQUESTS_CA_BUNDLE"] = nil
        environment["CURL_CA_BUNDLE"] = nil
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let stdout = StderrCollector(out.fileHandleForReading)
        let stderr = StderrCollector(err.fileHandleForReading)
        try process.run()
        let deadline = Date().addingTimeInterval(180)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            XCTFail("the Python client did not finish in 180 s: \(stderr.text)")
        }
        process.waitUntilExit()
        // The reader threads drain the pipes after the exit; the script ends its output with a newline.
        _ = stdout.waitFor(#"\n$"#, timeout: 10)
        return (process.terminationStatus, stdout.text.trimmingCharacters(in: .whitespacesAndNewlines), stderr.text)
    }
}
