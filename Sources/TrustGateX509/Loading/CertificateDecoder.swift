import SwiftASN1
public import X509
import _CryptoExtras

/// Decodes certificates from every form clients, proxies and users hand them over in.
///
/// The form is detected from the input itself:
/// - PEM: one block or a bundle; text around the blocks (OpenSSL's "subject=" / "Bag Attributes" lines) is ignored;
///   LF or CRLF; UTF-8 or UTF-16 with a byte-order mark. Non-certificate blocks (keys) next to certificates are skipped.
/// - DER: one certificate, several concatenated, or a PKCS#7 "certs-only" bundle (.p7b, also as PEM "PKCS7").
/// - base64 of DER, whitespace tolerated (App Service's `X-ARR-ClientCert`, HAProxy's `ssl_c_der,base64`).
/// - URL-escaped PEM (nginx `$ssl_client_escaped_cert`, Envoy XFCC `Cert=`).
/// - RFC 9440 byte sequences `:base64:`, one or a comma-separated list (`Client-Cert`, `Client-Cert-Chain`).
///
/// Order is preserved. Every failure is a `CertificateLoadingError`.
public enum CertificateDecoder {
    /// PEM labels that hold a DER certificate. "TRUSTED CERTIFICATE" is OpenSSL's certificate plus trust settings.
    static let certificatePEMTypes: Set<String> = ["CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE"]
    static let pkcs7PEMTypes: Set<String> = ["PKCS7", "PKCS #7 SIGNED DATA", "CERTIFICATE CHAIN"]

    /// Certificates in `bytes`, in any of the forms listed above.
    /// - Throws: `CertificateLoadingError`.
    public static func certificates(from bytes: [UInt8]) throws -> [Certificate] {
        try decode(bytes)
    }

    /// Certificates in an HTTP header value (`X-ARR-ClientCert`, `X-SSL-Client-Cert`, `Client-Cert`,
    /// `Client-Cert-Chain`, an XFCC `Cert=` value). Surrounding whitespace and double quotes are ignored.
    /// - Throws: `CertificateLoadingError`.
    public static func certificates(fromHeaderValue value: String) throws -> [Certificate] {
        var bytes = TextEncoding.trimmed(Array(value.utf8))
        if bytes.count >= 2, bytes.first == UInt8(ascii: "\""), bytes.last == UInt8(ascii: "\"") {
            bytes = bytes.dropFirst().dropLast()
        }
        return try decode(Array(bytes))
    }

    /// Certificates in the file at `path`. File errors are `CertificateLoadingError`s naming the path.
    /// - Throws: `CertificateLoadingError`.
    public static func certificates(contentsOfFile path: String) throws -> [Certificate] {
        try decode(try InputFile.read(path))
    }

    // MARK: - Detection

    static func decode(_ input: [UInt8]) throws(CertificateLoadingError) -> [Certificate] {
        let bytes = TextEncoding.normalized(input)
        guard bytes.contains(where: { !Base64Text.isWhitespace($0) }) else { throw .emptyInput() }

        if bytes.first == 0x30, !TextEncoding.isPrintableText(bytes) {
            return try fromDER(bytes[...])
        }
        let text = Array(TextEncoding.trimmed(bytes))
        if PEMBlock.containsPEM(text) {
            return try fromPEM(text)
        }
        if text.first == UInt8(ascii: ":") {
            return try fromByteSequences(text)
        }
        if PercentDecoding.containsEscape(text) {
            guard let unescaped = PercentDecoding.decode(text) else { throw .invalidPercentEncoding() }
            guard PEMBlock.containsPEM(unescaped) else { throw .unrecognizedFormat() }
            return try fromPEM(unescaped)
        }
        return try fromBase64(text)
    }

