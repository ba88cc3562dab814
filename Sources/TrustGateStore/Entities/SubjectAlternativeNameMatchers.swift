public import TrustGateX509

/// The RFC 8705 SAN matchers of a subject/issuer rule (`tls_client_auth_san_dns`, `_san_uri`, `_san_ip`,
/// `_san_email`). Every listed value must be among the certificate's names: listing two narrows the rule, it
/// never widens it.
public struct SubjectAlternativeNameMatchers: Sendable, Hashable {
    /// Compared without case and without a trailing dot; no wildcard expansion (RFC 8705 §2.1.2: exact match).
    public let dnsNames: [String]
    /// Compared as exact strings (a SPIFFE ID, `https://…`).
    public let uris: [String]
    /// Canonical text (dotted IPv4, RFC 5952 IPv6); compared as address bytes.
    public let ipAddresses: [String]
    /// Compared without case.
    public let emails: [String]

    public init(dnsNames: [String] = [], uris: [String] = [], ipAddresses: [String] = [], emails: [String] = [])
        throws(InvalidRegistrationValue)
    {
        for name in dnsNames {
            try RegistrationText.checkIdentifier(name, field: "SAN DNS name", maxLength: 253)
            guard name.allSatisfy(\.isASCII) else {
                throw InvalidRegistrationValue(field: "SAN DNS name", reason: "'\(name)' is not ASCII (give IDNs as xn--)")
            }
        }
        for uri in uris {
            try RegistrationText.checkIdentifier(uri, field: "SAN URI", maxLength: 2048)
            guard let colon = uri.firstIndex(of: ":"), colon != uri.startIndex else {
                throw InvalidRegistrationValue(field: "SAN URI", reason: "'\(uri)' is not an absolute URI")
            }
        }
        var canonicalAddresses: [String] = []
        for address in ipAddresses {
            guard let bytes = IPAddressText.bytes(address) else {
                throw InvalidRegistrationValue(field: "SAN IP address", reason: "'\(address)' is not an IPv4 or IPv6 address")
            }
            canonicalAddresses.append(IPAddressText.text(bytes))
        }
        for email in emails {
            try RegistrationText.checkIdentifier(email, field: "SAN email", maxLength: 320)
            guard email.contains("@") else {
                throw InvalidRegistrationValue(field: "SAN email", reason: "'\(email)' is not an email address")
            }
        }
        self.dnsNames = dnsNames
        self.uris = uris
        self.ipAddresses = canonicalAddresses
        self.emails = emails
    }

    public var isEmpty: Bool { dnsNames.isEmpty && uris.isEmpty && ipAddresses.isEmpty && emails.isEmpty }

    /// Whether every listed value is among `names`.
    public func areSatisfied(by names: SubjectAlternativeNameValues) -> Bool {
        let presentDNS = Set(names.dnsNames.map(Self.normalizedDNS))
        let presentIPs = Set(names.ipAddresses.compactMap(IPAddressText.bytes))
        let presentEmails = Set(names.emails.map { $0.lowercased() })
        return dnsNames.allSatisfy { presentDNS.contains(Self.normalizedDNS($0)) }
            && uris.allSatisfy { names.uris.contains($0) }
            && ipAddresses.allSatisfy { address in IPAddressText.bytes(address).map(presentIPs.contains) ?? false }
            && emails.allSatisfy { presentEmails.contains($0.lowercased()) }
    }

    static func normalizedDNS(_ name: String) -> String {
        (name.hasSuffix(".") ? String(name.dropLast()) : name).lowercased()
    }
}
