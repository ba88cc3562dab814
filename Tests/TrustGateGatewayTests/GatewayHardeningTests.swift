import Foundation
import NIOCore
import NIOPosix
import TrustGateX509
import XCTest
@testable import TrustGateGateway

/// Issue 12, from the outside, on the wire: no spelling of a certificate, identity or framing header a client
/// sends reaches the upstream (headers and trailers, HTTP/1.1 and HTTP/2, every mode, behind and not behind
/// a trusted proxy); the client's Connection list cannot remove what the gateway adds; refused connections
/// close at once; slow and greedy clients are shed by the timeouts and limits.
///
/// The upstream records the raw bytes it receives, so a header that arrives in any spelling is seen. Every
/// spoofed value contains `SPOOF`: the assertion is that the word never reaches the upstream.
final class GatewayHardeningTests: InProcessGatewayTestCase {

    /// A gateway in front of a ``RecordingUpstream``.
    private final class Setup {
        let upstream: RecordingUpstream
        let server: GatewayServer
        var port: Int { server.boundPorts[0] }

        init(group: any EventLoopGroup, configure: (inout GatewayConfiguration) throws -> Void) async throws {
            upstream = RecordingUpstream(group: group)
            let upstreamPort = try await upstream.start()
            var configuration = GatewayConfiguration(
                listeners: [],
                upstreams: ["rec": UpstreamConfiguration(name: "rec", scheme: .http, host: "127.0.0.1", port: upstreamPort, responseTimeout: 5)],
                routes: [RouteConfiguration(name: "all", upstream: "rec")],
                accessLog: AccessLogConfiguration(destination: .disabled))
            try configure(&configuration)
            server = try GatewayServer(configuration: configuration, group: group)
            try await server.start()
        }

        func stop() async {
            await server.shutdown(drainTimeout: 1)
            await upstream.stop()
        }

        func metric(_ line: String) -> Bool {
            server.metrics.render().split(separator: "\n").contains { $0 == line }
        }
    }

    /// Underscore and mixed-case spellings of every header the gateway manages — certificate, principal,
    /// client-address, framing and hop-by-hop — each with a value an application must never see.
    private static let spoofedHeaders: [(String, String)] = [
        ("X_ARR_ClientCert", "SPOOF1"), ("x_arr_clientcert", "SPOOF2"), ("X-Arr-ClientCERT", "SPOOF3"), ("X-ARR_ClientCert", "SPOOF4"),
        ("Client_Cert", ":U1BPT0Y1:"), ("CLIENT_CERT_CHAIN", ":U1BPT0Y2:"), ("X_Forwarded_Client_Cert", "By=SPOOF7"),
        ("X_SSL_Client_Verify", "SPOOF8"), ("X_SSL_Client_Cert", "SPOOF9"), ("X_TrustGate_Principal", "SPOOF10"),
        ("X_TrustGate_Client_Subject", "CN=SPOOF11"), ("x-trustgate-client-sha256", "SPOOF12"), ("SSL_Client_Cert", "SPOOF13"),
        ("X_Forwarded_For", "SPOOF14"), ("X_Forwarded_Proto", "SPOOF15"), ("x_forwarded_host", "SPOOF16"),
        ("Keep_Alive", "SPOOF17"), ("Proxy_Authorization", "SPOOF18"), ("Transfer_Encoding", "SPOOF19"),
        ("Content_Length", "SPOOF20"), ("Proxy_Connection", "SPOOF21"), ("X_SSL_CLIENT_S_DN", "SPOOF22"),
    ]

    private func request(path: String, extra: [(String, String)], version: String = "HTTP/1.1") -> String {
        var text = "GET \(path) \(version)\r\nHost: localhost\r\n"
        for (name, value) in extra { text += "\(name): \(value)\r\n" }
        return text + "\r\n"
    }

    private func exchange(_ setup: Setup, _ text: String, tls: Bool = true, credential: GatewayTestPKI.Credential? = nil) async throws -> String {
        let client = try await WireClient.connect(port: setup.port, pki: pki, tls: tls, credential: credential, group: group)
        try await client.send(text)
        _ = await client.waitFor("\r\n\r\n", timeout: 10)
        // The response head is in; give its body a moment, then the upstream has seen everything.
        _ = await client.waitFor("ok", timeout: 2)
        await client.close()
        return client.received
    }

