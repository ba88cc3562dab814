import Crypto
import NIOSSL
import SwiftASN1
public import X509
import _CryptoExtras

/// Decodes private keys: PEM or DER, PKCS#8 ("PRIVATE KEY"), SEC1 ("EC PRIVATE KEY") and PKCS#1
/// ("RSA PRIVATE KEY"); EC P-256/384/521, RSA (≥ 2048 bits), Ed25519.
///
/// Encrypted keys — PKCS#8 "ENCRYPTED PRIVATE KEY" (PBES2 or PKCS#12 PBE) and legacy OpenSSL PEM with
/// `Proc-Type: 4,ENCRYPTED` — are decrypted with BoringSSL through `NIOSSLPrivateKey` (RSA and EC keys only).
public enum PrivateKeyDecoder {
    static let keyPEMTypes: Set<String> = ["PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY", "ENCRYPTED PRIVATE KEY"]

    /// The first private key in `bytes`.
    /// - Throws: `CertificateLoadingError`.
    public static func privateKey(from bytes: [UInt8], password: String? = nil) throws -> Certificate.PrivateKey {
        try decode(bytes, password: password)
    }

    /// The first private key in the file at `path`.
    /// - Throws: `CertificateLoadingError` (file errors name the path).
    public static func privateKey(contentsOfFile path: String, password: String? = nil) throws -> Certificate.PrivateKey {
        try decode(try InputFile.read(path), password: password)
    }

    static func decode(_ input: [UInt8], password: String?) throws(CertificateLoadingError) -> Certificate.PrivateKey {
        let bytes = TextEncoding.normalized(input)
        guard bytes.contains(where: { !Base64Text.isWhitespace($0) }) else { throw .emptyInput() }
        if bytes.first == 0x30, !TextEncoding.isPrintableText(bytes) {
            return try fromDER(bytes, password: password)
        }
        let text = Array(TextEncoding.trimmed(bytes))
        if PEMBlock.containsPEM(text) {
            let blocks = try PEMBlock.blocks(in: text)
            guard let block = blocks.first(where: { keyPEMTypes.contains($0.type) }) else {
                if blocks.contains(where: { $0.type == "OPENSSH PRIVATE KEY" }) {
                    throw .unsupportedPrivateKey(
                        reason: "OpenSSH key format; convert it with 'ssh-keygen -p -m PKCS8 -f FILE'")
                }
                throw .noPrivateKey(foundPEMTypes: blocks.map(\.type))
            }
            return try fromPEM(block, password: password)
        }
        guard let der = Base64Text.decode(text), der.first == 0x30 else {
            throw .malformedPrivateKey(reason: "the input is neither PEM nor DER")
        }
        return try fromDER(der, password: password)
    }

    static func fromPEM(_ block: PEMBlock, password: String?) throws(CertificateLoadingError) -> Certificate.PrivateKey {
        if block.isLegacyEncrypted {
            return try decryptWithBoringSSL(pem: Array(block.text), password: password)
        }
        let der = try block.derBytes()
        if block.type == "ENCRYPTED PRIVATE KEY" {
            return try decryptPKCS8(der, password: password)
        }
        switch block.type {
        case "PRIVATE KEY": return try fromPKCS8(der)
        case "EC PRIVATE KEY": return try fromSEC1(der)
        case "RSA PRIVATE KEY": return try fromPKCS1(der)
        default: throw .noPrivateKey(foundPEMTypes: [block.type])
        }
    }

    /// Tells the DER structures apart by their first two fields.
    static func fromDER(_ der: [UInt8], password: String?) throws(CertificateLoadingError) -> Certificate.PrivateKey {
        let fieldTags: [ASN1Identifier]
        do {
            let root = try DER.parse(der)
            guard root.identifier == .sequence, case .constructed(let children) = root.content else {
                throw CertificateLoadingError.malformedPrivateKey(reason: "not an ASN.1 SEQUENCE")
            }
            fieldTags = children.prefix(2).map(\.identifier)
        } catch let error as CertificateLoadingError {
            throw error
        } catch {
            throw .malformedPrivateKey(reason: ErrorText.reason(error))
        }
        switch (fieldTags.first, fieldTags.dropFirst().first) {
        case (.sequence, .octetString):
            // EncryptedPrivateKeyInfo ::= SEQUENCE { encryptionAlgorithm, encryptedData OCTET STRING }
            return try decryptPKCS8(der, password: password)
        case (.integer, .sequence):
            return try fromPKCS8(der)
        case (.integer, .octetString):
            return try fromSEC1(der)
        case (.integer, .integer):
            return try fromPKCS1(der)
        default:
            throw .malformedPrivateKey(reason: "not a PKCS#8, SEC1 or PKCS#1 private key")
        }
    }

    static func fromPKCS8(_ der: [UInt8]) throws(CertificateLoadingError) -> Certificate.PrivateKey {
        do {
            return try Certificate.PrivateKey(derBytes: der)
        } catch let error as CertificateError where error.code == .unsupportedPrivateKey {
            throw .unsupportedPrivateKey(reason: ErrorText.reason(error))
        } catch {
            if let reason = shortRSAKeyReason(der) { throw .unsupportedPrivateKey(reason: reason) }
            throw .malformedPrivateKey(reason: ErrorText.reason(error))
        }
    }

    /// swift-crypto refuses RSA keys below 2048 bits with a generic error; say so when that is the cause.
    static func shortRSAKeyReason(_ der: [UInt8]) -> String? {
        guard let key = try? _RSA.Signing.PrivateKey(unsafeDERRepresentation: der), key.keySizeInBits < 2048 else {
            return nil
        }
        return "RSA key of \(key.keySizeInBits) bits; at least 2048 bits are required"
    }

