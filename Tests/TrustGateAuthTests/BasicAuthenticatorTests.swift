import Foundation
import XCTest
@testable import TrustGateAuth

final class BasicAuthenticatorTests: XCTestCase {
    private var authenticator: BasicAuthenticator!

    override func setUpWithError() throws {
        authenticator = BasicAuthenticator(
            name: "staff", realm: "Loyalty API",
            users: ["connector": try AuthTest.cheapHash("correct horse"), "other": try AuthTest.cheapHash("battery staple")])
    }

    private let challenge = #"Basic realm="Loyalty API", charset="UTF-8""#

    func testCorrectCredentialsAuthenticateAsTheUser() async throws {
        let outcome = await authenticator.authenticate(AuthTest.request([AuthTest.basic("connector", "correct horse")]))
        guard case .authenticated(let principal) = outcome else { return XCTFail("\(outcome)") }
        XCTAssertEqual(principal.name, "connector")
        XCTAssertEqual(principal.methods, [.basic])
        XCTAssertEqual(principal.schemes, ["staff"])
    }

    func testTheSlowHashRunsOncePerDistinctCredentialThenAnswersFromTheCache() async throws {
        let request = AuthTest.request([AuthTest.basic("connector", "correct horse")])
        XCTAssertNil(authenticator.immediateOutcome(for: request), "an unverified password needs the slow hash, off the event loop")
        let name1 = AuthTest.principalName(await authenticator.authenticate(request))
        XCTAssertEqual(name1, "connector")
        XCTAssertEqual(authenticator.slowHashes.value, 1)

        XCTAssertEqual(AuthTest.principalName(authenticator.immediateOutcome(for: request)), "connector")
        let name2 = AuthTest.principalName(await authenticator.authenticate(request))
        XCTAssertEqual(name2, "connector")
        XCTAssertEqual(authenticator.slowHashes.value, 1, "the second and third verification came from the cache")

        // Failures are not cached: each wrong attempt costs the full hash again.
        let wrong = AuthTest.request([AuthTest.basic("connector", "wrong")])
        _ = await authenticator.authenticate(wrong)
        _ = await authenticator.authenticate(wrong)
        XCTAssertEqual(authenticator.slowHashes.value, 3)
        XCTAssertNil(authenticator.immediateOutcome(for: wrong))
    }

    func testWrongPasswordFailsWithTheChallenge() async {
        let outcome = await authenticator.authenticate(AuthTest.request([AuthTest.basic("connector", "Correct horse")]))
        XCTAssertEqual(AuthTest.failure(outcome)?.kind, .invalidCredentials)
        XCTAssertEqual(AuthTest.challenge(outcome), challenge)
        XCTAssertFalse(AuthTest.failure(outcome)?.detail.contains("orse") ?? true, "the detail never echoes the password")
    }

    func testUnknownUserCostsAHashAndGetsTheSameAnswerAsAWrongPassword() async {
        let request = AuthTest.request([AuthTest.basic("nobody", "correct horse")])
        XCTAssertNil(authenticator.immediateOutcome(for: request), "unknown users take the same slow path as known ones")
        let unknown = await authenticator.authenticate(request)
        let wrong = await authenticator.authenticate(AuthTest.request([AuthTest.basic("connector", "nope")]))
        XCTAssertEqual(authenticator.slowHashes.value, 2, "the decoy hash ran for the unknown user")
        XCTAssertEqual(AuthTest.failure(unknown), AuthTest.failure(wrong))
        XCTAssertEqual(AuthTest.challenge(unknown), AuthTest.challenge(wrong))
    }

    func testMissingHeaderIsNotPresentedWithTheChallenge() {
        let outcome = authenticator.immediateOutcome(for: AuthTest.request([("accept", "*/*")]))
        XCTAssertTrue(AuthTest.isNotPresented(outcome))
        XCTAssertEqual(AuthTest.challenge(outcome), challenge)
    }

    func testAnotherSchemeInAuthorizationIsNotPresented() {
        let outcome = authenticator.immediateOutcome(for: AuthTest.request([("authorization", "Bearer abc.def.ghi")]))
        XCTAssertTrue(AuthTest.isNotPresented(outcome))
    }

