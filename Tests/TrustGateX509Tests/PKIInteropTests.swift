import Foundation
import X509
import XCTest

@testable import TrustGateX509

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Cross-checks of `trustgate pki` with real tools: `openssl verify` accepts the chains it issues, `openssl crl`
/// reads its CRLs, `-crl_check` honours them, and an issued client certificate authenticates with curl against
/// `openssl s_server` requiring one. The CLI tests run the built `trustgate` binary.
final class PKIInteropTests: XCTestCase {
    // MARK: - Chains

    func testOpenSSLVerifiesIssuedChainsForEveryCAShape() throws {
        let base = try makeTemporaryDirectory().path
        for (key, intermediate) in [(KeyAlgorithm.ecP256, true), (.ecP256, false), (.rsa2048, true), (.rsa2048, false)] {
            let label = "\(key)-\(intermediate ? "intermediate" : "root-only")"
            let directory = base + "/" + label
            let ca = try makeCA(directory, key: key, intermediate: intermediate)
            // RSA leaves under the RSA CAs exercise RSA all the way down.
            let client = try ca.issue(request(.client, cn: "client-\(label)", key: key))
            let server = try ca.issue(request(.server, cn: "localhost", key: .ecP256, names: [.dnsName("localhost")]))
            try write(client, to: directory + "/client")
            try write(server, to: directory + "/server")

            let root = directory + "/root.pem"
            let clientResult = try TestPKI.runProcess("openssl", [
                "verify", "-CAfile", root, "-untrusted", directory + "/client-chain.pem", "-purpose", "sslclient",
                directory + "/client.pem",
            ])
            XCTAssertEqual(clientResult.status, 0, "\(label): \(clientResult.stdoutText)\(clientResult.stderrText)")
            XCTAssertTrue(clientResult.stdoutText.contains("client.pem: OK"), label)

            let serverResult = try TestPKI.runProcess("openssl", [
                "verify", "-CAfile", root, "-untrusted", directory + "/server-chain.pem", "-purpose", "sslserver",
                directory + "/server.pem",
            ])
            XCTAssertEqual(serverResult.status, 0, "\(label): \(serverResult.stdoutText)\(serverResult.stderrText)")

            // The EKU is real: a client certificate is not accepted for a server.
            let misuse = try TestPKI.runProcess("openssl", [
                "verify", "-CAfile", root, "-untrusted", directory + "/client-chain.pem", "-purpose", "sslserver",
                directory + "/client.pem",
            ])
            XCTAssertNotEqual(misuse.status, 0, label)
            XCTAssertTrue((misuse.stdoutText + misuse.stderrText).contains("unsuitable certificate purpose"), label)
        }
    }

    func testOpenSSLShowsTheRequestedNamesUsagesAndValidity() throws {
        let directory = try makeTemporaryDirectory().path
        let ca = try makeCA(directory, key: .ecP256, intermediate: true)
        let validity = try ValidityPeriod(notBefore: try PKIDate.parse("2025-03-01T08:30:00Z"), notAfter: try PKIDate.parse("2025-09-01"))
        let issued = try ca.issue(IssuanceRequest(
            profile: .client,
            subject: try DistinguishedName(parsing: "CN=billing, OU=Payments, O=Example"),
            subjectAlternativeNames: [
                try SubjectAlternativeNameText.dnsName("billing.example.com"),
                try SubjectAlternativeNameText.uri("spiffe://example.org/ns/prod/sa/billing"),
                try SubjectAlternativeNameText.email("billing@example.com"),
                try SubjectAlternativeNameText.ipAddress("10.1.2.3"),
                try SubjectAlternativeNameText.ipAddress("2001:db8::1"),
            ],
            extendedKeyUsages: [.clientAuth, .emailProtection],
            validity: validity))
        try write(issued, to: directory + "/billing")

        let text = try TestPKI.openssl(["x509", "-in", directory + "/billing.pem", "-noout", "-text"]).stdoutText
        for expected in [
            "Version: 3 (0x2)",
            "Subject: O = Example, OU = Payments, CN = billing",
            "Not Before: Mar  1 08:30:00 2025 GMT",
            "Not After : Sep  1 00:00:00 2025 GMT",
            "X509v3 Basic Constraints: critical\n                CA:FALSE",
            "X509v3 Key Usage: critical\n                Digital Signature",
            "TLS Web Client Authentication, E-mail Protection",
            "DNS:billing.example.com, URI:spiffe://example.org/ns/prod/sa/billing, email:billing@example.com, "
                + "IP Address:10.1.2.3, IP Address:2001:DB8:0:0:0:0:0:1",
            "X509v3 Subject Key Identifier",
            "X509v3 Authority Key Identifier",
        ] {
            XCTAssertTrue(text.contains(expected), "missing \(expected.debugDescription) in:\n\(text)")
        }
        let serial = try TestPKI.openssl(["x509", "-in", directory + "/billing.pem", "-noout", "-serial"]).stdoutText
        XCTAssertEqual(serial.trimmingCharacters(in: .whitespacesAndNewlines), "serial=\(issued.serialNumberHex)")
    }

