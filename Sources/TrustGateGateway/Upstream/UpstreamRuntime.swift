import NIOCore
import NIOSSL
import TrustGateX509

/// How to reach an upstream: its configuration and its TLS client context, built once.
struct UpstreamEndpoint: Sendable {
    let configuration: UpstreamConfiguration
    let sslContext: NIOSSLContext?
    /// SNI and certificate name for https; nil for an IP literal (SNI cannot carry one).
    let serverHostname: String?

    init(configuration: UpstreamConfiguration) throws {
        self.configuration = configuration
        if configuration.scheme == .https {
            let tls = try TLSConfiguration.trustGateClient(
                trustRoots: configuration.trustRoots,
                identity: configuration.clientCertificate.map { ($0.chain, $0.privateKey) },
                applicationProtocols: ["http/1.1"]
            )
            sslContext = try NIOSSLContext(configuration: tls)
            let name = configuration.serverName ?? configuration.host
            serverHostname = IPAddressText.bytes(name) == nil ? name : nil
        } else {
            sslContext = nil
            serverHostname = nil
        }
    }
}

/// An upstream with one connection pool per event loop, so a request never leaves the thread its client
/// connection lives on and the pools need no locks.
final class UpstreamRuntime: Sendable {
    let name: String
    let endpoint: UpstreamEndpoint
    private let pools: [ObjectIdentifier: UpstreamConnectionPool]

    init(configuration: UpstreamConfiguration, group: any EventLoopGroup, metrics: GatewayMetrics) throws {
        self.name = configuration.name
        let endpoint = try UpstreamEndpoint(configuration: configuration)
        self.endpoint = endpoint
        var pools: [ObjectIdentifier: UpstreamConnectionPool] = [:]
        for eventLoop in group.makeIterator() {
            pools[ObjectIdentifier(eventLoop)] = UpstreamConnectionPool(eventLoop: eventLoop, endpoint: endpoint, name: configuration.name, metrics: metrics)
        }
        self.pools = pools
    }

    func pool(for eventLoop: any EventLoop) -> UpstreamConnectionPool? {
        pools[ObjectIdentifier(eventLoop)]
    }

    /// Idle connections close now; busy ones when their exchange ends.
    func retire() {
        for pool in pools.values {
            pool.eventLoop.execute { pool.retire() }
        }
    }
}
