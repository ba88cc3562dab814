import CTrustGateBoringSSLShims
import NIOCore
import NIOSSL
import NIOTLS
import X509
import Logging

/// Sits after the TLS handler: counts handshakes and their failures, and recovers the client certificate of
/// a resumed session (no certificate callback runs then; the session still carries the leaf).
final class TLSHandshakeObserver: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let connection: DownstreamConnectionState
    private var handshakeCompleted = false
    private var loggedRefusal = false

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
        let reason: String?
        if let sslError = error as? NIOSSLError {
            reason = Self.reason(sslError)
        } else if error is BoringSSLError {
            reason = "tls_error"
        } else {
            reason = nil
        }
        if let reason {
            connection.runtime.metrics.recordHandshakeFailure(reason: reason)
            logRefusal(reason: reason, error: error)
        }
        context.fireErrorCaught(error)
    }

    /// Once per failed handshake (a client that goes away mid-handshake is `unclean_shutdown`, at debug).
    private func logRefusal(reason: String, error: any Error) {
        guard !loggedRefusal else { return }
        loggedRefusal = true
        var metadata: Logger.Metadata = [
            "peer": "\(connection.remoteAddressText)", "sni": "\(connection.serverName ?? "-")", "host": "\(connection.host.displayName)",
            "reason": "\(connection.handshakeRefusal ?? reason)", "error": "\(TLSErrorText.describe(error))",
        ]
        if let leaf = connection.presentedChain?.derCertificates.first, let certificate = try? Certificate(derEncoded: leaf) {
            metadata["subject"] = "\(certificate.subject)"
        }
        if reason == "unclean_shutdown", connection.handshakeRefusal == nil {
            connection.runtime.logger.debug("TLS handshake abandoned by the client", metadata: metadata)
        } else {
            connection.runtime.logger.notice("TLS handshake refused", metadata: metadata)
        }
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

/// A TLS error in words an operator can read: BoringSSL's reason names (`NO_SHARED_CIPHER`,
/// `CERTIFICATE_VERIFY_FAILED`, `TLSV1_ALERT_UNKNOWN_CA` …) without its error numbers and source paths.
enum TLSErrorText {
    static func describe(_ error: any Error) -> String {
        let text = "\(error)"
        // BoringSSL's entries read "error:100000b8:SSL routines:OPENSSL_internal:NO_SHARED_CIPHER at /path/x.cc:779".
        var reasons: [String] = []
        for entry in text.components(separatedBy: "error:").dropFirst() {
            let beforeLocation = entry.components(separatedBy: " at ").first ?? entry
            if let reason = beforeLocation.split(separator: ":").last?.trimmingCharacters(in: .whitespaces), !reason.isEmpty,
               reason.allSatisfy({ $0.isUppercase || $0.isNumber || $0 == "_" })
            {
                reasons.append(reason)
            }
        }
        if !reasons.isEmpty { return reasons.joined(separator: ", ") }
        if let sslError = error as? NIOSSLError {
            switch sslError {
            case .uncleanShutdown: return "the client closed the connection without close_notify"
            default: break
            }
        }
        return text
    }
}