    /// SEC1 ECPrivateKey (RFC 5915): the curve comes from the parameters, or from the key length when they are absent.
    static func fromSEC1(_ der: [UInt8]) throws(CertificateLoadingError) -> Certificate.PrivateKey {
        let (curve, privateKeyLength): (ASN1ObjectIdentifier?, Int)
        do {
            (curve, privateKeyLength) = try DER.sequence(DER.parse(der), identifier: .sequence) { fields in
                _ = try Int(derEncoded: &fields)
                let privateKey = try ASN1OctetString(derEncoded: &fields)
                var curve: ASN1ObjectIdentifier?
                while let field = fields.next() {
                    if field.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific) {
                        curve = try DER.explicitlyTagged(field, tagNumber: 0, tagClass: .contextSpecific) {
                            try ASN1ObjectIdentifier(derEncoded: $0)
                        }
                    }
                }
                return (curve, privateKey.bytes.count)
            }
        } catch {
            throw .malformedPrivateKey(reason: ErrorText.reason(error))
        }
        do {
            switch (curve, privateKeyLength) {
            case (ASN1ObjectIdentifier.NamedCurves.secp256r1, _), (nil, 32):
                return Certificate.PrivateKey(try P256.Signing.PrivateKey(derRepresentation: der))
            case (ASN1ObjectIdentifier.NamedCurves.secp384r1, _), (nil, 48):
                return Certificate.PrivateKey(try P384.Signing.PrivateKey(derRepresentation: der))
            case (ASN1ObjectIdentifier.NamedCurves.secp521r1, _), (nil, 66):
                return Certificate.PrivateKey(try P521.Signing.PrivateKey(derRepresentation: der))
            case (.some(let other), _):
                throw CertificateLoadingError.unsupportedPrivateKey(reason: "elliptic curve \(other) (supported: P-256, P-384, P-521)")
            default:
                throw CertificateLoadingError.unsupportedPrivateKey(reason: "EC key without curve parameters")
            }
        } catch let error as CertificateLoadingError {
            throw error
        } catch {
            throw .malformedPrivateKey(reason: ErrorText.reason(error))
        }
    }

    static func fromPKCS1(_ der: [UInt8]) throws(CertificateLoadingError) -> Certificate.PrivateKey {
        do {
            return Certificate.PrivateKey(try _RSA.Signing.PrivateKey(derRepresentation: der))
        } catch {
            if let reason = shortRSAKeyReason(der) { throw .unsupportedPrivateKey(reason: reason) }
            throw .malformedPrivateKey(reason: ErrorText.reason(error))
        }
    }

    /// Decrypts a PKCS#8 EncryptedPrivateKeyInfo: PBES2 with AES natively, other schemes with BoringSSL.
    static func decryptPKCS8(_ der: [UInt8], password: String?) throws(CertificateLoadingError) -> Certificate.PrivateKey {
        guard let password else { throw .privateKeyPasswordRequired() }
        switch try PBES2Decryption.decrypt(der, password: password) {
        case .decrypted(let plaintext):
            do {
                return try fromDER(plaintext, password: nil)
            } catch where error.code == .malformedPrivateKey {
                // The padding happened to check out under a wrong key; the content is noise.
                throw .privateKeyDecryptionFailed()
            }
        case .unsupported:
            return try decryptWithBoringSSL(pem: pem(der, type: "ENCRYPTED PRIVATE KEY"), password: password)
        }
    }

    /// Decrypts an encrypted PEM key with BoringSSL. Never called without a password (NIOSSL would otherwise
    /// prompt on the terminal) nor with a non-ASCII one (NIOSSL's passphrase callback traps on bytes ≥ 0x80).
    static func decryptWithBoringSSL(
        pem: [UInt8],
        password: String?
    ) throws(CertificateLoadingError) -> Certificate.PrivateKey {
        guard let password else { throw .privateKeyPasswordRequired() }
        let passwordBytes = Array(password.utf8)
        guard passwordBytes.allSatisfy({ $0 < 0x80 }) else {
            throw .unsupportedPrivateKey(
                reason: "this key's encryption (legacy PEM, 3DES or RC2) works only with ASCII passwords here; re-encrypt it with 'openssl pkcs8 -topk8 -v2 aes-256-cbc'")
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(bytes: pem, format: .pem) { (setPassword: NIOSSLPassphraseSetter<[UInt8]>) in
                setPassword(passwordBytes)
            }
        } catch {
            throw .privateKeyDecryptionFailed()
        }
        let der: [UInt8]
        do {
            der = try key.derBytes
        } catch {
            throw .unsupportedPrivateKey(reason: "only RSA and EC keys can be read from encrypted containers")
        }
        return try fromDER(der, password: nil)
    }

    static func pem(_ der: [UInt8], type: String) -> [UInt8] {
        var text = "-----BEGIN \(type)-----\n"
        let base64 = Base64Text.encode(der)
        var start = base64.startIndex
        while start < base64.endIndex {
            let end = base64.index(start, offsetBy: 64, limitedBy: base64.endIndex) ?? base64.endIndex
            text += base64[start..<end] + "\n"
            start = end
        }
        text += "-----END \(type)-----\n"
        return Array(text.utf8)
    }
}

extension Certificate.PrivateKey {
    /// Whether this key is the private half of `certificate`'s public key.
    func matches(_ certificate: Certificate) -> Bool {
        self.publicKey == certificate.publicKey
    }
}
