import Foundation
import SwiftASN1
import X509

// Reading a CertificateRevocationList from DER, PEM or a file: the outer layers are split with DERElementScanner,
// every element is validated by SwiftASN1, and RFC 5280's CRL rules are applied on the way.

extension CertificateRevocationList {
    /// Parses one DER-encoded CertificateList. Throws ``CRLParsingError``.
    ///
    /// The outer layers are split with ``DERElementScanner`` and every element (each revoked entry on its own) is
    /// parsed and validated by SwiftASN1. Parsing the whole list in one `DER.parse` would build a node tree of
    /// about 30 times the size of the CRL before the first entry is read.
    public init(derEncoded bytes: [UInt8]) throws {
        let certificateList = try Self.outerElement(bytes)

        var parts = DERElementScanner(certificateList.content, field: "CertificateList")
        guard let tbsElement = try parts.next(), tbsElement.tag == DERElementScanner.sequenceTag else {
            throw CRLParsingError.malformed(field: "tbsCertList", reason: "missing or not a SEQUENCE")
        }
        let outerAlgorithm = try Self.field("signatureAlgorithm") {
            try AlgorithmIdentifierFields(parts.next().map { try DER.parse($0.encodedBytes) })
        }
        let signatureBytes = try Self.field("signatureValue") {
            guard let element = try parts.next() else {
                throw CRLParsingError.malformed(field: "signatureValue", reason: "missing")
            }
            let signature = try ASN1BitString(derEncoded: DER.parse(element.encodedBytes))
            guard signature.paddingBits == 0 else {
                throw CRLParsingError.malformed(field: "signatureValue", reason: "BIT STRING has unused bits")
            }
            return signature.bytes
        }
        guard try parts.next() == nil else {
            throw CRLParsingError.malformed(field: "CertificateList", reason: "unexpected field after signatureValue")
        }

        let tbs = try TBSCertListFields(tbsElement.content)
        if tbs.version == 1 && (tbs.crlExtensions != nil || tbs.entriesHaveExtensions) {
            throw CRLParsingError.extensionsInVersion1CRL()
        }
        let crlExtensions = try CRLExtensionFields(tbs.crlExtensions)

        self.derBytes = bytes
        self.version = tbs.version
        self.issuer = tbs.issuer
        self.thisUpdate = tbs.thisUpdate
        self.nextUpdate = tbs.nextUpdate
        self.crlNumber = crlExtensions.crlNumber
        self.authorityKeyIdentifier = crlExtensions.authorityKeyIdentifier
        self.onlyContainsUserCerts = crlExtensions.onlyContainsUserCerts
        self.onlyContainsCACerts = crlExtensions.onlyContainsCACerts
        self.hasDistributionPointName = crlExtensions.hasDistributionPointName
        self.signatureAlgorithmOID = outerAlgorithm.oid
        self.signatureAlgorithm = SignatureAlgorithmOID.signatureAlgorithm(
            oid: outerAlgorithm.oid,
            parameters: outerAlgorithm.parameters
        )
        self.innerAndOuterAlgorithmsMatch = outerAlgorithm.encodedBytes == tbs.signature.encodedBytes
        self.tbsCertListBytes = tbsElement.encodedBytes
        self.signatureBytes = signatureBytes
        self.entries = tbs.entries
        self.entryIndexBySerial = tbs.entryIndex
    }

