import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import TrustGateConfiguration
import TrustGateX509
import X509
import XCTest
@testable import TrustGateGateway

/// Issue 21 over real TLS on loopback, with OpenSSL's client (and tlslite-ng where OpenSSL cannot build the
/// message): no SHA-1 handshake signatures, forward-secret AEAD suites by default, the profiles, an alert for
/// every refusal after the handshake, and session tickets an operator controls across gateways.
final class GatewayStrictTLSTests: XCTestCase {
    var pki: GatewayTestPKI!
    /// RSA credentials (the SHA-1 and static-RSA cases need RSA keys), issued by the test PKI's intermediate.
    var rsaServer: GatewayTestPKI.Credential!
    var rsaClient: GatewayTestPKI.Credential!

    override func setUpWithError() throws {
        pki = try GatewayTestPKI()
        rsaServer = try issueRSA("rsa-server", profile: .server, names: [.dnsName("localhost")])
        rsaClient = try issueRSA("rsa-client", profile: .client, names: [])
    }

    override func tearDown() {
        pki?.remove()
    }

    private func issueRSA(_ name: String, profile: IssuanceProfile, names: [GeneralName]) throws -> GatewayTestPKI.Credential {
        let now = Date()
        let issued = try pki.authority.issue(IssuanceRequest(
            profile: profile, subject: try DistinguishedName { CommonName(name) }, subjectAlternativeNames: names,
            validity: try ValidityPeriod(notBefore: now.addingTimeInterval(-3600), notAfter: now.addingTimeInterval(86_400)),
            keyAlgorithm: .rsa2048), now: now)
        let chainFile = pki.directory + "/\(name).pem"
        let keyFile = pki.directory + "/\(name).key"
        try PEMSerialization.certificates(issued.chain).write(toFile: chainFile, atomically: true, encoding: .utf8)
        try PEMSerialization.privateKey(issued.privateKey).write(toFile: keyFile, atomically: true, encoding: .utf8)
        return GatewayTestPKI.Credential(chainFile: chainFile, keyFile: keyFile, issued: issued)
    }

    private static var hasOpenSSL: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl") }

    /// A gateway with one TLS listener in front of the echo upstream.
    private func gateway(
        mode: ClientCertificateMode = .required, server: GatewayTestPKI.Credential? = nil, tls: ListenerTLSConfiguration = ListenerTLSConfiguration(),
        policy: CertificatePolicySettings? = nil
    ) async throws -> GatewayHarness {
        try await GatewayHarness(pki: pki) { config, _ in
            var listener = try GatewayHarness.tlsListener(pki: pki, mode: mode)
            listener.tls = tls
            if let server { listener.hosts[0].serverCertificate = server.pair }
            if let policy { listener.hosts[0].clientCertificates.policy = policy }
            config.listeners = [listener]
        }
    }

