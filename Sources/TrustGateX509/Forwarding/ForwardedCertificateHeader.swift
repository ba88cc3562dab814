import Crypto
import Foundation
import SwiftASN1
import X509

/// Writes and reads the client certificate in the headers a TLS terminator forwards.
///
/// Works on DER bytes, not parsed certificates: the gateway forwards exactly what the client sent, and an
/// application behind a trusted proxy hands the bytes straight to ``CertificatePolicy`` (whose verdict cache
/// is keyed on them). Decoding checks only that each value is one DER SEQUENCE; the policy does the rest.
public enum ForwardedCertificateHeader {
    /// Upper bound on one header value: a chain of a few certificates is a few KiB; anything far larger is
    /// refused before decoding.
    public static let maxValueLength = 64 * 1024

    // MARK: - Writing

    /// The headers carrying `chain` (DER, leaf first) in `format`. `identity` supplies the Subject / URI / DNS
    /// fields of XFCC (left out when nil).
    public static func headers(
        for chain: [[UInt8]],
        format: ForwardedCertificateFormat,
        identity: CertificateIdentity? = nil
    ) -> [(name: String, value: String)] {
        guard let leaf = chain.first else { return [] }
        switch format {
        case .arrClientCert:
            return [("X-ARR-ClientCert", Base64Text.encode(leaf))]
        case .rfc9440:
            var headers = [("Client-Cert", ":\(Base64Text.encode(leaf)):")]
            if chain.count > 1 {
                headers.append(("Client-Cert-Chain", chain.dropFirst().map { ":\(Base64Text.encode($0)):" }.joined(separator: ", ")))
            }
            return headers
        case .nginxEscapedPEM:
            return [("X-SSL-Client-Cert", percentEncoded(pem(leaf)))]
        case .xfcc:
            var fields = ["Hash=\(lowerHex(Array(SHA256.hash(data: leaf))))"]
            fields.append("Cert=\"\(percentEncoded(pem(leaf)))\"")
            fields.append("Chain=\"\(percentEncoded(chain.map(pem).joined()))\"")
            if let identity {
                fields.append("Subject=\(quoted(identity.subject.rfc4514String))")
                if let uri = identity.subjectAlternativeNames.uris.first { fields.append("URI=\(quoted(uri))") }
                for dns in identity.subjectAlternativeNames.dnsNames { fields.append("DNS=\(quoted(dns))") }
            }
            return [("X-Forwarded-Client-Cert", fields.joined(separator: ";"))]
        }
    }

    // MARK: - Reading

    /// The chain (DER, leaf first) a trusted proxy forwarded in `format`, or nil when it sent none.
    /// `values(name)` returns every value of a header (lower-case name), in order.
    public static func chain(
        format: ForwardedCertificateFormat,
        values: (String) -> [String]
    ) throws(ForwardedCertificateError) -> [[UInt8]]? {
        switch format {
        case .arrClientCert:
            guard let value = try single(values("x-arr-clientcert"), header: "x-arr-clientcert") else { return nil }
            guard let der = Base64Text.decode(Array(value.utf8)) else { throw .invalidBase64(header: "x-arr-clientcert") }
            return [try certificateDER(der[...], header: "x-arr-clientcert")]
        case .rfc9440:
            guard let leafValue = try single(values("client-cert"), header: "client-cert") else { return nil }
            let leaf = try byteSequences(leafValue, header: "client-cert")
            guard leaf.count == 1 else { throw .invalidByteSequence(header: "client-cert", reason: "expected one byte sequence") }
            // Client-Cert-Chain may be split over several header lines (RFC 9110 list semantics).
            let chainValues = values("client-cert-chain")
            for value in chainValues where value.utf8.count > maxValueLength {
                throw .tooLarge(header: "client-cert-chain", limit: maxValueLength)
            }
            var chain = leaf
            for value in chainValues {
                chain += try byteSequences(value, header: "client-cert-chain")
            }
            return chain
        case .nginxEscapedPEM:
            guard let value = try single(values("x-ssl-client-cert"), header: "x-ssl-client-cert") else { return nil }
            return try escapedPEM(value, header: "x-ssl-client-cert")
        case .xfcc:
            let all = values("x-forwarded-client-cert")
            for value in all where value.utf8.count > maxValueLength {
                throw .tooLarge(header: "x-forwarded-client-cert", limit: maxValueLength)
            }
            // Each proxy appends its element; the immediate (trusted) peer's is the last one.
            guard let element = try XFCCElements.parse(all.joined(separator: ",")).last else { return nil }
            guard let cert = element["cert"] else { return nil }
            let leaf = try escapedPEM(cert, header: "x-forwarded-client-cert")
            guard leaf.count == 1 else { throw .invalidXFCC(reason: "Cert holds \(leaf.count) certificates") }
            if let hash = element["hash"], hash.lowercased() != lowerHex(Array(SHA256.hash(data: leaf[0]))) {
                throw .hashMismatch
            }
            guard let chainText = element["chain"] else { return leaf }
            let chain = try escapedPEM(chainText, header: "x-forwarded-client-cert")
            guard chain.first == leaf[0] else { throw .invalidXFCC(reason: "Chain does not start with Cert") }
            return chain
        }
    }