    /// Parses PEM text holding one or more `X509 CRL` blocks (other PEM blocks are skipped; LF or CRLF line
    /// endings, any line length), or a single DER CertificateList. Throws ``CRLParsingError``.
    ///
    /// The PEM text is read by the module's one PEM reader, `PEMBlock`, so a CRL file is refused for what a
    /// certificate file is refused for (a BEGIN line without its END line, mismatched labels, a bad type label).
    public static func parseAll(_ bytes: [UInt8]) throws -> [CertificateRevocationList] {
        guard let firstByte = bytes.first else { throw CRLParsingError.empty() }
        // DER starts with a SEQUENCE tag, 0x30, which is also ASCII "0": only text that fails as DER is PEM's.
        let derError: CRLParsingError?
        if firstByte == DERElementScanner.sequenceTag {
            do {
                return [try CertificateRevocationList(derEncoded: bytes)]
            } catch let error as CRLParsingError {
                derError = error
            }
        } else {
            derError = nil
        }
        guard PEMBlock.containsPEM(bytes) else {
            if let derError { throw derError }
            return [try CertificateRevocationList(derEncoded: bytes)]
        }
        let blocks: [PEMBlock]
        do {
            blocks = try PEMBlock.blocks(in: bytes)
        } catch {
            throw CRLParsingError.invalidPEM(reason: error.message)
        }
        let crlBlocks = blocks.filter { $0.type == Self.pemLabel }
        guard !crlBlocks.isEmpty else {
            throw CRLParsingError.noCRLInPEM(foundLabels: blocks.map(\.type))
        }
        return try crlBlocks.map { block in
            // Strict about content: no RFC 1421 headers, a non-empty valid base64 body.
            guard block.headers.isEmpty, let der = try? block.derBytes() else {
                throw CRLParsingError.invalidPEM(reason: "\(Self.pemLabel) block is not valid base64")
            }
            return try CertificateRevocationList(derEncoded: der)
        }
    }

    /// The PEM type label of a CRL block (RFC 7468 §5).
    private static let pemLabel = "X509 CRL"

    /// Reads a PEM or DER CRL file (see ``parseAll(_:)``). Errors name the path.
    public static func load(contentsOfFile path: String) throws -> [CertificateRevocationList] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let reason = (error as NSError).localizedFailureReason ?? error.localizedDescription
            throw CRLParsingError.fileUnreadable(path: path, reason: reason)
        }
        do {
            return try parseAll(Array(data))
        } catch let error as CRLParsingError {
            throw CRLParsingError.invalidFile(path: path, error: error)
        }
    }

    /// The outer SEQUENCE, with wrong tag, truncation and trailing bytes reported as such.
    private static func outerElement(_ bytes: [UInt8]) throws -> DERElement {
        guard let tag = bytes.first else { throw CRLParsingError.empty() }
        guard tag == DERElementScanner.sequenceTag else { throw CRLParsingError.wrongOuterTag(tag) }
        guard let header = try DERElementScanner.header(of: bytes[...], field: "CertificateList") else {
            let neededHeaderLength = bytes.count < 2 ? 2 : 2 + Int(bytes[1] & 0x7F)
            throw CRLParsingError.truncated(expectedByteCount: neededHeaderLength, actualByteCount: bytes.count)
        }
        let totalLength = header.headerLength + header.contentLength
        if bytes.count < totalLength {
            throw CRLParsingError.truncated(expectedByteCount: totalLength, actualByteCount: bytes.count)
        }
        if bytes.count > totalLength {
            throw CRLParsingError.trailingData(byteCount: bytes.count - totalLength)
        }
        return DERElement(
            tag: tag,
            encodedBytes: bytes[...],
            content: bytes[header.headerLength..<totalLength]
        )
    }

    /// Runs `body`, turning ASN.1 and swift-certificates errors into ``CRLParsingError/malformed(field:reason:)``
    /// for `name`. The name is an autoclosure so the per-entry hot path builds no strings unless it fails.
    fileprivate static func field<Result>(
        _ name: @autoclosure () -> String,
        _ body: () throws -> Result
    ) throws -> Result {
        do {
            return try body()
        } catch let error as CRLParsingError {
            throw error
        } catch let error as ASN1Error {
            throw CRLParsingError.malformed(field: name(), reason: Self.reason(for: error.code))
        } catch {
            throw CRLParsingError.malformed(field: name(), reason: "invalid value")
        }
    }

    private static func reason(for code: ASN1Error.ErrorCode) -> String {
        switch code {
        case .unexpectedFieldType: return "unexpected ASN.1 type"
        case .invalidASN1Object: return "invalid ASN.1 structure"
        case .invalidASN1IntegerEncoding: return "invalid INTEGER encoding"
        case .truncatedASN1Field: return "truncated ASN.1 field"
        case .unsupportedFieldLength: return "unsupported field length"
        case .invalidStringRepresentation: return "invalid string or time value"
        case .tooFewOIDComponents: return "invalid OBJECT IDENTIFIER"
        default: return "invalid DER (\(code))"
        }
    }
}

