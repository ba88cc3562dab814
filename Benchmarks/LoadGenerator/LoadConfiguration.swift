import NIOCore
import NIOHPACK
import NIOSSL

/// Everything the connections of a run share, resolved once before the run starts.
struct LoadConfiguration: Sendable {
    var target: TargetURL
    /// Resolved once, so that no connection waits on name resolution.
    var address: SocketAddress
    var mode: LoadMode
    var http2: Bool
    /// Concurrent slots (new, keepalive), or handshakes in flight while opening (idle).
    var connections: Int
    var threads: Int
    var warmup: TimeAmount
    /// Measured window (new, keepalive), or how long the idle connections are held.
    var duration: TimeAmount
    var idleCount: Int
    /// A connection making no progress (connect, handshake, response) for this long counts as a timeout error.
    var timeout: TimeAmount
    var tlsContext: NIOSSLContext
    /// SNI and the name the server certificate is checked against; nil for an IP address target without
    /// `--server-name` (no SNI; with `--ca` the certificate is then checked against the IP address).
    var serverHostname: String?
    /// The HTTP/1.1 request, encoded once and written as is for every request.
    var http1Request: ByteBuffer
    var http2RequestHeaders: HPACKHeaders

    static let userAgent = "trustgate-load"

    init(
        target: TargetURL,
        address: SocketAddress,
        mode: LoadMode,
        http2: Bool,
        connections: Int,
        threads: Int,
        warmup: TimeAmount,
        duration: TimeAmount,
        idleCount: Int,
        timeout: TimeAmount,
        tlsContext: NIOSSLContext,
        serverHostname: String?
    ) {
        self.target = target
        self.address = address
        self.mode = mode
        self.http2 = http2
        self.connections = connections
        self.threads = threads
        self.warmup = warmup
        self.duration = duration
        self.idleCount = idleCount
        self.timeout = timeout
        self.tlsContext = tlsContext
        self.serverHostname = serverHostname
        self.http1Request = Self.encodeHTTP1Request(target: target, closeConnection: mode == .new)
        self.http2RequestHeaders = HPACKHeaders([
            (":method", "GET"),
            (":scheme", "https"),
            (":authority", target.authority),
            (":path", target.path),
            ("user-agent", Self.userAgent),
        ])
    }

    private static func encodeHTTP1Request(target: TargetURL, closeConnection: Bool) -> ByteBuffer {
        var request = "GET \(target.path) HTTP/1.1\r\nHost: \(target.authority)\r\nUser-Agent: \(userAgent)\r\n"
        if closeConnection { request += "Connection: close\r\n" }
        request += "\r\n"
        return ByteBuffer(string: request)
    }
}
