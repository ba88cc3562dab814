import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif

/// Runs a Hummingbird application on 127.0.0.1 for the duration of `body`.
///
/// The port is chosen before the service is built (`freePort()`), because the token service's issuer — and so
/// every URL in discovery — contains it.
enum LiveTokenServer {
    static func run<Value: Sendable>(
        router: Router<BasicRequestContext>,
        server: HTTPServerBuilder,
        port: Int,
        _ body: () async throws -> Value
    ) async throws -> Value {
        let (started, continuation) = AsyncStream.makeStream(of: Bool.self)
        var logger = Logger(label: "trustgate-tokens-test")
        logger.logLevel = .warning
        let app = Application(
            router: router,
            server: server,
            configuration: .init(address: .hostname("127.0.0.1", port: port)),
            onServerRunning: { _ in
                continuation.yield(true)
                continuation.finish()
            },
            logger: logger)
        let services = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task {
            // A server that fails to start must not leave the caller waiting.
            defer { continuation.finish() }
            try await services.run()
        }
        var iterator = started.makeAsyncIterator()
        guard await iterator.next() == true else {
            await services.triggerGracefulShutdown()
            try await task.value
            throw CancellationError()
        }
        do {
            let value = try await body()
            await services.triggerGracefulShutdown()
            _ = await task.result
            return value
        } catch {
            await services.triggerGracefulShutdown()
            _ = await task.result
            throw error
        }
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, read back, released).
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.EMFILE) }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0 else { throw POSIXError(.EINVAL) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
