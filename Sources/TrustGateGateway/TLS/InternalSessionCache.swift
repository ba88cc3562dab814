import CTrustGateBoringSSLShims
import NIOSSL

/// BoringSSL's server stores every session it establishes in an in-memory cache — up to 20,480 of them, for two
/// hours, each holding the client's certificate chain (a few KiB) — to allow TLS 1.2 session-ID resumption.
/// TrustGate resumes with tickets (TLS 1.2 and 1.3), so that cache would only cost memory (tens of MB on a busy
/// gateway, for connections long closed) and CPU (an insert per handshake, a walk of the whole cache every
/// 255). nginx's default (`ssl_session_cache none`) makes the same choice.
///
/// swift-nio-ssl 2.37 has no API for the cache mode, so the context's `SSL_CTX` pointer is read by reflection
/// (``BoringSSLPointers``);
/// ``disable(in:)`` reports whether that worked and a test fails if a swift-nio-ssl update breaks it.
enum InternalSessionCache {
    /// Turns the internal cache off for `context`. Returns false when the pointer could not be found (the
    /// context still works, with BoringSSL's default cache).
    @discardableResult
    static func disable(in context: NIOSSLContext) -> Bool {
        guard let pointer = contextPointer(context) else { return false }
        let mode = trustgate_disable_internal_session_cache(UnsafeMutableRawPointer(pointer))
        return mode & TRUSTGATE_SSL_SESS_CACHE_NO_INTERNAL == TRUSTGATE_SSL_SESS_CACHE_NO_INTERNAL
    }

    /// Whether `context`'s internal session cache is off; nil when the pointer could not be found.
    static func isDisabled(in context: NIOSSLContext) -> Bool? {
        guard let pointer = contextPointer(context) else { return nil }
        let mode = trustgate_session_cache_mode(UnsafeRawPointer(pointer))
        return mode & TRUSTGATE_SSL_SESS_CACHE_NO_INTERNAL == TRUSTGATE_SSL_SESS_CACHE_NO_INTERNAL
    }

    private static func contextPointer(_ context: NIOSSLContext) -> OpaquePointer? {
        BoringSSLPointers.context(of: context)
    }
}
