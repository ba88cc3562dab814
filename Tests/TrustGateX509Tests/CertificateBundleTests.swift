import Foundation
import X509
import XCTest

@testable import TrustGateX509

/// PKCS#12 files written by `openssl pkcs12 -export` (OpenSSL 3 default and -legacy), and PEM bundles with keys.
final class CertificateBundleTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try makeTemporaryDirectory()
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    private struct Files {
        let chain: (leaf: TestPKI.Identity, intermediate: TestPKI.Identity, root: TestPKI.Identity)
        let leafPEM: String
        let keyPEM: String
        let caPEM: String
    }

    /// Writes a chain with a leaf of `kind` as PEM files for openssl.
    private func writeChain(_ kind: TestPKI.KeyKind, name: String) throws -> Files {
        let chain = try TestPKI.makeChain(leafName: "\(name).example.com", leafKey: try TestPKI.makeKey(kind))
        let files = Files(chain: chain, leafPEM: path("\(name).crt"), keyPEM: path("\(name).key"), caPEM: path("\(name)-ca.pem"))
        try TestPKI.pem([chain.leaf.certificate]).write(toFile: files.leafPEM, atomically: true, encoding: .utf8)
        try TestPKI.pem(chain.leaf.key).write(toFile: files.keyPEM, atomically: true, encoding: .utf8)
        try TestPKI.pem([chain.intermediate.certificate, chain.root.certificate])
            .write(toFile: files.caPEM, atomically: true, encoding: .utf8)
        return files
    }

    private func export(_ files: Files, to name: String, password: String = "s3cret", extra: [String] = []) throws -> [UInt8] {
        try TestPKI.openssl(
            ["pkcs12", "-export", "-in", files.leafPEM, "-inkey", files.keyPEM, "-certfile", files.caPEM,
             "-passout", "pass:\(password)", "-out", path(name)] + extra)
        return Array(try Data(contentsOf: URL(fileURLWithPath: path(name))))
    }

    private func assertFullBundle(_ bundle: CertificateBundle, _ files: Files, _ message: String, line: UInt = #line) {
        XCTAssertEqual(bundle.certificates.count, 3, message, line: line)
        XCTAssertEqual(bundle.certificates.first, files.chain.leaf.certificate, message, line: line)
        XCTAssertEqual(
            Set(bundle.certificates.dropFirst()), [files.chain.intermediate.certificate, files.chain.root.certificate],
            message, line: line)
        XCTAssertEqual(bundle.privateKey?.publicKey, files.chain.leaf.certificate.publicKey, message, line: line)
    }

    func testOpenSSLDefaultAndLegacyPKCS12() throws {
        for kind in [TestPKI.KeyKind.p256, .rsa2048] {
            let files = try writeChain(kind, name: "\(kind)")
            let modern = try export(files, to: "\(kind).p12")
            let info = try TestPKI.openssl(["pkcs12", "-in", path("\(kind).p12"), "-info", "-noout", "-passin", "pass:s3cret"])
            XCTAssertTrue(info.stderrText.contains("AES-256-CBC"), info.stderrText)
            assertFullBundle(try CertificateBundle.pkcs12(modern, password: "s3cret"), files, "\(kind) default")

            let legacy = try export(files, to: "\(kind)-legacy.p12", extra: ["-legacy"])
            let legacyInfo = try TestPKI.openssl(["pkcs12", "-in", path("\(kind)-legacy.p12"), "-info", "-noout", "-legacy", "-passin", "pass:s3cret"])
            XCTAssertTrue(legacyInfo.stderrText.contains("RC2") || legacyInfo.stderrText.contains("3DES"), legacyInfo.stderrText)
            assertFullBundle(try CertificateBundle.pkcs12(legacy, password: "s3cret"), files, "\(kind) legacy")

            assertFullBundle(try CertificateBundle.load(contentsOfFile: path("\(kind).p12"), password: "s3cret"), files, "\(kind) load")
        }
    }

    func testWrongPassword() throws {
        let files = try writeChain(.p256, name: "wrong")
        for extra in [[], ["-legacy"]] {
            let p12 = try export(files, to: "wrong\(extra.count).p12", extra: extra)
            XCTAssertThrowsError(try CertificateBundle.pkcs12(p12, password: "nope")) { error in
                XCTAssertEqual(error as? CertificateLoadingError, .pkcs12WrongPassword(), "\(extra)")
            }
            XCTAssertThrowsError(try CertificateBundle.pkcs12(p12, password: "")) { error in
                XCTAssertEqual(error as? CertificateLoadingError, .pkcs12WrongPassword(), "\(extra)")
            }
        }
    }

    func testPasswordRequiredWhenLoadingAFile() throws {
        let files = try writeChain(.p256, name: "nopass")
        _ = try export(files, to: "nopass.p12")
        XCTAssertThrowsError(try CertificateBundle.load(contentsOfFile: path("nopass.p12"), password: nil)) { error in
            XCTAssertEqual(error as? CertificateLoadingError, .pkcs12PasswordRequired())
        }
    }

    func testEmptyPassword() throws {
        let files = try writeChain(.p256, name: "empty")
        let p12 = try export(files, to: "empty.p12", password: "")
        assertFullBundle(try CertificateBundle.pkcs12(p12, password: ""), files, "empty password")
    }

    /// A PFX without a private key (`-nokeys`, Java trust stores) must load — NIOSSLPKCS12Bundle alone would
    /// stop the process on it.
    func testCertificatesOnlyPKCS12() throws {
        let files = try writeChain(.p256, name: "certsonly")
        for extra in [[], ["-legacy"]] {
            try TestPKI.openssl([
                "pkcs12", "-export", "-nokeys", "-in", files.leafPEM, "-certfile", files.caPEM, "-passout", "pass:pw",
                "-out", path("certsonly.p12"),
            ] + extra)
            let bundle = try CertificateBundle.load(contentsOfFile: path("certsonly.p12"), password: "pw")
            XCTAssertNil(bundle.privateKey)
            XCTAssertEqual(bundle.certificates.first, files.chain.leaf.certificate, "\(extra)")
            XCTAssertEqual(bundle.certificates.count, 3, "\(extra)")
        }
    }

    func testKeyOnlyPKCS12() throws {
        let files = try writeChain(.p256, name: "keyonly")
        try TestPKI.openssl([
            "pkcs12", "-export", "-nocerts", "-inkey", files.keyPEM, "-passout", "pass:pw", "-out", path("keyonly.p12"),
        ])
        let bundle = try CertificateBundle.load(contentsOfFile: path("keyonly.p12"), password: "pw")
        XCTAssertEqual(bundle.certificates, [])
        XCTAssertEqual(bundle.privateKey?.publicKey, files.chain.leaf.certificate.publicKey)
    }

    func testUnencryptedCertificatesAndTripleDES() throws {
        let files = try writeChain(.p256, name: "variants")
        let plainCertificates = try export(files, to: "plain.p12", extra: ["-certpbe", "NONE"])
        assertFullBundle(try CertificateBundle.pkcs12(plainCertificates, password: "s3cret"), files, "-certpbe NONE")
        let tripleDES = try export(
            files, to: "3des.p12", extra: ["-certpbe", "PBE-SHA1-3DES", "-keypbe", "PBE-SHA1-3DES", "-macalg", "sha1"])
        assertFullBundle(try CertificateBundle.pkcs12(tripleDES, password: "s3cret"), files, "3DES")
    }

    func testBase64EncodedPFX() throws {
        let files = try writeChain(.p256, name: "b64")
        let p12 = try export(files, to: "b64.p12")
        try Data(Data(p12).base64EncodedString().utf8).write(to: URL(fileURLWithPath: path("b64.txt")))
        assertFullBundle(try CertificateBundle.load(contentsOfFile: path("b64.txt"), password: "s3cret"), files, "base64")
    }

    func testGarbageAndTruncatedPKCS12() throws {
        XCTAssertThrowsError(try CertificateBundle.pkcs12(Array("not a pfx".utf8), password: "x")) { error in
            guard (error as? CertificateLoadingError)?.code == .pkcs12Malformed else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try CertificateBundle.pkcs12([], password: "x")) { error in
            XCTAssertEqual(error as? CertificateLoadingError, .emptyInput())
        }
        let files = try writeChain(.p256, name: "cut")
        let p12 = try export(files, to: "cut.p12")
        for length in [4, 20, p12.count / 2, p12.count - 1] {
            XCTAssertThrowsError(try CertificateBundle.pkcs12(Array(p12.prefix(length)), password: "s3cret")) { error in
                guard (error as? CertificateLoadingError)?.code == .pkcs12Malformed else { return XCTFail("\(length): \(error)") }
            }
        }
        // Flipped bytes: the MAC no longer verifies (wrong password) or the structure breaks; never a crash.
        for offset in stride(from: 30, to: p12.count, by: max(1, p12.count / 40)) {
            var damaged = p12
            damaged[offset] ^= 0xFF
            XCTAssertThrowsError(try CertificateBundle.pkcs12(damaged, password: "s3cret")) { error in
                XCTAssertTrue(error is CertificateLoadingError, "\(error)")
            }
        }
    }

    // MARK: - PEM bundles

    func testPEMWithKeyPutsTheLeafFirst() throws {
        let files = try writeChain(.p256, name: "pem")
        // CA certificates first, then the key, then the leaf: the order some tools write.
        let text = try TestPKI.pem([files.chain.intermediate.certificate, files.chain.root.certificate])
            + TestPKI.pem(files.chain.leaf.key) + TestPKI.pem([files.chain.leaf.certificate])
        try text.write(toFile: path("combined.pem"), atomically: true, encoding: .utf8)
        let bundle = try CertificateBundle.load(contentsOfFile: path("combined.pem"), password: nil)
        XCTAssertEqual(
            bundle.certificates,
            [files.chain.leaf.certificate, files.chain.intermediate.certificate, files.chain.root.certificate])
        XCTAssertEqual(bundle.privateKey?.publicKey, files.chain.leaf.certificate.publicKey)
    }

    func testPEMWithoutKeyAndDER() throws {
        let files = try writeChain(.p256, name: "nokey")
        let bundle = try CertificateBundle.load(contentsOfFile: files.caPEM, password: nil)
        XCTAssertEqual(bundle.certificates, [files.chain.intermediate.certificate, files.chain.root.certificate])
        XCTAssertNil(bundle.privateKey)
        try Data(files.chain.leaf.certificate.derBytes).write(to: URL(fileURLWithPath: path("leaf.der")))
        XCTAssertEqual(try CertificateBundle.load(contentsOfFile: path("leaf.der"), password: nil).certificates, [files.chain.leaf.certificate])
    }

    func testPEMWithEncryptedKey() throws {
        let files = try writeChain(.p256, name: "enc")
        try TestPKI.openssl(["pkcs8", "-topk8", "-in", files.keyPEM, "-v2", "aes-256-cbc", "-passout", "pass:pw", "-out", path("enc.key.enc")])
        let text = try TestPKI.pem([files.chain.leaf.certificate]) + String(contentsOfFile: path("enc.key.enc"), encoding: .utf8)
        try text.write(toFile: path("enc.pem"), atomically: true, encoding: .utf8)
        XCTAssertEqual(
            try CertificateBundle.load(contentsOfFile: path("enc.pem"), password: "pw").privateKey?.publicKey,
            files.chain.leaf.certificate.publicKey)
        XCTAssertThrowsError(try CertificateBundle.load(contentsOfFile: path("enc.pem"), password: nil)) { error in
            XCTAssertEqual(error as? CertificateLoadingError, .privateKeyPasswordRequired())
        }
    }

    func testPEMWithForeignKeyIsAMismatch() throws {
        let files = try writeChain(.p256, name: "mismatch")
        let text = try TestPKI.pem([files.chain.leaf.certificate]) + TestPKI.pem(try TestPKI.makeKey())
        try text.write(toFile: path("mismatch.pem"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try CertificateBundle.load(contentsOfFile: path("mismatch.pem"), password: nil)) { error in
            XCTAssertEqual(error as? CertificateLoadingError, .privateKeyMismatch())
        }
    }

    func testMissingFile() {
        let missing = path("missing.p12")
        XCTAssertThrowsError(try CertificateBundle.load(contentsOfFile: missing, password: "x")) { error in
            XCTAssertEqual(error as? CertificateLoadingError, .fileNotFound(path: missing))
        }
    }

    /// The MAC and key-derivation code against RFC 7292's algorithm as OpenSSL implements it: a file OpenSSL wrote
    /// with a SHA-256 MAC and 2048 iterations verifies, and one byte of difference in the password does not.
    func testIntegrityMACAgainstOpenSSL() throws {
        let files = try writeChain(.p256, name: "mac")
        let p12 = try export(files, to: "mac.p12", password: "pässwörd", extra: ["-macalg", "sha256", "-iter", "2048"])
        assertFullBundle(try CertificateBundle.pkcs12(p12, password: "pässwörd"), files, "UTF-8 password")
        XCTAssertThrowsError(try CertificateBundle.pkcs12(p12, password: "pässwörD")) { error in
            XCTAssertEqual(error as? CertificateLoadingError, .pkcs12WrongPassword())
        }
        // Legacy files encrypt the key with 3DES, which goes through NIOSSL and so needs an ASCII password:
        // a clear error, not a crash.
        let legacy = try export(files, to: "mac-legacy.p12", password: "pässwörd", extra: ["-legacy"])
        XCTAssertThrowsError(try CertificateBundle.pkcs12(legacy, password: "pässwörd")) { error in
            guard (error as? CertificateLoadingError)?.code == .pkcs12Unsupported else { return XCTFail("\(error)") }
        }
    }
}
