import XCTest

@testable import TrustGateGateway

final class ExcludedPathsTests: XCTestCase {
    func testAppServiceNotationBothSeparatorsCaseInsensitive() throws {
        let excluded = try ExcludedPaths(parsing: " /Public ; /health,/api/v1/status/ ;; ")
        XCTAssertEqual(excluded.prefixes, ["/public", "/health", "/api/v1/status"])
        for path in ["/public", "/PUBLIC/index.html", "/public/", "/Health", "/api/v1/STATUS/ready"] {
            XCTAssertTrue(excluded.contains(path), path)
        }
        for path in ["/", "/publications", "/healthz", "/api/v1", "/api/v1/statuses", "/private/public"] {
            XCTAssertFalse(excluded.contains(path), path)
        }
    }

    func testRootExcludesEverythingAndEmptyExcludesNothing() throws {
        XCTAssertTrue(try ExcludedPaths(parsing: "/").contains("/anything/at/all"))
        let empty = try ExcludedPaths(parsing: " ; , ")
        XCTAssertTrue(empty.prefixes.isEmpty)
        XCTAssertFalse(empty.contains("/public"))
        XCTAssertFalse(ExcludedPaths.none.contains("/"))
    }

    func testInvalidEntriesAreErrors() {
        XCTAssertThrowsError(try ExcludedPaths(parsing: "/ok;public")) {
            XCTAssertEqual($0 as? ExcludedPaths.ParseError, .notAbsolute("public"))
        }
        XCTAssertThrowsError(try ExcludedPaths(parsing: "/search?q=1")) {
            XCTAssertEqual($0 as? ExcludedPaths.ParseError, .containsQueryOrFragment("/search?q=1"))
        }
    }

    func testModes() {
        XCTAssertTrue(ClientCertificateMode.required.requestsCertificate)
        XCTAssertTrue(ClientCertificateMode.optional.requestsCertificate)
        XCTAssertFalse(ClientCertificateMode.ignore.requestsCertificate)
        XCTAssertEqual(ClientCertificateMode(rawValue: "optional"), .optional)
    }
}