    // MARK: - Spoofed names in headers

    func testNoSpellingOfAManagedHeaderReachesTheUpstreamInAnyMode() async throws {
        for mode in [ClientCertificateMode.required, .optional, .ignore] {
            let setup = try await Setup(group: group) { config in
                config.listeners = [try GatewayHarness.tlsListener(pki: pki, mode: mode, excluded: mode == .required ? "/public" : "")]
            }
            // Excluded (or optional) path without a certificate: the app would see only the spoofed header.
            let anonymous = try await exchange(setup, request(path: "/public", extra: Self.spoofedHeaders))
            XCTAssertTrue(anonymous.hasPrefix("HTTP/1.1 200"), "\(mode): \(anonymous)")
            var seen = setup.upstream.received
            XCTAssertFalse(seen.uppercased().contains("SPOOF"), "\(mode), no certificate: \(seen)")
            XCTAssertFalse(seen.contains("U1BPT0Y"), "\(mode): a spoofed certificate value arrived: \(seen)")
            XCTAssertTrue(seen.lowercased().contains("\r\nhost: localhost\r\n"), seen)

            if mode != .ignore {
                setup.upstream.reset()
                let protected = try await exchange(setup, request(path: "/api", extra: Self.spoofedHeaders), credential: pki.client)
                XCTAssertTrue(protected.hasPrefix("HTTP/1.1 200"), "\(mode): \(protected)")
                seen = setup.upstream.received
                XCTAssertFalse(seen.uppercased().contains("SPOOF"), "\(mode), with a certificate: \(seen)")
                // The gateway's own certificate header is the only one, in its own spelling.
                let own = seen.components(separatedBy: "\r\n").filter { RequestHeaderClass.folded($0).hasPrefix("x-arr-clientcert:") }
                XCTAssertEqual(own.count, 1, seen)
                XCTAssertEqual(own.first.map { Array(Data(base64Encoded: String($0.dropFirst("X-ARR-ClientCert: ".count))) ?? Data()) }, pki.client.leafDER)
            }
            // Every name with `_` (20 of the 22) was dropped and counted, per request.
            let expected = mode == .ignore ? 20 : 40
            XCTAssertTrue(setup.metric("trustgate_request_fields_dropped_total{reason=\"underscore\"} \(expected)"), setup.server.metrics.render())
            await setup.stop()
        }
    }

    func testUnderscoreNamesAreDroppedByDefaultCountedAndAllowedBySetting() async throws {
        let custom: [(String, String)] = [("X_Custom_Flag", "app-value"), ("X_ARR_ClientCert", "SPOOF"), ("X_Forwarded_For", "SPOOF")]
        // Default: every name with `_` is dropped (nginx's underscores_in_headers off) and counted.
        var setup = try await Setup(group: group) { config in
            config.listeners = [try GatewayHarness.tlsListener(pki: pki, mode: .ignore)]
        }
        _ = try await exchange(setup, request(path: "/", extra: custom))
        XCTAssertFalse(setup.upstream.received.contains("X_Custom_Flag"), setup.upstream.received)
        XCTAssertTrue(setup.metric("trustgate_request_fields_dropped_total{reason=\"underscore\"} 3"), setup.server.metrics.render())
        await setup.stop()

        // Allowed on the listener: an ordinary name passes, managed ones are still removed.
        setup = try await Setup(group: group) { config in
            var listener = try GatewayHarness.tlsListener(pki: pki, mode: .ignore)
            listener.allowsUnderscoresInHeaders = true
            config.listeners = [listener]
        }
        _ = try await exchange(setup, request(path: "/", extra: custom))
        XCTAssertTrue(setup.upstream.received.contains("\r\nX_Custom_Flag: app-value\r\n"), setup.upstream.received)
        XCTAssertFalse(setup.upstream.received.contains("SPOOF"), setup.upstream.received)
        await setup.stop()

        // A route overrides its listener, both ways.
        setup = try await Setup(group: group) { config in
            var listener = try GatewayHarness.tlsListener(pki: pki, mode: .ignore)
            listener.allowsUnderscoresInHeaders = true
            config.listeners = [listener]
            config.routes = [
                RouteConfiguration(name: "strict", pathPrefix: "/strict", upstream: "rec", allowsUnderscoresInHeaders: false),
                RouteConfiguration(name: "rest", upstream: "rec"),
            ]
        }
        _ = try await exchange(setup, request(path: "/strict/x", extra: custom))
        XCTAssertFalse(setup.upstream.received.contains("X_Custom_Flag"), setup.upstream.received)
        await setup.stop()
    }

