import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOHTTP2
import NIOPosix
import NIOSSL
import XCTest

/// A client that writes exactly the bytes a test gives it — over TLS (optionally with a client certificate)
/// or plain TCP — and records what comes back and when the connection closed. For requests no HTTP client
/// library writes: underscore names, forbidden trailers, slow heads, stalled bodies.
final class WireClient: @unchecked Sendable {
    private let channel: any Channel
    private let state: NIOLockedValueBox<(received: [UInt8], closedAt: Date?)>

    static func connect(
        port: Int, pki: GatewayTestPKI, tls: Bool = true, credential: GatewayTestPKI.Credential? = nil,
        serverName: String = "localhost", group: any EventLoopGroup
    ) async throws -> WireClient {
        let state = NIOLockedValueBox<(received: [UInt8], closedAt: Date?)>(([], nil))
        var sslContext: NIOSSLContext?
        if tls {
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.trustRoots = .file(pki.caFile)
            configuration.applicationProtocols = ["http/1.1"]
            if let credential {
                configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(credential.chainFile).map { .certificate($0) }
                configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: credential.keyFile, format: .pem))
            }
            sslContext = try NIOSSLContext(configuration: configuration)
        }
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: sslContext, serverHostname: serverName))
                    }
                    try channel.pipeline.syncOperations.addHandler(Recorder(state: state))
                }
            }
            .connect(host: "127.0.0.1", port: port)
            .get()
        return WireClient(channel: channel, state: state)
    }

    private init(channel: any Channel, state: NIOLockedValueBox<(received: [UInt8], closedAt: Date?)>) {
        self.channel = channel
        self.state = state
    }

    func send(_ text: String) async throws {
        try await channel.writeAndFlush(channel.allocator.buffer(string: text))
    }

    /// Everything received so far, as text.
    var received: String { String(decoding: state.withLockedValue { $0.received }, as: UTF8.self) }
    var closedAt: Date? { state.withLockedValue { $0.closedAt } }

    /// Waits until the received text contains `text`; false on timeout (or when it closed without it).
    func waitFor(_ text: String, timeout: TimeInterval = 10) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if received.contains(text) { return true }
            if closedAt != nil { return received.contains(text) }
            try? await Task.sleep(nanoseconds: 10_000_000)
        }
        return received.contains(text)
    }

    /// Waits until `text` occurs `count` times in what was received; false on timeout or close without.
    func waitFor(_ text: String, count: Int, timeout: TimeInterval = 10) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        func occurrences() -> Int { received.components(separatedBy: text).count - 1 }
        while Date() < deadline {
            if occurrences() >= count { return true }
            if closedAt != nil { break }
            try? await Task.sleep(nanoseconds: 10_000_000)
        }
        return occurrences() >= count
    }

    /// Waits for the server to close the connection; its time, or nil on timeout.
    func waitForClose(timeout: TimeInterval) async -> Date? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let closedAt { return closedAt }
            try? await Task.sleep(nanoseconds: 10_000_000)
        }
        return closedAt
    }

    func close() async {
        try? await channel.close()
    }

    private final class Recorder: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        let state: NIOLockedValueBox<(received: [UInt8], closedAt: Date?)>

        init(state: NIOLockedValueBox<(received: [UInt8], closedAt: Date?)>) {
            self.state = state
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let bytes = Array(unwrapInboundIn(data).readableBytesView)
            state.withLockedValue { $0.received += bytes }
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            // The server's FIN (a TLS close_notify ends in channelInactive): the end of what it will send.
            if let event = event as? ChannelEvent, case .inputClosed = event { markClosed() }
            context.fireUserInboundEventTriggered(event)
        }

        func channelInactive(context: ChannelHandlerContext) {
            markClosed()
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            // An unclean TLS shutdown still ends the connection.
            context.close(promise: nil)
        }

        private func markClosed() {
            state.withLockedValue { if $0.closedAt == nil { $0.closedAt = Date() } }
        }
    }
}

/// An HTTP/1.1 upstream that records every byte the gateway sends it, raw (before any parsing, so that the
/// exact spelling of each header and trailer name is visible) and answers every request `200 ok`.
final class RecordingUpstream: @unchecked Sendable {
    private let group: any EventLoopGroup
    private let bytes = NIOLockedValueBox<[UInt8]>([])
    private let requests = NIOLockedValueBox(0)
    private var channel: (any Channel)?

    init(group: any EventLoopGroup) {
        self.group = group
    }

