import Crypto
import NIOConcurrencyHelpers
public import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A plain HTTP/1.1 upstream that describes every request it receives, for `trustgate demo` and the gateway's
/// end-to-end tests: what arrived (method, target, headers in arrival order) and a SHA-256 of the body, so a
/// test can prove the gateway forwarded exactly the right bytes without the upstream ever holding them.
///
/// Every request is answered with `200 application/json`:
/// `{"method", "uri", "http_version", "headers": [[name, value], …], "body_length", "body_sha256"}`,
/// `Content-Length` and `X-Echo-Request: n` (n counts the requests this server received in full). Paths for tests:
///
/// | path | answer |
/// |---|---|
/// | `/status/NNN` | the same JSON with status NNN (200–599) and `X-Echo-Status: NNN` |
/// | `/delay/MS` | the JSON after MS milliseconds (at most 60 000) |
/// | `/bytes/N` | N bytes (at most 2 GiB) of `0123456789…` as `application/octet-stream`, streamed |
/// | `/close` | the JSON with `Connection: close`, then the connection is closed |
///
/// A malformed parameter (`/status/abc`, `/delay/999999`) gets 400 with the JSON and an `error` member.
/// Bodies are hashed as they arrive and never kept; `/bytes/N` is written chunk by chunk as the socket drains:
/// memory stays flat for a 1 GiB upload or download.
public final class EchoUpstream: Sendable {
    public static let maximumDelayMilliseconds = 60_000
    public static let maximumByteCount = 2 << 30
    /// The size of the chunks `/bytes/N` writes.
    public static let chunkSize = 64 * 1024

    private let host: String
    private let requestedPort: Int
    private let group: any EventLoopGroup
    private let receivedRequests = Atomic<Int>(0)
    private let channels = NIOLockedValueBox(Channels())

    private struct Channels {
        var server: (any Channel)?
        /// Open client connections, closed by ``stop()`` so keep-alive clients do not hold the upstream open.
        var connections: [ObjectIdentifier: any Channel] = [:]
        var stopped = false
    }

    public init(host: String = "127.0.0.1", port: Int = 0, group: any EventLoopGroup) {
        self.host = host
        self.requestedPort = port
        self.group = group
    }

    /// Requests received in full (head, body and end). A request the gateway refused never reaches this count.
    public var requestCount: Int { receivedRequests.load(ordering: .relaxed) }

    /// Binds and starts accepting connections; returns the bound port (the ephemeral one for port 0).
    public func start() async throws -> Int {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [self] channel in
                self.track(channel)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(EchoRequestHandler(upstream: self))
                }
            }
        let server = try await bootstrap.bind(host: host, port: requestedPort).get()
        channels.withLockedValue { $0.server = server }
        guard let port = server.localAddress?.port else {
            try? await server.close()
            throw EchoUpstreamError.notBound
        }
        return port
    }

    /// Stops listening and closes every open connection.
    public func stop() async throws {
        let (server, connections) = channels.withLockedValue { state -> ((any Channel)?, [any Channel]) in
            state.stopped = true
            defer {
                state.server = nil
                state.connections = [:]
            }
            return (state.server, Array(state.connections.values))
        }
        for connection in connections {
            connection.close(promise: nil)
        }
        do {
            try await server?.close()
        } catch ChannelError.alreadyClosed {
            // Closed by someone else first: stopped all the same.
        }
    }

    fileprivate func recordRequest() -> Int {
        receivedRequests.add(1, ordering: .relaxed).newValue
    }

    private func track(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        let accepted = channels.withLockedValue { state -> Bool in
            guard !state.stopped else { return false }
            state.connections[id] = channel
            return true
        }
        guard accepted else {
            channel.close(promise: nil)
            return
        }
        channel.closeFuture.whenComplete { [channels] _ in
            channels.withLockedValue { _ = $0.connections.removeValue(forKey: id) }
        }
    }
}

public struct EchoUpstreamError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, to compare with `==`. A struct rather than an enum: a release may add codes without
    /// breaking a `switch` in code that uses TrustGate.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let description: String

        /// The listening socket has no local address (it closed as it was bound).
        public static let notBound = Code(description: "notBound")
    }

    public let code: Code
    /// The complete text, safe to show and log (it is the `description`).
    public let message: String

    public var description: String { message }

    init(code: Code, message: String) {
        (self.code, self.message) = (code, message)
    }

    public static var notBound: Self {
        Self(code: .notBound, message: "the echo upstream's socket has no local address")
    }
}

