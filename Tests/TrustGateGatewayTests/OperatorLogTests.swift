import Foundation
import Logging
import NIOCore
import NIOPosix
import TrustGateAuth
import TrustGateConfiguration
import TrustGateStore
import TrustGateX509
import XCTest
@testable import TrustGateGateway

/// The operator log (issue 15 §4): each event the gateway logs, with the fields an operator needs, driven in
/// process over real TLS and captured by a log handler of the test's own.
final class OperatorLogTests: InProcessGatewayTestCase {

    /// Every event logged, in order.
    final class CapturedLog: @unchecked Sendable {
        struct Event {
            let level: Logger.Level
            let message: String
            let metadata: [String: String]
        }

        private let lock = NSLock()
        private var stored: [Event] = []

        var events: [Event] {
            lock.lock()
            defer { lock.unlock() }
            return stored
        }

        func append(_ event: Event) {
            lock.lock()
            stored.append(event)
            lock.unlock()
        }

        /// Waits (briefly) for an event with `message`.
        func first(_ message: String, timeout: TimeInterval = 5) async -> Event? {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                if let event = events.first(where: { $0.message == message }) { return event }
                try? await Task.sleep(nanoseconds: 20_000_000)
            }
            return nil
        }

        var logger: Logger {
            Logger(label: "test") { _ in Handler(log: self) }
        }

