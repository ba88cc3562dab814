import Foundation
import Logging
import NIOCore
import NIOSSL
import TrustGateX509
import X509

/// Everything a connection needs, built once from a ``GatewayConfiguration``: TLS contexts, policies with
/// their verdict caches, host tables, the route table and the upstream pools. Immutable; a reload builds a
/// new one and new connections pick it up while open ones keep theirs.
final class GatewayRuntime: Sendable {
    let configuration: GatewayConfiguration
    let listeners: [ListenerRuntime]
    let routes: RouteTable
    let upstreams: [String: UpstreamRuntime]
    /// The token service served on this gateway's listeners; nil without `token_service`.
    let tokenService: TokenServiceRuntime?
    let metrics: GatewayMetrics
    let accessLog: AccessLog
    /// The operator's log (debug: fields the gateway did not forward, clients it shed).
    let logger: Logger
    let generation: Int
    /// A client connection with no traffic for this long is closed. Longer than the slowest upstream may take
    /// to answer, so a waiting request is never cut by it (nginx's keepalive_timeout is 75 s).
    let clientIdleTimeout: TimeAmount

    init(configuration: GatewayConfiguration, group: any EventLoopGroup, metrics: GatewayMetrics, accessLog: AccessLog, logger: Logger, generation: Int) throws {
        self.configuration = configuration
        self.metrics = metrics
        self.accessLog = accessLog
        self.logger = logger
        self.generation = generation
        let slowest = configuration.upstreams.values.map { $0.connectTimeout + $0.responseTimeout }.max() ?? 0
        self.clientIdleTimeout = .seconds(Int64(max(75, slowest + 15)))

        var upstreams: [String: UpstreamRuntime] = [:]
        for (name, upstream) in configuration.upstreams {
            upstreams[name] = try UpstreamRuntime(configuration: upstream, group: group, metrics: metrics)
        }
        self.upstreams = upstreams

        var listeners: [ListenerRuntime] = []
        for (index, listener) in configuration.listeners.enumerated() {
            listeners.append(try ListenerRuntime(index: index, configuration: listener))
        }
        self.listeners = listeners

        var routes: [CompiledRoute] = []
        for route in configuration.routes {
            guard let upstream = upstreams[route.upstream] else {
                throw GatewayError.configuration("route \(route.name) names unknown upstream \(route.upstream)")
            }
            var hostIndices: [Int: Set<Int>]?
            if !route.hosts.isEmpty {
                var map: [Int: Set<Int>] = [:]
                for listener in listeners {
                    for host in listener.hosts where host.names.contains(where: { route.hosts.contains($0) }) {
                        map[listener.index, default: []].insert(host.index)
                    }
                }
                hostIndices = map
            }
            routes.append(CompiledRoute(
                configuration: route, name: route.name, hostIndices: hostIndices,
                loweredPrefix: route.pathPrefix.lowercased(), methods: route.methods, upstream: upstream,
                identity: (route.identity?.isEmpty ?? true) ? nil : route.identity,
                authentication: route.authentication.map(CompiledRouteAuthentication.init)))
        }
        self.routes = RouteTable(routes: routes)
        self.tokenService = try configuration.tokenService.map { try TokenServiceRuntime(configuration: $0, listeners: listeners) }
    }

    /// Publishes the expiry gauges of this configuration's certificates and CRLs.
    func publishExpiries() {
        metrics.removeAllExpiries()
        for listener in listeners {
            for host in listener.hosts {
                if let leaf = host.configuration.serverCertificate?.chain.first {
                    metrics.setExpiry(kind: "server_certificate", name: host.displayName, date: leaf.notValidAfter)
                }
                guard let settings = host.configuration.clientCertificates.policy else { continue }
                for anchor in settings.trustAnchors {
                    metrics.setExpiry(kind: "trust_anchor", name: anchor.subject.rfc4514String, date: anchor.notValidAfter)
                }
                for crl in settings.crls {
                    metrics.setExpiry(kind: "crl", name: crl.issuer.rfc4514String, date: crl.nextUpdate)
                }
            }
        }
    }

