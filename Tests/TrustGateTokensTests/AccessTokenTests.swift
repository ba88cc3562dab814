import Foundation
import TrustGateAuth
import TrustGateJOSE
import TrustGateStore
import TrustGateTokens
import XCTest

/// The access token as issued: AT-1 … AT-6, verified against the served JWKS.
final class AccessTokenTests: XCTestCase {
    private var environment: TokenTestEnvironment!
    private var credentials: SharedCredentials!
    private var basic = ""

    override func setUp() async throws {
        credentials = try SharedCredentials.get()
        environment = try await TokenTestEnvironment()
        try await environment.addClient("app", methods: [.clientSecretBasic], roles: ["orders.read"])
        basic = TokenTestEnvironment.basic("app", try await environment.addSecret("app"))
        try await environment.store.addResource(try Resource(identifier: "api://entra", name: "Entra-style", appRoles: ["service-api"], tokenProfile: .entra))
    }

    override func tearDown() async throws {
        await environment?.close()
    }

    private func token(scope: String = TokenTestEnvironment.resourceScope, in environment: TokenTestEnvironment? = nil) async throws -> (JWSHeader, JSONObject, JSONObject) {
        let environment = environment ?? self.environment!
        let response = await environment.post([("grant_type", "client_credentials"), ("scope", scope)], authorization: [basic])
        let (header, claims) = try await environment.verifiedToken(response)
        return (header, claims, try TokenTestEnvironment.json(response))
    }

    // MARK: AT-1

    func testAT1HeaderTypKidAndDefaultRS256() async throws {
        let (header, _, _) = try await token()
        XCTAssertEqual(header.type, "at+jwt")
        XCTAssertEqual(header.algorithm, .rs256)
        let keys = try JSONWebKeySet(jsonBytes: await environment.get(environment.settings.urls.jwksPath).body)
        XCTAssertTrue(keys.keys.contains { $0.keyID == header.keyID && header.keyID != nil })
    }

    func testAT1ES256AndPS256AreConfigurable() async throws {
        for algorithm in [SigningKeyAlgorithm.es256, .ps256] {
            let other = try await TokenTestEnvironment(tokenAlgorithm: algorithm)
            try await other.addClient("app", methods: [.clientSecretBasic])
            let secret = try await other.addSecret("app")
            let response = await other.post(
                [("grant_type", "client_credentials"), ("scope", TokenTestEnvironment.resourceScope)],
                authorization: [TokenTestEnvironment.basic("app", secret)])
            let (header, _) = try await other.verifiedToken(response)
            XCTAssertEqual(header.algorithm, algorithm.jwsAlgorithm)
            await other.close()
        }
    }

    // MARK: AT-2 / AT-3

    func testAT2AT3RequiredClaims() async throws {
        let (_, claims, _) = try await token()
        XCTAssertEqual(claims["iss"]?.stringValue, "https://127.0.0.1:8443/tenant-a")
        XCTAssertEqual(claims["sub"]?.stringValue, "app")
        XCTAssertEqual(claims["client_id"]?.stringValue, "app")
        XCTAssertEqual(claims["aud"]?.stringValue, "api://orders")
        XCTAssertEqual(claims["scope"]?.stringValue, "api://orders/.default")
        XCTAssertEqual(claims["roles"], ["orders.read"])
        let iat = try XCTUnwrap(claims["iat"]?.numberValue?.integerValue)
        XCTAssertEqual(claims["nbf"]?.numberValue?.integerValue, iat)
        XCTAssertLessThanOrEqual(abs(Double(iat) - Date().timeIntervalSince1970), 5)
        XCTAssertEqual(claims["exp"]?.numberValue?.integerValue, iat + 3600)
        let jti = try XCTUnwrap(claims["jti"]?.stringValue)
        let (_, second, _) = try await token()
        XCTAssertNotEqual(second["jti"]?.stringValue, jti, "every token has its own jti")
        XCTAssertNil(claims["azp"], "no Entra claims in the RFC 9068 profile")
    }

