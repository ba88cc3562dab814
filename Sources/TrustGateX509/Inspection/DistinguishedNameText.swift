import SwiftASN1
public import X509

/// The attribute types TrustGate names by keyword, in text forms of distinguished names.
///
/// `rfc4514` is the keyword used in `rfc4514String`: RFC 4514 §3's table, plus the names OpenSSL prints with
/// `-nameopt RFC2253` for the few other types certificates commonly carry. `display` is the keyword .NET's
/// `X500DistinguishedName.Name` (and so the seeds' `certificate.Subject`) uses. Parsing accepts every spelling.
struct DistinguishedNameKeyword: Sendable {
    enum Encoding: Sendable {
        case utf8, printable, ia5
    }

    let oid: ASN1ObjectIdentifier
    let rfc4514: String
    let display: String
    /// Upper-cased spellings accepted when parsing (keywords are case-insensitive).
    let spellings: [String]
    /// The string type used when a parsed value is turned into an attribute (RFC 5280 Appendix A).
    let encoding: Encoding

    static let all: [DistinguishedNameKeyword] = [
        .init(oid: [2, 5, 4, 3], rfc4514: "CN", display: "CN", spellings: ["CN", "COMMONNAME"], encoding: .utf8),
        .init(oid: [2, 5, 4, 10], rfc4514: "O", display: "O", spellings: ["O", "ORGANIZATIONNAME"], encoding: .utf8),
        .init(
            oid: [2, 5, 4, 11], rfc4514: "OU", display: "OU", spellings: ["OU", "ORGANIZATIONALUNITNAME"],
            encoding: .utf8),
        .init(oid: [2, 5, 4, 6], rfc4514: "C", display: "C", spellings: ["C", "COUNTRYNAME"], encoding: .printable),
        .init(oid: [2, 5, 4, 7], rfc4514: "L", display: "L", spellings: ["L", "LOCALITYNAME"], encoding: .utf8),
        .init(
            oid: [2, 5, 4, 8], rfc4514: "ST", display: "S", spellings: ["ST", "S", "STATEORPROVINCENAME"],
            encoding: .utf8),
        .init(
            oid: [2, 5, 4, 9], rfc4514: "STREET", display: "STREET", spellings: ["STREET", "STREETADDRESS"],
            encoding: .utf8),
        .init(
            oid: [0, 9, 2342, 19_200_300, 100, 1, 25], rfc4514: "DC", display: "DC",
            spellings: ["DC", "DOMAINCOMPONENT"], encoding: .ia5),
        .init(
            oid: [0, 9, 2342, 19_200_300, 100, 1, 1], rfc4514: "UID", display: "UID", spellings: ["UID", "USERID"],
            encoding: .utf8),
        .init(
            oid: [1, 2, 840, 113_549, 1, 9, 1], rfc4514: "emailAddress", display: "E",
            spellings: ["EMAILADDRESS", "E", "EMAIL"], encoding: .ia5),
        .init(
            oid: [2, 5, 4, 5], rfc4514: "serialNumber", display: "SERIALNUMBER", spellings: ["SERIALNUMBER"],
            encoding: .printable),
        .init(oid: [2, 5, 4, 12], rfc4514: "title", display: "T", spellings: ["TITLE", "T"], encoding: .utf8),
        .init(oid: [2, 5, 4, 42], rfc4514: "GN", display: "G", spellings: ["GN", "G", "GIVENNAME"], encoding: .utf8),
        .init(oid: [2, 5, 4, 4], rfc4514: "SN", display: "SN", spellings: ["SN", "SURNAME"], encoding: .utf8),
    ]

    static let byOID: [ASN1ObjectIdentifier: DistinguishedNameKeyword] = Dictionary(
        all.map { ($0.oid, $0) }, uniquingKeysWith: { first, _ in first })

    static let bySpelling: [String: DistinguishedNameKeyword] = {
        var table = [String: DistinguishedNameKeyword]()
        for keyword in all {
            for spelling in keyword.spellings { table[spelling] = keyword }
        }
        return table
    }()
}

