public import Foundation

/// How long, how slowly and how often one client may hold a listener's connections before the gateway sheds
/// it (slowloris, stalled uploads, silent sockets, one address taking every socket). Each limit closes the
/// connection and is counted in `trustgate_client_connections_closed_total{reason}`.
///
/// Defaults follow nginx and Envoy where they agree, and are tighter where the brief of a gateway in front of
/// APIs allows it: nginx waits 60 s for a head (`client_header_timeout`) and 60 s between body reads
/// (`client_body_timeout`); Envoy has no head timeout by default, which is the gap slowloris uses.
public struct ClientConnectionLimits: Sendable, Equatable {
    /// `handshake_timeout`: a TLS connection must complete its handshake (from accept, ClientHello included)
    /// within this; otherwise it is closed. Without it a silent TCP connection lived for the idle timeout.
    public var handshakeTimeout: TimeInterval
    /// `request_head_timeout`: an HTTP/1.1 request head must be complete within this from its first byte (or,
    /// for a pipelined request already waiting, from the previous response); otherwise 408 and close.
    public var requestHeadTimeout: TimeInterval
    /// `request_body_timeout`: the longest wait for the next piece of a request body (HTTP/1.1 and HTTP/2);
    /// otherwise 408 (or, once the response has started, a reset) and the upstream request is abandoned.
    /// Time the gateway itself stops reading (back-pressure from the upstream) does not count.
    public var requestBodyTimeout: TimeInterval
    /// `request_body_min_rate` (bytes per second, nil: off): after `requestBodyTimeout` seconds of a body, its
    /// average rate must be at least this (Apache's `mod_reqtimeout` MinRate), so a client cannot hold an
    /// upstream connection by sending one byte just often enough.
    public var requestBodyMinimumRate: Int?
    /// `max_connections_per_address` (nil: unlimited): open connections one client address may hold on this
    /// listener; a connection beyond it is closed at accept. Behind a proxy every client has the proxy's
    /// address: set it only where clients connect directly.
    public var maximumConnectionsPerAddress: Int?

    public init(
        handshakeTimeout: TimeInterval = 10, requestHeadTimeout: TimeInterval = 30, requestBodyTimeout: TimeInterval = 60,
        requestBodyMinimumRate: Int? = nil, maximumConnectionsPerAddress: Int? = nil
    ) {
        self.handshakeTimeout = handshakeTimeout
        self.requestHeadTimeout = requestHeadTimeout
        self.requestBodyTimeout = requestBodyTimeout
        self.requestBodyMinimumRate = requestBodyMinimumRate
        self.maximumConnectionsPerAddress = maximumConnectionsPerAddress
    }

    static let keys: Set<String> = [
        "handshake_timeout", "request_head_timeout", "request_body_timeout", "request_body_min_rate", "max_connections_per_address",
    ]
}
