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
    var handshakeVerdict: CertificateVerdict?
    var verificationRan = false
    var negotiatedHTTP2 = false

    init(runtime: GatewayRuntime, listener: ListenerRuntime, remoteAddress: SocketAddress?) {
        self.runtime = runtime
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

    func recordHandshakeVerdict(presented: PresentedCertificateChain?, verdict: CertificateVerdict) {
        verificationRan = true
        if let presented { presentedChain = presented }
        handshakeVerdict = verdict
    }
}
