import Crypto
import SwiftASN1
import _CryptoExtras

/// Decrypts PKCS#8 EncryptedPrivateKeyInfo protected with PBES2 / PBKDF2 / AES-CBC (RFC 8018), the scheme of
/// OpenSSL 3 (`pkcs8 -topk8 -v2 aes-256-cbc`, `pkcs12 -export`), Java 12+ and current Windows.
///
/// Done natively because NIOSSL's passphrase callback traps on password bytes ≥ 0x80 (it converts them to `CChar`
/// with a checking initializer): a non-ASCII password must never reach it. Other schemes (PKCS#12 PBE with 3DES or
/// RC2) still go through BoringSSL, with ASCII passwords only.
enum PBES2Decryption {
    static let pbes2OID = "1.2.840.113549.1.5.13"
    private static let pbkdf2OID = "1.2.840.113549.1.5.12"
    /// Refused above this: real files use 2,048–600,000; billions of rounds are a denial of service.
    static let maximumIterations = 10_000_000

    enum Outcome {
        /// The plaintext PrivateKeyInfo.
        case decrypted([UInt8])
        /// Not PBES2 with a supported PRF and cipher; the OID or reason says which part.
        case unsupported(String)
    }

    /// - Throws: `CertificateLoadingError.privateKeyDecryptionFailed` when the parameters are PBES2 but the password
    ///   does not decrypt the key, `.malformedPrivateKey` when the structure is broken.
    static func decrypt(_ encryptedPrivateKeyInfo: [UInt8], password: String) throws(CertificateLoadingError) -> Outcome {
        let parameters: Parameters
        do {
            guard let parsed = try Parameters(encryptedPrivateKeyInfo) else {
                return .unsupported("not PBES2")
            }
            parameters = parsed
        } catch let error as UnsupportedParameter {
            return .unsupported(error.reason)
        } catch {
            throw .malformedPrivateKey(reason: ErrorText.reason(error))
        }
        guard parameters.iterations >= 1, parameters.iterations <= maximumIterations else {
            return .unsupported("PBKDF2 iteration count \(parameters.iterations)")
        }
        do {
            let key = try KDF.Insecure.PBKDF2.deriveKey(
                from: Array(password.utf8),
                salt: parameters.salt,
                using: parameters.prf,
                outputByteCount: parameters.keyLength,
                unsafeUncheckedRounds: parameters.iterations
            )
            let plaintext = try AES._CBC.decrypt(
                parameters.ciphertext, using: key, iv: try AES._CBC.IV(ivBytes: parameters.iv))
            return .decrypted(Array(plaintext))
        } catch {
            // Bad padding: the key (so the password) is wrong.
            throw .privateKeyDecryptionFailed()
        }
    }

    private struct UnsupportedParameter: Error {
        let reason: String
    }

    private struct Parameters {
        let salt: [UInt8]
        let iterations: Int
        let keyLength: Int
        let prf: KDF.Insecure.PBKDF2.HashFunction
        let iv: [UInt8]
        let ciphertext: [UInt8]

