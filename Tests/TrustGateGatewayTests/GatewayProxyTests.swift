import Crypto
import NIOConcurrencyHelpers
import Foundation
import TrustGateDemo
import TrustGateX509
import XCTest
@testable import TrustGateGateway

/// Proxying behaviour end to end: headers, forwarding formats, spoofing, SNI/Host, upstream failures,
/// streaming, reload and shutdown.
final class GatewayProxyTests: XCTestCase {
    var pki: GatewayTestPKI!

    override func setUpWithError() throws {
        try XCTSkipUnless(Curl.isAvailable, "curl is not installed")
        pki = try GatewayTestPKI()
    }

    override func tearDown() {
        pki?.remove()
    }

    private static let spoofHeaders = [
        "X-ARR-ClientCert: AAAA", "Client-Cert: :AAAA:", "Client-Cert-Chain: :AAAA:", "X-Forwarded-Client-Cert: Hash=00",
        "X-SSL-Client-Cert: x", "X-TrustGate-Client-Subject: CN=admin", "X-SSL-Client-Verify: SUCCESS",
    ]

    func testSpoofedCertificateHeadersAreStrippedInEveryMode() async throws {
        for (mode, excluded) in [(ClientCertificateMode.required, "/public"), (.optional, ""), (.ignore, "")] {
            let harness = try await GatewayHarness(pki: pki) { config, _ in
                config.listeners = [try GatewayHarness.tlsListener(pki: pki, mode: mode, excluded: excluded)]
            }
            let extra = Self.spoofHeaders.flatMap { ["-H", $0] }
            var results = [try Curl.request("/public", port: harness.port, pki: pki, extra: extra)]
            if mode != .ignore {
                results.append(try Curl.request("/api", port: harness.port, pki: pki, credential: pki.client, extra: extra))
            }
            await harness.stop()
            for result in results {
                XCTAssertEqual(result.status, 200, "\(mode): \(result.body)")
                let headers = result.upstreamHeaders
                for name in ["client-cert", "client-cert-chain", "x-forwarded-client-cert", "x-ssl-client-cert", "x-trustgate-client-subject", "x-ssl-client-verify"] {
                    XCTAssertNil(headers[name], "\(mode): \(name) reached the upstream")
                }
                for value in headers["x-arr-clientcert"] ?? [] {
                    XCTAssertEqual(Array(Data(base64Encoded: value) ?? Data()), pki.client.leafDER, "only the gateway's own header may arrive")
                }
            }
        }
    }

