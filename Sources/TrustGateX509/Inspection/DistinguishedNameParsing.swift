import SwiftASN1
public import X509

extension DistinguishedName {
    /// Parses a distinguished name written as:
    /// - RFC 4514 / RFC 2253 (`CN=a\,b,O=x+OU=y,C=US`, most specific first; escapes `\,` and `\C3\A9`, `#hex`
    ///   values, quoted values);
    /// - the display form of .NET and the seeds (`CN=a, O="Acme, Inc.", S=WA, OID.1.2.3=x`);
    /// - OpenSSL's one-line form (`/C=US/O=x/CN=y`, least specific first, `+` for multi-valued RDNs).
    ///
    /// Keywords are case-insensitive: CN O OU C L ST (S) STREET DC UID E emailAddress SERIALNUMBER title (T)
    /// GN (G, givenName) SN (surname), plus dotted OIDs (optionally prefixed `OID.`).
    /// - Throws: `DistinguishedNameParsingError` saying what is wrong and where.
    public init(parsing text: String) throws {
        var parser = DistinguishedNameParser(text)
        self.init(try parser.parse())
    }
}

/// A recursive-descent parser over the text's Unicode scalars; positions in errors are scalar offsets.
struct DistinguishedNameParser {
    private let scalars: [Unicode.Scalar]
    private var index = 0
    private var slashForm = false

    init(_ text: String) {
        self.scalars = Array(text.unicodeScalars)
    }

    mutating func parse() throws(DistinguishedNameParsingError) -> [RelativeDistinguishedName] {
        skipWhitespace()
        guard index < scalars.count else { throw .empty }
        if scalars[index] == "/" {
            slashForm = true
            index += 1
        }
        var rdns = [RelativeDistinguishedName]()
        var attributes = [RelativeDistinguishedName.Attribute]()
        while true {
            skipWhitespace()
            attributes.append(try parseAttribute())
            skipWhitespace()
            guard index < scalars.count else { break }
            let separator = scalars[index]
            if separator == "+" {
                index += 1
                continue
            }
            if slashForm ? separator == "/" : (separator == "," || separator == ";") {
                rdns.append(RelativeDistinguishedName(attributes))
                attributes = []
                index += 1
                continue
            }
            throw .unexpectedCharacter(Character(separator), position: index)
        }
        rdns.append(RelativeDistinguishedName(attributes))
        // DistinguishedName stores RDNs in encoding order (least specific first); RFC 4514 text is reversed.
        return slashForm ? rdns : rdns.reversed()
    }

    private mutating func skipWhitespace() {
        while index < scalars.count, scalars[index].properties.isWhitespace { index += 1 }
    }

    private mutating func parseAttribute() throws(DistinguishedNameParsingError) -> RelativeDistinguishedName.Attribute {
        let (type, keyword) = try parseAttributeType()
        skipWhitespace()
        guard index < scalars.count, scalars[index] == "=" else { throw .expectedEquals(position: index) }
        index += 1
        skipWhitespace()
        guard index < scalars.count, scalars[index] == "#" else {
            let text = try parseStringValue()
            return Self.attribute(type: type, keyword: keyword, text: text)
        }
        return try parseHexValue(type: type)
    }

    private mutating func parseAttributeType() throws(DistinguishedNameParsingError) -> (
        ASN1ObjectIdentifier, DistinguishedNameKeyword?
    ) {
        let start = index
        while index < scalars.count,
            scalars[index].properties.isAlphabetic || ("0"..."9").contains(scalars[index]) || scalars[index] == "-"
                || scalars[index] == "."
        {
            index += 1
        }
        guard index > start else { throw .expectedAttributeType(position: start) }
        var name = String(String.UnicodeScalarView(scalars[start..<index]))
        if name.uppercased().hasPrefix("OID.") {
            name.removeFirst(4)
        }
        if let first = name.unicodeScalars.first, ("0"..."9").contains(first) {
            guard let oid = try? ASN1ObjectIdentifier(dotRepresentation: name), oid.oidComponents.count >= 2 else {
                throw .unknownAttributeType(name, position: start)
            }
            return (oid, DistinguishedNameKeyword.byOID[oid])
        }
        guard let keyword = DistinguishedNameKeyword.bySpelling[name.uppercased()] else {
            throw .unknownAttributeType(name, position: start)
        }
        return (keyword.oid, keyword)
    }