    func testATrustedProxysUnderscoreHeaderIsNotItsCertificateHeader() async throws {
        let setup = try await Setup(group: group) { config in
            var listener = try GatewayHarness.tlsListener(pki: pki, mode: .required)
            listener.tls = nil
            listener.hosts[0].serverCertificate = nil
            listener.trustedProxies = TrustedProxyConfiguration(addresses: [try CIDRBlock(parsing: "127.0.0.1")], format: .rfc9440)
            config.listeners = [listener]
        }
        let forwarded = ForwardedCertificateHeader.headers(for: pki.client.chainDER, format: .rfc9440)
        // Only underscore spellings of the proxy's headers: not its headers, so no certificate at all.
        let underscoreSpelling = forwarded.map { ($0.name.replacingOccurrences(of: "-", with: "_"), $0.value) }
        let refused = try await exchange(setup, request(path: "/api", extra: underscoreSpelling), tls: false)
        XCTAssertTrue(refused.hasPrefix("HTTP/1.1 403"), refused)
        XCTAssertTrue(refused.contains("no_certificate"), refused)
        // The real header, plus spoofed underscore spellings: the certificate is used, the spellings never
        // forwarded. (A second `Client-Cert` in any case would be refused: the header would appear twice.)
        setup.upstream.reset()
        let underscored = Self.spoofedHeaders.filter { $0.0.contains("_") }
        let accepted = try await exchange(setup, request(path: "/api", extra: forwarded.map { ($0.name, $0.value) } + underscored), tls: false)
        XCTAssertTrue(accepted.hasPrefix("HTTP/1.1 200"), accepted)
        XCTAssertFalse(setup.upstream.received.uppercased().contains("SPOOF"), setup.upstream.received)
        // The trusted proxy's X-Forwarded-For is kept; a client-supplied underscore one is not.
        XCTAssertTrue(setup.upstream.received.contains("X-Forwarded-For: 127.0.0.1"), setup.upstream.received)
        await setup.stop()
    }

    // MARK: - Trailers

    private func chunked(path: String, trailers: [(String, String)], headers: [(String, String)] = []) -> String {
        var text = "POST \(path) HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        text += "\r\n5\r\nhello\r\n0\r\n"
        for (name, value) in trailers { text += "\(name): \(value)\r\n" }
        return text + "\r\n"
    }

    func testSpoofedTrailersNeverReachTheUpstream() async throws {
        let setup = try await Setup(group: group) { config in
            var listener = try GatewayHarness.tlsListener(pki: pki, mode: .required, excluded: "/public")
            listener.allowsUnderscoresInHeaders = true
            config.listeners = [listener]
        }
        let trailers: [(String, String)] = [
            ("X-ARR-ClientCert", "SPOOF1"), ("X_ARR_ClientCert", "SPOOF2"), ("Client-Cert", ":U1BPT0Y=:"), ("client_cert_chain", "SPOOF3"),
            ("X-Forwarded-Client-Cert", "SPOOF4"), ("X-TrustGate-Principal", "SPOOF5"), ("X-Forwarded-For", "SPOOF6"),
            ("Forwarded", "for=SPOOF7"), ("X-SSL-Client-Verify", "SPOOF8"), ("X_Custom_Trailer", "kept-underscore"), ("X-Checksum", "kept-trailer"),
        ]
        for (path, credential) in [("/public", nil), ("/api", pki.client)] as [(String, GatewayTestPKI.Credential?)] {
            setup.upstream.reset()
            let response = try await exchange(setup, chunked(path: path, trailers: trailers), credential: credential)
            XCTAssertTrue(response.hasPrefix("HTTP/1.1 200"), "\(path): \(response)")
            let seen = setup.upstream.received
            XCTAssertFalse(seen.contains("SPOOF") || seen.contains("U1BPT0Y"), "\(path): \(seen)")
            XCTAssertTrue(seen.contains("X-Checksum: kept-trailer"), "an ordinary trailer is forwarded: \(seen)")
            XCTAssertTrue(seen.contains("X_Custom_Trailer: kept-underscore"), seen)
        }
        XCTAssertTrue(setup.metric("trustgate_request_fields_dropped_total{reason=\"trailer\"} 18"), setup.server.metrics.render())
        await setup.stop()
    }

