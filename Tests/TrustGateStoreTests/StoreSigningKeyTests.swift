import Crypto
import Foundation
import TrustGateJOSE
import XCTest
import _CryptoExtras

@testable import TrustGateStore

/// Signing keys: encrypted at rest, published before they sign, kept after they retire.
final class StoreSigningKeyTests: XCTestCase {
    func testPrivateKeysAreEncryptedAtRestAndNeedTheRightStoreKey() async throws {
        let (store, path) = try makeStore(self)
        let storeKey = KeyEncryptionKey.generate()
        let now = Date()
        let rsa = try SigningKey.generate(algorithm: .rs256, publishedAt: now, activeFrom: now, storeKey: storeKey, now: now)
        let ec = try SigningKey.generate(algorithm: .es256, publishedAt: now, activeFrom: nil, storeKey: storeKey, now: now)
        try await store.addSigningKey(rsa)
        try await store.addSigningKey(ec)
        let duplicate = await asyncError { try await store.addSigningKey(ec) }
        XCTAssertEqual(duplicate as? RegistrationStoreError, .signingKeyAlreadyExists(ec.keyID))

        let stored = try await store.signingKeys()
        XCTAssertEqual(Set(stored.map(\.keyID)), [rsa.keyID, ec.keyID])
        let bytes = storeFileBytes(path)
        for key in stored {
            let privateKey = try key.privateKey(using: storeKey)
            let secretBytes: [UInt8]
            switch privateKey {
            case .rsa(let rsaKey):
                // The PKCS#1 encoding, and a window in the middle of it (the private exponent / primes).
                let der = Array(rsaKey.derRepresentation)
                XCTAssertFalse(bytes.containsSequence(der), "the RSA private key is not stored in clear")
                secretBytes = Array(der[(der.count / 2)..<(der.count / 2 + 32)])
            case .p256(let ecKey):
                secretBytes = Array(ecKey.rawRepresentation)
            default:
                return XCTFail("unexpected key type")
            }
            XCTAssertFalse(bytes.containsSequence(secretBytes), "private key bytes of \(key.keyID) appear in the store")
            XCTAssertTrue(bytes.containsSequence(key.publicKeyDER), "the public key is stored in clear")
        }

        // Another store key fails with a clear, typed error.
        let wrongKey = KeyEncryptionKey.generate()
        XCTAssertThrowsError(try stored[0].privateKey(using: wrongKey)) { error in
            XCTAssertEqual(error as? KeyEncryptionKeyError, .doesNotMatch(keyID: stored[0].keyID))
            XCTAssertTrue("\(error)".hasPrefix("the store key does not match"), "\(error)")
        }
        // The key id is authenticated: a sealed key moved to another row does not open.
        let moved = try SigningKey(
            keyID: ec.keyID, algorithm: .rs256, publicKeyDER: rsa.publicKeyDER, certificateDER: nil,
            sealedPrivateKey: rsa.sealedPrivateKey, createdAt: now, publishedAt: now, activeFrom: nil)
        XCTAssertThrowsError(try moved.privateKey(using: storeKey)) { error in
            XCTAssertEqual(error as? KeyEncryptionKeyError, .doesNotMatch(keyID: ec.keyID))
        }
    }

    func testSignedTokensVerifyWithThePublishedJWK() async throws {
        let storeKey = KeyEncryptionKey.generate()
        let now = Date()
        for algorithm in SigningKeyAlgorithm.allCases {
            let key = try SigningKey.generate(algorithm: algorithm, publishedAt: now, activeFrom: now, storeKey: storeKey, now: now)
            let token = try key.signer(using: storeKey).sign(
                claims: ["sub": "billing"], header: JWSHeader(algorithm: algorithm.jwsAlgorithm, keyID: key.keyID, type: "at+jwt"))
            let jwk = try key.publicJWK()
            XCTAssertEqual(jwk.keyID, key.keyID)
            XCTAssertEqual(jwk.algorithm, algorithm.jwsAlgorithm)
            XCTAssertEqual(jwk.use, "sig")
            XCTAssertEqual(jwk.certificateChain?.count, 1, "x5c carries the key's self-signed certificate")
            XCTAssertEqual(try jwk.thumbprintSHA256(), key.keyID, "kid is the RFC 7638 thumbprint")
            let verified = try JWSVerifier.verify(token, keys: [jwk], allowedAlgorithms: [algorithm.jwsAlgorithm])
            XCTAssertEqual(verified.key.keyID, key.keyID)
            let set = try SigningKey.keySet([key]).publicJSON()
            XCTAssertFalse(set.contains("\"d\""), "no private member in the JWKS")
        }
    }

