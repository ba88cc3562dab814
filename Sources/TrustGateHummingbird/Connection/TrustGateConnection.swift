public import NIOCore
import TrustGateX509

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What TrustGate knows about the connection a request arrived on: whether it is TLS, who the immediate
/// peer is, and the client certificate of its handshake.
///
/// Made once per connection by ``TrustGateTLSChannel`` / ``TrustGatePlainHTTPChannel`` after the handshake,
/// and handed to every request of that connection through the task-local ``current``: the channel's
/// `handle` runs the whole connection (and, for HTTP/2, every stream's child task) inside
/// `$current.withValue`, and Hummingbird builds each request context inside that task. Reading it is a
/// task-local lookup — no lock, no event-loop hop, no pipeline search per request. (The alternative, asking
/// the `NIOSSLHandler` in the pipeline of `source.channel` / `channel.parent`, would need an event-loop hop
/// per request, because request contexts are made off the event loop.)
public struct TrustGateConnection: Sendable {
    /// The connection of the request being handled, or nil when the server was not built with a TrustGate
    /// channel (then the request counts as plain HTTP from an unknown peer: fail closed).
    @TaskLocal public static var current: TrustGateConnection?

    /// The connection is TLS, terminated by this process.
    public let isTLS: Bool
    /// The immediate peer (a client, or a proxy in front of this service).
    public let remoteAddress: SocketAddress?
    /// The peer's IP address as 4 or 16 bytes, for trusted-proxy matching; nil for Unix sockets.
    public let remoteAddressBytes: [UInt8]?
    /// The HTTP version the connection speaks, as its ALPN identifier: `h2` or `http/1.1` (also when a TLS
    /// client offered no ALPN); nil when not known (plain HTTP).
    public let httpProtocol: String?
    /// The certificate presented in the handshake; nil when none was (or TLS is not in use).
    public let clientCertificate: ClientCertificateRecord?

    public init(isTLS: Bool, remoteAddress: SocketAddress?, httpProtocol: String? = nil, clientCertificate: ClientCertificateRecord? = nil) {
        self.isTLS = isTLS
        self.remoteAddress = remoteAddress
        self.remoteAddressBytes = remoteAddress.flatMap(Self.addressBytes)
        self.httpProtocol = httpProtocol
        self.clientCertificate = clientCertificate
    }

    static func addressBytes(_ address: SocketAddress) -> [UInt8]? {
        switch address {
        case .v4(let v4):
            return withUnsafeBytes(of: v4.address.sin_addr) { Array($0) }
        case .v6(let v6):
            return withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
        case .unixDomainSocket:
            return nil
        }
    }
}
