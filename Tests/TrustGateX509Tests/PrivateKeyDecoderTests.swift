import Foundation
import X509
import XCTest

@testable import TrustGateX509

/// Keys made by OpenSSL in each container format must load and match the certificate OpenSSL made for them.
final class PrivateKeyDecoderTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try makeTemporaryDirectory()
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Generates a key with `openssl genpkey` (PKCS#8 PEM) and a self-signed certificate for it.
    private func makeOpenSSLKey(_ name: String, _ algorithmArguments: [String]) throws -> Certificate {
        try TestPKI.openssl(["genpkey"] + algorithmArguments + ["-out", path("\(name).p8.pem")])
        try TestPKI.openssl([
            "req", "-x509", "-new", "-key", path("\(name).p8.pem"), "-subj", "/CN=\(name)", "-days", "1",
            "-out", path("\(name).crt"),
        ])
        return try XCTUnwrap(CertificateDecoder.certificates(contentsOfFile: path("\(name).crt")).first)
    }

    private func assertLoads(
        _ file: String,
        matches certificate: Certificate,
        password: String? = nil,
        _ message: String,
        line: UInt = #line
    ) {
        do {
            let key = try PrivateKeyDecoder.privateKey(contentsOfFile: path(file), password: password)
            XCTAssertEqual(key.publicKey, certificate.publicKey, message, line: line)
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path(file))))
            XCTAssertEqual(try PrivateKeyDecoder.privateKey(from: bytes, password: password).publicKey, certificate.publicKey, message, line: line)
        } catch {
            XCTFail("\(message): \(error)", line: line)
        }
    }

    func testECKeysInPKCS8AndSEC1() throws {
        for (name, curve) in [("p256", "P-256"), ("p384", "P-384"), ("p521", "P-521")] {
            let certificate = try makeOpenSSLKey(name, ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:\(curve)"])
            assertLoads("\(name).p8.pem", matches: certificate, "\(curve) PKCS#8 PEM")
            try TestPKI.openssl(["pkey", "-in", path("\(name).p8.pem"), "-outform", "DER", "-out", path("\(name).p8.der")])
            assertLoads("\(name).p8.der", matches: certificate, "\(curve) PKCS#8 DER")
            try TestPKI.openssl(["ec", "-in", path("\(name).p8.pem"), "-out", path("\(name).sec1.pem")])
            XCTAssertTrue(try String(contentsOfFile: path("\(name).sec1.pem"), encoding: .utf8).contains("BEGIN EC PRIVATE KEY"))
            assertLoads("\(name).sec1.pem", matches: certificate, "\(curve) SEC1 PEM")
            try TestPKI.openssl(["ec", "-in", path("\(name).p8.pem"), "-outform", "DER", "-out", path("\(name).sec1.der")])
            assertLoads("\(name).sec1.der", matches: certificate, "\(curve) SEC1 DER")
            // SEC1 with "EC PARAMETERS" in front, as `openssl ecparam -genkey` writes it.
            let parameters = try TestPKI.openssl(["ecparam", "-name", curve == "P-256" ? "prime256v1" : curve == "P-384" ? "secp384r1" : "secp521r1"]).stdout
            let sec1 = try Data(contentsOf: URL(fileURLWithPath: path("\(name).sec1.pem")))
            try (Data(parameters) + sec1).write(to: URL(fileURLWithPath: path("\(name).params.pem")))
            assertLoads("\(name).params.pem", matches: certificate, "\(curve) SEC1 after EC PARAMETERS")
        }
    }

    func testRSAKeysInPKCS8AndPKCS1() throws {
        let certificate = try makeOpenSSLKey("rsa", ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"])
        assertLoads("rsa.p8.pem", matches: certificate, "RSA PKCS#8 PEM")
        try TestPKI.openssl(["rsa", "-in", path("rsa.p8.pem"), "-traditional", "-out", path("rsa.pkcs1.pem")])
        XCTAssertTrue(try String(contentsOfFile: path("rsa.pkcs1.pem"), encoding: .utf8).contains("BEGIN RSA PRIVATE KEY"))
        assertLoads("rsa.pkcs1.pem", matches: certificate, "RSA PKCS#1 PEM")
        try TestPKI.openssl(["rsa", "-in", path("rsa.p8.pem"), "-traditional", "-outform", "DER", "-out", path("rsa.pkcs1.der")])
        assertLoads("rsa.pkcs1.der", matches: certificate, "RSA PKCS#1 DER")
        try TestPKI.openssl(["pkey", "-in", path("rsa.p8.pem"), "-outform", "DER", "-out", path("rsa.p8.der")])
        assertLoads("rsa.p8.der", matches: certificate, "RSA PKCS#8 DER")
    }

    func testEd25519() throws {
        let certificate = try makeOpenSSLKey("ed25519", ["-algorithm", "ED25519"])
        assertLoads("ed25519.p8.pem", matches: certificate, "Ed25519 PKCS#8 PEM")
    }

    func testEncryptedPKCS8() throws {
        let certificate = try makeOpenSSLKey("enc", ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"])
        try TestPKI.openssl([
            "pkcs8", "-topk8", "-in", path("enc.p8.pem"), "-v2", "aes-256-cbc", "-passout", "pass:s3cret",
            "-out", path("enc.encrypted.pem"),
        ])
        assertLoads("enc.encrypted.pem", matches: certificate, password: "s3cret", "encrypted PKCS#8 PEM")
        try TestPKI.openssl([
            "pkcs8", "-topk8", "-in", path("enc.p8.pem"), "-v2", "aes-256-cbc", "-passout", "pass:s3cret",
            "-outform", "DER", "-out", path("enc.encrypted.der"),
        ])
        assertLoads("enc.encrypted.der", matches: certificate, password: "s3cret", "encrypted PKCS#8 DER")

        XCTAssertThrowsError(try PrivateKeyDecoder.privateKey(contentsOfFile: path("enc.encrypted.pem"))) { error in
            XCTAssertEqual(error as? CertificateLoadingError, .privateKeyPasswordRequired())
        }
        XCTAssertThrowsError(try PrivateKeyDecoder.privateKey(contentsOfFile: path("enc.encrypted.der"), password: "wrong")) { error in
            XCTAssertEqual(error as? CertificateLoadingError, .privateKeyDecryptionFailed())
        }
    }

    /// NIOSSL's passphrase callback traps on non-ASCII bytes; PBES2 keys are decrypted natively instead, and other
    /// schemes refuse such passwords with an error rather than crash.
    func testNonASCIIPasswords() throws {
        let certificate = try makeOpenSSLKey("utf8", ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"])
        try TestPKI.openssl([
            "pkcs8", "-topk8", "-in", path("utf8.p8.pem"), "-v2", "aes-128-cbc", "-v2prf", "hmacWithSHA512",
            "-passout", "pass:pässwörd", "-out", path("utf8.encrypted.pem"),
        ])
        assertLoads("utf8.encrypted.pem", matches: certificate, password: "pässwörd", "PBES2 with a UTF-8 password")
        XCTAssertThrowsError(try PrivateKeyDecoder.privateKey(contentsOfFile: path("utf8.encrypted.pem"), password: "passwörd")) { error in
            XCTAssertEqual(error as? CertificateLoadingError, .privateKeyDecryptionFailed())
        }
        try TestPKI.openssl([
            "ec", "-in", path("utf8.p8.pem"), "-aes256", "-passout", "pass:pässwörd", "-out", path("utf8.legacy.pem"),
        ])
        XCTAssertThrowsError(try PrivateKeyDecoder.privateKey(contentsOfFile: path("utf8.legacy.pem"), password: "pässwörd")) { error in
            guard (error as? CertificateLoadingError)?.code == .unsupportedPrivateKey else { return XCTFail("\(error)") }
        }
    }

    func testLegacyEncryptedPEM() throws {
        let certificate = try makeOpenSSLKey("legacy", ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"])
        try TestPKI.openssl([
            "rsa", "-in", path("legacy.p8.pem"), "-traditional", "-aes256", "-passout", "pass:pw", "-out", path("legacy.enc.pem"),
        ])
        XCTAssertTrue(try String(contentsOfFile: path("legacy.enc.pem"), encoding: .utf8).contains("Proc-Type: 4,ENCRYPTED"))
        assertLoads("legacy.enc.pem", matches: certificate, password: "pw", "legacy encrypted PKCS#1 PEM")
        XCTAssertThrowsError(try PrivateKeyDecoder.privateKey(contentsOfFile: path("legacy.enc.pem"))) { error in
            XCTAssertEqual(error as? CertificateLoadingError, .privateKeyPasswordRequired())
        }
    }

    func testKeysWrittenBySwiftCertificates() throws {
        for kind in [TestPKI.KeyKind.p256, .p384, .p521, .rsa2048, .ed25519] {
            let key = try TestPKI.makeKey(kind)
            let decoded = try PrivateKeyDecoder.privateKey(from: Array(try TestPKI.pem(key).utf8))
            XCTAssertEqual(decoded.publicKey, key.publicKey, "\(kind)")
        }
    }

    // MARK: - Errors

    private func assertThrows(_ expected: CertificateLoadingError, _ bytes: [UInt8], line: UInt = #line) {
        XCTAssertThrowsError(try PrivateKeyDecoder.privateKey(from: bytes), line: line) { error in
            XCTAssertEqual(error as? CertificateLoadingError, expected, "\(error)", line: line)
        }
    }

    func testMalformedInputs() throws {
        assertThrows(.emptyInput(), [])
        assertThrows(.malformedPrivateKey(reason: "the input is neither PEM nor DER"), Array("garbage!".utf8))
        let certificate = try TestPKI.makeLeaf(issuer: nil).certificate
        assertThrows(.noPrivateKey(foundPEMTypes: ["CERTIFICATE"]), Array(try TestPKI.pem([certificate]).utf8))

        let broken = "-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n"
        assertThrows(.malformedPEM(type: "PRIVATE KEY", reason: "the body is not valid base64"), Array(broken.utf8))

        // A valid PEM body holding something else.
        let notAKey = "-----BEGIN PRIVATE KEY-----\nMAMCAQE=\n-----END PRIVATE KEY-----\n"
        XCTAssertThrowsError(try PrivateKeyDecoder.privateKey(from: Array(notAKey.utf8))) { error in
            guard (error as? CertificateLoadingError)?.code == .malformedPrivateKey else { return XCTFail("\(error)") }
        }
        // DER that is not any key structure; a truncated key.
        XCTAssertThrowsError(try PrivateKeyDecoder.privateKey(from: [0x30, 0x03, 0x01, 0x01, 0xFF, 0x80]))
        let der = Array(try Data(contentsOf: URL(fileURLWithPath: try derKeyFile())))
        XCTAssertThrowsError(try PrivateKeyDecoder.privateKey(from: Array(der.prefix(der.count / 2)))) { error in
            guard (error as? CertificateLoadingError)?.code == .malformedPrivateKey else { return XCTFail("\(error)") }
        }
        let missing = path("missing.key")
        XCTAssertThrowsError(try PrivateKeyDecoder.privateKey(contentsOfFile: missing)) { error in
            XCTAssertEqual(error as? CertificateLoadingError, .fileNotFound(path: missing))
        }
    }

    private func derKeyFile() throws -> String {
        try TestPKI.openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-outform", "DER", "-out", path("k.der")])
        return path("k.der")
    }

    func testUnsupportedKeys() throws {
        // RSA below 2048 bits.
        try TestPKI.openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", path("small.pem")])
        XCTAssertThrowsError(try PrivateKeyDecoder.privateKey(contentsOfFile: path("small.pem"))) { error in
            guard let error = error as? CertificateLoadingError, error.code == .unsupportedPrivateKey else { return XCTFail("\(error)") }
            XCTAssertTrue(error.message.contains("2048"), error.message)
        }
        try TestPKI.openssl(["rsa", "-in", path("small.pem"), "-traditional", "-out", path("small.pkcs1.pem")])
        XCTAssertThrowsError(try PrivateKeyDecoder.privateKey(contentsOfFile: path("small.pkcs1.pem"))) { error in
            guard (error as? CertificateLoadingError)?.code == .unsupportedPrivateKey else { return XCTFail("\(error)") }
        }
        // X25519 is a key-agreement key; secp256k1 is not a supported curve.
        try TestPKI.openssl(["genpkey", "-algorithm", "X25519", "-out", path("x25519.pem")])
        XCTAssertThrowsError(try PrivateKeyDecoder.privateKey(contentsOfFile: path("x25519.pem"))) { error in
            guard (error as? CertificateLoadingError)?.code == .unsupportedPrivateKey else { return XCTFail("\(error)") }
        }
        try TestPKI.openssl(["ecparam", "-name", "secp256k1", "-genkey", "-noout", "-out", path("k1.pem")])
        XCTAssertThrowsError(try PrivateKeyDecoder.privateKey(contentsOfFile: path("k1.pem"))) { error in
            guard let error = error as? CertificateLoadingError, error.code == .unsupportedPrivateKey else { return XCTFail("\(error)") }
            XCTAssertTrue(error.message.contains("1.3.132.0.10"), error.message)
        }
        let openSSH = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE=\n-----END OPENSSH PRIVATE KEY-----\n"
        XCTAssertThrowsError(try PrivateKeyDecoder.privateKey(from: Array(openSSH.utf8))) { error in
            guard (error as? CertificateLoadingError)?.code == .unsupportedPrivateKey else { return XCTFail("\(error)") }
        }
    }
}
