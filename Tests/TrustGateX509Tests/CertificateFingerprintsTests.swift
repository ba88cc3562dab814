import Foundation
import X509
import XCTest

@testable import TrustGateX509

final class CertificateFingerprintsTests: XCTestCase {
    /// RFC 8705 Appendix A, Figure 6: the example client certificate (CN=mtls, EC P-256, self-signed).
    static let rfc8705AppendixACertificate = """
        -----BEGIN CERTIFICATE-----
        MIIBBjCBrAIBAjAKBggqhkjOPQQDAjAPMQ0wCwYDVQQDDARtdGxzMB4XDTE4MTAx
        ODEyMzcwOVoXDTIyMDUwMjEyMzcwOVowDzENMAsGA1UEAwwEbXRsczBZMBMGByqG
        SM49AgEGCCqGSM49AwEHA0IABNcnyxwqV6hY8QnhxxzFQ03C7HKW9OylMbnQZjjJ
        /Au08/coZwxS7LfA4vOLS9WuneIXhbGGWvsDSb0tH6IxLm8wCgYIKoZIzj0EAwID
        SQAwRgIhAP0RC1E+vwJD/D1AGHGzuri+hlV/PpQEKTWUVeORWz83AiEA5x2eXZOV
        bUlJSGQgjwD5vaUaKlLR50Q2DmFfQj1L+SY=
        -----END CERTIFICATE-----
        """

    // OAUTH-CHECKLIST CB-1: RFC 8705 Appendix A, Figure 5.
    func testRFC8705AppendixAThumbprint() throws {
        let certificates = try CertificateDecoder.certificates(from: Array(Self.rfc8705AppendixACertificate.utf8))
        XCTAssertEqual(certificates.count, 1)
        let fingerprints = CertificateFingerprints(certificates[0])
        XCTAssertEqual(fingerprints.x5tS256, "A4DtL2JmUMhAsvJj5tKyn64SqzmuXbMrJa0n761y5v0")
        XCTAssertFalse(fingerprints.x5tS256.contains("="))
        // The same from the raw DER bytes.
        XCTAssertEqual(try CertificateFingerprints(derBytes: certificates[0].derBytes), fingerprints)
    }

    // OAUTH-CHECKLIST CA-15: SHA-1 hex 84E05C1D… has x5t hOBcHZi846VCHSJbFAs26Go9VTQ.
    func testX5TFromSHA1Hex() throws {
        let sha1 = try XCTUnwrap(CertificateFingerprints.bytes(fromHex: "84E05C1D98BCE3A5421D225B140B36E86A3D5534"))
        XCTAssertEqual(sha1.count, 20)
        XCTAssertEqual(CertificateFingerprints.base64URL(sha1), "hOBcHZi846VCHSJbFAs26Go9VTQ")
        let fingerprints = CertificateFingerprints(sha1: sha1, sha256: [], spkiSHA256: [])
        XCTAssertEqual(fingerprints.x5t, "hOBcHZi846VCHSJbFAs26Go9VTQ")
        XCTAssertEqual(fingerprints.sha1Hex, "84E05C1D98BCE3A5421D225B140B36E86A3D5534")
        // Lower case with colons, as openssl prints it, is the same thumbprint.
        XCTAssertEqual(
            CertificateFingerprints.bytes(fromHex: "84:e0:5c:1d:98:bc:e3:a5:42:1d:22:5b:14:0b:36:e8:6a:3d:55:34"), sha1)
    }

    func testBase64URLIsUnpaddedAndURLSafe() {
        XCTAssertEqual(CertificateFingerprints.base64URL([0xFB, 0xFF]), "-_8")
        XCTAssertEqual(CertificateFingerprints.base64URL([]), "")
        XCTAssertEqual(CertificateFingerprints.base64URL(Array("f".utf8)), "Zg")
    }

    func testNormalizedHex() {
        XCTAssertEqual(CertificateFingerprints.normalizedHex("ab:cd ef-01"), "ABCDEF01")
        // Windows' certificate dialog prefixes a copied thumbprint with U+200E.
        XCTAssertEqual(CertificateFingerprints.normalizedHex("\u{200E}30 75 7a 2e"), "30757A2E")
        XCTAssertNotEqual(CertificateFingerprints.normalizedHex("30757A2F"), CertificateFingerprints.normalizedHex("30757A2E"))
        XCTAssertNil(CertificateFingerprints.bytes(fromHex: "ABC"))
        XCTAssertNil(CertificateFingerprints.bytes(fromHex: "ZZ"))
    }

