import NIOHTTP1

/// Request trailers — fields after a chunked HTTP/1.1 body, or a trailing HEADERS frame in HTTP/2 — judged by
/// the same rules as the request's header fields, so that nothing the gateway strips from the head can
/// arrive at the upstream at the end of the body instead.
///
/// Two rules:
/// - RFC 9110 §6.5.1: a trailer may not carry what must be known before the content is processed — framing,
///   routing, connection management, authentication, request modifiers, content format. A request with such a
///   trailer field is refused (400, `invalid_trailer`): the sender is either broken or probing.
/// - Everything the gateway never forwards from a client — certificate and principal claims, client-address
///   headers, the route's consumed credentials and principal names, names with `_` unless allowed — is
///   removed from trailers exactly as from headers.
enum RequestTrailers {
    enum Outcome: Equatable {
        /// The trailers to send upstream (nil: none), and the client's field names that were dropped.
        case forward(HTTPHeaders?, dropped: [String])
        /// `field` may not be sent as a trailer.
        case refuse(field: String)
    }

    /// Lower-case names RFC 9110 §6.5.1 (and §7.6.1 for connection management) keeps out of trailers.
    static let forbiddenNames: Set<String> = [
        // framing
        "content-length", "transfer-encoding",
        // routing
        "host",
        // connection management
        "connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade",
        // authentication
        "authorization", "proxy-authorization", "cookie", "www-authenticate", "proxy-authenticate",
        // request modifiers (controls and conditionals)
        "cache-control", "expect", "max-forwards", "pragma", "range",
        "if-match", "if-none-match", "if-modified-since", "if-unmodified-since", "if-range",
        // content format
        "content-encoding", "content-type", "content-range",
    ]

    /// - Parameters:
    ///   - removed: lower-cased names the route withholds (principal headers, consumed credentials).
    static func judge(_ trailers: HTTPHeaders?, allowsUnderscores: Bool, removed: Set<String>) -> Outcome {
        guard let trailers, !trailers.isEmpty else { return .forward(nil, dropped: []) }
        var kept = HTTPHeaders()
        var dropped: [String] = []
        for (name, value) in trailers {
            let lowered = name.lowercased()
            if forbiddenNames.contains(lowered) { return .refuse(field: name) }
            switch RequestHeaderClass.of(name) {
            case .endToEnd:
                if removed.contains(lowered) { dropped.append(name) } else { kept.add(name: name, value: value) }
            case .underscored(let protected):
                let folded = RequestHeaderClass.folded(name)
                if !allowsUnderscores || protected || forbiddenNames.contains(folded) || removed.contains(folded) {
                    dropped.append(name)
                } else {
                    kept.add(name: name, value: value)
                }
            case .spoofable, .clientAddress, .hopByHop, .connection, .host, .expect, .contentLength, .requestID:
                dropped.append(name)
            }
        }
        return .forward(kept.isEmpty ? nil : kept, dropped: dropped)
    }
}
