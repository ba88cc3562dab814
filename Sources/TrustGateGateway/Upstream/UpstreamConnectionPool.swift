import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// Keep-alive HTTP/1.1 connections to one upstream, owned by one event loop.
///
/// Confined to `eventLoop` (hence `@unchecked Sendable`): acquire and release are called only from
/// handlers on that loop. Idle connections are reused last-in first-out (the warmest socket first) and
/// closed after the upstream's idle timeout or when the upstream closes them.
final class UpstreamConnectionPool: @unchecked Sendable {
    let eventLoop: any EventLoop
    let endpoint: UpstreamEndpoint
    let name: String
    private let metrics: GatewayMetrics
    private var idle: [UpstreamConnection] = []
    private var retired = false

    init(eventLoop: any EventLoop, endpoint: UpstreamEndpoint, name: String, metrics: GatewayMetrics) {
        self.eventLoop = eventLoop
        self.endpoint = endpoint
        self.name = name
        self.metrics = metrics
    }

    enum ConnectError: Error {
        case timedOut
        case failed(any Error)
    }

    func acquire() -> EventLoopFuture<UpstreamConnection> {
        eventLoop.preconditionInEventLoop()
        while let connection = idle.popLast() {
            connection.idleTimer?.cancel()
            connection.idleTimer = nil
            if connection.channel.isActive { return eventLoop.makeSucceededFuture(connection) }
        }
        return connect()
    }

    /// Returns a connection whose exchange finished cleanly (request fully sent, response fully read, both
    /// sides willing to keep the connection alive).
    func release(_ connection: UpstreamConnection) {
        eventLoop.preconditionInEventLoop()
        connection.relay.receiver = nil
        guard !retired, connection.channel.isActive, idle.count < endpoint.configuration.maxIdleConnections else {
            connection.channel.close(promise: nil)
            return
        }
        idle.append(connection)
        let timeout = TimeAmount.nanoseconds(Int64(endpoint.configuration.idleTimeout * 1_000_000_000))
        connection.idleTimer = eventLoop.scheduleTask(in: timeout) { [weak self, weak connection] in
            guard let self, let connection else { return }
            self.remove(connection)
            connection.channel.close(promise: nil)
        }
    }

    func retire() {
        retired = true
        let connections = idle
        idle.removeAll()
        for connection in connections {
            connection.idleTimer?.cancel()
            connection.channel.close(promise: nil)
        }
    }

    private func remove(_ connection: UpstreamConnection) {
        idle.removeAll { $0 === connection }
    }

    private func connect() -> EventLoopFuture<UpstreamConnection> {
        let configuration = endpoint.configuration
        let sslContext = endpoint.sslContext
        let serverHostname = endpoint.serverHostname
        let timeout = TimeAmount.milliseconds(Int64(max(1, configuration.connectTimeout * 1000)))
        return ClientBootstrap(group: eventLoop)
            .connectTimeout(timeout)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        let handler = try NIOSSLClientHandler(context: sslContext, serverHostname: serverHostname)
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(UpstreamResponseRelay())
                }
            }
            .connect(host: configuration.host, port: configuration.port)
            .flatMapErrorThrowing { error in
                if case ChannelError.connectTimeout = error { throw ConnectError.timedOut }
                throw ConnectError.failed(error)
            }
            .flatMapThrowing { [weak self] channel in
                let relay = try channel.pipeline.syncOperations.handler(type: UpstreamResponseRelay.self)
                let connection = UpstreamConnection(channel: channel, relay: relay)
                relay.onCloseWhileIdle = { [weak self, weak connection] in
                    guard let self, let connection else { return }
                    connection.idleTimer?.cancel()
                    self.remove(connection)
                }
                return connection
            }
    }
}

/// One upstream connection. Confined to its channel's event loop.
final class UpstreamConnection: @unchecked Sendable {
    let channel: any Channel
    let relay: UpstreamResponseRelay
    var idleTimer: Scheduled<Void>?

    init(channel: any Channel, relay: UpstreamResponseRelay) {
        self.channel = channel
        self.relay = relay
    }
}
