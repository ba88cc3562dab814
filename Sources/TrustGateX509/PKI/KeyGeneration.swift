import Crypto
import _CryptoExtras
public import X509

extension KeyAlgorithm {
    /// A fresh private key from the system's secure random source.
    public func generatePrivateKey() throws(PKIError) -> Certificate.PrivateKey {
        switch self {
        case .ecP256:
            return Certificate.PrivateKey(P256.Signing.PrivateKey())
        case .ecP384:
            return Certificate.PrivateKey(P384.Signing.PrivateKey())
        case .rsa2048, .rsa3072, .rsa4096:
            do {
                return Certificate.PrivateKey(try _RSA.Signing.PrivateKey(keySize: rsaKeySize))
            } catch {
                throw PKIError.cryptographicFailure("RSA key generation failed: \(error)")
            }
        }
    }

    private var rsaKeySize: _RSA.Signing.KeySize {
        switch self {
        case .rsa3072: return .bits3072
        case .rsa4096: return .bits4096
        default: return .bits2048
        }
    }
}
