import XCTest
@testable import TrustGateGateway

final class RequestTargetTests: XCTestCase {
    func testNormalisesEverySpellingOfAPathToOne() throws {
        let cases: [(String, String, String)] = [
            ("/admin", "/admin", "/admin"),
            ("//admin///users", "/admin/users", "/admin/users"),
            ("/%61dmin", "/admin", "/admin"),
            ("/%41%44MIN/%7Euser", "/ADMIN/~user", "/ADMIN/~user"),
            ("/a%2db%5F", "/a-b_", "/a-b_"),
            ("/caf%c3%a9", "/caf%C3%A9", "/caf%C3%A9"),
            ("/admin;jsessionid=1/users", "/admin;jsessionid=1/users", "/admin/users"),
            ("/dir/", "/dir/", "/dir"),
            ("/", "/", "/"),
        ]
        for (uri, path, match) in cases {
            let target = try RequestTarget(parsing: uri)
            XCTAssertEqual(target.path, path, uri)
            XCTAssertEqual(target.matchPath, match, uri)
        }
        XCTAssertEqual(try RequestTarget(parsing: "/x?a=%61&b").query, "a=%61&b")
        XCTAssertEqual(try RequestTarget(parsing: "/a/b?c").upstreamURI(basePath: "/base"), "/base/a/b?c")
    }

    func testRefusesSpellingsThatCouldMeanAnotherPathUpstream() {
        let cases: [(String, RequestTarget.Problem)] = [
            ("/public/../admin", .dotSegment),
            ("/public/./x", .dotSegment),
            ("/public/%2e%2e/admin", .dotSegment),
            ("/public/.%2E/admin", .dotSegment),
            ("/public/..;x/admin", .dotSegment),
            ("/public%2F..%2Fadmin", .encodedSeparator),
            ("/public%5c..", .encodedSeparator),
            ("/a\\b", .invalidCharacter),
            ("/a%00b", .invalidCharacter),
            ("/a%zz", .invalidEscape),
            ("/a%4", .invalidEscape),
            ("http://other.example/admin", .notOriginForm),
            ("*", .notOriginForm),
        ]
        for (uri, problem) in cases {
            XCTAssertThrowsError(try RequestTarget(parsing: uri), uri) { error in
                XCTAssertEqual(error as? RequestTarget.Problem, problem, uri)
            }
        }
    }
}