    func testTrailerFieldsRFC9110ForbidsAreRefused() async throws {
        let setup = try await Setup(group: group) { config in
            config.listeners = [try GatewayHarness.tlsListener(pki: pki, mode: .ignore)]
        }
        for field in ["Content-Length", "Transfer-Encoding", "Host", "Authorization", "Content-Type", "Connection", "TE"] {
            let client = try await WireClient.connect(port: setup.port, pki: pki, group: group)
            try await client.send(chunked(path: "/", trailers: [(field, "1")]))
            let closed = await client.waitForClose(timeout: 5)
            XCTAssertTrue(client.received.hasPrefix("HTTP/1.1 400"), "\(field): \(client.received)")
            // Framing fields in a trailer are already a parse error in NIO's HTTP/1 parser (llhttp); the
            // others are the gateway's refusal, with its reason.
            if !["Content-Length", "Transfer-Encoding"].contains(field) {
                XCTAssertTrue(client.received.contains("invalid_trailer"), "\(field): \(client.received)")
            }
            XCTAssertNotNil(closed, "\(field): the connection stays open after the refusal")
            await client.close()
        }
        XCTAssertEqual(setup.upstream.requestCount, 0, "a refused request must not complete upstream")
        await setup.stop()
    }

    func testHTTP2HeadersAndTrailersAreStrippedAndForbiddenTrailersRefused() async throws {
        let setup = try await Setup(group: group) { config in
            config.listeners = [try GatewayHarness.tlsListener(pki: pki, mode: .required, excluded: "/public")]
        }
        let headers: [(String, String)] = [
            ("x_arr_clientcert", "SPOOF1"), ("client_cert", ":U1BPT0Y=:"), ("x_trustgate_principal", "SPOOF2"), ("x_forwarded_for", "SPOOF3"),
            ("x-arr-clientcert", "SPOOF4"), ("x-ssl-client-verify", "SPOOF5"),
        ]
        let trailers: [(String, String)] = [("x-arr-clientcert", "SPOOF6"), ("x_arr_clientcert", "SPOOF7"), ("client-cert", "SPOOF8"), ("x-checksum", "kept")]
        for (path, credential) in [("/public", nil), ("/api", pki.client)] as [(String, GatewayTestPKI.Credential?)] {
            setup.upstream.reset()
            let response = try await HTTP2Request.send(
                port: setup.port, pki: pki, credential: credential, group: group, path: path, headers: headers, body: "hello", trailers: trailers)
            XCTAssertEqual(response.status, 200, "\(path): \(response.body)")
            let seen = setup.upstream.received
            XCTAssertFalse(seen.contains("SPOOF") || seen.contains("U1BPT0Y"), "\(path): \(seen)")
            XCTAssertTrue(seen.contains("x-checksum: kept"), seen)
        }
        let refused = try await HTTP2Request.send(
            port: setup.port, pki: pki, group: group, path: "/public", headers: [], body: "hello", trailers: [("authorization", "Bearer x")])
        XCTAssertEqual(refused.status, 400, refused.body)
        XCTAssertTrue(refused.body.contains("invalid_trailer"), refused.body)
        await setup.stop()
    }

    // MARK: - Connection-nominated headers

