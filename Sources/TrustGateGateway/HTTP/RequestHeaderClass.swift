/// What the gateway does with a request header, decided from its name without allocating (the name is
/// compared case-insensitively byte by byte; this runs for every header of every request).
enum RequestHeaderClass {
    /// Passed to the upstream unchanged.
    case endToEnd
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

    /// Hop-by-hop or `Connection`: what a response must lose on its way to the client.
    static func isHopByHop(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { bytes in
            guard bytes.count <= 19 else { return false }
            switch classify(bytes) {
            case .hopByHop, .connection: return true
            default: return false
            }
        }
    }

    static func of(_ name: String) -> RequestHeaderClass {
        var name = name
        return name.withUTF8 { bytes in classify(bytes) }
    }

    private static func classify(_ name: UnsafeBufferPointer<UInt8>) -> RequestHeaderClass {
        switch name.count {
        case 2: if equals(name, "te") { return .hopByHop }
        case 4: if equals(name, "host") { return .host }
        case 6: if equals(name, "expect") { return .expect }
        case 7:
            if equals(name, "trailer") || equals(name, "upgrade") { return .hopByHop }
        case 9: if equals(name, "forwarded") { return .clientAddress }
        case 10:
            if equals(name, "connection") { return .connection }
            if equals(name, "keep-alive") { return .hopByHop }
        case 15: if equals(name, "x-forwarded-for") { return .clientAddress }
        case 16:
            if equals(name, "proxy-connection") { return .hopByHop }
            if equals(name, "x-forwarded-host") { return .clientAddress }
        case 17:
            if equals(name, "transfer-encoding") { return .hopByHop }
            if equals(name, "x-forwarded-proto") { return .clientAddress }
        case 18: if equals(name, "proxy-authenticate") { return .hopByHop }
        case 19: if equals(name, "proxy-authorization") { return .hopByHop }
        default: break
        }
        // Only names that could be spoofable pay for the exact check.
        if hasPrefix(name, "x-") || hasPrefix(name, "client-cert") || hasPrefix(name, "ssl-client-cert") {
            if SpoofableHeaders.isSpoofable(String(decoding: name, as: UTF8.self)) { return .spoofable }
        }
        return .endToEnd
    }

    private static func hasPrefix(_ bytes: UnsafeBufferPointer<UInt8>, _ literal: StaticString) -> Bool {
        guard bytes.count >= literal.utf8CodeUnitCount else { return false }
        return equals(UnsafeBufferPointer(rebasing: bytes[0..<literal.utf8CodeUnitCount]), literal)
    }

    /// ASCII case-insensitive equality with a lower-case literal.
    private static func equals(_ bytes: UnsafeBufferPointer<UInt8>, _ literal: StaticString) -> Bool {
        guard bytes.count == literal.utf8CodeUnitCount else { return false }
        let expected = literal.utf8Start
        for index in 0..<bytes.count {
            var byte = bytes[index]
            if byte >= 0x41 && byte <= 0x5A { byte |= 0x20 }
            if byte != expected[index] { return false }
        }
        return true
    }
}
