public import Foundation
import SwiftASN1
public import X509

/// Builds and signs an RFC 5280 §5 version 2 CRL.
///
/// swift-certificates 1.21.1 has no CRL type, so the `CertificateList` is encoded here with SwiftASN1:
///
/// ```
/// CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm AlgorithmIdentifier, signatureValue BIT STRING }
/// TBSCertList ::= SEQUENCE {
///     version Version (v2 = 1), signature AlgorithmIdentifier, issuer Name, thisUpdate Time, nextUpdate Time,
///     revokedCertificates SEQUENCE OF SEQUENCE { userCertificate INTEGER, revocationDate Time,
///                                               crlEntryExtensions Extensions OPTIONAL } OPTIONAL,
///     crlExtensions [0] EXPLICIT Extensions OPTIONAL }
/// ```
///
/// The CRL always carries the two extensions RFC 5280 §5.2 requires of conforming CAs: AuthorityKeyIdentifier
/// (so verifiers find the right issuer key after a key rollover) and CRLNumber.
public struct CertificateRevocationListBuilder: Sendable {
    /// One revoked certificate.
    public struct Entry: Sendable, Hashable {
        public var serialNumber: Certificate.SerialNumber
        public var revocationDate: Date
        /// `nil` and `.unspecified` both leave the reasonCode entry extension out, as RFC 5280 §5.3.1 asks.
        public var reason: Reason?

        public init(serialNumber: Certificate.SerialNumber, revocationDate: Date, reason: Reason? = nil) {
            self.serialNumber = serialNumber
            self.revocationDate = revocationDate
            self.reason = reason
        }
    }

    public var issuer: DistinguishedName
    public var authorityKeyIdentifier: [UInt8]?
    public var thisUpdate: Date
    public var nextUpdate: Date
    public var crlNumber: UInt64
    public var entries: [Entry]

    public init(
        issuer: DistinguishedName,
        authorityKeyIdentifier: [UInt8]?,
        thisUpdate: Date,
        nextUpdate: Date,
        crlNumber: UInt64,
        entries: [Entry]
    ) {
        self.issuer = issuer
        self.authorityKeyIdentifier = authorityKeyIdentifier
        self.thisUpdate = thisUpdate
        self.nextUpdate = nextUpdate
        self.crlNumber = crlNumber
        self.entries = entries
    }

    /// A CRL for `issuerCertificate`, naming it as issuer and carrying its subject key identifier.
    public init(issuerCertificate: Certificate, thisUpdate: Date, nextUpdate: Date, crlNumber: UInt64, entries: [Entry]) {
        self.init(
            issuer: issuerCertificate.subject,
            authorityKeyIdentifier: CertificateAuthority.keyIdentifier(of: issuerCertificate),
            thisUpdate: thisUpdate,
            nextUpdate: nextUpdate,
            crlNumber: crlNumber,
            entries: entries)
    }

    /// The DER-encoded `CertificateList`, signed with `key` (the issuer's private key).
    public func signed(with key: Certificate.PrivateKey) throws(PKIError) -> [UInt8] {
        guard nextUpdate > thisUpdate else {
            throw PKIError.invalidValidity("the CRL's nextUpdate must be after its thisUpdate")
        }
        let signatureAlgorithm = try KeyAlgorithm.signatureAlgorithm(forIssuerKey: key.publicKey)
        do {
            let algorithmIdentifier = try Self.algorithmIdentifierDER(signatureAlgorithm)
            let tbsCertList = try tbsCertListDER(algorithmIdentifier: algorithmIdentifier)
            // For ECDSA, rawRepresentation is the DER ECDSA-Sig-Value; for RSA, the raw PKCS#1 v1.5 signature:
            // both are exactly what goes into the BIT STRING (RFC 3279 §2.2.1 / §2.2.3).
            let signature = try key.sign(bytes: tbsCertList, signatureAlgorithm: signatureAlgorithm)
            var serializer = DER.Serializer()
            try serializer.appendConstructedNode(identifier: .sequence) { coder in
                coder.serializeRawBytes(tbsCertList)
                coder.serializeRawBytes(algorithmIdentifier)
                try coder.serialize(ASN1BitString(bytes: signature.rawRepresentation[...]))
            }
            return serializer.serializedBytes
        } catch let error as PKIError {
            throw error
        } catch {
            throw PKIError.cryptographicFailure("cannot sign the CRL: \(error)")
        }
    }