    /// Base64 of DER (or, from some proxies, base64 of a whole PEM document).
    static func fromBase64(_ text: [UInt8]) throws(CertificateLoadingError) -> [Certificate] {
        guard let decoded = Base64Text.decode(text) else {
            // Long text made (almost) only of base64 characters is a damaged base64 certificate; anything else is
            // not a certificate at all.
            let significant = text.filter { !Base64Text.isWhitespace($0) }
            let base64Characters = significant.filter {
                $0 == UInt8(ascii: "=") || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "/")
                    || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_")
                    || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9"))
                    || ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z"))
                    || ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z"))
            }.count
            if significant.count >= 16, base64Characters * 10 >= significant.count * 9 {
                throw .invalidBase64(context: "the base64-encoded certificate")
            }
            throw .unrecognizedFormat()
        }
        if PEMBlock.containsPEM(decoded) {
            return try fromPEM(decoded)
        }
        guard decoded.first == 0x30 else { throw .unrecognizedFormat() }
        return try fromDER(decoded[...])
    }

    // MARK: - PEM

    static func fromPEM(_ text: [UInt8]) throws(CertificateLoadingError) -> [Certificate] {
        let blocks = try PEMBlock.blocks(in: text)
        var certificates = [Certificate]()
        for block in blocks {
            if certificatePEMTypes.contains(block.type) {
                let der = try block.derBytes()
                // A TRUSTED CERTIFICATE is the certificate followed by OpenSSL's trust settings: keep the first element.
                let element =
                    block.type == "TRUSTED CERTIFICATE"
                    ? der[..<(der.startIndex + (try DERElements.elementLength(der[...], at: der.startIndex)))]
                    : der[...]
                certificates.append(try certificate(element, index: certificates.count))
            } else if pkcs7PEMTypes.contains(block.type) {
                certificates += try fromPKCS7(try block.derBytes()[...], firstIndex: certificates.count)
            }
        }
        guard !certificates.isEmpty else {
            throw .noCertificate(foundPEMTypes: blocks.map(\.type))
        }
        return certificates
    }

    // MARK: - DER

    static func fromDER(_ bytes: ArraySlice<UInt8>) throws(CertificateLoadingError) -> [Certificate] {
        if PKCS12Detection.isPKCS12(bytes) { throw .pkcs12NotAccepted() }
        if PKCS12Detection.isPKCS7SignedData(bytes) {
            return try fromPKCS7(bytes, firstIndex: 0)
        }
        let elements = try DERElements.split(bytes)
        guard !elements.isEmpty else { throw .emptyInput() }
        var certificates = [Certificate]()
        certificates.reserveCapacity(elements.count)
        for element in elements {
            certificates.append(try certificate(element, index: certificates.count))
        }
        return certificates
    }

    static func certificate(_ der: ArraySlice<UInt8>, index: Int) throws(CertificateLoadingError) -> Certificate {
        do {
            return try Certificate(derEncoded: der)
        } catch {
            // swift-crypto refuses RSA keys below 2048 bits with a generic "incorrectParameterSize"; name the cause.
            if let spki = try? CertificateFingerprints.subjectPublicKeyInfoBytes(ofCertificateDER: Array(der)),
                let key = try? _RSA.Signing.PublicKey(unsafeDERRepresentation: spki), key.keySizeInBits < 2048
            {
                throw .malformedCertificate(
                    index: index, reason: "RSA key of \(key.keySizeInBits) bits; at least 2048 bits are required")
            }
            throw .malformedCertificate(index: index, reason: ErrorText.reason(error))
        }
    }

    /// The certificates of a PKCS#7 / CMS SignedData "certs-only" bundle (RFC 2315 §9.1, RFC 5652 §5.1), in file order.
    static func fromPKCS7(_ bytes: ArraySlice<UInt8>, firstIndex: Int) throws(CertificateLoadingError) -> [Certificate] {
        let certificateNodes: [ASN1Node]
        do {
            let contentInfo = try BER.parse(bytes)
            certificateNodes = try BER.sequence(contentInfo, identifier: .sequence) { nodes in
                _ = try ASN1ObjectIdentifier(berEncoded: &nodes)
                guard let explicitContent = nodes.next(),
                    case .constructed(let wrapped) = explicitContent.content,
                    let signedData = wrapped.first(where: { _ in true })
                else {
                    throw ASN1Error.invalidASN1Object(reason: "the PKCS#7 content is missing")
                }
                return try BER.sequence(signedData, identifier: .sequence) { fields in
                    var found = [ASN1Node]()
                    while let field = fields.next() {
                        if field.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific),
                            case .constructed(let members) = field.content
                        {
                            found = Array(members)
                        }
                    }
                    return found
                }
            }
        } catch {
            throw .malformedCertificate(index: firstIndex, reason: "malformed PKCS#7 bundle: \(ErrorText.reason(error))")
        }
        var certificates = [Certificate]()
        for node in certificateNodes where node.identifier == .sequence {
            certificates.append(try certificate(node.encodedBytes, index: firstIndex + certificates.count))
        }
        guard !certificates.isEmpty else { throw .noCertificate(foundPEMTypes: []) }
        return certificates
    }

    // MARK: - RFC 9440

    /// `:base64:` or a list `:a:, :b:` (RFC 8941 byte sequences; parameters after an item are ignored).
    static func fromByteSequences(_ text: [UInt8]) throws(CertificateLoadingError) -> [Certificate] {
        var certificates = [Certificate]()
        for rawItem in text.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
            let item = rawItem.drop(while: { $0 == 0x20 || $0 == 0x09 })
            guard item.first == UInt8(ascii: ":") else {
                throw .invalidByteSequence(reason: "list member #\(certificates.count + 1) does not start with ':'")
            }
            let content = item.dropFirst()
            guard let close = content.firstIndex(of: UInt8(ascii: ":")) else {
                throw .invalidByteSequence(reason: "list member #\(certificates.count + 1) has no closing ':'")
            }
            let rest = content[(close + 1)...].drop(while: { $0 == 0x20 || $0 == 0x09 })
            guard rest.isEmpty || rest.first == UInt8(ascii: ";") else {
                throw .invalidByteSequence(reason: "unexpected text after list member #\(certificates.count + 1)")
            }
            let base64 = content[..<close]
            guard !base64.contains(where: Base64Text.isWhitespace), let der = Base64Text.decode(base64) else {
                throw .invalidBase64(context: "RFC 9440 byte sequence #\(certificates.count + 1)")
            }
            guard !der.isEmpty else {
                throw .invalidByteSequence(reason: "list member #\(certificates.count + 1) is empty")
            }
            let elements = try DERElements.split(der[...])
            guard elements.count == 1 else {
                throw .invalidByteSequence(reason: "list member #\(certificates.count + 1) holds more than one DER element")
            }
            certificates.append(try certificate(elements[0], index: certificates.count))
        }
        return certificates
    }
}
