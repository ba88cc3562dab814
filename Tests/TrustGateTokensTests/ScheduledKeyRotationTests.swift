import Foundation
import Synchronization
import TrustGateJOSE
import TrustGateStore
import TrustGateTokens
import XCTest

/// JK-3 with the automatic schedule: a key that has signed for the interval is replaced once, the new key is
/// published ahead of signing, and tokens the old key signed keep verifying.
final class ScheduledKeyRotationTests: XCTestCase {
    private var environment: TokenTestEnvironment!

    override func setUp() async throws {
        environment = try await TokenTestEnvironment()
    }

    override func tearDown() async throws {
        await environment.close()
    }

    /// A clock the test moves by hand.
    private final class ManualClock: Sendable {
        private let time: Mutex<Date>
        init(_ start: Date) { time = Mutex(start) }
        var now: Date { time.withLock { $0 } }
        func set(_ date: Date) { time.withLock { $0 = date } }
    }

    private func keySet(_ service: TokenService) async throws -> [JSONWebKey] {
        let response = await service.handle(TokenRequest(method: "GET", path: service.settings.urls.jwksPath, isSecureTransport: true))
        return try JSONWebKeySet(jsonBytes: response.body).keys
    }

    private func issue(_ service: TokenService, secret: String) async throws -> String {
        let response = await service.handle(TokenRequest(
            method: "POST", path: service.settings.urls.tokenPath, contentType: "application/x-www-form-urlencoded",
            authorization: [TokenTestEnvironment.basic("app", secret)],
            body: Array(TokenTestEnvironment.form([("grant_type", "client_credentials"), ("scope", TokenTestEnvironment.resourceScope)]).utf8),
            isSecureTransport: true))
        XCTAssertEqual(response.status, 200, String(decoding: response.body, as: UTF8.self))
        let body = try TokenTestEnvironment.json(response)
        return try XCTUnwrap(body["access_token"]?.stringValue)
    }

    private func signingKeyID(of token: String, verifiedBy keys: [JSONWebKey]) throws -> String? {
        try JWSVerifier.verify(token, keys: keys, allowedAlgorithms: [.rs256, .ps256, .es256]).header.keyID
    }

