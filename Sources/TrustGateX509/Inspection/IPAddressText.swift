import Foundation

/// IP addresses as text and as the 4 or 16 bytes certificates carry, so addresses compare by value,
/// not spelling ("::1" and "0:0::1" are one address).
public enum IPAddressText {
    /// The 4 (IPv4) or 16 (IPv6) bytes of a textual address, or nil.
    public static func bytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }

    /// Dotted quad for 4 bytes, RFC 5952 for 16 bytes, upper-case hex otherwise (never valid in a SAN, but shown
    /// rather than hidden).
    public static func text(_ bytes: [UInt8]) -> String {
        switch bytes.count {
        case 4:
            return bytes.map(String.init).joined(separator: ".")
        case 16:
            return ipv6Text(bytes)
        default:
            return "#" + CertificateFingerprints.upperHex(bytes)
        }
    }

    /// RFC 5952 §4: lower-case hex, no leading zeros, the longest run (leftmost on a tie) of two or more zero
    /// groups replaced by "::".
    static func ipv6Text(_ bytes: [UInt8]) -> String {
        var groups = [UInt16]()
        groups.reserveCapacity(8)
        for index in stride(from: 0, to: 16, by: 2) {
            groups.append(UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1]))
        }
        var bestStart = -1
        var bestLength = 0
        var runStart = -1
        for (index, group) in groups.enumerated() {
            if group == 0 {
                if runStart < 0 { runStart = index }
                let length = index - runStart + 1
                if length > bestLength {
                    bestLength = length
                    bestStart = runStart
                }
            } else {
                runStart = -1
            }
        }
        let hex = groups.map { String($0, radix: 16) }
        guard bestLength >= 2 else { return hex.joined(separator: ":") }
        let head = hex[..<bestStart].joined(separator: ":")
        let tail = hex[(bestStart + bestLength)...].joined(separator: ":")
        return head + "::" + tail
    }
}
