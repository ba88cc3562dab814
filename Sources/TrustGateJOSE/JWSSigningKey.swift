public import Crypto
public import _CryptoExtras

/// A private key (or HMAC secret) that signs JWS.
public enum JWSSigningKey: Sendable {
    case rsa(_RSA.Signing.PrivateKey)
    case p256(P256.Signing.PrivateKey)
    case p384(P384.Signing.PrivateKey)
    case p521(P521.Signing.PrivateKey)
    case ed25519(Curve25519.Signing.PrivateKey)
    /// HS*: for tests and shared-secret setups; TrustGate's issuers sign with asymmetric keys.
    case symmetric(SymmetricKey)

    /// The matching verification key material (for a secret, the secret itself).
    public var publicMaterial: JSONWebKey.Material {
        switch self {
        case .rsa(let key): return .rsa(key.publicKey)
        case .p256(let key): return .p256(key.publicKey)
        case .p384(let key): return .p384(key.publicKey)
        case .p521(let key): return .p521(key.publicKey)
        case .ed25519(let key): return .ed25519(key.publicKey)
        case .symmetric(let key): return .symmetric(key)
        }
    }

    /// Whether this key can sign with `algorithm` (same rule as verification).
    public func supports(_ algorithm: JWSAlgorithm) -> Bool {
        publicMaterial.fits(algorithm)
    }

    /// The public JWK for this key, to publish in a JWKS.
    public func publicJWK(
        keyID: String?,
        algorithm: JWSAlgorithm? = nil,
        certificateChain: [[UInt8]]? = nil
    ) throws(JSONWebKeyError) -> JSONWebKey {
        if case .symmetric = self { throw .secretKeyNotExportable }
        return try JSONWebKey(material: publicMaterial, keyID: keyID, use: "sig", algorithm: algorithm, certificateChain: certificateChain)
    }
}
