import Foundation
import SwiftASN1
import X509
import XCTest

@testable import TrustGateX509

final class CertificateDecoderTests: XCTestCase {
    private var chain: (leaf: TestPKI.Identity, intermediate: TestPKI.Identity, root: TestPKI.Identity)!
    private var certificates: [Certificate] { [chain.leaf.certificate, chain.intermediate.certificate, chain.root.certificate] }

    override func setUpWithError() throws {
        chain = try TestPKI.makeChain()
    }

    private func assertThrows(
        _ expected: CertificateLoadingError,
        _ body: () throws -> some Any,
        file: StaticString = #filePath,
        line: UInt = #line
    ) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            XCTAssertEqual(error as? CertificateLoadingError, expected, "\(error)", file: file, line: line)
        }
    }

    // MARK: - PEM

    func testSinglePEM() throws {
        let pem = try TestPKI.pem([chain.leaf.certificate])
        XCTAssertEqual(try CertificateDecoder.certificates(from: Array(pem.utf8)), [chain.leaf.certificate])
    }

    func testPEMBundleKeepsOrder() throws {
        let pem = try TestPKI.pem(certificates)
        XCTAssertEqual(try CertificateDecoder.certificates(from: Array(pem.utf8)), certificates)
        let reversed = try TestPKI.pem(certificates.reversed())
        XCTAssertEqual(try CertificateDecoder.certificates(from: Array(reversed.utf8)), certificates.reversed())
    }

    func testPEMWithCRLFAndTextAroundBlocks() throws {
        let blocks = try certificates.map { try $0.serializeAsPEM().pemString }
        let text = """
            Bag Attributes
                localKeyID: 01 00 00 00
            subject=CN = client.example.com, O = TrustGate Tests, C = US
            issuer=CN = TrustGate Test Intermediate CA
            \(blocks[0])
            # the intermediate — with a comment in UTF-8
            \(blocks[1])

            \(blocks[2])
            trailing notes
            """.replacingOccurrences(of: "\n", with: "\r\n")
        XCTAssertEqual(try CertificateDecoder.certificates(from: Array(text.utf8)), certificates)
    }

    func testPEMWithUnwrappedOrSpaceSeparatedBody() throws {
        let der = chain.leaf.certificate.derBytes
        let oneLine = "-----BEGIN CERTIFICATE-----\(Data(der).base64EncodedString())-----END CERTIFICATE-----"
        XCTAssertEqual(try CertificateDecoder.certificates(from: Array(oneLine.utf8)), [chain.leaf.certificate])
        // Some proxies flatten the newlines of a PEM header value into spaces.
        let spaced = try TestPKI.pem([chain.leaf.certificate]).replacingOccurrences(of: "\n", with: " ")
        XCTAssertEqual(try CertificateDecoder.certificates(fromHeaderValue: spaced), [chain.leaf.certificate])
    }

    func testPEMNextToPrivateKeyIgnoresTheKey() throws {
        let text = try TestPKI.pem(chain.leaf.key) + TestPKI.pem([chain.leaf.certificate, chain.intermediate.certificate])
        XCTAssertEqual(
            try CertificateDecoder.certificates(from: Array(text.utf8)),
            [chain.leaf.certificate, chain.intermediate.certificate])
    }

    func testUTF8BOMAndUTF16PEM() throws {
        let pem = try TestPKI.pem([chain.leaf.certificate])
        XCTAssertEqual(try CertificateDecoder.certificates(from: [0xEF, 0xBB, 0xBF] + Array(pem.utf8)), [chain.leaf.certificate])
        var utf16LE: [UInt8] = [0xFF, 0xFE]
        for unit in pem.utf16 { utf16LE += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        XCTAssertEqual(try CertificateDecoder.certificates(from: utf16LE), [chain.leaf.certificate])
    }

    func testTrustedCertificatePEMFromOpenSSL() throws {
        let directory = try makeTemporaryDirectory()
        let input = directory.appendingPathComponent("root.pem")
        try TestPKI.pem([chain.root.certificate]).write(to: input, atomically: true, encoding: .utf8)
        let result = try TestPKI.openssl(["x509", "-in", input.path, "-trustout", "-addtrust", "clientAuth"])
        XCTAssertTrue(result.stdoutText.contains("BEGIN TRUSTED CERTIFICATE"))
        XCTAssertEqual(try CertificateDecoder.certificates(from: result.stdout), [chain.root.certificate])
    }

    // MARK: - DER and base64

    func testDER() throws {
        XCTAssertEqual(try CertificateDecoder.certificates(from: chain.leaf.certificate.derBytes), [chain.leaf.certificate])
    }

    func testConcatenatedDERKeepsOrder() throws {
        let der = certificates.flatMap(\.derBytes)
        XCTAssertEqual(try CertificateDecoder.certificates(from: der), certificates)
        // A trailing newline after DER (a file written with echo) is tolerated.
        XCTAssertEqual(try CertificateDecoder.certificates(from: der + [0x0A]), certificates)
    }

    func testBase64DERAsAppServiceSendsIt() throws {
        let header = Data(chain.leaf.certificate.derBytes).base64EncodedString()
        XCTAssertEqual(try CertificateDecoder.certificates(fromHeaderValue: header), [chain.leaf.certificate])
        // Folded into lines, with surrounding whitespace.
        let folded = "  " + Data(chain.leaf.certificate.derBytes).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed]) + "\n"
        XCTAssertEqual(try CertificateDecoder.certificates(from: Array(folded.utf8)), [chain.leaf.certificate])
    }

    func testBase64OfWholePEM() throws {
        let pem = try TestPKI.pem([chain.leaf.certificate, chain.intermediate.certificate])
        let header = Data(pem.utf8).base64EncodedString()
        XCTAssertEqual(
            try CertificateDecoder.certificates(fromHeaderValue: header),
            [chain.leaf.certificate, chain.intermediate.certificate])
    }

    // MARK: - URL-escaped PEM

    /// nginx's `$ssl_client_escaped_cert`: ngx_escape_uri(NGX_ESCAPE_URI_COMPONENT) escapes everything but
    /// letters, digits and `-._~`, so newlines become %0A, spaces %20, '/' %2F, '+' %2B and '=' %3D.
    private func nginxEscaped(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            let character = Character(Unicode.Scalar(byte))
            if character.isASCII, character.isLetter || character.isNumber || "-._~".contains(character) {
                result.append(character)
            } else {
                result += String(format: "%%%02X", byte)
            }
        }
        return result
    }

    func testURLEscapedPEMAsNginxProducesIt() throws {
        let pem = try TestPKI.pem([chain.leaf.certificate])
        let escaped = nginxEscaped(pem)
        XCTAssertTrue(escaped.hasPrefix("-----BEGIN%20CERTIFICATE-----%0A"))
        XCTAssertTrue(escaped.contains("%2F") || escaped.contains("%2B"))
        XCTAssertEqual(try CertificateDecoder.certificates(fromHeaderValue: escaped), [chain.leaf.certificate])
    }

    func testURLEscapedPEMWithLiteralPlusAndQuotes() throws {
        // Envoy's XFCC Cert="…" escapes less; a literal '+' must stay '+', not become a space.
        let pem = try TestPKI.pem([chain.leaf.certificate, chain.intermediate.certificate])
        let escaped = "\"" + pem.replacingOccurrences(of: "\n", with: "%0A").replacingOccurrences(of: " ", with: "%20") + "\""
        XCTAssertEqual(
            try CertificateDecoder.certificates(fromHeaderValue: escaped),
            [chain.leaf.certificate, chain.intermediate.certificate])
    }

    // MARK: - RFC 9440

    func testRFC9440SingleByteSequence() throws {
        let value = ":" + Data(chain.leaf.certificate.derBytes).base64EncodedString() + ":"
        XCTAssertEqual(try CertificateDecoder.certificates(fromHeaderValue: value), [chain.leaf.certificate])
    }

    func testRFC9440ChainListKeepsOrder() throws {
        let list = [chain.intermediate.certificate, chain.root.certificate]
            .map { ":" + Data($0.derBytes).base64EncodedString() + ":" }
            .joined(separator: ", ")
        XCTAssertEqual(
            try CertificateDecoder.certificates(fromHeaderValue: list),
            [chain.intermediate.certificate, chain.root.certificate])
        // Parameters on a member are ignored.
        let withParameters = ":" + Data(chain.leaf.certificate.derBytes).base64EncodedString() + ":;source=edge"
        XCTAssertEqual(try CertificateDecoder.certificates(fromHeaderValue: withParameters), [chain.leaf.certificate])
    }

    // MARK: - PKCS#7

    func testPKCS7BundleFromOpenSSL() throws {
        let directory = try makeTemporaryDirectory()
        let input = directory.appendingPathComponent("chain.pem")
        try TestPKI.pem(certificates).write(to: input, atomically: true, encoding: .utf8)
        for format in ["PEM", "DER"] {
            let result = try TestPKI.openssl(["crl2pkcs7", "-nocrl", "-certfile", input.path, "-outform", format])
            let decoded = try CertificateDecoder.certificates(from: result.stdout)
            XCTAssertEqual(Set(decoded), Set(certificates), format)
            XCTAssertEqual(decoded.count, 3, format)
        }
    }

    // MARK: - Files

    func testFiles() throws {
        let directory = try makeTemporaryDirectory()
        let pemFile = directory.appendingPathComponent("chain.pem")
        try TestPKI.pem(certificates).write(to: pemFile, atomically: true, encoding: .utf8)
        XCTAssertEqual(try CertificateDecoder.certificates(contentsOfFile: pemFile.path), certificates)
        let derFile = directory.appendingPathComponent("leaf.cer")
        try Data(chain.leaf.certificate.derBytes).write(to: derFile)
        XCTAssertEqual(try CertificateDecoder.certificates(contentsOfFile: derFile.path), [chain.leaf.certificate])

        let missing = directory.appendingPathComponent("missing.pem").path
        assertThrows(.fileNotFound(path: missing)) { try CertificateDecoder.certificates(contentsOfFile: missing) }
        XCTAssertTrue("\(CertificateLoadingError.fileNotFound(path: missing))".contains(missing))
        XCTAssertThrowsError(try CertificateDecoder.certificates(contentsOfFile: directory.path)) { error in
            guard let error = error as? CertificateLoadingError, error.code == .fileNotReadable else {
                return XCTFail("\(error)")
            }
            XCTAssertTrue(error.message.hasPrefix("\(directory.path): cannot read the file: "), error.message)
        }
    }

    // MARK: - Malformed input

    func testEmptyInput() {
        assertThrows(.emptyInput()) { try CertificateDecoder.certificates(from: []) }
        assertThrows(.emptyInput()) { try CertificateDecoder.certificates(from: Array(" \r\n\t".utf8)) }
        assertThrows(.emptyInput()) { try CertificateDecoder.certificates(fromHeaderValue: "") }
    }

    func testGarbage() {
        assertThrows(.unrecognizedFormat()) { try CertificateDecoder.certificates(from: Array("hello, world!".utf8)) }
        assertThrows(.unrecognizedFormat()) { try CertificateDecoder.certificates(from: [0x01, 0xFF, 0x00, 0x42, 0x99]) }
        // Valid base64 that decodes to something other than DER.
        assertThrows(.unrecognizedFormat()) { try CertificateDecoder.certificates(fromHeaderValue: "aGVsbG8gd29ybGQ=") }
    }

    func testTruncatedDER() {
        let der = chain.leaf.certificate.derBytes
        let truncated = Array(der.prefix(der.count - 10))
        assertThrows(.truncatedDER(expected: der.count, available: der.count - 10)) {
            try CertificateDecoder.certificates(from: truncated)
        }
        // Truncated inside base64 too.
        let header = Data(truncated).base64EncodedString()
        assertThrows(.truncatedDER(expected: der.count, available: der.count - 10)) {
            try CertificateDecoder.certificates(fromHeaderValue: header)
        }
    }

    func testTrailingGarbageAfterDER() {
        let der = chain.leaf.certificate.derBytes + [0xDE, 0xAD, 0xBE, 0xEF]
        assertThrows(.trailingData(byteCount: 4)) { try CertificateDecoder.certificates(from: der) }
    }

    func testDERThatIsNotACertificate() {
        // SEQUENCE { INTEGER 1 } padded with a non-printable byte so it is read as DER.
        let der: [UInt8] = [0x30, 0x04, 0x02, 0x02, 0x01, 0x80]
        XCTAssertThrowsError(try CertificateDecoder.certificates(from: der)) { error in
            guard let error = error as? CertificateLoadingError, error.code == .malformedCertificate,
                  error.message.hasPrefix("certificate #1 is not a valid X.509 certificate: ")
            else {
                return XCTFail("\(error)")
            }
            XCTAssertFalse("\(error)".contains(".swift:"), "\(error)")
        }
    }

    func testShortRSAKeyIsNamedAsTheCause() throws {
        let directory = try makeTemporaryDirectory()
        let certificate = directory.appendingPathComponent("rsa1024.crt").path
        try TestPKI.openssl([
            "req", "-x509", "-newkey", "rsa:1024", "-nodes", "-keyout", directory.appendingPathComponent("k.pem").path,
            "-subj", "/CN=small", "-days", "1", "-out", certificate,
        ])
        assertThrows(.malformedCertificate(index: 0, reason: "RSA key of 1024 bits; at least 2048 bits are required")) {
            try CertificateDecoder.certificates(contentsOfFile: certificate)
        }
    }

    func testBadBase64() {
        var header = Data(chain.leaf.certificate.derBytes).base64EncodedString()
        header.insert("!", at: header.index(header.startIndex, offsetBy: 40))
        assertThrows(.invalidBase64(context: "the base64-encoded certificate")) {
            try CertificateDecoder.certificates(fromHeaderValue: header)
        }
        // Misplaced padding.
        let padded = "MIIB==" + String(repeating: "A", count: 40)
        assertThrows(.invalidBase64(context: "the base64-encoded certificate")) {
            try CertificateDecoder.certificates(fromHeaderValue: padded)
        }
    }

    func testPEMWithBrokenBody() throws {
        var pem = try TestPKI.pem([chain.leaf.certificate])
        pem = pem.replacingOccurrences(of: "M", with: "*", options: [], range: pem.range(of: "\nM"))
        assertThrows(.malformedPEM(type: "CERTIFICATE", reason: "the body is not valid base64")) {
            try CertificateDecoder.certificates(from: Array(pem.utf8))
        }
        // A valid base64 body that is not a certificate.
        let notACertificate = "-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----\n"
        XCTAssertThrowsError(try CertificateDecoder.certificates(from: Array(notACertificate.utf8))) { error in
            guard let error = error as? CertificateLoadingError, error.code == .malformedCertificate,
                  error.message.hasPrefix("certificate #1 is not a valid X.509 certificate: ")
            else {
                return XCTFail("\(error)")
            }
        }
    }

    func testPEMWithoutEndLine() throws {
        let pem = try TestPKI.pem([chain.leaf.certificate])
        let cut = String(pem[..<pem.range(of: "-----END")!.lowerBound])
        assertThrows(.malformedPEM(type: "CERTIFICATE", reason: "no END line")) {
            try CertificateDecoder.certificates(from: Array(cut.utf8))
        }
        // The first block lost its END line but a second block follows.
        let merged = cut + pem
        assertThrows(.malformedPEM(type: "CERTIFICATE", reason: "no END line before the next BEGIN line")) {
            try CertificateDecoder.certificates(from: Array(merged.utf8))
        }
        let mismatched = pem.replacingOccurrences(of: "END CERTIFICATE", with: "END PRIVATE KEY")
        assertThrows(.malformedPEM(type: "CERTIFICATE", reason: "the END line says 'PRIVATE KEY'")) {
            try CertificateDecoder.certificates(from: Array(mismatched.utf8))
        }
    }

    func testPEMBlockOfAnotherType() throws {
        let keyOnly = try TestPKI.pem(chain.leaf.key)
        assertThrows(.noCertificate(foundPEMTypes: ["PRIVATE KEY"])) {
            try CertificateDecoder.certificates(from: Array(keyOnly.utf8))
        }
        XCTAssertTrue("\(CertificateLoadingError.noCertificate(foundPEMTypes: ["PRIVATE KEY"]))".contains("PRIVATE KEY"))
    }

    func testMalformedByteSequences() {
        let good = Data(chain.leaf.certificate.derBytes).base64EncodedString()
        assertThrows(.invalidByteSequence(reason: "list member #1 has no closing ':'")) {
            try CertificateDecoder.certificates(fromHeaderValue: ":" + good)
        }
        assertThrows(.invalidByteSequence(reason: "list member #2 does not start with ':'")) {
            try CertificateDecoder.certificates(fromHeaderValue: ":\(good):, \(good)")
        }
        assertThrows(.invalidBase64(context: "RFC 9440 byte sequence #1")) {
            try CertificateDecoder.certificates(fromHeaderValue: ":not base64!:")
        }
        assertThrows(.invalidByteSequence(reason: "list member #1 is empty")) {
            try CertificateDecoder.certificates(fromHeaderValue: "::")
        }
        assertThrows(.invalidByteSequence(reason: "unexpected text after list member #1")) {
            try CertificateDecoder.certificates(fromHeaderValue: ":\(good):junk")
        }
    }

    func testBadPercentEncoding() throws {
        let escaped = nginxEscaped(try TestPKI.pem([chain.leaf.certificate])) + "%Z"
        assertThrows(.invalidPercentEncoding()) { try CertificateDecoder.certificates(fromHeaderValue: escaped) }
    }

    func testPKCS12IsRejectedWithAClearError() throws {
        let directory = try makeTemporaryDirectory()
        let certificateFile = directory.appendingPathComponent("leaf.pem")
        let keyFile = directory.appendingPathComponent("leaf.key")
        try TestPKI.pem([chain.leaf.certificate]).write(to: certificateFile, atomically: true, encoding: .utf8)
        try TestPKI.pem(chain.leaf.key).write(to: keyFile, atomically: true, encoding: .utf8)
        let p12 = try TestPKI.openssl([
            "pkcs12", "-export", "-in", certificateFile.path, "-inkey", keyFile.path, "-passout", "pass:x",
        ]).stdout
        assertThrows(.pkcs12NotAccepted()) { try CertificateDecoder.certificates(from: p12) }
    }

    func testEveryErrorHasAMessage() {
        let errors: [CertificateLoadingError] = [
            .emptyInput(), .unrecognizedFormat(), .noCertificate(foundPEMTypes: []), .malformedPEM(type: "X", reason: "r"),
            .invalidBase64(context: "c"), .invalidPercentEncoding(), .invalidByteSequence(reason: "r"),
            .truncatedDER(expected: 2, available: 1), .trailingData(byteCount: 1),
            .malformedCertificate(index: 0, reason: "r"), .malformedExtension(name: "n", reason: "r"),
            .fileNotFound(path: "p"), .fileNotReadable(path: "p", reason: "r"),
            .fileTooLarge(path: "p", byteCount: 2, limit: 1), .pkcs12PasswordRequired(), .pkcs12WrongPassword(),
            .pkcs12Malformed(reason: "r"), .pkcs12Unsupported(reason: "r"), .pkcs12NotAccepted(),
            .noPrivateKey(foundPEMTypes: []), .privateKeyPasswordRequired(), .privateKeyDecryptionFailed(),
            .malformedPrivateKey(reason: "r"), .unsupportedPrivateKey(reason: "r"), .privateKeyMismatch(),
        ]
        let messages = errors.map(\.description)
        XCTAssertEqual(Set(messages).count, messages.count, "messages must tell the cases apart")
        XCTAssertTrue(messages.allSatisfy { $0.count > 10 })
    }

    /// Text assembled from PEM fragments, base64 and separators must give a typed error or certificates.
    func testRandomPEMLikeTextNeverCrashes() throws {
        let pem = try TestPKI.pem([chain.leaf.certificate])
        let fragments = [
            "-----BEGIN CERTIFICATE-----", "-----END CERTIFICATE-----", "-----BEGIN ", "-----", "\n", "\r\n", ":", ",",
            "%0A", "%2", "MIIB", "====", "Proc-Type: 4,ENCRYPTED\n", String(pem.dropFirst(40).prefix(60)), " ", ";a=b",
        ]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<1_000 {
            let text = (0..<Int.random(in: 1..<10, using: &generator)).map { _ in fragments.randomElement(using: &generator)! }.joined()
            for attempt in [{ try CertificateDecoder.certificates(fromHeaderValue: text) }, { try CertificateDecoder.certificates(from: Array(text.utf8)) }] {
                do {
                    _ = try attempt()
                } catch {
                    XCTAssertTrue(error is CertificateLoadingError, "\(text): \(error)")
                }
            }
            do {
                _ = try PrivateKeyDecoder.privateKey(from: Array(text.utf8))
            } catch {
                XCTAssertTrue(error is CertificateLoadingError, "\(text): \(error)")
            }
        }
    }

    /// Random and mutated inputs must produce a typed error or certificates, never a crash.
    func testMutatedInputsNeverCrash() throws {
        let der = chain.leaf.certificate.derBytes
        var generator = SystemRandomNumberGenerator()
        for round in 0..<300 {
            var bytes = der
            switch round % 3 {
            case 0:
                bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            case 1:
                bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &generator)))
            default:
                bytes = (0..<Int.random(in: 1..<64, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            }
            do {
                _ = try CertificateDecoder.certificates(from: bytes)
            } catch {
                XCTAssertTrue(error is CertificateLoadingError, "\(error)")
            }
        }
    }
}
