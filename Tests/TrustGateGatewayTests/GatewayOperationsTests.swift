import Foundation
import XCTest
@testable import TrustGateGateway

/// The admin listener and the access log, fed by real traffic through the gateway.
final class GatewayOperationsTests: XCTestCase {
    var pki: GatewayTestPKI!

    override func setUpWithError() throws {
        try XCTSkipUnless(Curl.isAvailable, "curl is not installed")
        pki = try GatewayTestPKI()
    }

    override func tearDown() {
        pki?.remove()
    }

    func testMetricsAndAccessLogDescribeTheTraffic() async throws {
        let logFile = pki.directory + "/access.log"
        let harness = try await GatewayHarness(pki: pki) { config, _ in
            config.listeners = [try GatewayHarness.tlsListener(pki: pki, mode: .required, excluded: "/public")]
            config.admin = AdminConfiguration(address: ListenAddress(host: "127.0.0.1", port: 0))
            config.accessLog = AccessLogConfiguration(destination: .file(logFile))
        }
        XCTAssertEqual(try Curl.request("/ok", port: harness.port, pki: pki, credential: pki.client).status, 200)
        XCTAssertEqual(try Curl.request("/denied", port: harness.port, pki: pki, credential: pki.revoked).status, 403)
        XCTAssertEqual(try Curl.request("/denied", port: harness.port, pki: pki).status, 403)
        XCTAssertEqual(try Curl.request("/public", port: harness.port, pki: pki).status, 200)
        let adminPort = try XCTUnwrap(harness.server.adminPort)
        let metrics = try Curl.request("/metrics", port: adminPort, pki: pki, host: "127.0.0.1", scheme: "http")
        let ready = try Curl.request("/readyz", port: adminPort, pki: pki, host: "127.0.0.1", scheme: "http")
        await harness.stop()

        XCTAssertEqual(metrics.status, 200)
        let text = metrics.body
        for line in [
            #"trustgate_requests_total{route="all",status="200"} 2"#,
            #"trustgate_requests_total{route="-",status="403"} 2"#,
            #"trustgate_certificate_verdicts_total{outcome="accepted"} 1"#,
            #"trustgate_certificate_verdicts_total{outcome="revoked"} 1"#,
            #"trustgate_certificate_verdicts_total{outcome="no_certificate"} 1"#,
            #"trustgate_upstream_responses_total{upstream="echo",outcome="2xx"} 2"#,
        ] {
            XCTAssertTrue(text.contains(line), "missing \(line) in\n\(text)")
        }
        XCTAssertTrue(text.contains(#"trustgate_certificate_expiry_days{kind="server_certificate",name="localhost"}"#), text)
        XCTAssertTrue(text.contains(#"trustgate_certificate_expiry_days{kind="trust_anchor""#), text)
        XCTAssertTrue(text.contains("trustgate_crl_next_update_days{"), text)
        XCTAssertTrue(text.contains(#"trustgate_client_certificate_expiry_days{subject="CN=client""#), text)
        XCTAssertTrue(text.contains(#"trustgate_tls_handshakes_total{version="1.3",cipher="TLS_"#), text)
        XCTAssertEqual(ready.status, 200)

        let lines = try String(contentsOfFile: logFile, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 4)
        let entries = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        XCTAssertEqual(entries.map { $0["status"] as? Int }, [200, 403, 403, 200])
        XCTAssertEqual(entries.map { $0["verdict"] as? String }, ["accepted", "revoked", "no_certificate", "none"])
        XCTAssertEqual(entries[0]["certificate_subject"] as? String, "CN=client")
        XCTAssertEqual(entries[0]["sni"] as? String, "localhost")
        XCTAssertEqual(entries[0]["path"] as? String, "/ok")
        XCTAssertNotNil(entries[1]["certificate_sha256"], "a refused certificate is identified by its thumbprint")
        for line in lines {
            XCTAssertFalse(line.contains("BEGIN"), "no certificates or keys in logs")
            XCTAssertFalse(line.contains("MII"), "no base64 certificates in logs")
        }
    }
}
