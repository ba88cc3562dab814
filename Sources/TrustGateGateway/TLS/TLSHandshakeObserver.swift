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
            var resumed = false
            if !connection.verificationRan,
               let handler = try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self),
               let peer = handler.peerCertificate,
               let leaf = try? peer.toDERBytes()
            {
                resumed = true
                connection.presentedChain = connection.host.presentedChains.chain(forLeaf: leaf)
            }
            connection.runtime.metrics.recordHandshake(host: connection.host.displayName, resumed: resumed)
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
