import NIOSSL

/// Why a connection attempt or a request failed.
enum LoadErrorKind: String, CaseIterable, Sendable {
    /// TCP connect failed (refused, unreachable, connect timeout).
    case connect
    /// TLS handshake failed, or a TLS-level error (alert, bad record) afterwards.
    case tls
    /// The connection broke or the response could not be parsed after the handshake.
    case io
    /// No progress (handshake or response) within `--timeout`.
    case timeout

    /// Sorts an error a connection reported. Everything before the handshake completed is a TLS failure: a server
    /// rejecting the client certificate may as well reset the connection as send an alert. In TLS 1.3 the client
    /// finishes its handshake before the server has checked the client certificate, so the server's rejection
    /// arrives as a TLS error after it, and is counted as TLS too.
    static func classify(_ error: any Error, handshakeCompleted: Bool) -> LoadErrorKind {
        guard handshakeCompleted else { return .tls }
        switch error {
        case let error as NIOSSLError:
            if case .uncleanShutdown = error { return .io }
            return .tls
        case is BoringSSLError, is NIOSSLExtraError:
            return .tls
        default:
            return .io
        }
    }
}