    func start() async throws -> Int {
        let bytes = self.bytes
        let requests = self.requests
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(Tap(bytes: bytes))
                    try sync.configureHTTPServerPipeline()
                    try sync.addHandler(Responder(requests: requests))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        self.channel = channel
        return channel.localAddress?.port ?? 0
    }

    /// What the gateway sent, as text.
    var received: String { String(decoding: bytes.withLockedValue { $0 }, as: UTF8.self) }
    /// Complete requests answered.
    var requestCount: Int { requests.withLockedValue { $0 } }

    func reset() {
        bytes.withLockedValue { $0.removeAll() }
    }

    func stop() async {
        try? await channel?.close()
    }

    private final class Tap: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        typealias InboundOut = ByteBuffer
        let bytes: NIOLockedValueBox<[UInt8]>
        init(bytes: NIOLockedValueBox<[UInt8]>) { self.bytes = bytes }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            bytes.withLockedValue { $0 += Array(buffer.readableBytesView) }
            context.fireChannelRead(data)
        }
    }

    private final class Responder: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let requests: NIOLockedValueBox<Int>
        init(requests: NIOLockedValueBox<Int>) { self.requests = requests }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard case .end = unwrapInboundIn(data) else { return }
            requests.withLockedValue { $0 += 1 }
            var headers = HTTPHeaders()
            headers.add(name: "Content-Length", value: "2")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: "ok")))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}

/// One HTTP/2 request over TLS (ALPN h2) with trailers, which curl cannot send: returns the response status
/// (0 when the stream was reset) and body.
enum HTTP2Request {
    static func send(
        port: Int, pki: GatewayTestPKI, credential: GatewayTestPKI.Credential? = nil, group: any EventLoopGroup,
        path: String, headers: [(String, String)], body: String = "", trailers: [(String, String)] = []
    ) async throws -> (status: Int, body: String) {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .file(pki.caFile)
        configuration.applicationProtocols = ["h2"]
        if let credential {
            configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(credential.chainFile).map { .certificate($0) }
            configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: credential.keyFile, format: .pem))
        }
        let sslContext = try NIOSSLContext(configuration: configuration)
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: sslContext, serverHostname: "localhost"))
                }
            }
            .connect(host: "127.0.0.1", port: port)
            .get()
        defer { channel.close(promise: nil) }
        let multiplexer = try await channel.configureHTTP2Pipeline(mode: .client, inboundStreamInitializer: nil).get()
        let response = channel.eventLoop.makePromise(of: (Int, String).self)
        let stream = try await multiplexer.createStreamChannel { stream in
            stream.eventLoop.makeCompletedFuture {
                try stream.pipeline.syncOperations.addHandler(HTTP2FramePayloadToHTTP1ClientCodec(httpProtocol: .https))
                try stream.pipeline.syncOperations.addHandler(ResponseCollector(promise: response))
            }
        }.get()
        var head = HTTPRequestHead(version: .http2, method: body.isEmpty && trailers.isEmpty ? .GET : .POST, uri: path)
        head.headers.add(name: "host", value: "localhost")
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        stream.write(NIOAny(HTTPClientRequestPart.head(head)), promise: nil)
        if !body.isEmpty {
            stream.write(NIOAny(HTTPClientRequestPart.body(.byteBuffer(stream.allocator.buffer(string: body)))), promise: nil)
        }
        var trailerFields: HTTPHeaders?
        if !trailers.isEmpty {
            var fields = HTTPHeaders()
            for (name, value) in trailers { fields.add(name: name, value: value) }
            trailerFields = fields
        }
        stream.writeAndFlush(NIOAny(HTTPClientRequestPart.end(trailerFields)), promise: nil)
        let timeout = channel.eventLoop.scheduleTask(in: .seconds(10)) { response.fail(ChannelError.connectTimeout(.seconds(10))) }  // no answer: the test fails, never hangs
        defer { timeout.cancel() }
        let (status, text) = try await response.futureResult.get()
        return (status, text)
    }

    private final class ResponseCollector: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPClientResponsePart
        let promise: EventLoopPromise<(Int, String)>
        var status = 0
        var body = ""
        var done = false
        init(promise: EventLoopPromise<(Int, String)>) { self.promise = promise }

        private func complete(_ status: Int, _ body: String) {
            guard !done else { return }
            done = true
            promise.succeed((status, body))
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head): status = Int(head.status.code)
            case .body(let buffer): body += String(buffer: buffer)
            case .end: complete(status, body)
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            complete(status, body)
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            // A reset stream: no (complete) response.
            complete(0, "\(error)")
        }
    }
}
