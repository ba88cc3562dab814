import Crypto
import Foundation
import TrustGateJOSE
import XCTest
import _CryptoExtras

final class JSONWebKeyTests: XCTestCase {
    func testExportAndReparseEveryPublicKeyType() throws {
        let materials: [JSONWebKey.Material] = [
            .rsa(JOSETestKeys.rsa.publicKey), .p256(JOSETestKeys.p256.publicKey), .p384(JOSETestKeys.p384.publicKey),
            .p521(JOSETestKeys.p521.publicKey), .ed25519(JOSETestKeys.ed25519.publicKey),
        ]
        for material in materials {
            let key = try JSONWebKey(material: material, keyID: "k", algorithm: nil)
            let json = try key.publicJSON()
            let parsed = try JSONWebKey(json: json)
            XCTAssertEqual(parsed.keyID, "k")
            XCTAssertEqual(parsed.use, "sig")
            XCTAssertEqual(try parsed.publicJSON(), json)
            XCTAssertEqual(try parsed.thumbprintSHA256(), try key.thumbprintSHA256())
            XCTAssertFalse(json.contains("\"d\""))
        }
    }

    func testRFC7638ThumbprintExample() throws {
        // RFC 7638 §3.1.
        let key = try JSONWebKey(json: #"""
        {"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}
        """#)
        XCTAssertEqual(try key.thumbprintSHA256(), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs")
    }

    func testSecretKeysAreNeverExported() throws {
        let key = try JSONWebKey(material: .symmetric(SymmetricKey(size: .bits256)))
        XCTAssertThrowsError(try key.publicJSONObject()) { XCTAssertEqual($0 as? JSONWebKeyError, .secretKeyNotExportable) }
        XCTAssertThrowsError(try JWSSigningKey.symmetric(SymmetricKey(size: .bits256)).publicJWK(keyID: "x"))
    }

    func testSmallRSAKeysAreRefused() throws {
        let small = try _RSA.Signing.PrivateKey(unsafeKeySize: .init(bitCount: 1024)).publicKey
        let numbers = try small.getKeyPrimitives()
        let json = #"{"kty":"RSA","n":"\#(Base64URL.encode(numbers.modulus))","e":"\#(Base64URL.encode(numbers.publicExponent))"}"#
        XCTAssertThrowsError(try JSONWebKey(json: json)) { XCTAssertEqual($0 as? JSONWebKeyError, .rsaModulusTooSmall(bits: 1024)) }
    }

    func testECPointsAreValidated() throws {
        let good = try JSONWebKey(material: .p256(JOSETestKeys.p256.publicKey)).publicJSONObject()
        var offCurve = good
        offCurve["y"] = .string(Base64URL.encode([UInt8](repeating: 1, count: 32)))
        XCTAssertThrowsError(try JSONWebKey(jsonObject: offCurve)) { error in
            guard (error as? JSONWebKeyError)?.code == .invalidKeyMaterial else { return XCTFail("\(error)") }
        }
        var short = good
        short["x"] = .string(Base64URL.encode([UInt8](repeating: 1, count: 31)))
        XCTAssertThrowsError(try JSONWebKey(jsonObject: short)) { XCTAssertEqual($0 as? JSONWebKeyError, .invalidMember("x")) }
        var wrongCurve = good
        wrongCurve["crv"] = "secp256k1"
        XCTAssertThrowsError(try JSONWebKey(jsonObject: wrongCurve)) { XCTAssertEqual($0 as? JSONWebKeyError, .unsupportedCurve("secp256k1")) }
    }

    func testUseKeyOpsAndAlgRestrictTheKey() throws {
        let material = JSONWebKey.Material.p256(JOSETestKeys.p256.publicKey)
        XCTAssertTrue(try JSONWebKey(material: material).permitsVerification(with: .es256))
        XCTAssertFalse(try JSONWebKey(material: material).permitsVerification(with: .es384), "curve must match")
        XCTAssertFalse(try JSONWebKey(material: material).permitsVerification(with: .hs256), "EC bytes are no HMAC key")
        XCTAssertFalse(try JSONWebKey(material: material, use: "enc").permitsVerification(with: .es256))
        XCTAssertTrue(try JSONWebKey(material: material, use: nil).permitsVerification(with: .es256))
        XCTAssertFalse(try JSONWebKey(material: material, keyOperations: ["encrypt"]).permitsVerification(with: .es256))
        XCTAssertTrue(try JSONWebKey(material: material, keyOperations: ["verify"]).permitsVerification(with: .es256))
        let rsa = JSONWebKey.Material.rsa(JOSETestKeys.rsa.publicKey)
        XCTAssertTrue(try JSONWebKey(material: rsa, algorithm: .ps256).permitsVerification(with: .ps256))
        XCTAssertFalse(try JSONWebKey(material: rsa, algorithm: .ps256).permitsVerification(with: .rs256))
        XCTAssertFalse(try JSONWebKey(material: rsa).permitsVerification(with: .es256))
        var unknownAlgorithm = try JSONWebKey(material: rsa).publicJSONObject()
        unknownAlgorithm["alg"] = "RSA-OAEP"
        XCTAssertFalse(try JSONWebKey(jsonObject: unknownAlgorithm).permitsVerification(with: .rs256))
        XCTAssertFalse(try JSONWebKey(material: .symmetric(SymmetricKey(size: .bits256))).permitsVerification(with: .hs512), "secret shorter than the hash")
    }

    func testCertificateChainMustHoldTheKey() throws {
        let leaf = try JOSETestKeys.selfSignedCertificate(for: JOSETestKeys.p256, name: "issuer")
        let key = try JWSSigningKey.p256(JOSETestKeys.p256).publicJWK(keyID: "k", algorithm: .es256, certificateChain: [leaf])
        XCTAssertEqual(key.certificateSHA256Thumbprint, CertificateThumbprint.sha256(certificateDER: leaf))
        let object = try key.publicJSONObject()
        XCTAssertEqual(object["x5c"], [.string(Base64Standard.encode(leaf))])
        XCTAssertEqual(object["alg"], "ES256")
        XCTAssertNotNil(try JSONWebKey(jsonObject: object).certificateChain)

        XCTAssertThrowsError(try JSONWebKey(material: .p256(P256.Signing.PrivateKey().publicKey), certificateChain: [leaf])) {
            XCTAssertEqual($0 as? JSONWebKeyError, .certificateDoesNotMatchKey)
        }
        var wrongThumbprint = object
        wrongThumbprint["x5t#S256"] = .string(Base64URL.encode([UInt8](repeating: 7, count: 32)))
        XCTAssertThrowsError(try JSONWebKey(jsonObject: wrongThumbprint)) {
            XCTAssertEqual($0 as? JSONWebKeyError, .certificateDoesNotMatchKey)
        }
    }

    func testKeySetSkipsUnusableKeysAndKeepsTheRest() throws {
        let good = try JSONWebKey(material: .p256(JOSETestKeys.p256.publicKey), keyID: "good").publicJSON()
        let json = #"{"keys":[\#(good),{"kty":"RSA","kid":"enc","n":"AQAB","e":"AQAB"},{"kty":"OKP","crv":"X25519","x":"AAAA","kid":"x"},42,{"kty":"EC"}]}"#
        let set = try JSONWebKeySet(json: json)
        XCTAssertEqual(set.keys.map(\.keyID), ["good"])
        XCTAssertEqual(set.skippedKeys.map(\.index), [1, 2, 3, 4])
        XCTAssertEqual(set.skippedKeys[1].reason, .unsupportedCurve("X25519"))
        XCTAssertThrowsError(try JSONWebKeySet(json: #"{"kids":[]}"#)) { XCTAssertEqual($0 as? JSONWebKeyError, .notAKeySet) }
        XCTAssertThrowsError(try JSONWebKeySet(json: #"{"keys":[],"keys":[]}"#))
        let reparsed = try JSONWebKeySet(json: try JSONWebKeySet(keys: set.keys).publicJSON())
        XCTAssertEqual(reparsed.keys.count, 1)
    }
}