    func testPipelinedHTTP1RequestsAreAnsweredInOrder() async throws {
        let harness = try await GatewayHarness(pki: pki) { config, _ in
            config.listeners = [try GatewayHarness.tlsListener(pki: pki, mode: .ignore)]
        }
        // Three requests in one write; the first is slow upstream, so the others wait their turn.
        let output = try RawTLS.exchange(port: harness.port, pki: pki, request:
            "GET /delay/200 HTTP/1.1\r\nHost: localhost\r\n\r\n"
            + "GET /second HTTP/1.1\r\nHost: localhost\r\n\r\n"
            + "GET /nowhere/../x HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        await harness.stop()
        let first = try XCTUnwrap(output.range(of: "\"uri\":\"/delay/200\""), output)
        let second = try XCTUnwrap(output.range(of: "\"uri\":\"/second\""), output)
        let third = try XCTUnwrap(output.range(of: "HTTP/1.1 400"), output)
        XCTAssertLessThan(first.lowerBound, second.lowerBound)
        XCTAssertLessThan(second.lowerBound, third.lowerBound)
    }

    func testHopByHopHeadersAreNotForwarded() async throws {
        let harness = try await GatewayHarness(pki: pki) { config, _ in
            config.listeners = [try GatewayHarness.tlsListener(pki: pki, mode: .ignore)]
        }
        let result = try Curl.request("/", port: harness.port, pki: pki, extra: [
            "--http1.1", "-H", "Connection: keep-alive, X-Private", "-H", "X-Private: secret-hop", "-H", "Keep-Alive: timeout=5",
            "-H", "TE: trailers", "-H", "Proxy-Authorization: Basic Zm9vOmJhcg==", "-H", "X-End-To-End: kept",
        ])
        await harness.stop()
        let headers = result.upstreamHeaders
        for name in ["x-private", "keep-alive", "te", "proxy-authorization"] {
            XCTAssertNil(headers[name], "\(name) is hop-by-hop")
        }
        XCTAssertEqual(headers["connection"], nil)
        XCTAssertEqual(headers["x-end-to-end"], ["kept"])
    }

    func testHTTPSUpstreamWithItsOwnCAAndAClientCertificateForTheUpstreamHop() async throws {
        // The upstream is a second gateway requiring mutual TLS, in front of the echo service: what the echo
        // sees as X-ARR-ClientCert is the certificate the first gateway presented on the upstream hop.
        let inner = try await GatewayHarness(pki: pki) { config, _ in
            config.listeners = [try GatewayHarness.tlsListener(pki: pki, mode: .required)]
        }
        let innerPort = inner.port
        let outer = try await GatewayHarness(pki: pki) { config, _ in
            config.listeners = [try GatewayHarness.tlsListener(pki: pki, mode: .ignore)]
            config.upstreams["secure"] = UpstreamConfiguration(
                name: "secure", scheme: .https, host: "127.0.0.1", port: innerPort,
                trustRoots: [pki.authority.root], clientCertificate: pki.secondClient.pair, serverName: "localhost")
            config.routes = [RouteConfiguration(name: "secure", upstream: "secure")]
        }
        let first = try Curl.request("/through?x=1", port: outer.port, pki: pki)
        let second = try Curl.request("/again", port: outer.port, pki: pki)
        await outer.stop()
        await inner.stop()
        XCTAssertEqual(first.status, 200, first.body)
        XCTAssertEqual(first.json?["uri"] as? String, "/through?x=1")
        let forwarded = try XCTUnwrap(first.upstreamHeaders["x-arr-clientcert"]?.first)
        XCTAssertEqual(Array(Data(base64Encoded: forwarded) ?? Data()), pki.secondClient.leafDER)
        XCTAssertEqual(second.status, 200)
    }

    func testHTTPSUpstreamWithAnUntrustedCertificateIsABadGateway() async throws {
        let inner = try await GatewayHarness(pki: pki) { config, _ in
            config.listeners = [try GatewayHarness.tlsListener(pki: pki, mode: .ignore)]
        }
        let innerPort = inner.port
        let outer = try await GatewayHarness(pki: pki) { config, _ in
            config.listeners = [try GatewayHarness.tlsListener(pki: pki, mode: .ignore)]
            config.upstreams["secure"] = UpstreamConfiguration(
                name: "secure", scheme: .https, host: "127.0.0.1", port: innerPort,
                trustRoots: [pki.foreign.issued.certificate], serverName: "localhost")  // not the upstream's CA
            config.routes = [RouteConfiguration(name: "secure", upstream: "secure")]
        }
        let result = try Curl.request("/", port: outer.port, pki: pki)
        await outer.stop()
        await inner.stop()
        XCTAssertEqual(result.status, 502)
        XCTAssertEqual(inner.upstream.requestCount, 0)
    }

    func testEachForwardingFormatCarriesExactlyTheDERTheClientSent() async throws {
        let harness = try await GatewayHarness(pki: pki) { config, _ in
            config.listeners = [try GatewayHarness.tlsListener(pki: pki, mode: .required)]
            config.routes = [RouteConfiguration(
                name: "all", upstream: "echo",
                forwarding: CertificateForwarding(formats: [.arrClientCert, .rfc9440, .xfcc, .nginxEscapedPEM], infoHeaders: true),
                forwardedHeaders: .both)]
        }
        let result = try Curl.request("/", port: harness.port, pki: pki, credential: pki.client)
        await harness.stop()
        XCTAssertEqual(result.status, 200)
        let headers = result.upstreamHeaders
        let sent = pki.client.chainDER
        for format in ForwardedCertificateFormat.allCases {
            let chain = try XCTUnwrap(ForwardedCertificateHeader.chain(format: format) { headers[$0] ?? [] }, "\(format)")
            XCTAssertEqual(chain.first, sent.first, "\(format) leaf")
            if format == .rfc9440 || format == .xfcc {
                XCTAssertEqual(chain, sent, "\(format) carries the whole presented chain")
            }
        }
        XCTAssertEqual(headers["x-trustgate-client-sha256"], [CertificateFingerprints.upperHex(Array(SHA256.hash(data: sent[0])))])
        XCTAssertEqual(headers["x-trustgate-client-subject"], ["CN=client"])
        XCTAssertEqual(headers["forwarded"], ["for=127.0.0.1;proto=https;host=\"localhost:\(harness.port)\""])
    }

    func testSeed002DecodesTheForwardedHeaderAsItsPythonSampleDoes() async throws {
        let python = "/usr/bin/python3"
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: python), "python3 is not installed")
        let harness = try await GatewayHarness(pki: pki) { config, _ in
            config.listeners = [try GatewayHarness.tlsListener(pki: pki, mode: .required)]
        }
        let result = try Curl.request("/", port: harness.port, pki: pki, credential: pki.client)
        await harness.stop()
        let header = try XCTUnwrap(result.upstreamHeaders["x-arr-clientcert"]?.first)
        // Seed 002's sample: base64 → DER → certificate, then compare. Plain standard library so it runs anywhere.
        let script = """
        import base64, hashlib, sys
        der = base64.b64decode(sys.argv[1])
        assert der[0] == 0x30, "not a DER SEQUENCE"
        print(hashlib.sha1(der).hexdigest().upper())
        """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", script, header]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let printed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        process.waitUntilExit()
        XCTAssertEqual(printed, CertificateFingerprints(pki.client.issued.certificate).sha1Hex)
    }

    func testHostThatSelectsAnotherConfiguredHostGets421() async throws {
        let harness = try await GatewayHarness(pki: pki) { config, _ in
            var listener = try GatewayHarness.tlsListener(pki: pki, mode: .ignore)
            listener.hosts.append(HostConfiguration(
                names: ["other.test"], serverCertificate: pki.server.pair,
                clientCertificates: ClientCertificateSettings(mode: .required, policy: try pki.policy())))
            config.listeners = [listener]
        }
        // SNI localhost (no certificate asked) but Host: other.test (which requires one): the bypass attempt.
        let bypass = try Curl.request("/", port: harness.port, pki: pki, extra: ["-H", "Host: other.test"])
        let direct = try Curl.request("/", port: harness.port, pki: pki, host: "other.test")
        let directWithCert = try Curl.request("/", port: harness.port, pki: pki, credential: pki.client, host: "other.test")
        let unknownHost = try Curl.request("/", port: harness.port, pki: pki, extra: ["-H", "Host: unknown.test"])
        // curl folds repeated Host headers; openssl s_client sends the bytes as written.
        let doubleHost = try RawTLS.exchange(
            port: harness.port, pki: pki, request: "GET / HTTP/1.1\r\nHost: localhost\r\nHost: other.test\r\nConnection: close\r\n\r\n")
        await harness.stop()
        XCTAssertEqual(bypass.status, 421)
        XCTAssertEqual(bypass.json?["reason"] as? String, "sni_host_mismatch")
        XCTAssertEqual(direct.status, 403)
        XCTAssertEqual(directWithCert.status, 200)
        XCTAssertEqual(unknownHost.status, 200, "a Host no configured site claims stays on the SNI's site")
        XCTAssertTrue(doubleHost.contains("HTTP/1.1 400"), doubleHost)
        XCTAssertTrue(doubleHost.contains("invalid_host"), doubleHost)
    }

    func testUpstreamFailuresAnswer502And504AndUpstreamErrorsPassThrough() async throws {
        let harness = try await GatewayHarness(pki: pki) { config, upstreamPort in
            config.listeners = [try GatewayHarness.tlsListener(pki: pki, mode: .ignore)]
            config.upstreams["down"] = UpstreamConfiguration(name: "down", scheme: .http, host: "127.0.0.1", port: 1, connectTimeout: 2)
            config.upstreams["slow"] = UpstreamConfiguration(name: "slow", scheme: .http, host: "127.0.0.1", port: upstreamPort, responseTimeout: 0.3)
            config.routes = [
                RouteConfiguration(name: "down", pathPrefix: "/down", upstream: "down"),
                RouteConfiguration(name: "slow", pathPrefix: "/delay", upstream: "slow"),
                RouteConfiguration(name: "all", upstream: "echo"),
            ]
        }
        let down = try Curl.request("/down", port: harness.port, pki: pki)
        let slow = try Curl.request("/delay/3000", port: harness.port, pki: pki)
        let upstreamError = try Curl.request("/status/503", port: harness.port, pki: pki)
        await harness.stop()
        XCTAssertEqual(down.status, 502)
        XCTAssertEqual(down.json?["reason"] as? String, "upstream_unavailable")
        XCTAssertEqual(slow.status, 504)
        XCTAssertEqual(slow.json?["reason"] as? String, "upstream_timeout")
        XCTAssertEqual(upstreamError.status, 503)
        XCTAssertTrue(upstreamError.headers.lowercased().contains("x-echo-status: 503"), "the upstream's own error passes unchanged")
    }

    func testLargeUploadStreamsThroughOverHTTP1AndHTTP2() async throws {
        let harness = try await GatewayHarness(pki: pki) { config, _ in
            config.listeners = [try GatewayHarness.tlsListener(pki: pki, mode: .required, excluded: "/bytes")]
        }
        let size = 48 * 1024 * 1024
        let file = pki.directory + "/upload.bin"
        var bytes = [UInt8](repeating: 0, count: size)
        for index in stride(from: 0, to: size, by: 4096) { bytes[index] = UInt8(truncatingIfNeeded: index / 4096) }
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        let digest = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        for http in ["--http1.1", "--http2"] {
            let result = try Curl.request("/upload", port: harness.port, pki: pki, credential: pki.client, extra: [http, "--data-binary", "@" + file, "-H", "Content-Type: application/octet-stream"])
            XCTAssertEqual(result.status, 200, "\(http) \(result.stderr)")
            XCTAssertEqual(result.json?["body_length"] as? Int, size, http)
            XCTAssertEqual(result.json?["body_sha256"] as? String, digest, http)
        }
        // Without a certificate the upload is refused, and with Expect: 100-continue never sent at all.
        let refused = try Curl.request("/upload", port: harness.port, pki: pki, extra: ["--http1.1", "--data-binary", "@" + file, "-H", "Expect: 100-continue"])
        XCTAssertEqual(refused.status, 403)
        // A large download streams back.
        let download = try Curl.request("/bytes/20000000", port: harness.port, pki: pki, extra: ["--http2"])
        XCTAssertEqual(download.status, 200)
        XCTAssertEqual(download.body.utf8.count, 20_000_000)
        await harness.stop()
    }

    func testTrustedProxyHeaderIsUsedOnlyFromTrustedPeers() async throws {
        let chainHeader = ForwardedCertificateHeader.headers(for: pki.client.chainDER, format: .rfc9440)
        let extra = chainHeader.flatMap { ["-H", "\($0.name): \($0.value)"] }
        for (trusted, expected) in [(true, 200), (false, 403)] {
            let harness = try await GatewayHarness(pki: pki) { config, _ in
                var listener = try GatewayHarness.tlsListener(pki: pki, mode: .required)
                listener.tls = nil
                listener.hosts[0].serverCertificate = nil
                listener.trustedProxies = TrustedProxyConfiguration(
                    addresses: [try CIDRBlock(parsing: trusted ? "127.0.0.0/8" : "10.0.0.0/8")], format: .rfc9440)
                config.listeners = [listener]
            }
            let result = try Curl.request("/api", port: harness.port, pki: pki, scheme: "http", extra: extra)
            await harness.stop()
            XCTAssertEqual(result.status, expected, "trusted=\(trusted): \(result.body)")
            if trusted {
                XCTAssertEqual(Array(Data(base64Encoded: result.upstreamHeaders["x-arr-clientcert"]?.first ?? "") ?? Data()), pki.client.leafDER)
                XCTAssertNil(result.upstreamHeaders["client-cert"], "the proxy's header is consumed, not passed on")
            } else {
                XCTAssertEqual(result.json?["reason"] as? String, "no_certificate")
            }
        }
    }

    func testTrustedProxyForwardingARevokedCertificateIsRefused() async throws {
        let harness = try await GatewayHarness(pki: pki) { config, _ in
            var listener = try GatewayHarness.tlsListener(pki: pki, mode: .required)
            listener.tls = nil
            listener.hosts[0].serverCertificate = nil
            listener.trustedProxies = TrustedProxyConfiguration(addresses: [try CIDRBlock(parsing: "127.0.0.1")], format: .rfc9440)
            config.listeners = [listener]
        }
        let headers = ForwardedCertificateHeader.headers(for: pki.revoked.chainDER, format: .rfc9440).flatMap { ["-H", "\($0.name): \($0.value)"] }
        let revoked = try Curl.request("/", port: harness.port, pki: pki, scheme: "http", extra: headers)
        let garbage = try Curl.request("/", port: harness.port, pki: pki, scheme: "http", extra: ["-H", "Client-Cert: not a byte sequence"])
        await harness.stop()
        XCTAssertEqual(revoked.json?["reason"] as? String, "revoked")
        XCTAssertEqual(garbage.status, 400)
    }

    func testAReloadedCRLReachesOpenKeepAliveConnections() async throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl"), "openssl is not installed")
        let harness = try await GatewayHarness(pki: pki) { config, _ in
            config.listeners = [try GatewayHarness.tlsListener(pki: pki, mode: .required)]
        }
        // One keep-alive connection (openssl s_client, the client sends its chain), two requests on it.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["s_client", "-quiet", "-connect", "127.0.0.1:\(harness.port)", "-servername", "localhost", "-CAfile", pki.caFile,
                             "-cert", pki.client.chainFile, "-cert_chain", pki.client.chainFile, "-key", pki.client.keyFile, "-ign_eof"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let log = StderrCollector(output.fileHandleForReading)
        input.fileHandleForWriting.write(Data("GET /before HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8))
        XCTAssertNotNil(log.waitFor("\"uri\":\"/before\"", timeout: 30), log.text)

        // The client certificate is revoked and the CRL reloaded while the connection stays open.
        _ = try pki.authority.revoke(certificate: pki.client.issued.certificate)
        let crl = try pki.authority.makeCRL(validity: 86_400)
        try crl.pemString.write(toFile: pki.crlFile, atomically: true, encoding: .utf8)
        var updated = harness.server.configuration
        updated.listeners[0].hosts[0].clientCertificates.policy = try pki.policy()
        try harness.server.reload(updated)

        input.fileHandleForWriting.write(Data("GET /after HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".utf8))
        XCTAssertNotNil(log.waitFor("HTTP/1.1 403", timeout: 30), log.text)
        process.waitUntilExit()
        await harness.stop()
        XCTAssertTrue(log.text.contains("\"reason\":\"revoked\""), log.text)
        XCTAssertFalse(log.text.contains("\"uri\":\"/after\""), "the request after the reload must not reach the upstream")
    }

    func testReloadAppliesToNewConnectionsAndInvalidReloadKeepsServing() async throws {
        let harness = try await GatewayHarness(pki: pki) { config, _ in
            config.listeners = [try GatewayHarness.tlsListener(pki: pki, mode: .ignore)]
        }
        XCTAssertEqual(try Curl.request("/", port: harness.port, pki: pki).status, 200)
        var stricter = harness.server.configuration
        stricter.listeners[0].hosts[0].clientCertificates = ClientCertificateSettings(mode: .required, policy: try pki.policy())
        try harness.server.reload(stricter)
        XCTAssertEqual(try Curl.request("/", port: harness.port, pki: pki).json?["reason"] as? String, "no_certificate")
        XCTAssertEqual(try Curl.request("/", port: harness.port, pki: pki, credential: pki.client).status, 200)

        var moved = stricter
        moved.listeners[0].address.port = 1
        XCTAssertThrowsError(try harness.server.reload(moved))
        var broken = stricter
        broken.routes = [RouteConfiguration(name: "x", upstream: "missing")]
        XCTAssertThrowsError(try harness.server.reload(broken))
        XCTAssertEqual(try Curl.request("/", port: harness.port, pki: pki, credential: pki.client).status, 200, "the old configuration keeps serving")
        await harness.stop()
    }

    func testGracefulShutdownLetsTheInFlightRequestFinish() async throws {
        let harness = try await GatewayHarness(pki: pki) { config, _ in
            config.listeners = [try GatewayHarness.tlsListener(pki: pki, mode: .ignore)]
        }
        let port = harness.port
        let pending = BackgroundCurl(path: "/delay/700", port: port, pki: pki)
        // Shut down only once the request is in flight (it reached the upstream, which answers after 700 ms).
        let deadline = Date().addingTimeInterval(30)
        while harness.upstream.requestCount == 0, Date() < deadline {
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        XCTAssertEqual(harness.upstream.requestCount, 1)
        await harness.server.shutdown(drainTimeout: 5)
        XCTAssertEqual(pending.wait()?.status, 200)
        let after = try Curl.request("/", port: port, pki: pki)
        XCTAssertEqual(after.status, 0, "no longer accepting")
        await harness.stop()
    }
}
