import Foundation
import XCTest
@testable import TrustGateGateway

final class OperationsDumpTemp: XCTestCase {
    func testDump() throws {
        let m = GatewayMetrics()
        m.recordRequest(route: "a\"b\\c\nd", status: 200, duration: 0.003)
        m.recordRequest(route: "api", status: 503, duration: 1.7)
        m.recordVerdict("accepted")
        m.recordHandshake(host: "h", resumed: true)
        m.recordHandshakeFailure(reason: "x")
        m.recordUpstream(upstream: "u", duration: 0.2, outcome: "2xx")
        m.recordClientCertificateSeen(sha256Hex: "ab", subject: "CN=x, O=\"y\"", notAfter: Date().addingTimeInterval(1e6))
        m.setExpiry(kind: "crl", name: "c", date: Date().addingTimeInterval(-5000))
        m.setExpiry(kind: "server_certificate", name: "s", date: Date().addingTimeInterval(5000))
        m.observeAccessLogDrops { 3 }
        try m.render().write(toFile: "/tmp/metrics-dump.txt", atomically: true, encoding: .utf8)
        // rough cost of the hot-path calls
        let n = 1_000_000
        let start = Date()
        for i in 0..<n { m.recordRequest(route: "api", status: 200 + (i & 3), duration: 0.01) }
        let mid = Date()
        for _ in 0..<n { m.recordVerdict("accepted") }
        let end = Date()
        let log = try AccessLog(destination: .file("/tmp/al-bench.log"), bufferCapacity: 1 << 20)
        let e = AccessLogEntry(clientAddress: "127.0.0.1:5", sni: "a.example", method: "GET", path: "/x/y?z=1", status: 200, durationMilliseconds: 1.234, upstream: "u", route: "r", certificateSubject: "CN=client, O=Acme", certificateSHA256: String(repeating: "ab", count: 32), verdict: "accepted", httpVersion: "HTTP/1.1", bytesSent: 100)
        let s2 = Date()
        for _ in 0..<200_000 { log.write(e) }
        let s3 = Date()
        log.flush()
        let s4 = Date()
        print("recordRequest ns", mid.timeIntervalSince(start) / Double(n) * 1e9, "recordVerdict ns", end.timeIntervalSince(mid) / Double(n) * 1e9,
              "log.write ns", s3.timeIntervalSince(s2) / 2e5 * 1e9, "encode+write per line ns", s4.timeIntervalSince(s2) / 2e5 * 1e9, "dropped", log.droppedLines)
    }
}
