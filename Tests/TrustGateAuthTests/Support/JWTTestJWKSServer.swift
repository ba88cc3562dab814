import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// A JWKS endpoint on 127.0.0.1 (port 0), over TLS or plain HTTP, that counts requests and serves whatever the
/// test sets: a JWKS document, an error status, or an oversized body.
final class JWTTestJWKSServer: Sendable {
    final class State: Sendable {
        private struct Values {
            var hits = 0
            var status = HTTPResponseStatus.ok
            var body = #"{"keys":[]}"#
        }

        private let values = Mutex(Values())

        var hits: Int { values.withLock { $0.hits } }

        func set(status: HTTPResponseStatus, body: String) {
            values.withLock {
                $0.status = status
                $0.body = body
            }
        }

        fileprivate func recordHit() -> (HTTPResponseStatus, String) {
            values.withLock {
                $0.hits += 1
                return ($0.status, $0.body)
            }
        }
    }

    let state: State
    let port: Int
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel

    var hits: Int { state.hits }

    func serve(_ json: String) { state.set(status: .ok, body: json) }
    func fail(with status: HTTPResponseStatus) { state.set(status: status, body: #"{"error":"unavailable"}"#) }

    init(tls: TLSConfiguration?) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let state = State()
        let channel: any Channel
        do {
            let sslContext = try tls.map { try NIOSSLContext(configuration: $0) }
            channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let sslContext {
                            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext))
                        }
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                        try channel.pipeline.syncOperations.addHandler(JWKSRequestHandler(state: state))
                    }
                }
                .bind(host: "127.0.0.1", port: 0)
                .get()
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        guard let port = channel.localAddress?.port,
              let url = URL(string: "https://localhost:\(port)/jwks"),
              let plainURL = URL(string: "http://127.0.0.1:\(port)/jwks")
        else {
            try? await channel.close()
            try? await group.shutdownGracefully()
            throw ChannelError.unknownLocalAddress
        }
        self.state = state
        self.group = group
        self.channel = channel
        self.port = port
        self.url = url
        self.plainURL = plainURL
    }

    /// `https://localhost:<port>/jwks`: the server certificate names localhost.
    let url: URL
    /// `http://127.0.0.1:<port>/jwks`, for the plain-HTTP loopback case.
    let plainURL: URL

    func stop() async throws {
        try await channel.close()
        try await group.shutdownGracefully()
    }
}

private final class JWKSRequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let state: JWTTestJWKSServer.State

    init(state: JWTTestJWKSServer.State) {
        self.state = state
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .end = unwrapInboundIn(data) else { return }
        let (status, body) = state.recordHit()
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json")
        headers.add(name: "content-length", value: String(body.utf8.count))
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}
