import Foundation
import TrustGateAuth
import XCTest

final class AccessTokenClaimsAppOnlyTests: XCTestCase {
    private func claims(subject: String?, clientID: String?, scopes: [String], idtyp: String? = nil) -> AccessTokenClaims {
        AccessTokenClaims(
            issuer: "https://issuer", subject: subject, audiences: ["api://x"], expiresAt: Date().addingTimeInterval(600),
            notBefore: nil, issuedAt: nil, tokenID: nil, clientID: clientID, scopes: scopes, roles: [], azpacr: nil,
            appidacr: nil, idtyp: idtyp, certificateThumbprintSHA256: nil, all: [:])
    }

    /// RFC 9068 client credentials: `sub` is the client, and a requested scope is carried (AT-3).
    func testClientCredentialsTokenWithScopeIsAppOnly() {
        XCTAssertTrue(claims(subject: "billing", clientID: "billing", scopes: ["api://x/.default"]).isAppOnly)
    }

    func testEntraTypeDecides() {
        XCTAssertTrue(claims(subject: "oid-1", clientID: "billing", scopes: ["read"], idtyp: "app").isAppOnly)
        XCTAssertFalse(claims(subject: "billing", clientID: "billing", scopes: [], idtyp: "user").isAppOnly)
    }

    func testUserTokenIsNot() {
        XCTAssertFalse(claims(subject: "alice", clientID: "spa", scopes: ["read"]).isAppOnly)
    }

    func testEntraAppTokenWithoutIdtypHasNoScope() {
        XCTAssertTrue(claims(subject: "oid-1", clientID: "billing", scopes: []).isAppOnly)
    }
}
