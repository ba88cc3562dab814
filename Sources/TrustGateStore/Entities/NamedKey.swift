public import Foundation

/// A credential the calling side uses, kept under a name (B2C's "policy keys"): a secret (a password, an API key,
/// a static bearer token, a client secret) or a certificate with its private key (uploaded as a PFX). The value
/// is sealed with the store key; only the certificate's public facts are kept in clear, so `keys list` can show
/// which certificate a name holds without the store key.
public struct NamedKey: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable, Codable {
        case secret
        case certificate
    }

    /// What `keys list` shows about a certificate key: public facts of the leaf certificate.
    public struct CertificateFacts: Sendable, Hashable {
        /// RFC 4514 form.
        public let subject: String
        /// SHA-256 of the leaf's DER.
        public let sha256: [UInt8]
        public let notAfter: Date

        public init(subject: String, sha256: [UInt8], notAfter: Date) {
            self.subject = subject
            self.sha256 = sha256
            self.notAfter = notAfter
        }
    }

    public static let maximumNameLength = 128

    public let name: String
    public let kind: Kind
    public let sealedValue: SealedNamedKeyValue
    /// Present for `.certificate` keys.
    public let certificate: CertificateFacts?
    public let createdAt: Date

    public init(
        name: String, kind: Kind, sealedValue: SealedNamedKeyValue, certificate: CertificateFacts?, createdAt: Date
    ) throws(InvalidRegistrationValue) {
        try Self.checkName(name)
        if kind == .certificate, certificate == nil {
            throw InvalidRegistrationValue(field: "key \(name)", reason: "a certificate key needs its certificate's facts")
        }
        self.name = name
        self.kind = kind
        self.sealedValue = sealedValue
        self.certificate = kind == .certificate ? certificate : nil
        self.createdAt = createdAt
    }

    /// Names are identifiers: visible characters, no whitespace, at most 128 characters.
    public static func checkName(_ name: String) throws(InvalidRegistrationValue) {
        try RegistrationText.checkIdentifier(name, field: "key name", maxLength: maximumNameLength)
    }
}
