import Foundation
import TrustGateJOSE
import TrustGateStore
import TrustGateTokens
import XCTest

/// Every issuance and refusal leaves an audit event with client, method, outcome, resource and reason code — and
/// never a secret, an assertion or a token.
final class AuditTrailTests: XCTestCase {
    private var environment: TokenTestEnvironment!
    private var credentials: SharedCredentials!

    override func setUp() async throws {
        credentials = try SharedCredentials.get()
        environment = try await TokenTestEnvironment()
    }

    override func tearDown() async throws {
        await environment?.close()
    }

    func testIssuanceAndRefusalsAreAuditedWithoutCredentials() async throws {
        try await environment.addClient("app", methods: [.clientSecretBasic])
        let secret = try await environment.addSecret("app", value: "very-secret-value-123")
        try await environment.addClient("jwt", methods: [.privateKeyJWT])
        try await environment.addCertificate("jwt", credentials.rsa)
        let grant = [("grant_type", "client_credentials"), ("scope", TokenTestEnvironment.resourceScope)]

        let issued = await environment.post(grant, authorization: [TokenTestEnvironment.basic("app", secret)])
        let token = try XCTUnwrap(try TokenTestEnvironment.json(issued)["access_token"]?.stringValue)
        _ = await environment.post(grant, authorization: [TokenTestEnvironment.basic("app", "very-secret-value-124")])
        let assertion = try environment.assertion(for: "jwt", credentials.rsa).build()
        _ = await environment.postAssertion(assertion)
        _ = await environment.postAssertion(assertion)

        let events = try await environment.store.latestAuditEvents(limit: 10, clientID: nil).reversed().map { $0 }
        XCTAssertEqual(events.count, 4)
        XCTAssertEqual(events.map(\.outcome), [.issued, .refused, .issued, .refused])
        XCTAssertEqual(events.map(\.clientID), ["app", "app", "jwt", "jwt"])
        XCTAssertEqual(events.map(\.method), [.clientSecretBasic, .clientSecretBasic, .privateKeyJWT, .privateKeyJWT])
        XCTAssertEqual(events.map(\.reason), [nil, "invalid_client.secret_mismatch", nil, "invalid_client.assertion_replayed_jti"])
        XCTAssertEqual(events.first?.resource, TokenTestEnvironment.resourceID)
        for event in events {
            for field in [event.clientID, event.reason, event.resource].compactMap({ $0 }) {
                XCTAssertFalse(field.contains("very-secret"), field)
                XCTAssertFalse(field.contains(assertion.prefix(20)), field)
                XCTAssertFalse(field.contains(token.prefix(20)), field)
            }
        }
        XCTAssertEqual(environment.service.failedAuditWrites, 0)
    }

    func testUnidentifiedRequestsAreAuditedToo() async throws {
        _ = await environment.post(body: "grant_type=client_credentials", method: "GET")
        let event = try await environment.lastAudit()
        XCTAssertEqual(event?.outcome, .refused)
        XCTAssertNil(event?.clientID)
        XCTAssertEqual(event?.reason, "invalid_request.method_not_post")
    }
}