    // MARK: - CRLs

    func testOpenSSLReadsTheCRLAndRejectsOnlyTheRevokedCertificate() throws {
        let directory = try makeTemporaryDirectory().path
        let ca = try makeCA(directory, key: .ecP256, intermediate: true)
        let revoked = try ca.issue(request(.client, cn: "revoked"))
        let good = try ca.issue(request(.client, cn: "good"))
        try write(revoked, to: directory + "/revoked")
        try write(good, to: directory + "/good")
        _ = try ca.revoke(certificate: revoked.certificate, reason: .keyCompromise)
        let crl = try ca.makeCRL(validity: 7 * 86_400)
        try SecureFileWriter.write(crl.pemString, to: directory + "/crl.pem", mode: 0o644, overwrite: false)

        let text = try TestPKI.openssl(["crl", "-in", directory + "/crl.pem", "-noout", "-text"]).stdoutText
        for expected in [
            "Version 2 (0x1)",
            "Signature Algorithm: ecdsa-with-SHA256",
            "Issuer: O = TrustGate Tests, CN = Interop Issuing CA",
            "X509v3 Authority Key Identifier",
            "X509v3 CRL Number: \n                1",
            "Serial Number: \(revoked.serialNumberHex)",
            "X509v3 CRL Reason Code: \n                Key Compromise",
        ] {
            XCTAssertTrue(text.contains(expected), "missing \(expected.debugDescription) in:\n\(text)")
        }
        XCTAssertFalse(text.contains(good.serialNumberHex))

        let signature = try TestPKI.runProcess("openssl", [
            "crl", "-in", directory + "/crl.pem", "-CAfile", directory + "/intermediate.pem", "-noout",
        ])
        XCTAssertTrue((signature.stdoutText + signature.stderrText).contains("verify OK"), signature.stderrText)

        let rejected = try TestPKI.runProcess("openssl", [
            "verify", "-crl_check", "-CRLfile", directory + "/crl.pem", "-CAfile", directory + "/root.pem",
            "-untrusted", directory + "/revoked-chain.pem", directory + "/revoked.pem",
        ])
        XCTAssertNotEqual(rejected.status, 0)
        XCTAssertTrue((rejected.stdoutText + rejected.stderrText).contains("certificate revoked"), rejected.stderrText)

        let accepted = try TestPKI.runProcess("openssl", [
            "verify", "-crl_check", "-CRLfile", directory + "/crl.pem", "-CAfile", directory + "/root.pem",
            "-untrusted", directory + "/good-chain.pem", directory + "/good.pem",
        ])
        XCTAssertEqual(accepted.status, 0, accepted.stdoutText + accepted.stderrText)

        // Checking the whole chain needs the root's CRL too; once the intermediate is revoked, every leaf under it fails.
        let checkAll = [
            "verify", "-crl_check_all", "-CRLfile", directory + "/crls.pem", "-CAfile", directory + "/root.pem",
            "-untrusted", directory + "/good-chain.pem", directory + "/good.pem",
        ]
        let emptyRootCRL = try ca.makeCRL(validity: 86_400, signer: .root)
        try SecureFileWriter.write(emptyRootCRL.pemString + crl.pemString, to: directory + "/crls.pem", mode: 0o644, overwrite: false)
        let chainAccepted = try TestPKI.runProcess("openssl", checkAll)
        XCTAssertEqual(chainAccepted.status, 0, chainAccepted.stdoutText + chainAccepted.stderrText)

        _ = try ca.revoke(certificate: try XCTUnwrap(ca.intermediate), reason: .cACompromise)
        let rootCRL = try ca.makeCRL(validity: 86_400, signer: .root)
        try SecureFileWriter.write(rootCRL.pemString + crl.pemString, to: directory + "/crls.pem", mode: 0o644, overwrite: true)
        let chainRejected = try TestPKI.runProcess("openssl", checkAll)
        XCTAssertNotEqual(chainRejected.status, 0)
        XCTAssertTrue((chainRejected.stdoutText + chainRejected.stderrText).contains("error 23 at 1 depth"), chainRejected.stdoutText)
    }

