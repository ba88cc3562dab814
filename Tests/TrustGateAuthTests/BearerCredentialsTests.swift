import XCTest
@testable import TrustGateAuth

/// Static and JWT bearer schemes read `Authorization: Bearer` through one reader, so they agree on every
/// header shape: what counts as not presented, what is an `invalid_request`, and with which detail.
final class BearerCredentialsTests: XCTestCase {
    private func read(_ values: [String]) -> BearerCredentials.Reading {
        BearerCredentials.read(AuthTest.request(values.map { ("authorization", $0) }))
    }

    func testReading() {
        XCTAssertEqual(read([]), .notPresented)
        XCTAssertEqual(read(["Basic dXNlcjpwYXNz"]), .notPresented)
        XCTAssertEqual(read(["Bearerx abc"]), .notPresented)
        XCTAssertEqual(read(["Bearer abc.DEF-ghi_jkl~mn+o/p=="]), .token("abc.DEF-ghi_jkl~mn+o/p=="))
        XCTAssertEqual(read(["  bEaReR \t abc  "]), .token("abc"))
        XCTAssertEqual(read(["Bearer\tabc"]), .token("abc"))
        XCTAssertEqual(read(["Bearer a", "Bearer a"]), .malformed("the request has more than one Authorization header"))
        XCTAssertEqual(read(["Bearer a", "Basic b"]), .malformed("the request has more than one Authorization header"))
        XCTAssertEqual(read(["Bearer"]), .malformed("the bearer token is empty"))
        XCTAssertEqual(read(["Bearer   "]), .malformed("the bearer token is empty"))
        for token in ["a b", "tok,en", "=abc", "ab=c", "tøken", "a\"b"] {
            XCTAssertEqual(read(["Bearer \(token)"]), .malformed("the bearer token has characters RFC 6750 does not allow"), token)
        }
    }

    /// What an outcome says about the header, without the scheme-specific parts (method, validation).
    private enum Classification: Equatable {
        case notPresented(String?)
        case invalidRequest(String)
        case readToken
    }

    private func classify(_ outcome: AuthenticationOutcome?) -> Classification {
        switch outcome {
        case .notPresented(let challenge)?: return .notPresented(challenge?.headerValue)
        case .failed(let failure, _)? where failure.kind == .invalidRequest: return .invalidRequest(failure.detail)
        default: return .readToken
        }
    }

    func testStaticAndJWTBearerClassifyEveryHeaderAlike() async throws {
        let staticBearer = StaticBearerAuthenticator(name: "static", realm: "loyalty", tokens: ["b2c": try AuthTest.fastHash("not-sent")])
        let jwtBearer = JWTBearerAuthenticator(name: "entra", settings: try JWTTestIssuer.inlineSettings(), realm: "loyalty")
        XCTAssertEqual(staticBearer.headerNames, jwtBearer.headerNames)
        let shapes: [[String]] = [
            [], ["Basic dXNlcjpwYXNz"], ["Negotiate abc"], ["Bearerx abc"], ["Bearer"], ["Bearer   "], ["Bearer a b"],
            ["Bearer tok,en"], ["Bearer =abc"], ["Bearer ab=c"], ["Bearer tøken"], ["Bearer a", "Bearer a"],
            ["Bearer a.b.c"], ["bearer\ta.b.c"],
        ]
        for values in shapes {
            let request = AuthTest.request(values.map { ("authorization", $0) })
            let expected = classify(staticBearer.immediateOutcome(for: request))
            XCTAssertEqual(classify(jwtBearer.immediateOutcome(for: request)), expected, "\(values)")
            let staticLater = classify(await staticBearer.authenticate(request))
            let jwtLater = classify(await jwtBearer.authenticate(request))
            XCTAssertEqual(staticLater, expected, "\(values)")
            XCTAssertEqual(jwtLater, expected, "\(values)")
        }
    }
}
