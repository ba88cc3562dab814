import Foundation
import TrustGateConfiguration
import X509
import XCTest

@testable import TrustGateX509

/// The YAML policy schema: every key read into typed settings, every error located by file, line and key.
final class CertificatePolicyConfigurationTests: XCTestCase {
    var directory = URL(fileURLWithPath: "/")
    var root: TestPKI.Identity!

    override func setUp() async throws {
        directory = try makeTemporaryDirectory()
        root = try TestPKI.makeRoot()
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("cas"), withIntermediateDirectories: true)
        try TestPKI.pem([root.certificate]).write(to: directory.appendingPathComponent("cas/root.pem"), atomically: true, encoding: .utf8)
        try "not a certificate".write(to: directory.appendingPathComponent("cas/README.txt"), atomically: true, encoding: .utf8)
        let crl = try CertificateRevocationListBuilder(issuerCertificate: root.certificate, thisUpdate: Date(), nextUpdate: Date().addingTimeInterval(86_400), crlNumber: 3, entries: []).signed(with: root.key)
        try Data(crl).write(to: directory.appendingPathComponent("root.crl"))
    }

    func parse(_ yaml: String) throws -> CertificatePolicySettings {
        let file = directory.appendingPathComponent("policy.yaml").path
        try yaml.write(toFile: file, atomically: true, encoding: .utf8)
        return try CertificatePolicyConfiguration.load(contentsOfFile: file)
    }

    func assertError(_ yaml: String, line: Int?, keyPath: String, contains text: String, file: StaticString = #filePath, sourceLine: UInt = #line) {
        XCTAssertThrowsError(try parse(yaml), file: file, line: sourceLine) { error in
            guard let error = error as? ConfigurationError else { return XCTFail("not a ConfigurationError: \(error)", file: file, line: sourceLine) }
            XCTAssertTrue(error.file.hasSuffix("policy.yaml"), file: file, line: sourceLine)
            XCTAssertEqual(error.line, line, "\(error)", file: file, line: sourceLine)
            XCTAssertEqual(error.keyPath, keyPath, "\(error)", file: file, line: sourceLine)
            XCTAssertTrue(error.problem.contains(text), "\(error)", file: file, line: sourceLine)
        }
    }

    func testFullSchema() throws {
        let settings = try parse("""
            trust:
              anchors: [cas/]
              intermediates: []
              max_depth: 3
            validity:
              clock_skew: 2m
            usage:
              require_client_auth: false
            revocation:
              mode: chain
              crls: root.crl
              require_crl: true
              stale_crl: warn
            identity:
              issuer_subject: "CN=TrustGate Test Root CA, O=TrustGate Tests, C=US"
              identities:
                - thumbprint: "ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01"
                - subject: "CN=orders, O=Contoso"
                  serial_number: "0a:1b"
                - uri: spiffe://example.org/orders
                  ip: "::1"
                - spki_sha256: "\(Data(repeating: 1, count: 32).base64EncodedString())"
            pinned_self_signed:
              - thumbprint: "\(String(repeating: "b", count: 64))"
              - certificate: cas/root.pem
            cache:
              ttl: 90s
            """)
        XCTAssertEqual(settings.trustAnchors, [root.certificate], "the directory contributes its certificate files only")
        XCTAssertEqual(settings.maxDepth, 3)
        XCTAssertEqual(settings.clockSkew, 120)
        XCTAssertNil(settings.requiredKeyPurpose)
        XCTAssertEqual(settings.revocation, RevocationSettings(mode: .chain, requireCRL: true, staleCRL: .warn))
        XCTAssertEqual(settings.crls.count, 1)
        XCTAssertEqual(settings.identity.required.issuerSubject, root.certificate.subject)
        XCTAssertEqual(settings.identity.identities.count, 4)
        XCTAssertEqual(settings.identity.identities[0].thumbprint, "ABCDEF0123456789ABCDEF0123456789ABCDEF01")
        XCTAssertEqual(settings.identity.identities[1].serialNumber, "0A1B")
        XCTAssertEqual(settings.identity.identities[2].ipAddress, Array(repeating: 0, count: 15) + [1])
        XCTAssertEqual(settings.identity.identities[3].spkiSHA256, Array(repeating: 1, count: 32))
        XCTAssertEqual(settings.pinnedSelfSigned.thumbprints, [String(repeating: "B", count: 64), CertificateFingerprints(root.certificate).sha256Hex])
        XCTAssertEqual(settings.cacheTTL, 90)
    }

    func testDefaultsAreSafe() throws {
        let settings = try parse("trust: { anchors: [cas/root.pem] }")
        XCTAssertEqual(settings.requiredKeyPurpose, .clientAuth)
        XCTAssertEqual(settings.clockSkew, 60)
        XCTAssertEqual(settings.maxDepth, 4)
        XCTAssertEqual(settings.revocation.staleCRL, .fail)
    }

    func testErrorsNameFileLineAndKey() {
        assertError("trust: { anchors: [cas/root.pem] }\nrevocaton: {}\n", line: 2, keyPath: "revocaton", contains: "unknown key")
        assertError("trust:\n  anchors: [cas/root.pem]\nrevocation:\n  mode: sometimes\n", line: 4, keyPath: "revocation.mode", contains: "off, leaf, chain")
        assertError("trust:\n  anchors:\n    - cas/root.pem\n    - missing.pem\n", line: 4, keyPath: "trust.anchors[1]", contains: "does not exist")
        assertError("trust:\n  anchors: [cas/README.txt]\n", line: 2, keyPath: "trust.anchors[0]", contains: "README.txt")
        assertError("trust:\n  anchors: [cas/root.pem]\n  max_depth: 0\n", line: 3, keyPath: "trust.max_depth", contains: "between 1 and 16")
        assertError("trust: { anchors: [cas/root.pem] }\nidentity:\n  identities:\n    - thumbprint: abc\n", line: 4, keyPath: "identity.identities[0].thumbprint", contains: "40 hex digits")
        assertError("trust: { anchors: [cas/root.pem] }\nidentity:\n  identities:\n    - {}\n", line: 4, keyPath: "identity.identities[0]", contains: "at least one claim")
        assertError("trust: { anchors: [cas/root.pem] }\nidentity:\n  subject: \"no equals sign\"\n", line: 3, keyPath: "identity.subject", contains: "distinguished name")
        assertError("trust: { anchors: [cas/root.pem] }\nidentity:\n  ip: 300.1.1.1\n", line: 3, keyPath: "identity.ip", contains: "IPv4 or IPv6")
        assertError("trust: { anchors: [cas/root.pem] }\nvalidity:\n  clock_skew: soon\n", line: 3, keyPath: "validity.clock_skew", contains: "duration")
        assertError("trust: { anchors: [cas/root.pem] }\nusage:\n  require_client_auth: maybe\n", line: 3, keyPath: "usage.require_client_auth", contains: "true or false")
        assertError("trust: { anchors: [cas/root.pem] }\nrevocation:\n  mode: chain\n  require_crl: true\n", line: 3, keyPath: "revocation", contains: "no CRLs")
        assertError("validity: { clock_skew: 1s }\n", line: 1, keyPath: "", contains: "no trust anchors")
        assertError("trust: [unclosed\n", line: 2, keyPath: "", contains: "invalid YAML")
        assertError("- a\n- b\n", line: 1, keyPath: "", contains: "expected a mapping")
        assertError("trust: { anchors: [cas/root.pem] }\npinned_self_signed:\n  - { thumbprint: \(String(repeating: "a", count: 40)), spki_sha256: x }\n", line: 3, keyPath: "pinned_self_signed[0]", contains: "exactly one")
    }

    func testProfileAndCRLsWithoutANumber() throws {
        // Issued by a CA the policy does not name (an intermediate only clients send), so only its form is checked here.
        var factory = CRLTestFactory(issuer: try TestPKI.name("Client-sent CA"), thisUpdate: Date(), nextUpdate: Date().addingTimeInterval(86_400))
        factory.crlNumber = nil
        try Data(try factory.derEncoded()).write(to: directory.appendingPathComponent("numberless.crl"))
        assertError("trust: { anchors: [cas/root.pem] }\nrevocation:\n  mode: leaf\n  crls: [numberless.crl]\n",
                    line: 4, keyPath: "revocation.crls[0]", contains: "no cRLNumber")
        let compatible = try parse("trust: { anchors: [cas/root.pem], profile: compatible }\nrevocation:\n  mode: leaf\n  crls: [numberless.crl]\n")
        XCTAssertEqual(compatible.profile, .compatible)
        XCTAssertEqual(compatible.crls.count, 1)
        XCTAssertEqual(try parse("trust: { anchors: [cas/root.pem] }").profile, .strict)
        assertError("trust: { anchors: [cas/root.pem], profile: lax }\n", line: 1, keyPath: "trust.profile", contains: "strict, compatible")
    }

    func testACRLNotSignedByTheConfiguredCAIsAConfigurationError() throws {
        let impostorKey = try TestPKI.makeKey()
        let forged = try CertificateRevocationListBuilder(issuerCertificate: root.certificate, thisUpdate: Date(), nextUpdate: Date().addingTimeInterval(86_400), crlNumber: 1, entries: []).signed(with: impostorKey)
        try Data(forged).write(to: directory.appendingPathComponent("forged.crl"))
        assertError("trust: { anchors: [cas/root.pem] }\nrevocation:\n  mode: leaf\n  crls: [forged.crl]\n",
                    line: 4, keyPath: "revocation.crls", contains: "not validly signed")
    }

    func testBadCRLFileIsAConfigurationError() throws {
        try "-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n".write(to: directory.appendingPathComponent("bad.crl"), atomically: true, encoding: .utf8)
        assertError("trust: { anchors: [cas/root.pem] }\nrevocation:\n  mode: leaf\n  crls: [bad.crl]\n", line: 4, keyPath: "revocation.crls[0]", contains: "bad.crl")
    }
}
