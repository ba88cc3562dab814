public import TrustGateX509

/// The TLS-terminating proxies (load balancers, App Service's front end, `trustgate serve`) whose word
/// this service takes about the client: that it used HTTPS (`X-Forwarded-Proto: https`) and, when a format
/// is configured, which client certificate it presented (in that format's header).
///
/// Only the immediate peer's address counts; `X-Forwarded-For` is never consulted. Requests from any other
/// peer have their copies of these headers ignored.
public struct TrustedProxies: Sendable {
    public var networks: [CIDRBlock]
    /// The header format the proxies forward the client certificate in; nil: they forward none (a
    /// certificate header is then never read, even from a trusted proxy).
    public var certificateFormat: ForwardedCertificateFormat?

    public init(networks: [CIDRBlock], certificateFormat: ForwardedCertificateFormat? = nil) {
        self.networks = networks
        self.certificateFormat = certificateFormat
    }

    /// No proxy is trusted.
    public static let none = TrustedProxies(networks: [])

    /// Whether the immediate peer of `connection` is one of the trusted proxies.
    public func trusts(_ connection: TrustGateConnection?) -> Bool {
        guard !networks.isEmpty, let address = connection?.remoteAddressBytes else { return false }
        return networks.contains { $0.contains(address) }
    }
}