// MARK: - Object identifiers

extension ASN1ObjectIdentifier {
    /// Extension OIDs of RFC 5280 §5.2 and §5.3 (and §4.2.2.1 for authorityInfoAccess).
    fileprivate enum CRLExtensionID {
        static let authorityKeyIdentifier: ASN1ObjectIdentifier = [2, 5, 29, 35]
        static let issuerAltName: ASN1ObjectIdentifier = [2, 5, 29, 18]
        static let crlNumber: ASN1ObjectIdentifier = [2, 5, 29, 20]
        static let deltaCRLIndicator: ASN1ObjectIdentifier = [2, 5, 29, 27]
        static let issuingDistributionPoint: ASN1ObjectIdentifier = [2, 5, 29, 28]
        static let freshestCRL: ASN1ObjectIdentifier = [2, 5, 29, 46]
        static let authorityInfoAccess: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 1, 1]

        static let reasonCode: ASN1ObjectIdentifier = [2, 5, 29, 21]
        static let holdInstructionCode: ASN1ObjectIdentifier = [2, 5, 29, 23]
        static let invalidityDate: ASN1ObjectIdentifier = [2, 5, 29, 24]
        static let certificateIssuer: ASN1ObjectIdentifier = [2, 5, 29, 29]
    }
}

// MARK: - AlgorithmIdentifier

/// `AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY OPTIONAL }`, keeping the
/// encoding so the inner and outer identifiers can be compared byte for byte.
private struct AlgorithmIdentifierFields {
    let oid: ASN1ObjectIdentifier
    let parameters: ArraySlice<UInt8>?
    let encodedBytes: ArraySlice<UInt8>

    init(_ node: ASN1Node?) throws {
        guard let node else {
            throw CRLParsingError.malformed(field: "AlgorithmIdentifier", reason: "missing")
        }
        (self.oid, self.parameters) = try DER.sequence(node, identifier: .sequence) { nodes in
            let oid = try ASN1ObjectIdentifier(derEncoded: &nodes)
            return (oid, nodes.next()?.encodedBytes)
        }
        self.encodedBytes = node.encodedBytes
    }
}

// MARK: - Time

/// RFC 5280 `Time ::= CHOICE { utcTime UTCTime, generalTime GeneralizedTime }` as a `Date`.
private enum CRLTime {
    static func date(_ element: DERElement?, field: @autoclosure () -> String) throws -> Date {
        guard let element else {
            throw CRLParsingError.malformed(field: field(), reason: "missing")
        }
        return try CertificateRevocationList.field(field()) { try date(DER.parse(element.encodedBytes), field: field()) }
    }

    static func date(_ node: ASN1Node?, field: @autoclosure () -> String) throws -> Date {
        guard let node else {
            throw CRLParsingError.malformed(field: field(), reason: "missing")
        }
        return try CertificateRevocationList.field(field()) {
            switch node.identifier {
            case .utcTime:
                let time = try UTCTime(derEncoded: node)
                return date(
                    year: time.year, month: time.month, day: time.day,
                    hours: time.hours, minutes: time.minutes, seconds: time.seconds, fraction: 0
                )
            case .generalizedTime:
                return try generalizedTimeDate(node)
            default:
                throw CRLParsingError.malformed(field: field(), reason: "expected UTCTime or GeneralizedTime")
            }
        }
    }

