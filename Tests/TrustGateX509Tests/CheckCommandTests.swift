import Foundation
import XCTest

@testable import TrustGateX509

/// `trustgate pki` + `trustgate check` reproduce the seeds' validation scenarios from the command line,
/// with the reason codes shown for the failing variants, and the documented exit codes (0 / 1 / 2).
final class CheckCommandTests: XCTestCase {
    var binary = ""
    var directory = URL(fileURLWithPath: "/")

    override func setUp() async throws {
        binary = try PKIInteropTests.trustgateBinary()
        directory = try makeTemporaryDirectory()
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    @discardableResult
    func run(_ arguments: [String], expect status: Int32, file: StaticString = #filePath, line: UInt = #line) throws -> TestPKI.ProcessResult {
        let result = try TestPKI.runProcess(binary, arguments)
        XCTAssertEqual(result.status, status, "trustgate \(arguments.joined(separator: " "))\n\(result.stdoutText)\n\(result.stderrText)", file: file, line: line)
        return result
    }

    func writePolicy(_ name: String, _ yaml: String) throws -> String {
        try yaml.write(toFile: path(name), atomically: true, encoding: .utf8)
        return path(name)
    }

    /// Checks and returns the reason codes of the JSON verdict.
    func check(_ policy: String, _ certificate: String, extra: [String] = [], expect status: Int32,
               file: StaticString = #filePath, line: UInt = #line) throws -> [String] {
        let result = try run(["check", "--policy", policy, certificate, "--json"] + extra, expect: status, file: file, line: line)
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [String: Any]
        XCTAssertEqual(object?["accepted"] as? Bool, status == 0, file: file, line: line)
        return ((object?["reasons"] as? [[String: Any]]) ?? []).compactMap { $0["code"] as? String }
    }

    func testSeedScenariosFromTheCommandLine() throws {
        let ca = path("ca")
        try run(["pki", "init-ca", "--dir", ca, "--name", "CN=Contoso Root CA, O=Contoso", "--intermediate",
                 "--intermediate-name", "CN=Contoso Issuing CA, O=Contoso"], expect: 0)
        try run(["pki", "issue", "--ca", ca, "--type", "client", "--subject", "CN=b2c-api-connector, O=Contoso",
                 "--uri", "spiffe://contoso/b2c", "--out", path("client")], expect: 0)
        try run(["pki", "issue", "--ca", ca, "--type", "client", "--cn", "old-client", "--not-before", "2020-01-01T00:00:00Z",
                 "--not-after", "2021-01-01T00:00:00Z", "--out", path("expired")], expect: 0)
        try run(["pki", "issue", "--ca", ca, "--type", "client", "--cn", "stolen", "--out", path("stolen")], expect: 0)
        try run(["pki", "revoke", "--ca", ca, "--cert", path("stolen.pem"), "--reason", "keyCompromise"], expect: 0)
        try run(["pki", "crl", "--ca", ca, "--out", path("crl.pem")], expect: 0)
        let otherCA = path("other-ca")
        try run(["pki", "init-ca", "--dir", otherCA, "--name", "CN=Fabrikam Root CA"], expect: 0)
        try run(["pki", "issue", "--ca", otherCA, "--type", "client", "--cn", "b2c-api-connector", "--out", path("foreign")], expect: 0)
        let client = try CertificateDecoder.certificates(contentsOfFile: path("client.pem"))
        let thumbprint = CertificateFingerprints(client[0]).sha1Hex
        XCTAssertTrue(try run(["cert", "inspect", path("client.pem")], expect: 0).stdoutText.contains(thumbprint),
                      "cert inspect shows the SHA-1 thumbprint the policy uses")

        // Seed 003 / 000: thumbprint check (chain verified, revocation on: Verify()).
        let thumbprintPolicy = try writePolicy("thumbprint.yaml", """
            trust:
              anchors: [ca/root.pem]
            revocation: { mode: chain, crls: [crl.pem] }
            identity:
              identities:
                - thumbprint: "\(thumbprint)"
            """)
        XCTAssertEqual(try check(thumbprintPolicy, path("client-chain.pem"), expect: 0), [])
        XCTAssertEqual(try check(thumbprintPolicy, path("expired-chain.pem"), expect: 1), ["expired", "identity_mismatch"])
        XCTAssertEqual(try check(thumbprintPolicy, path("stolen-chain.pem"), expect: 1), ["revoked", "identity_mismatch"])
        XCTAssertEqual(try check(thumbprintPolicy, path("foreign-chain.pem"), expect: 1), ["untrusted_issuer", "identity_mismatch"])

        // Seed 003: issuer + subject check.
        let subjectPolicy = try writePolicy("subject.yaml", """
            trust: { anchors: [ca/root.pem] }
            identity:
              issuer_subject: "CN=Contoso Issuing CA,O=Contoso"
              subject: "cn=b2c-api-connector,  o=contoso"
            """)
        XCTAssertEqual(try check(subjectPolicy, path("client-chain.pem"), expect: 0), [])
        XCTAssertEqual(try check(subjectPolicy, path("stolen-chain.pem"), expect: 1), ["identity_mismatch"], "revocation off: VerifyNoRevocation()")

        // Wrong issuer: only the other CA is trusted here.
        let wrongIssuerPolicy = try writePolicy("wrong-issuer.yaml", """
            trust: { anchors: [other-ca/root.pem] }
            identity: { issuer_subject: "CN=Fabrikam Root CA" }
            """)
        XCTAssertEqual(try check(wrongIssuerPolicy, path("client-chain.pem"), expect: 1), ["untrusted_issuer", "identity_mismatch"])
        XCTAssertEqual(try check(wrongIssuerPolicy, path("foreign-chain.pem"), expect: 0), [])

        // Uploaded-certificates allow-list and SPIFFE ID.
        try FileManager.default.createDirectory(atPath: path("uploaded"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: path("client.pem"), toPath: path("uploaded/client.pem"))
        let allowList = try writePolicy("allow.yaml", """
            trust: { anchors: [ca/] }
            identity:
              allowed_certificates: [uploaded/]
            """)
        XCTAssertEqual(try check(allowList, path("client-chain.pem"), expect: 0), [])
        XCTAssertEqual(try check(allowList, path("stolen-chain.pem"), expect: 1), ["identity_mismatch"])
        let spiffe = try writePolicy("spiffe.yaml", """
            trust: { anchors: [ca/root.pem] }
            identity:
              identities:
                - uri: spiffe://contoso/b2c
            """)
        XCTAssertEqual(try check(spiffe, path("client-chain.pem"), expect: 0), [])
        XCTAssertEqual(try check(spiffe, path("stolen-chain.pem"), expect: 1), ["identity_mismatch"])

        // --at moves the evaluation time: the valid client is expired in 2100, the expired one valid in 2020.
        XCTAssertEqual(try check(subjectPolicy, path("client-chain.pem"), extra: ["--at", "2100-01-01T00:00:00Z"], expect: 1), ["expired", "expired", "expired"], "leaf, issuing CA and root have all expired by then")

        // Human output names the reason and the chain.
        let text = try run(["check", "--policy", thumbprintPolicy, path("stolen-chain.pem")], expect: 1).stdoutText
        XCTAssertTrue(text.contains("REJECTED"))
        XCTAssertTrue(text.contains("revoked:"))
        XCTAssertTrue(text.contains("Contoso Issuing CA"))
    }

    func testTheCertificateCanComeFromStandardInput() throws {
        let ca = path("ca")
        try run(["pki", "init-ca", "--dir", ca, "--name", "CN=Stdin Root"], expect: 0)
        try run(["pki", "issue", "--ca", ca, "--type", "client", "--cn", "piped", "--out", path("piped")], expect: 0)
        let policy = try writePolicy("stdin.yaml", "trust: { anchors: [\(ca)/root.pem] }\nrevocation: { mode: off }\n")
        let pem = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path("piped.pem"))))
        let accepted = try TestPKI.runProcess(binary, ["check", "--policy", policy, "-", "--json"], stdin: pem)
        XCTAssertEqual(accepted.status, 0, accepted.stderrText)
        let verdict = try JSONSerialization.jsonObject(with: Data(accepted.stdout)) as? [String: Any]
        XCTAssertEqual(verdict?["accepted"] as? Bool, true, accepted.stdoutText)
        let empty = try TestPKI.runProcess(binary, ["check", "--policy", policy, "-"], stdin: [])
        XCTAssertEqual(empty.status, 2, "nothing on standard input is an input error: \(empty.stderrText)")
    }

    func testPFXWithPasswordFromTheEnvironment() throws {
        let ca = path("ca")
        try run(["pki", "init-ca", "--dir", ca], expect: 0)
        try run(["pki", "issue", "--ca", ca, "--type", "client", "--cn", "pfx-client", "--out", path("client")], expect: 0)
        try TestPKI.openssl(["pkcs12", "-export", "-in", path("client-chain.pem"), "-inkey", path("client.key"),
                             "-out", path("client.pfx"), "-passout", "pass:s3cret pass"])
        let policy = try writePolicy("policy.yaml", "trust: { anchors: [ca/root.pem] }\n")
        let accepted = try TestPKI.runProcess(binary, ["check", "--policy", policy, path("client.pfx"), "--password-env", "TG_PFX_PASSWORD"],
                                              environment: ["TG_PFX_PASSWORD": "s3cret pass"])
        XCTAssertEqual(accepted.status, 0, accepted.stderrText)
        let wrong = try TestPKI.runProcess(binary, ["check", "--policy", policy, path("client.pfx"), "--password-env", "TG_PFX_PASSWORD"],
                                           environment: ["TG_PFX_PASSWORD": "nope"])
        XCTAssertEqual(wrong.status, 2)
        XCTAssertTrue(wrong.stderrText.lowercased().contains("password"), wrong.stderrText)
        XCTAssertFalse(wrong.stderrText.contains("nope"), "the password is never echoed")
        try run(["check", "--policy", policy, path("client.pfx"), "--password-env", "TG_UNSET_VARIABLE_FOR_TEST"], expect: 2)
    }

    func testUsageAndInputErrorsExitWithTwo() throws {
        let root = try TestPKI.makeRoot()
        try TestPKI.pem([root.certificate]).write(toFile: path("root.pem"), atomically: true, encoding: .utf8)
        let good = try writePolicy("good.yaml", "trust: { anchors: [root.pem] }\n")
        try "garbage".write(toFile: path("garbage.pem"), atomically: true, encoding: .utf8)

        try run(["check", "--policy", good], expect: 2)  // missing CERT
        try run(["check", "--policy", good, path("garbage.pem")], expect: 2)
        try run(["check", "--policy", good, path("missing.pem")], expect: 2)
        try run(["check", "--policy", good, path("root.pem"), "--at", "yesterday"], expect: 2)
        try run(["check", "--no-such-flag"], expect: 2)

        let typo = try writePolicy("typo.yaml", "trust:\n  anchors: [root.pem]\nrevocaton:\n  mode: chain\n")
        let error = try run(["check", "--policy", typo, path("root.pem")], expect: 2).stderrText
        XCTAssertTrue(error.contains("typo.yaml:3"), error)
        XCTAssertTrue(error.contains("revocaton"), error)
        XCTAssertFalse(error.contains("Fatal error"), error)
    }
}