    private func tbsCertListDER(algorithmIdentifier: [UInt8]) throws -> [UInt8] {
        let sortedEntries = entries.sorted {
            ($0.revocationDate, SerialNumberText.hex($0.serialNumber)) < ($1.revocationDate, SerialNumberText.hex($1.serialNumber))
        }
        var serializer = DER.Serializer()
        try serializer.appendConstructedNode(identifier: .sequence) { coder in
            try coder.serialize(1)  // v2
            coder.serializeRawBytes(algorithmIdentifier)
            try coder.serialize(issuer)
            try Self.serializeTime(thisUpdate, into: &coder)
            try Self.serializeTime(nextUpdate, into: &coder)
            // An empty revokedCertificates must be omitted, not encoded as an empty SEQUENCE (RFC 5280 §5.1.2.6).
            if !sortedEntries.isEmpty {
                try coder.appendConstructedNode(identifier: .sequence) { coder in
                    for entry in sortedEntries {
                        try coder.appendConstructedNode(identifier: .sequence) { coder in
                            try coder.serialize(entry.serialNumber.bytes)
                            try Self.serializeTime(entry.revocationDate, into: &coder)
                            if let reason = entry.reason, reason != .unspecified {
                                try coder.appendConstructedNode(identifier: .sequence) { coder in
                                    try coder.serialize(try reason.entryExtension())
                                }
                            }
                        }
                    }
                }
            }
            try coder.serialize(explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific) { coder in
                try coder.appendConstructedNode(identifier: .sequence) { coder in
                    if let authorityKeyIdentifier {
                        let aki = AuthorityKeyIdentifier(keyIdentifier: authorityKeyIdentifier[...])
                        try coder.serialize(try Certificate.Extension(aki, critical: false))
                    }
                    try coder.serialize(try Self.crlNumberExtension(crlNumber))
                }
            }
        }
        return serializer.serializedBytes
    }

    private static let crlNumberOID: ASN1ObjectIdentifier = [2, 5, 29, 20]

    private static func crlNumberExtension(_ number: UInt64) throws -> Certificate.Extension {
        var value = DER.Serializer()
        try value.serialize(number)
        return Certificate.Extension(oid: crlNumberOID, critical: false, value: value.serializedBytes[...])
    }

    /// UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 §5.1.2.4), whole seconds, UTC.
    static func serializeTime(_ date: Date, into coder: inout DER.Serializer) throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        guard let year = parts.year, let month = parts.month, let day = parts.day,
              let hour = parts.hour, let minute = parts.minute, let second = parts.second
        else {
            throw PKIError.invalidDate(PKIDate.format(date))
        }
        if (1950...2049).contains(year) {
            try coder.serialize(UTCTime(year: year, month: month, day: day, hours: hour, minutes: minute, seconds: second))
        } else {
            try coder.serialize(GeneralizedTime(
                year: year, month: month, day: day, hours: hour, minutes: minute, seconds: second, fractionalSeconds: 0))
        }
    }

    /// `AlgorithmIdentifier` for the signature: ECDSA and Ed25519 take no parameters, RSA PKCS#1 takes NULL
    /// (RFC 5758 §3.2, RFC 4055 §5, RFC 8410 §3). swift-certificates keeps its encoder internal.
    static func algorithmIdentifierDER(_ algorithm: Certificate.SignatureAlgorithm) throws -> [UInt8] {
        let oid: ASN1ObjectIdentifier
        var nullParameters = false
        switch algorithm {
        case .ecdsaWithSHA256: oid = [1, 2, 840, 10045, 4, 3, 2]
        case .ecdsaWithSHA384: oid = [1, 2, 840, 10045, 4, 3, 3]
        case .ecdsaWithSHA512: oid = [1, 2, 840, 10045, 4, 3, 4]
        case .sha256WithRSAEncryption: oid = [1, 2, 840, 113549, 1, 1, 11]; nullParameters = true
        case .sha384WithRSAEncryption: oid = [1, 2, 840, 113549, 1, 1, 12]; nullParameters = true
        case .sha512WithRSAEncryption: oid = [1, 2, 840, 113549, 1, 1, 13]; nullParameters = true
        case .ed25519: oid = [1, 3, 101, 112]
        default: throw PKIError.unsupportedKey("signature algorithm \(algorithm)")
        }
        var serializer = DER.Serializer()
        try serializer.appendConstructedNode(identifier: .sequence) { coder in
            try coder.serialize(oid)
            if nullParameters { try coder.serialize(ASN1Null()) }
        }
        return serializer.serializedBytes
    }
}

extension CertificateRevocationListBuilder {
    /// RFC 5280 §5.3.1 reason codes: the same type the CRL parser reads.
    public typealias Reason = CRLReason
}

extension CRLReason {
    /// The reasons a revocation can be recorded with; removeFromCRL only has a meaning in delta CRLs.
    public static let selectable: [CRLReason] = allCases.filter { $0 != .removeFromCRL }

    /// Accepts the RFC names case-insensitively and with `-`/`_`/space separators: `keyCompromise`,
    /// `key-compromise`, `caCompromise`, `CA_COMPROMISE`, … (not removeFromCRL).
    public init(parsing text: String) throws(PKIError) {
        guard let reason = CRLReason(name: text), reason != .removeFromCRL else {
            throw PKIError.invalidRevocationReason(text)
        }
        self = reason
    }

    private static let reasonCodeOID: ASN1ObjectIdentifier = [2, 5, 29, 21]

    fileprivate func entryExtension() throws -> Certificate.Extension {
        var value = DER.Serializer()
        try rawValue.serialize(into: &value, withIdentifier: .enumerated)
        return Certificate.Extension(oid: Self.reasonCodeOID, critical: false, value: value.serializedBytes[...])
    }
}