    static func isTime(_ element: DERElement) -> Bool {
        element.tag == DERElementScanner.utcTimeTag || element.tag == DERElementScanner.generalizedTimeTag
    }

    static func generalizedTimeDate(_ node: ASN1Node) throws -> Date {
        let time = try GeneralizedTime(derEncoded: node)
        return date(
            year: time.year, month: time.month, day: time.day,
            hours: time.hours, minutes: time.minutes, seconds: time.seconds, fraction: time.fractionalSeconds
        )
    }

    /// Civil UTC time to a Date with integer arithmetic (no Calendar, which is slow and locale-bound). SwiftASN1
    /// has already range-checked the components. Days-from-civil is Howard Hinnant's algorithm.
    private static func date(
        year: Int, month: Int, day: Int, hours: Int, minutes: Int, seconds: Int, fraction: Double
    ) -> Date {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let daysSinceEpoch = era * 146_097 + dayOfEra - 719_468
        let secondsSinceEpoch = daysSinceEpoch * 86_400 + hours * 3_600 + minutes * 60 + seconds
        return Date(timeIntervalSince1970: Double(secondsSinceEpoch) + fraction)
    }
}

// MARK: - TBSCertList

private struct TBSCertListFields {
    var version = 1
    let signature: AlgorithmIdentifierFields
    let issuer: DistinguishedName
    let thisUpdate: Date
    var nextUpdate: Date?
    var entries: [RevokedCertificate] = []
    var entryIndex: [ArraySlice<UInt8>: Int] = [:]
    var entriesHaveExtensions = false
    /// The Extensions SEQUENCE inside the `[0] EXPLICIT` wrapper, parsed later by ``CRLExtensionFields``.
    var crlExtensions: ASN1Node?

    init(_ content: ArraySlice<UInt8>) throws {
        var elements = DERElementScanner(content, field: "tbsCertList")
        var next = try elements.next()

        if let element = next, element.tag == DERElementScanner.integerTag {
            let encodedVersion = try CertificateRevocationList.field("version") {
                try Int(derEncoded: DER.parse(element.encodedBytes))
            }
            guard encodedVersion == 1 else {
                throw CRLParsingError.unsupportedVersion(encodedValue: encodedVersion)
            }
            self.version = 2
            next = try elements.next()
        }

        let signatureElement = next
        self.signature = try CertificateRevocationList.field("signature") {
            try AlgorithmIdentifierFields(signatureElement.map { try DER.parse($0.encodedBytes) })
        }

        guard let issuerElement = try elements.next() else {
            throw CRLParsingError.malformed(field: "issuer", reason: "missing")
        }
        self.issuer = try CertificateRevocationList.field("issuer") {
            try DistinguishedName(derEncoded: DER.parse(issuerElement.encodedBytes))
        }

        self.thisUpdate = try CRLTime.date(try elements.next(), field: "thisUpdate")
        next = try elements.next()

        if let element = next, CRLTime.isTime(element) {
            let nextUpdate = try CRLTime.date(element, field: "nextUpdate")
            guard nextUpdate >= self.thisUpdate else { throw CRLParsingError.nextUpdateBeforeThisUpdate() }
            self.nextUpdate = nextUpdate
            next = try elements.next()
        }

        if let element = next, element.tag == DERElementScanner.sequenceTag {
            try self.parseRevokedCertificates(element.content)
            next = try elements.next()
        }

        if let element = next, element.tag == DERElementScanner.contextSpecificConstructedZeroTag {
            self.crlExtensions = try CertificateRevocationList.field("crlExtensions") {
                try DER.explicitlyTagged(DER.parse(element.encodedBytes), tagNumber: 0, tagClass: .contextSpecific) {
                    $0
                }
            }
            next = try elements.next()
        }

        if let element = next {
            throw CRLParsingError.malformed(
                field: "tbsCertList",
                reason: "unexpected field with tag 0x\(String(element.tag, radix: 16, uppercase: true))"
            )
        }
    }

