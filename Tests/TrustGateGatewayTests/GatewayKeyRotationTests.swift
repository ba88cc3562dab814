import Foundation
import TrustGateConfiguration
import TrustGateStore
import TrustGateTokens
import TrustGateX509
import XCTest
@testable import TrustGateGateway

/// `token_service: key_rotation:` and the timer that runs it.
final class GatewayKeyRotationTests: XCTestCase {
    private var directory = ""

    override func setUp() async throws {
        directory = NSTemporaryDirectory() + "trustgate-rotation-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() async throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func read(_ yaml: String, jwksCacheTime: TimeInterval = 3600) throws -> SigningKeyRotationSchedule {
        let node = try ConfigurationNode.parse(yaml, file: "gateway.yaml")
        return try TokenServiceReading.readKeyRotation(node, jwksCacheTime: jwksCacheTime)
    }

    func testReadsIntervalAndPublishAhead() throws {
        let schedule = try read("{ interval: 90d, publish_ahead: 2h }")
        XCTAssertEqual(schedule, SigningKeyRotationSchedule(interval: 90 * 86_400, publishAhead: 7200))
        // publish_ahead defaults to the JWKS cache time.
        XCTAssertEqual(try read("{ interval: 30d }", jwksCacheTime: 600).publishAhead, 600)
    }

    func testRefusesPublishAheadShorterThanTheJWKSCacheTime() {
        XCTAssertThrowsError(try read("{ interval: 90d, publish_ahead: 5m }")) { error in
            XCTAssertTrue("\(error)".contains("jwks_cache_time"), "\(error)")
        }
        XCTAssertThrowsError(try read("{ publish_ahead: 1h }"))
        XCTAssertThrowsError(try read("{ interval: 90d, every: 1h }"))
    }

    func testTimerRotatesOnceWhenTheKeyHasAged() async throws {
        let store = try SQLiteRegistrationStore(path: directory + "/store.sqlite")
        let storeKey = KeyEncryptionKey.generate()
        let first = try await TokenSigningKeys.ensureSigningKey(in: store, algorithm: .es256, storeKey: storeKey, jwksCacheTime: 1)
        // The injected clock stands far past the interval: the first look rotates, later looks see the new key.
        let later = Date().addingTimeInterval(3600)
        let timer = SigningKeyRotationTimer(
            schedule: SigningKeyRotationSchedule(interval: 0.5, publishAhead: 0.2), store: store, storeKey: storeKey,
            algorithm: .es256, jwksCacheTime: 0.2, clock: { later })
        timer.start()
        let deadline = Date().addingTimeInterval(30)
        while timer.rotationCount == 0, Date() < deadline {
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        // Let the loop look a few more times (its period is 0.05 s) before stopping it.
        try await Task.sleep(nanoseconds: 300_000_000)
        timer.cancel()
        XCTAssertEqual(timer.rotationCount, 1)
        let keys = try await store.signingKeys()
        XCTAssertEqual(keys.count, 2)
        XCTAssertEqual(keys.first?.keyID, first.keyID)
        XCTAssertNotNil(keys.first?.retiredAt)
        let published = try await store.publishedSigningKeys(at: later)
        XCTAssertEqual(published.count, 2, "both keys are in the JWKS")
        // A cancelled timer does not start again.
        timer.start()
        let afterCancel = try await timer.tick()
        XCTAssertNil(afterCancel)
        await store.close()
    }
}