    // MARK: AT-4

    func testAT4EntraProfileForSecretAndCertificateClients() async throws {
        try await environment.store.grantRoles(clientID: "app", resource: "api://entra", roles: ["service-api"])
        let (_, secretClaims, _) = try await token(scope: "api://entra/.default")
        let client = try await XCTUnwrapAsync(await environment.store.client(id: "app"))
        XCTAssertEqual(secretClaims["azp"]?.stringValue, "app")
        XCTAssertEqual(secretClaims["azpacr"]?.stringValue, "1")
        XCTAssertEqual(secretClaims["idtyp"]?.stringValue, "app")
        XCTAssertEqual(secretClaims["ver"]?.stringValue, "2.0")
        XCTAssertEqual(secretClaims["tid"]?.stringValue, "tenant-a")
        XCTAssertEqual(secretClaims["oid"]?.stringValue, client.objectID.uuidString.lowercased())
        XCTAssertEqual(secretClaims["sub"]?.stringValue, client.objectID.uuidString.lowercased())
        XCTAssertEqual(secretClaims["roles"], ["service-api"])
        XCTAssertNil(secretClaims["scope"])
        XCTAssertNil(secretClaims["scp"])

        try await environment.addClient("jwt", methods: [.privateKeyJWT], roles: [])
        try await environment.store.grantRoles(clientID: "jwt", resource: "api://entra", roles: ["service-api"])
        try await environment.addCertificate("jwt", credentials.rsa)
        let response = await environment.post([
            ("grant_type", "client_credentials"), ("scope", "api://entra/.default"),
            ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
            ("client_assertion", try environment.assertion(for: "jwt", credentials.rsa).build()),
        ])
        let (_, certificateClaims) = try await environment.verifiedToken(response)
        XCTAssertEqual(certificateClaims["azpacr"]?.stringValue, "2")
    }

    func testAT4TenantIDSetting() async throws {
        let configured = try await TokenTestEnvironment { $0.tenantID = "72f988bf-86f1-41af-91ab-2d7cd011db47" }
        defer { Task { await configured.close() } }
        try await configured.store.addResource(try Resource(identifier: "api://entra", name: "Entra", appRoles: [], tokenProfile: .entra))
        try await configured.addClient("app", methods: [.clientSecretBasic], roles: [])
        basic = TokenTestEnvironment.basic("app", try await configured.addSecret("app"))
        let (_, claims, _) = try await token(scope: "api://entra/.default", in: configured)
        XCTAssertEqual(claims["tid"]?.stringValue, "72f988bf-86f1-41af-91ab-2d7cd011db47")
    }

    // MARK: AT-5

    func testAT5ExpiresInEqualsLifetimeAndResourceShortensIt() async throws {
        let (_, claims, body) = try await token()
        let lifetime = try XCTUnwrap(claims["exp"]?.numberValue?.integerValue) - (claims["iat"]?.numberValue?.integerValue ?? 0)
        XCTAssertEqual(body["expires_in"]?.numberValue?.integerValue, lifetime)
        XCTAssertEqual(lifetime, 3600)
        try await environment.store.addResource(try Resource(
            identifier: "api://short", name: "Short", appRoles: [], accessTokenLifetime: try TokenLifetime(seconds: 300)))
        let (_, shortClaims, shortBody) = try await token(scope: "api://short/.default")
        XCTAssertEqual(shortBody["expires_in"]?.numberValue?.integerValue, 300)
        XCTAssertEqual(
            shortClaims["exp"]?.numberValue?.integerValue, (shortClaims["iat"]?.numberValue?.integerValue).map { $0 + 300 })
    }

    func testAT5ClientLifetime() async throws {
        try await environment.addClient("brief", methods: [.clientSecretBasic], lifetime: 900)
        basic = TokenTestEnvironment.basic("brief", try await environment.addSecret("brief"))
        let (_, _, body) = try await token()
        XCTAssertEqual(body["expires_in"]?.numberValue?.integerValue, 900)
    }

    // MARK: AT-6

