import XCTest
@testable import TrustGateAuth

final class VerifiedSecretCacheTests: XCTestCase {
    func testRemembersByCredentialAndScheme() {
        let cache = VerifiedSecretCache()
        cache.remember("connector", scheme: "staff", credential: Array("connector:pw".utf8))
        XCTAssertEqual(cache.principalName(scheme: "staff", credential: Array("connector:pw".utf8)), "connector")
        XCTAssertNil(cache.principalName(scheme: "staff", credential: Array("connector:pW".utf8)))
        XCTAssertNil(cache.principalName(scheme: "other", credential: Array("connector:pw".utf8)))
        // The length prefix keeps ("ab", "c…") and ("a", "bc…") apart.
        cache.remember("x", scheme: "ab", credential: Array("c".utf8))
        XCTAssertNil(cache.principalName(scheme: "a", credential: Array("bc".utf8)))
    }

    func testEntriesExpireAfterTheirTimeToLive() {
        let cache = VerifiedSecretCache(timeToLive: .seconds(300))
        let start = ContinuousClock.now
        cache.remember("k", scheme: "s", credential: [1, 2, 3], now: start)
        XCTAssertEqual(cache.principalName(scheme: "s", credential: [1, 2, 3], now: start.advanced(by: .seconds(299))), "k")
        XCTAssertNil(cache.principalName(scheme: "s", credential: [1, 2, 3], now: start.advanced(by: .seconds(300))))
        XCTAssertEqual(cache.count, 0, "an expired entry is dropped when met")
    }

    func testLeastRecentlyUsedEntriesAreDroppedBeyondCapacity() {
        let cache = VerifiedSecretCache(capacity: 3)
        for index in 0..<3 { cache.remember("p\(index)", scheme: "s", credential: [UInt8(index)]) }
        XCTAssertEqual(cache.principalName(scheme: "s", credential: [0]), "p0")  // 0 is now the most recent
        cache.remember("p3", scheme: "s", credential: [3])
        XCTAssertEqual(cache.count, 3)
        XCTAssertNil(cache.principalName(scheme: "s", credential: [1]), "the least recently used entry goes first")
        XCTAssertEqual(cache.principalName(scheme: "s", credential: [0]), "p0")
        XCTAssertEqual(cache.principalName(scheme: "s", credential: [2]), "p2")
        XCTAssertEqual(cache.principalName(scheme: "s", credential: [3]), "p3")
        for index in 10..<100 { cache.remember("q", scheme: "s", credential: [UInt8(index)]) }
        XCTAssertEqual(cache.count, 3)
    }

    func testDefaultsAreTenThousandEntriesForFiveMinutes() {
        XCTAssertEqual(VerifiedSecretCache.defaultCapacity, 10_000)
        XCTAssertEqual(VerifiedSecretCache.defaultTimeToLive, .seconds(300))
    }
}
