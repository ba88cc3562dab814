import NIOCore

/// The connection slots of one event loop, their shared counters and the measured window.
///
/// Lives on its event loop and is only touched there, so the hot path needs no locks; the run collects a
/// `Snapshot` from every loop at the end.
final class EventLoopLoad {
    struct IdleFigures: Sendable {
        var requested = 0
        /// Connections whose request got a complete response.
        var established = 0
        /// Connections that gave up after all their attempts.
        var failed = 0
        /// Established connections the server closed while they were held.
        var closedByPeer = 0
        var stillOpen: Int { established - closedByPeer }
    }

    struct Snapshot: Sendable {
        var counters: LoadCounters
        var frozenAt: NIODeadline
        var idle: IdleFigures
    }

    let eventLoop: any EventLoop
    let configuration: LoadConfiguration
    /// Responses, handshakes and errors count from here on (the end of the warm-up).
    let measureFrom: NIODeadline
    var counters = LoadCounters()
    private(set) var isStopping = false
    private var frozenAt: NIODeadline?
    private var slots: [ConnectionSlot] = []
    private var progressCheck: Scheduled<Void>?

    private var idle = IdleFigures()
    private var idleOpened = 0
    private var idleInFlight = 0
    private var idleParallel = 1
    private var idleSettled: EventLoopPromise<Void>?

    init(eventLoop: any EventLoop, configuration: LoadConfiguration, measureFrom: NIODeadline) {
        self.eventLoop = eventLoop
        self.configuration = configuration
        self.measureFrom = measureFrom
    }

    /// Whether something that happened at `now` belongs to the measured figures.
    @inline(__always)
    func isMeasuring(_ now: NIODeadline) -> Bool {
        frozenAt == nil && (configuration.mode == .idle || now >= measureFrom)
    }

    func noteError(_ kind: LoadErrorKind, _ error: any Error) {
        if counters.firstError == nil { counters.firstError = "\(kind.rawValue): \(error)" }
    }

    /// Starts `slotCount` closed-loop slots (new and keepalive modes).
    func start(slotCount: Int) {
        startProgressCheck()
        for _ in 0..<slotCount {
            let slot = ConnectionSlot(load: self, attempts: nil)
            slots.append(slot)
            slot.open()
        }
    }

    /// Opens `count` idle connections with at most `parallel` handshakes in flight; the future succeeds when every
    /// one is established or has given up.
    func startIdle(count: Int, parallel: Int) -> EventLoopFuture<Void> {
        startProgressCheck()
        idle.requested = count
        idleParallel = max(1, parallel)
        let promise = eventLoop.makePromise(of: Void.self)
        idleSettled = promise
        openMoreIdleConnections()
        return promise.futureResult
    }

    func idleConnectionSettled(established: Bool) {
        idleInFlight -= 1
        if established { idle.established += 1 } else { idle.failed += 1 }
        openMoreIdleConnections()
    }

    func idleConnectionClosedByPeer() {
        idle.closedByPeer += 1
    }

    private func openMoreIdleConnections() {
        while idleOpened < idle.requested && idleInFlight < idleParallel && !isStopping {
            let slot = ConnectionSlot(load: self, attempts: ConnectionSlot.idleAttempts)
            slots.append(slot)
            // Counted before opening: a connect that fails at once calls back into this method.
            idleOpened += 1
            idleInFlight += 1
            slot.open()
        }
        if idleInFlight == 0 && (idleOpened == idle.requested || isStopping), let promise = idleSettled {
            idleSettled = nil
            promise.succeed(())
        }
    }

    /// Ends the measured window: nothing that happens afterwards is counted.
    func freeze() -> Snapshot {
        let now = NIODeadline.now()
        if frozenAt == nil { frozenAt = now }
        return Snapshot(counters: counters, frozenAt: frozenAt ?? now, idle: idle)
    }

    func idleSnapshot() -> IdleFigures {
        idle
    }

    /// Stops opening connections and closes the open ones; the future completes when they are closed.
    func stop() -> EventLoopFuture<Void> {
        isStopping = true
        progressCheck?.cancel()
        progressCheck = nil
        let closed = slots.compactMap { $0.stop() }
        if let promise = idleSettled {
            idleSettled = nil
            promise.succeed(())
        }
        return EventLoopFuture.andAllComplete(closed, on: eventLoop)
    }

    /// A cheap periodic sweep instead of one timer per request: slots that made no progress in time are failed.
    private func startProgressCheck() {
        progressCheck = eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(250)) { [self] in
            guard !isStopping else { return }
            let now = NIODeadline.now()
            for slot in slots { slot.checkProgress(now: now) }
            startProgressCheck()
        }
    }
}
