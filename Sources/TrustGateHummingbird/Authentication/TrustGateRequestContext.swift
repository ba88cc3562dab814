public import Hummingbird
public import NIOCore
public import TrustGateAuth

/// A ready-made request context for services protected by ``AuthenticationMiddleware``: the principal,
/// and what is known of the connection (TLS, peer, client certificate).
public struct TrustGateRequestContext: PrincipalRequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public var principal: Principal?
    public let connection: TrustGateConnection?
    private let channelRemoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = CoreRequestContextStorage(source: source)
        // Made off the event loop: the task-local costs nothing to read, where asking the TLS handler in
        // the channel's pipeline would need a hop to the loop.
        let connection = TrustGateConnection.current
        self.connection = connection
        self.channelRemoteAddress = connection == nil ? source.channel.remoteAddress : nil
    }

    /// The immediate peer (a client or a proxy).
    public var remoteAddress: SocketAddress? { connection?.remoteAddress ?? channelRemoteAddress }

    /// The certificate the client presented in this connection's TLS handshake, with the policy's verdict.
    public var clientCertificate: ClientCertificateRecord? { connection?.clientCertificate }
}