/// What a request path asks of the echo server.
private enum EchoRoute: Equatable {
    case echo(status: HTTPResponseStatus)
    case delay(milliseconds: Int)
    case bytes(count: Int)
    case close
    case invalid(String)

    init(uri: String) {
        let path = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? uri
        func number(after prefix: String, in range: ClosedRange<Int>) -> Int? {
            let digits = path.dropFirst(prefix.count)
            guard !digits.isEmpty, digits.count <= 12, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let value = Int(digits), range.contains(value)
            else { return nil }
            return value
        }
        if path.hasPrefix("/status/") {
            // 1xx are not final responses: an interim answer cannot carry the echo.
            guard let code = number(after: "/status/", in: 200...599) else {
                self = .invalid("/status/NNN takes a final status code, 200 to 599")
                return
            }
            self = .echo(status: HTTPResponseStatus(statusCode: code))
        } else if path.hasPrefix("/delay/") {
            guard let milliseconds = number(after: "/delay/", in: 0...EchoUpstream.maximumDelayMilliseconds) else {
                self = .invalid("/delay/MS takes 0 to \(EchoUpstream.maximumDelayMilliseconds) milliseconds")
                return
            }
            self = .delay(milliseconds: milliseconds)
        } else if path.hasPrefix("/bytes/") {
            guard let count = number(after: "/bytes/", in: 0...EchoUpstream.maximumByteCount) else {
                self = .invalid("/bytes/N takes 0 to \(EchoUpstream.maximumByteCount) bytes")
                return
            }
            self = .bytes(count: count)
        } else if path == "/close" {
            self = .close
        } else {
            self = .echo(status: .ok)
        }
    }
}

