import Crypto
import SwiftASN1
public import X509

/// The thumbprints by which certificates are pinned, allow-listed and bound to tokens.
///
/// - `sha1Hex`: App Service's and API Management's "Thumbprint" (`X509Certificate2.Thumbprint`).
/// - `sha256Hex`: `openssl x509 -fingerprint -sha256` without colons.
/// - `spkiSHA256Base64`: Envoy's `verify_certificate_spki`, HPKP-style pin of the public key.
/// - `x5t` / `x5tS256`: JOSE header parameters (RFC 7515 §4.1.7–4.1.8) and RFC 8705's `cnf` confirmation.
public struct CertificateFingerprints: Sendable, Hashable, Codable {
    /// SHA-1 of the certificate's DER encoding.
    public let sha1: [UInt8]
    /// SHA-256 of the certificate's DER encoding.
    public let sha256: [UInt8]
    /// SHA-256 of the DER-encoded SubjectPublicKeyInfo.
    public let spkiSHA256: [UInt8]

    /// Upper-case hex of the SHA-1 thumbprint, no separators.
    public var sha1Hex: String { Self.upperHex(sha1) }
    /// Upper-case hex of the SHA-256 thumbprint, no separators.
    public var sha256Hex: String { Self.upperHex(sha256) }
    /// Standard base64 (with padding) of the SPKI SHA-256.
    public var spkiSHA256Base64: String { Base64Text.encode(spkiSHA256) }
    /// base64url, unpadded, of the SHA-1 thumbprint.
    public var x5t: String { Self.base64URL(sha1) }
    /// base64url, unpadded, of the SHA-256 thumbprint (RFC 8705 `cnf` `x5t#S256`).
    public var x5tS256: String { Self.base64URL(sha256) }

    /// Fingerprints of exactly these certificate bytes. The bytes must be a DER certificate, because the SPKI
    /// hash needs the certificate's public key.
    /// - Throws: `CertificateLoadingError.malformedCertificate` when the bytes are not a certificate.
    public init(derBytes: [UInt8]) throws {
        let spki: [UInt8]
        do {
            spki = try Self.subjectPublicKeyInfoBytes(ofCertificateDER: derBytes)
        } catch {
            throw CertificateLoadingError.malformedCertificate(index: 0, reason: ErrorText.reason(error))
        }
        self.init(certificateDER: derBytes, spkiDER: spki)
    }

    /// Fingerprints of a parsed certificate (hashing its original DER bytes).
    public init(_ certificate: Certificate) {
        let der = certificate.derBytes
        // A parsed certificate always re-serializes to parseable DER; fall back to the re-encoded key if not.
        let spki =
            (try? Self.subjectPublicKeyInfoBytes(ofCertificateDER: der))
            ?? Self.subjectPublicKeyInfoBytes(of: certificate.publicKey)
        self.init(certificateDER: der, spkiDER: spki)
    }

    /// Fingerprints from digests computed elsewhere (e.g. a thumbprint given in configuration). Used to derive
    /// the other encodings of a known digest; lengths are not checked.
    public init(sha1: [UInt8], sha256: [UInt8], spkiSHA256: [UInt8]) {
        self.sha1 = sha1
        self.sha256 = sha256
        self.spkiSHA256 = spkiSHA256
    }

    private init(certificateDER: [UInt8], spkiDER: [UInt8]) {
        self.sha1 = Array(Insecure.SHA1.hash(data: certificateDER))
        self.sha256 = Array(SHA256.hash(data: certificateDER))
        self.spkiSHA256 = Array(SHA256.hash(data: spkiDER))
    }

