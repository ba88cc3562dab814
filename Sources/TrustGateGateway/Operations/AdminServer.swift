import Foundation
public import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// The operations listener: plain HTTP/1.1 with `/metrics` (Prometheus), `/healthz` (the process answers)
/// and `/readyz` (the gateway accepts traffic). Meant for a loopback or cluster-internal address; it has no
/// authentication of its own and reveals only aggregate numbers and certificate subjects.
public final class AdminServer: Sendable {
    /// Keep-alive connections idle this long are closed, so an abandoned scraper cannot pin file descriptors.
    static let idleTimeout = TimeAmount.seconds(60)

    private struct State {
        var serverChannel: (any Channel)?
        var connections: [ObjectIdentifier: any Channel] = [:]
    }

    private let address: ListenAddress
    private let routes: AdminRoutes
    private let group: any EventLoopGroup
    private let state = Mutex(State())

    /// Plain HTTP/1.1 (NIOPosix ServerBootstrap + configureHTTPServerPipeline) on `address` (port 0 allowed).
    /// An empty host means every address (IPv6 and IPv4 where the system allows it).
    public init(address: ListenAddress, metrics: GatewayMetrics, isReady: @escaping @Sendable () -> Bool, group: any EventLoopGroup) {
        self.address = address
        self.routes = AdminRoutes(metrics: metrics, isReady: isReady)
        self.group = group
    }

    /// Returns the bound port.
    public func start() async throws -> Int {
        if state.withLock({ $0.serverChannel != nil }) { throw AdminServerError.alreadyStarted }
        let routes = self.routes
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { [weak self] channel in
                self?.track(channel)
                return channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(IdleStateHandler(readTimeout: Self.idleTimeout))
                    try pipeline.configureHTTPServerPipeline(withErrorHandling: true)
                    try pipeline.addHandler(AdminHTTPHandler(routes: routes))
                }
            }

        let channel: any Channel
        if address.host.isEmpty {
            do {
                channel = try await bootstrap.bind(host: "::", port: address.port).get()
            } catch {
                channel = try await bootstrap.bind(host: "0.0.0.0", port: address.port).get()
            }
        } else {
            channel = try await bootstrap.bind(host: address.host, port: address.port).get()
        }

        let alreadyStarted = state.withLock { state -> Bool in
            guard state.serverChannel == nil else { return true }
            state.serverChannel = channel
            return false
        }
        if alreadyStarted {
            try? await channel.close()
            throw AdminServerError.alreadyStarted
        }
        return channel.localAddress?.port ?? address.port
    }

    /// Stops accepting and closes open admin connections (scrapes in flight are cut; they are retried).
    public func stop() async throws {
        let (server, connections) = state.withLock { state in
            let taken = (state.serverChannel, Array(state.connections.values))
            state.serverChannel = nil
            state.connections.removeAll()
            return taken
        }
        if let server {
            try await server.close()
        }
        for connection in connections {
            try? await connection.close()
        }
    }

    private func track(_ channel: any Channel) {
        let key = ObjectIdentifier(channel)
        state.withLock { $0.connections[key] = channel }
        channel.closeFuture.whenComplete { [weak self] _ in
            _ = self?.state.withLock { $0.connections.removeValue(forKey: key) }
        }
    }
}

/// What each admin request gets; independent of sockets.
struct AdminRoutes: Sendable {
    struct Response: Sendable {
        var status: HTTPResponseStatus
        var contentType: String
        var body: [UInt8]
        var extraHeaders: [(String, String)] = []
    }

    let metrics: GatewayMetrics
    let isReady: @Sendable () -> Bool

    private static let json = "application/json"
    private static let problemJSON = "application/problem+json"
    private static let healthy = Array(#"{"status":"ok"}"#.utf8)
    private static let ready = Array(#"{"status":"ready"}"#.utf8)
    private static let notReady = Array(#"{"status":"not ready"}"#.utf8)
    private static let notFound = Array(#"{"type":"about:blank","title":"Not Found","status":404}"#.utf8)
    private static let methodNotAllowed = Array(#"{"type":"about:blank","title":"Method Not Allowed","status":405}"#.utf8)

    /// An unknown path is 404 whatever the method; a known one with a method other than GET or HEAD is 405.
    func response(method: HTTPMethod, uri: String) -> Response {
        let path = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? uri
        guard ["/metrics", "/healthz", "/readyz"].contains(path) else {
            return Response(status: .notFound, contentType: Self.problemJSON, body: Self.notFound)
        }
        guard method == .GET || method == .HEAD else {
            return Response(status: .methodNotAllowed, contentType: Self.problemJSON, body: Self.methodNotAllowed, extraHeaders: [("Allow", "GET, HEAD")])
        }
        switch path {
        case "/metrics":
            return Response(status: .ok, contentType: PrometheusText.contentType, body: Array(metrics.render().utf8))
        case "/healthz":
            return Response(status: .ok, contentType: Self.json, body: Self.healthy)
        default:
            return isReady()
                ? Response(status: .ok, contentType: Self.json, body: Self.ready)
                : Response(status: .serviceUnavailable, contentType: Self.json, body: Self.notReady)
        }
    }
}

/// Answers each request once its end arrives (bodies are read and ignored). Pipelining and keep-alive
/// bookkeeping are HTTPServerPipelineHandler's; this handler only closes after a non-keep-alive request.
private final class AdminHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let routes: AdminRoutes
    private var requestHead: HTTPRequestHead?

    init(routes: AdminRoutes) {
        self.routes = routes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            requestHead = head
        case .body:
            break
        case .end:
            guard let head = requestHead else { return }
            requestHead = nil
            respond(to: head, context: context)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func respond(to request: HTTPRequestHead, context: ChannelHandlerContext) {
        let response = routes.response(method: request.method, uri: request.uri)
        let keepAlive = request.isKeepAlive

        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Content-Length", value: String(response.body.count))
        headers.add(name: "Cache-Control", value: "no-store")
        for (name, value) in response.extraHeaders { headers.add(name: name, value: value) }
        if !keepAlive {
            headers.add(name: "Connection", value: "close")
        } else if request.version.major == 1, request.version.minor == 0 {
            headers.add(name: "Connection", value: "keep-alive")
        }

        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: response.status, headers: headers))), promise: nil)
        if request.method != .HEAD, !response.body.isEmpty {
            var buffer = context.channel.allocator.buffer(capacity: response.body.count)
            buffer.writeBytes(response.body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            written.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