    func testTwoAuthorizationHeadersAreAnInvalidRequest() {
        let outcome = authenticator.immediateOutcome(for: AuthTest.request([AuthTest.basic("connector", "correct horse"), AuthTest.basic("other", "battery staple")]))
        XCTAssertEqual(AuthTest.failure(outcome)?.kind, .invalidRequest)
        XCTAssertEqual(AuthTest.challenge(outcome), challenge)
    }

    func testMalformedCredentialsAreInvalidRequestsDecidedAtOnce() {
        let cases: [(String, String)] = [
            ("Basic", "empty"),
            ("Basic !!!!", "base64"),
            ("Basic Y29ubmVjdG9yOmNvcnJlY3QgaG9yc2U=junk", "base64"),
            ("Basic Y29u bmVjdG9y", "base64"),
            ("Basic -_-_", "base64"),
            ("Basic " + Data("no colon here".utf8).base64EncodedString(), "':'"),
            ("Basic " + Data([0x63, 0x6F, 0xFF, 0x3A, 0x70, 0x77]).base64EncodedString(), "UTF-8"),
        ]
        for (value, expected) in cases {
            let outcome = authenticator.immediateOutcome(for: AuthTest.request([("authorization", value)]))
            XCTAssertEqual(AuthTest.failure(outcome)?.kind, .invalidRequest, value)
            XCTAssertTrue(AuthTest.failure(outcome)?.detail.contains(expected) ?? false, "\(value): \(String(describing: AuthTest.failure(outcome)?.detail))")
        }
        XCTAssertEqual(authenticator.slowHashes.value, 0)
    }

    func testSchemeNameIsCaseInsensitiveAndPaddingOptional() async {
        for scheme in ["basic", "BASIC", "bAsIc"] {
            let outcome = await authenticator.authenticate(AuthTest.request([AuthTest.basic("connector", "correct horse", scheme: scheme)]))
            XCTAssertEqual(AuthTest.principalName(outcome), "connector", scheme)
        }
        var unpadded = Data("other:battery staple".utf8).base64EncodedString()
        while unpadded.hasSuffix("=") { unpadded.removeLast() }
        let outcome = await authenticator.authenticate(AuthTest.request([("authorization", "Basic   \(unpadded) ")]))
        XCTAssertEqual(AuthTest.principalName(outcome), "other")
    }

    func testPasswordsMayContainColonsAndNonASCII() async throws {
        let basic = BasicAuthenticator(name: "staff", users: [
            "josé": try AuthTest.cheapHash("pa:ss:wörd".precomposedStringWithCanonicalMapping),
        ])
        // Decomposed é and ö on the wire match the NFC forms that were hashed (RFC 7617 charset="UTF-8").
        let decomposedUser = "jose\u{301}"
        let decomposedPassword = "pa:ss:wo\u{308}rd"
        let outcome = await basic.authenticate(AuthTest.request([AuthTest.basic(decomposedUser, decomposedPassword)]))
        XCTAssertEqual(AuthTest.principalName(outcome), "josé")
        XCTAssertEqual(AuthTest.challenge(basic.immediateOutcome(for: AuthTest.request())), #"Basic realm="staff", charset="UTF-8""#, "the realm defaults to the scheme name")
    }

    func testFastHashedUsersAreAnsweredAtOnce() throws {
        let basic = BasicAuthenticator(name: "svc", users: ["robot": try AuthTest.fastHash("k3y")])
        XCTAssertEqual(AuthTest.principalName(basic.immediateOutcome(for: AuthTest.request([AuthTest.basic("robot", "k3y")]))), "robot")
        XCTAssertEqual(AuthTest.failure(basic.immediateOutcome(for: AuthTest.request([AuthTest.basic("robot", "k3")])))?.kind, .invalidCredentials)
        XCTAssertEqual(AuthTest.failure(basic.immediateOutcome(for: AuthTest.request([AuthTest.basic("nobody", "k3y")])))?.kind, .invalidCredentials)
    }

    func testEmptyPasswordIsJustWrong() async {
        let outcome = await authenticator.authenticate(AuthTest.request([AuthTest.basic("connector", "")]))
        XCTAssertEqual(AuthTest.failure(outcome)?.kind, .invalidCredentials)
    }
}
