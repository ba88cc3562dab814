import NIOCore
import NIOSSL

/// The BoringSSL objects behind swift-nio-ssl's types, for the few settings and facts swift-nio-ssl 2.37 has
/// no API for (see `CTrustGateBoringSSLShims`). Read by reflection of stored properties; each use checks the
/// result, and tests fail if a swift-nio-ssl update renames them (the gateway then refuses settings it cannot
/// apply rather than running without them).
enum BoringSSLPointers {
    /// The context's `SSL_CTX *`.
    static func context(of context: NIOSSLContext) -> OpaquePointer? {
        Mirror(reflecting: context).children.first { $0.label == "sslContext" }?.value as? OpaquePointer
    }

    /// The connection's `SSL *` (NIOSSLHandler → its SSLConnection → `ssl`). Reflection costs a few
    /// microseconds: called once per handshake, never per request.
    static func connection(of handler: NIOSSLHandler) -> OpaquePointer? {
        guard let connection = storedProperty("connection", of: handler) else { return nil }
        return storedProperty("ssl", of: connection) as? OpaquePointer
    }

    /// The ciphertext BoringSSL has queued for the network but NIOSSLHandler has not written: after a fatal
    /// error on an established connection, the alert that says why (see ``PendingAlertFlusher``).
    static func pendingCiphertext(of handler: NIOSSLHandler) -> ByteBuffer? {
        guard let connection = storedProperty("connection", of: handler),
              let bio = storedProperty("bio", of: connection)
        else { return nil }
        // `bio` is an Optional<ByteBufferBIO>.
        let object: Any? = Mirror(reflecting: bio).displayStyle == .optional ? Mirror(reflecting: bio).children.first?.value : bio
        guard let object, let buffer = storedProperty("outboundBuffer", of: object) as? ByteBuffer, buffer.readableBytes > 0 else { return nil }
        return buffer
    }

    /// A stored property by name, looked up in the value's class and its superclasses (NIOSSLServerHandler's
    /// state lives in its superclass NIOSSLHandler).
    private static func storedProperty(_ label: String, of value: Any) -> Any? {
        var mirror: Mirror? = Mirror(reflecting: value)
        while let current = mirror {
            if let child = current.children.first(where: { $0.label == label }) { return child.value }
            mirror = current.superclassMirror
        }
        return nil
    }
}
