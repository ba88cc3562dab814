import Dispatch
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import TrustGateX509
import XCTest

@testable import TrustGateGateway

final class OperationsTests: XCTestCase {
    // MARK: Metrics rendering

    func testCountersAndCumulativeHistogramRenderExactly() {
        let metrics = GatewayMetrics()
        // Durations exact in binary so the sum prints exactly.
        metrics.recordRequest(route: "api", status: 200, duration: 0.00390625)
        metrics.recordRequest(route: "api", status: 200, duration: 0.5)
        metrics.recordRequest(route: "api", status: 503, duration: 2)
        metrics.recordVerdict("accepted")
        metrics.recordVerdict("accepted")
        metrics.recordVerdict(.expired)
        metrics.recordHandshake(version: "1.3", cipher: "TLS_AES_128_GCM_SHA256", resumed: false)
        metrics.recordHandshake(version: "1.3", cipher: "TLS_AES_128_GCM_SHA256", resumed: true)
        metrics.recordHandshake(version: "1.3", cipher: "TLS_AES_128_GCM_SHA256", resumed: true)
        metrics.recordHandshakeFailure(reason: "certificate_required")
        metrics.recordUpstream(upstream: "orders", duration: 0.125, outcome: "2xx")
        metrics.setConnections(7)
        metrics.incrementReloads(success: true)
        metrics.incrementReloads(success: false)
        metrics.incrementReloads(success: true)

        let lines = metrics.render().split(separator: "\n").map(String.init)

        XCTAssertTrue(lines.contains("# HELP trustgate_requests_total Requests answered by the gateway, by route and HTTP status."))
        XCTAssertTrue(lines.contains("# TYPE trustgate_requests_total counter"))
        XCTAssertEqual(lines.filter { $0.hasPrefix("trustgate_requests_total{") }, [
            #"trustgate_requests_total{route="api",status="200"} 2"#,
            #"trustgate_requests_total{route="api",status="503"} 1"#,
        ])

        XCTAssertTrue(lines.contains("# TYPE trustgate_request_duration_seconds histogram"))
        XCTAssertEqual(lines.filter { $0.hasPrefix("trustgate_request_duration_seconds_") }, [
            #"trustgate_request_duration_seconds_bucket{route="api",le="0.001"} 0"#,
            #"trustgate_request_duration_seconds_bucket{route="api",le="0.0025"} 0"#,
            #"trustgate_request_duration_seconds_bucket{route="api",le="0.005"} 1"#,
            #"trustgate_request_duration_seconds_bucket{route="api",le="0.01"} 1"#,
            #"trustgate_request_duration_seconds_bucket{route="api",le="0.025"} 1"#,
            #"trustgate_request_duration_seconds_bucket{route="api",le="0.05"} 1"#,
            #"trustgate_request_duration_seconds_bucket{route="api",le="0.1"} 1"#,
            #"trustgate_request_duration_seconds_bucket{route="api",le="0.25"} 1"#,
            // An observation equal to a bound falls in that bucket (le = less or equal).
            #"trustgate_request_duration_seconds_bucket{route="api",le="0.5"} 2"#,
            #"trustgate_request_duration_seconds_bucket{route="api",le="1"} 2"#,
            #"trustgate_request_duration_seconds_bucket{route="api",le="2.5"} 3"#,
            #"trustgate_request_duration_seconds_bucket{route="api",le="5"} 3"#,
            #"trustgate_request_duration_seconds_bucket{route="api",le="10"} 3"#,
            #"trustgate_request_duration_seconds_bucket{route="api",le="30"} 3"#,
            #"trustgate_request_duration_seconds_bucket{route="api",le="60"} 3"#,
            #"trustgate_request_duration_seconds_bucket{route="api",le="+Inf"} 3"#,
            #"trustgate_request_duration_seconds_sum{route="api"} 2.50390625"#,
            #"trustgate_request_duration_seconds_count{route="api"} 3"#,
        ])

        // Every outcome is present from the start; unseen ones at 0.
        let verdictLines = lines.filter { $0.hasPrefix("trustgate_certificate_verdicts_total{") }
        XCTAssertEqual(verdictLines.count, 2 + RejectionCode.allCases.count)
        XCTAssertTrue(verdictLines.contains(#"trustgate_certificate_verdicts_total{outcome="none"} 0"#))
        XCTAssertTrue(verdictLines.contains(#"trustgate_certificate_verdicts_total{outcome="accepted"} 2"#))
        XCTAssertTrue(verdictLines.contains(#"trustgate_certificate_verdicts_total{outcome="expired"} 1"#))
        XCTAssertTrue(verdictLines.contains(#"trustgate_certificate_verdicts_total{outcome="revoked"} 0"#))

        XCTAssertEqual(lines.filter { $0.hasPrefix("trustgate_tls_handshake") && !$0.hasPrefix("#") }, [
            #"trustgate_tls_handshakes_total{version="1.3",cipher="TLS_AES_128_GCM_SHA256",resumed="false"} 1"#,
            #"trustgate_tls_handshakes_total{version="1.3",cipher="TLS_AES_128_GCM_SHA256",resumed="true"} 2"#,
            #"trustgate_tls_handshake_failures_total{reason="certificate_required"} 1"#,
            #"trustgate_tls_handshake_failures_total{reason="handshake_failed"} 0"#,
            #"trustgate_tls_handshake_failures_total{reason="tls_error"} 0"#,
            #"trustgate_tls_handshake_failures_total{reason="unclean_shutdown"} 0"#,
        ])
        XCTAssertTrue(lines.contains(#"trustgate_upstream_responses_total{upstream="orders",outcome="2xx"} 1"#))
        XCTAssertTrue(lines.contains(#"trustgate_upstream_duration_seconds_bucket{upstream="orders",le="0.1"} 0"#))
        XCTAssertTrue(lines.contains(#"trustgate_upstream_duration_seconds_bucket{upstream="orders",le="0.25"} 1"#))
        XCTAssertTrue(lines.contains(#"trustgate_upstream_duration_seconds_sum{upstream="orders"} 0.125"#))
        XCTAssertTrue(lines.contains("trustgate_open_connections 7"))
        XCTAssertTrue(lines.contains(#"trustgate_config_reloads_total{result="failure"} 1"#))
        XCTAssertTrue(lines.contains(#"trustgate_config_reloads_total{result="success"} 2"#))

        // Each family is announced once, HELP before TYPE, before its samples.
        let typeLines = lines.filter { $0.hasPrefix("# TYPE ") }
        XCTAssertEqual(typeLines.count, Set(typeLines).count)
        for (index, line) in lines.enumerated() where line.hasPrefix("# TYPE ") {
            let name = line.split(separator: " ")[2]
            XCTAssertTrue(lines[index - 1].hasPrefix("# HELP \(name) "), line)
        }
        XCTAssertFalse(lines.contains { $0.hasPrefix("trustgate_access_log_dropped_lines_total") })
    }

    func testLabelValuesAreEscaped() {
        let metrics = GatewayMetrics()
        metrics.recordRequest(route: "a\"b\\c\nd", status: 404, duration: 0)
        let text = metrics.render()
        XCTAssertTrue(text.contains(#"trustgate_requests_total{route="a\"b\\c\nd",status="404"} 1"# + "\n"), text)
        XCTAssertTrue(text.contains(#"trustgate_request_duration_seconds_count{route="a\"b\\c\nd"} 1"#))
        XCTAssertEqual(PrometheusText.escapeLabelValue("plain"), "plain")
    }

    func testExpiryGaugesInDaysAtRenderTime() {
        let metrics = GatewayMetrics()
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        metrics.setExpiry(kind: "server_certificate", name: "api.example.com", date: now.addingTimeInterval(2 * 86_400))
        metrics.setExpiry(kind: "trust_anchor", name: "CN=Root", date: now.addingTimeInterval(-86_400 / 4))
        metrics.setExpiry(kind: "crl", name: "ca.crl", date: now.addingTimeInterval(86_400 / 8))
        metrics.setExpiry(kind: "trust_anchor", name: "CN=Gone", date: now)
        metrics.setExpiry(kind: "trust_anchor", name: "CN=Gone", date: nil)

        var lines = metrics.render(now: now).split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.filter { $0.hasPrefix("trustgate_certificate_expiry_days{") }, [
            #"trustgate_certificate_expiry_days{kind="server_certificate",name="api.example.com"} 2.000"#,
            #"trustgate_certificate_expiry_days{kind="trust_anchor",name="CN=Root"} -0.250"#,
        ])
        XCTAssertEqual(lines.filter { $0.hasPrefix("trustgate_crl_next_update_days{") }, [
            #"trustgate_crl_next_update_days{name="ca.crl"} 0.125"#,
        ])

        // The same registry a day later: values follow the clock, not the time they were set.
        lines = metrics.render(now: now.addingTimeInterval(86_400)).split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains(#"trustgate_certificate_expiry_days{kind="server_certificate",name="api.example.com"} 1.000"#))

        metrics.removeAllExpiries()
        lines = metrics.render(now: now).split(separator: "\n").map(String.init)
        XCTAssertFalse(lines.contains { $0.hasPrefix("trustgate_certificate_expiry_days{") || $0.hasPrefix("trustgate_crl_next_update_days{") })
        XCTAssertTrue(lines.contains("# TYPE trustgate_crl_next_update_days gauge"))
    }

    func testExpiryTimestampsProcessMetricsTokenCountersAndHandshakeFailuresFromZero() {
        let metrics = GatewayMetrics()
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        metrics.setExpiry(kind: "server_certificate", name: "api.example.com", date: now.addingTimeInterval(86_400))
        metrics.setExpiry(kind: "crl", name: "CN=CA", date: now.addingTimeInterval(3600))
        metrics.recordClientCertificateSeen(sha256Hex: "AB", subject: "CN=client", notAfter: now.addingTimeInterval(7200))
        metrics.recordTokenIssued(clientID: "demo-client", method: "private_key_jwt")
        metrics.recordTokenIssued(clientID: "demo-client", method: "private_key_jwt")
        metrics.recordTokenRefusal(error: "invalid_client", reason: "secret_mismatch")
        let lines = Set(metrics.render(now: now).split(separator: "\n").map(String.init))
        for expected in [
            #"trustgate_certificate_expiry_timestamp_seconds{kind="server_certificate",name="api.example.com"} 1700086400"#,
            #"trustgate_crl_next_update_timestamp_seconds{name="CN=CA"} 1700003600"#,
            #"trustgate_client_certificate_expiry_timestamp_seconds{subject="CN=client",sha256="AB"} 1700007200"#,
            #"trustgate_tokens_issued_total{client_id="demo-client",method="private_key_jwt"} 2"#,
            #"trustgate_token_refusals_total{error="invalid_client",reason="secret_mismatch"} 1"#,
            #"trustgate_tls_handshake_failures_total{reason="handshake_failed"} 0"#,
            #"trustgate_tls_handshake_failures_total{reason="tls_error"} 0"#,
            #"trustgate_tls_handshake_failures_total{reason="unclean_shutdown"} 0"#,
        ] {
            XCTAssertTrue(lines.contains(expected), "missing \(expected)")
        }
        #if os(Linux)
        for family in ["process_cpu_seconds_total", "process_resident_memory_bytes", "process_open_fds", "process_max_fds", "process_start_time_seconds"] {
            let sample = lines.first { $0.hasPrefix(family + " ") }
            let value = sample.flatMap { Double($0.split(separator: " ").last ?? "") }
            XCTAssertNotNil(value, "\(family) missing or not a number")
            if family != "process_cpu_seconds_total" { XCTAssertGreaterThan(value ?? 0, 0, family) }
        }
        let start = lines.first { $0.hasPrefix("process_start_time_seconds ") }.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
        XCTAssertLessThan(abs(start - Date().timeIntervalSince1970), 86_400, "the process started today, not at \(start)")
        #endif
    }

    func testClientCertificateGaugeKeepsTheThousandMostRecentlySeen() {
        let metrics = GatewayMetrics()
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let notAfter = now.addingTimeInterval(30 * 86_400)
        for index in 0..<1000 {
            metrics.recordClientCertificateSeen(sha256Hex: "cert-\(index)", subject: "CN=client \(index)", notAfter: notAfter)
        }
        // Seen again: now the most recent, so not the one evicted next.
        metrics.recordClientCertificateSeen(sha256Hex: "cert-0", subject: "CN=client 0", notAfter: notAfter)
        for index in 1000..<1005 {
            metrics.recordClientCertificateSeen(sha256Hex: "cert-\(index)", subject: "CN=client \(index)", notAfter: notAfter)
        }

        let lines = metrics.render(now: now).split(separator: "\n").filter { $0.hasPrefix("trustgate_client_certificate_expiry_days{") }
        XCTAssertEqual(lines.count, GatewayMetrics.maximumClientCertificates)
        XCTAssertTrue(lines.contains(#"trustgate_client_certificate_expiry_days{subject="CN=client 0",sha256="cert-0"} 30.000"#))
        for evicted in 1...5 {
            XCTAssertFalse(lines.contains { $0.contains(#"sha256="cert-\#(evicted)""#) }, "cert-\(evicted)")
        }
        for kept in [6, 999, 1000, 1004] {
            XCTAssertTrue(lines.contains { $0.contains(#"sha256="cert-\#(kept)""#) }, "cert-\(kept)")
        }
    }

    func testRecencyTableEvictsLeastRecentlySeen() {
        var table = ClientCertificateRecency(capacity: 3)
        let date = Date(timeIntervalSince1970: 0)
        for name in ["a", "b", "c"] { table.record(sha256Hex: name, subject: name, notAfter: date) }
        table.record(sha256Hex: "a", subject: "a", notAfter: date)
        table.record(sha256Hex: "d", subject: "d", notAfter: date)  // evicts b
        table.record(sha256Hex: "c", subject: "c", notAfter: date)
        table.record(sha256Hex: "e", subject: "e", notAfter: date)  // evicts a
        XCTAssertEqual(Set(table.entries.map(\.sha256Hex)), ["c", "d", "e"])
    }

    func testFreeFormLabelsAreCapped() {
        let metrics = GatewayMetrics()
        for index in 0..<(GatewayMetrics.maximumFreeFormLabelValues + 10) {
            metrics.recordHandshakeFailure(reason: "reason-\(index)")
        }
        let lines = metrics.render().split(separator: "\n").filter { $0.hasPrefix("trustgate_tls_handshake_failures_total{") }
        // The cap, "other", and the known reasons that are always exported.
        XCTAssertEqual(lines.count, GatewayMetrics.maximumFreeFormLabelValues + 1 + GatewayMetrics.handshakeFailureReasons.count)
        XCTAssertTrue(lines.contains(#"trustgate_tls_handshake_failures_total{reason="other"} 10"#))
    }

    func testAccessLogDropsAreExposedWhenObserved() {
        let metrics = GatewayMetrics()
        metrics.observeAccessLogDrops { 42 }
        XCTAssertTrue(metrics.render().contains("\ntrustgate_access_log_dropped_lines_total 42\n"))
    }

    func testBuildInfoIsOneGaugeWhoseLabelsNameTheBuild() {
        let metrics = GatewayMetrics()
        // Absent until the executable says which build it is: the library has no version of its own.
        XCTAssertFalse(metrics.render().contains("trustgate_build_info"))
        metrics.setBuildInfo(version: "1.2.3", commit: "0123abc")
        let lines = metrics.render().split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains("# TYPE trustgate_build_info gauge"))
        XCTAssertEqual(lines.filter { $0.hasPrefix("trustgate_build_info") }, [#"trustgate_build_info{version="1.2.3",commit="0123abc"} 1"#])
    }

    // MARK: Access log

    private static let allKeys: Set<String> = [
        "time", "client_address", "sni", "method", "path", "status", "duration_ms", "upstream", "route",
        "certificate_subject", "certificate_sha256", "verdict", "http_version", "bytes_sent",
    ]

    private func temporaryPath(_ name: String) -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("trustgate-ops-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        return directory.appendingPathComponent(name).path
    }

    private func jsonLines(at path: String) throws -> [[String: Any]] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(text.hasSuffix("\n"))
        return try text.split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
            return try XCTUnwrap(object as? [String: Any], String(line))
        }
    }

    func testAccessLogAppendsOneJSONObjectPerLine() throws {
        let path = temporaryPath("access.log")
        try Data("existing line\n".utf8).write(to: URL(fileURLWithPath: path))
        let log = try AccessLog(destination: .file(path))
        // 2024-02-29T23:59:59.123Z (a leap day, milliseconds truncated not rounded).
        let time = Date(timeIntervalSince1970: 1_709_251_199.1239)
        let full = AccessLogEntry(
            time: time, clientAddress: "192.0.2.7:51234", sni: "api.example.com", method: "POST", path: "/orders?id=1",
            status: 201, durationMilliseconds: 12.34567, upstream: "orders", route: "orders-api",
            certificateSubject: "CN=client \"one\"\nO=Acme\\", certificateSHA256: "ab12", verdict: "accepted",
            httpVersion: "HTTP/2", bytesSent: 512)
        let minimal = AccessLogEntry(time: time, clientAddress: "[2001:db8::1]:443", method: "GET", path: "/", status: 404, durationMilliseconds: 0.5)
        log.write(full)
        log.write(minimal)
        log.flush()

        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("existing line\n"))
        let lines = try text.split(separator: "\n").dropFirst().map { line in
            try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
        XCTAssertEqual(lines.count, 2)

        let first = lines[0]
        XCTAssertEqual(Set(first.keys), Self.allKeys)
        XCTAssertEqual(first["time"] as? String, "2024-02-29T23:59:59.123Z")
        XCTAssertEqual(first["client_address"] as? String, "192.0.2.7:51234")
        XCTAssertEqual(first["sni"] as? String, "api.example.com")
        XCTAssertEqual(first["method"] as? String, "POST")
        XCTAssertEqual(first["path"] as? String, "/orders?id=1")
        XCTAssertEqual(first["status"] as? Int, 201)
        XCTAssertEqual(first["duration_ms"] as? Double, 12.346)
        XCTAssertEqual(first["upstream"] as? String, "orders")
        XCTAssertEqual(first["route"] as? String, "orders-api")
        XCTAssertEqual(first["certificate_subject"] as? String, "CN=client \"one\"\nO=Acme\\")
        XCTAssertEqual(first["certificate_sha256"] as? String, "ab12")
        XCTAssertEqual(first["verdict"] as? String, "accepted")
        XCTAssertEqual(first["http_version"] as? String, "HTTP/2")
        XCTAssertEqual(first["bytes_sent"] as? Int, 512)

        let second = lines[1]
        XCTAssertEqual(Set(second.keys), ["time", "client_address", "method", "path", "status", "duration_ms", "http_version"])
        XCTAssertEqual(second["duration_ms"] as? Double, 0.5)

        // The Encodable form is the same object.
        let encoded = try XCTUnwrap(try JSONSerialization.jsonObject(with: JSONEncoder().encode(full)) as? NSDictionary)
        XCTAssertEqual(encoded, first as NSDictionary)
    }

    func testAccessLogCreatesFileWithRestrictedPermissionsAndEscapesControlCharacters() throws {
        let path = temporaryPath("new.log")
        let log = try AccessLog(destination: .file(path))
        log.write(AccessLogEntry(clientAddress: "127.0.0.1:1", method: "GET", path: "/\u{1B}[2J\t\r", status: 200, durationMilliseconds: 1))
        log.flush()
        let raw = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(raw.contains(#""path":"/\u001b[2J\t\r""#), raw)
        XCTAssertEqual(raw.filter { $0 == "\n" }.count, 1)
        XCTAssertEqual(try jsonLines(at: path).first?["path"] as? String, "/\u{1B}[2J\t\r")
        let permissions = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        XCTAssertEqual(permissions, 0o640 & ~Int(Self.currentUmask()))
    }

    func testFullBufferDropsLinesAndCountsThem() throws {
        let path = temporaryPath("drops.log")
        let writerQueue = DispatchQueue(label: "test.access-log")
        let log = try AccessLog(destination: .file(path), bufferCapacity: 2, queue: writerQueue)
        // A stalled writer (a slow disk): nothing leaves the buffer.
        writerQueue.suspend()
        for index in 0..<5 {
            log.write(AccessLogEntry(clientAddress: "127.0.0.1:\(index)", method: "GET", path: "/\(index)", status: 200, durationMilliseconds: 1))
        }
        XCTAssertEqual(log.droppedLines, 3)
        writerQueue.resume()
        log.flush()
        XCTAssertEqual(try jsonLines(at: path).compactMap { $0["path"] as? String }, ["/0", "/1"])

        // Room again once the writer caught up.
        log.write(AccessLogEntry(clientAddress: "127.0.0.1:9", method: "GET", path: "/9", status: 200, durationMilliseconds: 1))
        log.flush()
        XCTAssertEqual(try jsonLines(at: path).count, 3)
        XCTAssertEqual(log.droppedLines, 3)
    }

    func testDisabledLogAndUnopenableFile() throws {
        let disabled = try AccessLog(destination: .disabled)
        XCTAssertFalse(disabled.isEnabled)
        disabled.write(AccessLogEntry(clientAddress: "x", method: "GET", path: "/", status: 200, durationMilliseconds: 0))
        disabled.flush()
        XCTAssertEqual(disabled.droppedLines, 0)

        let missingDirectory = temporaryPath("missing") + "/sub/access.log"
        XCTAssertThrowsError(try AccessLog(destination: .file(missingDirectory))) { error in
            guard let error = error as? AccessLogError, error.code == .cannotOpen else { return XCTFail("\(error)") }
            XCTAssertTrue(error.message.hasPrefix("cannot open access log \(missingDirectory): "), error.message)
        }
    }

    func testRFC3339TimestampsAcrossEras() {
        XCTAssertEqual(AccessLogEntry.rfc3339Milliseconds(Date(timeIntervalSince1970: 0)), "1970-01-01T00:00:00.000Z")
        XCTAssertEqual(AccessLogEntry.rfc3339Milliseconds(Date(timeIntervalSince1970: -0.001)), "1969-12-31T23:59:59.999Z")
        XCTAssertEqual(AccessLogEntry.rfc3339Milliseconds(Date(timeIntervalSince1970: 951_782_400.5)), "2000-02-29T00:00:00.500Z")
        XCTAssertEqual(AccessLogEntry.rfc3339Milliseconds(Date(timeIntervalSince1970: 4_102_444_799.999)), "2099-12-31T23:59:59.999Z")
    }

    private static func currentUmask() -> mode_t {
        let mask = umask(0)
        umask(mask)
        return mask
    }

    // MARK: Admin server over loopback

    func testAdminEndpointsOverOneKeepAliveConnection() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let metrics = GatewayMetrics()
        metrics.recordRequest(route: "api", status: 200, duration: 0.01)
        let readiness = ReadinessFlag()
        let server = AdminServer(address: ListenAddress(host: "127.0.0.1", port: 0), metrics: metrics, isReady: { readiness.isReady }, group: group)
        let port = try await server.start()
        XCTAssertGreaterThan(port, 0)

        let client = try await TestHTTPConnection.connect(port: port, group: group)

        let metricsResponse = try await client.send(.GET, "/metrics")
        XCTAssertEqual(metricsResponse.status, .ok)
        XCTAssertEqual(metricsResponse.headers["Content-Type"], ["text/plain; version=0.0.4; charset=utf-8"])
        XCTAssertTrue(metricsResponse.body.contains(#"trustgate_requests_total{route="api",status="200"} 1"#), metricsResponse.body)

        let health = try await client.send(.GET, "/healthz")
        XCTAssertEqual(health.status, .ok)
        XCTAssertEqual(health.headers["Content-Type"], ["application/json"])
        XCTAssertEqual(health.body, #"{"status":"ok"}"#)

        let notReady = try await client.send(.GET, "/readyz")
        XCTAssertEqual(notReady.status, .serviceUnavailable)
        XCTAssertEqual(notReady.body, #"{"status":"not ready"}"#)
        readiness.isReady = true
        let ready = try await client.send(.GET, "/readyz?verbose=1")
        XCTAssertEqual(ready.status, .ok)
        XCTAssertEqual(ready.body, #"{"status":"ready"}"#)

        let missing = try await client.send(.GET, "/admin")
        XCTAssertEqual(missing.status, .notFound)
        XCTAssertEqual(missing.headers["Content-Type"], ["application/problem+json"])
        let problem = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(missing.body.utf8)) as? NSDictionary)
        XCTAssertEqual(problem, ["type": "about:blank", "title": "Not Found", "status": 404] as NSDictionary)

        let posted = try await client.send(.POST, "/metrics", body: "x=1")
        XCTAssertEqual(posted.status, .methodNotAllowed)
        XCTAssertEqual(posted.headers["Allow"], ["GET, HEAD"])
        XCTAssertEqual(posted.headers["Content-Type"], ["application/problem+json"])

        let head = try await client.send(.HEAD, "/healthz")
        XCTAssertEqual(head.status, .ok)
        XCTAssertEqual(head.headers["Content-Length"], ["15"])
        XCTAssertEqual(head.body, "")

        // Every answer above came over the one connection.
        XCTAssertTrue(client.channel.isActive)
        XCTAssertEqual(client.responsesReceived, 7)

        try await server.stop()
        // Stopping closes open keep-alive connections and the listener.
        try await client.channel.closeFuture.get()
        do {
            _ = try await TestHTTPConnection.connect(port: port, group: group)
            XCTFail("the listener still accepts after stop()")
        } catch {}
        try await group.shutdownGracefully()
    }

    func testAdminClosesAfterConnectionCloseRequest() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server = AdminServer(address: ListenAddress(host: "127.0.0.1", port: 0), metrics: GatewayMetrics(), isReady: { true }, group: group)
        let port = try await server.start()
        await XCTAssertThrowsErrorAsync(try await server.start())

        let client = try await TestHTTPConnection.connect(port: port, group: group)
        let response = try await client.send(.GET, "/healthz", headers: [("Connection", "close")])
        XCTAssertEqual(response.status, .ok)
        XCTAssertEqual(response.headers["Connection"], ["close"])
        try await client.channel.closeFuture.get()

        try await server.stop()
        try await group.shutdownGracefully()
    }
}

private func XCTAssertThrowsErrorAsync<T>(_ expression: @autoclosure () async throws -> T, file: StaticString = #filePath, line: UInt = #line) async {
    do {
        _ = try await expression()
        XCTFail("no error thrown", file: file, line: line)
    } catch {}
}

private final class ReadinessFlag: Sendable {
    private let value = Mutex(false)

    var isReady: Bool {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}

/// A minimal HTTP/1.1 client over a real socket: one connection, requests sent one at a time.
private final class TestHTTPConnection {
    struct Response: Sendable {
        var status: HTTPResponseStatus
        var headers: HTTPHeaders
        var body: String
    }

    let channel: any Channel
    private var responses: AsyncStream<Response>.Iterator
    private(set) var responsesReceived = 0

    private init(channel: any Channel, responses: AsyncStream<Response>) {
        self.channel = channel
        self.responses = responses.makeAsyncIterator()
    }

    static func connect(port: Int, group: any EventLoopGroup) async throws -> TestHTTPConnection {
        let (stream, continuation) = AsyncStream<Response>.makeStream()
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ResponseCollector(continuation: continuation))
                }
            }
            .connect(host: "127.0.0.1", port: port)
            .get()
        return TestHTTPConnection(channel: channel, responses: stream)
    }

    func send(_ method: HTTPMethod, _ uri: String, headers extra: [(String, String)] = [], body: String? = nil) async throws -> Response {
        var headers = HTTPHeaders([("Host", "127.0.0.1")] + extra)
        if let body { headers.add(name: "Content-Length", value: String(body.utf8.count)) }
        channel.write(HTTPClientRequestPart.head(HTTPRequestHead(version: .http1_1, method: method, uri: uri, headers: headers)), promise: nil)
        if let body {
            channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(string: body))), promise: nil)
        }
        try await channel.writeAndFlush(HTTPClientRequestPart.end(nil))
        guard let response = await responses.next() else {
            throw ChannelError.eof
        }
        responsesReceived += 1
        return response
    }
}

private final class ResponseCollector: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    private let continuation: AsyncStream<TestHTTPConnection.Response>.Continuation
    private var head: HTTPResponseHead?
    private var body = ByteBuffer()

    init(continuation: AsyncStream<TestHTTPConnection.Response>.Continuation) {
        self.continuation = continuation
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.clear()
        case .body(var part):
            body.writeBuffer(&part)
        case .end:
            guard let head else { return }
            continuation.yield(.init(status: head.status, headers: head.headers, body: String(buffer: body)))
            self.head = nil
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        continuation.finish()
        context.fireChannelInactive()
    }
}
