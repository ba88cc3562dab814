import Foundation
import SwiftASN1
public import X509

extension DistinguishedName {
    /// RFC 4514 §2: the most specific RDN first ("CN=a,O=b,C=US"), multi-valued RDNs joined with '+'.
    /// The whole attribute sequence is reversed, inside multi-valued RDNs too, as OpenSSL prints it.
    ///
    /// Values are escaped per §2.4 (`,` `+` `"` `\` `<` `>` `;`, a leading space or `#`, a trailing space, NUL), and
    /// control characters as `\XX`. Non-ASCII text is kept as UTF-8. Types outside the keyword table are written as
    /// a dotted OID with `#` and the hex of the value's DER encoding, as are values that are not strings.
    /// For ASCII names this equals `openssl x509 -nameopt RFC2253` (which also escapes non-ASCII bytes as `\XX`).
    public var rfc4514String: String {
        self.reversed().map { rdn in
            rdn.reversed().map(Self.rfc4514Attribute).joined(separator: "+")
        }.joined(separator: ",")
    }

    /// The form .NET's `X509Certificate2.Subject` shows and the seeds compare against: "CN=a, O=b, C=US".
    ///
    /// Same order as `rfc4514String`, ", " between RDNs, " + " inside multi-valued ones, .NET's keywords
    /// (`S` for state, `E` for email, `OID.1.2.3` for others) and values quoted ("…", with `""` for a quote) when
    /// they contain a separator or surrounding spaces.
    public var displayString: String {
        self.reversed().map { rdn in
            rdn.reversed().map(Self.displayAttribute).joined(separator: " + ")
        }.joined(separator: ", ")
    }

    static func rfc4514Attribute(_ attribute: RelativeDistinguishedName.Attribute) -> String {
        if let keyword = DistinguishedNameKeyword.byOID[attribute.type] {
            if let text = attribute.value.text {
                return keyword.rfc4514 + "=" + rfc4514Escaped(text)
            }
            return keyword.rfc4514 + "=#" + CertificateFingerprints.upperHex(attribute.value.derBytes)
        }
        return attribute.type.description + "=#" + CertificateFingerprints.upperHex(attribute.value.derBytes)
    }

    static func displayAttribute(_ attribute: RelativeDistinguishedName.Attribute) -> String {
        let key = DistinguishedNameKeyword.byOID[attribute.type]?.display ?? "OID." + attribute.type.description
        guard let text = attribute.value.text else {
            return key + "=#" + CertificateFingerprints.upperHex(attribute.value.derBytes)
        }
        return key + "=" + displayQuoted(text)
    }

    /// RFC 4514 §2.4 escaping.
    static func rfc4514Escaped(_ value: String) -> String {
        let scalars = Array(value.unicodeScalars)
        var result = ""
        result.reserveCapacity(value.utf8.count + 4)
        for (index, scalar) in scalars.enumerated() {
            switch scalar {
            case ",", "+", "\"", "\\", "<", ">", ";":
                result.append("\\")
                result.unicodeScalars.append(scalar)
            case " " where index == 0 || index == scalars.count - 1:
                result.append("\\ ")
            case "#" where index == 0:
                result.append("\\#")
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                result.append("\\" + CertificateFingerprints.upperHex([UInt8(scalar.value)]))
            default:
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// .NET's quoting: the value in double quotes, embedded quotes doubled, when it holds a character that would
    /// otherwise end or confuse it (a backslash included, so that parsing reads it literally), or has surrounding
    /// whitespace, or is empty.
    static func displayQuoted(_ value: String) -> String {
        let needsQuotes =
            value.isEmpty || value.first?.isWhitespace == true || value.last?.isWhitespace == true
            || value.contains(where: { ",+=\"\\\n\r<>#;".contains($0) })
        guard needsQuotes else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
