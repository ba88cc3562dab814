import CTrustGateBoringSSLShims
import NIOCore
import NIOSSL
import NIOTLS

/// Sits after the TLS handler: counts handshakes and their failures, and recovers the client certificate of
/// a resumed session (no certificate callback runs then; the session still carries the leaf).
final class TLSHandshakeObserver: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let connection: DownstreamConnectionState
    private var handshakeCompleted = false

    init(connection: DownstreamConnectionState) {
        self.connection = connection
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event {
            handshakeCompleted = true
            connection.handshakeDeadline?.cancel()
            connection.handshakeDeadline = nil
            let handler = try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self)
            if !connection.verificationRan, let peer = handler?.peerCertificate, let leaf = try? peer.toDERBytes() {
                // A resumed session: no certificate callback ran, the session still carries the leaf.
                connection.presentedChain = connection.host.presentedChains.chain(forLeaf: leaf)
            }
            let negotiated = handler.flatMap { BoringSSLPointers.connection(of: $0) }.map { NegotiatedTLS(ssl: $0) }
            connection.runtime.metrics.recordHandshake(
                version: negotiated?.version ?? "unknown", cipher: negotiated?.cipher ?? "unknown",
                resumed: negotiated?.resumed ?? !connection.verificationRan)
            context.fireUserInboundEventTriggered(event)
            // Nothing left to observe: leave the pipeline so requests do not pass through this handler.
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // After the handshake, errors are the connection's (a client closing without close_notify), not
        // handshake failures.
        if handshakeCompleted {
            context.fireErrorCaught(error)
            return
        }
        if let sslError = error as? NIOSSLError {
            connection.runtime.metrics.recordHandshakeFailure(reason: Self.reason(sslError))
        } else if error is BoringSSLError {
            connection.runtime.metrics.recordHandshakeFailure(reason: "tls_error")
        }
        context.fireErrorCaught(error)
    }

    private static func reason(_ error: NIOSSLError) -> String {
        switch error {
        case .handshakeFailed: "handshake_failed"
        case .uncleanShutdown: "unclean_shutdown"
        default: "tls_error"
        }
    }
}

/// What a handshake negotiated, as metric label values.
struct NegotiatedTLS {
    let version: String
    let cipher: String
    let resumed: Bool

    init(ssl: OpaquePointer) {
        let raw = UnsafeRawPointer(ssl)
        switch trustgate_ssl_version(raw) {
        case 0x0304: version = "1.3"
        case 0x0303: version = "1.2"
        case let other: version = "0x" + String(other, radix: 16)
        }
        cipher = TLSParameters.name(of: NIOTLSCipher(rawValue: trustgate_ssl_cipher_id(raw)))
        resumed = trustgate_ssl_session_reused(raw) == 1
    }
}