    private mutating func parseRevokedCertificates(_ content: ArraySlice<UInt8>) throws {
        // A typical entry takes 35-50 bytes; reserving avoids rehashing a large table several times.
        let estimatedCount = content.count / 40
        self.entries.reserveCapacity(estimatedCount)
        self.entryIndex.reserveCapacity(estimatedCount)

        var entryElements = DERElementScanner(content, field: "revokedCertificates")
        var position = 0
        while let entryElement = try entryElements.next() {
            position += 1
            let (entry, hasExtensions) = try RevokedEntryParser.parse(entryElement.encodedBytes, position: position)
            self.entriesHaveExtensions = self.entriesHaveExtensions || hasExtensions
            let key = entry.serialNumber.bytes
            if let earlier = self.entryIndex.updateValue(self.entries.count, forKey: key) {
                // A repeated serial: the first entry stays authoritative.
                self.entryIndex[key] = earlier
            } else {
                self.entries.append(entry)
            }
        }
    }
}

// MARK: - Entries

private enum RevokedEntryParser {
    static func parse(_ encodedEntry: ArraySlice<UInt8>, position: Int) throws -> (RevokedCertificate, hasExtensions: Bool) {
        try CertificateRevocationList.field("revokedCertificates[\(position)]") {
            try DER.sequence(DER.parse(encodedEntry), identifier: .sequence) { nodes in
                // Unsigned parse: the leading 0x00 of a high-bit serial is dropped, a negative serial is an error.
                let serial = try ArraySlice<UInt8>(derEncoded: &nodes)
                let revocationDate = try CRLTime.date(
                    nodes.next(),
                    field: "revokedCertificates[\(position)].revocationDate"
                )
                var reason: CRLReason?
                var invalidityDate: Date?
                var hasExtensions = false
                if let extensionsNode = nodes.next() {
                    hasExtensions = true
                    (reason, invalidityDate) = try parseExtensions(extensionsNode, serial: serial, position: position)
                }
                let entry = RevokedCertificate(
                    serialNumber: Certificate.SerialNumber(bytes: serial),
                    revocationDate: revocationDate,
                    reason: reason,
                    invalidityDate: invalidityDate
                )
                return (entry, hasExtensions)
            }
        }
    }

    private static func parseExtensions(
        _ node: ASN1Node,
        serial: ArraySlice<UInt8>,
        position: Int
    ) throws -> (CRLReason?, Date?) {
        guard node.identifier == .sequence, case .constructed(let extensionNodes) = node.content else {
            throw CRLParsingError.malformed(
                field: "revokedCertificates[\(position)].crlEntryExtensions",
                reason: "expected a SEQUENCE"
            )
        }
        var reason: CRLReason?
        var invalidityDate: Date?
        var seen = SeenExtensions()
        for extensionNode in extensionNodes {
            let ext = try Certificate.Extension(derEncoded: extensionNode)
            try seen.insert(ext.oid)
            switch ext.oid {
            case .CRLExtensionID.reasonCode:
                reason = try parseReasonCode(ext.value, serial: serial, position: position)
            case .CRLExtensionID.invalidityDate:
                invalidityDate = try CertificateRevocationList.field(
                    "revokedCertificates[\(position)].invalidityDate"
                ) {
                    try CRLTime.generalizedTimeDate(DER.parse(ext.value))
                }
            case .CRLExtensionID.certificateIssuer:
                throw CRLParsingError.certificateIssuerEntryExtensionUnsupported(serialNumber: hex(serial))
            case .CRLExtensionID.holdInstructionCode:
                // Advisory only (and removed from RFC 5280); the entry is revoked either way.
                break
            default:
                if ext.critical {
                    throw CRLParsingError.unknownCriticalEntryExtension(
                        oid: ext.oid.description,
                        serialNumber: hex(serial)
                    )
                }
            }
        }
        return (reason, invalidityDate)
    }