    func testAT6AccessTokensAreNotAcceptedAsClientAssertions() async throws {
        // A token the service issued, signed by its own key, replayed as a client assertion: typ at+jwt is refused.
        try await environment.addClient("jwt", methods: [.privateKeyJWT])
        try await environment.addCertificate("jwt", credentials.rsa)
        let issued = await environment.post([("grant_type", "client_credentials"), ("scope", TokenTestEnvironment.resourceScope)], authorization: [basic])
        let accessToken = try XCTUnwrap(try TokenTestEnvironment.json(issued)["access_token"]?.stringValue)
        let response = await environment.postAssertion(accessToken)
        TokenTestEnvironment.assertError(response, "invalid_client")
        let reason = try await environment.lastAuditReason()
        XCTAssertEqual(reason, "invalid_client.assertion_typ")
    }

    func testAT6TokensValidateWithTrustGateAuthsBearerValidator() async throws {
        // The resource-server side of this repository (RS-2 … RS-8) accepts them, binding included.
        let jwks = String(decoding: await environment.get(environment.settings.urls.jwksPath).body, as: UTF8.self)
        let validator = JWTAccessTokenValidator(settings: JWTIssuerSettings(
            issuer: environment.settings.urls.issuer, audiences: ["api://orders"], keySource: .inline(json: jwks)))
        let response = await environment.post(
            [("grant_type", "client_credentials"), ("scope", TokenTestEnvironment.resourceScope)], authorization: [basic],
            certificate: TokenTestEnvironment.evidence(credentials.ec))
        let token = try XCTUnwrap(try TokenTestEnvironment.json(response)["access_token"]?.stringValue)
        let claims = try await validator.validate(token, presentedCertificateLeafDER: credentials.ec.der)
        XCTAssertEqual(claims.clientID, "app")
        XCTAssertEqual(claims.roles, ["orders.read"])
        XCTAssertEqual(claims.certificateThumbprintSHA256, credentials.ec.x5tS256)
        do {
            _ = try await validator.validate(token, presentedCertificateLeafDER: credentials.rsa.der)
            XCTFail("a bound token must not validate with another certificate")
        } catch {
            XCTAssertEqual(error, .certificateMismatch)
        }
    }

    // MARK: Rotation (JK-3): the kid follows the current key

    func testRotatedKeySignsAndOldKeyStaysPublished() async throws {
        let (before, _, _) = try await token()
        let rotation = SigningKeyRotation(publishDelay: 0)
        let result = try await rotation.rotate(in: environment.store, algorithm: .rs256, storeKey: environment.storeKey, now: Date().addingTimeInterval(-1))
        let (after, _, _) = try await token()
        XCTAssertEqual(after.keyID, result.newKey.keyID)
        XCTAssertNotEqual(after.keyID, before.keyID)
        let keys = try JSONWebKeySet(jsonBytes: await environment.get(environment.settings.urls.jwksPath).body)
        XCTAssertEqual(Set(keys.keys.compactMap(\.keyID)), Set([before.keyID, after.keyID].compactMap { $0 }))
    }

    func testNoSigningKeyIsAServerError() async throws {
        let empty = try await TokenTestEnvironment()
        defer { Task { await empty.close() } }
        for key in try await empty.store.signingKeys() {
            try await empty.store.retireSigningKey(keyID: key.keyID, at: Date().addingTimeInterval(-10), removeAt: Date().addingTimeInterval(-5))
        }
        try await empty.addClient("app", methods: [.clientSecretBasic])
        let secret = try await empty.addSecret("app")
        let response = await empty.post(
            [("grant_type", "client_credentials"), ("scope", TokenTestEnvironment.resourceScope)], authorization: [TokenTestEnvironment.basic("app", secret)])
        TokenTestEnvironment.assertError(response, "server_error", status: 500)
    }
}

func XCTUnwrapAsync<T>(_ value: T?, file: StaticString = #filePath, line: UInt = #line) async throws -> T {
    try XCTUnwrap(value, file: file, line: line)
}
