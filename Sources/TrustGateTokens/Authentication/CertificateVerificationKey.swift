import Crypto
import TrustGateJOSE
import X509
import _CryptoExtras

/// The public key of a client certificate as a JWS verification key (CA-12: RSA at least 2048 bits; EC and
/// Ed25519 keys by curve, so the algorithm check in `JWSVerifier` ties ES256 to P-256 and so on).
enum CertificateVerificationKey {
    enum Failure: Error {
        case weakRSAKey(bits: Int)
        case unsupportedKeyType
    }

    static func material(of publicKey: Certificate.PublicKey) throws(Failure) -> JSONWebKey.Material {
        if let rsa = _RSA.Signing.PublicKey(publicKey) {
            guard rsa.keySizeInBits >= JSONWebKey.minimumRSAModulusBits else { throw .weakRSAKey(bits: rsa.keySizeInBits) }
            return .rsa(rsa)
        }
        if let key = P256.Signing.PublicKey(publicKey) { return .p256(key) }
        if let key = P384.Signing.PublicKey(publicKey) { return .p384(key) }
        if let key = P521.Signing.PublicKey(publicKey) { return .p521(key) }
        if let key = Curve25519.Signing.PublicKey(publicKey) { return .ed25519(key) }
        throw .unsupportedKeyType
    }
}
