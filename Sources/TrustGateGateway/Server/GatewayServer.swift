public import Foundation
public import Logging
import NIOConcurrencyHelpers
public import NIOCore
import NIOHTTP1
import NIOHTTP2
import NIOPosix
import NIOSSL
import NIOTLS

/// The running gateway: its listeners, the admin listener, the current ``GatewayRuntime`` and the open
/// client connections (for graceful shutdown).
public final class GatewayServer: Sendable {
    public let metrics: GatewayMetrics
    private let group: any EventLoopGroup
    private let ownsGroup: Bool
    private let state: NIOLockedValueBox<State>
    private let accessLog: AccessLog
    private let connections = NIOLockedValueBox<[ObjectIdentifier: any Channel]>([:])
    /// Open connections per listener and client address, kept only for listeners with
    /// `client_limits.max_connections_per_address`.
    private let connectionsPerAddress = NIOLockedValueBox<[ClientAddressKey: Int]>([:])
    private let logger: Logger

    private let current: CurrentRuntime

    private struct State {
        var lastReloadAttempt: ReloadAttempt?
        var serverChannels: [any Channel] = []
        var admin: AdminServer?
        var boundPorts: [Int] = []
        var adminPort: Int?
        var shuttingDown = false
    }

    /// Builds everything the configuration needs (contexts, policies, pools); binds nothing yet.
    public init(configuration: GatewayConfiguration, group: (any EventLoopGroup)? = nil, logger: Logger = Logger(label: "trustgate.gateway")) throws {
        self.logger = logger
        if let group {
            self.group = group
            self.ownsGroup = false
        } else {
            self.group = MultiThreadedEventLoopGroup(numberOfThreads: Self.usableCores())
            self.ownsGroup = true
        }
        let metrics = GatewayMetrics()
        self.metrics = metrics
        let accessLog = try AccessLog(destination: configuration.accessLog.destination)
        self.accessLog = accessLog
        metrics.observeAccessLogDrops { accessLog.droppedLines }
        let runtime = try GatewayRuntime(configuration: configuration, group: self.group, metrics: metrics, accessLog: accessLog, logger: logger, generation: 1)
        runtime.publishExpiries()
        metrics.recordConfigurationLoaded()
        self.state = NIOLockedValueBox(State())
        self.current = CurrentRuntime(runtime)
    }

    /// One event loop per core this process may run on: `taskset`/cgroup CPU affinity, not the machine's
    /// core count (a gateway pinned to one core with two loops would time-slice them).
    static func usableCores() -> Int {
        #if os(Linux)
        // sched_getaffinity is not exported to Swift; the kernel prints the same mask here.
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed:") })
        {
            let mask = line.dropFirst("Cpus_allowed:".count).filter { $0.isHexDigit }
            let count = mask.reduce(0) { $0 + (Int(String($1), radix: 16) ?? 0).nonzeroBitCount }
            if count > 0 { return min(count, System.coreCount) }
        }
        #endif
        return System.coreCount
    }

    /// The ports the listeners are bound to, in configuration order (useful with port 0).
    public var boundPorts: [Int] { state.withLockedValue { $0.boundPorts } }
    public var adminPort: Int? { state.withLockedValue { $0.adminPort } }
    public var configuration: GatewayConfiguration { current.runtime.configuration }
    var currentRuntime: GatewayRuntime { current.runtime }

    public func start() async throws {
        let runtime = currentRuntime
        if let tokenService = runtime.tokenService, let configuration = runtime.configuration.tokenService {
            try await tokenService.ensureSigningKey(storeKey: configuration.storeKey)
            tokenService.rotationTimer?.start()
        }
        var channels: [any Channel] = []
        var ports: [Int] = []
        do {
            for listener in runtime.listeners {
                let channel: any Channel
                do {
                    channel = try await bind(listenerIndex: listener.index, address: listener.configuration.address)
                } catch {
                    throw GatewayError.cannotListen(listener: listener.configuration.name, address: listener.configuration.address, reason: Self.socketErrorText(error))
                }
                channels.append(channel)
                ports.append(channel.localAddress?.port ?? listener.configuration.address.port)
            }
        } catch {
            for channel in channels { try? await channel.close() }
            throw error
        }
        var admin: AdminServer?
        var adminPort: Int?
        if let adminConfiguration = runtime.configuration.admin {
            let server = AdminServer(address: adminConfiguration.address, metrics: metrics, isReady: { [weak self] in
                guard let self else { return false }
                return self.state.withLockedValue { !$0.shuttingDown && !$0.serverChannels.isEmpty }
            }, group: group)
            adminPort = try await server.start()
            admin = server
        }
        state.withLockedValue {
            $0.serverChannels = channels
            $0.boundPorts = ports
            $0.admin = admin
            $0.adminPort = adminPort
        }
    }