    func testTheClientsConnectionListCannotRemoveWhatTheGatewaySends() async throws {
        let setup = try await Setup(group: group) { config in
            config.listeners = [try GatewayHarness.tlsListener(pki: pki, mode: .required)]
        }
        let response = try await exchange(setup, request(path: "/api", extra: [
            ("Connection", "host, x-forwarded-for, x-forwarded-proto, x-forwarded-host, forwarded, x-arr-clientcert, X_Private, x-private"),
            ("X-Private", "hop"), ("X-Kept", "yes"),
        ]), credential: pki.client)
        XCTAssertTrue(response.hasPrefix("HTTP/1.1 200"), response)
        let seen = setup.upstream.received
        XCTAssertTrue(seen.contains("\r\nHost: localhost\r\n"), "Host must always reach the upstream: \(seen)")
        XCTAssertTrue(seen.contains("\r\nX-Forwarded-For: 127.0.0.1\r\n"), seen)
        XCTAssertTrue(seen.contains("\r\nX-Forwarded-Proto: https\r\n"), seen)
        XCTAssertTrue(seen.contains("\r\nX-Forwarded-Host: localhost\r\n"), seen)
        XCTAssertTrue(seen.contains("\r\nX-ARR-ClientCert: "), "the certificate header the gateway adds stays: \(seen)")
        XCTAssertFalse(seen.contains("X-Private"), "the client's own nominated header is removed: \(seen)")
        XCTAssertTrue(seen.contains("\r\nX-Kept: yes\r\n"), seen)
        XCTAssertFalse(seen.lowercased().contains("\r\nconnection:"), seen)

        // A client without Host on HTTP/1.0 and `Connection: host`: the gateway still sends one.
        setup.upstream.reset()
        let old = try await exchange(setup, "GET /api HTTP/1.0\r\nConnection: host, keep-alive\r\n\r\n", credential: pki.client)
        XCTAssertTrue(old.hasPrefix("HTTP/1.0 200") || old.hasPrefix("HTTP/1.1 200"), old)
        XCTAssertTrue(setup.upstream.received.contains("\r\nHost: localhost\r\n"), setup.upstream.received)
        await setup.stop()
    }

    func testAConnectionListNamingAFramingHeaderIsRefused() async throws {
        let setup = try await Setup(group: group) { config in
            config.listeners = [try GatewayHarness.tlsListener(pki: pki, mode: .ignore)]
        }
        for list in ["content-length", "Close, Content-Length", "transfer-encoding", "Transfer_Encoding", "content_length"] {
            let body = "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nConnection: \(list)\r\n\r\nhello"
            let response = try await exchange(setup, body)
            XCTAssertTrue(response.hasPrefix("HTTP/1.1 400"), "\(list): \(response)")
            XCTAssertTrue(response.contains("invalid_connection_header"), "\(list): \(response)")
        }
        XCTAssertEqual(setup.upstream.requestCount, 0)
        await setup.stop()
    }

    // MARK: - Closing after a refusal

    func testTheConnectionClosesWithinASecondAfterA400() async throws {
        for tls in [true, false] {
            let setup = try await Setup(group: group) { config in
                var listener = try GatewayHarness.tlsListener(pki: pki, mode: .ignore)
                if !tls {
                    listener.tls = nil
                    listener.hosts[0].serverCertificate = nil
                }
                config.listeners = [listener]
            }
            for refused in ["GET /a/../b HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET / HTTP/1.1\r\nHost: localhost\r\nHost: other\r\n\r\n"] {
                let client = try await WireClient.connect(port: setup.port, pki: pki, tls: tls, group: group)
                try await client.send(refused)
                let awaited1 = await client.waitFor("HTTP/1.1 400", timeout: 5)
                XCTAssertTrue(awaited1, client.received)
                let answered = Date()
                let closed = await client.waitForClose(timeout: 5)
                XCTAssertNotNil(closed, "tls=\(tls): still open 5 s after the 400")
                if let closed { XCTAssertLessThan(closed.timeIntervalSince(answered), 1, "tls=\(tls)") }
                XCTAssertTrue(client.received.lowercased().contains("connection: close"), client.received)
                await client.close()
            }
            // An accepted keep-alive request does not close.
            let client = try await WireClient.connect(port: setup.port, pki: pki, tls: tls, group: group)
            try await client.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
            let awaited2 = await client.waitFor("ok", timeout: 5)
            XCTAssertTrue(awaited2)
            let closed = await client.waitForClose(timeout: 1.5)
            XCTAssertNil(closed, "a keep-alive connection was closed after a 200")
            await client.close()
            await setup.stop()
        }
    }

    // MARK: - Timeouts and limits