    /// `CRLReason ::= ENUMERATED`. Every valid code is encoded in DER as `0A 01 nn`, which is matched directly
    /// to keep the 100k-entry path free of a second DER parse; anything else is parsed only to report it.
    private static func parseReasonCode(
        _ value: ArraySlice<UInt8>,
        serial: ArraySlice<UInt8>,
        position: Int
    ) throws -> CRLReason {
        let code: Int
        if value.count == 3, value[value.startIndex] == 0x0A, value[value.startIndex + 1] == 0x01,
            value[value.startIndex + 2] < 0x80
        {
            code = Int(value[value.startIndex + 2])
        } else {
            code = try CertificateRevocationList.field("revokedCertificates[\(position)].reasonCode") {
                try Int(derEncoded: DER.parse(value), withIdentifier: .enumerated)
            }
        }
        guard let reason = CRLReason(rawValue: code) else {
            throw CRLParsingError.invalidReasonCode(code, serialNumber: hex(serial))
        }
        guard reason != .removeFromCRL else {
            throw CRLParsingError.removeFromCRLInCompleteCRL(serialNumber: hex(serial))
        }
        return reason
    }

    /// Upper-case hex of the serial as `openssl crl -text` prints it.
    static func hex(_ serial: ArraySlice<UInt8>) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var text = [UInt8]()
        text.reserveCapacity(serial.count * 2)
        for byte in serial {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return text.isEmpty ? "00" : String(decoding: text, as: UTF8.self)
    }
}

/// Duplicate-extension detection without allocating for the usual one or two extensions per entry.
private struct SeenExtensions {
    private var first: ASN1ObjectIdentifier?
    private var second: ASN1ObjectIdentifier?
    private var more: [ASN1ObjectIdentifier] = []

    mutating func insert(_ oid: ASN1ObjectIdentifier) throws {
        guard oid != self.first, oid != self.second, !self.more.contains(oid) else {
            throw CRLParsingError.duplicateExtension(oid: oid.description)
        }
        if self.first == nil {
            self.first = oid
        } else if self.second == nil {
            self.second = oid
        } else {
            self.more.append(oid)
        }
    }
}

// MARK: - CRL extensions

private struct CRLExtensionFields {
    var crlNumber: [UInt8]?
    var authorityKeyIdentifier: [UInt8]?
    var onlyContainsUserCerts = false
    var onlyContainsCACerts = false
    var hasDistributionPointName = false

    init(_ extensionsNode: ASN1Node?) throws {
        guard let extensionsNode else { return }
        let extensions = try CertificateRevocationList.field("crlExtensions") {
            try DER.sequence(of: Certificate.Extension.self, identifier: .sequence, rootNode: extensionsNode)
        }
        var seen = SeenExtensions()
        for ext in extensions {
            try seen.insert(ext.oid)
            switch ext.oid {
            case .CRLExtensionID.crlNumber:
                // RFC 5280 §5.2.3: "this extension is non-critical".
                if ext.critical { throw CRLParsingError.malformed(field: "cRLNumber", reason: "marked critical; RFC 5280 requires it to be non-critical") }
                self.crlNumber = try Self.parseCRLNumber(ext.value)
            case .CRLExtensionID.authorityKeyIdentifier:
                self.authorityKeyIdentifier = try CertificateRevocationList.field("authorityKeyIdentifier") {
                    try AuthorityKeyIdentifier(ext).keyIdentifier.map { Array($0) }
                }
            case .CRLExtensionID.deltaCRLIndicator:
                throw CRLParsingError.deltaCRLUnsupported()
            case .CRLExtensionID.issuingDistributionPoint:
                try self.parseIssuingDistributionPoint(ext.value)
            case .CRLExtensionID.issuerAltName, .CRLExtensionID.freshestCRL, .CRLExtensionID.authorityInfoAccess:
                // Informational: they neither add nor remove revocations from this CRL.
                break
            default:
                if ext.critical {
                    throw CRLParsingError.unknownCriticalExtension(oid: ext.oid.description)
                }
            }
        }
    }

