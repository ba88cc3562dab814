import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle
import TrustGateHummingbird

/// Runs a Hummingbird application on 127.0.0.1, an ephemeral port, for the duration of `body`, then shuts it
/// down gracefully.
enum TestServer {
    static func run<Value: Sendable>(
        router: Router<TrustGateRequestContext>,
        server: HTTPServerBuilder,
        _ body: (Int) async throws -> Value
    ) async throws -> Value {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "trustgate-client-test")
        logger.logLevel = .warning
        let app = Application(
            responder: router.buildResponder(),
            server: server,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            logger: logger)
        let services = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task {
            // A server that fails to start must not leave the caller waiting for a port.
            defer { continuation.finish() }
            try await services.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port != 0 else {
            await services.triggerGracefulShutdown()
            _ = await task.result
            throw CancellationError()
        }
        do {
            let value = try await body(port)
            await services.triggerGracefulShutdown()
            _ = await task.result
            return value
        } catch {
            await services.triggerGracefulShutdown()
            _ = await task.result
            throw error
        }
    }
}