    func testASlowHeadIsShedWhileOtherClientsAreServed() async throws {
        let setup = try await Setup(group: group) { config in
            var listener = try GatewayHarness.tlsListener(pki: pki, mode: .ignore)
            listener.clientLimits.requestHeadTimeout = 1
            config.listeners = [listener]
        }
        let slow = try await WireClient.connect(port: setup.port, pki: pki, group: group)
        let started = Date()
        try await slow.send("GET / HTTP/1.1\r\n")
        // One header byte every 50 ms: the idle timeout never fires, the head timeout does (and bytes still
        // arrive while the 408 goes out).
        let dripping = Task {
            for byte in "X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" {
                try? await slow.send(String(byte))
                try? await Task.sleep(nanoseconds: 50_000_000)
                if slow.closedAt != nil { break }
            }
        }
        // Meanwhile a normal client is served at once, again and again.
        let normal = try await WireClient.connect(port: setup.port, pki: pki, group: group)
        for index in 0..<5 {
            let sent = Date()
            try await normal.send("GET /n\(index) HTTP/1.1\r\nHost: localhost\r\n\r\n")
            let awaited3 = await normal.waitFor("HTTP/1.1 200", count: index + 1, timeout: 1)
            XCTAssertTrue(awaited3, normal.received)
            XCTAssertLessThan(Date().timeIntervalSince(sent), 1)
            try? await Task.sleep(nanoseconds: 100_000_000)
        }
        let closed = await slow.waitForClose(timeout: 5)
        dripping.cancel()
        let elapsed = try XCTUnwrap(closed, "the slow client was never shed").timeIntervalSince(started)
        XCTAssertGreaterThan(elapsed, 0.9)
        XCTAssertLessThan(elapsed, 2.5)
        XCTAssertTrue(slow.received.hasPrefix("HTTP/1.1 408"), slow.received)
        XCTAssertTrue(slow.received.contains("request_head_timeout"), slow.received)
        XCTAssertNil(normal.closedAt, "the normal client was not affected")
        // Counted once, although the client kept sending after the 408.
        XCTAssertTrue(setup.metric("trustgate_client_connections_closed_total{reason=\"request_head_timeout\"} 1"), setup.server.metrics.render())
        await normal.close()
        await setup.stop()
    }

    func testKeepAliveRequestsWithPausesBetweenThemAreNotTimedOut() async throws {
        let setup = try await Setup(group: group) { config in
            var listener = try GatewayHarness.tlsListener(pki: pki, mode: .ignore)
            listener.clientLimits.requestHeadTimeout = 1
            config.listeners = [listener]
        }
        // Keep-alive: requests 1.5 s apart (longer than the head timeout), each head sent whole, are never
        // timed out: the clock starts with a head's first byte, not with the previous response.
        let client = try await WireClient.connect(port: setup.port, pki: pki, group: group)
        for index in 0..<2 {
            try await client.send("GET /k\(index) HTTP/1.1\r\nHost: localhost\r\n\r\n")
            let awaited4 = await client.waitFor("HTTP/1.1 200", count: index + 1, timeout: 2)
            XCTAssertTrue(awaited4, client.received)
            try? await Task.sleep(nanoseconds: 1_500_000_000)
        }
        XCTAssertNil(client.closedAt, client.received)
        XCTAssertEqual(client.received.components(separatedBy: "HTTP/1.1 200").count - 1, 2, client.received)
        await client.close()
        await setup.stop()
    }

