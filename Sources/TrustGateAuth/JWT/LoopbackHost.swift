import TrustGateX509

/// Whether a URL's host is this machine: the only place a JWKS may be fetched from over plain http (a local
/// key server in development or tests), so that the configuration reader and the key source agree.
///
/// This machine is `localhost`, 127.0.0.0/8 and ::1 (bracketed or not, as `URL.host` may give it), including
/// their IPv4-mapped IPv6 forms. Only literal addresses count: a name that resolves to 127.0.0.1 could
/// resolve elsewhere tomorrow.
enum LoopbackHost {
    private static let blocks: [CIDRBlock] = ["127.0.0.0/8", "::1/128"].compactMap { try? CIDRBlock(parsing: $0) }

    static func contains(_ host: String) -> Bool {
        var bare = Substring(host.lowercased())
        if bare.hasPrefix("["), bare.hasSuffix("]") { bare = bare.dropFirst().dropLast() }
        if bare == "localhost" { return true }
        guard let address = IPAddressText.bytes(String(bare)) else { return false }
        return blocks.contains { $0.contains(address) }
    }
}