    /// `CRLNumber ::= INTEGER (0..MAX)`, returned without the DER sign byte.
    private static func parseCRLNumber(_ value: ArraySlice<UInt8>) throws -> [UInt8] {
        let root = try CertificateRevocationList.field("cRLNumber") { try DER.parse(value) }
        guard root.identifier == .integer, case .primitive(let content) = root.content,
            let first = content.first
        else {
            throw CRLParsingError.malformed(field: "cRLNumber", reason: "expected an INTEGER")
        }
        guard first & 0x80 == 0 else { throw CRLParsingError.negativeCRLNumber() }
        // Validates minimal encoding and drops the sign byte (an empty result is zero).
        let magnitude = try CertificateRevocationList.field("cRLNumber") { try ArraySlice<UInt8>(derEncoded: root) }
        return magnitude.isEmpty ? [0] : Array(magnitude)
    }

    /// ```
    /// IssuingDistributionPoint ::= SEQUENCE {
    ///      distributionPoint          [0] DistributionPointName OPTIONAL,
    ///      onlyContainsUserCerts      [1] BOOLEAN DEFAULT FALSE,
    ///      onlyContainsCACerts        [2] BOOLEAN DEFAULT FALSE,
    ///      onlySomeReasons            [3] ReasonFlags OPTIONAL,
    ///      indirectCRL                [4] BOOLEAN DEFAULT FALSE,
    ///      onlyContainsAttributeCerts [5] BOOLEAN DEFAULT FALSE }
    /// DistributionPointName ::= CHOICE {
    ///      fullName                [0]     GeneralNames,
    ///      nameRelativeToCRLIssuer [1]     RelativeDistinguishedName }
    /// ```
    /// (implicit tags, so the CHOICE under `[0]` keeps its own tag inside an explicit wrapper).
    private mutating func parseIssuingDistributionPoint(_ value: ArraySlice<UInt8>) throws {
        func tag(_ number: UInt) -> ASN1Identifier { ASN1Identifier(tagWithNumber: number, tagClass: .contextSpecific) }
        // `[n] IMPLICIT BOOLEAN DEFAULT FALSE`; DER.decodeDefault(_:identifier:defaultValue:) would expect the
        // universal BOOLEAN tag inside, so the implicit tag is passed to the builder.
        func implicitBoolean(_ nodes: inout ASN1NodeCollection.Iterator, _ identifier: ASN1Identifier) throws -> Bool {
            try DER.decodeDefault(&nodes, identifier: identifier, defaultValue: false) { node in
                try Bool(derEncoded: node, withIdentifier: identifier)
            }
        }

        let scope = try CertificateRevocationList.field("issuingDistributionPoint") {
            try DER.sequence(DER.parse(value), identifier: .sequence) { nodes in
                let namesDistributionPoint = try DER.optionalExplicitlyTagged(
                    &nodes,
                    tagNumber: 0,
                    tagClass: .contextSpecific
                ) { nameNode in
                    switch nameNode.identifier {
                    case tag(0):
                        let fullName = try DER.sequence(of: GeneralName.self, identifier: tag(0), rootNode: nameNode)
                        guard !fullName.isEmpty else {
                            throw CRLParsingError.malformed(
                                field: "issuingDistributionPoint",
                                reason: "fullName is empty"
                            )
                        }
                    case tag(1):
                        _ = try RelativeDistinguishedName(derEncoded: nameNode, withIdentifier: tag(1))
                    default:
                        throw CRLParsingError.malformed(
                            field: "issuingDistributionPoint",
                            reason: "unknown DistributionPointName choice \(nameNode.identifier)"
                        )
                    }
                    return true
                }
                let onlyUser = try implicitBoolean(&nodes, tag(1))
                let onlyCA = try implicitBoolean(&nodes, tag(2))
                let onlySomeReasons: ASN1BitString? = try DER.optionalImplicitlyTagged(&nodes, tag: tag(3))
                let indirect = try implicitBoolean(&nodes, tag(4))
                let onlyAttributeCerts = try implicitBoolean(&nodes, tag(5))
                return (namesDistributionPoint ?? false, onlyUser, onlyCA, onlySomeReasons != nil, indirect, onlyAttributeCerts)
            }
        }
        let (namesDistributionPoint, onlyUser, onlyCA, hasOnlySomeReasons, indirect, onlyAttributeCerts) = scope
        if indirect { throw CRLParsingError.indirectCRLUnsupported() }
        if hasOnlySomeReasons { throw CRLParsingError.onlySomeReasonsUnsupported() }
        if onlyAttributeCerts { throw CRLParsingError.attributeCertificateCRLUnsupported() }
        if onlyUser && onlyCA { throw CRLParsingError.conflictingIssuingDistributionPointScope() }
        self.hasDistributionPointName = namesDistributionPoint
        self.onlyContainsUserCerts = onlyUser
        self.onlyContainsCACerts = onlyCA
    }
}

