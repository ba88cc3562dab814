/// Why a certificate revocation list could not be used.
///
/// The parser fails closed: anything it does not fully understand (unknown critical extensions, delta and indirect
/// CRLs, partial-reason CRLs) is an error rather than a CRL that might silently miss revocations.
public enum CRLParsingError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The input had no bytes at all.
    case empty
    /// The input is neither DER nor PEM: it does not start with a SEQUENCE tag (the byte found is given).
    case wrongOuterTag(UInt8)
    /// The outer SEQUENCE claims more bytes than the input has.
    case truncated(expectedByteCount: Int, actualByteCount: Int)
    /// Bytes follow the outer SEQUENCE.
    case trailingData(byteCount: Int)
    /// A field is not valid DER or does not have the structure RFC 5280 §5.1 gives it.
    case malformed(field: String, reason: String)
    /// PEM text whose `X509 CRL` block could not be decoded.
    case invalidPEM(reason: String)
    /// PEM text without any `X509 CRL` block; the labels of the blocks that were found are given.
    case noCRLInPEM(foundLabels: [String])
    /// The version field holds a value other than 1 (v2). The raw encoded value is given.
    case unsupportedVersion(encodedValue: Int)
    /// A v1 CRL (no version field) carries CRL or entry extensions, which only v2 allows.
    case extensionsInVersion1CRL
    /// The same extension appears twice in one extension list.
    case duplicateExtension(oid: String)
    /// A CRL extension marked critical that this parser does not understand.
    case unknownCriticalExtension(oid: String)
    /// A CRL entry extension marked critical that this parser does not understand.
    case unknownCriticalEntryExtension(oid: String, serialNumber: String)
    /// The CRL is a delta CRL (it has a deltaCRLIndicator extension); only complete CRLs are supported.
    case deltaCRLUnsupported
    /// The CRL is an indirect CRL (issuingDistributionPoint says indirectCRL); only direct CRLs are supported.
    case indirectCRLUnsupported
    /// The CRL covers only some revocation reasons (issuingDistributionPoint has onlySomeReasons).
    case onlySomeReasonsUnsupported
    /// The CRL covers only attribute certificates (issuingDistributionPoint has onlyContainsAttributeCerts).
    case attributeCertificateCRLUnsupported
    /// issuingDistributionPoint claims both onlyContainsUserCerts and onlyContainsCACerts, which RFC 5280 forbids.
    case conflictingIssuingDistributionPointScope
    /// An entry carries the certificateIssuer extension, which only indirect CRLs use.
    case certificateIssuerEntryExtensionUnsupported(serialNumber: String)
    /// An entry's reasonCode is not one of the values RFC 5280 defines.
    case invalidReasonCode(Int, serialNumber: String)
    /// An entry says removeFromCRL, which RFC 5280 allows only in delta CRLs.
    case removeFromCRLInCompleteCRL(serialNumber: String)
    /// The cRLNumber extension holds a negative number.
    case negativeCRLNumber
    /// nextUpdate is earlier than thisUpdate.
    case nextUpdateBeforeThisUpdate
    /// A CRL file could not be read.
    case fileUnreadable(path: String, reason: String)
    /// A CRL file was read but its content is not a usable CRL.
    indirect case invalidFile(path: String, error: CRLParsingError)

    public var description: String {
        switch self {
        case .empty:
            return "CRL is empty"
        case .wrongOuterTag(let tag):
            return "not a CRL: expected a DER SEQUENCE (0x30) or PEM \"X509 CRL\" text, found first byte 0x"
                + Self.hex(tag)
        case .truncated(let expected, let actual):
            return "CRL is truncated: its outer SEQUENCE needs \(expected) bytes but only \(actual) are present"
        case .trailingData(let count):
            return "CRL has \(count) unexpected byte(s) after its outer SEQUENCE"
        case .malformed(let field, let reason):
            return "malformed CRL: \(field): \(reason)"
        case .invalidPEM(let reason):
            return "invalid PEM CRL: \(reason)"
        case .noCRLInPEM(let labels):
            if labels.isEmpty {
                return "no \"X509 CRL\" PEM block found"
            }
            return "no \"X509 CRL\" PEM block found (found: \(labels.joined(separator: ", ")))"
        case .unsupportedVersion(let value):
            return "unsupported CRL version: the version field holds \(value), only 1 (v2) is allowed"
        case .extensionsInVersion1CRL:
            return "v1 CRL carries extensions, which only v2 CRLs may have"
        case .duplicateExtension(let oid):
            return "CRL repeats extension \(oid)"
        case .unknownCriticalExtension(let oid):
            return "CRL has an unknown critical extension \(oid)"
        case .unknownCriticalEntryExtension(let oid, let serial):
            return "CRL entry for serial \(serial) has an unknown critical extension \(oid)"
        case .deltaCRLUnsupported:
            return "delta CRLs (deltaCRLIndicator, 2.5.29.27) are not supported; use a complete CRL"
        case .indirectCRLUnsupported:
            return "indirect CRLs (issuingDistributionPoint indirectCRL) are not supported"
        case .onlySomeReasonsUnsupported:
            return "CRLs limited to some revocation reasons (issuingDistributionPoint onlySomeReasons) are not supported"
        case .attributeCertificateCRLUnsupported:
            return "CRLs for attribute certificates (issuingDistributionPoint onlyContainsAttributeCerts) are not supported"
        case .conflictingIssuingDistributionPointScope:
            return "issuingDistributionPoint sets both onlyContainsUserCerts and onlyContainsCACerts"
        case .certificateIssuerEntryExtensionUnsupported(let serial):
            return "CRL entry for serial \(serial) names a certificateIssuer (indirect CRL), which is not supported"
        case .invalidReasonCode(let code, let serial):
            return "CRL entry for serial \(serial) has an invalid reasonCode \(code)"
        case .removeFromCRLInCompleteCRL(let serial):
            return "CRL entry for serial \(serial) has reason removeFromCRL, which is only valid in delta CRLs"
        case .negativeCRLNumber:
            return "CRL number is negative"
        case .nextUpdateBeforeThisUpdate:
            return "CRL nextUpdate is earlier than its thisUpdate"
        case .fileUnreadable(let path, let reason):
            return "cannot read CRL file \(path): \(reason)"
        case .invalidFile(let path, let error):
            return "\(path): \(error.description)"
        }
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return byte < 0x10 ? "0" + digits : digits
    }
}
