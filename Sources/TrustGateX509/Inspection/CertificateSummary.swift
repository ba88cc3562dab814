import Crypto
public import Foundation
import SwiftASN1
public import X509
import _CryptoExtras

/// Everything `trustgate cert inspect` shows about one certificate, computed once.
public struct CertificateSummary: Sendable, Codable {
    /// Subject in RFC 4514 form ("CN=alice,O=Example,C=US").
    public let subject: String
    /// Subject in the display form .NET shows ("CN=alice, O=Example, C=US").
    public let subjectDisplay: String
    /// Issuer in RFC 4514 form.
    public let issuer: String
    /// Issuer in the display form.
    public let issuerDisplay: String
    /// Upper-case hex of the serial number's bytes, no separators (App Service / API Management form).
    public let serialNumberHex: String
    public let notBefore: Date
    public let notAfter: Date
    public let subjectAlternativeNames: SubjectAlternativeNameValues
    /// Extended key usages by name ("clientAuth", "serverAuth", ...), else dotted OID. Empty when absent.
    public let extendedKeyUsages: [String]
    /// Key usages by RFC 5280 name ("digitalSignature", "keyCertSign", ...). Empty when absent.
    public let keyUsages: [String]
    /// "EC P-256", "EC P-384", "EC P-521", "RSA" or "Ed25519".
    public let keyAlgorithm: String
    public let keySizeBits: Int
    /// OpenSSL's name ("ecdsa-with-SHA256", "sha256WithRSAEncryption", "ED25519"), else the dotted OID.
    public let signatureAlgorithm: String
    /// basicConstraints cA = TRUE.
    public let isCA: Bool
    /// basicConstraints pathLenConstraint, when present.
    public let pathLengthConstraint: Int?
    public let isSelfSigned: Bool
    public let fingerprints: CertificateFingerprints

    /// - Throws: `CertificateLoadingError.malformedExtension` when an extension cannot be decoded.
    public init(_ certificate: Certificate) throws {
        self.subject = certificate.subject.rfc4514String
        self.subjectDisplay = certificate.subject.displayString
        self.issuer = certificate.issuer.rfc4514String
        self.issuerDisplay = certificate.issuer.displayString
        self.serialNumberHex = SerialNumberText.hex(certificate.serialNumber)
        self.notBefore = certificate.notValidBefore
        self.notAfter = certificate.notValidAfter
        self.subjectAlternativeNames = try SubjectAlternativeNameValues(certificate)

        do {
            self.extendedKeyUsages = try certificate.extensions.extendedKeyUsage.map { $0.map(Self.name) } ?? []
        } catch {
            throw CertificateLoadingError.malformedExtension(name: "extKeyUsage", reason: ErrorText.reason(error))
        }
        do {
            self.keyUsages = try certificate.extensions.keyUsage.map(Self.names) ?? []
        } catch {
            throw CertificateLoadingError.malformedExtension(name: "keyUsage", reason: ErrorText.reason(error))
        }
        do {
            switch try certificate.extensions.basicConstraints {
            case .isCertificateAuthority(let maxPathLength):
                self.isCA = true
                self.pathLengthConstraint = maxPathLength
            case .notCertificateAuthority, nil:
                self.isCA = false
                self.pathLengthConstraint = nil
            }
        } catch {
            throw CertificateLoadingError.malformedExtension(name: "basicConstraints", reason: ErrorText.reason(error))
        }

        (self.keyAlgorithm, self.keySizeBits) = Self.keyDescription(certificate.publicKey)
        self.signatureAlgorithm = Self.signatureAlgorithmName(certificate)
        self.isSelfSigned = certificate.isSelfSigned
        self.fingerprints = CertificateFingerprints(certificate)
    }

    // MARK: - Names

    static func name(_ usage: ExtendedKeyUsage.Usage) -> String {
        switch usage {
        case .serverAuth: return "serverAuth"
        case .clientAuth: return "clientAuth"
        case .codeSigning: return "codeSigning"
        case .emailProtection: return "emailProtection"
        case .timeStamping: return "timeStamping"
        case .ocspSigning: return "OCSPSigning"
        case .any: return "anyExtendedKeyUsage"
        case .certificateTransparency: return "certificateTransparency"
        default: return ASN1ObjectIdentifier(usage).description
        }
    }

    static func names(_ usage: KeyUsage) -> [String] {
        let all: [(Bool, String)] = [
            (usage.digitalSignature, "digitalSignature"), (usage.nonRepudiation, "nonRepudiation"),
            (usage.keyEncipherment, "keyEncipherment"), (usage.dataEncipherment, "dataEncipherment"),
            (usage.keyAgreement, "keyAgreement"), (usage.keyCertSign, "keyCertSign"), (usage.cRLSign, "cRLSign"),
            (usage.encipherOnly, "encipherOnly"), (usage.decipherOnly, "decipherOnly"),
        ]
        return all.filter(\.0).map(\.1)
    }

