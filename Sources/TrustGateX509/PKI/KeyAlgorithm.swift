import Foundation
import Crypto
import _CryptoExtras
public import X509

/// The key types `trustgate pki` creates: NIST P-256 / P-384 ECDSA and RSA with at least 2048 bits.
///
/// RSA below 2048 bits is not representable on purpose: it is refused when parsing, so no code path can make one.
public enum KeyAlgorithm: String, Sendable, Hashable, CaseIterable, Codable, CustomStringConvertible {
    case ecP256 = "ec-p256"
    case ecP384 = "ec-p384"
    case rsa2048 = "rsa-2048"
    case rsa3072 = "rsa-3072"
    case rsa4096 = "rsa-4096"

    /// EC P-256: small, fast, and accepted everywhere TLS 1.2+ is.
    public static let `default`: KeyAlgorithm = .ecP256

    public var description: String { rawValue }

    /// Parses the names users type: `ec-p256`, `p256`, `P-256`, `ecdsa-p384`, `secp384r1`, `prime256v1`,
    /// `rsa-2048`, `rsa2048`, `RSA:3072`, `rsa` (= 2048) — case-insensitive.
    public init(parsing text: String) throws(PKIError) {
        let normalised = text.trimmingCharacters(in: .whitespaces).lowercased()
            .replacingOccurrences(of: "_", with: "-")
            .replacingOccurrences(of: ":", with: "-")
        switch normalised {
        case "ec", "ecdsa", "ec-p256", "ecp256", "p256", "p-256", "ecdsa-p256", "ec-p-256", "secp256r1", "prime256v1", "nistp256":
            self = .ecP256
        case "ec-p384", "ecp384", "p384", "p-384", "ecdsa-p384", "ec-p-384", "secp384r1", "nistp384":
            self = .ecP384
        case "rsa":
            self = .rsa2048
        default:
            guard let bits = Self.rsaBits(in: normalised) else {
                throw PKIError.invalidKeyAlgorithm(text)
            }
            switch bits {
            case 2048: self = .rsa2048
            case 3072: self = .rsa3072
            case 4096: self = .rsa4096
            case ..<2048: throw PKIError.rsaKeyTooSmall(bits: bits)
            default: throw PKIError.invalidKeyAlgorithm(text)
            }
        }
    }

    /// `rsa-2048`, `rsa2048` → 2048.
    private static func rsaBits(in text: String) -> Int? {
        guard text.hasPrefix("rsa") else { return nil }
        var digits = text.dropFirst(3)
        if digits.first == "-" { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.count <= 6, digits.allSatisfy(\.isASCIIDigit) else { return nil }
        return Int(digits)
    }

    /// The algorithm a key of this type signs with (certificates and CRLs).
    public var signatureAlgorithm: Certificate.SignatureAlgorithm {
        switch self {
        case .ecP256: return .ecdsaWithSHA256
        case .ecP384: return .ecdsaWithSHA384
        case .rsa2048, .rsa3072, .rsa4096: return .sha256WithRSAEncryption
        }
    }

    public var isRSA: Bool {
        switch self {
        case .rsa2048, .rsa3072, .rsa4096: return true
        case .ecP256, .ecP384: return false
        }
    }

    /// The algorithm of an existing public key, or `nil` for key types `pki` does not create (P-521, Ed25519, odd RSA sizes).
    public init?(of publicKey: Certificate.PublicKey) {
        if P256.Signing.PublicKey(publicKey) != nil {
            self = .ecP256
        } else if P384.Signing.PublicKey(publicKey) != nil {
            self = .ecP384
        } else if let rsa = _RSA.Signing.PublicKey(publicKey) {
            switch rsa.keySizeInBits {
            case 2048: self = .rsa2048
            case 3072: self = .rsa3072
            case 4096: self = .rsa4096
            default: return nil
            }
        } else {
            return nil
        }
    }

    /// The signature algorithm a CA holding `publicKey`'s private key signs with: SHA-256 for P-256 and RSA,
    /// SHA-384 for P-384, SHA-512 for P-521 (as swift-certificates and OpenSSL choose by default).
    public static func signatureAlgorithm(forIssuerKey publicKey: Certificate.PublicKey) throws(PKIError) -> Certificate.SignatureAlgorithm {
        if P256.Signing.PublicKey(publicKey) != nil { return .ecdsaWithSHA256 }
        if P384.Signing.PublicKey(publicKey) != nil { return .ecdsaWithSHA384 }
        if P521.Signing.PublicKey(publicKey) != nil { return .ecdsaWithSHA512 }
        if _RSA.Signing.PublicKey(publicKey) != nil { return .sha256WithRSAEncryption }
        if Curve25519.Signing.PublicKey(publicKey) != nil { return .ed25519 }
        throw PKIError.unsupportedKey(String(describing: publicKey))
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