    func testOpenSSLReadsADERCRLOfAnRSARoot() throws {
        let directory = try makeTemporaryDirectory().path
        let ca = try makeCA(directory, key: .rsa2048, intermediate: false)
        let revoked = try ca.issue(request(.server, cn: "localhost", key: .ecP256))
        try write(revoked, to: directory + "/revoked")
        _ = try ca.revoke(certificate: revoked.certificate, reason: .superseded)
        _ = try ca.makeCRL(validity: 86_400)  // number 1
        let crl = try ca.makeCRL(validity: 86_400)
        try SecureFileWriter.write(crl.derBytes, to: directory + "/crl.der", mode: 0o644, overwrite: false)

        let text = try TestPKI.openssl(["crl", "-inform", "DER", "-in", directory + "/crl.der", "-noout", "-text"]).stdoutText
        XCTAssertTrue(text.contains("Signature Algorithm: sha256WithRSAEncryption"), text)
        XCTAssertTrue(text.contains("X509v3 CRL Number: \n                2"), text)
        XCTAssertTrue(text.contains("Superseded"), text)

        try TestPKI.openssl(["crl", "-inform", "DER", "-in", directory + "/crl.der", "-out", directory + "/crl.pem"])
        let rejected = try TestPKI.runProcess("openssl", [
            "verify", "-crl_check", "-CRLfile", directory + "/crl.pem", "-CAfile", directory + "/root.pem", directory + "/revoked.pem",
        ])
        XCTAssertNotEqual(rejected.status, 0)
        XCTAssertTrue((rejected.stdoutText + rejected.stderrText).contains("certificate revoked"))
    }

    // MARK: - TLS with curl

    func testIssuedClientCertificateAuthenticatesWithCurl() throws {
        guard TestPKI.which("curl") != nil, TestPKI.which("openssl") != nil else {
            throw XCTSkip("curl and openssl are needed for the mutual TLS cross-check")
        }
        let directory = try makeTemporaryDirectory().path
        let ca = try makeCA(directory, key: .ecP256, intermediate: true)
        let server = try ca.issue(request(.server, cn: "localhost", names: [.dnsName("localhost"), try SubjectAlternativeNameText.ipAddress("127.0.0.1")]))
        let client = try ca.issue(request(.client, cn: "curl-client"))
        try write(server, to: directory + "/server")
        try write(client, to: directory + "/client")

        let port = try Self.freePort()
        let serverProcess = Process()
        serverProcess.executableURL = URL(fileURLWithPath: try XCTUnwrap(TestPKI.which("openssl")))
        serverProcess.arguments = [
            "s_server", "-accept", "127.0.0.1:\(port)",
            "-cert", directory + "/server.pem", "-key", directory + "/server.key",
            "-cert_chain", directory + "/intermediate.pem",
            "-CAfile", directory + "/root.pem", "-Verify", "2", "-verify_return_error", "-www",
        ]
        serverProcess.standardInput = FileHandle.nullDevice
        serverProcess.standardOutput = FileHandle.nullDevice
        serverProcess.standardError = FileHandle.nullDevice
        try serverProcess.run()
        defer {
            serverProcess.terminate()
            serverProcess.waitUntilExit()
        }
        try Self.waitUntilListening(port: port, timeout: 10)

        let url = "https://127.0.0.1:\(port)/"
        let withCertificate = try TestPKI.runProcess("curl", [
            "--silent", "--show-error", "--fail", "--max-time", "10",
            "--cacert", directory + "/root.pem",
            "--cert", directory + "/client-chain.pem", "--key", directory + "/client.key", url,
        ])
        XCTAssertEqual(withCertificate.status, 0, withCertificate.stderrText)
        XCTAssertTrue(withCertificate.stdoutText.contains("s_server"), withCertificate.stdoutText)

        let withoutCertificate = try TestPKI.runProcess("curl", [
            "--silent", "--show-error", "--fail", "--max-time", "10", "--cacert", directory + "/root.pem", url,
        ])
        XCTAssertNotEqual(withoutCertificate.status, 0, "the server requires a client certificate")
    }

    // MARK: - The CLI