/// Why a distinguished name's text could not be parsed.
public struct DistinguishedNameParsingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, to compare with `==`. A struct rather than an enum: a release may add codes without
    /// breaking a `switch` in code that uses TrustGate.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let description: String

        /// The text is empty.
        public static let empty = Code(description: "empty")

        /// An attribute type was expected (`CN`, `O`, a dotted OID, ...) at `position` (0-based character offset).
        public static let expectedAttributeType = Code(description: "expectedAttributeType")

        /// The attribute type at `position` is not a known keyword or a dotted OID.
        public static let unknownAttributeType = Code(description: "unknownAttributeType")

        /// The '=' after an attribute type is missing.
        public static let expectedEquals = Code(description: "expectedEquals")

        /// A backslash is not followed by a special character or two hex digits.
        public static let invalidEscape = Code(description: "invalidEscape")

        /// A quoted value has no closing quote.
        public static let unterminatedQuote = Code(description: "unterminatedQuote")

        /// A `#hex` value is not valid hex of a single BER/DER element.
        public static let invalidHexValue = Code(description: "invalidHexValue")

        /// Escaped bytes do not form valid UTF-8.
        public static let invalidUTF8 = Code(description: "invalidUTF8")

        /// Text after a value that is neither a separator (',' ';' '+') nor the end.
        public static let unexpectedCharacter = Code(description: "unexpectedCharacter")
    }

    public let code: Code
    /// The complete text, safe to show and log (it is the `description`).
    public let message: String

    public var description: String { message }

    init(code: Code, message: String) {
        (self.code, self.message) = (code, message)
    }

    public static var empty: Self {
        Self(code: .empty, message: "the distinguished name is empty")
    }

    public static func expectedAttributeType(position: Int) -> Self {
        Self(
            code: .expectedAttributeType,
            message: "expected an attribute type such as CN or O at position \(position)")
    }

    public static func unknownAttributeType(_ type: String, position: Int) -> Self {
        Self(
            code: .unknownAttributeType,
            message: "unknown attribute type '\(type)' at position \(position) (use a keyword such as CN, O, OU, C, L, ST, DC or a dotted OID)")
    }

    public static func expectedEquals(position: Int) -> Self {
        Self(code: .expectedEquals, message: "expected '=' at position \(position)")
    }

    public static func invalidEscape(position: Int) -> Self {
        Self(code: .invalidEscape, message: "invalid escape sequence at position \(position)")
    }

    public static func unterminatedQuote(position: Int) -> Self {
        Self(
            code: .unterminatedQuote,
            message: "the quoted value starting at position \(position) has no closing quote")
    }

    public static func invalidHexValue(position: Int) -> Self {
        Self(code: .invalidHexValue, message: "invalid #hex value at position \(position)")
    }

    public static func invalidUTF8(position: Int) -> Self {
        Self(code: .invalidUTF8, message: "escaped bytes in the value at position \(position) are not valid UTF-8")
    }

    public static func unexpectedCharacter(_ character: Character, position: Int) -> Self {
        Self(code: .unexpectedCharacter, message: "unexpected '\(character)' at position \(position)")
    }
}

extension RelativeDistinguishedName.Attribute.Value {
    /// The DER encoding of the value (its tag, length and contents).
    var derBytes: [UInt8] {
        var serializer = DER.Serializer()
        do {
            try serializer.serialize(ASN1Any(self))
        } catch {
            return []
        }
        return serializer.serializedBytes
    }

    /// The value as text when it is one of the directory string types, else nil.
    ///
    /// swift-certificates decodes PrintableString, UTF8String and IA5String; BMPString, UniversalString,
    /// TeletexString (read as Latin-1, as OpenSSL does), VisibleString and NumericString are decoded here.
    var text: String? {
        if let string = String(self) { return string }
        guard let node = try? DER.parse(derBytes), case .primitive(let content) = node.content,
            node.identifier.tagClass == .universal
        else { return nil }
        switch node.identifier {
        case .bmpString:
            guard content.count % 2 == 0 else { return nil }
            var units = [UInt16]()
            units.reserveCapacity(content.count / 2)
            var index = content.startIndex
            while index < content.endIndex {
                units.append(UInt16(content[index]) << 8 | UInt16(content[index + 1]))
                index += 2
            }
            return String(decoding: units, as: UTF16.self)
        case .universalString:
            guard content.count % 4 == 0 else { return nil }
            var scalars = String.UnicodeScalarView()
            var index = content.startIndex
            while index < content.endIndex {
                let value =
                    UInt32(content[index]) << 24 | UInt32(content[index + 1]) << 16
                    | UInt32(content[index + 2]) << 8 | UInt32(content[index + 3])
                guard let scalar = Unicode.Scalar(value) else { return nil }
                scalars.append(scalar)
                index += 4
            }
            return String(scalars)
        case .teletexString:
            return String(String.UnicodeScalarView(content.map { Unicode.Scalar($0) }))
        case .visibleString, .numericString:
            guard content.allSatisfy({ $0 < 0x80 }) else { return nil }
            return String(decoding: content, as: UTF8.self)
        default:
            return nil
        }
    }
}

extension DistinguishedName {
    /// Whether both names have the same RDNs in the same order, each with the same attribute types and values
    /// that are equal after normalisation: case-insensitive, surrounding whitespace trimmed, inner whitespace
    /// collapsed, and the string encoding (UTF8String, PrintableString, BMPString, ...) ignored.
    /// Values that are not strings compare by their DER bytes.
    public func isStructurallyEqual(to other: DistinguishedName) -> Bool {
        guard self.count == other.count else { return false }
        for (left, right) in zip(self, other) {
            guard left.count == right.count else { return false }
            let leftKeys = left.map(Self.comparisonKey).sorted()
            let rightKeys = right.map(Self.comparisonKey).sorted()
            guard leftKeys == rightKeys else { return false }
        }
        return true
    }

    private static func comparisonKey(_ attribute: RelativeDistinguishedName.Attribute) -> String {
        let value: String
        if let text = attribute.value.text {
            value = "s:" + normalized(text)
        } else {
            value = "b:" + CertificateFingerprints.upperHex(attribute.value.derBytes)
        }
        return attribute.type.description + "\u{0}" + value
    }

    /// Lower-cased, trimmed, runs of whitespace collapsed to one space.
    static func normalized(_ text: String) -> String {
        text.lowercased().split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}
