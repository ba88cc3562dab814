import X509

/// The subject alternative names of a certificate, as text, in certificate order.
public struct SubjectAlternativeNameValues: Sendable, Hashable, Codable {
    /// dNSName entries.
    public var dnsNames: [String]
    /// uniformResourceIdentifier entries (e.g. SPIFFE IDs `spiffe://trust-domain/path`).
    public var uris: [String]
    /// rfc822Name entries.
    public var emails: [String]
    /// iPAddress entries: dotted IPv4, RFC 5952 IPv6 ("2001:db8::1").
    public var ipAddresses: [String]

    public init(dnsNames: [String] = [], uris: [String] = [], emails: [String] = [], ipAddresses: [String] = []) {
        self.dnsNames = dnsNames
        self.uris = uris
        self.emails = emails
        self.ipAddresses = ipAddresses
    }

    /// The names of `certificate`; all empty when it has no subjectAltName extension.
    /// - Throws: `CertificateLoadingError.malformedExtension` when the extension cannot be decoded.
    public init(_ certificate: Certificate) throws {
        self.init()
        let names: SubjectAlternativeNames?
        do {
            names = try certificate.extensions.subjectAlternativeNames
        } catch {
            throw CertificateLoadingError.malformedExtension(
                name: "subjectAltName", reason: ErrorText.reason(error))
        }
        for name in names ?? SubjectAlternativeNames() {
            switch name {
            case .dnsName(let dns): dnsNames.append(dns)
            case .uniformResourceIdentifier(let uri): uris.append(uri)
            case .rfc822Name(let email): emails.append(email)
            case .ipAddress(let octets): ipAddresses.append(IPAddressFormatting.text(Array(octets.bytes)))
            default: continue
            }
        }
    }

    /// Whether no name of the four kinds is present.
    public var isEmpty: Bool {
        dnsNames.isEmpty && uris.isEmpty && emails.isEmpty && ipAddresses.isEmpty
    }
}

/// Text forms of IP address bytes.
enum IPAddressFormatting {
    /// Dotted quad for 4 bytes, RFC 5952 for 16 bytes, upper-case hex otherwise (never valid in a SAN, but shown
    /// rather than hidden).
    static func text(_ bytes: [UInt8]) -> String {
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
