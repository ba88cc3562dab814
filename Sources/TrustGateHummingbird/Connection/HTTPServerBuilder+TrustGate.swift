public import HummingbirdCore
public import HummingbirdHTTP2

extension HTTPServerBuilder {
    /// TLS with TrustGate's client-certificate handling; HTTP/2 and HTTP/1.1 on one port (HTTP/1.1 only
    /// when `configuration.http2` is false).
    ///
    /// ```swift
    /// let app = Application(router: router, server: try .trustGateTLS(tls), configuration: …)
    /// ```
    public static func trustGateTLS(
        _ configuration: TrustGateTLSConfiguration,
        http2Configuration: HTTP2ChannelConfiguration = .init()
    ) throws -> HTTPServerBuilder {
        // Build once now, so a bad configuration fails here rather than when the server starts.
        _ = try configuration.makeSSLContext()
        return HTTPServerBuilder { responder in
            try TrustGateTLSChannel(configuration: configuration, http2Configuration: http2Configuration, responder: responder)
        }
    }

    /// Plain HTTP/1.1 that still tells the authentication middleware who the peer is (for trusted proxies)
    /// and that the transport is not TLS.
    public static func trustGatePlainHTTP1(configuration: HTTP1Channel.Configuration = .init()) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            TrustGatePlainHTTPChannel(configuration: configuration, responder: responder)
        }
    }
}
