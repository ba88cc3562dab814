import AsyncHTTPClient
import NIOCore
import Synchronization

/// The process-wide AsyncHTTPClient instances connectors use unless given one: one per connect timeout, made on
/// first use and kept for the life of the process (like `HTTPClient.shared`, never shut down).
///
/// Configured for a caller that carries credentials: no redirects (a redirect could carry the Authorization
/// header, or the claims, to another origin), no transparent decompression, and no connection retries of its own
/// (`retryConnectionEstablishment` off), so a failed connect fails the request at once and the connector's
/// retry policy decides, knowing the request was never sent.
enum SharedHTTPClients {
    private static let clients = Mutex<[Int64: HTTPClient]>([:])

    static func client(connectTimeout: Double) -> HTTPClient {
        let milliseconds = Int64((connectTimeout * 1000).rounded(.up))
        return clients.withLock { clients in
            if let client = clients[milliseconds] { return client }
            var configuration = HTTPClient.Configuration(
                redirectConfiguration: .disallow,
                timeout: HTTPClient.Configuration.Timeout(connect: .milliseconds(milliseconds)))
            configuration.connectionPool.retryConnectionEstablishment = false
            configuration.connectionPool.idleTimeout = .seconds(30)
            configuration.decompression = .disabled
            configuration.httpVersion = .automatic
            let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
            clients[milliseconds] = client
            return client
        }
    }
}
