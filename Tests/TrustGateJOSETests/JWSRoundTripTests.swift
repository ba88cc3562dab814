import Crypto
import Foundation
import TrustGateJOSE
import XCTest
import _CryptoExtras

final class JWSRoundTripTests: XCTestCase {
    private let all = Set(JWSAlgorithm.allCases)

    private func signingKey(for algorithm: JWSAlgorithm) -> JWSSigningKey {
        switch algorithm {
        case .rs256, .rs384, .rs512, .ps256, .ps384, .ps512: return .rsa(JOSETestKeys.rsa)
        case .es256: return .p256(JOSETestKeys.p256)
        case .es384: return .p384(JOSETestKeys.p384)
        case .es512: return .p521(JOSETestKeys.p521)
        case .edDSA: return .ed25519(JOSETestKeys.ed25519)
        case .hs256, .hs384, .hs512: return .symmetric(JOSETestKeys.secret)
        }
    }

    private func verificationKey(for algorithm: JWSAlgorithm, keyID: String? = "k1") throws -> JSONWebKey {
        try JSONWebKey(material: signingKey(for: algorithm).publicMaterial, keyID: keyID)
    }

    func testEveryAlgorithmSignsAndVerifies() throws {
        for algorithm in JWSAlgorithm.allCases {
            let signer = JWSSigner(key: signingKey(for: algorithm))
            let token = try signer.sign(payload: Array("hello \(algorithm)".utf8), header: JWSHeader(algorithm: algorithm, keyID: "k1", type: "at+jwt"))
            let verified = try JWSVerifier.verify(token, keys: [try verificationKey(for: algorithm)], allowedAlgorithms: all)
            XCTAssertEqual(verified.payload, Array("hello \(algorithm)".utf8), "\(algorithm)")
            XCTAssertEqual(verified.header.algorithm, algorithm)
            XCTAssertEqual(verified.header.type, "at+jwt")

            // One flipped signature bit fails.
            var parts = token.split(separator: ".").map(String.init)
            var signature = try XCTUnwrap(Base64URL.decode(parts[2]))
            signature[signature.count / 2] ^= 0x01
            parts[2] = Base64URL.encode(signature)
            XCTAssertThrowsError(try JWSVerifier.verify(parts.joined(separator: "."), keys: [try verificationKey(for: algorithm)], allowedAlgorithms: all)) {
                XCTAssertEqual($0 as? JWSError, .badSignature, "\(algorithm)")
            }
        }
    }

    func testECDSASignaturesAreRawAndFixedSize() throws {
        let token = try JWSSigner(key: .p256(JOSETestKeys.p256)).sign(payload: [1], header: JWSHeader(algorithm: .es256))
        let parts = token.split(separator: ".")
        let raw = try XCTUnwrap(Base64URL.decode(parts[2]))
        XCTAssertEqual(raw.count, 64)
        // The same signature in DER form is refused (RFC 7518 §3.4).
        let der = try P256.Signing.ECDSASignature(rawRepresentation: raw).derRepresentation
        let derToken = "\(parts[0]).\(parts[1]).\(Base64URL.encode(der))"
        XCTAssertThrowsError(try JWSVerifier.verify(derToken, keys: [try verificationKey(for: .es256)], allowedAlgorithms: all)) {
            XCTAssertEqual($0 as? JWSError, .badSignature)
        }
    }

    func testKeyIDSelectsTheKey() throws {
        let other = P256.Signing.PrivateKey()
        let keys = [
            try JSONWebKey(material: .p256(other.publicKey), keyID: "old"),
            try JSONWebKey(material: .p256(JOSETestKeys.p256.publicKey), keyID: "new"),
        ]
        let signer = JWSSigner(key: .p256(JOSETestKeys.p256))
        let good = try signer.sign(payload: [1], header: JWSHeader(algorithm: .es256, keyID: "new"))
        XCTAssertEqual(try JWSVerifier.verify(good, keys: keys, allowedAlgorithms: all).key.keyID, "new")

        // Naming the other key: only that key is tried.
        let misnamed = try signer.sign(payload: [1], header: JWSHeader(algorithm: .es256, keyID: "old"))
        XCTAssertThrowsError(try JWSVerifier.verify(misnamed, keys: keys, allowedAlgorithms: all)) {
            XCTAssertEqual($0 as? JWSError, .badSignature)
        }
        let unknown = try signer.sign(payload: [1], header: JWSHeader(algorithm: .es256, keyID: "rotated"))
        XCTAssertThrowsError(try JWSVerifier.verify(unknown, keys: keys, allowedAlgorithms: all)) {
            XCTAssertEqual($0 as? JWSError, .noMatchingKey(keyID: "rotated"))
        }
        // Without kid every compatible key is tried.
        let anonymous = try signer.sign(payload: [1], header: JWSHeader(algorithm: .es256))
        XCTAssertEqual(try JWSVerifier.verify(anonymous, keys: keys, allowedAlgorithms: all).key.keyID, "new")
        // kid matching is exact.
        let caseChanged = try signer.sign(payload: [1], header: JWSHeader(algorithm: .es256, keyID: "NEW"))
        XCTAssertThrowsError(try JWSVerifier.verify(caseChanged, keys: keys, allowedAlgorithms: all)) {
            XCTAssertEqual($0 as? JWSError, .noMatchingKey(keyID: "NEW"))
        }
    }

