import X509

/// Narrows swift-certificates' `ServerIdentityPolicy` from RFC 6125 to RFC 9525, which obsoletes it and is
/// what limbo, the CA/B Forum and current validators (Go, rustls-webpki, pyca, browsers) implement.
///
/// `ServerIdentityPolicy` keeps two RFC 6125 allowances that RFC 9525 removed:
/// - it falls back to the subject's commonName when the leaf has no subjectAltName names (RFC 9525 §6.3:
///   "the CN-ID ... MUST NOT be used"): a leaf without SAN names has no server identity at all;
/// - it accepts a wildcard that is only part of the left-most label (`ba*.example.com`) and a bare `*`
///   (RFC 9525 §6.3: the wildcard must be the complete left-most label, followed by further labels).
/// Both rules only ever refuse; the actual matching, IP addresses included, stays swift-certificates'.
enum RFC9525Identity {
    /// Why `leaf` cannot be the server `hostname` (a DNS reference identity; nil for an IP reference).
    static func failure(of leaf: Certificate, hostname: String?) -> String? {
        let names: SubjectAlternativeNames
        do {
            guard let present = try leaf.extensions.subjectAlternativeNames, !present.isEmpty else {
                return "RFC 9525: the leaf has no subjectAltName names; its commonName is not a server identity"
            }
            names = present
        } catch {
            return "the leaf's subjectAltName extension is malformed"
        }
        guard let hostname else { return nil }
        let reference = normalized(hostname)
        for name in names {
            if case .dnsName(let presented) = name, matches(presented: normalized(presented), reference: reference) {
                return nil
            }
        }
        return "RFC 9525: no subjectAltName dNSName matches '\(hostname)' (a wildcard must be the whole left-most label)"
    }

    /// DNS-ID matching of RFC 9525 §6.3 on ASCII (A-label) names.
    static func matches(presented: [UInt8], reference: [UInt8]) -> Bool {
        let asterisk = UInt8(ascii: "*")
        let period = UInt8(ascii: ".")
        guard presented.contains(asterisk) else { return presented == reference }
        // Only "*." followed by at least one more label, with no other wildcard.
        guard presented.count > 2, presented[0] == asterisk, presented[1] == period,
            !presented.dropFirst().contains(asterisk)
        else { return false }
        let presentedParent = presented.dropFirst(2)
        // The wildcard stands for exactly one non-empty label of the reference.
        guard let firstPeriod = reference.firstIndex(of: period), firstPeriod > 0 else { return false }
        return reference[(firstPeriod + 1)...].elementsEqual(presentedParent)
    }

    /// Lower-cased ASCII bytes without a trailing root dot.
    static func normalized(_ name: String) -> [UInt8] {
        var bytes = name.utf8.map { byte in
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
        }
        if bytes.last == UInt8(ascii: ".") { bytes.removeLast() }
        return bytes
    }
}