    func testRotationPublishesFirstAndRetiresAfterTokenLifetimePlusCacheTime() async throws {
        let (store, _) = try makeStore(self)
        let storeKey = KeyEncryptionKey.generate()
        try await store.addClient(try makeClient("long-lived", lifetime: 7200))
        let start = Date(timeIntervalSince1970: 1_900_000_000)

        // The first key signs at once, even with a publish delay: nobody can have cached a JWKS without it.
        let rotation = SigningKeyRotation(publishDelay: 600, jwksCacheTime: 900)
        let first = try await rotation.rotate(in: store, algorithm: .es256, storeKey: storeKey, now: start)
        XCTAssertEqual(first.newKey.activeFrom, start)
        XCTAssertTrue(first.retiredKeys.isEmpty)
        let current = try await store.currentSigningKey(at: start)
        XCTAssertEqual(current?.keyID, first.newKey.keyID)

        let later = start.addingTimeInterval(86_400)
        let second = try await rotation.rotate(in: store, algorithm: .rs256, storeKey: storeKey, now: later)
        XCTAssertEqual(second.retention, 7200 + 900, "longest client token lifetime + JWKS cache time")
        XCTAssertEqual(second.retiredKeys.map(\.keyID), [first.newKey.keyID])
        let retired = try XCTUnwrap(second.retiredKeys.first)
        XCTAssertEqual(retired.retiredAt, later.addingTimeInterval(600))
        XCTAssertEqual(retired.removedAt, later.addingTimeInterval(600 + 7200 + 900))

        // During the publish delay: both in the JWKS, the old key still signs.
        let duringDelay = later.addingTimeInterval(300)
        let signingDuringDelay = try await store.currentSigningKey(at: duringDelay)
        XCTAssertEqual(signingDuringDelay?.keyID, first.newKey.keyID)
        let publishedDuringDelay = try await store.publishedSigningKeys(at: duringDelay)
        XCTAssertEqual(Set(publishedDuringDelay.map(\.keyID)), [first.newKey.keyID, second.newKey.keyID])
        XCTAssertEqual(second.newKey.state(at: duringDelay), .published)

        // After the delay: the new key signs, the old one is retired but still published.
        let afterDelay = later.addingTimeInterval(601)
        let signingAfterDelay = try await store.currentSigningKey(at: afterDelay)
        XCTAssertEqual(signingAfterDelay?.keyID, second.newKey.keyID)
        let publishedAfterDelay = try await store.publishedSigningKeys(at: afterDelay)
        XCTAssertEqual(publishedAfterDelay.count, 2)
        let keys = try await store.signingKeys()
        XCTAssertEqual(keys.first { $0.keyID == first.newKey.keyID }?.state(at: afterDelay), .retired)

        // After the retention: only the new key remains in the JWKS.
        let afterRetention = later.addingTimeInterval(600 + 7200 + 900 + 1)
        let publishedAfterRetention = try await store.publishedSigningKeys(at: afterRetention)
        XCTAssertEqual(publishedAfterRetention.map(\.keyID), [second.newKey.keyID])
        XCTAssertEqual(keys.first { $0.keyID == first.newKey.keyID }?.state(at: afterRetention), .removed)
        let before = try await store.publishedSigningKeys(at: start.addingTimeInterval(-1))
        XCTAssertTrue(before.isEmpty, "nothing is published before its time")
    }

