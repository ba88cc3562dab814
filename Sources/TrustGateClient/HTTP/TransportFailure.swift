import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// A call that got no HTTP response: the connection could not be made, TLS failed, the server closed the
/// connection, or the time ran out.
public struct TransportFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Phase: String, Sendable, Hashable {
        /// Before the request was sent (TCP connect, DNS, TLS handshake): the server never saw the request, so any
        /// method may be retried.
        case connecting
        /// While the request was, or may have been, sent: the server may have acted on it.
        case exchanging
    }

    /// The URL without its query (claims may travel there).
    public let url: String
    public let phase: Phase
    public let reason: String

    public init(url: String, phase: Phase, reason: String) {
        self.url = url
        self.phase = phase
        self.reason = reason
    }

    public var description: String {
        switch phase {
        case .connecting: return "cannot connect to \(url): \(reason)"
        case .exchanging: return "the exchange with \(url) failed: \(reason)"
        }
    }

    /// Sorts an error AsyncHTTPClient threw. Only errors raised while the connection was being made count as
    /// `connecting`: the client is configured not to retry connections itself, so these fail the request before
    /// a byte of it was written.
    static func classify(_ error: any Error, url: String) -> TransportFailure {
        let (phase, reason) = phaseAndReason(error)
        return TransportFailure(url: url, phase: phase, reason: String(reason.prefix(400)))
    }

    private static let connectErrnoCodes: Set<CInt> = [ECONNREFUSED, EHOSTUNREACH, ENETUNREACH, EADDRNOTAVAIL, EAFNOSUPPORT]

    private static func phaseAndReason(_ error: any Error) -> (Phase, String) {
        if error is NIOConnectionError { return (.connecting, "\(error)") }
        if case ChannelError.connectTimeout = error { return (.connecting, "connect timeout") }
        // A connect to an IP address fails with the socket's errno, without NIOConnectionError around it. These
        // codes come only from connect(2): nothing was sent.
        if let error = error as? IOError, connectErrnoCodes.contains(error.errnoCode) {
            return (.connecting, String(cString: strerror(error.errnoCode)).lowercased())
        }
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout: return (.connecting, "connect timeout")
            case .tlsHandshakeTimeout: return (.connecting, "TLS handshake timeout")
            case .getConnectionFromPoolTimeout: return (.connecting, "no connection became available in time")
            case .deadlineExceeded, .readTimeout: return (.exchanging, "timed out")
            case .remoteConnectionClosed: return (.exchanging, "the server closed the connection")
            default: return (.exchanging, "\(error)")
            }
        }
        if let error = error as? NIOSSLError, case .handshakeFailed = error {
            // The server's TLS refused the connection: its application never received the request.
            return (.connecting, "TLS handshake failed: \(error)")
        }
        if error is NIOSSLExtraError { return (.connecting, "TLS: \(error)") }
        return (.exchanging, "\(error)")
    }
}
