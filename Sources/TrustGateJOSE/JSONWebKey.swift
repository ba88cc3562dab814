public import Crypto
import Foundation
import SwiftASN1
import X509
public import _CryptoExtras

/// A verification key from a JWK (RFC 7517 / 7518 §6 / RFC 8037), with the restrictions the JWK puts on it.
///
/// Only public members are read for asymmetric keys (`d`, `p`, … are ignored), so a key set can never make
/// TrustGate hold a private key. A key is only ever used with algorithms of its own type (`permitsVerification`):
/// an RSA or EC key's bytes are never an HMAC secret.
public struct JSONWebKey: Sendable {
    public enum Curve: String, Sendable, Hashable {
        case p256 = "P-256", p384 = "P-384", p521 = "P-521"

        var coordinateByteCount: Int {
            switch self {
            case .p256: return 32
            case .p384: return 48
            case .p521: return 66
            }
        }
    }

    /// The key itself, by type.
    public enum Material: Sendable {
        case rsa(_RSA.Signing.PublicKey)
        case p256(P256.Signing.PublicKey)
        case p384(P384.Signing.PublicKey)
        case p521(P521.Signing.PublicKey)
        case ed25519(Curve25519.Signing.PublicKey)
        /// An HMAC secret (`kty: oct`), usable with HS* only.
        case symmetric(SymmetricKey)

        /// The JWK `kty`.
        public var keyType: String {
            switch self {
            case .rsa: return "RSA"
            case .p256, .p384, .p521: return "EC"
            case .ed25519: return "OKP"
            case .symmetric: return "oct"
            }
        }
    }

    public static let minimumRSAModulusBits = 2048
    /// Larger moduli only cost verification time; nobody issues them.
    public static let maximumRSAModulusBits = 16384

    public let material: Material
    public let keyID: String?
    /// `use`; anything but `sig` makes the key unusable for signatures.
    public let use: String?
    /// `key_ops`; present without `verify`, the key cannot verify.
    public let keyOperations: [String]?
    /// `alg` as written. When present the key is bound to exactly that algorithm; an `alg` TrustGate does not know
    /// (`RSA-OAEP`, a typo) makes the key unusable for every JWS algorithm.
    public let declaredAlgorithm: String?
    /// `x5c`, leaf first, DER.
    public let certificateChain: [[UInt8]]?
    /// `x5t#S256` (base64url SHA-256 of the leaf).
    public let certificateSHA256Thumbprint: String?

    public var algorithm: JWSAlgorithm? { declaredAlgorithm.flatMap(JWSAlgorithm.init(rawValue:)) }

    /// A key built in code (the token service publishing its own keys). With a certificate chain the leaf must
    /// hold this key; the thumbprint is computed from it when not given.
    public init(
        material: Material,
        keyID: String? = nil,
        use: String? = "sig",
        keyOperations: [String]? = nil,
        algorithm: JWSAlgorithm? = nil,
        certificateChain: [[UInt8]]? = nil,
        certificateSHA256Thumbprint: String? = nil
    ) throws(JSONWebKeyError) {
        self.material = material
        self.keyID = keyID
        self.use = use
        self.keyOperations = keyOperations
        self.declaredAlgorithm = algorithm?.rawValue
        self.certificateChain = certificateChain
        if let leaf = certificateChain?.first {
            let computed = CertificateThumbprint.sha256(certificateDER: leaf)
            if let certificateSHA256Thumbprint, certificateSHA256Thumbprint != computed { throw .certificateDoesNotMatchKey }
            self.certificateSHA256Thumbprint = computed
        } else {
            self.certificateSHA256Thumbprint = certificateSHA256Thumbprint
        }
        try Self.checkCertificate(certificateChain, holds: material)
    }

    public init(json: String) throws(JSONWebKeyError) {
        let value: JSONValue
        do { value = try StrictJSONParser.parse(json) } catch { throw .invalidJSON(error) }
        guard let object = value.objectValue else { throw .notAnObject }
        try self.init(jsonObject: object)
    }

    public init(jsonObject object: JSONObject) throws(JSONWebKeyError) {
        let reader = MemberReader(object: object)
        let keyType = try reader.requiredString("kty")
        switch keyType {
        case "RSA": material = try Self.rsa(reader)
        case "EC": material = try Self.ellipticCurve(reader)
        case "OKP": material = try Self.octetKeyPair(reader)
        case "oct":
            let secret = try reader.requiredBytes("k")
            guard !secret.isEmpty else { throw .invalidMember("k") }
            material = .symmetric(SymmetricKey(data: secret))
        default:
            throw .unsupportedKeyType(keyType)
        }
        keyID = try reader.optionalString("kid")
        use = try reader.optionalString("use")
        declaredAlgorithm = try reader.optionalString("alg")
        if let operations = object["key_ops"] {
            guard let list = operations.arrayValue else { throw .invalidMember("key_ops") }
            var names: [String] = []
            for entry in list {
                guard let name = entry.stringValue, !names.contains(name) else { throw .invalidMember("key_ops") }
                names.append(name)
            }
            keyOperations = names
        } else {
            keyOperations = nil
        }
        if let chain = object["x5c"] {
            guard let entries = chain.arrayValue, !entries.isEmpty else { throw .invalidMember("x5c") }
            var certificates: [[UInt8]] = []
            for entry in entries {
                guard let text = entry.stringValue, let der = Base64Standard.decode(text), !der.isEmpty else {
                    throw .invalidMember("x5c")
                }
                certificates.append(der)
            }
            certificateChain = certificates
        } else {
            certificateChain = nil
        }
        certificateSHA256Thumbprint = try reader.optionalString("x5t#S256")
        if let thumbprint = certificateSHA256Thumbprint {
            guard let digest = Base64URL.decode(thumbprint), digest.count == 32 else { throw .invalidMember("x5t#S256") }
            if let leaf = certificateChain?.first, thumbprint != CertificateThumbprint.sha256(certificateDER: leaf) {
                throw .certificateDoesNotMatchKey
            }
        }
        try Self.checkCertificate(certificateChain, holds: material)
    }

