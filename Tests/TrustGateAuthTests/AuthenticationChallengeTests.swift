import TrustGateAuth
import XCTest

final class AuthenticationChallengeTests: XCTestCase {
    func testParametersAreQuotedAndEscaped() {
        let challenge = AuthenticationChallenge(scheme: "Bearer", parameters: [
            ("realm", "api \"v1\" \\ x"), ("error", "invalid_token"),
        ])
        XCTAssertEqual(challenge.headerValue, #"Bearer realm="api \"v1\" \\ x", error="invalid_token""#)
    }

    func testControlCharactersCannotSplitTheHeader() {
        let challenge = AuthenticationChallenge(scheme: "Basic", parameters: [("realm", "a\r\nSet-Cookie: x=1")])
        XCTAssertEqual(challenge.headerValue, #"Basic realm="aSet-Cookie: x=1""#)
    }

    func testSchemeAloneWithoutParameters() {
        XCTAssertEqual(AuthenticationChallenge(scheme: "Bearer").headerValue, "Bearer")
    }
}