    /// An unquoted or quoted string value, with escapes resolved.
    private mutating func parseStringValue() throws(DistinguishedNameParsingError) -> String {
        let start = index
        var bytes = [UInt8]()
        if index < scalars.count, scalars[index] == "\"" {
            index += 1
            while true {
                guard index < scalars.count else { throw .unterminatedQuote(position: start) }
                let scalar = scalars[index]
                if scalar == "\"" {
                    // .NET doubles a quote inside a quoted value.
                    if index + 1 < scalars.count, scalars[index + 1] == "\"" {
                        bytes.append(UInt8(ascii: "\""))
                        index += 2
                        continue
                    }
                    index += 1
                    break
                }
                // Inside quotes (RFC 1779, .NET) only \" and \\ are escapes; any other backslash is literal, as
                // .NET writes it in values such as "C:\dir".
                if scalar == "\\", index + 1 < scalars.count, scalars[index + 1] == "\"" || scalars[index + 1] == "\\" {
                    bytes.append(UInt8(scalars[index + 1].value))
                    index += 2
                    continue
                }
                bytes.append(contentsOf: Array(String(scalar).utf8))
                index += 1
            }
        } else {
            // Unescaped trailing whitespace is not part of the value (RFC 4514 §3: it must be escaped to count).
            var significantLength = 0
            while index < scalars.count {
                let scalar = scalars[index]
                if scalar == "," || scalar == "+" || scalar == ";" || (slashForm && scalar == "/") {
                    if !slashForm || scalar != "," && scalar != ";" { break }
                }
                if scalar == "\\" {
                    try appendEscape(to: &bytes)
                    significantLength = bytes.count
                    continue
                }
                bytes.append(contentsOf: Array(String(scalar).utf8))
                if !scalar.properties.isWhitespace { significantLength = bytes.count }
                index += 1
            }
            bytes.removeLast(bytes.count - significantLength)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .invalidUTF8(position: start) }
        return text
    }

    /// `\` followed by two hex digits (one byte) or by any other character (that character).
    private mutating func appendEscape(to bytes: inout [UInt8]) throws(DistinguishedNameParsingError) {
        let position = index
        index += 1
        guard index < scalars.count else { throw .invalidEscape(position: position) }
        if index + 1 < scalars.count, scalars[index].isASCII, scalars[index + 1].isASCII,
            let high = PercentDecoding.hexValue(UInt8(scalars[index].value)),
            let low = PercentDecoding.hexValue(UInt8(scalars[index + 1].value))
        {
            bytes.append(high << 4 | low)
            index += 2
            return
        }
        let escaped = scalars[index]
        guard escaped.value >= 0x20 else { throw .invalidEscape(position: position) }
        bytes.append(contentsOf: Array(String(escaped).utf8))
        index += 1
    }

    /// `#` and the hex of one BER/DER element (RFC 4514 §2.4 / §3).
    private mutating func parseHexValue(
        type: ASN1ObjectIdentifier
    ) throws(DistinguishedNameParsingError) -> RelativeDistinguishedName.Attribute {
        let start = index
        index += 1
        var digits = [UInt8]()
        while index < scalars.count, scalars[index].isASCII,
            PercentDecoding.hexValue(UInt8(scalars[index].value)) != nil
        {
            digits.append(UInt8(scalars[index].value))
            index += 1
        }
        guard !digits.isEmpty, let bytes = CertificateFingerprints.bytes(fromHex: String(decoding: digits, as: UTF8.self)) else {
            throw .invalidHexValue(position: start)
        }
        guard let value = try? ASN1Any(derEncoded: bytes) else { throw .invalidHexValue(position: start) }
        return RelativeDistinguishedName.Attribute(type: type, value: value)
    }

    /// The attribute with the string type RFC 5280 expects for the keyword (falling back to UTF8String).
    static func attribute(
        type: ASN1ObjectIdentifier,
        keyword: DistinguishedNameKeyword?,
        text: String
    ) -> RelativeDistinguishedName.Attribute {
        switch keyword?.encoding {
        case .printable:
            if let attribute = try? RelativeDistinguishedName.Attribute(type: type, printableString: text) {
                return attribute
            }
        case .ia5:
            if let attribute = try? RelativeDistinguishedName.Attribute(type: type, ia5String: text) {
                return attribute
            }
        case .utf8, .none:
            break
        }
        return RelativeDistinguishedName.Attribute(type: type, utf8String: text)
    }
}
