import Foundation
import TrustGateJOSE
import TrustGateStore
import TrustGateTokens
import XCTest

/// client_secret_basic and client_secret_post (RFC 6749 §2.3.1), with `azpacr` "1" in the Entra profile.
final class ClientSecretAuthenticationTests: XCTestCase {
    private var environment: TokenTestEnvironment!

    override func setUp() async throws {
        environment = try await TokenTestEnvironment()
    }

    override func tearDown() async throws {
        await environment?.close()
    }

    private let grant = [("grant_type", "client_credentials"), ("scope", TokenTestEnvironment.resourceScope)]

    func testBasicCredentialsAreFormDecodedInsideBasic() async throws {
        try await environment.addClient("svc:one", methods: [.clientSecretBasic])
        let secret = try await environment.addSecret("svc:one", value: "p@ss:w%rd+ü")
        let response = await environment.post(grant, authorization: [TokenTestEnvironment.basic("svc:one", secret)])
        let (_, claims) = try await environment.verifiedToken(response)
        XCTAssertEqual(claims["client_id"]?.stringValue, "svc:one")
        // Repeated requests are answered from the verified-secret cache with the same result.
        let again = await environment.post(grant, authorization: [TokenTestEnvironment.basic("svc:one", secret)])
        XCTAssertEqual(again.status, 200)
    }

    func testBasicWithoutFormEncodingStillWorksForPlainSecrets() async throws {
        try await environment.addClient("plain", methods: [.clientSecretBasic])
        let secret = try await environment.addSecret("plain", value: "Abc123-_.~")
        let header = "Basic " + Data("plain:\(secret)".utf8).base64EncodedString()
        let response = await environment.post(grant, authorization: [header])
        XCTAssertEqual(response.status, 200)
    }

    func testWrongSecretAndMalformedBasicAreInvalidClient() async throws {
        try await environment.addClient("svc", methods: [.clientSecretBasic])
        _ = try await environment.addSecret("svc")
        let wrong = await environment.post(grant, authorization: [TokenTestEnvironment.basic("svc", "wrong")])
        TokenTestEnvironment.assertError(wrong, "invalid_client")
        let reason = try await environment.lastAuditReason()
        XCTAssertEqual(reason, "invalid_client.secret_mismatch")
        let malformed = await environment.post(grant, authorization: ["Basic !!!not-base64"])
        TokenTestEnvironment.assertError(malformed, "invalid_client")
        let noColon = await environment.post(grant, authorization: ["Basic " + Data("svc".utf8).base64EncodedString()])
        TokenTestEnvironment.assertError(noColon, "invalid_client")
    }

    func testClientSecretPost() async throws {
        try await environment.addClient("poster", methods: [.clientSecretPost])
        let secret = try await environment.addSecret("poster")
        let response = await environment.post(grant + [("client_id", "poster"), ("client_secret", secret)])
        XCTAssertEqual(response.status, 200)
        let withoutID = await environment.post(grant + [("client_secret", secret)])
        TokenTestEnvironment.assertError(withoutID, "invalid_request")
    }

    func testMethodMustBeRegisteredForTheClient() async throws {
        try await environment.addClient("basic-only", methods: [.clientSecretBasic])
        let secret = try await environment.addSecret("basic-only")
        let response = await environment.post(grant + [("client_id", "basic-only"), ("client_secret", secret)])
        TokenTestEnvironment.assertError(response, "invalid_client")
        let reason = try await environment.lastAuditReason()
        XCTAssertEqual(reason, "invalid_client.method_not_registered")
    }

    func testExpiredSecretIsRefused() async throws {
        try await environment.addClient("old", methods: [.clientSecretBasic])
        let secret = try await environment.addSecret("old", expiresAt: Date().addingTimeInterval(-1))
        let response = await environment.post(grant, authorization: [TokenTestEnvironment.basic("old", secret)])
        TokenTestEnvironment.assertError(response, "invalid_client")
    }

    func testSecretTokensCarryAzpacr1InTheEntraProfile() async throws {
        try await environment.store.addResource(try Resource(identifier: "api://entra", name: "Entra-style", appRoles: ["r"], tokenProfile: .entra))
        try await environment.addClient("entra-secret", methods: [.clientSecretBasic], roles: [])
        try await environment.store.grantRoles(clientID: "entra-secret", resource: "api://entra", roles: ["r"])
        let secret = try await environment.addSecret("entra-secret")
        let response = await environment.post(
            [("grant_type", "client_credentials"), ("scope", "api://entra/.default")], authorization: [TokenTestEnvironment.basic("entra-secret", secret)])
        let (_, claims) = try await environment.verifiedToken(response)
        XCTAssertEqual(claims["azpacr"]?.stringValue, "1")
    }
}
