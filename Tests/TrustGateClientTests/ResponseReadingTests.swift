import NIOHTTP1
@testable import TrustGateClient
import XCTest

/// Reading refusals: TrustGate's problem+json, OAuth error bodies, and `WWW-Authenticate` challenges.
final class ResponseReadingTests: XCTestCase {
    func testWWWAuthenticateChallengesAreParsed() {
        let parsed = AuthenticationChallengeParser.parse(
            #"Bearer realm="loyalty", error="invalid_token", error_description="The token expired at 12:00 \"UTC\"", Basic realm="x", charset="UTF-8""#)
        XCTAssertEqual(parsed.map(\.scheme), ["Bearer", "Basic"])
        XCTAssertEqual(parsed[0].parameter("error"), "invalid_token")
        XCTAssertEqual(parsed[0].parameter("error_description"), #"The token expired at 12:00 "UTC""#)
        XCTAssertEqual(parsed[1].parameter("charset"), "UTF-8")

        let token68 = AuthenticationChallengeParser.parse("Negotiate abc/def==, Bearer")
        XCTAssertEqual(token68.map(\.scheme), ["Negotiate", "Bearer"])
        XCTAssertEqual(token68[0].token68, "abc/def==")
        XCTAssertEqual(AuthenticationChallengeParser.parse("Bearer error=invalid_token")[0].parameter("ERROR"), "invalid_token")
        XCTAssertEqual(AuthenticationChallengeParser.parse(", ,").count, 0)
    }

    func testRefusalReasonsComeFromTheBodyOrTheChallenge() {
        var headers = HTTPHeaders()
        headers.add(name: "WWW-Authenticate", value: #"Bearer realm="api", error="invalid_token", error_description="expired""#)
        let fromChallenge = AuthenticationRefusal.read(status: 401, headers: headers, body: [])
        XCTAssertEqual(fromChallenge.reason, "invalid_token")
        XCTAssertEqual(fromChallenge.detail, "expired")
        XCTAssertTrue(fromChallenge.isInvalidToken)

        let problem = Array(#"{"type":"https://trustgate.dev/problems/no-certificate","title":"Forbidden","status":403,"detail":"A client certificate is required.","reason":"no_certificate"}"#.utf8)
        let fromProblem = AuthenticationRefusal.read(status: 403, headers: HTTPHeaders(), body: problem)
        XCTAssertEqual(fromProblem.description, "403 no_certificate: A client certificate is required.")
        XCTAssertFalse(fromProblem.isInvalidToken)

        let oauth = Array(#"{"error":"invalid_client","error_description":"Unknown client\u001b[31m"}"#.utf8)
        let fromOAuth = AuthenticationRefusal.read(status: 401, headers: HTTPHeaders(), body: oauth)
        XCTAssertEqual(fromOAuth.reason, "invalid_client")
        XCTAssertEqual(fromOAuth.detail, "Unknown client [31m", "terminal escapes from the server are neutralised")

        let bare = AuthenticationRefusal.read(status: 403, headers: HTTPHeaders(), body: Array("<html>no</html>".utf8))
        XCTAssertNil(bare.reason)
        XCTAssertEqual(bare.description, "403")
    }

    func testFormEncoding() {
        XCTAssertEqual(FormURLEncoding.encode([("a b", "c&d=é"), ("x", "*-._~")]), "a+b=c%26d%3D%C3%A9&x=*-._%7E")
        XCTAssertEqual(FormURLEncoding.encode([("q", "a b")], spaceAsPlus: false), "q=a%20b")
    }
}