        struct Handler: LogHandler {
            let log: CapturedLog
            var metadata: Logger.Metadata = [:]
            var logLevel: Logger.Level = .trace
            subscript(metadataKey key: String) -> Logger.Metadata.Value? {
                get { metadata[key] }
                set { metadata[key] = newValue }
            }
            func log(event: LogEvent) {
                var fields: [String: String] = [:]
                for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) { fields[key] = "\(value)" }
                log.append(Event(level: event.level, message: "\(event.message)", metadata: fields))
            }
        }
    }

    private func server(_ configuration: GatewayConfiguration, log: CapturedLog) async throws -> GatewayServer {
        let server = try GatewayServer(configuration: configuration, group: group, logger: log.logger)
        try await server.start()
        return server
    }

    private func request(port: Int, credential: GatewayTestPKI.Credential? = nil, _ text: String = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n") async throws -> String {
        let client = try await WireClient.connect(port: port, pki: pki, credential: credential, group: group)
        try await client.send(text)
        _ = await client.waitForClose(timeout: 10)
        return client.received
    }

    func testAnUnreachableUpstreamIsLoggedWithItsTargetAndError() async throws {
        let log = CapturedLog()
        let configuration = GatewayConfiguration(
            listeners: [try GatewayHarness.tlsListener(pki: pki, mode: .ignore)],
            upstreams: ["down": UpstreamConfiguration(name: "down", scheme: .http, host: "127.0.0.1", port: 1, responseTimeout: 5)],
            routes: [RouteConfiguration(name: "all", upstream: "down")],
            accessLog: AccessLogConfiguration(destination: .disabled))
        let server = try await server(configuration, log: log)
        let response = try await request(port: server.boundPorts[0])
        let event = await log.first("upstream failed")
        await server.shutdown(drainTimeout: 1)
        XCTAssertTrue(response.hasPrefix("HTTP/1.1 502"), response)
        let fields = try XCTUnwrap(event, "\(log.events.map(\.message))").metadata
        XCTAssertEqual(event?.level, .warning)
        XCTAssertEqual(fields["upstream"], "down")
        XCTAssertEqual(fields["target"], "http://127.0.0.1:1")
        XCTAssertEqual(fields["outcome"], "connect_error")
        XCTAssertEqual(fields["route"], "all")
        XCTAssertEqual(fields["peer"], "127.0.0.1")
        XCTAssertNotNil(fields["error"])
    }

    func testACertificateRefusedInTheHandshakeIsLoggedWithPeerSNISubjectAndReason() async throws {
        let log = CapturedLog()
        let upstream = RecordingUpstream(group: group)
        let upstreamPort = try await upstream.start()
        let configuration = GatewayConfiguration(
            listeners: [try GatewayHarness.tlsListener(pki: pki, mode: .required, rejectInHandshake: true)],
            upstreams: ["rec": UpstreamConfiguration(name: "rec", scheme: .http, host: "127.0.0.1", port: upstreamPort)],
            routes: [RouteConfiguration(name: "all", upstream: "rec")],
            accessLog: AccessLogConfiguration(destination: .disabled))
        let server = try await server(configuration, log: log)
        let response = try await request(port: server.boundPorts[0], credential: pki.revoked)
        let event = await log.first("TLS handshake refused")
        await server.shutdown(drainTimeout: 1)
        await upstream.stop()
        XCTAssertFalse(response.contains("HTTP/1.1"), "a refused handshake must not reach HTTP: \(response)")
        let fields = try XCTUnwrap(event, "\(log.events.map(\.message))").metadata
        XCTAssertEqual(fields["reason"], "revoked")
        XCTAssertEqual(fields["sni"], "localhost")
        XCTAssertEqual(fields["peer"], "127.0.0.1")
        XCTAssertEqual(fields["subject"], "CN=client-revoked")
        XCTAssertFalse(fields["error"]?.contains(".build") ?? true, "no library source paths in the log: \(fields)")
    }

    func testAHostOtherThanTheSNIHostIsLogged() async throws {
        let log = CapturedLog()
        let upstream = RecordingUpstream(group: group)
        let upstreamPort = try await upstream.start()
        var listener = try GatewayHarness.tlsListener(pki: pki, mode: .ignore)
        listener.hosts.append(HostConfiguration(
            names: ["other.test"], serverCertificate: pki.server.pair, clientCertificates: ClientCertificateSettings(mode: .ignore, policy: nil)))
        let configuration = GatewayConfiguration(
            listeners: [listener],
            upstreams: ["rec": UpstreamConfiguration(name: "rec", scheme: .http, host: "127.0.0.1", port: upstreamPort)],
            routes: [RouteConfiguration(name: "all", upstream: "rec")],
            accessLog: AccessLogConfiguration(destination: .disabled))
        let server = try await server(configuration, log: log)
        let response = try await request(port: server.boundPorts[0], "GET / HTTP/1.1\r\nHost: other.test\r\nConnection: close\r\n\r\n")
        let event = await log.first("request for another host than the TLS handshake selected")
        await server.shutdown(drainTimeout: 1)
        await upstream.stop()
        XCTAssertTrue(response.hasPrefix("HTTP/1.1 421"), response)
        XCTAssertEqual(event?.metadata["sni"], "localhost")
        XCTAssertEqual(event?.metadata["host"], "other.test")
        XCTAssertEqual(event?.metadata["reason"], "sni_host_mismatch")
    }

    func testARefusedTokenRequestIsLoggedWithTheClientAndThePreciseReason() async throws {
        let storePath = pki.directory + "/tokens.db"
        let keyFile = pki.directory + "/store.key"
        FileManager.default.createFile(
            atPath: keyFile, contents: Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedData(), attributes: [.posixPermissions: 0o600])
        let store = try SQLiteRegistrationStore(path: storePath, create: true)
        try await store.addClient(Client(id: "secret-client", name: "Secret", authenticationMethods: [.clientSecretBasic]))
        let secret = try ClientSecret.generate(for: "secret-client", hashAlgorithm: .pbkdf2SHA256(iterations: 100_000))
        try await store.addSecret(secret.record)
        let path = pki.directory + "/gateway.yaml"
        try """
            listeners:
              - address: 127.0.0.1:0
                tls: true
                hosts: [ { names: [localhost], certificate: \(pki.server.chainFile), key: \(pki.server.keyFile) } ]
            upstreams: { echo: { url: "http://127.0.0.1:9" } }
            token_service: { issuer: "https://localhost/demo", store: \(storePath), store_key_file: \(keyFile) }
            routes: [ { upstream: echo } ]
            access_log: off
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let log = CapturedLog()
        let server = try await server(try GatewayConfigurationLoader.load(contentsOfFile: path, environment: [:]), log: log)
        let body = "grant_type=client_credentials&scope=api%3A%2F%2Fdemo%2F.default"
        let wrong = Data("secret-client:not-the-secret".utf8).base64EncodedString()
        let response = try await request(port: server.boundPorts[0], """
            POST /demo/oauth2/v2.0/token HTTP/1.1\r\nHost: localhost\r\nAuthorization: Basic \(wrong)\r\n\
            Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)
            """)
        let event = await log.first("token request refused")
        await server.shutdown(drainTimeout: 1)
        XCTAssertTrue(response.hasPrefix("HTTP/1.1 401"), response)
        let fields = try XCTUnwrap(event, "\(log.events.map(\.message))").metadata
        XCTAssertEqual(fields["client_id"], "secret-client")
        XCTAssertEqual(fields["error"], "invalid_client")
        XCTAssertEqual(fields["status"], "401")
        let reason = try XCTUnwrap(fields["reason"])
        XCTAssertFalse(reason.isEmpty)
        XCTAssertFalse(event.map { "\($0.metadata)" }?.contains("not-the-secret") ?? true, "the presented secret must never be logged")
        XCTAssertFalse(response.contains(reason) && reason != "invalid_client", "the precise reason is the operator's, not the client's: \(response)")
    }

    func testABusyPortIsNamedWithItsListenerAndAddress() async throws {
        let blocker = try await ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).get()
        let port = try XCTUnwrap(blocker.localAddress?.port)
        var listener = try GatewayHarness.tlsListener(pki: pki, mode: .ignore)
        listener.name = "public"
        listener.address = ListenAddress(host: "127.0.0.1", port: port)
        let configuration = GatewayConfiguration(
            listeners: [listener],
            upstreams: ["app": UpstreamConfiguration(name: "app", scheme: .http, host: "127.0.0.1", port: 9)],
            routes: [RouteConfiguration(name: "all", upstream: "app")],
            accessLog: AccessLogConfiguration(destination: .disabled))
        let server = try GatewayServer(configuration: configuration, group: group)
        do {
            try await server.start()
            XCTFail("bound a port another socket holds")
        } catch {
            XCTAssertEqual("\(error)", "listener 'public' cannot listen on 127.0.0.1:\(port): address already in use (another process holds the port)")
        }
        await server.shutdown(drainTimeout: 0)
        try await blocker.close()
    }

    // MARK: - The handler's formats

    func testTextAndJSONLinesFormats() {
        let time = Date(timeIntervalSince1970: 1_765_152_000)
        let metadata: Logger.Metadata = ["peer": "10.0.0.1", "sni": "evil\"\n{\"level\":\"critical\"}"]
        let text = OperatorLogHandler.line(level: .info, message: "listening", metadata: [:], format: .text, time: time)
        XCTAssertEqual(text, "trustgate: listening\n")
        let warning = OperatorLogHandler.line(level: .warning, message: "upstream failed", metadata: ["upstream": "app"], format: .text, time: time)
        XCTAssertEqual(warning, "trustgate: warning: upstream failed upstream=app\n")
        let json = OperatorLogHandler.line(level: .notice, message: "TLS handshake refused", metadata: metadata, format: .json, time: time)
        XCTAssertEqual(json.filter { $0 == "\n" }.count, 1, "a hostile value must not break the line: \(json)")
        let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: String]
        XCTAssertEqual(object?["level"], "notice")
        XCTAssertEqual(object?["message"], "TLS handshake refused")
        XCTAssertEqual(object?["sni"], "evil\"\n{\"level\":\"critical\"}")
        XCTAssertEqual(object?["time"], "2025-12-08T00:00:00.000Z")
    }

    func testTLSErrorsAreLoggedAsBoringSSLsReasonNames() {
        struct Sample: Error, CustomStringConvertible {
            let description: String
        }
        let sample = Sample(description: "handshakeFailed(NIOSSL.BoringSSLError.sslError([Error: 268435640 error:100000b8:SSL routines:OPENSSL_internal:NO_SHARED_CIPHER at /work/main/.build/checkouts/swift-nio-ssl/Sources/CNIOBoringSSL/ssl/ssl_cipher.cc:779]))")
        XCTAssertEqual(TLSErrorText.describe(sample), "NO_SHARED_CIPHER")
        XCTAssertEqual(TLSErrorText.describe(Sample(description: "connection refused")), "connection refused")
    }

    func testTheLogSectionIsReadWithItsErrors() throws {
        func load(_ log: String) throws -> GatewayConfiguration {
            let path = pki.directory + "/log-\(UUID().uuidString).yaml"
            try """
                listeners: [ { address: "127.0.0.1:0", hosts: [ { names: [localhost] } ] } ]
                upstreams: { app: { url: "http://127.0.0.1:9" } }
                routes: [ { upstream: app } ]
                log: \(log)
                """.write(toFile: path, atomically: true, encoding: .utf8)
            return try GatewayConfigurationLoader.load(contentsOfFile: path, environment: [:])
        }
        XCTAssertEqual(try load("{ level: debug, format: json }").log, OperatorLogConfiguration(level: "debug", format: .json))
        XCTAssertEqual(try load("{}").log, OperatorLogConfiguration())
        XCTAssertThrowsError(try load("{ level: loud }")) { error in
            XCTAssertEqual((error as? ConfigurationError)?.keyPath, "log.level")
        }
        XCTAssertThrowsError(try load("{ format: xml }")) { error in
            XCTAssertEqual((error as? ConfigurationError)?.keyPath, "log.format")
        }
    }
}

/// The access log's fields of issue 15 §4 and the request id the upstream receives.
final class AccessLogFieldTests: InProcessGatewayTestCase {

    private func entries(_ file: String, count: Int) async throws -> [[String: Any]] {
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            let lines = ((try? String(contentsOfFile: file, encoding: .utf8)) ?? "").split(separator: "\n")
            if lines.count >= count {
                return lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        XCTFail("the access log did not get \(count) lines")
        return []
    }

    func testRequestIDsAndTheNewAccessLogFields() async throws {
        let upstream = RecordingUpstream(group: group)
        let upstreamPort = try await upstream.start()
        let logFile = pki.directory + "/access.log"
        var plain = try GatewayHarness.tlsListener(pki: pki, mode: .ignore)
        plain.name = "proxied"
        plain.tls = nil
        plain.hosts[0].serverCertificate = nil
        plain.trustedProxies = TrustedProxyConfiguration(addresses: [try CIDRBlock(parsing: "127.0.0.1")], format: .rfc9440)
        let configuration = GatewayConfiguration(
            listeners: [try GatewayHarness.tlsListener(pki: pki, mode: .ignore), plain],
            upstreams: ["rec": UpstreamConfiguration(name: "rec", scheme: .http, host: "127.0.0.1", port: upstreamPort)],
            routes: [RouteConfiguration(name: "api", pathPrefix: "/api", upstream: "rec")],
            accessLog: AccessLogConfiguration(destination: .file(logFile)))
        let server = try GatewayServer(configuration: configuration, group: group)
        try await server.start()
        func send(_ text: String, port: Int, tls: Bool = true) async throws -> String {
            let client = try await WireClient.connect(port: port, pki: pki, tls: tls, group: group)
            try await client.send(text)
            _ = await client.waitForClose(timeout: 10)
            return client.received
        }
        // A client's own X-Request-Id (in any spelling, or by Connection) never replaces the gateway's.
        let proxied = try await send(
            "POST /api/x HTTP/1.1\r\nHost: localhost\r\nUser-Agent: probe/1.0\r\nX-Request-Id: forged\r\nX_Request_Id: forged2\r\n"
                + "Connection: close, x-request-id\r\nContent-Length: 5\r\n\r\nhello", port: server.boundPorts[0])
        XCTAssertTrue(proxied.hasPrefix("HTTP/1.1 200"), proxied)
        let sent = upstream.received.components(separatedBy: "\r\n").filter { $0.lowercased().hasPrefix("x-request-id:") || $0.lowercased().hasPrefix("x_request_id:") }
        XCTAssertEqual(sent.count, 1, upstream.received)
        let id = try XCTUnwrap(sent.first?.dropFirst("X-Request-Id: ".count)).description
        XCTAssertNotEqual(id, "forged")
        // A trusted proxy's id is kept: one id through both hops.
        upstream.reset()
        _ = try await send("GET /api/y HTTP/1.1\r\nHost: localhost\r\nX-Request-Id: lb-1234\r\nConnection: close\r\n\r\n", port: server.boundPorts[1], tls: false)
        XCTAssertTrue(upstream.received.contains("\r\nX-Request-Id: lb-1234\r\n"), upstream.received)
        // Refused before any upstream: no upstream fields.
        let missing = try await send("GET /nowhere HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", port: server.boundPorts[0])
        XCTAssertTrue(missing.hasPrefix("HTTP/1.1 404"), missing)
        let logged = try await entries(logFile, count: 3)
        await server.shutdown(drainTimeout: 1)
        await upstream.stop()
        XCTAssertEqual(logged.count, 3)
        XCTAssertEqual(logged[0]["request_id"] as? String, id)
        XCTAssertEqual(logged[0]["user_agent"] as? String, "probe/1.0")
        XCTAssertEqual(logged[0]["bytes_received"] as? Int, 5)
        XCTAssertEqual(logged[0]["upstream"] as? String, "rec")
        XCTAssertEqual(logged[0]["upstream_status"] as? Int, 200)
        XCTAssertNotNil(logged[0]["upstream_ms"] as? Double ?? (logged[0]["upstream_ms"] as? Int).map(Double.init))
        XCTAssertEqual(logged[1]["request_id"] as? String, "lb-1234")
        XCTAssertNil(logged[2]["upstream"], "a 404 contacted no upstream: \(logged[2])")
        XCTAssertNil(logged[2]["upstream_status"])
        XCTAssertNotNil(logged[2]["request_id"])
    }

    func testUsableRequestIDs() {
        XCTAssertTrue(ProxyHandler.isUsableRequestID("lb-1234"))
        XCTAssertFalse(ProxyHandler.isUsableRequestID(""))
        XCTAssertFalse(ProxyHandler.isUsableRequestID("has space"))
        XCTAssertFalse(ProxyHandler.isUsableRequestID(String(repeating: "a", count: 201)))
    }
}
