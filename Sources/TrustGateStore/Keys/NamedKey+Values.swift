import Crypto
public import Foundation
public import TrustGateX509
import X509

extension NamedKey {
    /// The largest secret accepted: far above any password, API key or token, far below anything that is not one.
    public static let maximumSecretBytes = 16 * 1024

    /// A secret sealed with `storeKey`. The value exists in clear only in the caller's buffer and inside this call.
    public static func secret(
        name: String, value: [UInt8], storeKey: KeyEncryptionKey, now: Date = Date()
    ) throws -> NamedKey {
        try checkName(name)
        guard !value.isEmpty else { throw InvalidRegistrationValue(field: "key \(name)", reason: "the secret is empty") }
        guard value.count <= maximumSecretBytes else {
            throw InvalidRegistrationValue(field: "key \(name)", reason: "the secret is longer than \(maximumSecretBytes) bytes")
        }
        let sealed = try SealedNamedKeyValue.seal(value, name: name, kind: .secret, with: storeKey)
        return try NamedKey(name: name, kind: .secret, sealedValue: sealed, certificate: nil, createdAt: now)
    }

    /// A certificate with its private key (as opened from a PFX), sealed with `storeKey` as PEM: the private key
    /// (PKCS#8) and the chain, leaf first. Stored decrypted from its PFX so using it needs no PFX password.
    public static func certificate(
        name: String, bundle: CertificateBundle, storeKey: KeyEncryptionKey, now: Date = Date()
    ) throws -> NamedKey {
        try checkName(name)
        guard let privateKey = bundle.privateKey else {
            throw NamedKeyError.unusableCertificate(name: name, reason: "the file holds no private key")
        }
        guard let leaf = bundle.certificates.first else {
            throw NamedKeyError.unusableCertificate(name: name, reason: "the file holds no certificate")
        }
        let pem: String
        do {
            pem = try PEMSerialization.privateKey(privateKey) + PEMSerialization.certificates(bundle.certificates)
        } catch {
            throw NamedKeyError.unusableCertificate(name: name, reason: "the private key cannot be exported (\(error))")
        }
        let sealed = try SealedNamedKeyValue.seal(Array(pem.utf8), name: name, kind: .certificate, with: storeKey)
        let facts = CertificateFacts(
            subject: leaf.subject.description, sha256: Array(SHA256.hash(data: leaf.derBytes)), notAfter: leaf.notValidAfter)
        return try NamedKey(name: name, kind: .certificate, sealedValue: sealed, certificate: facts, createdAt: now)
    }

    /// The secret, decrypted with the store key.
    public func secretValue(using storeKey: KeyEncryptionKey) throws(NamedKeyError) -> [UInt8] {
        guard kind == .secret else { throw .wrongKind(name: name, expected: .secret, found: kind) }
        return try sealedValue.open(name: name, kind: kind, with: storeKey)
    }

    /// The certificate chain and private key, decrypted with the store key.
    public func certificateBundle(using storeKey: KeyEncryptionKey) throws(NamedKeyError) -> CertificateBundle {
        guard kind == .certificate else { throw .wrongKind(name: name, expected: .certificate, found: kind) }
        let pem = try sealedValue.open(name: name, kind: kind, with: storeKey)
        do {
            let bundle = try CertificateBundle.load(pem, password: nil)
            guard bundle.privateKey != nil, !bundle.certificates.isEmpty else { throw NamedKeyError.malformedValue(name) }
            return bundle
        } catch {
            throw .malformedValue(name)
        }
    }
}
