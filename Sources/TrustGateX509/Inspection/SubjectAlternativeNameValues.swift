import SwiftASN1
public import X509

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
            case .ipAddress(let octets): ipAddresses.append(IPAddressText.text(Array(octets.bytes)))
            default: continue
            }
        }
    }

    /// Whether no name of the four kinds is present.
    public var isEmpty: Bool {
        dnsNames.isEmpty && uris.isEmpty && emails.isEmpty && ipAddresses.isEmpty
    }
}
