import Foundation
import TrustGateJOSE
import TrustGateStore
import TrustGateTokens
import XCTest

/// The grant and its scope: GR-2 … GR-5 (GR-1 in TokenRequestHandlingTests).
final class ScopeAndGrantTests: XCTestCase {
    private var environment: TokenTestEnvironment!
    private var basic = ""

    override func setUp() async throws {
        environment = try await TokenTestEnvironment()
        try await environment.addClient("app", methods: [.clientSecretBasic], roles: ["orders.read", "orders.write"])
        try await environment.store.addResource(try Resource(identifier: "api://billing", name: "Billing", appRoles: ["billing.read"]))
        basic = TokenTestEnvironment.basic("app", try await environment.addSecret("app"))
    }

    override func tearDown() async throws {
        await environment?.close()
    }

    private func request(_ parameters: [(String, String)]) async -> TokenHTTPResponse {
        await environment.post([("grant_type", "client_credentials")] + parameters, authorization: [basic])
    }

    // MARK: GR-2

    func testGR2DefaultScopeGrantsTheAssignedRolesAndSetsTheAudience() async throws {
        let (_, claims) = try await environment.verifiedToken(await request([("scope", "api://orders/.default")]))
        XCTAssertEqual(claims["aud"]?.stringValue, "api://orders")
        XCTAssertEqual(claims["roles"], ["orders.read", "orders.write"])
        // The same scope twice is still one resource.
        let twice = await request([("scope", "api://orders/.default  api://orders/.default")])
        XCTAssertEqual(twice.status, 200)
    }

    func testGR2NoRolesOnTheResourceMeansNoRolesClaim() async throws {
        let (_, claims) = try await environment.verifiedToken(await request([("scope", "api://billing/.default")]))
        XCTAssertEqual(claims["aud"]?.stringValue, "api://billing")
        XCTAssertNil(claims["roles"])
    }

    func testGR2TwoResourcesAreInvalidScope() async throws {
        TokenTestEnvironment.assertError(await request([("scope", "api://orders/.default api://billing/.default")]), "invalid_scope")
        let reason = try await environment.lastAuditReason()
        XCTAssertEqual(reason, "invalid_scope.multiple_resources")
    }

    func testGR2OnlyDefaultScopesAndKnownResources() async throws {
        TokenTestEnvironment.assertError(await request([("scope", "api://orders/orders.read")]), "invalid_scope")
        TokenTestEnvironment.assertError(await request([("scope", "api://unknown/.default")]), "invalid_scope")
        TokenTestEnvironment.assertError(await request([("scope", "/.default")]), "invalid_scope")
        TokenTestEnvironment.assertError(await request([("scope", "api://orders/.default\"")]), "invalid_scope")
    }

    // MARK: GR-3

    func testGR3MissingScopeIsInvalidScope() async throws {
        TokenTestEnvironment.assertError(await request([]), "invalid_scope")
        let reason = try await environment.lastAuditReason()
        XCTAssertEqual(reason, "invalid_scope.missing")
        // An empty scope parameter is absent (TE-3).
        TokenTestEnvironment.assertError(await request([("scope", "")]), "invalid_scope")
    }

    // MARK: GR-4

    func testGR4ResourceParameterAloneOrConsistentWithScope() async throws {
        let (_, claims) = try await environment.verifiedToken(await request([("resource", "api://billing")]))
        XCTAssertEqual(claims["aud"]?.stringValue, "api://billing")
        let both = await request([("scope", "api://orders/.default"), ("resource", "api://orders")])
        XCTAssertEqual(both.status, 200)
        // RFC 8707 allows the parameter more than once; naming one resource twice is fine.
        let repeated = await request([("resource", "api://orders"), ("resource", "api://orders")])
        XCTAssertEqual(repeated.status, 200)
    }

    func testGR4BadResourceIsInvalidTarget() async throws {
        TokenTestEnvironment.assertError(await request([("resource", "not a uri")]), "invalid_target")
        TokenTestEnvironment.assertError(await request([("resource", "api://orders#fragment")]), "invalid_target")
        TokenTestEnvironment.assertError(await request([("resource", "api://nowhere")]), "invalid_target")
        TokenTestEnvironment.assertError(await request([("scope", "api://orders/.default"), ("resource", "api://billing")]), "invalid_target")
        TokenTestEnvironment.assertError(await request([("resource", "api://orders"), ("resource", "api://billing")]), "invalid_target")
    }

    // MARK: GR-5

    func testGR5NoRefreshTokenAndTheGrantedScopeIsReturned() async throws {
        let response = await request([("scope", "api://orders/.default")])
        let body = try TokenTestEnvironment.json(response)
        XCTAssertNil(body["refresh_token"])
        XCTAssertEqual(body["scope"]?.stringValue, "api://orders/.default")
        // Asked by resource only, the response says which scope was granted.
        let byResource = try TokenTestEnvironment.json(await request([("resource", "api://orders")]))
        XCTAssertEqual(byResource["scope"]?.stringValue, "api://orders/.default")
    }
}
