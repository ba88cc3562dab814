import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// One run: starts the slots on every event loop, sleeps through warm-up and the measured window (or the idle
/// hold), takes CPU time at the window's edges, then freezes the counters, closes everything and reports.
struct LoadRun {
    let configuration: LoadConfiguration
    let interruption: RunInterruption
    /// Told once every idle connection is established or has given up: (established, requested).
    let idleReady: @Sendable (_ established: Int, _ requested: Int) -> Void

    private struct LoopHandle: Sendable {
        var eventLoop: any EventLoop
        var load: NIOLoopBound<EventLoopLoad>
    }

    func run() throws -> LoadReport {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: configuration.threads)
        let startedAt = NIODeadline.now()
        let measureFrom = configuration.mode == .idle ? startedAt : startedAt + configuration.warmup
        let configuration = self.configuration
        var handles: [LoopHandle] = []
        for eventLoop in group.makeIterator() {
            let load = try eventLoop.submit {
                NIOLoopBound(
                    EventLoopLoad(eventLoop: eventLoop, configuration: configuration, measureFrom: measureFrom),
                    eventLoop: eventLoop
                )
            }.wait()
            handles.append(LoopHandle(eventLoop: eventLoop, load: load))
        }

        var cpuAtStart = ProcessCPUTime.seconds()
        var windowStart = NIODeadline.now()
        var idleSettledAt: NIODeadline?
        var completed = true
        var windowStarted = true

        if configuration.mode == .idle {
            let parallel = Self.split(configuration.connections, into: handles.count).map { max(1, $0) }
            let counts = Self.split(configuration.idleCount, into: handles.count)
            let opened = zip(handles, zip(counts, parallel)).map { handle, share in
                handle.eventLoop.flatSubmit { handle.load.value.startIdle(count: share.0, parallel: share.1) }
            }
            let settled = NIOLockedValueBox(false)
            let interruption = self.interruption
            EventLoopFuture.andAllComplete(opened, on: group.any()).whenComplete { _ in
                settled.withLockedValue { $0 = true }
                interruption.wake()
            }
            completed = interruption.sleep(until: .distantFuture, while: { !settled.withLockedValue { $0 } })
            if completed {
                idleSettledAt = .now()
                let figures = try Self.collect(handles) { $0.idleSnapshot() }
                idleReady(figures.reduce(0) { $0 + $1.established }, configuration.idleCount)
                completed = interruption.sleep(until: .now() + configuration.duration)
            }
        } else {
            let shares = Self.split(configuration.connections, into: handles.count)
            for (handle, share) in zip(handles, shares) {
                handle.eventLoop.execute { handle.load.value.start(slotCount: share) }
            }
            completed = interruption.sleep(until: measureFrom)
            if completed {
                cpuAtStart = ProcessCPUTime.seconds()
                windowStart = .now()
                completed = interruption.sleep(until: measureFrom + configuration.duration)
            } else {
                windowStarted = false
            }
        }

        let snapshots = try Self.collect(handles) { $0.freeze() }
        let cpuAtEnd = ProcessCPUTime.seconds()
        let windowEnd = NIODeadline.now()
        let closed = handles.map { handle in handle.eventLoop.flatSubmit { handle.load.value.stop() } }
        try? EventLoopFuture.andAllComplete(closed, on: group.any()).wait()
        try group.syncShutdownGracefully()

        var counters = LoadCounters()
        for snapshot in snapshots { counters.merge(snapshot.counters) }
        let frozenAt = snapshots.map(\.frozenAt).max() ?? windowEnd
        let wall = Double((windowEnd - windowStart).nanoseconds) / 1e9
        let cpuPercent = windowStarted && wall > 0 ? 100 * (cpuAtEnd - cpuAtStart) / wall : 0

        var idle: LoadReport.IdleSummary?
        if configuration.mode == .idle {
            var figures = EventLoopLoad.IdleFigures()
            for snapshot in snapshots {
                figures.requested += snapshot.idle.requested
                figures.established += snapshot.idle.established
                figures.failed += snapshot.idle.failed
                figures.closedByPeer += snapshot.idle.closedByPeer
            }
            idle = LoadReport.IdleSummary(
                requested: configuration.idleCount,
                established: figures.established,
                failed: figures.failed,
                stillOpen: figures.stillOpen,
                closedByPeer: figures.closedByPeer,
                secondsToEstablish: idleSettledAt.map { Double(($0 - startedAt).nanoseconds) / 1e9 },
                heldSeconds: idleSettledAt.map { Double((frozenAt - $0).nanoseconds) / 1e9 } ?? 0
            )
        }
        return LoadReport(
            mode: configuration.mode,
            http2: configuration.http2,
            target: "https://\(configuration.target.authority)\(configuration.target.path)",
            connections: configuration.connections,
            threads: configuration.threads,
            warmupSeconds: Double(configuration.warmup.nanoseconds) / 1e9,
            measuredSeconds: max(0, Double((frozenAt - measureFrom).nanoseconds) / 1e9),
            interrupted: !completed,
            counters: counters,
            clientCPUPercent: cpuPercent,
            idle: idle
        )
    }

    /// Runs `body` on every loop's load and returns the results in loop order.
    private static func collect<Result: Sendable>(
        _ handles: [LoopHandle],
        _ body: @escaping @Sendable (EventLoopLoad) -> Result
    ) throws -> [Result] {
        let futures = handles.map { handle in handle.eventLoop.submit { body(handle.load.value) } }
        return try futures.map { try $0.wait() }
    }

    /// `total` split as evenly as possible into `parts` shares (the first ones get the remainder).
    static func split(_ total: Int, into parts: Int) -> [Int] {
        guard parts > 0 else { return [] }
        return (0..<parts).map { total / parts + ($0 < total % parts ? 1 : 0) }
    }
}