    /// Upper-cases and drops ':', ' ' and '-' so user-entered thumbprints ("ab:cd:…", "AB CD …") compare equal
    /// to `sha1Hex` / `sha256Hex`. Also drops invisible characters Windows' certificate dialog puts in copied
    /// thumbprints (U+200E, U+FEFF) and tabs.
    public static func normalizedHex(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case ":", " ", "-", "\t", "\u{200E}", "\u{200F}", "\u{FEFF}":
                continue
            default:
                result.unicodeScalars.append(scalar)
            }
        }
        return result.uppercased()
    }

    /// base64url without padding (RFC 7515 §2).
    public static func base64URL(_ bytes: [UInt8]) -> String {
        Base64Text.encodeURLSafeUnpadded(bytes)
    }

    /// The bytes of upper- or lower-case hex text (after `normalizedHex`), or nil when it is not hex.
    public static func bytes(fromHex text: String) -> [UInt8]? {
        let digits = Array(normalizedHex(text).utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = PercentDecoding.hexValue(digits[index]),
                let low = PercentDecoding.hexValue(digits[index + 1])
            else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    public static func upperHex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var text = [UInt8]()
        text.reserveCapacity(64)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The exact DER SubjectPublicKeyInfo of a DER certificate: the 7th field of TBSCertificate (the 6th when the
    /// optional [0] version is absent). Found by walking element headers, without decoding the certificate.
    static func subjectPublicKeyInfoBytes(ofCertificateDER der: [UInt8]) throws -> [UInt8] {
        let bytes = der[...]
        guard let certificate = DERElements.header(bytes, at: bytes.startIndex), certificate.tag == 0x30,
            certificate.headerLength + certificate.contentLength == bytes.count
        else { throw ASN1Error.invalidASN1Object(reason: "not a DER certificate") }
        let tbsStart = bytes.startIndex + certificate.headerLength
        guard let tbs = DERElements.header(bytes, at: tbsStart), tbs.tag == 0x30 else {
            throw ASN1Error.invalidASN1Object(reason: "the certificate has no TBSCertificate")
        }
        let tbsEnd = tbsStart + tbs.headerLength + tbs.contentLength
        var position = tbsStart + tbs.headerLength
        var index = 0
        var spkiIndex = 5
        while position < tbsEnd {
            guard let field = DERElements.header(bytes[..<tbsEnd], at: position) else { break }
            if index == 0, field.tag == 0xA0 { spkiIndex = 6 }
            let fieldEnd = position + field.headerLength + field.contentLength
            if index == spkiIndex {
                guard field.tag == 0x30 else { break }
                return Array(bytes[position..<fieldEnd])
            }
            position = fieldEnd
            index += 1
        }
        throw ASN1Error.invalidASN1Object(reason: "the certificate has no SubjectPublicKeyInfo")
    }

    /// SubjectPublicKeyInfo re-encoded from a public key (used only when the certificate's own bytes are unavailable).
    static func subjectPublicKeyInfoBytes(of publicKey: Certificate.PublicKey) -> [UInt8] {
        var serializer = DER.Serializer()
        do {
            try serializer.serialize(publicKey)
        } catch {
            return []
        }
        return serializer.serializedBytes
    }
}

extension CertificateFingerprints {
    private enum CodingKeys: String, CodingKey {
        case sha1, sha256, spkiSHA256, x5t, x5tS256
    }

    /// JSON carries the textual forms users compare against (hex thumbprints, base64 SPKI pin, x5t values),
    /// not byte arrays.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(sha1Hex, forKey: .sha1)
        try container.encode(sha256Hex, forKey: .sha256)
        try container.encode(spkiSHA256Base64, forKey: .spkiSHA256)
        try container.encode(x5t, forKey: .x5t)
        try container.encode(x5tS256, forKey: .x5tS256)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func hex(_ key: CodingKeys) throws -> [UInt8] {
            let text = try container.decode(String.self, forKey: key)
            guard let bytes = Self.bytes(fromHex: text) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "not hex")
            }
            return bytes
        }
        let spkiText = try container.decode(String.self, forKey: .spkiSHA256)
        guard let spki = Base64Text.decode(Array(spkiText.utf8)) else {
            throw DecodingError.dataCorruptedError(forKey: .spkiSHA256, in: container, debugDescription: "not base64")
        }
        self.init(sha1: try hex(.sha1), sha256: try hex(.sha256), spkiSHA256: spki)
    }
}
