/// What the gateway does with a request header, decided from its name without allocating (the name is
/// compared case-insensitively byte by byte; this runs for every header of every request).
///
/// Names are compared with `_` folded to `-`: CGI, WSGI, Rack and PHP map `X-ARR-ClientCert` *and*
/// `X_ARR_ClientCert` to the same `HTTP_X_ARR_CLIENTCERT`, so for an application behind the gateway the two
/// spellings are one header. A name containing `_` is therefore never one of the names the gateway manages:
/// it is ``underscored(protected:)``, and `protected` says whether it would be one after folding.
enum RequestHeaderClass: Equatable {
    /// Passed to the upstream unchanged.
    case endToEnd
    /// `Content-Length`: forwarded (the body keeps its framing), but framing all the same — its underscore
    /// spelling is never forwarded and a `Connection` list may not name it.
    case contentLength
    /// RFC 9110 §7.6.1 hop-by-hop: never forwarded.
    case hopByHop
    /// `Connection`: never forwarded; the headers it names are not forwarded either.
    case connection
    /// Claims only the gateway may make (certificates, principals): always removed.
    case spoofable
    /// `X-Forwarded-For/-Proto/-Host`, `Forwarded`: rewritten by the gateway.
    case clientAddress
    case host
    /// Answered by the gateway itself (`100 Continue`), not forwarded.
    case expect
    /// `X-Request-Id`: the gateway's own (a trusted proxy's is kept as the request's id), never a client's.
    case requestID
    /// The name contains `_`. Dropped unless the listener or route allows underscores (nginx's
    /// `underscores_in_headers off`); dropped even then when `protected`: the name, with `_` read as `-`,
    /// is one of the classes above other than ``endToEnd``.
    case underscored(protected: Bool)

    /// Hop-by-hop or `Connection`: what a response must lose on its way to the client. (An upstream's
    /// response is not folded: only requests come from the untrusted side.)
    static func isHopByHop(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { bytes in
            guard bytes.count <= 19 else { return false }
            switch classify(bytes, foldingUnderscores: false) {
            case .hopByHop, .connection: return true
            default: return false
            }
        }
    }

    static func of(_ name: String) -> RequestHeaderClass {
        var name = name
        return name.withUTF8 { bytes in
            // memchr-speed scan; names are short.
            guard bytes.contains(UInt8(ascii: "_")) else { return classify(bytes, foldingUnderscores: false) }
            return .underscored(protected: classify(bytes, foldingUnderscores: true) != .endToEnd)
        }
    }

    private static func classify(_ name: UnsafeBufferPointer<UInt8>, foldingUnderscores fold: Bool) -> RequestHeaderClass {
        switch name.count {
        case 2: if equals(name, "te", fold) { return .hopByHop }
        case 4: if equals(name, "host", fold) { return .host }
        case 6: if equals(name, "expect", fold) { return .expect }
        case 7:
            if equals(name, "trailer", fold) || equals(name, "upgrade", fold) { return .hopByHop }
        case 9: if equals(name, "forwarded", fold) { return .clientAddress }
        case 10:
            if equals(name, "connection", fold) { return .connection }
            if equals(name, "keep-alive", fold) { return .hopByHop }
        case 12: if equals(name, "x-request-id", fold) { return .requestID }
        case 14: if equals(name, "content-length", fold) { return .contentLength }
        case 15: if equals(name, "x-forwarded-for", fold) { return .clientAddress }
        case 16:
            if equals(name, "proxy-connection", fold) { return .hopByHop }
            if equals(name, "x-forwarded-host", fold) { return .clientAddress }
        case 17:
            if equals(name, "transfer-encoding", fold) { return .hopByHop }
            if equals(name, "x-forwarded-proto", fold) { return .clientAddress }
        case 18: if equals(name, "proxy-authenticate", fold) { return .hopByHop }
        case 19: if equals(name, "proxy-authorization", fold) { return .hopByHop }
        default: break
        }
        // Only names that could be spoofable pay for the exact check.
        if hasPrefix(name, "x-", fold) || hasPrefix(name, "client-cert", fold) || hasPrefix(name, "ssl-client-cert", fold) {
            if SpoofableHeaders.isSpoofable(String(decoding: name, as: UTF8.self)) { return .spoofable }
        }
        return .endToEnd
    }

    private static func hasPrefix(_ bytes: UnsafeBufferPointer<UInt8>, _ literal: StaticString, _ fold: Bool) -> Bool {
        guard bytes.count >= literal.utf8CodeUnitCount else { return false }
        return equals(UnsafeBufferPointer(rebasing: bytes[0..<literal.utf8CodeUnitCount]), literal, fold)
    }

    /// ASCII case-insensitive equality with a lower-case literal; with `fold`, `_` in `bytes` reads as `-`.
    private static func equals(_ bytes: UnsafeBufferPointer<UInt8>, _ literal: StaticString, _ fold: Bool) -> Bool {
        guard bytes.count == literal.utf8CodeUnitCount else { return false }
        let expected = literal.utf8Start
        for index in 0..<bytes.count {
            var byte = bytes[index]
            if byte >= 0x41 && byte <= 0x5A { byte |= 0x20 }
            if fold && byte == UInt8(ascii: "_") { byte = UInt8(ascii: "-") }
            if byte != expected[index] { return false }
        }
        return true
    }

    /// `name` lower-cased with `_` read as `-`: the form in which route-specific names (principal headers,
    /// consumed credentials) are compared with an underscored client header.
    static func folded(_ name: String) -> String {
        String(decoding: name.utf8.map { byte -> UInt8 in
            if byte >= 0x41 && byte <= 0x5A { return byte | 0x20 }
            return byte == UInt8(ascii: "_") ? UInt8(ascii: "-") : byte
        }, as: UTF8.self)
    }
}
