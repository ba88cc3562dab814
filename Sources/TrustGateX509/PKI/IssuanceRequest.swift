import Foundation
public import X509

/// Everything that defines a certificate to issue, except who signs it.
public struct IssuanceRequest: Sendable {
    public var profile: IssuanceProfile
    public var subject: DistinguishedName
    public var subjectAlternativeNames: [GeneralName]
    /// `nil`: the profile's default; empty: no extendedKeyUsage extension.
    public var extendedKeyUsages: [ExtendedKeyUsage.Usage]?
    public var validity: ValidityPeriod
    public var keyAlgorithm: KeyAlgorithm

    public init(
        profile: IssuanceProfile,
        subject: DistinguishedName,
        subjectAlternativeNames: [GeneralName] = [],
        extendedKeyUsages: [ExtendedKeyUsage.Usage]? = nil,
        validity: ValidityPeriod,
        keyAlgorithm: KeyAlgorithm = .default
    ) {
        self.profile = profile
        self.subject = subject
        self.subjectAlternativeNames = subjectAlternativeNames
        self.extendedKeyUsages = extendedKeyUsages
        self.validity = validity
        self.keyAlgorithm = keyAlgorithm
    }

    /// Signs a v3 certificate for `subjectKey` with `issuerKey`.
    func makeCertificate(
        serialNumber: Certificate.SerialNumber,
        subjectKey: Certificate.PublicKey,
        issuer: DistinguishedName,
        issuerKey: Certificate.PrivateKey,
        authorityKeyIdentifier: [UInt8]?
    ) throws(PKIError) -> Certificate {
        let extensions = try profile.extensions(
            subjectKey: subjectKey,
            authorityKeyIdentifier: authorityKeyIdentifier,
            subjectAlternativeNames: subjectAlternativeNames,
            extendedKeyUsages: extendedKeyUsages,
            subjectIsEmpty: subject.isEmpty)
        let signatureAlgorithm = try KeyAlgorithm.signatureAlgorithm(forIssuerKey: issuerKey.publicKey)
        do {
            return try Certificate(
                version: .v3,
                serialNumber: serialNumber,
                publicKey: subjectKey,
                notValidBefore: validity.notBefore,
                notValidAfter: validity.notAfter,
                issuer: issuer,
                subject: subject,
                signatureAlgorithm: signatureAlgorithm,
                extensions: extensions,
                issuerPrivateKey: issuerKey)
        } catch {
            throw PKIError.cryptographicFailure("cannot sign the certificate: \(error)")
        }
    }
}

/// A certificate with its new private key and the chain to present with it.
public struct IssuedCertificate: Sendable {
    public let certificate: Certificate
    public let privateKey: Certificate.PrivateKey
    /// The certificate first, then the intermediates up to (not including) the root — what a TLS client sends.
    public let chain: [Certificate]

    public init(certificate: Certificate, privateKey: Certificate.PrivateKey, chain: [Certificate]) {
        self.certificate = certificate
        self.privateKey = privateKey
        self.chain = chain
    }

    /// The serial in upper-case hex, as recorded in the CA state.
    public var serialNumberHex: String { SerialNumberText.hex(certificate.serialNumber) }
}

/// Self-signed certificates, as Azure Key Vault makes them: RSA 2048 by default, serverAuth + clientAuth.
public enum SelfSignedCertificate {
    /// A new key and a certificate signed by it. The subject must not be empty: it is also the issuer.
    public static func make(_ request: IssuanceRequest) throws(PKIError) -> IssuedCertificate {
        guard !request.subject.isEmpty else {
            throw PKIError.invalidName("", reason: "a self-signed certificate needs a subject (--cn or --subject): it is also its issuer")
        }
        let key = try request.keyAlgorithm.generatePrivateKey()
        let certificate = try request.makeCertificate(
            serialNumber: SerialNumberText.random(),
            subjectKey: key.publicKey,
            issuer: request.subject,
            issuerKey: key,
            authorityKeyIdentifier: nil)
        return IssuedCertificate(certificate: certificate, privateKey: key, chain: [certificate])
    }
}
