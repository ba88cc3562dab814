import Foundation
import SwiftASN1
import X509
import XCTest

@testable import TrustGateX509

final class CertificateSummaryTests: XCTestCase {
    private func ipAddress(_ bytes: [UInt8]) -> GeneralName {
        .ipAddress(ASN1OctetString(contentBytes: ArraySlice(bytes)))
    }

    func testLeafSummary() throws {
        let root = try TestPKI.makeRoot()
        let intermediate = try TestPKI.makeIntermediate(issuer: root)
        let ipv6: [UInt8] = [0x20, 0x01, 0x0D, 0xB8] + [UInt8](repeating: 0, count: 11) + [0x01]
        let leaf = try TestPKI.makeLeaf(
            name: "alice",
            issuer: intermediate,
            sans: [
                .dnsName("alice.example.com"), .uniformResourceIdentifier("spiffe://example.org/ns/prod/sa/alice"),
                .rfc822Name("alice@example.com"), ipAddress([10, 0, 0, 7]), ipAddress(ipv6), .dnsName("alt.example.com"),
            ],
            eku: [.clientAuth, .serverAuth, ExtendedKeyUsage.Usage(oid: [1, 3, 6, 1, 4, 1, 311, 20, 2, 2])],
            keyUsage: KeyUsage(digitalSignature: true, keyEncipherment: true),
            serialNumber: Certificate.SerialNumber(bytes: [0x00, 0x10, 0x05]),
            notBefore: TestPKI.referenceDate,
            notAfter: TestPKI.referenceDate.addingTimeInterval(86_400)
        ).certificate

        let summary = try CertificateSummary(leaf)
        XCTAssertEqual(summary.subject, "CN=alice,O=TrustGate Tests,C=US")
        XCTAssertEqual(summary.subjectDisplay, "CN=alice, O=TrustGate Tests, C=US")
        XCTAssertEqual(summary.issuer, "CN=TrustGate Test Intermediate CA,O=TrustGate Tests,C=US")
        XCTAssertEqual(summary.issuerDisplay, "CN=TrustGate Test Intermediate CA, O=TrustGate Tests, C=US")
        XCTAssertEqual(summary.serialNumberHex, CertificateFingerprints.upperHex(leaf.serialNumber.bytes))
        XCTAssertEqual(summary.notBefore, TestPKI.referenceDate)
        XCTAssertEqual(summary.notAfter, TestPKI.referenceDate.addingTimeInterval(86_400))
        XCTAssertEqual(summary.subjectAlternativeNames.dnsNames, ["alice.example.com", "alt.example.com"])
        XCTAssertEqual(summary.subjectAlternativeNames.uris, ["spiffe://example.org/ns/prod/sa/alice"])
        XCTAssertEqual(summary.subjectAlternativeNames.emails, ["alice@example.com"])
        XCTAssertEqual(summary.subjectAlternativeNames.ipAddresses, ["10.0.0.7", "2001:db8::1"])
        XCTAssertEqual(summary.extendedKeyUsages, ["clientAuth", "serverAuth", "1.3.6.1.4.1.311.20.2.2"])
        XCTAssertEqual(summary.keyUsages, ["digitalSignature", "keyEncipherment"])
        XCTAssertEqual(summary.keyAlgorithm, "EC P-256")
        XCTAssertEqual(summary.keySizeBits, 256)
        XCTAssertEqual(summary.signatureAlgorithm, "ecdsa-with-SHA256")
        XCTAssertFalse(summary.isCA)
        XCTAssertFalse(summary.isSelfSigned)
        XCTAssertEqual(summary.fingerprints, CertificateFingerprints(leaf))
    }

    func testCAAndSelfSigned() throws {
        let root = try TestPKI.makeRoot()
        let rootSummary = try CertificateSummary(root.certificate)
        XCTAssertTrue(rootSummary.isCA)
        XCTAssertNil(rootSummary.pathLengthConstraint)
        XCTAssertTrue(rootSummary.isSelfSigned)
        XCTAssertEqual(rootSummary.keyUsages, ["keyCertSign", "cRLSign"])
        XCTAssertEqual(rootSummary.extendedKeyUsages, [])
        XCTAssertEqual(try CertificateSummary(try TestPKI.makeIntermediate(issuer: root).certificate).pathLengthConstraint, 0)

        // Same subject and issuer but signed by another key: self-issued, not self-signed.
        let rollover = try TestPKI.makeLeaf(subject: root.certificate.subject, issuer: root, key: try TestPKI.makeKey())
        XCTAssertTrue(rollover.certificate.isSelfIssued)
        XCTAssertFalse(rollover.certificate.isSelfSigned)
        XCTAssertFalse(try CertificateSummary(rollover.certificate).isSelfSigned)
        XCTAssertTrue(try TestPKI.makeLeaf(issuer: nil).certificate.isSelfSigned)
    }

