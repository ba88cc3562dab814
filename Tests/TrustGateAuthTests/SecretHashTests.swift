import Foundation
import XCTest
@testable import TrustGateAuth

final class SecretHashTests: XCTestCase {
    private func hex(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            bytes.append(UInt8(text[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }

    // MARK: Known answers

    /// RFC 7914 §11 (PBKDF2-HMAC-SHA256), also reproduced with python3 hashlib.pbkdf2_hmac.
    func testPBKDF2KnownAnswersFromRFC7914() {
        XCTAssertEqual(
            SecretHash.derive(Array("passwd".utf8), algorithm: .pbkdf2SHA256(iterations: 1), salt: Array("salt".utf8), byteCount: 64),
            hex("55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783"))
        XCTAssertEqual(
            SecretHash.derive(Array("Password".utf8), algorithm: .pbkdf2SHA256(iterations: 80_000), salt: Array("NaCl".utf8), byteCount: 64),
            hex("4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d"))
    }

    /// RFC 7914 §12 (scrypt), also reproduced with python3 hashlib.scrypt.
    func testScryptKnownAnswersFromRFC7914() {
        XCTAssertEqual(
            SecretHash.derive(Array("password".utf8), algorithm: .scrypt(logN: 10, blockSize: 8, parallelism: 16), salt: Array("NaCl".utf8), byteCount: 64),
            hex("fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640"))
        XCTAssertEqual(
            SecretHash.derive(Array("pleaseletmein".utf8), algorithm: .scrypt(logN: 14, blockSize: 8, parallelism: 1), salt: Array("SodiumChloride".utf8), byteCount: 64),
            hex("7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887"))
    }

    /// Strings made by python3 (hashlib + base64, PHC layout) verify here.
    func testStringsMadeElsewhereVerify() throws {
        // python3: salt = b"0123456789abcdef"; hashlib.pbkdf2_hmac("sha256", b"correct horse", salt, 100000, 32)
        let pbkdf2 = try SecretHash("$pbkdf2-sha256$i=100000$MDEyMzQ1Njc4OWFiY2RlZg$" + pbkdf2Python)
        XCTAssertTrue(pbkdf2.verify(Array("correct horse".utf8)))
        XCTAssertFalse(pbkdf2.verify(Array("correct horse ".utf8)))

        // python3: hashlib.scrypt(b"correct horse", salt=b"0123456789abcdef", n=2**14, r=8, p=1, dklen=32)
        let scrypt = try SecretHash("$scrypt$ln=14,r=8,p=1$MDEyMzQ1Njc4OWFiY2RlZg$" + scryptPython)
        XCTAssertTrue(scrypt.verify(Array("correct horse".utf8)))
        XCTAssertFalse(scrypt.verify(Array("Correct horse".utf8)))

        // printf abc | sha256sum: ba7816bf…
        let sha = try SecretHash("$sha256$ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0")
        XCTAssertTrue(sha.verify(Array("abc".utf8)))
        XCTAssertFalse(sha.verify(Array("abd".utf8)))
        XCTAssertFalse(sha.isSlow)
    }

    // MARK: Round trips

    func testCreatedHashesRoundTripThroughTheirStrings() throws {
        for algorithm in [SecretHash.Algorithm.pbkdf2SHA256(iterations: 100_000), .scrypt(logN: 14, blockSize: 8, parallelism: 1), .sha256] {
            let hash = try SecretHash.create(for: Array("s3cret ✓".utf8), algorithm: algorithm)
            let parsed = try SecretHash(hash.encoded)
            XCTAssertEqual(parsed.algorithm, algorithm)
            XCTAssertEqual(parsed.encoded, hash.encoded)
            XCTAssertTrue(parsed.verify(Array("s3cret ✓".utf8)), "\(algorithm)")
            XCTAssertFalse(parsed.verify(Array("s3cret".utf8)), "\(algorithm)")
            let fields = parsed.encoded.split(separator: "$")
            XCTAssertFalse(fields.suffix(2).contains { $0.contains("=") }, "PHC strings have no padding: \(parsed.encoded)")
        }
    }

    func testEachCreationHasAFreshSixteenByteSalt() throws {
        let first = try AuthTest.cheapHash("same")
        let second = try AuthTest.cheapHash("same")
        XCTAssertEqual(first.salt.count, 16)
        XCTAssertNotEqual(first.salt, second.salt)
        XCTAssertNotEqual(first.encoded, second.encoded)
    }

    func testDefaultIsPBKDF2WithOWASP2023Iterations() throws {
        XCTAssertEqual(SecretHash.defaultPBKDF2Iterations, 600_000)
        XCTAssertEqual(SecretHash.defaultScrypt, .scrypt(logN: 17, blockSize: 8, parallelism: 1))
    }

    func testPaddedBase64IsAcceptedToo() throws {
        let padded = try SecretHash("$pbkdf2-sha256$i=100000$MDEyMzQ1Njc4OWFiY2RlZg==$" + pbkdf2Python + "=")
        XCTAssertTrue(padded.verify(Array("correct horse".utf8)))
        XCTAssertEqual(padded.encoded, "$pbkdf2-sha256$i=100000$MDEyMzQ1Njc4OWFiY2RlZg$" + pbkdf2Python)
    }

    func testDescriptionShowsTheCostButNeitherSaltNorHash() throws {
        let hash = try AuthTest.cheapHash("pw")
        XCTAssertEqual(hash.description, "pbkdf2-sha256 (1000 iterations)")
        XCTAssertFalse("\(hash)".contains(PHCBase64.encodeUnpadded(hash.salt)))
    }

    func testEmptySecretsHashAndVerify() throws {
        let hash = try AuthTest.cheapHash("")
        XCTAssertTrue(hash.verify([UInt8]()))
        XCTAssertFalse(hash.verify(Array("x".utf8)))
    }

    // MARK: Malformed strings

    func testMalformedStringsAreRefusedWithoutQuotingThem() {
        let salt = "MDEyMzQ1Njc4OWFiY2RlZg"
        let cases: [String] = [
            "",
            "plaintext-password",
            "$pbkdf2-sha256$",
            "$pbkdf2-sha256$i=100000$\(salt)",
            "$pbkdf2-sha256$100000$\(salt)$\(pbkdf2Python)",
            "$pbkdf2-sha256$i=0100000$\(salt)$\(pbkdf2Python)",
            "$pbkdf2-sha256$i=+100000$\(salt)$\(pbkdf2Python)",
            "$pbkdf2-sha256$i=100000,x=1$\(salt)$\(pbkdf2Python)",
            "$pbkdf2-sha256$i=100000$\(salt)$\(pbkdf2Python)$extra",
            "$pbkdf2-sha256$i=100000$not base64!$\(pbkdf2Python)",
            "$pbkdf2-sha256$i=100000$\(salt)$-\(pbkdf2Python.dropFirst())",  // URL-safe alphabet
            "$pbkdf2-sha256$i=100000$c2FsdA$\(pbkdf2Python)",  // 4-byte salt
            "$pbkdf2-sha256$i=100000$\(salt)$AAAA",  // 3-byte hash
            "$pbkdf2-sha256$i=100000$\(salt)$\(pbkdf2Python)AB",  // impossible length (45 characters)
            "$scrypt$ln=14,p=1,r=8$\(salt)$\(scryptPython)",
            "$scrypt$ln=14,r=8$\(salt)$\(scryptPython)",
            "$sha256$abc",
            "$sha256$ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa1",  // non-zero leftover bits
            "$sha256$$ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0",
        ]
        for text in cases {
            XCTAssertThrowsError(try SecretHash(text), "accepted: \(text)") { error in
                guard let error = error as? SecretHashError else { return XCTFail("\(error)") }
                XCTAssertFalse(error.description.contains(salt) || error.description.contains(self.pbkdf2Python), error.description)
            }
        }
    }

    func testOtherAlgorithmsAreNamedAsUnsupported() {
        for text in ["$2b$12$abcdefghijklmnopqrstuu", "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2g", "$md5$x"] {
            XCTAssertThrowsError(try SecretHash(text)) { error in
                guard (error as? SecretHashError)?.code == .unsupportedAlgorithm else { return XCTFail("\(error)") }
            }
        }
    }

    // MARK: Cost bounds

    func testWeakCostsAreRefused() {
        let salt = "MDEyMzQ1Njc4OWFiY2RlZg"
        let hash = String(repeating: "A", count: 43)
        for text in ["$pbkdf2-sha256$i=99999$\(salt)$\(hash)", "$pbkdf2-sha256$i=1$\(salt)$\(hash)", "$scrypt$ln=13,r=8,p=1$\(salt)$\(hash)", "$scrypt$ln=14,r=1,p=1$\(salt)$\(hash)"] {
            XCTAssertThrowsError(try SecretHash(text), text) { error in
                guard let error = error as? SecretHashError, error.code == .costTooLow else { return XCTFail("\(error)") }
                XCTAssertTrue(error.message.contains("at least"), error.message)
            }
        }
        XCTAssertThrowsError(try SecretHash.create(for: [1], algorithm: .pbkdf2SHA256(iterations: 10_000)))
    }

    func testAbsurdCostsAreRefusedSoAConfigurationCannotStallTheProcess() {
        let salt = "MDEyMzQ1Njc4OWFiY2RlZg"
        let hash = String(repeating: "A", count: 43)
        let cases = [
            "$pbkdf2-sha256$i=2000001$\(salt)$\(hash)",
            "$pbkdf2-sha256$i=999999999$\(salt)$\(hash)",
            "$scrypt$ln=21,r=8,p=1$\(salt)$\(hash)",
            "$scrypt$ln=20,r=8,p=1$\(salt)$\(hash)",  // 1 GiB
            "$scrypt$ln=17,r=33,p=1$\(salt)$\(hash)",
            "$scrypt$ln=17,r=8,p=17$\(salt)$\(hash)",
            "$scrypt$ln=17,r=8,p=16$\(salt)$\(hash)",  // N·r·p = 2^24
        ]
        for text in cases {
            XCTAssertThrowsError(try SecretHash(text), text) { error in
                guard (error as? SecretHashError)?.code == .costTooHigh else { return XCTFail("\(text): \(error)") }
            }
        }
        XCTAssertNoThrow(try SecretHash("$pbkdf2-sha256$i=2000000$\(salt)$\(hash)"))
        XCTAssertNoThrow(try SecretHash("$scrypt$ln=18,r=8,p=1$\(salt)$\(hash)"))
    }

    func testDecoyHasTheSameCostAndMatchesNothing() throws {
        let hash = try AuthTest.cheapHash("pw")
        let decoy = hash.decoy()
        XCTAssertEqual(decoy.algorithm, hash.algorithm)
        XCTAssertEqual(decoy.salt.count, hash.salt.count)
        XCTAssertFalse(decoy.verify(Array("pw".utf8)))
    }

    // python3 -c 'import hashlib,base64; print(base64.b64encode(hashlib.pbkdf2_hmac("sha256", b"correct horse", b"0123456789abcdef", 100000, 32)).decode().rstrip("="))'
    private let pbkdf2Python = "WYEVV1ul0qBt7iGnOFpq5RmH0aOFvmOKTlUAgn9mWYM"
    // python3 -c 'import hashlib,base64; print(base64.b64encode(hashlib.scrypt(b"correct horse", salt=b"0123456789abcdef", n=2**14, r=8, p=1, dklen=32)).decode().rstrip("="))'
    private let scryptPython = "0LupyHkzAIgDr9UDsriAAf87vMbCbcaUfDvFOAHk0D0"
}
