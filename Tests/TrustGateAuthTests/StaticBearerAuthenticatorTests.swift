import XCTest
@testable import TrustGateAuth

final class StaticBearerAuthenticatorTests: XCTestCase {
    private var authenticator: StaticBearerAuthenticator!

    override func setUpWithError() throws {
        authenticator = StaticBearerAuthenticator(name: "static", realm: "loyalty", tokens: ["b2c": try AuthTest.fastHash("tok3n-Value_1")])
    }

    func testValidTokenAuthenticatesAsItsName() {
        let outcome = authenticator.immediateOutcome(for: AuthTest.request([("authorization", "Bearer tok3n-Value_1")]))
        guard case .authenticated(let principal)? = outcome else { return XCTFail("\(String(describing: outcome))") }
        XCTAssertEqual(principal.name, "b2c")
        XCTAssertEqual(principal.methods, [.staticBearer])
    }

    func testSchemeIsCaseInsensitive() {
        for scheme in ["bearer", "BEARER", "BeArEr"] {
            XCTAssertEqual(AuthTest.principalName(authenticator.immediateOutcome(for: AuthTest.request([("authorization", "\(scheme) tok3n-Value_1")]))), "b2c")
        }
    }

    func testNoTokenIsAChallengeWithoutErrorCode() {
        let outcome = authenticator.immediateOutcome(for: AuthTest.request())
        XCTAssertTrue(AuthTest.isNotPresented(outcome))
        XCTAssertEqual(AuthTest.challenge(outcome), #"Bearer realm="loyalty""#)
        XCTAssertTrue(AuthTest.isNotPresented(authenticator.immediateOutcome(for: AuthTest.request([AuthTest.basic("a", "b")]))))
    }

    func testWrongTokenIsInvalidToken() async {
        let outcome = await authenticator.authenticate(AuthTest.request([("authorization", "Bearer tok3n-Value_2")]))
        XCTAssertEqual(AuthTest.failure(outcome)?.kind, .invalidToken)
        XCTAssertEqual(AuthTest.challenge(outcome), #"Bearer realm="loyalty", error="invalid_token""#)
    }

    func testMalformedOrDuplicatedIsInvalidRequest() {
        let cases: [[(String, String)]] = [
            [("authorization", "Bearer")],
            [("authorization", "Bearer a b")],
            [("authorization", "Bearer =abc")],
            [("authorization", "Bearer ab=c")],
            [("authorization", "Bearer tøken")],
            [("authorization", "Bearer tok3n-Value_1"), ("authorization", "Bearer tok3n-Value_1")],
        ]
        for headers in cases {
            let outcome = authenticator.immediateOutcome(for: AuthTest.request(headers))
            XCTAssertEqual(AuthTest.failure(outcome)?.kind, .invalidRequest, "\(headers)")
            XCTAssertEqual(AuthTest.challenge(outcome), #"Bearer realm="loyalty", error="invalid_request""#)
        }
    }

    func testB64TokenGrammar() {
        XCTAssertTrue(BearerTokenSyntax.isValid("abc.DEF-ghi_jkl~mn+o/p=="))
        XCTAssertFalse(BearerTokenSyntax.isValid("a=b"))
        XCTAssertFalse(BearerTokenSyntax.isValid("a\"b"))
        XCTAssertFalse(BearerTokenSyntax.isValid(""))
    }

    func testSlowHashedTokensUseTheCache() async throws {
        let slow = StaticBearerAuthenticator(name: "static", tokens: ["svc": try AuthTest.cheapHash("slowtoken")])
        let request = AuthTest.request([("authorization", "Bearer slowtoken")])
        XCTAssertNil(slow.immediateOutcome(for: request))
        let name1 = AuthTest.principalName(await slow.authenticate(request))
        XCTAssertEqual(name1, "svc")
        XCTAssertEqual(AuthTest.principalName(slow.immediateOutcome(for: request)), "svc")
        XCTAssertEqual(slow.slowHashes.value, 1)
    }
}
