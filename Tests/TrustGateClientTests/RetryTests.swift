import Foundation
import NIOHTTP1
@testable import TrustGateClient
import TrustGateHummingbird
import TrustGateJOSE
import XCTest

/// Retries: `Retry-After` (seconds and HTTP dates, capped) for idempotent calls, never for a POST that reached
/// the server, and for any method when the connection could not be made. The clock records waits instead of
/// sleeping.
final class RetryTests: XCTestCase {
    private var pki: ClientTestPKI!

    override func setUpWithError() throws {
        pki = try ClientTestPKI()
    }

    override func tearDown() {
        pki?.remove()
    }

    private func connector(port: Int, method: HTTPMethod, clock: TestClock, retry: RetryPolicy = RetryPolicy(maximumAttempts: 4)) async throws -> Connector {
        var configuration = ConnectorConfiguration(serviceURL: URL(string: "https://127.0.0.1:\(port)/scripted")!, method: method)
        configuration.tls.trustedCAFiles = [pki.caFile]
        configuration.retry = retry
        return try await Connector(configuration: configuration, clock: clock)
    }

    func testGETHonoursRetryAfterSecondsAndHTTPDate() async throws {
        let api = EchoAPI()
        let clock = TestClock(now: Date(timeIntervalSince1970: 1_700_000_000))
        let date = HTTPDate.format(clock.now().addingTimeInterval(12))
        api.enqueue("GET", [
            .init(status: 503, retryAfter: "7"),
            .init(status: 429, retryAfter: date),
        ])
        try await TestServer.run(router: api.router(nil), server: try pki.tlsServer(.ignore)) { port in
            let response = try await connector(port: port, method: .GET, clock: clock).call()
            XCTAssertEqual(response.status, 200)
            XCTAssertEqual(response.attempts, 3)
            XCTAssertEqual(api.requestCount("GET"), 3)
            XCTAssertEqual(clock.sleeps, [7, 12])
        }
    }

    func testRetryAfterIsCappedAndWithoutItTheBackoffGrows() async throws {
        let api = EchoAPI()
        let clock = TestClock()
        api.enqueue("GET", [
            .init(status: 503, retryAfter: "86400"),
            .init(status: 503, retryAfter: nil),
            .init(status: 503, retryAfter: nil),
        ])
        try await TestServer.run(router: api.router(nil), server: try pki.tlsServer(.ignore)) { port in
            let policy = RetryPolicy(maximumAttempts: 4, baseDelay: 0.5, maximumDelay: 5, maximumRetryAfter: 20)
            let response = try await connector(port: port, method: .GET, clock: clock, retry: policy).call()
            XCTAssertEqual(response.status, 200)
            XCTAssertEqual(clock.sleeps, [20, 1, 2], "capped Retry-After, then 0.5 × 2^(n−1) for attempts 2 and 3")
        }
    }

    func testTheLastAnswerIsReturnedWhenAttemptsRunOut() async throws {
        let api = EchoAPI()
        let clock = TestClock()
        api.enqueue("GET", Array(repeating: .init(status: 503, retryAfter: "1"), count: 5))
        try await TestServer.run(router: api.router(nil), server: try pki.tlsServer(.ignore)) { port in
            let response = try await connector(port: port, method: .GET, clock: clock, retry: RetryPolicy(maximumAttempts: 3)).call()
            XCTAssertEqual(response.status, 503)
            XCTAssertEqual(response.outcome, .httpError)
            XCTAssertEqual(response.attempts, 3)
            XCTAssertEqual(api.requestCount("GET"), 3)
            XCTAssertThrowsError(try response.requireSuccess()) { error in
                XCTAssertEqual(error as? ConnectorError, .httpStatus(503))
            }
        }
    }

    func testAPOSTThatReachedTheServerIsNeverRetried() async throws {
        let api = EchoAPI()
        let clock = TestClock()
        api.enqueue("POST", [.init(status: 503, retryAfter: "1"), .init(status: 429, retryAfter: nil)])
        try await TestServer.run(router: api.router(nil), server: try pki.tlsServer(.ignore)) { port in
            let post = try await connector(port: port, method: .POST, clock: clock)
            let first = try await post.call(claims: ["email": "emily@example.com"])
            XCTAssertEqual(first.status, 503)
            XCTAssertEqual(first.attempts, 1)
            XCTAssertEqual(api.requestCount("POST"), 1, "the server saw the POST once")
            XCTAssertEqual(clock.sleeps, [])
        }
    }

    func testAPOSTIsRetriedWhenTheConnectionCouldNotBeMade() async throws {
        // Nothing listens on port 1: every attempt fails before a byte is sent, so even a POST may go again.
        let clock = TestClock()
        var configuration = ConnectorConfiguration(serviceURL: URL(string: "https://127.0.0.1:1/echo")!, method: .POST)
        configuration.retry = RetryPolicy(maximumAttempts: 3, baseDelay: 0.25)
        let connector = try await Connector(configuration: configuration, clock: clock)
        let caught1 = await connectorError { () async throws(ConnectorError) in
            _ = try await connector.call(claims: ["a": "b"])
            XCTFail("nothing listens on port 1")
        }
        switch caught1?.code {
        case .transport?:
            guard let failure = caught1?.transportFailure else { return XCTFail("no transport failure") }
            XCTAssertEqual(failure.phase, .connecting, failure.reason)
            XCTAssertEqual(failure.url, "https://127.0.0.1:1/echo")
        default:
            XCTFail("unexpected outcome: \(String(describing: caught1))")
        }
        XCTAssertEqual(clock.sleeps, [0.25, 0.5], "three attempts: two waits")
    }

    func testRetryAfterAndBackoffArithmetic() {
        let now = Date(timeIntervalSince1970: 784_111_777)  // Sun, 06 Nov 1994 08:49:37 GMT
        XCTAssertEqual(RetryAfter.delay("120", now: now), 120)
        XCTAssertEqual(RetryAfter.delay("Sun, 06 Nov 1994 08:51:37 GMT", now: now), 120)
        XCTAssertEqual(RetryAfter.delay("Sunday, 06-Nov-94 08:50:37 GMT", now: now), 60)
        XCTAssertEqual(RetryAfter.delay("Sun Nov  6 08:49:47 1994", now: now), 10)
        XCTAssertEqual(RetryAfter.delay("Sun, 06 Nov 1994 08:00:00 GMT", now: now), 0, "a past date means now")
        XCTAssertNil(RetryAfter.delay("soon", now: now))
        XCTAssertNil(RetryAfter.delay("-5", now: now))

        let policy = RetryPolicy(maximumAttempts: 10, baseDelay: 0.2, maximumDelay: 1, jitter: 0.5)
        XCTAssertEqual(policy.backoff(afterAttempt: 1), 0.2)
        XCTAssertEqual(policy.backoff(afterAttempt: 3), 0.8)
        XCTAssertEqual(policy.backoff(afterAttempt: 9), 1, "capped")
        XCTAssertEqual(policy.jitteredBackoff(afterAttempt: 2, random: 0), 0.4)
        XCTAssertEqual(policy.jitteredBackoff(afterAttempt: 2, random: 1), 0.2, "at most half is taken off")
    }
}