    /// Idle upstream connections of a replaced runtime are closed; busy ones close when their exchange ends.
    func retire() {
        for upstream in upstreams.values { upstream.retire() }
    }
}

enum GatewayError: Error, CustomStringConvertible {
    case configuration(String)
    case listenersChanged
    /// A listener's socket could not be bound: which listener, which address, and the system's word for why.
    case cannotListen(listener: String, address: ListenAddress, reason: String)

    var description: String {
        switch self {
        case .configuration(let message): message
        case .listenersChanged: "listener addresses changed: restart trustgate to apply them (the running configuration stays in force)"
        case .cannotListen(let listener, let address, let reason): "listener '\(listener)' cannot listen on \(address): \(reason)"
        }
    }
}

/// One listener's hosts and how names select them.
final class ListenerRuntime: Sendable {
    let index: Int
    let configuration: ListenerConfiguration
    let hosts: [HostRuntime]
    let hostNames: HostNameTable
    let isTLS: Bool
    let http2: Bool
    let trustedProxies: TrustedProxyConfiguration?
    let displayName: String

    init(index: Int, configuration: ListenerConfiguration) throws {
        self.index = index
        self.configuration = configuration
        self.isTLS = configuration.tls != nil
        self.http2 = configuration.tls?.http2 ?? false
        self.trustedProxies = configuration.trustedProxies
        self.displayName = configuration.name
        var hosts: [HostRuntime] = []
        for (hostIndex, host) in configuration.hosts.enumerated() {
            hosts.append(try HostRuntime(index: hostIndex, configuration: host, listenerTLS: configuration.tls, trustedProxies: configuration.trustedProxies))
        }
        self.hosts = hosts
        self.hostNames = HostNameTable(hostNames: configuration.hosts.map(\.names))
    }

    /// Whether `address` (4 or 16 bytes) is a configured trusted proxy.
    func isTrustedProxy(_ address: [UInt8]?) -> Bool {
        guard let trustedProxies, let address else { return false }
        return trustedProxies.addresses.contains { $0.contains(address) }
    }
}

/// A virtual host ready to serve: its TLS context and its compiled policy.
final class HostRuntime: Sendable {
    let index: Int
    let configuration: HostConfiguration
    let names: [String]
    let displayName: String
    let mode: ClientCertificateMode
    let rejectInHandshake: Bool
    let excludedPaths: ExcludedPaths
    let policy: CertificatePolicy?
    let sslContext: NIOSSLContext?
    /// Chains seen in full handshakes, so a resumed session (which carries only the leaf) is judged on the
    /// chain the client actually presented.
    let presentedChains = PresentedChainMemory(capacity: 10_000)

    init(index: Int, configuration: HostConfiguration, listenerTLS: ListenerTLSConfiguration?, trustedProxies: TrustedProxyConfiguration?) throws {
        self.index = index
        self.configuration = configuration
        self.names = configuration.names
        self.displayName = configuration.names.first ?? "*"
        self.mode = configuration.clientCertificates.mode
        self.rejectInHandshake = configuration.clientCertificates.rejectInHandshake
        self.excludedPaths = configuration.clientCertificates.excludedPaths
        self.policy = configuration.clientCertificates.policy.map { CertificatePolicy($0) }
        if let listenerTLS {
            guard let pair = configuration.serverCertificate else {
                throw GatewayError.configuration("host \(displayName) has no server certificate")
            }
            // Behind a trusted TLS terminator the TLS client is the proxy; its certificate (if asked for) only
            // authenticates the proxy, so the handshake never fails on it.
            self.sslContext = try ServerTLSContextFactory.makeContext(
                pair: pair, tls: listenerTLS, clientCertificates: configuration.clientCertificates,
                requestProxyCertificate: !(trustedProxies?.proxySPKISHA256.isEmpty ?? true))
        } else {
            self.sslContext = nil
        }
    }
}
