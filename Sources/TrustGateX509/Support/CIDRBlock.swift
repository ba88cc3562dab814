/// An IPv4 or IPv6 network (`10.0.0.0/8`, `::1/128`, or a bare address meaning one host): how the gateway and
/// the Hummingbird middleware recognise trusted proxies by their address.
public struct CIDRBlock: Sendable, Hashable, CustomStringConvertible {
    /// Network address bytes (4 or 16), host bits cleared.
    public let network: [UInt8]
    public let prefixLength: Int

    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        /// What went wrong, to compare with `==`. A struct rather than an enum: a release may add codes without
        /// breaking a `switch` in code that uses TrustGate.
        public struct Code: Hashable, Sendable, CustomStringConvertible {
            public let description: String

            public static let invalid = Code(description: "invalid")
        }

        public let code: Code
        /// The complete text, safe to show and log (it is the `description`).
        public let message: String

        public var description: String { message }

        init(code: Code, message: String) {
            (self.code, self.message) = (code, message)
        }

        public static func invalid(_ text: String) -> Self {
            Self(code: .invalid, message: "'\(text)' is not an IP address or CIDR block (e.g. 10.0.0.0/8, ::1/128)")
        }
    }

    public init(parsing text: String) throws(ParseError) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let bytes = IPAddressText.bytes(String(parts[0])) else { throw .invalid(text) }
        var length = bytes.count * 8
        if parts.count == 2 {
            guard let parsed = Int(parts[1]), (0...bytes.count * 8).contains(parsed) else { throw .invalid(text) }
            length = parsed
        }
        self.prefixLength = length
        self.network = Self.masked(bytes, length)
    }

    /// Whether `address` (4 or 16 bytes) is inside this block. An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`,
    /// what a dual-stack socket reports for IPv4 peers) matches IPv4 blocks.
    public func contains(_ address: [UInt8]) -> Bool {
        var candidate = address
        if network.count == 4, address.count == 16, address[0..<10].allSatisfy({ $0 == 0 }), address[10] == 0xFF, address[11] == 0xFF {
            candidate = Array(address[12...])
        }
        guard candidate.count == network.count else { return false }
        return Self.masked(candidate, prefixLength) == network
    }

    public var description: String { "\(IPAddressText.text(network))/\(prefixLength)" }

    private static func masked(_ bytes: [UInt8], _ length: Int) -> [UInt8] {
        var result = bytes
        for index in result.indices {
            let bitsHere = max(0, min(8, length - index * 8))
            result[index] &= bitsHere == 0 ? 0 : UInt8(truncatingIfNeeded: 0xFF << (8 - bitsHere))
        }
        return result
    }
}
