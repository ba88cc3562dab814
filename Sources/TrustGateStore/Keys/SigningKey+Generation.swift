import Crypto
public import Foundation
import TrustGateJOSE
import TrustGateX509
import X509
import _CryptoExtras

extension SigningKey {
    /// How long the self-signed certificate published with a key is valid: far longer than any key stays in
    /// use; resource servers that check `x5c` validity would otherwise reject tokens from an old key.
    static let certificateValidity: TimeInterval = 10 * 365 * 86_400

    /// A new key pair (RSA 2048 for RS256/PS256, P-256 for ES256), its `kid`, a self-signed certificate, and the
    /// private key sealed with `storeKey`. The private key exists in clear only inside this call.
    public static func generate(
        algorithm: SigningKeyAlgorithm,
        publishedAt: Date,
        activeFrom: Date?,
        storeKey: KeyEncryptionKey,
        now: Date = Date()
    ) throws -> SigningKey {
        let privateKey: JWSSigningKey
        let privateBytes: [UInt8]
        let publicKeyDER: [UInt8]
        let certificateKey: Certificate.PrivateKey
        switch algorithm {
        case .rs256, .ps256:
            let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
            privateKey = .rsa(key)
            privateBytes = Array(key.derRepresentation)
            publicKeyDER = Array(key.publicKey.derRepresentation)
            certificateKey = Certificate.PrivateKey(key)
        case .es256:
            let key = P256.Signing.PrivateKey()
            privateKey = .p256(key)
            privateBytes = Array(key.rawRepresentation)
            publicKeyDER = Array(key.publicKey.derRepresentation)
            certificateKey = Certificate.PrivateKey(key)
        }
        let keyID = try JSONWebKey(material: privateKey.publicMaterial).thumbprintSHA256()
        let certificate = try selfSignedCertificate(keyID: keyID, key: certificateKey, algorithm: algorithm, now: now)
        return try SigningKey(
            keyID: keyID,
            algorithm: algorithm,
            publicKeyDER: publicKeyDER,
            certificateDER: certificate,
            sealedPrivateKey: try SealedPrivateKey.seal(privateBytes, keyID: keyID, with: storeKey),
            createdAt: now,
            publishedAt: publishedAt,
            activeFrom: activeFrom)
    }

    private static func selfSignedCertificate(
        keyID: String, key: Certificate.PrivateKey, algorithm: SigningKeyAlgorithm, now: Date
    ) throws -> [UInt8] {
        let name = try DistinguishedName {
            CommonName("TrustGate token signing key \(keyID.prefix(16))")
        }
        let signatureAlgorithm: Certificate.SignatureAlgorithm =
            algorithm == .es256 ? .ecdsaWithSHA256 : .sha256WithRSAEncryption
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: key.publicKey,
            notValidBefore: now.addingTimeInterval(-300),
            notValidAfter: now.addingTimeInterval(certificateValidity),
            issuer: name,
            subject: name,
            signatureAlgorithm: signatureAlgorithm,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
            },
            issuerPrivateKey: key)
        return certificate.derBytes
    }
}
