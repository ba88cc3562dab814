public import Foundation
public import X509

/// What an accepted certificate says about its holder, computed once per chain and carried in the
/// verdict so that routes, headers and logs never re-parse the certificate.
public struct CertificateIdentity: Sendable {
    public let subject: DistinguishedName
    public let issuer: DistinguishedName
    public let serialNumberHex: String
    public let notBefore: Date
    public let notAfter: Date
    public let subjectAlternativeNames: SubjectAlternativeNameValues
    public let fingerprints: CertificateFingerprints
    /// Fingerprints of the issuing certificate, when the chain has one.
    public let issuerFingerprints: CertificateFingerprints?

    /// The subject's commonName values, most specific first.
    public var commonNames: [String] {
        subject.reversed().flatMap { rdn in
            rdn.compactMap { attribute in
                attribute.type == .RDNAttributeType.commonName ? String(describing: attribute.value) : nil
            }
        }
    }

    init(leaf: Certificate, leafDER: [UInt8], issuer: Certificate?) throws {
        self.subject = leaf.subject
        self.issuer = leaf.issuer
        self.serialNumberHex = leaf.serialNumberHex
        self.notBefore = leaf.notValidBefore
        self.notAfter = leaf.notValidAfter
        self.subjectAlternativeNames = try SubjectAlternativeNameValues(leaf)
        self.fingerprints = try CertificateFingerprints(derBytes: leafDER)
        self.issuerFingerprints = issuer.map { CertificateFingerprints($0) }
    }
}