    func testCLIIssuesRevokesAndPublishesACRL() throws {
        let binary = try Self.trustgateBinary()
        let work = try makeTemporaryDirectory().path
        let ca = work + "/ca"

        let initCA = try cli(binary, ["pki", "init-ca", "--dir", ca, "--name", "CN=CLI Root CA, O=Example",
                                      "--intermediate", "--intermediate-name", "CN=CLI Issuing CA, O=Example", "--days", "30"])
        XCTAssertTrue(initCA.stdoutText.contains("CN=CLI Issuing CA, O=Example"), initCA.stdoutText)
        for file in ["root.pem", "root.key", "intermediate.pem", "intermediate.key", "state.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: ca + "/" + file), file)
        }

        try cli(binary, ["pki", "issue", "--ca", ca, "--type", "client", "--cn", "alice", "--dns", "alice.example.com",
                         "--uri", "spiffe://example.org/alice", "--email", "alice@example.com", "--ip", "192.0.2.7",
                         "--days", "7", "--out", work + "/alice"])
        try cli(binary, ["pki", "issue", "--ca", ca, "--type", "client", "--subject", "CN=bob, O=Example",
                         "--key", "rsa-2048", "--out", work + "/bob.pem"])
        try cli(binary, ["pki", "issue", "--ca", ca, "--type", "server", "--cn", "localhost", "--ip", "127.0.0.1",
                         "--out", work + "/server"])

        for key in ["alice.key", "bob.key", "server.key"] {
            XCTAssertEqual(try Self.statMode(work + "/" + key), "600", key)
        }
        XCTAssertEqual(try Self.statMode(ca + "/root.key"), "600")
        XCTAssertEqual(try Self.statMode(ca + "/intermediate.key"), "600")

        for (leaf, purpose) in [("alice", "sslclient"), ("bob", "sslclient"), ("server", "sslserver")] {
            let verified = try TestPKI.runProcess("openssl", [
                "verify", "-CAfile", ca + "/root.pem", "-untrusted", "\(work)/\(leaf)-chain.pem", "-purpose", purpose,
                "\(work)/\(leaf).pem",
            ])
            XCTAssertEqual(verified.status, 0, "\(leaf): \(verified.stdoutText)\(verified.stderrText)")
        }
        let alice = try XCTUnwrap(CertificateDecoder.certificates(contentsOfFile: work + "/alice.pem").first)
        XCTAssertEqual(alice.notValidAfter.timeIntervalSince(alice.notValidBefore), 7 * 86_400)
        XCTAssertEqual(try alice.extensions.extendedKeyUsage, try ExtendedKeyUsage([.clientAuth]))
        XCTAssertEqual(try alice.extensions.subjectAlternativeNames?.count, 4)
        let chain = try CertificateDecoder.certificates(contentsOfFile: work + "/alice-chain.pem")
        XCTAssertEqual(chain.count, 2, "leaf and intermediate, no root")
        XCTAssertEqual(chain.first, alice)
        let bob = try XCTUnwrap(CertificateDecoder.certificates(contentsOfFile: work + "/bob.pem").first)
        XCTAssertEqual(bob.subject.displayString, "CN=bob, O=Example")
        XCTAssertEqual(KeyAlgorithm(of: bob.publicKey), .rsa2048)

        // Revoke one by file, one by serial (as openssl prints it, with colons and lower case).
        let revokeAlice = try cli(binary, ["pki", "revoke", "--ca", ca, "--cert", work + "/alice.pem", "--reason", "keyCompromise"])
        XCTAssertTrue(revokeAlice.stdoutText.contains("revoked serial \(SerialNumberText.hex(alice.serialNumber))"))
        let bobSerial = Self.colonSeparated(SerialNumberText.hex(bob.serialNumber)).lowercased()
        try cli(binary, ["pki", "revoke", "--ca", ca, "--serial", bobSerial, "--reason", "superseded"])
        let repeated = try cli(binary, ["pki", "revoke", "--ca", ca, "--serial", bobSerial])
        XCTAssertTrue(repeated.stderrText.contains("already revoked"), repeated.stderrText)

        try cli(binary, ["pki", "crl", "--ca", ca, "--days", "3", "--out", work + "/crl.pem"])
        try cli(binary, ["pki", "crl", "--ca", ca, "--out", work + "/crl.der", "--der"])
        let text = try TestPKI.openssl(["crl", "-in", work + "/crl.pem", "-noout", "-text"]).stdoutText
        XCTAssertTrue(text.contains("Serial Number: \(SerialNumberText.hex(alice.serialNumber))"), text)
        XCTAssertTrue(text.contains("Serial Number: \(SerialNumberText.hex(bob.serialNumber))"), text)
        XCTAssertTrue(text.contains("Key Compromise") && text.contains("Superseded"), text)
        let crl = try CertificateRevocationList(derEncoded: Array(try Data(contentsOf: URL(fileURLWithPath: work + "/crl.der"))))
        XCTAssertEqual(crl.crlNumber, [2])
        XCTAssertEqual(crl.revokedCount, 2)
        let pemCRL = try XCTUnwrap(CertificateRevocationList.load(contentsOfFile: work + "/crl.pem").first)
        XCTAssertEqual(pemCRL.crlNumber, [1])
        let nextUpdate = try XCTUnwrap(pemCRL.nextUpdate)
        XCTAssertEqual(nextUpdate.timeIntervalSince(pemCRL.thisUpdate), 3 * 86_400)

        let rejected = try TestPKI.runProcess("openssl", [
            "verify", "-crl_check", "-CRLfile", work + "/crl.pem", "-CAfile", ca + "/root.pem",
            "-untrusted", work + "/alice-chain.pem", work + "/alice.pem",
        ])
        XCTAssertNotEqual(rejected.status, 0)
        let accepted = try TestPKI.runProcess("openssl", [
            "verify", "-crl_check", "-CRLfile", work + "/crl.pem", "-CAfile", ca + "/root.pem",
            "-untrusted", work + "/server-chain.pem", work + "/server.pem",
        ])
        XCTAssertEqual(accepted.status, 0, accepted.stdoutText + accepted.stderrText)

        // The intermediate goes on the root's CRL.
        try cli(binary, ["pki", "revoke", "--ca", ca, "--cert", ca + "/intermediate.pem", "--reason", "caCompromise"])
        let rootCRL = try cli(binary, ["pki", "crl", "--ca", ca, "--root", "--out", work + "/root-crl.pem"])
        XCTAssertTrue(rootCRL.stdoutText.contains("CRL number 1 of CN=CLI Root CA, O=Example: 1 revoked"), rootCRL.stdoutText)
        let rootText = try TestPKI.openssl([
            "crl", "-in", work + "/root-crl.pem", "-CAfile", ca + "/root.pem", "-noout", "-text",
        ])
        XCTAssertTrue((rootText.stdoutText + rootText.stderrText).contains("verify OK"), rootText.stderrText)
        XCTAssertTrue(rootText.stdoutText.contains("CA Compromise"), rootText.stdoutText)
    }

