import XCTest
@testable import TrustGateAuth

final class APIKeyAuthenticatorTests: XCTestCase {
    func testAFastHashedKeyAuthenticatesAsItsNameAtOnce() throws {
        let authenticator = APIKeyAuthenticator(name: "functions", keys: ["b2c": try AuthTest.fastHash("key-one"), "batch": try AuthTest.fastHash("key-two")])
        XCTAssertEqual(authenticator.headerNames, ["x-functions-key"])
        let outcome = authenticator.immediateOutcome(for: AuthTest.request([("x-functions-key", "key-two")]))
        guard case .authenticated(let principal)? = outcome else { return XCTFail("\(String(describing: outcome))") }
        XCTAssertEqual(principal.name, "batch")
        XCTAssertEqual(principal.methods, [.apiKey])
        XCTAssertEqual(principal.schemes, ["functions"])
    }

    func testWrongKeyFailsWithoutAChallenge() async throws {
        let authenticator = APIKeyAuthenticator(name: "functions", keys: ["b2c": try AuthTest.fastHash("key-one")])
        let outcome = await authenticator.authenticate(AuthTest.request([("x-functions-key", "key-on")]))
        XCTAssertEqual(AuthTest.failure(outcome)?.kind, .invalidCredentials)
        guard case .failed(_, let challenge) = outcome else { return XCTFail() }
        XCTAssertNil(challenge, "there is no standard WWW-Authenticate scheme for API keys")
    }

    func testMissingHeaderIsNotPresentedWithoutAChallenge() throws {
        let authenticator = APIKeyAuthenticator(name: "functions", keys: ["b2c": try AuthTest.fastHash("key-one")])
        guard case .notPresented(let challenge)? = authenticator.immediateOutcome(for: AuthTest.request([("authorization", "Basic eDp5")])) else {
            return XCTFail()
        }
        XCTAssertNil(challenge)
    }

    func testDuplicateOrEmptyHeaderIsAnInvalidRequest() throws {
        let authenticator = APIKeyAuthenticator(name: "functions", keys: ["b2c": try AuthTest.fastHash("key-one")])
        let twice = authenticator.immediateOutcome(for: AuthTest.request([("x-functions-key", "key-one"), ("x-functions-key", "key-one")]))
        XCTAssertEqual(AuthTest.failure(twice)?.kind, .invalidRequest)
        let empty = authenticator.immediateOutcome(for: AuthTest.request([("x-functions-key", "  ")]))
        XCTAssertEqual(AuthTest.failure(empty)?.kind, .invalidRequest)
    }

    func testConfiguredHeaderNameIsLowerCased() throws {
        let authenticator = APIKeyAuthenticator(name: "k", header: "X-Api-Key", keys: ["app": try AuthTest.fastHash("v")])
        XCTAssertEqual(authenticator.headerNames, ["x-api-key"])
        XCTAssertEqual(AuthTest.principalName(authenticator.immediateOutcome(for: AuthTest.request([("x-api-key", "v")]))), "app")
        XCTAssertTrue(AuthTest.isNotPresented(authenticator.immediateOutcome(for: AuthTest.request([("x-functions-key", "v")]))))
    }

    func testSlowHashedKeysAreVerifiedOffTheEventLoopThenCached() async throws {
        let authenticator = APIKeyAuthenticator(name: "functions", keys: [
            "fast": try AuthTest.fastHash("fast-key"),
            "slow-a": try AuthTest.cheapHash("slow-key-a"),
            "slow-b": try AuthTest.cheapHash("slow-key-b"),
        ])
        XCTAssertEqual(AuthTest.principalName(authenticator.immediateOutcome(for: AuthTest.request([("x-functions-key", "fast-key")]))), "fast")
        let slow = AuthTest.request([("x-functions-key", "slow-key-b")])
        XCTAssertNil(authenticator.immediateOutcome(for: slow))
        let name1 = AuthTest.principalName(await authenticator.authenticate(slow))
        XCTAssertEqual(name1, "slow-b")
        XCTAssertEqual(authenticator.slowHashes.value, 2, "slow-a was tried, then slow-b matched")
        XCTAssertEqual(AuthTest.principalName(authenticator.immediateOutcome(for: slow)), "slow-b")
        let name2 = AuthTest.principalName(await authenticator.authenticate(slow))
        XCTAssertEqual(name2, "slow-b")
        XCTAssertEqual(authenticator.slowHashes.value, 2, "answered from the cache")

        let unknown = await authenticator.authenticate(AuthTest.request([("x-functions-key", "guess")]))
        XCTAssertEqual(AuthTest.failure(unknown)?.kind, .invalidCredentials)
        XCTAssertEqual(authenticator.slowHashes.value, 4, "an unknown key is tried against every slow entry")
    }

    func testEveryFastEntryIsComparedAndTheFirstNameWins() throws {
        // The same key configured twice: the table compares against all entries (no early exit) and reports
        // the first name in order, deterministically.
        let authenticator = APIKeyAuthenticator(name: "k", keys: ["zulu": try AuthTest.fastHash("dup"), "alpha": try AuthTest.fastHash("dup")])
        XCTAssertEqual(AuthTest.principalName(authenticator.immediateOutcome(for: AuthTest.request([("x-functions-key", "dup")]))), "alpha")
    }
}