    /// `openssl s_client` with `arguments`, one `GET /` with `Connection: close`; everything it printed.
    private func sClient(port: Int, _ arguments: [String], path: String = "/") throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["s_client", "-connect", "127.0.0.1:\(port)", "-servername", "localhost", "-CAfile", pki.caFile, "-ign_eof"] + arguments
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data("GET \(path) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".utf8))
        try? input.fileHandleForWriting.close()
        let watchdog = DispatchWorkItem { process.terminate() }
        DispatchQueue.global().asyncAfter(deadline: .now() + 20, execute: watchdog)
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        return String(decoding: data, as: UTF8.self)
    }

    private func clientCertificate(_ credential: GatewayTestPKI.Credential) -> [String] {
        ["-cert", credential.chainFile, "-cert_chain", credential.chainFile, "-key", credential.keyFile]
    }

    // MARK: - No SHA-1 signatures (RFC 9155)

    func testSHA1ClientSignaturesAreRefusedAndNeverRequested() async throws {
        try XCTSkipUnless(Self.hasOpenSSL, "openssl is not installed")
        let harness = try await gateway(server: rsaServer)
        let sha1 = try sClient(port: harness.port, ["-tls1_2", "-client_sigalgs", "RSA+SHA1", "-cipher", "DEFAULT:@SECLEVEL=0"] + clientCertificate(rsaClient))
        let sha256 = try sClient(port: harness.port, ["-tls1_2", "-client_sigalgs", "RSA+SHA256"] + clientCertificate(rsaClient))
        let pss = try sClient(port: harness.port, ["-tls1_3"] + clientCertificate(rsaClient))
        await harness.stop()
        XCTAssertFalse(sha1.contains("HTTP/1.1 200"), "a SHA-1 CertificateVerify was accepted:\n\(sha1)")
        XCTAssertTrue(sha256.contains("HTTP/1.1 200"), sha256)
        XCTAssertTrue(pss.contains("HTTP/1.1 200"), pss)
        // What the CertificateRequest asked for.
        let requested = try XCTUnwrap(sha256.components(separatedBy: "\n").first { $0.hasPrefix("Requested Signature Algorithms:") }, sha256)
        XCTAssertFalse(requested.contains("SHA1"), requested)
        XCTAssertTrue(requested.contains("RSA-PSS+SHA256") || requested.contains("rsa_pss_rsae_sha256"), requested)
        XCTAssertTrue(requested.contains("ECDSA+SHA256"), requested)
    }

    // MARK: - Forward-secret AEAD suites, and the profiles

    func testStaticRSAAndCBCSuitesAreRefusedByDefaultAndProfilesChangeThat() async throws {
        try XCTSkipUnless(Self.hasOpenSSL, "openssl is not installed")
        var harness = try await gateway(mode: .ignore, server: rsaServer)
        let staticRSA = try sClient(port: harness.port, ["-tls1_2", "-cipher", "AES128-GCM-SHA256"])
        let cbc = try sClient(port: harness.port, ["-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA"])
        let aead = try sClient(port: harness.port, ["-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"])
        let chacha = try sClient(port: harness.port, ["-tls1_2", "-cipher", "ECDHE-RSA-CHACHA20-POLY1305"])
        await harness.stop()
        XCTAssertFalse(staticRSA.contains("HTTP/1.1 200"), "static RSA key exchange was accepted:\n\(staticRSA)")
        XCTAssertFalse(cbc.contains("HTTP/1.1 200"), "a CBC suite was accepted by default:\n\(cbc)")
        XCTAssertTrue(aead.contains("HTTP/1.1 200"), aead)
        XCTAssertTrue(chacha.contains("HTTP/1.1 200"), chacha)

        harness = try await gateway(mode: .ignore, server: rsaServer, tls: ListenerTLSConfiguration(profile: .compatible))
        let compatibleCBC = try sClient(port: harness.port, ["-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA"])
        let compatibleStatic = try sClient(port: harness.port, ["-tls1_2", "-cipher", "AES128-SHA"])
        await harness.stop()
        XCTAssertTrue(compatibleCBC.contains("HTTP/1.1 200"), compatibleCBC)
        XCTAssertFalse(compatibleStatic.contains("HTTP/1.1 200"), "compatible still offers no static RSA:\n\(compatibleStatic)")

        harness = try await gateway(mode: .ignore, server: rsaServer, tls: ListenerTLSConfiguration(profile: .modern))
        let modern12 = try sClient(port: harness.port, ["-tls1_2"])
        let modern13 = try sClient(port: harness.port, ["-tls1_3"])
        await harness.stop()
        XCTAssertFalse(modern12.contains("HTTP/1.1 200"), "TLS 1.2 was accepted with profile modern:\n\(modern12)")
        XCTAssertTrue(modern13.contains("HTTP/1.1 200"), modern13)
    }

    func testTheProfileIsReadAndContradictionsAreRefusedAtLoad() throws {
        let directory = pki.directory
        try FileManager.default.copyItem(atPath: pki.server.chainFile, toPath: directory + "/srv.pem")
        func load(_ tls: String) throws -> GatewayConfiguration {
            let path = directory + "/tls-\(UUID().uuidString).yaml"
            try """
                listeners:
                  - address: "127.0.0.1:0"
                    tls: \(tls)
                    hosts: [ { names: [localhost], certificate: srv.pem, key: \(pki.server.keyFile) } ]
                upstreams: { app: { url: "http://127.0.0.1:9" } }
                routes: [ { upstream: app } ]
                """.write(toFile: path, atomically: true, encoding: .utf8)
            return try GatewayConfigurationLoader.load(contentsOfFile: path, environment: [:])
        }
        XCTAssertEqual(try load("true").listeners[0].tls?.profile, .intermediate)
        XCTAssertEqual(try load("{ profile: compatible }").listeners[0].tls?.profile, .compatible)
        let modern = try load("{ profile: modern }").listeners[0].tls
        XCTAssertEqual(modern?.effectiveMinimumVersion, .tls13)
        XCTAssertThrowsError(try load("{ profile: modern, min_version: \"1.2\" }")) { error in
            let error = error as? ConfigurationError
            XCTAssertEqual(error?.keyPath, "listeners[0].tls.min_version", "\(String(describing: error))")
            XCTAssertEqual(error?.line, 3)
            XCTAssertTrue(error?.problem.contains("profile: modern") ?? false, "\(String(describing: error))")
        }
        XCTAssertThrowsError(try load("{ profile: old }")) { error in
            XCTAssertEqual((error as? ConfigurationError)?.keyPath, "listeners[0].tls.profile")
        }
        // --check-config prints what is in force.
        let text = GatewayConfigurationExplanation.explain(try load("{ profile: intermediate }"))
        XCTAssertTrue(text.contains("profile intermediate"), text)
        XCTAssertTrue(text.contains("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"), text)
        XCTAssertFalse(text.contains("_CBC_"), text)
        XCTAssertTrue(text.contains("Key exchange groups: X25519, P-256, P-384"), text)
        XCTAssertFalse(text.lowercased().contains("sha1"), text)
    }

    func testEveryContextGetsTheProfilesListsNotNIOSSLsDefaults() throws {
        // Guards the settings themselves, with no external tool.
        let intermediate = TLSParameters(ListenerTLSConfiguration())
        XCTAssertFalse(intermediate.cipherSuites.contains(.TLS_RSA_WITH_AES_128_GCM_SHA256))
        XCTAssertFalse(intermediate.cipherSuites.contains(.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA))
        XCTAssertFalse(intermediate.verifySignatureAlgorithms.contains(.rsaPkcs1Sha1))
        XCTAssertFalse(intermediate.verifySignatureAlgorithms.contains(.ecdsaSha1))
        XCTAssertFalse(intermediate.signingSignatureAlgorithms.contains(.rsaPkcs1Sha1))
        let compatible = TLSParameters(ListenerTLSConfiguration(profile: .compatible))
        XCTAssertTrue(compatible.cipherSuites.contains(.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA))
        XCTAssertFalse(compatible.cipherSuites.contains { [.TLS_RSA_WITH_AES_128_CBC_SHA, .TLS_RSA_WITH_AES_256_CBC_SHA, .TLS_RSA_WITH_AES_128_GCM_SHA256, .TLS_RSA_WITH_AES_256_GCM_SHA384].contains($0) })
        XCTAssertEqual(TLSParameters(ListenerTLSConfiguration(profile: .modern)).minimumVersion, .tlsv13)
    }

    // MARK: - Alerts after the handshake

    func testRefusalsAfterTheHandshakeSendTheirAlert() async throws {
        guard Self.python(hasModule: "tlslite") else {
            throw XCTSkip("Python's tlslite-ng is not installed (pip install tlslite-ng)")
        }
        let harness = try await gateway(mode: .ignore)
        let script = pki.directory + "/post-handshake.py"
        try Self.postHandshakeScript.write(toFile: script, atomically: true, encoding: .utf8)
        // Over HTTP/1.1 and HTTP/2 (ALPN h2): the two pipelines end a connection differently.
        var results: [String: String] = [:]
        for probe in ["keyupdate", "oversize"] {
            for alpn in ["http/1.1", "h2"] {
                results["\(probe) \(alpn)"] = try Self.run("/usr/bin/env", ["python3", script, String(harness.port), probe, alpn])
                    .trimmingCharacters(in: .whitespacesAndNewlines)
            }
        }
        await harness.stop()
        for alpn in ["http/1.1", "h2"] {
            XCTAssertEqual(results["keyupdate \(alpn)"], "alert decode_error", alpn)
            XCTAssertEqual(results["oversize \(alpn)"], "alert record_overflow", alpn)
        }
    }

    func testTheBoringSSLSettingsAreAppliedWithNoExternalTool() async throws {
        // The settings swift-nio-ssl has no API for are reached by reflection: if an update breaks that, this
        // fails (and the gateway refuses to start with ticket settings it cannot apply).
        let tls = ListenerTLSConfiguration(sessionTickets: try tickets([try ticketKey("k1"), try ticketKey("k2", length: 48)]))
        let harness = try await gateway(mode: .ignore, tls: tls)
        let context = try XCTUnwrap(harness.server.currentRuntime.listeners[0].hosts[0].sslContext)
        XCTAssertNotNil(BoringSSLPointers.context(of: context))
        XCTAssertEqual(InternalSessionCache.isDisabled(in: context), true)
        XCTAssertEqual(TLSParameters.prefersServerOrder(context), true)
        let state = try XCTUnwrap(SessionResumption.state(of: context))
        XCTAssertTrue(state.ticketsEnabled)
        XCTAssertEqual(state.operatorKeys, 2)
        // A handshake in process (swift-nio-ssl's client): the metric names version and suite.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let client = try await WireClient.connect(port: harness.port, pki: pki, group: group)
        try await client.send("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        _ = await client.waitForClose(timeout: 10)
        let text = harness.server.metrics.render()
        await harness.stop()
        try await group.shutdownGracefully()
        XCTAssertTrue(text.contains(#"trustgate_tls_handshakes_total{version="1.3",cipher="TLS_AES_128_GCM_SHA256",resumed="false"} 1"#), text)
    }

    /// A TLS 1.3 handshake with tlslite-ng, then a KeyUpdate with request_update 2 (only 0 and 1 exist) or an
    /// application-data record one byte over 2^14; prints the alert the server sent, or how it closed.
    private static let postHandshakeScript = #"""
    import socket, sys
    from tlslite.api import TLSConnection, HandshakeSettings
    from tlslite.messages import KeyUpdate, Message
    from tlslite.constants import ContentType, AlertDescription
    from tlslite.errors import TLSRemoteAlert, TLSAbruptCloseError

    port, probe, alpn = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    conn = TLSConnection(socket.create_connection(("127.0.0.1", port), timeout=10))
    settings = HandshakeSettings()
    settings.minVersion = (3, 4)
    settings.maxVersion = (3, 4)
    conn.handshakeClientCert(settings=settings, serverName="localhost", alpn=[bytearray(alpn, "ascii")])
    if alpn == "h2":
        # The connection preface and an empty SETTINGS frame, so that the HTTP/2 pipeline is running.
        conn.write(bytearray(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"))
    if probe == "keyupdate":
        for _ in conn._sendMsg(KeyUpdate().create(2), update_hashes=False):
            pass
    else:
        conn._send_record_limit = 2 ** 15
        conn.recordSize = 2 ** 15
        for _ in conn._sendMsg(Message(ContentType.application_data, bytearray(2 ** 14 + 1))):
            pass
    try:
        # HTTP/2: the server's own SETTINGS may come first; what matters is how the connection ends.
        while True:
            data = conn.read()
            if not data:
                print("closed without an alert: close_notify")
                break
    except TLSRemoteAlert as alert:
        print("alert", AlertDescription.toStr(alert.description))
    except (TLSAbruptCloseError, OSError) as error:
        print("closed without an alert:", type(error).__name__)
    """#

    // MARK: - Session tickets

    private func ticketKey(_ name: String, length: Int = 80) throws -> String {
        let path = pki.directory + "/\(name).key"
        var bytes = [UInt8](repeating: 0, count: length)
        for index in bytes.indices { bytes[index] = UInt8.random(in: 0...255) }
        FileManager.default.createFile(atPath: path, contents: Data(bytes), attributes: [.posixPermissions: 0o600])
        return path
    }

    private func tickets(_ paths: [String], enabled: Bool = true) throws -> SessionTicketSettings {
        SessionTicketSettings(enabled: enabled, keys: try paths.map { try SessionTicketKey(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: $0))), path: $0) })
    }

    /// Connects with `-sess_out` to `from` and then `-sess_in` to `to`; whether the second handshake reused the
    /// session, and what the second request got.
    private func resumes(from: Int, to: Int, version: String, credential: GatewayTestPKI.Credential? = nil) throws -> (reused: Bool, second: String) {
        let session = pki.directory + "/session-\(UUID().uuidString).pem"
        let certificate = credential.map(clientCertificate) ?? []
        let first = try sClient(port: from, [version, "-sess_out", session] + certificate)
        XCTAssertTrue(first.contains("HTTP/1.1 200"), first)
        let second = try sClient(port: to, [version, "-sess_in", session] + certificate)
        return (second.contains("\nReused, "), second)
    }

    func testGatewaysSharingTicketKeyFilesResumeEachOthersSessionsAndRotate() async throws {
        try XCTSkipUnless(Self.hasOpenSSL, "openssl is not installed")
        let old = try ticketKey("old")
        let new = try ticketKey("new", length: 48)
        let other = try ticketKey("other")
        let first = try await gateway(mode: .ignore, tls: ListenerTLSConfiguration(sessionTickets: try tickets([old])))
        let second = try await gateway(mode: .ignore, tls: ListenerTLSConfiguration(sessionTickets: try tickets([old])))
        let stranger = try await gateway(mode: .ignore, tls: ListenerTLSConfiguration(sessionTickets: try tickets([other])))
        for version in ["-tls1_3", "-tls1_2"] {
            XCTAssertTrue(try resumes(from: first.port, to: second.port, version: version).reused, "\(version): the same key file must resume on the other gateway")
            XCTAssertFalse(try resumes(from: first.port, to: stranger.port, version: version).reused, "\(version): another key must not resume")
        }
        // Rotation without a restart: the new key first, the old one second. Old tickets still resume.
        let oldSession = pki.directory + "/old-session.pem"
        XCTAssertTrue(try sClient(port: first.port, ["-tls1_3", "-sess_out", oldSession]).contains("HTTP/1.1 200"))
        var rotated = first.server.configuration
        rotated.listeners[0].tls?.sessionTickets = try tickets([new, old])
        try first.server.reload(rotated)
        let resumedOld = try sClient(port: first.port, ["-tls1_3", "-sess_in", oldSession])
        XCTAssertTrue(resumedOld.contains("\nReused, "), "a ticket under the old key must still resume after rotation:\n\(resumedOld)")
        // New tickets are under the new key: a gateway with only the old key cannot resume them.
        XCTAssertFalse(try resumes(from: first.port, to: second.port, version: "-tls1_3").reused)
        await first.stop()
        await second.stop()
        await stranger.stop()

        let off = try await gateway(mode: .ignore, tls: ListenerTLSConfiguration(sessionTickets: SessionTicketSettings(enabled: false)))
        XCTAssertFalse(try resumes(from: off.port, to: off.port, version: "-tls1_3").reused, "enabled: false must resume nothing")
        XCTAssertFalse(try resumes(from: off.port, to: off.port, version: "-tls1_2").reused)
        XCTAssertEqual(SessionResumption.state(of: try XCTUnwrap(off.server.currentRuntime.listeners[0].hosts[0].sslContext))?.ticketsEnabled, false)
        await off.stop()
    }

    func testACertificateRevokedAfterTheFirstHandshakeIsRefusedOnAResumedSessionOnEitherGateway() async throws {
        try XCTSkipUnless(Self.hasOpenSSL, "openssl is not installed")
        let key = try ticketKey("shared")
        // The intermediate is configured: a gateway resuming another's session sees only the leaf.
        func policy() throws -> CertificatePolicySettings {
            var settings = try pki.policy()
            settings.intermediates = pki.authority.intermediates
            return settings
        }
        let tls = ListenerTLSConfiguration(sessionTickets: try tickets([key]))
        let first = try await gateway(tls: tls, policy: try policy())
        let second = try await gateway(tls: tls, policy: try policy())
        let sessionOne = pki.directory + "/one.pem"
        let sessionTwo = pki.directory + "/two.pem"
        for session in [sessionOne, sessionTwo] {
            let full = try sClient(port: first.port, ["-tls1_3", "-sess_out", session] + clientCertificate(pki.client))
            XCTAssertTrue(full.contains("HTTP/1.1 200"), full)
        }
        // Revoked now; both gateways reload the CRL.
        _ = try pki.authority.revoke(certificate: pki.client.issued.certificate)
        try pki.authority.makeCRL(validity: 86_400).pemString.write(toFile: pki.crlFile, atomically: true, encoding: .utf8)
        for harness in [first, second] {
            var updated = harness.server.configuration
            updated.listeners[0].hosts[0].clientCertificates.policy = try policy()
            try harness.server.reload(updated)
        }
        let same = try sClient(port: first.port, ["-tls1_3", "-sess_in", sessionOne] + clientCertificate(pki.client))
        let elsewhere = try sClient(port: second.port, ["-tls1_3", "-sess_in", sessionTwo] + clientCertificate(pki.client))
        await first.stop()
        await second.stop()
        for (name, output) in [("same gateway", same), ("other gateway", elsewhere)] {
            XCTAssertTrue(output.contains("\nReused, "), "\(name): the session did not resume, so this proves nothing:\n\(output)")
            XCTAssertTrue(output.contains("HTTP/1.1 403"), "\(name):\n\(output)")
            XCTAssertTrue(output.contains("\"reason\":\"revoked\""), "\(name):\n\(output)")
        }
    }

    func testTicketSettingsAreReadWithTheirErrors() throws {
        try FileManager.default.copyItem(atPath: pki.server.chainFile, toPath: pki.directory + "/srv.pem")
        let good = try ticketKey("good")
        let short = pki.directory + "/short.key"
        FileManager.default.createFile(atPath: short, contents: Data(repeating: 7, count: 32))
        func load(_ tickets: String) throws -> GatewayConfiguration {
            let path = pki.directory + "/t-\(UUID().uuidString).yaml"
            try """
                listeners:
                  - address: "127.0.0.1:0"
                    tls: { session_tickets: \(tickets) }
                    hosts: [ { names: [localhost], certificate: srv.pem, key: \(pki.server.keyFile) } ]
                upstreams: { app: { url: "http://127.0.0.1:9" } }
                routes: [ { upstream: app } ]
                """.write(toFile: path, atomically: true, encoding: .utf8)
            return try GatewayConfigurationLoader.load(contentsOfFile: path, environment: [:])
        }
        let loaded = try load("{ lifetime: 5m, key_files: [\(good)] }")
        XCTAssertEqual(loaded.listeners[0].tls?.sessionTickets.lifetime, 300)
        XCTAssertEqual(loaded.listeners[0].tls?.sessionTickets.keys.count, 1)
        XCTAssertTrue(loaded.sourceFiles.contains(URL(fileURLWithPath: good).standardizedFileURL.path), "key files are watched for reload")
        XCTAssertEqual(try load("false").listeners[0].tls?.sessionTickets.enabled, false)
        XCTAssertEqual(try load("{}").listeners[0].tls?.sessionTickets.lifetime, 3600)
        for (yaml, key, problem) in [
            ("{ key_files: [\(short)] }", "listeners[0].tls.session_tickets.key_files[0]", "48 or 80"),
            ("{ key_files: [\(pki.directory)/absent.key] }", "listeners[0].tls.session_tickets.key_files[0]", "cannot read"),
            ("{ key_files: [\(good), \(good)] }", "listeners[0].tls.session_tickets.key_files[1]", "same key name"),
            ("{ lifetime: 8d }", "listeners[0].tls.session_tickets.lifetime", ""),
            ("{ enabled: false, key_files: [\(good)] }", "listeners[0].tls.session_tickets.key_files", "disabled"),
        ] {
            XCTAssertThrowsError(try load(yaml), yaml) { error in
                let error = error as? ConfigurationError
                XCTAssertEqual(error?.keyPath, key, "\(yaml): \(String(describing: error))")
                if !problem.isEmpty { XCTAssertTrue(error?.problem.contains(problem) ?? false, "\(yaml): \(String(describing: error))") }
            }
        }
    }

    // MARK: - Metrics

    func testHandshakesAreCountedByVersionCipherAndResumption() async throws {
        try XCTSkipUnless(Self.hasOpenSSL, "openssl is not installed")
        let harness = try await gateway(mode: .ignore)
        let session = pki.directory + "/m.pem"
        _ = try sClient(port: harness.port, ["-tls1_3", "-ciphersuites", "TLS_AES_256_GCM_SHA384", "-sess_out", session])
        _ = try sClient(port: harness.port, ["-tls1_3", "-ciphersuites", "TLS_AES_256_GCM_SHA384", "-sess_in", session])
        _ = try sClient(port: harness.port, ["-tls1_2", "-cipher", "ECDHE-ECDSA-CHACHA20-POLY1305"])
        let text = harness.server.metrics.render()
        await harness.stop()
        for line in [
            #"trustgate_tls_handshakes_total{version="1.3",cipher="TLS_AES_256_GCM_SHA384",resumed="false"} 1"#,
            #"trustgate_tls_handshakes_total{version="1.3",cipher="TLS_AES_256_GCM_SHA384",resumed="true"} 1"#,
            #"trustgate_tls_handshakes_total{version="1.2",cipher="TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",resumed="false"} 1"#,
        ] {
            XCTAssertTrue(text.contains(line), "missing \(line) in\n\(text)")
        }
    }

    // MARK: - testssl.sh

    func testTestsslFindsNoWeakSuiteNoSHA1AndNothingMediumOrWorse() async throws {
        guard let testssl = ["/usr/bin/testssl", "/usr/bin/testssl.sh"].first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw XCTSkip("testssl.sh is not installed (apt-get install testssl.sh)")
        }
        let harness = try await gateway(mode: .optional)
        let json = pki.directory + "/testssl.json"
        _ = try Self.run(testssl, ["--quiet", "--warnings", "off", "--color", "0", "--fast", "--jsonfile", json, "--ip", "127.0.0.1", "localhost:\(harness.port)"], timeout: 600)
        await harness.stop()
        let findings = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [[String: Any]])
        // Expected with a private test CA: the chain of trust, no revocation URIs, a certificate valid 30 days.
        // `security_headers` (HSTS …) is about the upstream application's HTTP headers, not the TLS layer.
        let expected: Set<String> = [
            "cert_chain_of_trust", "cert_crlDistributionPoints", "cert_ocspURL", "cert_revocation", "OCSP_stapling", "cert_trust",
            "DNS_CAArecord", "cert_expirationStatus", "cert_notAfter", "security_headers", "HSTS",
        ]
        let serious = findings.filter { finding in
            let severity = finding["severity"] as? String ?? ""
            let id = finding["id"] as? String ?? ""
            return ["MEDIUM", "HIGH", "CRITICAL"].contains(severity) && !expected.contains(where: { id.hasPrefix($0) })
        }
        XCTAssertEqual(serious.map { "\($0["id"] ?? "?"): \($0["finding"] ?? "")" }, [])
        let text = findings.map { "\($0["id"] ?? "") \($0["finding"] ?? "")" }.joined(separator: "\n")
        // testssl 3.0 (Debian 12) does not list the handshake signature algorithms (the openssl test above
        // does); what it reports is the certificate's own signature.
        for finding in findings where (finding["id"] as? String ?? "").hasPrefix("cert_signatureAlgorithm") {
            XCTAssertFalse((finding["finding"] as? String ?? "").uppercased().contains("SHA1"), "\(finding)")
        }
        for weak in ["TLS_RSA_WITH", "_CBC_"] {
            XCTAssertFalse(findings.contains { ($0["id"] as? String ?? "").hasPrefix("cipher-") && ($0["finding"] as? String ?? "").contains(weak) }, text)
        }
    }

    // MARK: - Helpers

    private static func python(hasModule module: String) -> Bool {
        (try? run("/usr/bin/env", ["python3", "-c", "import \(module)"]))?.isEmpty ?? false
    }

    @discardableResult
    private static func run(_ executable: String, _ arguments: [String], timeout: TimeInterval = 30) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let watchdog = DispatchWorkItem { process.terminate() }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        return String(decoding: data, as: UTF8.self)
    }
}