    func testKeyAlgorithmsAndSignatureAlgorithms() throws {
        let expectations: [(TestPKI.KeyKind, String, Int, String)] = [
            (.p256, "EC P-256", 256, "ecdsa-with-SHA256"),
            (.p384, "EC P-384", 384, "ecdsa-with-SHA256"),
            (.p521, "EC P-521", 521, "ecdsa-with-SHA256"),
            (.rsa2048, "RSA", 2048, "sha256WithRSAEncryption"),
            (.ed25519, "Ed25519", 256, "ED25519"),
        ]
        for (kind, algorithm, bits, signature) in expectations {
            let summary = try CertificateSummary(try TestPKI.makeLeaf(issuer: nil, key: try TestPKI.makeKey(kind)).certificate)
            XCTAssertEqual(summary.keyAlgorithm, algorithm, "\(kind)")
            XCTAssertEqual(summary.keySizeBits, bits, "\(kind)")
            // Self-signed: the leaf's own key signs, so the signature algorithm follows the key type.
            XCTAssertEqual(summary.signatureAlgorithm, signature, "\(kind)")
        }
    }

    func testNoSANsAndMalformedSANExtension() throws {
        let plain = try TestPKI.makeLeaf(issuer: nil, sans: []).certificate
        XCTAssertTrue(try SubjectAlternativeNameValues(plain).isEmpty)

        // A subjectAltName whose value is not a GeneralNames SEQUENCE.
        let key = try TestPKI.makeKey()
        let name = try TestPKI.name("broken")
        let broken = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: key.publicKey,
            notValidBefore: TestPKI.referenceDate, notValidAfter: TestPKI.referenceDate.addingTimeInterval(3_600),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions([
                Certificate.Extension(oid: .X509ExtensionID.subjectAlternativeName, critical: false, value: [0x04, 0x01, 0x00])
            ]),
            issuerPrivateKey: key)
        XCTAssertThrowsError(try SubjectAlternativeNameValues(broken)) { error in
            guard let error = error as? CertificateLoadingError, error.code == .malformedExtension,
                  error.message.hasPrefix("malformed subjectAltName extension: ")
            else {
                return XCTFail("\(error)")
            }
        }
        XCTAssertThrowsError(try CertificateSummary(broken))
    }

    func testIPv6TextFollowsRFC5952() {
        func text(_ groups: [UInt16]) -> String {
            IPAddressText.text(groups.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] })
        }
        XCTAssertEqual(text([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]), "2001:db8::1")
        XCTAssertEqual(text([0, 0, 0, 0, 0, 0, 0, 1]), "::1")
        XCTAssertEqual(text([0, 0, 0, 0, 0, 0, 0, 0]), "::")
        XCTAssertEqual(text([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1]), "2001:db8::1:0:0:1")  // leftmost of equal runs
        XCTAssertEqual(text([0x2001, 0xdb8, 0, 1, 1, 1, 1, 1]), "2001:db8:0:1:1:1:1:1")  // a single zero group stays
        XCTAssertEqual(text([0x2001, 0xdb8, 0, 0, 1, 0, 0, 0]), "2001:db8:0:0:1::")  // the longest run wins
        XCTAssertEqual(text([0xfe80, 0, 0, 0, 0xabcd, 0, 0, 0]), "fe80::abcd:0:0:0")
        XCTAssertEqual(IPAddressText.text([192, 168, 0, 1]), "192.168.0.1")
    }

    func testJSONHasISO8601DatesAndTextualThumbprints() throws {
        let leaf = try TestPKI.makeLeaf(
            issuer: nil, notBefore: TestPKI.referenceDate, notAfter: TestPKI.referenceDate.addingTimeInterval(86_400)
        ).certificate
        let summary = try CertificateSummary(leaf)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970  // ignored on purpose: dates are always ISO 8601
        let data = try encoder.encode([summary])
        let array = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        let object = try XCTUnwrap(array.first)
        XCTAssertEqual(object["notBefore"] as? String, "2025-01-01T00:00:00Z")
        XCTAssertEqual(object["notAfter"] as? String, "2025-01-02T00:00:00Z")
        XCTAssertEqual((object["fingerprints"] as? [String: String])?["sha1"], summary.fingerprints.sha1Hex)
        XCTAssertEqual(object["subject"] as? String, summary.subject)
        let decoded = try JSONDecoder().decode([CertificateSummary].self, from: data)
        XCTAssertEqual(decoded.first?.notBefore, summary.notBefore)
        XCTAssertEqual(decoded.first?.fingerprints, summary.fingerprints)
    }

    /// Serial, validity and names as OpenSSL reports them.
    func testAgainstOpenSSL() throws {
        let directory = try makeTemporaryDirectory()
        for serial: [UInt8] in [[0x10, 0x05], [0x00, 0x80, 0x01], [0x7F]] {
            let leaf = try TestPKI.makeLeaf(issuer: nil, serialNumber: Certificate.SerialNumber(bytes: serial)).certificate
            let file = directory.appendingPathComponent("leaf.pem")
            try TestPKI.pem([leaf]).write(to: file, atomically: true, encoding: .utf8)
            let summary = try CertificateSummary(leaf)
            let output = try TestPKI.openssl(["x509", "-in", file.path, "-noout", "-serial", "-issuer", "-nameopt", "RFC2253"]).stdoutText
            XCTAssertTrue(output.contains("serial=\(summary.serialNumberHex)\n"), "\(output) vs \(summary.serialNumberHex)")
            XCTAssertTrue(output.contains("issuer=\(summary.issuer)\n"), output)
        }
    }

    // MARK: - trustgate cert inspect

    func testInspectCommand() throws {
        let binary = try PKIInteropTests.trustgateBinary()
        let directory = try makeTemporaryDirectory()
        let chain = try TestPKI.makeChain(leafName: "inspect.example.com")
        let chainFile = directory.appendingPathComponent("chain.pem").path
        try TestPKI.pem([chain.leaf.certificate, chain.intermediate.certificate]).write(toFile: chainFile, atomically: true, encoding: .utf8)

        let text = try TestPKI.runProcess(binary, ["cert", "inspect", chainFile])
        XCTAssertEqual(text.status, 0, text.stderrText)
        let fingerprints = CertificateFingerprints(chain.leaf.certificate)
        for expected in [
            "Certificate 1 of 2 (leaf)", "CN=inspect.example.com,O=TrustGate Tests,C=US", "DNS:inspect.example.com",
            fingerprints.sha1Hex, fingerprints.sha256Hex, fingerprints.spkiSHA256Base64, fingerprints.x5t,
            fingerprints.x5tS256, "clientAuth", "EC P-256 (256 bits)", "Certificate 2 of 2",
        ] {
            XCTAssertTrue(text.stdoutText.contains(expected), "missing \(expected) in\n\(text.stdoutText)")
        }

        let json = try TestPKI.runProcess(binary, ["cert", "inspect", chainFile, "--json"])
        XCTAssertEqual(json.status, 0, json.stderrText)
        let summaries = try JSONDecoder().decode([CertificateSummary].self, from: Data(json.stdout))
        XCTAssertEqual(summaries.map(\.subject), try [chain.leaf.certificate, chain.intermediate.certificate].map { try CertificateSummary($0).subject })
        XCTAssertEqual(summaries.first?.fingerprints, fingerprints)

        // PKCS#12: needs --password; wrong password and garbage are input errors (exit 2) with a message, no trace.
        let keyFile = directory.appendingPathComponent("leaf.key").path
        let leafFile = directory.appendingPathComponent("leaf.pem").path
        let p12File = directory.appendingPathComponent("leaf.p12").path
        try TestPKI.pem(chain.leaf.key).write(toFile: keyFile, atomically: true, encoding: .utf8)
        try TestPKI.pem([chain.leaf.certificate]).write(toFile: leafFile, atomically: true, encoding: .utf8)
        try TestPKI.openssl(["pkcs12", "-export", "-in", leafFile, "-inkey", keyFile, "-passout", "pass:pw", "-out", p12File])
        let withPassword = try TestPKI.runProcess(binary, ["cert", "inspect", p12File, "--password", "pw"])
        XCTAssertEqual(withPassword.status, 0, withPassword.stderrText)
        XCTAssertTrue(withPassword.stdoutText.contains(fingerprints.sha256Hex))
        XCTAssertTrue(withPassword.stdoutText.contains("Private key: present"))

        let garbageFile = directory.appendingPathComponent("garbage.txt").path
        try "not a certificate".write(toFile: garbageFile, atomically: true, encoding: .utf8)
        for (arguments, message) in [
            (["cert", "inspect", p12File], "needs a password"),
            (["cert", "inspect", p12File, "--password", "nope"], "password is incorrect"),
            (["cert", "inspect", garbageFile], "not a certificate"),
            (["cert", "inspect", directory.appendingPathComponent("missing.pem").path], "no such file"),
        ] {
            let result = try TestPKI.runProcess(binary, arguments)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.stderrText)")
            XCTAssertTrue(result.stderrText.contains(message), "\(arguments): \(result.stderrText)")
            XCTAssertTrue(result.stdout.isEmpty, "\(arguments)")
            XCTAssertFalse(result.stderrText.contains("Fatal error") || result.stderrText.contains(".swift:"), result.stderrText)
        }

        // Standard input, as a header value would be piped in.
        let header = Data(chain.leaf.certificate.derBytes).base64EncodedString()
        let stdin = try TestPKI.runProcess(binary, ["cert", "inspect", "-", "--json"], stdin: Array(header.utf8))
        XCTAssertEqual(stdin.status, 0, stdin.stderrText)
        XCTAssertEqual(try JSONDecoder().decode([CertificateSummary].self, from: Data(stdin.stdout)).first?.fingerprints, fingerprints)
    }
}