    func testScheduleRotatesOncePublishesAheadAndOldTokensStillVerify() async throws {
        let schedule = SigningKeyRotationSchedule(interval: 10, publishAhead: 2)
        XCTAssertNoThrow(try schedule.validate(jwksCacheTime: 2))
        var settings = environment.settings
        settings.jwksCacheTime = 2
        let start = Date()
        let clock = ManualClock(start)
        let service = try TokenService(settings: settings, store: environment.store, storeKey: environment.storeKey, clock: { clock.now })
        try await environment.addClient("app", methods: [.clientSecretBasic])
        let secret = try await environment.addSecret("app")
        let rotation = schedule.rotation(jwksCacheTime: settings.jwksCacheTime)
        let current = try await environment.store.currentSigningKey(at: start)
        let original = try XCTUnwrap(current)

        // Not yet due: nothing happens.
        clock.set(start.addingTimeInterval(5))
        let early = try await rotation.rotateIfDue(
            in: environment.store, interval: schedule.interval, algorithm: .rs256, storeKey: environment.storeKey, now: clock.now)
        XCTAssertNil(early)
        let oldToken = try await issue(service, secret: secret)

        // Due: exactly one rotation, however often the schedule looks.
        let rotatedAt = start.addingTimeInterval(11)
        clock.set(rotatedAt)
        let result = try await rotation.rotateIfDue(
            in: environment.store, interval: schedule.interval, algorithm: .rs256, storeKey: environment.storeKey, now: clock.now)
        let rotated = try XCTUnwrap(result)
        XCTAssertEqual(rotated.retiredKeys.map(\.keyID), [original.keyID])
        XCTAssertEqual(rotated.newKey.activeFrom, rotatedAt.addingTimeInterval(2))
        let again = try await rotation.rotateIfDue(
            in: environment.store, interval: schedule.interval, algorithm: .rs256, storeKey: environment.storeKey, now: clock.now)
        XCTAssertNil(again)
        let allKeys = try await environment.store.signingKeys()
        XCTAssertEqual(allKeys.count, 2)

        // Published now, not signing yet: the JWKS lists both, the old key still signs.
        let published = try await keySet(service)
        XCTAssertEqual(Set(published.compactMap(\.keyID)), [original.keyID, rotated.newKey.keyID])
        let duringPublication = try await issue(service, secret: secret)
        XCTAssertEqual(try signingKeyID(of: duringPublication, verifiedBy: published), original.keyID)
        XCTAssertEqual(try signingKeyID(of: oldToken, verifiedBy: published), original.keyID)

        // After publish_ahead the new key signs; the old one stays in the JWKS, so earlier tokens verify.
        clock.set(rotatedAt.addingTimeInterval(2.5))
        let later = try await keySet(service)
        XCTAssertEqual(Set(later.compactMap(\.keyID)), [original.keyID, rotated.newKey.keyID])
        let newToken = try await issue(service, secret: secret)
        XCTAssertEqual(try signingKeyID(of: newToken, verifiedBy: later), rotated.newKey.keyID)
        XCTAssertEqual(try signingKeyID(of: oldToken, verifiedBy: later), original.keyID)
        XCTAssertEqual(try signingKeyID(of: duringPublication, verifiedBy: later), original.keyID)

        // The old key leaves only after the longest token lifetime (3600 s) plus the JWKS cache time.
        let stored = try await environment.store.signingKeys()
        let retired = try XCTUnwrap(stored.first { $0.keyID == original.keyID })
        let removedAt = try XCTUnwrap(retired.removedAt)
        // The store keeps milliseconds.
        XCTAssertEqual(removedAt.timeIntervalSince1970, rotatedAt.addingTimeInterval(2 + 3600 + 2).timeIntervalSince1970, accuracy: 0.002)
    }

    func testGatewaysSharingAStoreRotateOnce() async throws {
        let path = environment.directory + "/store.sqlite"
        let stores = try (0..<3).map { _ in try SQLiteRegistrationStore(path: path, create: false) }
        let rotation = SigningKeyRotation(publishDelay: 60, jwksCacheTime: 60)
        let now = Date().addingTimeInterval(1000)
        let storeKey = environment.storeKey
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for store in stores {
                group.addTask {
                    try await rotation.rotateIfDue(in: store, interval: 100, algorithm: .es256, storeKey: storeKey, now: now) != nil
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        XCTAssertEqual(results.filter { $0 }.count, 1, "one gateway rotates, the others see its key")
        let keys = try await environment.store.signingKeys()
        XCTAssertEqual(keys.count, 2)
        for store in stores { await store.close() }
    }

    func testScheduleValidation() {
        XCTAssertEqual(
            SigningKeyRotationSchedule(interval: 86_400, publishAhead: 60).validateError(jwksCacheTime: 3600),
            .publishAheadShorterThanCache(publishAhead: 60, jwksCacheTime: 3600))
        XCTAssertEqual(SigningKeyRotationSchedule(interval: 3600, publishAhead: 3600).validateError(jwksCacheTime: 3600), .intervalNotLongerThanPublishAhead)
        XCTAssertEqual(SigningKeyRotationSchedule(interval: 0, publishAhead: 0).validateError(jwksCacheTime: 0), .intervalNotPositive)
        XCTAssertNil(SigningKeyRotationSchedule(interval: 90 * 86_400, publishAhead: 3600).validateError(jwksCacheTime: 3600))
    }
}

extension SigningKeyRotationSchedule {
    fileprivate func validateError(jwksCacheTime: TimeInterval) -> SigningKeyRotationScheduleError? {
        do {
            try validate(jwksCacheTime: jwksCacheTime)
            return nil
        } catch {
            return error
        }
    }
}