    func testInitFromDERRejectsNonCertificates() {
        XCTAssertThrowsError(try CertificateFingerprints(derBytes: [0x30, 0x03, 0x02, 0x01, 0x01])) { error in
            guard (error as? CertificateLoadingError)?.code == .malformedCertificate else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try CertificateFingerprints(derBytes: Array("garbage".utf8)))
    }

    func testJSONCarriesTextualForms() throws {
        let leaf = try TestPKI.makeLeaf(issuer: nil).certificate
        let fingerprints = CertificateFingerprints(leaf)
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(fingerprints)) as? [String: String]
        XCTAssertEqual(json?["sha1"], fingerprints.sha1Hex)
        XCTAssertEqual(json?["sha256"], fingerprints.sha256Hex)
        XCTAssertEqual(json?["spkiSHA256"], fingerprints.spkiSHA256Base64)
        XCTAssertEqual(json?["x5t"], fingerprints.x5t)
        XCTAssertEqual(json?["x5tS256"], fingerprints.x5tS256)
        let decoded = try JSONDecoder().decode(CertificateFingerprints.self, from: JSONEncoder().encode(fingerprints))
        XCTAssertEqual(decoded, fingerprints)
    }

    func testDifferentCertificatesSameKeyShareOnlyTheSPKIPin() throws {
        let key = try TestPKI.makeKey()
        let first = CertificateFingerprints(try TestPKI.makeLeaf(issuer: nil, key: key).certificate)
        let second = CertificateFingerprints(try TestPKI.makeLeaf(issuer: nil, key: key).certificate)
        XCTAssertNotEqual(first.sha256, second.sha256)
        XCTAssertEqual(first.spkiSHA256, second.spkiSHA256)
    }

    /// Cross-check every digest against OpenSSL for an EC, an RSA and an Ed25519 certificate.
    func testAgainstOpenSSL() throws {
        let directory = try makeTemporaryDirectory()
        let root = try TestPKI.makeRoot()
        for kind in [TestPKI.KeyKind.p256, .rsa2048, .ed25519, .p384] {
            let leaf = try TestPKI.makeLeaf(issuer: root, key: try TestPKI.makeKey(kind)).certificate
            let file = directory.appendingPathComponent("leaf-\(kind).pem")
            try TestPKI.pem([leaf]).write(to: file, atomically: true, encoding: .utf8)
            let fingerprints = CertificateFingerprints(leaf)

            let sha1 = try TestPKI.openssl(["x509", "-in", file.path, "-noout", "-fingerprint", "-sha1"]).stdoutText
            XCTAssertEqual(Self.opensslFingerprint(sha1), fingerprints.sha1Hex, "\(kind)")
            let sha256 = try TestPKI.openssl(["x509", "-in", file.path, "-noout", "-fingerprint", "-sha256"]).stdoutText
            XCTAssertEqual(Self.opensslFingerprint(sha256), fingerprints.sha256Hex, "\(kind)")

            // openssl x509 -pubkey | openssl pkey -pubin -outform DER | openssl dgst -sha256 -binary | base64
            let publicKeyPEM = try TestPKI.openssl(["x509", "-in", file.path, "-noout", "-pubkey"]).stdout
            let spkiDER = try TestPKI.openssl(["pkey", "-pubin", "-outform", "DER"], stdin: publicKeyPEM).stdout
            let digest = try TestPKI.openssl(["dgst", "-sha256", "-binary"], stdin: spkiDER).stdout
            let base64 = try TestPKI.openssl(["base64"], stdin: digest).stdoutText
            XCTAssertEqual(base64.trimmingCharacters(in: .whitespacesAndNewlines), fingerprints.spkiSHA256Base64, "\(kind)")
        }
    }

    /// "sha1 Fingerprint=AB:CD:…" → "ABCD…".
    private static func opensslFingerprint(_ line: String) -> String {
        let value = line.split(separator: "=", maxSplits: 1).last.map(String.init) ?? ""
        return CertificateFingerprints.normalizedHex(value.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