    static func keyDescription(_ key: Certificate.PublicKey) -> (String, Int) {
        if P256.Signing.PublicKey(key) != nil { return ("EC P-256", 256) }
        if P384.Signing.PublicKey(key) != nil { return ("EC P-384", 384) }
        if P521.Signing.PublicKey(key) != nil { return ("EC P-521", 521) }
        if let rsa = _RSA.Signing.PublicKey(key) { return ("RSA", rsa.keySizeInBits) }
        if Curve25519.Signing.PublicKey(key) != nil { return ("Ed25519", 256) }
        return (String(describing: key), 0)
    }

    static func signatureAlgorithmName(_ certificate: Certificate) -> String {
        switch certificate.signatureAlgorithm {
        case .ecdsaWithSHA256: return "ecdsa-with-SHA256"
        case .ecdsaWithSHA384: return "ecdsa-with-SHA384"
        case .ecdsaWithSHA512: return "ecdsa-with-SHA512"
        case .sha1WithRSAEncryption: return "sha1WithRSAEncryption"
        case .sha256WithRSAEncryption: return "sha256WithRSAEncryption"
        case .sha384WithRSAEncryption: return "sha384WithRSAEncryption"
        case .sha512WithRSAEncryption: return "sha512WithRSAEncryption"
        case .ed25519: return "ED25519"
        default: return signatureAlgorithmOID(certificate.derBytes) ?? String(describing: certificate.signatureAlgorithm)
        }
    }

    /// The OID of Certificate.signatureAlgorithm, read from the DER (swift-certificates keeps it internal).
    static func signatureAlgorithmOID(_ der: [UInt8]) -> String? {
        try? DER.sequence(DER.parse(der), identifier: .sequence) { fields in
            _ = fields.next()
            guard let algorithm = fields.next() else { return nil }
            while fields.next() != nil {}
            return try DER.sequence(algorithm, identifier: .sequence) { parts in
                let oid = try ASN1ObjectIdentifier(derEncoded: &parts)
                while parts.next() != nil {}
                return oid.description
            }
        }
    }

    // MARK: - Codable (dates as ISO 8601 whatever the encoder's date strategy)

    private enum CodingKeys: String, CodingKey {
        case subject, subjectDisplay, issuer, issuerDisplay, serialNumberHex, notBefore, notAfter
        case subjectAlternativeNames, extendedKeyUsages, keyUsages, keyAlgorithm, keySizeBits
        case signatureAlgorithm, isCA, pathLengthConstraint, isSelfSigned, fingerprints
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(subject, forKey: .subject)
        try container.encode(subjectDisplay, forKey: .subjectDisplay)
        try container.encode(issuer, forKey: .issuer)
        try container.encode(issuerDisplay, forKey: .issuerDisplay)
        try container.encode(serialNumberHex, forKey: .serialNumberHex)
        try container.encode(Self.iso8601(notBefore), forKey: .notBefore)
        try container.encode(Self.iso8601(notAfter), forKey: .notAfter)
        try container.encode(subjectAlternativeNames, forKey: .subjectAlternativeNames)
        try container.encode(extendedKeyUsages, forKey: .extendedKeyUsages)
        try container.encode(keyUsages, forKey: .keyUsages)
        try container.encode(keyAlgorithm, forKey: .keyAlgorithm)
        try container.encode(keySizeBits, forKey: .keySizeBits)
        try container.encode(signatureAlgorithm, forKey: .signatureAlgorithm)
        try container.encode(isCA, forKey: .isCA)
        try container.encodeIfPresent(pathLengthConstraint, forKey: .pathLengthConstraint)
        try container.encode(isSelfSigned, forKey: .isSelfSigned)
        try container.encode(fingerprints, forKey: .fingerprints)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func date(_ key: CodingKeys) throws -> Date {
            let text = try container.decode(String.self, forKey: key)
            guard let date = try? Date(text, strategy: .iso8601) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "not ISO 8601")
            }
            return date
        }
        self.subject = try container.decode(String.self, forKey: .subject)
        self.subjectDisplay = try container.decode(String.self, forKey: .subjectDisplay)
        self.issuer = try container.decode(String.self, forKey: .issuer)
        self.issuerDisplay = try container.decode(String.self, forKey: .issuerDisplay)
        self.serialNumberHex = try container.decode(String.self, forKey: .serialNumberHex)
        self.notBefore = try date(.notBefore)
        self.notAfter = try date(.notAfter)
        self.subjectAlternativeNames = try container.decode(
            SubjectAlternativeNameValues.self, forKey: .subjectAlternativeNames)
        self.extendedKeyUsages = try container.decode([String].self, forKey: .extendedKeyUsages)
        self.keyUsages = try container.decode([String].self, forKey: .keyUsages)
        self.keyAlgorithm = try container.decode(String.self, forKey: .keyAlgorithm)
        self.keySizeBits = try container.decode(Int.self, forKey: .keySizeBits)
        self.signatureAlgorithm = try container.decode(String.self, forKey: .signatureAlgorithm)
        self.isCA = try container.decode(Bool.self, forKey: .isCA)
        self.pathLengthConstraint = try container.decodeIfPresent(Int.self, forKey: .pathLengthConstraint)
        self.isSelfSigned = try container.decode(Bool.self, forKey: .isSelfSigned)
        self.fingerprints = try container.decode(CertificateFingerprints.self, forKey: .fingerprints)
    }

    /// "2026-01-31T12:00:00Z".
    public static func iso8601(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
