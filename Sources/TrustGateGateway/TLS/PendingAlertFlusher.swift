import NIOCore
import NIOSSL

/// Sends the alert BoringSSL decided on when an established TLS connection fails (RFC 8446 §6: a fatal alert
/// before the close) — a malformed KeyUpdate (`decode_error`), an unexpected message, an oversize record
/// (`record_overflow`).
///
/// swift-nio-ssl 2.37 writes the pending alert when a *handshake* fails, but on a read error after the
/// handshake it marks the connection closed, fires the error and closes the socket without writing what
/// BoringSSL queued (`NIOSSLHandler.doDecodeData`, the `.failed` case). The error is fired before the close,
/// so a handler that sees it writes the queued ciphertext — exactly BoringSSL's alert record, nothing else —
/// below the TLS handler, and the close that follows sends it on its way. Only ciphertext BoringSSL produced is
/// written; no application data can follow an error.
enum PendingAlertFlusher {
    /// Call from `errorCaught` of a handler after the TLS handler. Returns whether an alert was written.
    @discardableResult
    static func flush(after error: any Error, pipeline: ChannelPipeline.SynchronousOperations) -> Bool {
        guard error is BoringSSLError || error is NIOSSLError,
              let handler = try? pipeline.handler(type: NIOSSLServerHandler.self),
              let tlsContext = try? pipeline.context(handler: handler),
              let alert = BoringSSLPointers.pendingCiphertext(of: handler)
        else { return false }
        // From the TLS handler's own context: the write goes towards the socket, not through the TLS handler.
        tlsContext.writeAndFlush(NIOAny(alert), promise: nil)
        return true
    }
}
