import Crypto
public import Foundation
public import TrustGateJOSE
import _CryptoExtras

/// A token-signing key as the store holds it: the public key and certificate in clear, the private key sealed
/// with the store key, and the times that drive rotation (JK-3).
///
/// - `publishedAt`: in the JWKS from then on.
/// - `activeFrom`: signs from then on (nil: never activated).
/// - `retiredAt`: stops signing then, stays in the JWKS.
/// - `removedAt`: leaves the JWKS then.
public struct SigningKey: Sendable, Hashable {
    /// `kid`: the RFC 7638 thumbprint of the public key.
    public let keyID: String
    public let algorithm: SigningKeyAlgorithm
    /// SubjectPublicKeyInfo, DER.
    public let publicKeyDER: [UInt8]
    /// A self-signed certificate for the key, published as `x5c` / `x5t#S256` (JK-2).
    public let certificateDER: [UInt8]?
    public let sealedPrivateKey: SealedPrivateKey
    public let createdAt: Date
    public let publishedAt: Date
    public let activeFrom: Date?
    public let retiredAt: Date?
    public let removedAt: Date?

    public init(
        keyID: String,
        algorithm: SigningKeyAlgorithm,
        publicKeyDER: [UInt8],
        certificateDER: [UInt8]?,
        sealedPrivateKey: SealedPrivateKey,
        createdAt: Date,
        publishedAt: Date,
        activeFrom: Date?,
        retiredAt: Date? = nil,
        removedAt: Date? = nil
    ) throws(InvalidRegistrationValue) {
        try RegistrationText.checkIdentifier(keyID, field: "kid", maxLength: 128)
        if let activeFrom, activeFrom < publishedAt {
            throw InvalidRegistrationValue(field: "active from", reason: "a key must be published before it signs")
        }
        if let retiredAt, let removedAt, removedAt < retiredAt {
            throw InvalidRegistrationValue(field: "removed at", reason: "a key leaves the JWKS only after it stops signing")
        }
        self.keyID = keyID
        self.algorithm = algorithm
        self.publicKeyDER = publicKeyDER
        self.certificateDER = certificateDER
        self.sealedPrivateKey = sealedPrivateKey
        self.createdAt = createdAt
        self.publishedAt = publishedAt
        self.activeFrom = activeFrom
        self.retiredAt = retiredAt
        self.removedAt = removedAt
    }

    public func state(at time: Date) -> SigningKeyState {
        if let removedAt, removedAt <= time { return .removed }
        if let retiredAt, retiredAt <= time { return .retired }
        if let activeFrom, activeFrom <= time { return .active }
        if publishedAt <= time { return .published }
        return .scheduled
    }

    /// Whether the key belongs in the JWKS at `time`.
    public func isPublished(at time: Date) -> Bool {
        publishedAt <= time && (removedAt.map { time < $0 } ?? true)
    }

    /// Whether the key may sign at `time`.
    public func isSigning(at time: Date) -> Bool {
        state(at: time) == .active
    }

    // MARK: - Keys

    /// The public JWK to publish: `kid`, `use: sig`, `alg`, and `x5c` / `x5t#S256` when the key has a certificate.
    public func publicJWK() throws -> JSONWebKey {
        try JSONWebKey(
            material: try publicMaterial(), keyID: keyID, use: "sig", algorithm: algorithm.jwsAlgorithm,
            certificateChain: certificateDER.map { [$0] })
    }

    public func publicMaterial() throws -> JSONWebKey.Material {
        switch algorithm {
        case .rs256, .ps256: return .rsa(try _RSA.Signing.PublicKey(derRepresentation: publicKeyDER))
        case .es256: return .p256(try P256.Signing.PublicKey(derRepresentation: publicKeyDER))
        }
    }

    /// The private key, decrypted with the store key. Fails with `.doesNotMatch` when the store key is not the one
    /// the key was sealed with.
    public func privateKey(using storeKey: KeyEncryptionKey) throws(KeyEncryptionKeyError) -> JWSSigningKey {
        let plaintext = try sealedPrivateKey.open(keyID: keyID, with: storeKey)
        do {
            switch algorithm {
            case .rs256, .ps256: return .rsa(try _RSA.Signing.PrivateKey(derRepresentation: plaintext))
            case .es256: return .p256(try P256.Signing.PrivateKey(rawRepresentation: plaintext))
            }
        } catch {
            throw .malformedSealedKey(keyID: keyID)
        }
    }

    /// A signer for access tokens with this key.
    public func signer(using storeKey: KeyEncryptionKey) throws(KeyEncryptionKeyError) -> JWSSigner {
        JWSSigner(key: try privateKey(using: storeKey))
    }

    /// `{"keys":[…]}` for a set of keys (the store's `publishedSigningKeys(at:)`).
    public static func keySet(_ keys: [SigningKey]) throws -> JSONWebKeySet {
        JSONWebKeySet(keys: try keys.map { try $0.publicJWK() })
    }
}
