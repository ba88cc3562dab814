import NIOCore
import NIOHTTP2
import NIOPosix
import NIOSSL

/// One place in the closed loop: it always has one connection open or opening, and starts the next one when the
/// current one ends (immediately after a response in `new` mode, 10 ms after a failure, so a refusing server is
/// not hammered in a tight loop).
///
/// Connections are numbered (`generation`); a callback from a connection the slot has already moved on from is
/// ignored, so a late close of the previous `new`-mode connection cannot start a second connection in the slot.
final class ConnectionSlot {
    enum NextStep {
        case sendRequest
        case close
        case hold
    }

    /// Attempts per idle connection before it gives up (idle mode reports what it could establish).
    static let idleAttempts = 3
    static let retryBackoff = TimeAmount.milliseconds(10)

    private unowned let load: EventLoopLoad
    private var configuration: LoadConfiguration { load.configuration }
    private var channel: (any Channel)?
    private var generation = 0
    private var currentFailed = false
    private var connectStartedAt = NIODeadline.uptimeNanoseconds(0)
    private var requestSentAt = NIODeadline.uptimeNanoseconds(0)
    /// When the current connection must have made progress by; nil while nothing is expected (idle hold).
    private var progressDeadline: NIODeadline?
    /// Remaining connection attempts (idle mode); nil means unlimited.
    private var attemptsLeft: Int?
    private var isEstablishedIdle = false

    init(load: EventLoopLoad, attempts: Int?) {
        self.load = load
        self.attemptsLeft = attempts
    }

    // MARK: Opening

    func open() {
        guard !load.isStopping else { return }
        if let attempts = attemptsLeft { attemptsLeft = attempts - 1 }
        generation &+= 1
        let generation = self.generation
        currentFailed = false
        connectStartedAt = .now()
        progressDeadline = connectStartedAt + configuration.timeout
        let slot = NIOLoopBound(self, eventLoop: load.eventLoop)
        ClientBootstrap(group: load.eventLoop)
            .connectTimeout(configuration.timeout)
            .channelOption(ChannelOptions.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try slot.value.installHandlers(on: channel, generation: generation)
                }
            }
            .connect(to: configuration.address)
            .assumeIsolated()
            .whenFailure { error in
                self.connectFailed(error, generation: generation)
            }
    }

    private func installHandlers(on channel: any Channel, generation: Int) throws {
        guard generation == self.generation else { throw ChannelError.ioOnClosedChannel }
        self.channel = channel
        if configuration.mode == .new, let socket = channel as? any SocketOptionProvider {
            // Reset instead of FIN after the TLS close, as the kit's mtlsload does: no TIME_WAIT pile-up on the
            // client at thousands of connections per second.
            _ = socket.setSoLinger(linger(l_onoff: 1, l_linger: 0))
        }
        let pipeline = channel.pipeline.syncOperations
        try pipeline.addHandler(
            NIOSSLClientHandler(context: configuration.tlsContext, serverHostname: configuration.serverHostname)
        )
        if configuration.http2 {
            try pipeline.addHandler(NIOHTTP2Handler(mode: .client, initialSettings: HTTP2LoadHandler.initialSettings))
            try pipeline.addHandler(
                HTTP2LoadHandler(slot: self, generation: generation, headers: configuration.http2RequestHeaders)
            )
        } else {
            try pipeline.addHandler(HTTP1LoadHandler(slot: self, generation: generation, request: configuration.http1Request))
        }
    }

    private func connectFailed(_ error: any Error, generation: Int) {
        guard generation == self.generation else { return }
        if !currentFailed {
            currentFailed = true
            count(.connect, error)
        }
        retire()
        retryOrGiveUp()
    }

    // MARK: Events from the connection's handler

    func handshakeCompleted(generation: Int) {
        guard generation == self.generation else { return }
        let now = NIODeadline.now()
        if load.isMeasuring(now) {
            load.counters.handshakes &+= 1
            load.counters.handshakeLatency.record(nanoseconds: (now - connectStartedAt).nanoseconds)
        }
        progressDeadline = now + configuration.timeout
    }

    func requestWillBeSent(generation: Int) {
        guard generation == self.generation else { return }
        requestSentAt = .now()
        progressDeadline = requestSentAt + configuration.timeout
    }

    func responseCompleted(generation: Int, status: Int, serverCloses: Bool) -> NextStep {
        guard generation == self.generation else { return .close }
        let now = NIODeadline.now()
        let success = (200..<300).contains(status)
        if load.isMeasuring(now) {
            load.counters.responses &+= 1
            if success { load.counters.ok &+= 1 } else { load.counters.bad &+= 1 }
            load.counters.latency.record(nanoseconds: (now - requestSentAt).nanoseconds)
            if configuration.mode != .keepalive {
                load.counters.connectionLatency.record(nanoseconds: (now - connectStartedAt).nanoseconds)
            }
        }
        if !success && load.counters.firstError == nil { load.counters.firstError = "HTTP status \(status)" }
        switch configuration.mode {
        case .keepalive:
            if load.isStopping || serverCloses {
                // Reconnects (without counting an error) once the close completes.
                progressDeadline = now + configuration.timeout
                return .close
            }
            return .sendRequest
        case .new:
            // The slot moves on at once; the old connection finishes its TLS close in the background.
            retire()
            open()
            return .close
        case .idle:
            progressDeadline = nil
            isEstablishedIdle = true
            load.idleConnectionSettled(established: true)
            return .hold
        }
    }

    func connectionFailed(generation: Int, kind: LoadErrorKind, error: any Error) {
        guard generation == self.generation, !currentFailed else { return }
        currentFailed = true
        count(kind, error)
    }

    func connectionClosed(generation: Int) {
        guard generation == self.generation else { return }
        retire()
        if load.isStopping { return }
        if isEstablishedIdle {
            load.idleConnectionClosedByPeer()
        } else if currentFailed {
            retryOrGiveUp()
        } else {
            open()
        }
    }

    // MARK: Supervision

    func checkProgress(now: NIODeadline) {
        guard let deadline = progressDeadline, now > deadline, let channel else { return }
        connectionFailed(
            generation: generation,
            kind: .timeout,
            error: LoadConnectionError.noProgress(seconds: Double(configuration.timeout.nanoseconds) / 1e9)
        )
        progressDeadline = nil
        channel.close(promise: nil)
    }

    /// Closes the current connection for good; returns its close future, if there is one.
    func stop() -> EventLoopFuture<Void>? {
        guard let channel else { return nil }
        retire()
        channel.close(promise: nil)
        return channel.closeFuture
    }

    // MARK: Helpers

    /// Forgets the current connection: anything it reports from now on is ignored.
    private func retire() {
        generation &+= 1
        channel = nil
        progressDeadline = nil
    }

    private func retryOrGiveUp() {
        guard !load.isStopping else { return }
        if configuration.mode == .idle, let attempts = attemptsLeft, attempts <= 0 {
            load.idleConnectionSettled(established: false)
            return
        }
        load.eventLoop.assumeIsolated().scheduleTask(in: Self.retryBackoff) { [self] in
            open()
        }
    }

    private func count(_ kind: LoadErrorKind, _ error: any Error) {
        if load.isMeasuring(.now()) { load.counters.recordError(kind) }
        load.noteError(kind, error)
    }
}
