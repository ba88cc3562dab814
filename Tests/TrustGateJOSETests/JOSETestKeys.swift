import Crypto
import Foundation
import SwiftASN1
import TrustGateJOSE
import X509
import _CryptoExtras

/// Keys shared by the JOSE tests; RSA generation is slow, so each size is made once.
enum JOSETestKeys {
    static let rsa: _RSA.Signing.PrivateKey = {
        do { return try _RSA.Signing.PrivateKey(keySize: .bits2048) } catch { fatalError("RSA key generation failed: \(error)") }
    }()
    static let p256 = P256.Signing.PrivateKey()
    static let p384 = P384.Signing.PrivateKey()
    static let p521 = P521.Signing.PrivateKey()
    static let ed25519 = Curve25519.Signing.PrivateKey()
    static let secret = SymmetricKey(size: SymmetricKeySize(bitCount: 512))

    /// A self-signed certificate for `key` (for x5c tests).
    static func selfSignedCertificate(for key: P256.Signing.PrivateKey, name: String) throws -> [UInt8] {
        let subject = try DistinguishedName { CommonName(name) }
        let now = Date()
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: Certificate.PublicKey(key.publicKey),
            notValidBefore: now.addingTimeInterval(-60),
            notValidAfter: now.addingTimeInterval(3600),
            issuer: subject,
            subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: Certificate.Extensions {},
            issuerPrivateKey: Certificate.PrivateKey(key))
        return try certificate.serializeAsPEM().derBytes
    }
}
