import Crypto
import Foundation
import SwiftASN1
import TrustGateX509
import _CryptoExtras
import X509

enum KeyKind: String { case ec = "EC P-256", rsa = "RSA 2048" }

/// A three-level PKI made fresh for each run: root (the only trust anchor) → issuing CA → client leaf with a
/// SPIFFE URI, and an empty CRL from each CA.
struct BenchPKI {
    let root: Certificate
    let intermediate: Certificate
    let leaf: Certificate
    /// The issuing CA's key: the CRL benchmark signs its large CRL with it.
    let intermediateKey: Certificate.PrivateKey
    let crls: [CertificateRevocationList]

    /// DER of leaf and issuing CA: what a client presents.
    var presented: PresentedCertificateChain { PresentedCertificateChain([leaf, intermediate]) }

    init(_ kind: KeyKind) throws {
        func key() throws -> Certificate.PrivateKey {
            switch kind {
            case .ec: return Certificate.PrivateKey(P256.Signing.PrivateKey())
            case .rsa: return Certificate.PrivateKey(try _RSA.Signing.PrivateKey(keySize: .bits2048))
            }
        }
        let algorithm: Certificate.SignatureAlgorithm = kind == .ec ? .ecdsaWithSHA256 : .sha256WithRSAEncryption
        let now = Date()
        let rootKey = try key(), intermediateKey = try key(), leafKey = try key()
        self.intermediateKey = intermediateKey
        let rootName = try DistinguishedName { CommonName("Bench Root"); OrganizationName("TrustGate") }
        let intermediateName = try DistinguishedName { CommonName("Bench Issuing CA"); OrganizationName("TrustGate") }
        let leafName = try DistinguishedName { CommonName("bench-client"); OrganizationName("TrustGate") }
        func keyIdentifier(_ key: Certificate.PrivateKey) -> AuthorityKeyIdentifier {
            AuthorityKeyIdentifier(keyIdentifier: ArraySlice(SubjectKeyIdentifier(hash: key.publicKey).keyIdentifier))
        }
        func caExtensions(_ key: Certificate.PrivateKey, issuer: Certificate.PrivateKey?) throws -> Certificate.Extensions {
            try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: key.publicKey)
                if let issuer { keyIdentifier(issuer) }
            }
        }
        root = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: rootKey.publicKey,
            notValidBefore: now - 3600, notValidAfter: now + 86_400 * 365,
            issuer: rootName, subject: rootName, signatureAlgorithm: algorithm,
            extensions: try caExtensions(rootKey, issuer: nil), issuerPrivateKey: rootKey)
        intermediate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: intermediateKey.publicKey,
            notValidBefore: now - 3600, notValidAfter: now + 86_400 * 365,
            issuer: rootName, subject: intermediateName, signatureAlgorithm: algorithm,
            extensions: try caExtensions(intermediateKey, issuer: rootKey), issuerPrivateKey: rootKey)
        leaf = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: leafKey.publicKey,
            notValidBefore: now - 3600, notValidAfter: now + 86_400 * 30,
            issuer: intermediateName, subject: leafName, signatureAlgorithm: algorithm,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                keyIdentifier(intermediateKey)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.clientAuth])
                SubjectAlternativeNames([.uniformResourceIdentifier("spiffe://bench/client")])
            },
            issuerPrivateKey: intermediateKey)
        crls = [
            try CertificateRevocationList(derEncoded: CertificateRevocationListBuilder(
                issuerCertificate: root, thisUpdate: now - 60, nextUpdate: now + 86_400, crlNumber: 1, entries: []
            ).signed(with: rootKey)),
            try CertificateRevocationList(derEncoded: CertificateRevocationListBuilder(
                issuerCertificate: intermediate, thisUpdate: now - 60, nextUpdate: now + 86_400, crlNumber: 1, entries: []
            ).signed(with: intermediateKey)),
        ]
    }
}
