public import HummingbirdCore
public import HummingbirdHTTP2
public import Logging
public import NIOCore
import NIOHTTP2
import NIOSSL

/// A Hummingbird child channel for TLS with client certificates: HTTP/2 and HTTP/1.1 on one port (ALPN),
/// TrustGate's certificate policy in the handshake, and the connection's ``TrustGateConnection`` given to
/// every request.
///
/// Hummingbird's `TLSChannel` and `HTTP2UpgradeChannel` install their own `NIOSSLServerHandler`, with the
/// callback that cannot return NIOSSL metadata nor reach a per-connection record; this channel installs the
/// TLS handler itself and reuses Hummingbird's public `HTTP1Channel` and `HTTP2Channel` for what follows,
/// as `HTTP2UpgradeChannel` does.
public struct TrustGateTLSChannel: HTTPChannelHandler {
    public struct Value: ServerChildChannelValue {
        let negotiated: EventLoopFuture<NIONegotiatedHTTPVersion<HTTP1Channel.Value, HTTP2Channel.Value>>
        let capture: HandshakeCertificateCapture
        let remoteAddress: SocketAddress?
        public let channel: any Channel
    }

    private let sslContext: NIOSSLContext
    private let verifier: HandshakeCertificateVerifier?
    private let http1: HTTP1Channel
    private let http2: HTTP2Channel
    public var responder: Responder { http1.responder }

    public init(
        configuration: TrustGateTLSConfiguration,
        http2Configuration: HTTP2ChannelConfiguration = .init(),
        responder: @escaping Responder
    ) throws {
        self.sslContext = try configuration.makeSSLContext()
        if configuration.clientCertificateMode != .ignore, let policy = configuration.clientCertificatePolicy {
            self.verifier = HandshakeCertificateVerifier(policy: policy)
        } else {
            self.verifier = nil
        }
        self.http1 = HTTP1Channel(responder: responder, configuration: http2Configuration.streamConfiguration)
        self.http2 = HTTP2Channel(responder: responder, configuration: http2Configuration)
    }

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let capture = HandshakeCertificateCapture()
        do {
            let handler: NIOSSLServerHandler
            if let verifier {
                handler = NIOSSLServerHandler(
                    context: sslContext,
                    configuration: .init(),
                    customVerificationCallbackWithMetadata: verifier.callback(recordingInto: capture))
            } else {
                handler = NIOSSLServerHandler(context: sslContext, configuration: .init())
            }
            try channel.pipeline.syncOperations.addHandler(handler)
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        let remoteAddress = channel.remoteAddress
        let http1 = self.http1
        let http2 = self.http2
        // The ALPN handler waits for the handshake to complete, then installs the HTTP/1.1 or HTTP/2 codecs.
        return channel.configureHTTP2AsyncSecureUpgrade { channel in
            http1.setup(channel: channel, logger: logger)
        } http2ConnectionInitializer: { channel in
            http2.setup(channel: channel, logger: logger)
        }
        .map { Value(negotiated: $0, capture: capture, remoteAddress: remoteAddress, channel: channel) }
    }

    public func handle(value: Value, logger: Logger) async {
        let negotiated: NIONegotiatedHTTPVersion<HTTP1Channel.Value, HTTP2Channel.Value>
        do {
            negotiated = try await value.negotiated.get()
        } catch {
            logger.debug("TLS handshake or protocol negotiation failed", metadata: ["error": "\(error)"])
            return
        }
        // Negotiation completes only after the handshake, and the handshake only after the verification
        // callback completed its promise, having stored the record: it is final now. Read it once here for
        // the whole connection.
        let isHTTP2: Bool
        if case .http2 = negotiated { isHTTP2 = true } else { isHTTP2 = false }
        let connection = TrustGateConnection(
            isTLS: true,
            remoteAddress: value.remoteAddress,
            httpProtocol: isHTTP2 ? "h2" : "http/1.1",
            clientCertificate: value.capture.record)
        // Every request of this connection — HTTP/2 streams run in child tasks, which inherit task-locals —
        // sees `connection` as `TrustGateConnection.current`.
        await TrustGateConnection.$current.withValue(connection) {
            switch negotiated {
            case .http1_1(let http1Value):
                await http1.handle(value: http1Value, logger: logger)
            case .http2(let http2Value):
                await http2.handle(value: http2Value, logger: logger)
            }
        }
    }
}