    // MARK: - Reload

    /// Applies a new configuration to new connections; open connections keep the old one. Listener addresses
    /// cannot change without a restart. Throws (and keeps serving the old configuration) when the new one
    /// cannot be built.
    /// Returns notes on settings that only a restart applies (admin address, access log destination,
    /// reload settings), for the operator's log.
    @discardableResult
    public func reload(_ configuration: GatewayConfiguration) throws -> [String] {
        let old = currentRuntime
        let oldAddresses = old.configuration.listeners.map(\.address)
        let newAddresses = configuration.listeners.map(\.address)
        guard oldAddresses == newAddresses else {
            recordRefusedReload(GatewayError.listenersChanged)
            throw GatewayError.listenersChanged
        }
        let runtime: GatewayRuntime
        do {
            runtime = try GatewayRuntime(configuration: configuration, group: group, metrics: metrics, accessLog: accessLog, logger: logger, generation: old.generation + 1)
        } catch {
            recordRefusedReload(error)
            throw error
        }
        current.replace(with: runtime)
        runtime.publishExpiries()
        if let tokenService = runtime.tokenService, let configuration = configuration.tokenService {
            // A reload may point at a new, empty store: give it a key as start() does.
            Task {
                try? await tokenService.ensureSigningKey(storeKey: configuration.storeKey)
                tokenService.rotationTimer?.start()
            }
        }
        old.tokenService?.rotationTimer?.cancel()
        old.retire()
        let now = Date()
        metrics.incrementReloads(success: true, at: now)
        state.withLockedValue { $0.lastReloadAttempt = ReloadAttempt(time: now, error: nil) }
        var notes: [String] = []
        if old.configuration.admin?.address != configuration.admin?.address {
            notes.append("the admin listener's address changed: it applies after a restart")
        }
        if old.configuration.accessLog.destination != configuration.accessLog.destination {
            notes.append("the access log destination changed: it applies after a restart")
        }
        if old.configuration.reload.watchFiles != configuration.reload.watchFiles || old.configuration.reload.pollInterval != configuration.reload.pollInterval {
            notes.append("the reload settings changed: they apply after a restart")
        }
        return notes
    }

    /// A reload refused before it reached ``reload(_:)`` — the new configuration could not even be read — is
    /// recorded here, so that every refusal is counted and the last one can be shown.
    public func recordRefusedReload(_ error: any Error) {
        let now = Date()
        metrics.incrementReloads(success: false, at: now)
        state.withLockedValue { $0.lastReloadAttempt = ReloadAttempt(time: now, error: String(describing: error)) }
    }

    /// The last reload attempt (nil: none since the start).
    public var lastReloadAttempt: ReloadAttempt? { state.withLockedValue { $0.lastReloadAttempt } }

    // MARK: - Shutdown

