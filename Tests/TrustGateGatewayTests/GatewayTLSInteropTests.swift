import Foundation
import TrustGateX509
import XCTest
@testable import TrustGateGateway

/// Cross-checks with openssl s_client: TLS versions, ALPN, the CA names in the CertificateRequest, and
/// session resumption keeping the client certificate's verdict.
final class GatewayTLSInteropTests: XCTestCase {
    var pki: GatewayTestPKI!

    override func setUpWithError() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl"), "openssl is not installed")
        pki = try GatewayTestPKI()
    }

    override func tearDown() {
        pki?.remove()
    }

    /// Runs `openssl s_client` sending one HTTP/1.1 request; returns everything it printed.
    private func sClient(port: Int, arguments: [String], request: String? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["s_client", "-connect", "127.0.0.1:\(port)", "-servername", "localhost", "-CAfile", pki.caFile]
            + (request == "" ? [] : ["-ign_eof"]) + arguments
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = request ?? "GET /interop HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        input.fileHandleForWriting.write(Data(text.utf8))
        if text.isEmpty { try? input.fileHandleForWriting.close() }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    func testVersionsALPNAndCANames() async throws {
        let harness = try await GatewayHarness(pki: pki) { config, _ in
            config.listeners = [try GatewayHarness.tlsListener(pki: pki, mode: .required)]
        }
        let client = ["-cert", pki.client.chainFile, "-cert_chain", pki.client.chainFile, "-key", pki.client.keyFile]
        let tls13 = try sClient(port: harness.port, arguments: ["-tls1_3"] + client)
        let h2 = try sClient(port: harness.port, arguments: ["-alpn", "h2,http/1.1"] + client, request: "")
        let tls12 = try sClient(port: harness.port, arguments: ["-tls1_2"] + client)
        // s_client sends only the leaf without -cert_chain: no intermediate, no path to the root.
        let leafOnly = try sClient(port: harness.port, arguments: ["-cert", pki.client.chainFile, "-key", pki.client.keyFile])
        let tls11 = try sClient(port: harness.port, arguments: ["-tls1_1"])
        await harness.stop()
        XCTAssertTrue(tls13.contains("TLSv1.3"), tls13)
        XCTAssertTrue(tls13.contains("HTTP/1.1 200"), tls13)
        XCTAssertTrue(h2.contains("ALPN protocol: h2"), h2)
        XCTAssertTrue(leafOnly.contains("HTTP/1.1 403") && leafOnly.contains("untrusted_issuer"), leafOnly)
        XCTAssertTrue(tls13.contains("Acceptable client certificate CA names"), tls13)
        XCTAssertTrue(tls13.contains("CN = Gateway Test Root"), tls13)
        XCTAssertTrue(tls12.contains("TLSv1.2"), tls12)
        XCTAssertTrue(tls12.contains("HTTP/1.1 200"), tls12)
        XCTAssertFalse(tls11.contains("HTTP/1.1"), "TLS 1.1 must be refused")
    }

    func testResumedSessionKeepsTheClientCertificateAndItsVerdict() async throws {
        let harness = try await GatewayHarness(pki: pki) { config, _ in
            config.listeners = [try GatewayHarness.tlsListener(pki: pki, mode: .required)]
        }
        for version in ["-tls1_2", "-tls1_3"] {
            let session = pki.directory + "/session\(version).pem"
            let first = try sClient(port: harness.port, arguments: [version, "-cert", pki.client.chainFile, "-cert_chain", pki.client.chainFile, "-key", pki.client.keyFile, "-sess_out", session])
            XCTAssertTrue(first.contains("HTTP/1.1 200"), first)
            // The second connection resumes and presents no certificate message at all.
            let resumed = try sClient(port: harness.port, arguments: [version, "-sess_in", session])
            XCTAssertTrue(resumed.contains("Reused"), "\(version): \(resumed)")
            XCTAssertTrue(resumed.contains("HTTP/1.1 200"), "\(version): \(resumed)")
            let forwarded = Data(pki.client.leafDER).base64EncodedString()
            XCTAssertTrue(resumed.contains(forwarded), "\(version): the resumed session still forwards the client's certificate")
        }
        await harness.stop()
    }

    /// Tickets resume (above); session IDs do not: BoringSSL's internal session cache, which would keep every
    /// session with its client chain for two hours, is off in every server context.
    func testSessionIDResumptionIsOffBecauseTheInternalCacheIs() async throws {
        let harness = try await GatewayHarness(pki: pki) { config, _ in
            config.listeners = [try GatewayHarness.tlsListener(pki: pki, mode: .required)]
        }
        let session = pki.directory + "/session-id.pem"
        let client = ["-tls1_2", "-no_ticket", "-cert", pki.client.chainFile, "-cert_chain", pki.client.chainFile, "-key", pki.client.keyFile]
        let first = try sClient(port: harness.port, arguments: client + ["-sess_out", session])
        XCTAssertTrue(first.contains("HTTP/1.1 200"), first)
        let second = try sClient(port: harness.port, arguments: client + ["-sess_in", session])
        await harness.stop()
        XCTAssertTrue(second.contains("HTTP/1.1 200"), second)
        XCTAssertFalse(second.contains("Reused"), "a session ID must not resume: \(second)")
        XCTAssertTrue(second.contains("New, TLSv1.2"), second)
    }

    func testEveryServerContextHasTheInternalSessionCacheOff() throws {
        for mode in [ClientCertificateMode.required, .optional, .ignore] {
            let host = try GatewayHarness.tlsListener(pki: pki, mode: mode).hosts[0]
            let pair = try XCTUnwrap(host.serverCertificate)
            let context = try ServerTLSContextFactory.makeContext(
                pair: pair, tls: ListenerTLSConfiguration(), clientCertificates: host.clientCertificates,
                requestProxyCertificate: false)
            XCTAssertEqual(InternalSessionCache.isDisabled(in: context), true, "mode \(mode)")
        }
    }
}
