import Crypto
import Foundation
import SwiftASN1
import X509

@testable import TrustGateX509

/// A test-only DER writer for RFC 5280 CertificateLists, signed with a P-256 key (ecdsa-with-SHA256).
///
/// Every field can be set to something a real CA would never write, so tests can reach each parser rule.
struct CRLTestFactory {
    struct Entry {
        /// The INTEGER's unsigned magnitude; the writer adds the 0x00 sign byte when the top bit is set.
        var serial: [UInt8]
        var revocationDate: Date
        var reason: CRLReason? = nil
        /// A raw ENUMERATED value, to write codes CRLReason cannot express; wins over `reason`.
        var rawReasonCode: UInt8? = nil
        var invalidityDate: Date? = nil
        var extraExtensions: [Certificate.Extension] = []
        /// Writes an empty crlEntryExtensions SEQUENCE when the entry has no extensions.
        var forceExtensionsField = false
    }

    static let ecdsaWithSHA256: ASN1ObjectIdentifier = [1, 2, 840, 10045, 4, 3, 2]
    static let issuingDistributionPointOID: ASN1ObjectIdentifier = [2, 5, 29, 28]

    var signingKey: P256.Signing.PrivateKey
    var issuer: DistinguishedName
    /// nil writes a v1 CRL (no version field); 1 writes v2.
    var encodedVersion: Int? = 1
    var thisUpdate: Date
    var nextUpdate: Date?
    var entries: [Entry] = []
    /// Writes an empty revokedCertificates SEQUENCE when there are no entries.
    var forceRevokedCertificatesField = false
    /// Big-endian magnitude of the CRL number; written as an unsigned INTEGER.
    var crlNumber: [UInt8]? = [0x01]
    var authorityKeyIdentifier: [UInt8]? = nil
    var extraExtensions: [Certificate.Extension] = []
    /// The TBSCertList's signature AlgorithmIdentifier (the outer one is always ecdsa-with-SHA256).
    var innerSignatureAlgorithm: ASN1ObjectIdentifier = CRLTestFactory.ecdsaWithSHA256

    init(
        signingKey: P256.Signing.PrivateKey = P256.Signing.PrivateKey(),
        issuer: DistinguishedName,
        thisUpdate: Date,
        nextUpdate: Date?
    ) {
        self.signingKey = signingKey
        self.issuer = issuer
        self.thisUpdate = thisUpdate
        self.nextUpdate = nextUpdate
    }

    /// A self-signed CA certificate for the signing key, whose subject is the CRL's issuer.
    func issuerCertificate() throws -> Certificate {
        try Self.selfSignedCA(subject: self.issuer, key: self.signingKey)
    }