    // MARK: - Helpers

    private static func single(_ values: [String], header: String) throws(ForwardedCertificateError) -> String? {
        let present = values.map { String($0.trimmingOWS()) }.filter { !$0.isEmpty }
        guard let value = present.first else { return nil }
        guard present.count == 1 else {
            throw .invalidByteSequence(header: header, reason: "the header appears \(present.count) times")
        }
        guard value.utf8.count <= maxValueLength else { throw .tooLarge(header: header, limit: maxValueLength) }
        return value
    }

    private static func certificateDER(_ bytes: ArraySlice<UInt8>, header: String) throws(ForwardedCertificateError) -> [UInt8] {
        guard let elements = try? DERElements.split(bytes), elements.count == 1, elements[0].first == 0x30 else {
            throw .notACertificate(header: header)
        }
        return Array(elements[0])
    }

    /// RFC 8941 byte sequences `:base64:` (with optional `;params`), comma-separated — scanned as bytes, since
    /// walking ~1 KB of base64 as Swift `Character`s costs tens of microseconds per request.
    private static func byteSequences(_ value: String, header: String) throws(ForwardedCertificateError) -> [[UInt8]] {
        let bytes = Array(value.utf8)
        var result: [[UInt8]] = []
        var index = 0
        while true {
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 }
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":"),
                  let close = bytes[(index + 1)...].firstIndex(of: UInt8(ascii: ":"))
            else {
                throw .invalidByteSequence(header: header, reason: "member #\(result.count + 1) is not :base64:")
            }
            guard let der = Base64Text.decode(Array(bytes[(index + 1)..<close])) else { throw .invalidBase64(header: header) }
            result.append(try certificateDER(der[...], header: header))
            index = close + 1
            // Parameters (`;key=value`) belong to the member; anything else before the comma is an error.
            if index < bytes.count, bytes[index] == UInt8(ascii: ";") {
                while index < bytes.count, bytes[index] != UInt8(ascii: ",") { index += 1 }
            }
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 }
            if index == bytes.count { return result }
            guard bytes[index] == UInt8(ascii: ",") else {
                throw .invalidByteSequence(header: header, reason: "text after member #\(result.count)")
            }
            index += 1
        }
    }

    private static func escapedPEM(_ value: String, header: String) throws(ForwardedCertificateError) -> [[UInt8]] {
        guard let text = PercentDecoding.decode(Array(value.utf8)) else {
            throw .invalidPEM(header: header, reason: "bad percent escape")
        }
        let blocks: [PEMBlock]
        do {
            blocks = try PEMBlock.blocks(in: text)
        } catch {
            throw .invalidPEM(header: header, reason: "no PEM block")
        }
        var chain: [[UInt8]] = []
        for block in blocks where block.type == "CERTIFICATE" {
            guard let der = Base64Text.decode(block.body) else { throw .invalidPEM(header: header, reason: "bad base64 in a PEM block") }
            chain.append(try certificateDER(der[...], header: header))
        }
        guard !chain.isEmpty else { throw .invalidPEM(header: header, reason: "no CERTIFICATE block") }
        return chain
    }

    static func pem(_ der: [UInt8]) -> String {
        PEMDocument(type: "CERTIFICATE", derBytes: der).pemString + "\n"
    }

    /// Percent-encodes everything but RFC 3986 unreserved characters (as Envoy and nginx escape PEM).
    static func percentEncoded(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count * 3 / 2)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                result += byte < 16 ? "%0\(hex)" : "%\(hex)"
            }
        }
        return result
    }

    /// An XFCC value, double-quoted (with `\"` and `\\` escaped) when it holds a separator.
    static func quoted(_ value: String) -> String {
        guard value.contains(where: { ",;=\"\\ ".contains($0) }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    static func lowerHex(_ bytes: [UInt8]) -> String {
        CertificateFingerprints.upperHex(bytes).lowercased()
    }
}