// MARK: - DER element splitting

/// One DER TLV: its single-byte tag, the whole encoding and the content octets.
private struct DERElement {
    let tag: UInt8
    let encodedBytes: ArraySlice<UInt8>
    let content: ArraySlice<UInt8>
}

/// Splits DER content into its top-level elements without descending into them. Only the outer layers of a
/// CertificateList are split this way; each element is then parsed (and fully validated) by SwiftASN1, so the
/// scanner only has to find boundaries, strictly: single-byte tags, definite minimal lengths, bounds checked.
private struct DERElementScanner {
    static let integerTag: UInt8 = 0x02
    static let utcTimeTag: UInt8 = 0x17
    static let generalizedTimeTag: UInt8 = 0x18
    static let sequenceTag: UInt8 = 0x30
    static let contextSpecificConstructedZeroTag: UInt8 = 0xA0

    private var remaining: ArraySlice<UInt8>
    private let field: String

    init(_ content: ArraySlice<UInt8>, field: String) {
        self.remaining = content
        self.field = field
    }

    mutating func next() throws -> DERElement? {
        guard let tag = self.remaining.first else { return nil }
        guard let header = try Self.header(of: self.remaining, field: self.field) else {
            throw CRLParsingError.malformed(field: self.field, reason: "truncated element header")
        }
        let contentStart = self.remaining.startIndex + header.headerLength
        guard header.contentLength <= self.remaining.endIndex - contentStart else {
            throw CRLParsingError.malformed(field: self.field, reason: "element is longer than its container")
        }
        let end = contentStart + header.contentLength
        let element = DERElement(
            tag: tag,
            encodedBytes: self.remaining[self.remaining.startIndex..<end],
            content: self.remaining[contentStart..<end]
        )
        self.remaining = self.remaining[end...]
        return element
    }

    /// The header of the TLV at the start of `bytes` (read by ``DERHeader``), or nil when `bytes` ends inside the
    /// header. The content length is not checked against `bytes`.
    static func header(
        of bytes: ArraySlice<UInt8>,
        field: String
    ) throws -> (headerLength: Int, contentLength: Int)? {
        do {
            let header = try DERHeader(bytes, at: bytes.startIndex)
            return (header.headerLength, header.contentLength)
        } catch {
            switch error {
            case .truncated:
                return nil
            case .multiByteTag:
                throw CRLParsingError.malformed(field: field, reason: "multi-byte tags do not occur in a CRL")
            case .indefiniteLength:
                throw CRLParsingError.malformed(field: field, reason: "indefinite length is not allowed in DER")
            case .lengthTooLarge:
                throw CRLParsingError.malformed(field: field, reason: "length field is too large")
            case .nonMinimalLength:
                throw CRLParsingError.malformed(field: field, reason: "length is not minimally encoded")
            }
        }
    }
}