    static func selfSignedCA(subject: DistinguishedName, key: P256.Signing.PrivateKey) throws -> Certificate {
        let notBefore = Date(timeIntervalSince1970: 1_700_000_000)
        return try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: Certificate.PublicKey(key.publicKey),
            notValidBefore: notBefore,
            notValidAfter: notBefore.addingTimeInterval(10 * 365 * 86_400),
            issuer: subject,
            subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                KeyUsage(keyCertSign: true, cRLSign: true)
            },
            issuerPrivateKey: Certificate.PrivateKey(key)
        )
    }

    // MARK: - Writing

    func tbsCertListDER() throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.appendConstructedNode(identifier: .sequence) { coder in
            if let encodedVersion = self.encodedVersion {
                try coder.serialize(encodedVersion)
            }
            try Self.serializeAlgorithmIdentifier(self.innerSignatureAlgorithm, into: &coder)
            try coder.serialize(self.issuer)
            try Self.serializeTime(self.thisUpdate, into: &coder)
            if let nextUpdate = self.nextUpdate {
                try Self.serializeTime(nextUpdate, into: &coder)
            }
            if !self.entries.isEmpty || self.forceRevokedCertificatesField {
                try coder.appendConstructedNode(identifier: .sequence) { coder in
                    for entry in self.entries {
                        try Self.serialize(entry, into: &coder)
                    }
                }
            }
            let extensions = try self.crlExtensions()
            if !extensions.isEmpty {
                try coder.serialize(
                    explicitlyTaggedWithTagNumber: 0,
                    tagClass: .contextSpecific
                ) { coder in
                    try coder.serializeSequenceOf(extensions)
                }
            }
        }
        return serializer.serializedBytes
    }

    /// The complete, signed CertificateList.
    func derEncoded() throws -> [UInt8] {
        let tbs = try self.tbsCertListDER()
        let signature = try self.signingKey.signature(for: tbs).derRepresentation
        var trailer = DER.Serializer()
        try Self.serializeAlgorithmIdentifier(Self.ecdsaWithSHA256, into: &trailer)
        try trailer.serialize(ASN1BitString(bytes: Array(signature)[...]))
        let content = tbs + trailer.serializedBytes
        return Self.derHeader(tag: 0x30, length: content.count) + content
    }

    private func crlExtensions() throws -> [Certificate.Extension] {
        var extensions: [Certificate.Extension] = []
        if let authorityKeyIdentifier {
            extensions.append(
                try Certificate.Extension(AuthorityKeyIdentifier(keyIdentifier: authorityKeyIdentifier[...]), critical: false)
            )
        }
        if let crlNumber {
            var serializer = DER.Serializer()
            try serializer.serialize(crlNumber[...])
            extensions.append(.init(oid: [2, 5, 29, 20], critical: false, value: serializer.serializedBytes[...]))
        }
        return extensions + self.extraExtensions
    }

    private static func serialize(_ entry: Entry, into coder: inout DER.Serializer) throws {
        try coder.appendConstructedNode(identifier: .sequence) { coder in
            try coder.serialize(entry.serial[...])
            try serializeTime(entry.revocationDate, into: &coder)
            var extensions: [Certificate.Extension] = []
            if let code = entry.rawReasonCode ?? entry.reason.map({ UInt8($0.rawValue) }) {
                extensions.append(.init(oid: [2, 5, 29, 21], critical: false, value: [0x0A, 0x01, code]))
            }
            if let invalidityDate = entry.invalidityDate {
                var serializer = DER.Serializer()
                try serializer.serialize(generalizedTime(invalidityDate))
                extensions.append(.init(oid: [2, 5, 29, 24], critical: false, value: serializer.serializedBytes[...]))
            }
            extensions += entry.extraExtensions
            if !extensions.isEmpty || entry.forceExtensionsField {
                try coder.serializeSequenceOf(extensions)
            }
        }
    }

    static func serializeAlgorithmIdentifier(_ oid: ASN1ObjectIdentifier, into coder: inout DER.Serializer) throws {
        try coder.appendConstructedNode(identifier: .sequence) { coder in
            try coder.serialize(oid)
        }
    }

    /// RFC 5280 §5.1.2.4: UTCTime through 2049, GeneralizedTime from 2050.
    static func serializeTime(_ date: Date, into coder: inout DER.Serializer) throws {
        let parts = utcComponents(date)
        if (1950..<2050).contains(parts.year) {
            try coder.serialize(
                UTCTime(
                    year: parts.year, month: parts.month, day: parts.day,
                    hours: parts.hour, minutes: parts.minute, seconds: parts.second
                )
            )
        } else {
            try coder.serialize(generalizedTime(date))
        }
    }

    static func generalizedTime(_ date: Date) throws -> GeneralizedTime {
        let parts = utcComponents(date)
        return try GeneralizedTime(
            year: parts.year, month: parts.month, day: parts.day,
            hours: parts.hour, minutes: parts.minute, seconds: parts.second, fractionalSeconds: 0
        )
    }

    /// UTC calendar fields by integer arithmetic (Howard Hinnant's civil-from-days): Calendar is far too slow
    /// for writing 100,000 entries in a debug build.
    private static func utcComponents(_ date: Date) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        let totalSeconds = Int(date.timeIntervalSince1970.rounded(.down))
        let days = totalSeconds >= 0 ? totalSeconds / 86_400 : (totalSeconds - 86_399) / 86_400
        let secondOfDay = totalSeconds - days * 86_400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day, secondOfDay / 3_600, secondOfDay % 3_600 / 60, secondOfDay % 60)
    }

    // MARK: - Extension values

    /// An issuingDistributionPoint extension value built from already-encoded fields (each a full TLV).
    static func issuingDistributionPoint(fields: [[UInt8]], critical: Bool = true) -> Certificate.Extension {
        let content = fields.flatMap { $0 }
        return Certificate.Extension(
            oid: issuingDistributionPointOID,
            critical: critical,
            value: (derHeader(tag: 0x30, length: content.count) + content)[...]
        )
    }

    /// A minimal-length DER TLV header.
    static func derHeader(tag: UInt8, length: Int) -> [UInt8] {
        if length < 0x80 { return [tag, UInt8(length)] }
        var lengthBytes: [UInt8] = []
        var remaining = length
        while remaining > 0 {
            lengthBytes.insert(UInt8(remaining & 0xFF), at: 0)
            remaining >>= 8
        }
        return [tag, 0x80 | UInt8(lengthBytes.count)] + lengthBytes
    }
}