    func testAStalledBodyGets408AndAStarvedOneTooWithAMinimumRate() async throws {
        let setup = try await Setup(group: group) { config in
            var listener = try GatewayHarness.tlsListener(pki: pki, mode: .ignore)
            listener.clientLimits.requestBodyTimeout = 1
            config.listeners = [listener]
            var rated = try GatewayHarness.tlsListener(pki: pki, mode: .ignore)
            rated.name = "rated"
            rated.clientLimits.requestBodyTimeout = 1
            rated.clientLimits.requestBodyMinimumRate = 1000
            config.listeners.append(rated)
        }
        // Stalled: ten bytes of a hundred, then nothing.
        let stalled = try await WireClient.connect(port: setup.port, pki: pki, group: group)
        let started = Date()
        try await stalled.send("POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n0123456789")
        let awaited5 = await stalled.waitForClose(timeout: 5)
        let closed = try XCTUnwrap(awaited5, "a stalled upload held the connection")
        XCTAssertLessThan(closed.timeIntervalSince(started), 2.5)
        XCTAssertTrue(stalled.received.hasPrefix("HTTP/1.1 408"), stalled.received)
        XCTAssertTrue(stalled.received.contains("request_body_timeout"), stalled.received)
        XCTAssertEqual(setup.upstream.requestCount, 0)

        // Starved: a byte every 200 ms never stalls for a second, but averages 5 bytes/s.
        let starved = try await WireClient.connect(port: setup.server.boundPorts[1], pki: pki, group: group)
        try await starved.send("POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\n")
        let dripping = Task {
            for _ in 0..<40 {
                try? await starved.send("x")
                try? await Task.sleep(nanoseconds: 200_000_000)
                if starved.closedAt != nil { break }
            }
        }
        let starvedClosed = await starved.waitForClose(timeout: 6)
        dripping.cancel()
        XCTAssertNotNil(starvedClosed, "a starved upload held the connection")
        XCTAssertTrue(starved.received.contains("request_body_min_rate"), starved.received)

        // A body that keeps coming within the timeout is proxied whole.
        let steady = try await WireClient.connect(port: setup.port, pki: pki, group: group)
        try await steady.send("POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: 6\r\n\r\nabc")
        try? await Task.sleep(nanoseconds: 600_000_000)
        try await steady.send("def")
        let awaited6 = await steady.waitFor("ok", timeout: 5)
        XCTAssertTrue(awaited6, steady.received)
        XCTAssertTrue(steady.received.hasPrefix("HTTP/1.1 200"), steady.received)
        await steady.close()
        XCTAssertTrue(setup.metric("trustgate_client_connections_closed_total{reason=\"request_body_timeout\"} 1"), setup.server.metrics.render())
        XCTAssertTrue(setup.metric("trustgate_client_connections_closed_total{reason=\"request_body_min_rate\"} 1"), setup.server.metrics.render())
        await setup.stop()
    }

    func testASilentTCPConnectionIsClosedAtTheHandshakeDeadline() async throws {
        let setup = try await Setup(group: group) { config in
            var listener = try GatewayHarness.tlsListener(pki: pki, mode: .ignore)
            listener.clientLimits.handshakeTimeout = 0.5
            config.listeners = [listener]
        }
        let silent = try await WireClient.connect(port: setup.port, pki: pki, tls: false, group: group)
        let started = Date()
        let awaited7 = await silent.waitForClose(timeout: 5)
        let closed = try XCTUnwrap(awaited7, "a silent connection outlived the handshake deadline")
        XCTAssertLessThan(closed.timeIntervalSince(started), 2)
        // A client that completes its handshake is not affected, however long it then waits.
        let patient = try await WireClient.connect(port: setup.port, pki: pki, group: group)
        try? await Task.sleep(nanoseconds: 1_000_000_000)
        try await patient.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        let awaited8 = await patient.waitFor("ok", timeout: 5)
        XCTAssertTrue(awaited8, patient.received)
        await patient.close()
        XCTAssertTrue(setup.metric("trustgate_client_connections_closed_total{reason=\"handshake_timeout\"} 1"), setup.server.metrics.render())
        await setup.stop()
    }

    func testConnectionsPerAddressAreLimited() async throws {
        let setup = try await Setup(group: group) { config in
            var listener = try GatewayHarness.tlsListener(pki: pki, mode: .ignore)
            listener.clientLimits.maximumConnectionsPerAddress = 2
            config.listeners = [listener]
        }
        var open: [WireClient] = []
        for _ in 0..<2 {
            let client = try await WireClient.connect(port: setup.port, pki: pki, group: group)
            try await client.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
            let awaited9 = await client.waitFor("ok", timeout: 5)
            XCTAssertTrue(awaited9, client.received)
            open.append(client)
        }
        let third = try await WireClient.connect(port: setup.port, pki: pki, tls: false, group: group)
        let awaited10 = await third.waitForClose(timeout: 2)
        XCTAssertNotNil(awaited10, "a third connection from one address was accepted")
        XCTAssertTrue(setup.metric("trustgate_client_connections_closed_total{reason=\"max_connections_per_address\"} 1"), setup.server.metrics.render())
        // One closes: a new one is admitted.
        await open[0].close()
        try? await Task.sleep(nanoseconds: 200_000_000)
        let again = try await WireClient.connect(port: setup.port, pki: pki, group: group)
        try await again.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        let awaited11 = await again.waitFor("ok", timeout: 5)
        XCTAssertTrue(awaited11, again.received)
        await again.close()
        await open[1].close()
        await setup.stop()
    }
}