    func testCLIMakesExpiredAndSelfSignedCertificatesAndConvertsFormats() throws {
        let binary = try Self.trustgateBinary()
        let work = try makeTemporaryDirectory().path
        let ca = work + "/ca"
        try cli(binary, ["pki", "init-ca", "--dir", ca])
        try cli(binary, ["pki", "issue", "--ca", ca, "--type", "client", "--cn", "expired",
                         "--not-before", "2020-01-01", "--not-after", "2020-06-30T12:00:00Z", "--out", work + "/expired"])
        let expired = try TestPKI.runProcess("openssl", [
            "verify", "-CAfile", ca + "/root.pem", work + "/expired.pem",
        ])
        XCTAssertTrue((expired.stdoutText + expired.stderrText).contains("certificate has expired"), expired.stdoutText)

        let selfSigned = try cli(binary, ["pki", "self-signed", "--cn", "legacy", "--dns", "legacy.example.com", "--out", work + "/legacy"])
        XCTAssertTrue(selfSigned.stdoutText.contains("rsa-2048"))
        XCTAssertEqual(try Self.statMode(work + "/legacy.key"), "600")
        let text = try TestPKI.openssl(["x509", "-in", work + "/legacy.pem", "-noout", "-text"]).stdoutText
        XCTAssertTrue(text.contains("Public-Key: (2048 bit)"), text)
        XCTAssertTrue(text.contains("TLS Web Server Authentication, TLS Web Client Authentication"), text)
        try TestPKI.openssl(["verify", "-CAfile", work + "/legacy.pem", work + "/legacy.pem"])
        try cli(binary, ["pki", "self-signed", "--cn", "ec", "--key", "ec-p256", "--days", "30", "--out", work + "/ec"])
        XCTAssertTrue(try TestPKI.openssl(["x509", "-in", work + "/ec.pem", "-noout", "-text"]).stdoutText.contains("NIST CURVE: P-256"))

        // PEM → DER (.cer) → PEM is lossless, and the DER is what openssl reads as DER.
        try cli(binary, ["pki", "export", "--in", work + "/legacy.pem", "--format", "der", "--out", work + "/legacy.cer"])
        let der = try TestPKI.openssl(["x509", "-inform", "DER", "-in", work + "/legacy.cer", "-noout", "-subject"]).stdoutText
        XCTAssertTrue(der.contains("CN = legacy"), der)
        try cli(binary, ["pki", "export", "--in", work + "/legacy.cer", "--out", work + "/roundtrip.pem"])
        XCTAssertEqual(try String(contentsOfFile: work + "/roundtrip.pem", encoding: .utf8),
                       try String(contentsOfFile: work + "/legacy.pem", encoding: .utf8))
    }

