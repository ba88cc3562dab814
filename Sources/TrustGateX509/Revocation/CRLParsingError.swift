/// Why a certificate revocation list could not be used.
///
/// The parser fails closed: anything it does not fully understand (unknown critical extensions, delta and indirect
/// CRLs, partial-reason CRLs) is an error rather than a CRL that might silently miss revocations.
public struct CRLParsingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, to compare with `==`. A struct rather than an enum: a release may add codes without
    /// breaking a `switch` in code that uses TrustGate.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let description: String

        /// The input had no bytes at all.
        public static let empty = Code(description: "empty")

        /// The input is neither DER nor PEM: it does not start with a SEQUENCE tag (the byte found is given).
        public static let wrongOuterTag = Code(description: "wrongOuterTag")

        /// The outer SEQUENCE claims more bytes than the input has.
        public static let truncated = Code(description: "truncated")

        /// Bytes follow the outer SEQUENCE.
        public static let trailingData = Code(description: "trailingData")

        /// A field is not valid DER or does not have the structure RFC 5280 §5.1 gives it.
        public static let malformed = Code(description: "malformed")

        /// PEM text whose `X509 CRL` block could not be decoded.
        public static let invalidPEM = Code(description: "invalidPEM")

        /// PEM text without any `X509 CRL` block; the labels of the blocks that were found are given.
        public static let noCRLInPEM = Code(description: "noCRLInPEM")

        /// The version field holds a value other than 1 (v2). The raw encoded value is given.
        public static let unsupportedVersion = Code(description: "unsupportedVersion")

        /// A v1 CRL (no version field) carries CRL or entry extensions, which only v2 allows.
        public static let extensionsInVersion1CRL = Code(description: "extensionsInVersion1CRL")

        /// The same extension appears twice in one extension list.
        public static let duplicateExtension = Code(description: "duplicateExtension")

        /// A CRL extension marked critical that this parser does not understand.
        public static let unknownCriticalExtension = Code(description: "unknownCriticalExtension")

        /// A CRL entry extension marked critical that this parser does not understand.
        public static let unknownCriticalEntryExtension = Code(description: "unknownCriticalEntryExtension")

        /// The CRL is a delta CRL (it has a deltaCRLIndicator extension); only complete CRLs are supported.
        public static let deltaCRLUnsupported = Code(description: "deltaCRLUnsupported")

        /// The CRL is an indirect CRL (issuingDistributionPoint says indirectCRL); only direct CRLs are supported.
        public static let indirectCRLUnsupported = Code(description: "indirectCRLUnsupported")

        /// The CRL covers only some revocation reasons (issuingDistributionPoint has onlySomeReasons).
        public static let onlySomeReasonsUnsupported = Code(description: "onlySomeReasonsUnsupported")

        /// The CRL covers only attribute certificates (issuingDistributionPoint has onlyContainsAttributeCerts).
        public static let attributeCertificateCRLUnsupported = Code(description: "attributeCertificateCRLUnsupported")

        /// issuingDistributionPoint claims both onlyContainsUserCerts and onlyContainsCACerts, which RFC 5280 forbids.
        public static let conflictingIssuingDistributionPointScope = Code(description: "conflictingIssuingDistributionPointScope")

        /// An entry carries the certificateIssuer extension, which only indirect CRLs use.
        public static let certificateIssuerEntryExtensionUnsupported = Code(description: "certificateIssuerEntryExtensionUnsupported")

        /// An entry's reasonCode is not one of the values RFC 5280 defines.
        public static let invalidReasonCode = Code(description: "invalidReasonCode")

        /// An entry says removeFromCRL, which RFC 5280 allows only in delta CRLs.
        public static let removeFromCRLInCompleteCRL = Code(description: "removeFromCRLInCompleteCRL")

        /// The cRLNumber extension holds a negative number.
        public static let negativeCRLNumber = Code(description: "negativeCRLNumber")

        /// nextUpdate is earlier than thisUpdate.
        public static let nextUpdateBeforeThisUpdate = Code(description: "nextUpdateBeforeThisUpdate")

        /// A CRL file could not be read.
        public static let fileUnreadable = Code(description: "fileUnreadable")

        /// A CRL file was read but its content is not a usable CRL.
        public static let invalidFile = Code(description: "invalidFile")
    }

    public let code: Code
    /// The complete text, safe to show and log (it is the `description`).
    public let message: String
    /// Where in TrustGate the error was made (`#fileID`, `#line`): for a maintainer; not part of `==`.
    public let file: String
    public let line: UInt

    public var description: String { message }

    init(code: Code, message: String, file: String, line: UInt) {
        (self.code, self.message, self.file, self.line) = (code, message, file, line)
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(message)
    }

    public static func empty(file: String = #fileID, line: UInt = #line) -> Self {
        Self(code: .empty, message: "CRL is empty", file: file, line: line)
    }

    public static func wrongOuterTag(_ tag: UInt8, file: String = #fileID, line: UInt = #line) -> Self {
        Self(
            code: .wrongOuterTag,
            message: "not a CRL: expected a DER SEQUENCE (0x30) or PEM \"X509 CRL\" text, found first byte 0x"
                + Self.hex(tag),
            file: file, line: line
        )
    }

    public static func truncated(
        expectedByteCount expected: Int,
        actualByteCount actual: Int,
        file: String = #fileID,
        line: UInt = #line
    ) -> Self {
        Self(
            code: .truncated,
            message: "CRL is truncated: its outer SEQUENCE needs \(expected) bytes but only \(actual) are present",
            file: file, line: line)
    }

    public static func trailingData(byteCount count: Int, file: String = #fileID, line: UInt = #line) -> Self {
        Self(
            code: .trailingData,
            message: "CRL has \(count) unexpected byte(s) after its outer SEQUENCE",
            file: file, line: line)
    }

    public static func malformed(field: String, reason: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(code: .malformed, message: "malformed CRL: \(field): \(reason)", file: file, line: line)
    }

    public static func invalidPEM(reason: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(code: .invalidPEM, message: "invalid PEM CRL: \(reason)", file: file, line: line)
    }

    public static func noCRLInPEM(foundLabels labels: [String], file: String = #fileID, line: UInt = #line) -> Self {
        if labels.isEmpty {
        return Self(code: .noCRLInPEM, message: "no \"X509 CRL\" PEM block found", file: file, line: line)
        }
        return Self(
            code: .noCRLInPEM,
            message: "no \"X509 CRL\" PEM block found (found: \(labels.joined(separator: ", ")))",
            file: file, line: line)
    }

    public static func unsupportedVersion(encodedValue value: Int, file: String = #fileID, line: UInt = #line) -> Self {
        Self(
            code: .unsupportedVersion,
            message: "unsupported CRL version: the version field holds \(value), only 1 (v2) is allowed",
            file: file, line: line)
    }

    public static func extensionsInVersion1CRL(file: String = #fileID, line: UInt = #line) -> Self {
        Self(
            code: .extensionsInVersion1CRL,
            message: "v1 CRL carries extensions, which only v2 CRLs may have",
            file: file, line: line)
    }

    public static func duplicateExtension(oid: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(code: .duplicateExtension, message: "CRL repeats extension \(oid)", file: file, line: line)
    }

    public static func unknownCriticalExtension(oid: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(
            code: .unknownCriticalExtension,
            message: "CRL has an unknown critical extension \(oid)",
            file: file, line: line)
    }

    public static func unknownCriticalEntryExtension(
        oid: String,
        serialNumber serial: String,
        file: String = #fileID,
        line: UInt = #line
    ) -> Self {
        Self(
            code: .unknownCriticalEntryExtension,
            message: "CRL entry for serial \(serial) has an unknown critical extension \(oid)",
            file: file, line: line)
    }

    public static func deltaCRLUnsupported(file: String = #fileID, line: UInt = #line) -> Self {
        Self(
            code: .deltaCRLUnsupported,
            message: "delta CRLs (deltaCRLIndicator, 2.5.29.27) are not supported; use a complete CRL",
            file: file, line: line)
    }

    public static func indirectCRLUnsupported(file: String = #fileID, line: UInt = #line) -> Self {
        Self(
            code: .indirectCRLUnsupported,
            message: "indirect CRLs (issuingDistributionPoint indirectCRL) are not supported",
            file: file, line: line)
    }

    public static func onlySomeReasonsUnsupported(file: String = #fileID, line: UInt = #line) -> Self {
        Self(
            code: .onlySomeReasonsUnsupported,
            message: "CRLs limited to some revocation reasons (issuingDistributionPoint onlySomeReasons) are not supported",
            file: file, line: line)
    }

    public static func attributeCertificateCRLUnsupported(file: String = #fileID, line: UInt = #line) -> Self {
        Self(
            code: .attributeCertificateCRLUnsupported,
            message: "CRLs for attribute certificates (issuingDistributionPoint onlyContainsAttributeCerts) are not supported",
            file: file, line: line)
    }

    public static func conflictingIssuingDistributionPointScope(file: String = #fileID, line: UInt = #line) -> Self {
        Self(
            code: .conflictingIssuingDistributionPointScope,
            message: "issuingDistributionPoint sets both onlyContainsUserCerts and onlyContainsCACerts",
            file: file, line: line)
    }

    public static func certificateIssuerEntryExtensionUnsupported(
        serialNumber serial: String,
        file: String = #fileID,
        line: UInt = #line
    ) -> Self {
        Self(
            code: .certificateIssuerEntryExtensionUnsupported,
            message: "CRL entry for serial \(serial) names a certificateIssuer (indirect CRL), which is not supported",
            file: file, line: line)
    }

    public static func invalidReasonCode(
        _ code: Int,
        serialNumber serial: String,
        file: String = #fileID,
        line: UInt = #line
    ) -> Self {
        Self(
            code: .invalidReasonCode,
            message: "CRL entry for serial \(serial) has an invalid reasonCode \(code)",
            file: file, line: line)
    }

    public static func removeFromCRLInCompleteCRL(
        serialNumber serial: String,
        file: String = #fileID,
        line: UInt = #line
    ) -> Self {
        Self(
            code: .removeFromCRLInCompleteCRL,
            message: "CRL entry for serial \(serial) has reason removeFromCRL, which is only valid in delta CRLs",
            file: file, line: line)
    }

    public static func negativeCRLNumber(file: String = #fileID, line: UInt = #line) -> Self {
        Self(code: .negativeCRLNumber, message: "CRL number is negative", file: file, line: line)
    }

    public static func nextUpdateBeforeThisUpdate(file: String = #fileID, line: UInt = #line) -> Self {
        Self(
            code: .nextUpdateBeforeThisUpdate,
            message: "CRL nextUpdate is earlier than its thisUpdate",
            file: file, line: line)
    }

    public static func fileUnreadable(
        path: String,
        reason: String,
        file: String = #fileID,
        line: UInt = #line
    ) -> Self {
        Self(code: .fileUnreadable, message: "cannot read CRL file \(path): \(reason)", file: file, line: line)
    }

    public static func invalidFile(
        path: String,
        error: CRLParsingError,
        file: String = #fileID,
        line: UInt = #line
    ) -> Self {
        Self(code: .invalidFile, message: "\(path): \(error.description)", file: file, line: line)
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return byte < 0x10 ? "0" + digits : digits
    }
}