    /// Stops accepting, asks every connection to finish its in-flight request (HTTP/1: close when idle;
    /// HTTP/2: GOAWAY), waits up to `drainTimeout`, then closes what is left.
    public func shutdown(drainTimeout: TimeInterval? = nil) async {
        let runtime = current.runtime
        let (serverChannels, admin) = state.withLockedValue { state in
            state.shuttingDown = true
            let result = (state.serverChannels, state.admin)
            state.serverChannels = []
            state.admin = nil
            return result
        }
        for channel in serverChannels { try? await channel.close() }
        let timeout = drainTimeout ?? runtime.configuration.shutdown.drainTimeout
        let open = connections.withLockedValue { Array($0.values) }
        for channel in open {
            channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline, !connections.withLockedValue({ $0.isEmpty }) {
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        for channel in connections.withLockedValue({ Array($0.values) }) {
            try? await channel.close()
        }
        try? await admin?.stop()
        runtime.tokenService?.rotationTimer?.cancel()
        runtime.retire()
        accessLog.flush()
        if ownsGroup {
            try? await group.shutdownGracefully()
        }
    }

    public var openConnectionCount: Int { connections.withLockedValue { $0.count } }

    // MARK: - Listeners

    /// "address already in use" rather than NIO's `bind(descriptor:ptr:bytes:): Address already in use (errno: 98)`.
    static func socketErrorText(_ error: any Error) -> String {
        if let io = error as? IOError {
            let text = String(cString: strerror(io.errnoCode))
            return io.errnoCode == EADDRINUSE ? "\(text.lowercased()) (another process holds the port)"
                : io.errnoCode == EACCES ? "\(text.lowercased()) (ports below 1024 need CAP_NET_BIND_SERVICE)" : text.lowercased()
        }
        return "\(error)"
    }

    private func bind(listenerIndex: Int, address: ListenAddress) async throws -> any Channel {
        let host = address.host.isEmpty ? "0.0.0.0" : address.host
        return try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { [weak self] channel in
                guard let self else { return channel.eventLoop.makeFailedFuture(ChannelError.ioOnClosedChannel) }
                return channel.eventLoop.makeCompletedFuture {
                    try self.initializeConnection(channel, listenerIndex: listenerIndex)
                }
            }
            .bind(host: host, port: address.port)
            .get()
    }

    private func initializeConnection(_ channel: any Channel, listenerIndex: Int) throws {
        let runtime = currentRuntime
        let listener = runtime.listeners[listenerIndex]
        let limits = listener.configuration.clientLimits
        if let limit = limits.maximumConnectionsPerAddress, !admitConnection(channel, listenerIndex: listenerIndex, limit: limit) {
            metrics.recordConnectionClosed(.connectionsPerAddress)
            logger.debug("connection refused: too many from one address", metadata: [
                "peer": "\(channel.remoteAddress?.ipAddress ?? "-")", "listener": "\(listener.displayName)", "limit": "\(limit)",
            ])
            channel.close(promise: nil)
            return
        }
        let connection = DownstreamConnectionState(runtime: runtime, current: current, listener: listener, remoteAddress: channel.remoteAddress)
        track(channel)
        let sync = channel.pipeline.syncOperations
        try sync.addHandler(IdleStateHandler(allTimeout: runtime.clientIdleTimeout))
        try sync.addHandler(IdleConnectionCloser(metrics: metrics))
        if listener.isTLS {
            // Separate from the idle timeout (which a silent TCP connection would otherwise enjoy in full):
            // the handshake, ClientHello included, has this long. TLSHandshakeObserver cancels it.
            let metrics = self.metrics
            connection.handshakeDeadline = channel.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(Int64(limits.handshakeTimeout * 1_000_000_000))) {
                metrics.recordConnectionClosed(.handshakeTimeout)
                channel.close(promise: nil)
            }
            channel.closeFuture.whenComplete { _ in connection.handshakeDeadline?.cancel() }
            let sni = ByteToMessageHandler(SNIHandler { [connection] result in
                let eventLoop = channel.eventLoop
                return eventLoop.makeCompletedFuture {
                    try Self.addTLSAndHTTP(to: channel, connection: connection, sni: result)
                }
            })
            try sync.addHandler(sni)
        } else {
            try Self.addHTTP1(to: channel, connection: connection)
        }
    }

    private static func addTLSAndHTTP(to channel: any Channel, connection: DownstreamConnectionState, sni: SNIResult) throws {
        let listener = connection.listener
        if case .hostname(let name) = sni {
            connection.serverName = name.lowercased()
            if let index = listener.hostNames.index(for: name) {
                connection.host = listener.hosts[index]
            }
        }
        let host = connection.host
        guard let context = host.sslContext else { throw GatewayError.configuration("host \(host.displayName) has no TLS context") }
        let handler: NIOSSLServerHandler
        if host.mode == .ignore && !(listener.trustedProxies.map { !$0.proxySPKISHA256.isEmpty } ?? false) {
            handler = NIOSSLServerHandler(context: context)
        } else {
            handler = NIOSSLServerHandler(
                context: context,
                customVerificationCallback: ClientCertificateVerifier.callback(for: connection, host: host, metrics: connection.runtime.metrics))
        }
        let sync = channel.pipeline.syncOperations
        try sync.addHandler(handler)
        try sync.addHandler(TLSHandshakeObserver(connection: connection))
        if listener.http2 {
            try sync.addHandler(ApplicationProtocolNegotiationHandler { result in
                switch result {
                case .negotiated("h2"):
                    return channel.eventLoop.makeCompletedFuture {
                        try addHTTP2(to: channel, connection: connection)
                    }
                default:
                    return channel.eventLoop.makeCompletedFuture {
                        try addHTTP1(to: channel, connection: connection)
                    }
                }
            })
        } else {
            try addHTTP1(to: channel, connection: connection)
        }
    }

    private static func addHTTP1(to channel: any Channel, connection: DownstreamConnectionState) throws {
        let sync = channel.pipeline.syncOperations
        // Below the decoder: it sees a slow head's bytes before they are parsed.
        let headTimer = RequestHeadTimer(timeout: connection.listener.configuration.clientLimits.requestHeadTimeout, metrics: connection.runtime.metrics)
        try sync.addHandler(headTimer)
        // Response headers come from the upstream through NIO's own parser (which refuses CR/LF in values) or
        // from the gateway itself: validating them again on every response costs ~5 % of the keep-alive path.
        // Without NIO's pipelining assistance: ProxyHandler queues pipelined requests itself and handles
        // graceful-shutdown quiescing (see ProxyHandler.channelRead).
        try sync.configureHTTPServerPipeline(withPipeliningAssistance: false, withErrorHandling: true, withOutboundHeaderValidation: false)
        try sync.addHandler(ProxyHandler(connection: connection, isHTTP2: false, headTimer: headTimer))
    }

    private static func addHTTP2(to channel: any Channel, connection: DownstreamConnectionState) throws {
        _ = try channel.pipeline.syncOperations.configureHTTP2Pipeline(
            mode: .server,
            connectionConfiguration: .init(),
            streamConfiguration: .init()
        ) { stream in
            stream.eventLoop.makeCompletedFuture {
                let sync = stream.pipeline.syncOperations
                try sync.addHandler(HTTP2FramePayloadToHTTP1ServerCodec())
                try sync.addHandler(ProxyHandler(connection: connection, isHTTP2: true))
            }
        }
        try channel.pipeline.syncOperations.addHandler(CloseOnErrorHandler())
    }

    /// Counts `channel` against its address's limit on this listener; false (not counted) when it would
    /// exceed it. The count drops when the connection closes.
    private func admitConnection(_ channel: any Channel, listenerIndex: Int, limit: Int) -> Bool {
        guard let address = channel.remoteAddress?.ipAddress else { return true }
        let key = ClientAddressKey(listener: listenerIndex, address: address)
        let admitted = connectionsPerAddress.withLockedValue { counts in
            let open = counts[key, default: 0]
            guard open < limit else { return false }
            counts[key] = open + 1
            return true
        }
        guard admitted else { return false }
        channel.closeFuture.whenComplete { [weak self] _ in
            self?.connectionsPerAddress.withLockedValue { counts in
                let open = (counts[key] ?? 1) - 1
                counts[key] = open > 0 ? open : nil
            }
        }
        return true
    }

    private func track(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        let count = connections.withLockedValue { $0[id] = channel; return $0.count }
        metrics.setConnections(count)
        channel.closeFuture.whenComplete { [weak self] _ in
            guard let self else { return }
            let count = self.connections.withLockedValue { $0.removeValue(forKey: id); return $0.count }
            self.metrics.setConnections(count)
        }
    }
}

/// Ends an HTTP/2 connection on a protocol error (a bad preface, a flow-control violation): NIOHTTP2 has
/// already sent GOAWAY; without this the socket would linger until the idle timeout. On a TLS error it first
/// lets the alert BoringSSL queued out (``PendingAlertFlusher``).
final class CloseOnErrorHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        PendingAlertFlusher.flush(after: error, pipeline: context.pipeline.syncOperations)
        context.close(promise: nil)
    }
}

/// When a reload was attempted and, when it was refused, why (the message names file, line and key).
public struct ReloadAttempt: Sendable, Equatable {
    public let time: Date
    /// nil: applied.
    public let error: String?
}

private struct ClientAddressKey: Hashable {
    let listener: Int
    let address: String
}

/// Closes a client connection that sent nothing for the idle timeout (an abandoned keep-alive connection).
final class IdleConnectionCloser: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let metrics: GatewayMetrics

    init(metrics: GatewayMetrics) {
        self.metrics = metrics
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            metrics.recordConnectionClosed(.idleTimeout)
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}
