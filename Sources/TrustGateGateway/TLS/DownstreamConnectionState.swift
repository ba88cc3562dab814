import NIOCore
import TrustGateX509

/// What the gateway knows about one client connection: which listener and host it reached, its peer
/// address, and the certificate presented in the handshake with its verdict.
///
/// Confined to the connection's event loop (HTTP/2 stream channels share their parent's loop), which is
/// why it is `@unchecked Sendable`: NIO's `@Sendable` initialiser closures capture it, but every access
/// happens on that one thread.
final class DownstreamConnectionState: @unchecked Sendable {
    let runtime: GatewayRuntime
    let listener: ListenerRuntime
    let remoteAddressText: String
    let remoteAddressBytes: [UInt8]?
    /// Selected by SNI at the handshake (the default host without SNI); on plain listeners, the default host.
    var host: HostRuntime
    var serverName: String?
    var isTLS: Bool
    /// The listener trusts forwarded certificates and this peer is a trusted proxy: a TLS client certificate
    /// here authenticates the proxy.
    let certificateIdentifiesProxy: Bool
    var presentedChain: PresentedCertificateChain?
    var verificationRan = false
    /// Closes the connection unless its TLS handshake completes in time (cancelled by TLSHandshakeObserver).
    var handshakeDeadline: Scheduled<Void>?
    /// The reason code of a certificate refused in the handshake (`reject_in_handshake`), for the log.
    var handshakeRefusal: String?

    /// The newest runtime, whose policies judge this connection's requests after a reload.
    let current: CurrentRuntime

    /// Request ids are this connection's random prefix and a counter: unique across connections and
    /// gateways without a random draw (or a lock) per request.
    private lazy var requestIDPrefix: String = {
        let bits = UInt64.random(in: .min ... .max)
        let hex = String(bits, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }()
    private var requestCount: UInt64 = 0

    /// A new id for a request on this connection.
    func nextRequestID() -> String {
        requestCount += 1
        return requestIDPrefix + "-" + String(requestCount, radix: 16)
    }

    init(runtime: GatewayRuntime, current: CurrentRuntime, listener: ListenerRuntime, remoteAddress: SocketAddress?) {
        self.runtime = runtime
        self.current = current
        self.listener = listener
        self.host = listener.hosts[0]
        self.isTLS = listener.isTLS
        switch remoteAddress {
        case .v4(let address)?:
            remoteAddressText = remoteAddress?.ipAddress ?? "unknown"
            remoteAddressBytes = withUnsafeBytes(of: address.address.sin_addr) { Array($0) }
        case .v6(let address)?:
            remoteAddressText = remoteAddress?.ipAddress ?? "unknown"
            remoteAddressBytes = withUnsafeBytes(of: address.address.sin6_addr) { Array($0) }
        default:
            remoteAddressText = "unknown"
            remoteAddressBytes = nil
        }
        certificateIdentifiesProxy = listener.isTrustedProxy(remoteAddressBytes)
    }

    private var proxyAuthenticated: Bool?
    private var policyMemo: (runtime: ObjectIdentifier, host: Int, policy: CertificatePolicy?)?

    /// The policy that judges a request for `host` now: the host's own, or — after a reload — the policy of
    /// the host with the same names in the newest configuration (none there: the connection's own).
    func currentPolicy(for host: HostRuntime) -> CertificatePolicy? {
        let newest = current.runtime
        if newest === runtime { return host.policy }
        let id = ObjectIdentifier(newest)
        if let policyMemo, policyMemo.runtime == id, policyMemo.host == host.index { return policyMemo.policy }
        var policy = host.policy
        if listener.index < newest.listeners.count,
           let replacement = newest.listeners[listener.index].hosts.first(where: { $0.names == host.names })
        {
            policy = replacement.policy
        }
        policyMemo = (id, host.index, policy)
        return policy
    }
    private var lastAuthority: (authority: String, name: String, index: Int?)?

    /// The host a Host header selects on this listener; the answer for the connection's last Host is reused
    /// (a keep-alive connection sends the same one every time).
    func hostIndex(forAuthority authority: String) -> (name: String, index: Int?) {
        if let lastAuthority, lastAuthority.authority == authority { return (lastAuthority.name, lastAuthority.index) }
        let name = HostNameTable.name(fromAuthority: authority)
        let index = listener.hostNames.index(for: name)
        lastAuthority = (authority, name, index)
        return (name, index)
    }

    /// The accepted certificate's names and forwarded headers, derived once per connection (per leaf and
    /// route): a keep-alive connection sends the same certificate with every request.
    struct CertificateStrings {
        let leaf: [UInt8]
        let subject: String
        let sha256Hex: String
    }

    private var certificateStrings: CertificateStrings?
    private var forwardedHeaders: (leaf: [UInt8], route: String, headers: [(String, String)])?

    /// Subject and thumbprint of `certificate` for logs; the first time a leaf is seen on this connection it
    /// is also reported to the expiry metric.
    func strings(for certificate: AcceptedCertificate, presented: PresentedCertificateChain) -> CertificateStrings {
        let leaf = presented.derCertificates.first ?? []
        // Array equality first compares storage identity: the same presented chain costs nothing.
        if let certificateStrings, certificateStrings.leaf == leaf { return certificateStrings }
        let strings = CertificateStrings(
            leaf: leaf, subject: certificate.identity.subject.rfc4514String, sha256Hex: certificate.identity.fingerprints.sha256Hex)
        certificateStrings = strings
        runtime.metrics.recordClientCertificateSeen(sha256Hex: strings.sha256Hex, subject: strings.subject, notAfter: certificate.identity.notAfter)
        return strings
    }

    func forwardedCertificateHeaders(route: CompiledRoute, certificate: AcceptedCertificate, presented: PresentedCertificateChain) -> [(String, String)] {
        let leaf = presented.derCertificates.first ?? []
        if let forwardedHeaders, forwardedHeaders.route == route.name, forwardedHeaders.leaf == leaf {
            return forwardedHeaders.headers
        }
        let headers = UpstreamRequestBuilder.certificateHeaders(route: route, certificate: certificate, presented: presented)
        forwardedHeaders = (leaf, route.name, headers)
        return headers
    }

    /// Whether the proxy's own TLS client certificate matches one of `pins` (SPKI SHA-256); true without pins.
    /// Computed once per connection.
    func proxyIsAuthenticated(pins: [[UInt8]]) -> Bool {
        if pins.isEmpty { return true }
        if let proxyAuthenticated { return proxyAuthenticated }
        var result = false
        if let leaf = presentedChain?.derCertificates.first, let fingerprints = try? CertificateFingerprints(derBytes: leaf) {
            result = pins.contains { ConstantTime.equal($0, fingerprints.spkiSHA256) }
        }
        proxyAuthenticated = result
        return result
    }
}