        /// nil when the scheme is not PBES2.
        init?(_ der: [UInt8]) throws {
            let root = try DER.parse(der)
            guard case .constructed(let top) = root.content else {
                throw ASN1Error.invalidASN1Object(reason: "EncryptedPrivateKeyInfo is not a SEQUENCE")
            }
            let fields = Array(top)
            guard fields.count == 2 else {
                throw ASN1Error.invalidASN1Object(reason: "EncryptedPrivateKeyInfo has \(fields.count) fields")
            }
            let algorithm = try Self.children(fields[0])
            guard let schemeNode = algorithm.first else { throw ASN1Error.invalidASN1Object(reason: "no algorithm") }
            guard try ASN1ObjectIdentifier(derEncoded: schemeNode).description == PBES2Decryption.pbes2OID else {
                return nil
            }
            guard algorithm.count == 2 else { throw ASN1Error.invalidASN1Object(reason: "PBES2 without parameters") }
            let pbes2 = try Self.children(algorithm[1])
            guard pbes2.count == 2 else { throw ASN1Error.invalidASN1Object(reason: "malformed PBES2 parameters") }

            // keyDerivationFunc: PBKDF2 { salt, iterationCount, keyLength OPTIONAL, prf DEFAULT hmacWithSHA1 }
            let kdf = try Self.children(pbes2[0])
            guard kdf.count == 2, try ASN1ObjectIdentifier(derEncoded: kdf[0]).description == pbkdf2OID else {
                throw UnsupportedParameter(reason: "key derivation other than PBKDF2")
            }
            let kdfParameters = try Self.children(kdf[1])
            guard kdfParameters.count >= 2 else { throw ASN1Error.invalidASN1Object(reason: "malformed PBKDF2 parameters") }
            guard case .primitive(let salt) = kdfParameters[0].content, kdfParameters[0].identifier == .octetString else {
                throw UnsupportedParameter(reason: "PBKDF2 salt that is not an OCTET STRING")
            }
            self.salt = Array(salt)
            self.iterations = try Int(derEncoded: kdfParameters[1])
            var declaredKeyLength: Int?
            var prf = KDF.Insecure.PBKDF2.HashFunction.insecureSHA1
            for field in kdfParameters.dropFirst(2) {
                if field.identifier == .integer {
                    declaredKeyLength = try Int(derEncoded: field)
                } else if field.identifier == .sequence {
                    let prfFields = try Self.children(field)
                    guard let prfOID = prfFields.first else { throw ASN1Error.invalidASN1Object(reason: "empty PRF") }
                    switch try ASN1ObjectIdentifier(derEncoded: prfOID).description {
                    case "1.2.840.113549.2.7": prf = .insecureSHA1
                    case "1.2.840.113549.2.8": prf = .insecureSHA224
                    case "1.2.840.113549.2.9": prf = .sha256
                    case "1.2.840.113549.2.10": prf = .sha384
                    case "1.2.840.113549.2.11": prf = .sha512
                    case let other: throw UnsupportedParameter(reason: "PBKDF2 PRF \(other)")
                    }
                }
            }
            self.prf = prf

            // encryptionScheme: AES-CBC with the IV as parameter.
            let scheme = try Self.children(pbes2[1])
            guard scheme.count == 2 else { throw ASN1Error.invalidASN1Object(reason: "malformed encryption scheme") }
            let cipher = try ASN1ObjectIdentifier(derEncoded: scheme[0]).description
            switch cipher {
            case "2.16.840.1.101.3.4.1.2": self.keyLength = 16
            case "2.16.840.1.101.3.4.1.22": self.keyLength = 24
            case "2.16.840.1.101.3.4.1.42": self.keyLength = 32
            default: throw UnsupportedParameter(reason: "cipher \(cipher)")
            }
            if let declaredKeyLength, declaredKeyLength != keyLength {
                throw ASN1Error.invalidASN1Object(reason: "PBKDF2 key length does not fit the cipher")
            }
            guard case .primitive(let iv) = scheme[1].content, scheme[1].identifier == .octetString, iv.count == 16 else {
                throw ASN1Error.invalidASN1Object(reason: "AES-CBC without a 16-byte IV")
            }
            self.iv = Array(iv)

            guard case .primitive(let ciphertext) = fields[1].content, fields[1].identifier == .octetString,
                !ciphertext.isEmpty, ciphertext.count % 16 == 0
            else {
                throw ASN1Error.invalidASN1Object(reason: "the encrypted key is not a whole number of AES blocks")
            }
            self.ciphertext = Array(ciphertext)
        }

        private static func children(_ node: ASN1Node) throws -> [ASN1Node] {
            guard case .constructed(let nodes) = node.content else {
                throw ASN1Error.invalidASN1Object(reason: "expected a constructed element")
            }
            return Array(nodes)
        }
    }
}