    func testAlgorithmMustBeAllowedBeforeAnyKeyIsUsed() throws {
        let token = try JWSSigner(key: .rsa(JOSETestKeys.rsa)).sign(payload: [1], header: JWSHeader(algorithm: .rs256))
        XCTAssertThrowsError(try JWSVerifier.verify(token, keys: [try verificationKey(for: .rs256)], allowedAlgorithms: [.ps256, .es256])) {
            XCTAssertEqual($0 as? JWSError, .algorithmNotAllowed(.rs256))
        }
    }

    func testNoneIsRejected() throws {
        for name in ["none", "None", "NONE", ""] {
            let header = Base64URL.encode(Array(#"{"alg":"\#(name)","typ":"JWT"}"#.utf8))
            let payload = Base64URL.encode(Array(#"{"sub":"admin"}"#.utf8))
            for token in ["\(header).\(payload).", "\(header).\(payload).AAAA"] {
                XCTAssertThrowsError(try JWSVerifier.verify(token, keys: [try verificationKey(for: .hs256)], allowedAlgorithms: all)) { error in
                    switch (error as? JWSError)?.code {
                    case .unsupportedAlgorithm?, .malformed?: break
                    default: XCTFail("alg \(name): \(error)")
                    }
                }
            }
        }
        let missingAlgorithm = Base64URL.encode(Array(#"{"typ":"JWT"}"#.utf8)) + ".e30.AAAA"
        XCTAssertThrowsError(try CompactJWS(parsing: missingAlgorithm)) {
            XCTAssertEqual($0 as? JWSError, .unsupportedAlgorithm(""))
        }
    }

    func testDuplicateHeaderMembersAreRejected() throws {
        // A parser that keeps the last "alg" would see none; one that keeps the first would see HS256.
        let header = Base64URL.encode(Array(#"{"alg":"HS256","alg":"none"}"#.utf8))
        let token = "\(header).e30.AAAA"
        XCTAssertThrowsError(try CompactJWS(parsing: token)) { error in
            guard let error = error as? JWSError, error.code == .malformed else { return XCTFail("\(error)") }
            XCTAssertTrue(error.message.contains("appears twice"), error.message)
        }
    }

    func testCritAndB64AreRejected() throws {
        for header in [#"{"alg":"ES256","crit":["exp"],"exp":1}"#, #"{"alg":"ES256","b64":false,"crit":["b64"]}"#, #"{"alg":"ES256","b64":true}"#] {
            let token = Base64URL.encode(Array(header.utf8)) + ".e30.AAAA"
            XCTAssertThrowsError(try CompactJWS(parsing: token), header)
        }
    }

    func testPaddedOrDirtySegmentsAreRejected() throws {
        let token = try JWSSigner(key: .symmetric(JOSETestKeys.secret)).sign(payload: Array("Test".utf8), header: JWSHeader(algorithm: .hs256))
        XCTAssertNoThrow(try JWSVerifier.verify(token, keys: [try verificationKey(for: .hs256)], allowedAlgorithms: all))
        let parts = token.split(separator: ".").map(String.init)
        let variants = [
            "\(parts[0])=.\(parts[1]).\(parts[2])",
            "\(parts[0]).\(parts[1])=.\(parts[2])",
            "\(parts[0]).\(parts[1]).\(parts[2])=",
            "\(parts[0]).\(parts[1]).\(parts[2]) ",
            "\(parts[0]).\(parts[1]).\(parts[2]).",
            "\(parts[0]).\(parts[1])",
        ]
        for variant in variants {
            XCTAssertThrowsError(try JWSVerifier.verify(variant, keys: [try verificationKey(for: .hs256)], allowedAlgorithms: all)) { error in
                guard (error as? JWSError)?.code == .malformed else { return XCTFail("\(variant): \(error)") }
            }
        }
    }

    /// CVE-2016-10555: an attacker signs HS256 with the RSA public key's bytes as the secret; the verifier must
    /// never treat an RSA key as an HMAC secret.
    func testHS256SignedWithTheRSAPublicKeyIsRejected() throws {
        let rsaKey = try JSONWebKey(material: .rsa(JOSETestKeys.rsa.publicKey), keyID: "rsa-1")
        let publicKey = JOSETestKeys.rsa.publicKey
        for secret in [Array(publicKey.pemRepresentation.utf8), Array(publicKey.derRepresentation), Array(publicKey.pkcs1DERRepresentation)] {
            let forger = JWSSigner(key: .symmetric(SymmetricKey(data: secret)))
            for keyID in ["rsa-1", nil] as [String?] {
                let forged = try forger.sign(payload: Array(#"{"sub":"admin"}"#.utf8), header: JWSHeader(algorithm: .hs256, keyID: keyID))
                XCTAssertThrowsError(try JWSVerifier.verify(forged, keys: [rsaKey], allowedAlgorithms: all)) { error in
                    let expected: JWSError = keyID == nil ? .noMatchingKey(keyID: nil) : .keyNotUsable(keyID: keyID)
                    XCTAssertEqual(error as? JWSError, expected)
                }
            }
        }
    }

    func testEmbeddedKeysAreNeverUsed() throws {
        let attacker = P256.Signing.PrivateKey()
        let embedded = try JSONWebKey(material: .p256(attacker.publicKey)).publicJSONObject()
        let header = JWSHeader(algorithm: .es256, keyID: "k1", additionalMembers: ["jwk": .object(embedded), "jku": "https://evil.test/jwks"])
        let token = try JWSSigner(key: .p256(attacker)).sign(payload: [1], header: header)
        let parsed = try CompactJWS(parsing: token)
        XCTAssertNotNil(parsed.header.embeddedKey)
        XCTAssertEqual(parsed.header.jwkSetURL, "https://evil.test/jwks")
        XCTAssertThrowsError(try JWSVerifier.verify(token, keys: [try verificationKey(for: .es256)], allowedAlgorithms: all)) {
            XCTAssertEqual($0 as? JWSError, .badSignature)
        }
    }

    func testSignerRefusesAKeyOfTheWrongType() {
        XCTAssertThrowsError(try JWSSigner(key: .p256(JOSETestKeys.p256)).sign(payload: [1], header: JWSHeader(algorithm: .es384))) {
            XCTAssertEqual($0 as? JWSSigningError, .keyDoesNotFitAlgorithm(.es384))
        }
        XCTAssertThrowsError(try JWSSigner(key: .symmetric(SymmetricKey(size: .bits128))).sign(payload: [1], header: JWSHeader(algorithm: .hs256))) {
            XCTAssertEqual($0 as? JWSSigningError, .keyDoesNotFitAlgorithm(.hs256))
        }
    }

    func testHeaderCarriesCertificateMembersAndIsSorted() throws {
        let leaf = try JOSETestKeys.selfSignedCertificate(for: JOSETestKeys.p256, name: "signer")
        let thumbprint = CertificateThumbprint.sha256(certificateDER: leaf)
        let header = JWSHeader(algorithm: .es256, keyID: "k1", type: "JWT", certificateSHA256Thumbprint: thumbprint, certificateChain: [leaf])
        let token = try JWSSigner(key: .p256(JOSETestKeys.p256)).sign(payload: [1], header: header)
        let headerText = String(decoding: try XCTUnwrap(Base64URL.decode(token.split(separator: ".")[0])), as: UTF8.self)
        XCTAssertEqual(headerText, #"{"alg":"ES256","kid":"k1","typ":"JWT","x5c":["\#(Base64Standard.encode(leaf))"],"x5t#S256":"\#(thumbprint)"}"#)
        let parsed = try CompactJWS(parsing: token)
        XCTAssertEqual(parsed.header.certificateChain, [leaf])
        XCTAssertEqual(parsed.header.certificateSHA256Thumbprint, thumbprint)
    }

    func testX5CParsingAndItsQuirkOptions() throws {
        let leaf = try JOSETestKeys.selfSignedCertificate(for: JOSETestKeys.p256, name: "client")
        let encoded = Base64Standard.encode(leaf)
        var wrapped = ""
        for (index, character) in encoded.enumerated() {
            if index > 0, index % 64 == 0 { wrapped += "\n" }
            wrapped.append(character)
        }
        func header(_ x5c: JSONValue) -> JSONObject { ["alg": "PS256", "x5c": x5c] }

        XCTAssertEqual(try JWSHeader(parsing: header([.string(encoded)])).certificateChain, [leaf])
        XCTAssertThrowsError(try JWSHeader(parsing: header([.string(wrapped)])))
        XCTAssertThrowsError(try JWSHeader(parsing: header(.string(encoded))))
        XCTAssertThrowsError(try JWSHeader(parsing: header([.string(Base64URL.encode(leaf))])), "x5c is standard base64, not base64url")
        XCTAssertThrowsError(try JWSHeader(parsing: header([])))
        XCTAssertThrowsError(try JWSHeader(parsing: header([1])))

        let msalPython = JWSHeaderParsingOptions(allowsLineBreaksInCertificates: true)
        XCTAssertEqual(try JWSHeader(parsing: header([.string(wrapped)]), options: msalPython).certificateChain, [leaf])
        let msalDotNet = JWSHeaderParsingOptions(allowsSingleCertificateString: true)
        XCTAssertEqual(try JWSHeader(parsing: header(.string(encoded)), options: msalDotNet).certificateChain, [leaf])
    }

    func testOversizedTokensAreRefusedUnread() {
        let huge = String(repeating: "A", count: CompactJWS.defaultMaximumLength + 1)
        XCTAssertThrowsError(try CompactJWS(parsing: huge)) { error in
            guard (error as? JWSError)?.code == .malformed else { return XCTFail("\(error)") }
        }
    }
}
