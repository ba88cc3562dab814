public import Foundation
public import TrustGateX509
public import X509

/// Trust in a client by who issued its certificate and what the certificate names, instead of by one fixed
/// certificate (RFC 8705 `tls_client_auth`; Entra's `trustedCertificateSubjects`). A renewed certificate from the
/// same CA with the same names keeps working without re-registration.
///
/// The rule does not validate chains itself: the token service builds the path to `trustAnchors` with the
/// foundation's `CertificatePolicy` (EKU, validity, revocation) and then asks `matchesIdentity(of:)`.
public struct SubjectIssuerRule: Sendable, Hashable {
    public let id: UUID
    public let clientID: String
    /// The CA certificates a presented chain must lead to (roots or intermediates).
    public let trustAnchors: [Certificate]
    /// `tls_client_auth_subject_dn`: compared as a DN (attribute types and normalised values, RDN by RDN), not as
    /// text, so `CN=a, O=b` and `cn=A,o=B` are the same name.
    public let subject: DistinguishedName?
    public let alternativeNames: SubjectAlternativeNameMatchers
    public let createdAt: Date

    public init(
        id: UUID = UUID(),
        clientID: String,
        trustAnchors: [Certificate],
        subject: DistinguishedName?,
        alternativeNames: SubjectAlternativeNameMatchers,
        createdAt: Date = Date()
    ) throws(InvalidRegistrationValue) {
        try Client.checkID(clientID)
        guard !trustAnchors.isEmpty else {
            throw InvalidRegistrationValue(field: "trusted CA", reason: "a subject/issuer rule needs at least one CA certificate")
        }
        // Without a name to match, every certificate the CA ever issued would authenticate as this client.
        guard subject != nil || !alternativeNames.isEmpty else {
            throw InvalidRegistrationValue(
                field: "subject/issuer rule", reason: "give a subject DN or at least one SAN (DNS, URI, IP, email) to match")
        }
        if let subject, subject.isEmpty {
            throw InvalidRegistrationValue(field: "subject", reason: "the distinguished name is empty")
        }
        self.id = id
        self.clientID = clientID
        self.trustAnchors = trustAnchors
        self.subject = subject
        self.alternativeNames = alternativeNames
        self.createdAt = createdAt
    }

    /// Parses the subject from RFC 4514 text (also the .NET display form and OpenSSL's `/C=…/CN=…`).
    public static func parseSubject(_ text: String) throws(InvalidRegistrationValue) -> DistinguishedName {
        do {
            return try DistinguishedName(parsing: text)
        } catch {
            throw InvalidRegistrationValue(field: "subject", reason: "\(error)")
        }
    }

    /// The subject as RFC 4514 text.
    public var subjectText: String? { subject?.rfc4514String }

    /// Whether the (already chain-validated) leaf certificate carries the names this rule asks for.
    public func matchesIdentity(of leaf: Certificate) -> Bool {
        guard let names = try? SubjectAlternativeNameValues(leaf) else { return false }
        return matches(subject: leaf.subject, alternativeNames: names)
    }

    public func matches(subject presented: DistinguishedName, alternativeNames presentedNames: SubjectAlternativeNameValues) -> Bool {
        if let subject, !presented.isStructurallyEqual(to: subject) { return false }
        return alternativeNames.areSatisfied(by: presentedNames)
    }

    /// Policy settings whose trust anchors are this rule's CAs; the caller adds intermediates, revocation and
    /// skew as the token service is configured.
    public func policySettings() -> CertificatePolicySettings {
        CertificatePolicySettings(trustAnchors: trustAnchors)
    }
}
