public import TrustGateAuth

/// One HTTP request to the token service, framework-neutral: what the Hummingbird routes and the gateway collect
/// before calling ``TokenService/handle(_:)``.
public struct TokenRequest: Sendable {
    /// Upper-case method (`POST`).
    public var method: String
    /// The URL path it arrived on, percent-encoded as received (a query, if any, is ignored).
    public var path: String
    /// `Content-Type`, as sent.
    public var contentType: String?
    /// Every `Authorization` header value, in order (more than one is refused).
    public var authorization: [String]
    /// The whole body, as received.
    public var body: [UInt8]
    /// The client certificate: from this connection's TLS handshake, or from a trusted proxy's RFC 9440 header.
    /// The caller never puts a header from an untrusted peer here. Any verdict it carries is ignored: each client's
    /// own trust anchors decide.
    public var clientCertificate: ClientCertificateEvidence?
    /// The request reached the service over TLS (its own, or a trusted proxy's that said so). The token endpoint
    /// refuses anything else (TE-2).
    public var isSecureTransport: Bool

    public init(
        method: String,
        path: String,
        contentType: String? = nil,
        authorization: [String] = [],
        body: [UInt8] = [],
        clientCertificate: ClientCertificateEvidence? = nil,
        isSecureTransport: Bool
    ) {
        self.method = method.uppercased()
        self.path = path
        self.contentType = contentType
        self.authorization = authorization
        self.body = body
        self.clientCertificate = clientCertificate
        self.isSecureTransport = isSecureTransport
    }

    /// The path without a query string.
    var pathWithoutQuery: Substring {
        if let question = path.firstIndex(of: "?") { return path[..<question] }
        return path[...]
    }
}