/// One connection's requests, one at a time: `configureHTTPServerPipeline`'s pipelining handler holds back the
/// next request until this one's response has ended.
private final class EchoRequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// A `/bytes/N` body being written.
    private struct ByteStream {
        var remaining: Int
        var offset: Int
        let keepAlive: Bool
        var resumeScheduled = false
    }

    /// The repeating pattern, one chunk long plus one period, so that every chunk is a slice of it whatever
    /// the offset: chunks share this storage instead of each allocating their own.
    private static let pattern: ByteBuffer = {
        let period = Array("0123456789".utf8)
        var buffer = ByteBufferAllocator().buffer(capacity: EchoUpstream.chunkSize + period.count)
        while buffer.readableBytes < EchoUpstream.chunkSize + period.count {
            buffer.writeBytes(period)
        }
        return buffer
    }()

    /// Chunks written per event-loop turn before yielding, so a fast reader of 2 GiB cannot starve the loop.
    private static let chunksPerTurn = 16

    private let upstream: EchoUpstream
    private var head: HTTPRequestHead?
    private var hasher = SHA256()
    private var bodyLength = 0
    private var pendingDelay: Scheduled<Void>?
    private var stream: ByteStream?

    init(upstream: EchoUpstream) {
        self.upstream = upstream
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            hasher = SHA256()
            bodyLength = 0
            if head.version.major == 1, head.version.minor >= 1,
               head.headers["expect"].contains(where: { $0.lowercased() == "100-continue" }) {
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .continue))), promise: nil)
            }
        case .body(let buffer):
            bodyLength += buffer.readableBytes
            buffer.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
        case .end:
            guard let head else { return }
            self.head = nil
            let number = upstream.recordRequest()
            respond(context: context, to: head, number: number)
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if stream != nil, context.channel.isWritable {
            scheduleStreamResume(context: context)
        }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        pendingDelay?.cancel()
        pendingDelay = nil
        stream = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    // MARK: Responding

    private func respond(context: ChannelHandlerContext, to head: HTTPRequestHead, number: Int) {
        let route = EchoRoute(uri: head.uri)
        let keepAlive = head.isKeepAlive && route != .close
        var headers = HTTPHeaders()
        headers.add(name: "X-Echo-Request", value: String(number))
        if !keepAlive {
            headers.add(name: "Connection", value: "close")
        } else if head.version == .http1_0 {
            headers.add(name: "Connection", value: "keep-alive")
        }

        switch route {
        case .bytes(let count):
            headers.add(name: "Content-Type", value: "application/octet-stream")
            headers.add(name: "Content-Length", value: String(count))
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .ok, headers: headers))), promise: nil)
            if head.method == .HEAD || count == 0 {
                finish(context: context, keepAlive: keepAlive)
            } else {
                stream = ByteStream(remaining: count, offset: 0, keepAlive: keepAlive)
                writeChunks(context: context)
            }
        case .delay(let milliseconds):
            let body = echoBody(for: head, error: nil)
            pendingDelay = context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(Int64(milliseconds))) {
                self.pendingDelay = nil
                self.sendEcho(context: context, head: head, status: .ok, headers: headers, body: body, keepAlive: keepAlive)
            }
        case .echo(let status):
            if status != .ok {
                headers.add(name: "X-Echo-Status", value: String(status.code))
            }
            sendEcho(context: context, head: head, status: status, headers: headers, body: echoBody(for: head, error: nil), keepAlive: keepAlive)
        case .close:
            sendEcho(context: context, head: head, status: .ok, headers: headers, body: echoBody(for: head, error: nil), keepAlive: false)
        case .invalid(let reason):
            sendEcho(context: context, head: head, status: .badRequest, headers: headers, body: echoBody(for: head, error: reason), keepAlive: keepAlive)
        }
    }

    private func sendEcho(
        context: ChannelHandlerContext, head: HTTPRequestHead, status: HTTPResponseStatus, headers: HTTPHeaders,
        body: ByteBuffer, keepAlive: Bool
    ) {
        var headers = headers
        // 204 and 304 cannot carry a body (RFC 9110 §15.3.5, §15.4.5); they still get the status header.
        let hasBody = status.mayHaveResponseBody && status != .notModified
        if hasBody {
            headers.add(name: "Content-Type", value: "application/json")
            headers.add(name: "Content-Length", value: String(body.readableBytes))
        }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        if hasBody, head.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        }
        finish(context: context, keepAlive: keepAlive)
    }

    private func finish(context: ChannelHandlerContext, keepAlive: Bool) {
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }

    // MARK: Streaming /bytes/N

    private func writeChunks(context: ChannelHandlerContext) {
        guard var current = stream else { return }
        var written = 0
        while current.remaining > 0, context.channel.isWritable, written < Self.chunksPerTurn {
            let length = min(EchoUpstream.chunkSize, current.remaining)
            guard let chunk = Self.pattern.getSlice(at: Self.pattern.readerIndex + current.offset % 10, length: length) else {
                // Cannot happen: the pattern is a chunk plus a period long.
                stream = nil
                context.close(promise: nil)
                return
            }
            context.write(wrapOutboundOut(.body(.byteBuffer(chunk))), promise: nil)
            current.offset += length
            current.remaining -= length
            written += 1
        }
        if current.remaining == 0 {
            stream = nil
            finish(context: context, keepAlive: current.keepAlive)
            return
        }
        stream = current
        context.flush()
        // Still writable: go on in the next turn. Not writable: channelWritabilityChanged resumes.
        if context.channel.isWritable {
            scheduleStreamResume(context: context)
        }
    }

    private func scheduleStreamResume(context: ChannelHandlerContext) {
        guard var current = stream, !current.resumeScheduled else { return }
        current.resumeScheduled = true
        stream = current
        context.eventLoop.assumeIsolated().execute {
            self.stream?.resumeScheduled = false
            self.writeChunks(context: context)
        }
    }

    // MARK: The echo document

    private func echoBody(for head: HTTPRequestHead, error: String?) -> ByteBuffer {
        let digest = hasher.finalize()
        var json = "{\"method\":" + Self.quoted(head.method.rawValue)
        json += ",\"uri\":" + Self.quoted(head.uri)
        json += ",\"http_version\":" + Self.quoted("\(head.version.major).\(head.version.minor)")
        json += ",\"headers\":["
        var first = true
        for (name, value) in head.headers {
            if !first { json += "," }
            first = false
            json += "[" + Self.quoted(name) + "," + Self.quoted(value) + "]"
        }
        json += "],\"body_length\":\(bodyLength)"
        json += ",\"body_sha256\":" + Self.quoted(Self.hex(digest))
        if let error {
            json += ",\"error\":" + Self.quoted(error)
        }
        json += "}"
        return ByteBuffer(string: json)
    }

    private static func hex(_ digest: SHA256.Digest) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(SHA256.byteCount * 2)
        for byte in digest {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A JSON string literal (RFC 8259 §7).
    private static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
