import Foundation
public import X509

/// A set of claims about the client certificate; it is satisfied when every claim that is set holds
/// (API Management's policy expressions, made declarative).
public struct IdentityClaims: Sendable, Hashable {
    /// SHA-1 (40 hex digits, as App Service / API Management show it) or SHA-256 (64) of the certificate,
    /// normalised: upper case, no separators.
    public var thumbprint: String?
    /// Serial number, normalised hex without leading zero bytes.
    public var serialNumber: String?
    public var commonName: String?
    public var subject: DistinguishedName?
    public var dnsName: String?
    public var uri: String?
    public var email: String?
    /// The address in network byte order (4 or 16 bytes), so "::1" and "0:0::1" are one address.
    public var ipAddress: [UInt8]?
    public var issuerSubject: DistinguishedName?
    public var issuerThumbprint: String?
    /// SHA-256 of the SubjectPublicKeyInfo (32 bytes).
    public var spkiSHA256: [UInt8]?

    public init() {}

    public var isEmpty: Bool { self == IdentityClaims() }

    /// The names of the claims that do not hold, in a stable order; empty when all hold.
    func failedClaims(_ identity: CertificateIdentity) -> [String] {
        var failed: [String] = []
        if let thumbprint, !Self.thumbprintMatches(thumbprint, identity.fingerprints) { failed.append("thumbprint") }
        if let serialNumber, Self.stripLeadingZeros(serialNumber) != Self.stripLeadingZeros(identity.serialNumberHex) {
            failed.append("serial_number")
        }
        if let commonName, !identity.commonNames.contains(where: { Self.textEqual($0, commonName) }) { failed.append("common_name") }
        if let subject, !identity.subject.isStructurallyEqual(to: subject) { failed.append("subject") }
        if let dnsName, !identity.subjectAlternativeNames.dnsNames.contains(where: { Self.dnsEqual($0, dnsName) }) {
            failed.append("dns_name")
        }
        if let uri, !identity.subjectAlternativeNames.uris.contains(uri) { failed.append("uri") }
        if let email, !identity.subjectAlternativeNames.emails.contains(where: { $0.lowercased() == email.lowercased() }) {
            failed.append("email")
        }
        if let ipAddress, !identity.subjectAlternativeNames.ipAddresses.contains(where: { IPAddressText.bytes($0) == ipAddress }) {
            failed.append("ip")
        }
        if let issuerSubject, !identity.issuer.isStructurallyEqual(to: issuerSubject) { failed.append("issuer_subject") }
        if let issuerThumbprint {
            if let issuerPrints = identity.issuerFingerprints, Self.thumbprintMatches(issuerThumbprint, issuerPrints) {
                // holds
            } else {
                failed.append("issuer_thumbprint")
            }
        }
        if let spkiSHA256, identity.fingerprints.spkiSHA256 != spkiSHA256 { failed.append("spki_sha256") }
        return failed
    }

    static func thumbprintMatches(_ expected: String, _ fingerprints: CertificateFingerprints) -> Bool {
        switch expected.count {
        case 40: return expected == fingerprints.sha1Hex
        case 64: return expected == fingerprints.sha256Hex
        default: return false
        }
    }

    static func stripLeadingZeros(_ hex: String) -> String {
        let stripped = hex.drop(while: { $0 == "0" })
        return stripped.isEmpty ? "0" : String(stripped)
    }

    /// Attribute values compare as X.500 caseIgnoreMatch does, near enough: case and surrounding or
    /// repeated spaces do not matter.
    static func textEqual(_ a: String, _ b: String) -> Bool {
        collapse(a) == collapse(b)
    }

    private static func collapse(_ text: String) -> String {
        text.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    static func dnsEqual(_ a: String, _ b: String) -> Bool {
        func normal(_ s: String) -> String { (s.hasSuffix(".") ? String(s.dropLast()) : s).lowercased() }
        return normal(a) == normal(b)
    }
}