    func testCLIImportsAPFXMadeByOpenSSL() throws {
        let binary = try Self.trustgateBinary()
        let work = try makeTemporaryDirectory().path
        let ca = try makeCA(work + "/ca", key: .ecP256, intermediate: true)
        let issued = try ca.issue(request(.client, cn: "pfx-client"))
        try write(issued, to: work + "/client")
        try TestPKI.openssl([
            "pkcs12", "-export", "-in", work + "/client.pem", "-inkey", work + "/client.key",
            "-certfile", work + "/ca/intermediate.pem", "-passout", "pass:s3cret", "-out", work + "/client.pfx",
        ])
        try SecureFileWriter.write("s3cret\n", to: work + "/password.txt", mode: 0o600, overwrite: false)

        try cli(binary, ["pki", "import-pfx", work + "/client.pfx", "--password-file", work + "/password.txt", "--out", work + "/imported"])
        XCTAssertEqual(try Self.statMode(work + "/imported.key"), "600")
        let chain = try CertificateDecoder.certificates(contentsOfFile: work + "/imported-chain.pem")
        XCTAssertEqual(chain, issued.chain)
        let key = try Certificate.PrivateKey(pemEncoded: try String(contentsOfFile: work + "/imported.key", encoding: .utf8))
        XCTAssertEqual(key.publicKey, issued.certificate.publicKey)
        let verified = try TestPKI.runProcess("openssl", [
            "verify", "-CAfile", work + "/ca/root.pem", "-untrusted", work + "/imported-chain.pem", work + "/imported.pem",
        ])
        XCTAssertEqual(verified.status, 0, verified.stdoutText + verified.stderrText)

        let wrong = try TestPKI.runProcess(binary, ["pki", "import-pfx", work + "/client.pfx", "--password", "nope", "--out", work + "/x"])
        XCTAssertEqual(wrong.status, 2)
        XCTAssertTrue(wrong.stderrText.contains("password"), wrong.stderrText)
        XCTAssertFalse(FileManager.default.fileExists(atPath: work + "/x.key"))
    }

    /// `--password-file` reads the first line whatever the line ending: a file saved on Windows ("\r\n", one
    /// Character in Swift) must not turn into a password made of the whole file.
    func testCLIPasswordFileFirstLineWithAnyLineEnding() throws {
        let binary = try Self.trustgateBinary()
        let work = try makeTemporaryDirectory().path
        let ca = try makeCA(work + "/ca", key: .ecP256, intermediate: false)
        try write(try ca.issue(request(.client, cn: "crlf-client")), to: work + "/client")
        try TestPKI.openssl([
            "pkcs12", "-export", "-in", work + "/client.pem", "-inkey", work + "/client.key",
            "-passout", "pass:s3cret", "-out", work + "/client.pfx",
        ])
        let files: [(name: String, contents: String)] = [
            ("crlf-two-lines", "s3cret\r\nsecond line\r\n"),
            ("crlf-one-line", "s3cret\r\n"),
            ("lf-two-lines", "s3cret\nsecond line\n"),
            ("cr-before-lf-only-once", "s3cret\r\n\r\n"),
            ("no-newline", "s3cret"),
        ]
        for (index, file) in files.enumerated() {
            let passwordFile = work + "/\(file.name).txt"
            try SecureFileWriter.write(file.contents, to: passwordFile, mode: 0o600, overwrite: false)
            let out = work + "/imported-\(index)"
            try cli(binary, ["pki", "import-pfx", work + "/client.pfx", "--password-file", passwordFile, "--out", out])
            XCTAssertTrue(FileManager.default.fileExists(atPath: out + ".key"), file.name)
        }

        // Only one trailing CR is the line ending: a password that itself ends in CR stays distinct.
        let wrongFile = work + "/trailing-cr.txt"
        try SecureFileWriter.write("s3cret\r\r\n", to: wrongFile, mode: 0o600, overwrite: false)
        let wrong = try TestPKI.runProcess(binary, ["pki", "import-pfx", work + "/client.pfx", "--password-file", wrongFile, "--out", work + "/x"])
        XCTAssertEqual(wrong.status, 2)
        XCTAssertFalse(FileManager.default.fileExists(atPath: work + "/x.key"))
    }