    func testActivateAndRetireByHand() async throws {
        let (store, _) = try makeStore(self)
        let storeKey = KeyEncryptionKey.generate()
        let now = Date()
        let key = try SigningKey.generate(algorithm: .es256, publishedAt: now, activeFrom: nil, storeKey: storeKey, now: now)
        try await store.addSigningKey(key)
        let none = try await store.currentSigningKey(at: now)
        XCTAssertNil(none, "published but never activated")
        let early = await asyncError { try await store.activateSigningKey(keyID: key.keyID, at: now.addingTimeInterval(-60)) }
        guard (early as? RegistrationStoreError)?.code == .invalidValue else { return XCTFail("\(String(describing: early))") }
        try await store.activateSigningKey(keyID: key.keyID, at: now)
        let active = try await store.currentSigningKey(at: now)
        XCTAssertEqual(active?.keyID, key.keyID)
        try await store.retireSigningKey(keyID: key.keyID, at: now.addingTimeInterval(10), removeAt: now.addingTimeInterval(20))
        let afterRetirement = try await store.currentSigningKey(at: now.addingTimeInterval(11))
        XCTAssertNil(afterRetirement)
        let unknown = await asyncError { try await store.activateSigningKey(keyID: "nope", at: now) }
        XCTAssertEqual(unknown as? RegistrationStoreError, .unknownSigningKey("nope"))
    }

    func testStoreKeySourcesAndTheirErrors() throws {
        let directory = try makeTemporaryDirectory(self)
        let key = KeyEncryptionKey.generate()
        let raw = directory.appendingPathComponent("raw.key").path
        _ = FileManager.default.createFile(atPath: raw, contents: Data(key.rawBytes), attributes: [.posixPermissions: 0o600])
        XCTAssertEqual(try KeyEncryptionKey.load(file: raw).rawBytes, key.rawBytes)

        let base64 = directory.appendingPathComponent("base64.key").path
        _ = FileManager.default.createFile(
            atPath: base64, contents: Data((Data(key.rawBytes).base64EncodedString() + "\n").utf8), attributes: [.posixPermissions: 0o400])
        XCTAssertEqual(try KeyEncryptionKey.load(file: base64).rawBytes, key.rawBytes)

        let open = directory.appendingPathComponent("open.key").path
        _ = FileManager.default.createFile(atPath: open, contents: Data(key.rawBytes), attributes: [.posixPermissions: 0o640])
        XCTAssertThrowsError(try KeyEncryptionKey.load(file: open)) { error in
            XCTAssertEqual(error as? KeyEncryptionKeyError, .fileTooOpen(path: open, mode: 0o100640))
        }
        let short = directory.appendingPathComponent("short.key").path
        _ = FileManager.default.createFile(atPath: short, contents: Data(repeating: 7, count: 16), attributes: [.posixPermissions: 0o600])
        XCTAssertThrowsError(try KeyEncryptionKey.load(file: short)) { error in
            XCTAssertEqual(error as? KeyEncryptionKeyError, .wrongLength(source: short, byteCount: 16))
        }
        XCTAssertThrowsError(try KeyEncryptionKey.load(file: directory.appendingPathComponent("absent").path)) { error in
            guard (error as? KeyEncryptionKeyError)?.code == .fileUnreadable else { return XCTFail("\(error)") }
        }

        let encoded = Data(key.rawBytes).base64EncodedString()
        XCTAssertEqual(try KeyEncryptionKey.resolve(file: nil, environment: ["TRUSTGATE_STORE_KEY": encoded]).rawBytes, key.rawBytes)
        XCTAssertThrowsError(try KeyEncryptionKey.resolve(file: nil, environment: [:])) { error in
            XCTAssertEqual(error as? KeyEncryptionKeyError, .missing(environmentVariable: "TRUSTGATE_STORE_KEY"))
        }
        XCTAssertThrowsError(try KeyEncryptionKey.resolve(file: nil, environment: ["TRUSTGATE_STORE_KEY": "c2hvcnQ="])) { error in
            XCTAssertEqual(error as? KeyEncryptionKeyError, .wrongLength(source: "TRUSTGATE_STORE_KEY", byteCount: 5))
        }
        XCTAssertThrowsError(try KeyEncryptionKey.resolve(file: nil, environment: ["TRUSTGATE_STORE_KEY": "*not base64*"])) { error in
            XCTAssertEqual(error as? KeyEncryptionKeyError, .notBase64(source: "TRUSTGATE_STORE_KEY"))
        }
    }
}
