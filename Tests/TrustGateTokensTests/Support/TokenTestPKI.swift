import Crypto
import Foundation
import SwiftASN1
import TrustGateJOSE
import TrustGateX509
import X509
import _CryptoExtras

/// A throwaway PKI on disk made with TrustGate's own CA code: a root and intermediate that the clients' SN/I rules
/// trust, a server certificate for 127.0.0.1, client certificates with each kind of name RFC 8705 matches, RSA and
/// P-256 keys for assertions, a certificate from a foreign CA, an expired one and self-signed ones.
final class TokenTestPKI: @unchecked Sendable {
    let directory: String
    let authority: CertificateAuthority
    let foreignAuthority: CertificateAuthority
    let caFile: String
    let server: Credential

    /// A certificate with its private key, as files (for curl) and as values (for assertions).
    struct Credential: Sendable {
        let certificate: Certificate
        let chain: [Certificate]
        let privateKey: Certificate.PrivateKey
        let signingKey: JWSSigningKey
        let chainFile: String
        let keyFile: String

        var der: [UInt8] { certificate.derBytes }
        var chainDER: [[UInt8]] { chain.map(\.derBytes) }
        var x5tS256: String { CertificateThumbprint.sha256(certificateDER: der) }
        var x5t: String { CertificateThumbprint.sha1(certificateDER: der) }
    }

    init() throws {
        directory = NSTemporaryDirectory() + "trustgate-tokens-pki-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let now = Date()
        authority = try CertificateAuthority.create(
            in: directory + "/ca",
            options: .init(
                rootSubject: try DistinguishedName { CommonName("Token Test Root") },
                validity: try ValidityPeriod(notBefore: now.addingTimeInterval(-86_400 * 400), notAfter: now.addingTimeInterval(86_400 * 400)),
                intermediateSubject: try DistinguishedName { CommonName("Token Test Intermediate") }))
        foreignAuthority = try CertificateAuthority.create(
            in: directory + "/foreign",
            options: .init(
                rootSubject: try DistinguishedName { CommonName("Foreign Root") },
                validity: try ValidityPeriod(notBefore: now.addingTimeInterval(-86_400 * 400), notAfter: now.addingTimeInterval(86_400 * 400))))
        caFile = directory + "/ca.pem"
        try PEMSerialization.certificates([authority.root]).write(toFile: caFile, atomically: true, encoding: .utf8)
        server = try Self.issue(
            in: directory, by: authority, name: "server", subject: try DistinguishedName { CommonName("localhost") },
            profile: .server, names: [.dnsName("localhost"), .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))])
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A client certificate from the test CA (or `foreign`), valid from yesterday for 30 days unless `validity`.
    func client(
        _ name: String,
        subject: DistinguishedName? = nil,
        names: [GeneralName] = [],
        key: KeyAlgorithm = .ecP256,
        validity: ValidityPeriod? = nil,
        extendedKeyUsages: [ExtendedKeyUsage.Usage]? = nil,
        foreign: Bool = false
    ) throws -> Credential {
        try Self.issue(
            in: directory, by: foreign ? foreignAuthority : authority, name: name,
            subject: try subject ?? DistinguishedName { CommonName(name) }, profile: .client, names: names, key: key,
            validity: validity, extendedKeyUsages: extendedKeyUsages)
    }

    /// A self-signed certificate (as Azure Key Vault or `New-SelfSignedCertificate` make them).
    func selfSigned(_ name: String, key: KeyAlgorithm = .ecP256, validity: ValidityPeriod? = nil) throws -> Credential {
        let now = Date()
        let issued = try SelfSignedCertificate.make(IssuanceRequest(
            profile: .selfSigned, subject: try DistinguishedName { CommonName(name) },
            validity: try validity ?? ValidityPeriod(notBefore: now.addingTimeInterval(-3600), notAfter: now.addingTimeInterval(86_400 * 30)),
            keyAlgorithm: key))
        return try Self.credential(issued, name: name, directory: directory)
    }

    static func issue(
        in directory: String, by authority: CertificateAuthority, name: String, subject: DistinguishedName, profile: IssuanceProfile,
        names: [GeneralName] = [], key: KeyAlgorithm = .ecP256, validity: ValidityPeriod? = nil,
        extendedKeyUsages: [ExtendedKeyUsage.Usage]? = nil
    ) throws -> Credential {
        let now = Date()
        let period = try validity ?? ValidityPeriod(notBefore: now.addingTimeInterval(-86_400), notAfter: now.addingTimeInterval(86_400 * 30))
        let issued = try authority.issue(
            IssuanceRequest(
                profile: profile, subject: subject, subjectAlternativeNames: names, extendedKeyUsages: extendedKeyUsages,
                validity: period, keyAlgorithm: key),
            now: now)
        return try credential(issued, name: name, directory: directory)
    }

    static func credential(_ issued: IssuedCertificate, name: String, directory: String) throws -> Credential {
        let chainFile = directory + "/\(name)-\(UUID().uuidString.prefix(8)).pem"
        let keyFile = chainFile.replacingOccurrences(of: ".pem", with: ".key")
        try PEMSerialization.certificates(issued.chain).write(toFile: chainFile, atomically: true, encoding: .utf8)
        let keyPEM = try PEMSerialization.privateKey(issued.privateKey)
        try keyPEM.write(toFile: keyFile, atomically: true, encoding: .utf8)
        let signingKey: JWSSigningKey
        if let rsa = try? _RSA.Signing.PrivateKey(pemRepresentation: keyPEM) {
            signingKey = .rsa(rsa)
        } else {
            signingKey = .p256(try P256.Signing.PrivateKey(pemRepresentation: keyPEM))
        }
        return Credential(
            certificate: issued.certificate, chain: issued.chain, privateKey: issued.privateKey, signingKey: signingKey,
            chainFile: chainFile, keyFile: keyFile)
    }
}