    func testCLIRejectsBadInputWithExitCode2AndAMessage() throws {
        let binary = try Self.trustgateBinary()
        let work = try makeTemporaryDirectory().path
        let ca = work + "/ca"
        try cli(binary, ["pki", "init-ca", "--dir", ca, "--days", "100"])
        try cli(binary, ["pki", "issue", "--ca", ca, "--type", "client", "--cn", "taken", "--out", work + "/taken"])
        let before = try String(contentsOfFile: work + "/taken.key", encoding: .utf8)
        let issue = ["pki", "issue", "--ca", ca, "--type", "client"]

        let cases: [(arguments: [String], message: String)] = [
            (issue + ["--cn", "x", "--key", "rsa-1024", "--out", work + "/x"], "RSA keys of 1024 bits are refused"),
            (issue + ["--cn", "x", "--key", "dsa", "--out", work + "/x"], "unknown key type 'dsa'"),
            (["pki", "issue", "--ca", work + "/none", "--type", "client", "--cn", "x", "--out", work + "/x"], "not a usable CA directory"),
            (["pki", "issue", "--ca", ca, "--type", "banana", "--cn", "x", "--out", work + "/x"], "unknown certificate type 'banana'"),
            (issue + ["--cn", "x", "--ip", "999.1.1.1", "--out", work + "/x"], "invalid IP address '999.1.1.1'"),
            (issue + ["--cn", "x", "--dns", "not a host", "--out", work + "/x"], "invalid DNS name"),
            (issue + ["--cn", "x", "--eku", "frobnicate", "--out", work + "/x"], "unknown extended key usage"),
            (issue + ["--cn", "x", "--not-before", "yesterday", "--out", work + "/x"], "not an ISO 8601 date"),
            (issue + ["--cn", "x", "--days", "1", "--not-after", "2030-01-01", "--out", work + "/x"], "either --days or --not-after"),
            (issue + ["--cn", "x", "--days", "400", "--out", work + "/x"], "after its issuing CA expires"),
            (issue + ["--subject", "frob=1", "--out", work + "/x"], "invalid distinguished name"),
            (issue + ["--cn", "x", "--out", work + "/no/such/dir/x"], "does not exist"),
            (issue + ["--out", work + "/x"], "give the subject with --cn"),
            (issue + ["--cn", "x"], "Missing expected argument '--out"),
            (issue + ["--cn", "taken", "--out", work + "/taken"], "already exists"),
            (["pki", "revoke", "--ca", ca, "--serial", "zz"], "not a serial number"),
            (["pki", "revoke", "--ca", ca, "--serial", "0A0B"], "was not issued by this CA"),
            (["pki", "revoke", "--ca", ca], "exactly one of --serial"),
            (["pki", "revoke", "--ca", ca, "--serial", "0A", "--reason", "bored"], "unknown revocation reason"),
            (["pki", "crl", "--ca", ca, "--days", "0", "--out", work + "/crl.pem"], "--days must be between"),
            (["pki", "export", "--in", work + "/missing.pem", "--out", work + "/x.der"], "no such file"),
            (["pki", "export", "--in", work + "/taken.pem", "--out", work + "/x.bin"], "give --format pem or --format der"),
            (["pki", "self-signed", "--cn", "x", "--key", "rsa-1024", "--out", work + "/ss"], "RSA keys of 1024 bits are refused"),
            (["pki", "init-ca", "--dir", ca], "already holds a CA"),
            (["pki", "import-pfx", work + "/taken.pem", "--out", work + "/y"], "give the PFX password"),
        ]
        for (arguments, message) in cases {
            let result = try TestPKI.runProcess(binary, arguments)
            let command = arguments.joined(separator: " ")
            XCTAssertEqual(result.status, 2, "\(command): \(result.stderrText)")
            XCTAssertTrue(result.stderrText.contains(message), "\(command): expected \(message.debugDescription) in \(result.stderrText)")
            XCTAssertFalse(result.stderrText.contains("Fatal error") || result.stderrText.contains("Stack dump"), command)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: work + "/x.key"), "nothing is written for a refused request")
        XCTAssertFalse(FileManager.default.fileExists(atPath: work + "/ss.key"))
        XCTAssertEqual(try String(contentsOfFile: work + "/taken.key", encoding: .utf8), before, "never overwritten")
        XCTAssertEqual(try CertificateAuthority.load(from: ca).state().issued.count, 1, "only the one good issuance was recorded")
    }

    // MARK: - Helpers

    private func makeCA(_ directory: String, key: KeyAlgorithm, intermediate: Bool) throws -> CertificateAuthority {
        // Valid from a day ago, so openssl (which checks against the wall clock) sees everything as current.
        let start = Date().addingTimeInterval(-86_400)
        return try CertificateAuthority.create(
            in: directory,
            options: .init(
                rootSubject: try DistinguishedName(parsing: "CN=Interop Root CA, O=TrustGate Tests"),
                keyAlgorithm: key,
                validity: try ValidityPeriod(notBefore: start, notAfter: start.addingTimeInterval(3650 * 86_400)),
                intermediateSubject: intermediate ? try DistinguishedName(parsing: "CN=Interop Issuing CA, O=TrustGate Tests") : nil))
    }

    private func request(
        _ profile: IssuanceProfile, cn: String, key: KeyAlgorithm = .ecP256, names: [GeneralName] = []
    ) throws -> IssuanceRequest {
        let start = Date().addingTimeInterval(-3600)
        return IssuanceRequest(
            profile: profile,
            subject: try DistinguishedName(parsing: "CN=\(cn)"),
            subjectAlternativeNames: names,
            validity: try ValidityPeriod(notBefore: start, notAfter: start.addingTimeInterval(30 * 86_400)),
            keyAlgorithm: key)
    }

    private func write(_ issued: IssuedCertificate, to prefix: String) throws {
        try SecureFileWriter.write(PEMSerialization.certificates([issued.certificate]), to: prefix + ".pem", mode: 0o644, overwrite: false)
        try SecureFileWriter.write(PEMSerialization.certificates(issued.chain), to: prefix + "-chain.pem", mode: 0o644, overwrite: false)
        try SecureFileWriter.write(PEMSerialization.privateKey(issued.privateKey), to: prefix + ".key", mode: 0o600, overwrite: false)
    }

    /// Runs the CLI and fails the test when it does not exit 0.
    @discardableResult
    private func cli(_ binary: String, _ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws
        -> TestPKI.ProcessResult
    {
        let result = try TestPKI.runProcess(binary, arguments)
        if result.status != 0 {
            XCTFail("trustgate \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderrText)", file: file, line: line)
        }
        return result
    }

    /// The `trustgate` executable SwiftPM built next to this test bundle.
    static func trustgateBinary() throws -> String {
        var directories = [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
        directories += Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent() }
        if let executable = CommandLine.arguments.first {
            directories.append(URL(fileURLWithPath: executable).deletingLastPathComponent())
        }
        // Tests/TrustGateX509Tests/PKIInteropTests.swift → package root → .build/debug
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        directories.append(packageRoot.appendingPathComponent(".build/debug"))
        for directory in directories {
            let candidate = directory.appendingPathComponent("trustgate").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        XCTFail("the trustgate executable was not found next to the tests (looked in \(directories.map(\.path))); build it with `swift build`")
        throw XCTSkip("trustgate executable not built")
    }

    private static func statMode(_ path: String) throws -> String {
        let result = try TestPKI.runProcess("stat", ["-c", "%a", path])
        return result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func colonSeparated(_ hex: String) -> String {
        var pairs: [String] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex) ?? hex.endIndex
            pairs.append(String(hex[index..<next]))
            index = next
        }
        return pairs.joined(separator: ":")
    }

    /// A port on 127.0.0.1 nobody listens on right now.
    private static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw XCTSkip("cannot create a socket") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else { throw XCTSkip("cannot bind to 127.0.0.1") }
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw XCTSkip("cannot read the bound port") }
        return UInt16(bigEndian: address.sin_port)
    }

    private static func waitUntilListening(port: UInt16, timeout: TimeInterval) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            close(fd)
            if connected == 0 { return }
            usleep(50_000)
        }
        XCTFail("openssl s_server did not start listening on port \(port) within \(timeout) s")
        throw XCTSkip("no TLS server")
    }
}
