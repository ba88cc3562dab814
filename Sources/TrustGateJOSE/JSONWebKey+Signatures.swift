import Crypto
import Foundation
import _CryptoExtras

extension JSONWebKey.Material {
    /// The key type fits the algorithm: RSA for RS*/PS*, the matching curve for each ES*, Ed25519 for EdDSA, and
    /// a secret at least as long as the hash for HS* (RFC 7518 §3.2).
    func fits(_ algorithm: JWSAlgorithm) -> Bool {
        switch (self, algorithm.family) {
        case (.rsa, .rsaPKCS1), (.rsa, .rsaPSS): return true
        case (.p256, .ecdsa(.p256)), (.p384, .ecdsa(.p384)), (.p521, .ecdsa(.p521)): return true
        case (.ed25519, .edDSA): return true
        case (.symmetric(let key), .hmac): return key.bitCount / 8 >= algorithm.hashByteCount
        default: return false
        }
    }

    /// Checks one signature. ES* signatures must be the fixed-size r‖s form (RFC 7518 §3.4), never DER; swift-crypto
    /// (BoringSSL) refuses r or s outside [1, n-1] (CVE-2022-21449). HMACs are compared in constant time.
    func isValidSignature(_ signature: [UInt8], for input: [UInt8], algorithm: JWSAlgorithm) -> Bool {
        guard fits(algorithm) else { return false }
        switch self {
        case .rsa(let key):
            guard signature.count == (key.keySizeInBits + 7) / 8 else { return false }
            let padding: _RSA.Signing.Padding = algorithm.family == .rsaPSS ? .PSS : .insecurePKCS1v1_5
            let rsaSignature = _RSA.Signing.RSASignature(rawRepresentation: signature)
            switch algorithm.hashByteCount {
            case 32: return key.isValidSignature(rsaSignature, for: SHA256.hash(data: input), padding: padding)
            case 48: return key.isValidSignature(rsaSignature, for: SHA384.hash(data: input), padding: padding)
            default: return key.isValidSignature(rsaSignature, for: SHA512.hash(data: input), padding: padding)
            }
        case .p256(let key):
            guard let ecdsa = try? P256.Signing.ECDSASignature(rawRepresentation: signature) else { return false }
            return key.isValidSignature(ecdsa, for: input)
        case .p384(let key):
            guard let ecdsa = try? P384.Signing.ECDSASignature(rawRepresentation: signature) else { return false }
            return key.isValidSignature(ecdsa, for: input)
        case .p521(let key):
            guard let ecdsa = try? P521.Signing.ECDSASignature(rawRepresentation: signature) else { return false }
            return key.isValidSignature(ecdsa, for: input)
        case .ed25519(let key):
            guard signature.count == 64 else { return false }
            return key.isValidSignature(signature, for: input)
        case .symmetric(let key):
            guard signature.count == algorithm.hashByteCount else { return false }
            switch algorithm.hashByteCount {
            case 32: return HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: input, using: key)
            case 48: return HMAC<SHA384>.isValidAuthenticationCode(signature, authenticating: input, using: key)
            default: return HMAC<SHA512>.isValidAuthenticationCode(signature, authenticating: input, using: key)
            }
        }
    }
}