    /// Whether this key may verify a signature made with `algorithm`: the key type (and curve, and HMAC key
    /// length) fits, and `use`, `key_ops` and the key's own `alg` allow it.
    public func permitsVerification(with algorithm: JWSAlgorithm) -> Bool {
        guard material.fits(algorithm) else { return false }
        if let use, use != "sig" { return false }
        if let keyOperations, !keyOperations.contains("verify") { return false }
        if let declaredAlgorithm, declaredAlgorithm != algorithm.rawValue { return false }
        return true
    }

    // MARK: - Parsing by key type

    private static func rsa(_ reader: MemberReader) throws(JSONWebKeyError) -> Material {
        let modulus = Array(try reader.requiredBytes("n").drop(while: { $0 == 0 }))
        let exponent = Array(try reader.requiredBytes("e").drop(while: { $0 == 0 }))
        guard let top = modulus.first, !exponent.isEmpty, exponent.count <= 8 else {
            throw .invalidMember(modulus.isEmpty ? "n" : "e")
        }
        let bits = (modulus.count - 1) * 8 + (8 - top.leadingZeroBitCount)
        guard bits >= minimumRSAModulusBits else { throw .rsaModulusTooSmall(bits: bits) }
        guard bits <= maximumRSAModulusBits else { throw .rsaModulusTooLarge(bits: bits) }
        do {
            return .rsa(try _RSA.Signing.PublicKey(n: Data(modulus), e: Data(exponent)))
        } catch {
            throw .invalidKeyMaterial("RSA modulus or exponent refused")
        }
    }

    private static func ellipticCurve(_ reader: MemberReader) throws(JSONWebKeyError) -> Material {
        let curveName = try reader.requiredString("crv")
        guard let curve = Curve(rawValue: curveName) else { throw .unsupportedCurve(curveName) }
        let x = try reader.requiredBytes("x")
        let y = try reader.requiredBytes("y")
        guard x.count == curve.coordinateByteCount else { throw .invalidMember("x") }
        guard y.count == curve.coordinateByteCount else { throw .invalidMember("y") }
        let point = x + y
        do {
            switch curve {
            case .p256: return .p256(try P256.Signing.PublicKey(rawRepresentation: point))
            case .p384: return .p384(try P384.Signing.PublicKey(rawRepresentation: point))
            case .p521: return .p521(try P521.Signing.PublicKey(rawRepresentation: point))
            }
        } catch {
            throw .invalidKeyMaterial("the point is not on \(curve.rawValue)")
        }
    }

    private static func octetKeyPair(_ reader: MemberReader) throws(JSONWebKeyError) -> Material {
        let curveName = try reader.requiredString("crv")
        guard curveName == "Ed25519" else { throw .unsupportedCurve(curveName) }
        let x = try reader.requiredBytes("x")
        guard x.count == 32 else { throw .invalidMember("x") }
        do {
            return .ed25519(try Curve25519.Signing.PublicKey(rawRepresentation: x))
        } catch {
            throw .invalidKeyMaterial("not an Ed25519 public key")
        }
    }

    /// RFC 7517 §4.7: the key in the first certificate must be the key the JWK describes.
    private static func checkCertificate(_ chain: [[UInt8]]?, holds material: Material) throws(JSONWebKeyError) {
        guard let leafDER = chain?.first else { return }
        guard let certificate = try? Certificate(derEncoded: leafDER) else { throw .invalidMember("x5c") }
        let expected: Certificate.PublicKey
        switch material {
        case .rsa(let key): expected = Certificate.PublicKey(key)
        case .p256(let key): expected = Certificate.PublicKey(key)
        case .p384(let key): expected = Certificate.PublicKey(key)
        case .p521(let key): expected = Certificate.PublicKey(key)
        case .ed25519(let key): expected = Certificate.PublicKey(key)
        case .symmetric: throw .invalidMember("x5c")
        }
        guard certificate.publicKey == expected else { throw .certificateDoesNotMatchKey }
    }
}

/// Typed access to a JWK's members, failing with the member's name.
private struct MemberReader {
    let object: JSONObject

    func optionalString(_ name: String) throws(JSONWebKeyError) -> String? {
        guard let value = object[name] else { return nil }
        guard let text = value.stringValue else { throw .invalidMember(name) }
        return text
    }

    func requiredString(_ name: String) throws(JSONWebKeyError) -> String {
        guard let text = try optionalString(name) else { throw .missingMember(name) }
        return text
    }

    func requiredBytes(_ name: String) throws(JSONWebKeyError) -> [UInt8] {
        guard let bytes = Base64URL.decode(try requiredString(name)) else { throw .invalidMember(name) }
        return bytes
    }
}
