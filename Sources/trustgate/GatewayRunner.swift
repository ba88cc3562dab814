import Dispatch
import Foundation
import Logging
import TrustGateGateway

/// Runs a gateway in the foreground: starts it, reloads on SIGHUP and file changes, and on SIGTERM or
/// SIGINT (Ctrl-C) stops accepting and drains in-flight requests before exiting.
enum GatewayRunner {
    static func run(
        _ configuration: GatewayConfiguration,
        reload: (@Sendable () throws -> GatewayConfiguration)?,
        banner: (GatewayServer) -> Void = { _ in }
    ) async throws {
        startOperatorLog(configuration.log)
        // First, so that whatever fails next is already tied to a build in the journal.
        log("starting trustgate \(BuildInfo.version) (commit \(BuildInfo.shortCommit), built \(BuildInfo.buildDate), Swift \(BuildInfo.swiftVersion))")
        let server: GatewayServer
        do {
            server = try GatewayServer(configuration: configuration)
        } catch {
            throw CommandFailure.input("cannot set up the gateway: \(error)")
        }
        server.metrics.setBuildInfo(version: BuildInfo.version, commit: BuildInfo.commit)
        do {
            try await server.start()
        } catch {
            await server.shutdown(drainTimeout: 0)
            throw CommandFailure.failed("cannot start: \(error)")
        }
        for (listener, port) in zip(configuration.listeners, server.boundPorts) {
            let scheme = listener.tls == nil ? "http" : "https"
            log("listening on \(scheme)://\(ListenAddress(host: listener.address.host, port: port)) (\(listener.name))")
        }
        if let adminPort = server.adminPort, let admin = configuration.admin {
            log("admin on http://\(ListenAddress(host: admin.address.host, port: adminPort)) (/metrics, /healthz, /readyz)")
        }
        var watcher: GatewayConfigurationWatcher?
        if let reload {
            let created = GatewayConfigurationWatcher(server: server, load: reload, log: log)
            created.start()
            watcher = created
        }
        banner(server)

        let signal = await waitForTermination()
        log("\(signal) received: draining in-flight requests (up to \(Int(server.configuration.shutdown.drainTimeout)) s)")
        watcher?.stop()
        await server.shutdown()
        log("stopped")
    }

    /// The CLI's own lines (listening on …, reloads, the drain) in the operator log's format.
    static var logger: Logger { Logger(label: "trustgate") }

    @Sendable static func log(_ message: String) {
        logger.info("\(message)")
    }

    /// Installs the operator log's handler (once per process): `log:` of the configuration, `--log-level`
    /// over its level.
    static func startOperatorLog(_ settings: OperatorLogConfiguration, level: String? = nil) {
        let resolved = Logger.Level(rawValue: level ?? settings.level) ?? .info
        OperatorLogBootstrap.once { LoggingSystem.bootstrap(OperatorLog.handlerFactory(format: settings.format, level: resolved)) }
    }

    /// Suspends until SIGTERM or SIGINT; returns its name. A second one exits at once (status 3).
    private static func waitForTermination() async -> String {
        await withCheckedContinuation { (continuation: CheckedContinuation<String, Never>) in
            let queue = DispatchQueue(label: "trustgate.signals")
            let once = OnceFlag()
            var sources: [any DispatchSourceSignal] = []
            for (number, name) in [(SIGTERM, "SIGTERM"), (SIGINT, "SIGINT")] {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
                source.setEventHandler {
                    if once.claim() {
                        continuation.resume(returning: name)
                    } else {
                        // A second SIGTERM or Ctrl-C during the drain: the operator wants out now.
                        log("\(name) received again: exiting without waiting for the drain")
                        exit(3)
                    }
                }
                source.resume()
                sources.append(source)
            }
            SignalSources.keep(sources)
        }
    }
}

/// Signal sources must outlive the wait; they are kept for the life of the process.
private enum SignalSources {
    nonisolated(unsafe) static var retained: [any DispatchSourceSignal] = []
    static func keep(_ sources: [any DispatchSourceSignal]) { retained += sources }
}

private final class OnceFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var claimed = false

    func claim() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if claimed { return false }
        claimed = true
        return true
    }
}

/// `LoggingSystem.bootstrap` may run once per process: `serve` bootstraps before the runner would.
private enum OperatorLogBootstrap {
    nonisolated(unsafe) private static var done = false
    private static let lock = NSLock()

    static func once(_ bootstrap: () -> Void) {
        lock.lock()
        defer { lock.unlock() }
        guard !done else { return }
        done = true
        bootstrap()
    }
}
