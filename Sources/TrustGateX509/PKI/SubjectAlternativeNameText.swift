import Foundation
import SwiftASN1
public import X509

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns command-line SAN values into `GeneralName`s, refusing what a verifier would reject or misread.
public enum SubjectAlternativeNameText {
    /// A host name (`api.example.com`), a wildcard (`*.example.com`) or `localhost`.
    /// Names are ASCII (IA5String): internationalised names must be given in their `xn--` form.
    public static func dnsName(_ text: String) throws(PKIError) -> GeneralName {
        func invalid(_ reason: String) -> PKIError {
            PKIError.invalidSubjectAlternativeName(kind: "DNS name", value: text, reason: reason)
        }
        var name = text
        if name.hasSuffix(".") { name.removeLast() }
        guard !name.isEmpty else { throw invalid("it is empty") }
        guard name.utf8.count <= 253 else { throw invalid("longer than 253 characters") }
        guard name.allSatisfy(\.isASCII) else { throw invalid("not ASCII; give internationalised names in their xn-- form") }
        if IPAddressText.bytes(name) != nil { throw invalid("an IP address belongs in --ip") }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        for (index, label) in labels.enumerated() {
            if label == "*" && index == 0 && labels.count >= 2 { continue }
            guard !label.isEmpty else { throw invalid("it has an empty label") }
            guard label.utf8.count <= 63 else { throw invalid("a label is longer than 63 characters") }
            guard label.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
                throw invalid("only letters, digits, '-' and a leading '*.' are allowed")
            }
            guard !label.hasPrefix("-") && !label.hasSuffix("-") else { throw invalid("a label starts or ends with '-'") }
        }
        return .dnsName(name.lowercased())
    }

    /// An absolute URI with a scheme, e.g. `spiffe://example.org/ns/prod/sa/payments` or `https://example.com/id`.
    public static func uri(_ text: String) throws(PKIError) -> GeneralName {
        func invalid(_ reason: String) -> PKIError {
            PKIError.invalidSubjectAlternativeName(kind: "URI", value: text, reason: reason)
        }
        guard text.allSatisfy(\.isASCII) else { throw invalid("not ASCII; percent-encode it") }
        guard !text.contains(where: { $0.isWhitespace }) else { throw invalid("it contains white space") }
        guard let components = URLComponents(string: text), let scheme = components.scheme, !scheme.isEmpty else {
            throw invalid("not an absolute URI (expected scheme:…, e.g. spiffe://trust-domain/path)")
        }
        return .uniformResourceIdentifier(text)
    }

    /// An RFC 822 mailbox, `local@domain`.
    public static func email(_ text: String) throws(PKIError) -> GeneralName {
        func invalid(_ reason: String) -> PKIError {
            PKIError.invalidSubjectAlternativeName(kind: "email address", value: text, reason: reason)
        }
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { throw invalid("expected local-part@domain") }
        guard text.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else { throw invalid("not ASCII or contains white space") }
        return .rfc822Name(text)
    }

    /// An IPv4 or IPv6 address, stored as its 4 or 16 bytes.
    public static func ipAddress(_ text: String) throws(PKIError) -> GeneralName {
        guard let bytes = IPAddressText.bytes(text) else {
            throw PKIError.invalidSubjectAlternativeName(
                kind: "IP address", value: text, reason: "expected an IPv4 (192.0.2.1) or IPv6 (2001:db8::1) address")
        }
        return .ipAddress(ASN1OctetString(contentBytes: bytes[...]))
    }
}
