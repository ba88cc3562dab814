import Foundation
import TrustGateJOSE
import TrustGateStore
import TrustGateTokens
import XCTest

/// The token endpoint's request handling through `TokenService.handle`: TE-1 … TE-8, ER-1 … ER-3, GR-1.
final class TokenRequestHandlingTests: XCTestCase {
    private var environment: TokenTestEnvironment!
    private var secret = ""

    override func setUp() async throws {
        environment = try await TokenTestEnvironment()
        try await environment.addClient("app", methods: [.clientSecretBasic, .clientSecretPost])
        secret = try await environment.addSecret("app", value: "a:b%c+d e")
    }

    override func tearDown() async throws {
        await environment?.close()
    }

    private var grant: [(String, String)] { [("grant_type", "client_credentials"), ("scope", TokenTestEnvironment.resourceScope)] }
    private var basic: String { TokenTestEnvironment.basic("app", secret) }

    // MARK: TE-1

    func testTE1PostWithFormBodyIssuesAToken() async throws {
        let response = await environment.post(grant, authorization: [basic])
        XCTAssertEqual(response.status, 200, String(decoding: response.body, as: UTF8.self))
        // A charset parameter is fine.
        let withCharset = await environment.post(grant, authorization: [basic], contentType: "Application/X-WWW-Form-Urlencoded; charset=UTF-8")
        XCTAssertEqual(withCharset.status, 200)
    }

    func testTE1GetNeverReturnsAToken() async throws {
        let response = await environment.post(grant, authorization: [basic], method: "GET")
        TokenTestEnvironment.assertError(response, "invalid_request", status: 405)
        XCTAssertEqual(response.header("Allow"), "POST")
        XCTAssertNil(try TokenTestEnvironment.json(response)["access_token"])
    }

    func testTE1OtherContentTypesAreRefused() async throws {
        for type in ["application/json", "text/plain", nil] {
            let response = await environment.post(grant, authorization: [basic], contentType: type)
            TokenTestEnvironment.assertError(response, "invalid_request")
        }
        let reason = try await environment.lastAuditReason()
        XCTAssertEqual(reason, "invalid_request.content_type")
    }

    // MARK: TE-2 (the transport flag; over real sockets in TokenServiceHTTPSTests)

    func testTE2RequestsNotOverTLSAreRefused() async throws {
        let response = await environment.post(grant, authorization: [basic], secure: false)
        TokenTestEnvironment.assertError(response, "invalid_request")
        let reason = try await environment.lastAuditReason()
        XCTAssertEqual(reason, "invalid_request.not_tls")
    }

    // MARK: TE-3

    func testTE3UnknownAndEmptyParametersAreIgnored() async throws {
        // MSAL sends client_info=1 and claims; an empty client_id counts as absent.
        let response = await environment.post(
            grant + [("client_info", "1"), ("claims", #"{"access_token":{}}"#), ("client_id", "")], authorization: [basic])
        XCTAssertEqual(response.status, 200, String(decoding: response.body, as: UTF8.self))
    }

    func testTE3RepeatedParameterIsInvalidRequest() async throws {
        let response = await environment.post(grant + [("scope", TokenTestEnvironment.resourceScope)], authorization: [basic])
        TokenTestEnvironment.assertError(response, "invalid_request")
        let reason = try await environment.lastAuditReason()
        XCTAssertEqual(reason, "invalid_request.repeated_parameter")
    }

    func testTE3PlusAndPercentDecoding() async throws {
        // The secret "a:b%c+d e" travels in client_secret_post as a%3Ab%25c%2Bd+e.
        let body = "grant_type=client_credentials&scope=api%3A%2F%2Forders%2F.default&client_id=app&client_secret=a%3Ab%25c%2Bd+e"
        let response = await environment.post(body: body)
        XCTAssertEqual(response.status, 200, String(decoding: response.body, as: UTF8.self))
        // A broken escape is a malformed body.
        let broken = await environment.post(body: body + "&x=%G1")
        TokenTestEnvironment.assertError(broken, "invalid_request")
    }

    // MARK: TE-4

    func testTE4TwoAuthenticationMethodsAreRefused() async throws {
        let assertion = [("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"), ("client_assertion", "a.b.c")]
        let basicPlusAssertion = await environment.post(grant + assertion, authorization: [basic])
        TokenTestEnvironment.assertError(basicPlusAssertion, "invalid_request")
        let secretPlusAssertion = await environment.post(grant + [("client_id", "app"), ("client_secret", secret)] + assertion)
        TokenTestEnvironment.assertError(secretPlusAssertion, "invalid_request")
        let basicPlusSecret = await environment.post(grant + [("client_secret", secret)], authorization: [basic])
        TokenTestEnvironment.assertError(basicPlusSecret, "invalid_request")
        let reason = try await environment.lastAuditReason()
        XCTAssertEqual(reason, "invalid_request.multiple_client_authentication_methods")
        // One method alone works.
        let single = await environment.post(grant + [("client_id", "app"), ("client_secret", secret)])
        XCTAssertEqual(single.status, 200)
    }

    // MARK: TE-5

    func testTE5ClientCredentialsRequiresClientAuthentication() async throws {
        let anonymous = await environment.post(grant)
        TokenTestEnvironment.assertError(anonymous, "invalid_client")
        let idOnly = await environment.post(grant + [("client_id", "app")])
        TokenTestEnvironment.assertError(idOnly, "invalid_client")
        let reason = try await environment.lastAuditReason()
        XCTAssertEqual(reason, "invalid_client.no_authentication")
        let authenticated = await environment.post(grant, authorization: [basic])
        XCTAssertEqual(authenticated.status, 200)
    }

    // MARK: TE-6

    func testTE6AssertionTypeMustBeJWTBearer() async throws {
        let wrongType = await environment.post(grant + [
            ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:saml2-bearer"), ("client_assertion", "a.b.c"),
        ])
        TokenTestEnvironment.assertError(wrongType, "invalid_request")
        let typeOnly = await environment.post(grant + [("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")])
        TokenTestEnvironment.assertError(typeOnly, "invalid_request")
    }

    func testTE6AssertionMustBeOneCompactJWS() async throws {
        try await environment.addClient("jwt-app", methods: [.privateKeyJWT])
        let jsonSerialization = #"{"payload":"e30","signatures":[{"protected":"eyJhbGciOiJSUzI1NiJ9","signature":"AA"}]}"#
        let jwe = "eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d"
        for assertion in [jsonSerialization, jwe, "only.two", "x.y.z.w"] {
            let response = await environment.postAssertion(assertion, extra: [("client_id", "jwt-app")])
            TokenTestEnvironment.assertError(response, "invalid_client")
        }
        let reason = try await environment.lastAuditReason()
        XCTAssertEqual(reason, "invalid_client.assertion_malformed")
    }

    // MARK: TE-7 (Basic here; the assertion form in PrivateKeyJWTTests)

    func testTE7FormClientIDMustAgreeWithBasic() async throws {
        let agreeing = await environment.post(grant + [("client_id", "app")], authorization: [basic])
        XCTAssertEqual(agreeing.status, 200)
        let contradicting = await environment.post(grant + [("client_id", "other")], authorization: [basic])
        TokenTestEnvironment.assertError(contradicting, "invalid_client")
    }

    // MARK: TE-8

    func testTE8OversizedAssertionAndBodyAreRefusedWith400() async throws {
        let huge = String(repeating: "a", count: CompactJWS.defaultMaximumLength + 1)
        let response = await environment.postAssertion(huge)
        TokenTestEnvironment.assertError(response, "invalid_request")
        let reason = try await environment.lastAuditReason()
        XCTAssertEqual(reason, "invalid_request.client_assertion_too_large")
        let body = await environment.post(body: "grant_type=client_credentials&pad=" + String(repeating: "x", count: 100 * 1024))
        TokenTestEnvironment.assertError(body, "invalid_request")
        let bodyReason = try await environment.lastAuditReason()
        XCTAssertEqual(bodyReason, "invalid_request.body_too_large")
    }

    // MARK: ER-1 … ER-3

    func testER1SuccessResponseShape() async throws {
        let response = await environment.post(grant, authorization: [basic])
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.header("Cache-Control"), "no-store")
        XCTAssertEqual(response.header("Pragma"), "no-cache")
        XCTAssertTrue(response.header("Content-Type")?.hasPrefix("application/json") ?? false)
        let body = try TokenTestEnvironment.json(response)
        XCTAssertNotNil(body["access_token"]?.stringValue)
        XCTAssertEqual(body["token_type"]?.stringValue, "Bearer")
        XCTAssertEqual(body["expires_in"]?.numberValue?.integerValue, 3600)
        XCTAssertEqual(body["scope"]?.stringValue, TokenTestEnvironment.resourceScope)
        XCTAssertNil(body["refresh_token"], "GR-5: no refresh token")
        XCTAssertEqual(Set(body.names), ["access_token", "token_type", "expires_in", "scope"])
    }

    func testER2ErrorBodyShapeAndDescriptionCharacters() async throws {
        let response = await environment.post(grant + [("grant_type", "password")], authorization: [basic])
        TokenTestEnvironment.assertError(response, "invalid_request")
        let body = try TokenTestEnvironment.json(response)
        XCTAssertEqual(Set(body.names), ["error", "error_description"])
        let description = try XCTUnwrap(body["error_description"]?.stringValue)
        XCTAssertTrue(description.unicodeScalars.allSatisfy { (0x20...0x7E).contains($0.value) && $0 != "\"" && $0 != "\\" })
    }

    func testER3InvalidClientIs401WithBasicChallenge() async throws {
        let wrongSecret = await environment.post(grant, authorization: [TokenTestEnvironment.basic("app", "nope")])
        TokenTestEnvironment.assertError(wrongSecret, "invalid_client")
        XCTAssertEqual(wrongSecret.header("WWW-Authenticate"), #"Basic realm="https://127.0.0.1:8443/tenant-a""#)
        // Also for a form-based method (every invalid_client is 401).
        let wrongPost = await environment.post(grant + [("client_id", "app"), ("client_secret", "nope")])
        TokenTestEnvironment.assertError(wrongPost, "invalid_client")
        // The description does not say which check failed.
        let unknown = await environment.post(grant, authorization: [TokenTestEnvironment.basic("ghost", "nope")])
        XCTAssertEqual(try TokenTestEnvironment.json(unknown)["error_description"], try TokenTestEnvironment.json(wrongSecret)["error_description"])
    }

    func testER3OtherAuthorizationSchemesAreInvalidClient() async throws {
        let bearer = await environment.post(grant, authorization: ["Bearer abc"])
        TokenTestEnvironment.assertError(bearer, "invalid_client")
        let twoHeaders = await environment.post(grant, authorization: [basic, basic])
        TokenTestEnvironment.assertError(twoHeaders, "invalid_request")
    }

    // MARK: GR-1

    func testGR1UnknownGrantTypeIsUnsupported() async throws {
        let body = [("grant_type", "urn:ietf:params:oauth:grant-type:device_code"), ("scope", TokenTestEnvironment.resourceScope)]
        TokenTestEnvironment.assertError(await environment.post(body, authorization: [basic]), "unsupported_grant_type")
        TokenTestEnvironment.assertError(await environment.post([("scope", TokenTestEnvironment.resourceScope)], authorization: [basic]), "invalid_request")
    }

    func testGR1DisabledClientIsUnauthorizedClient() async throws {
        try await environment.addClient("off", methods: [.clientSecretBasic], enabled: false)
        let offSecret = try await environment.addSecret("off")
        let response = await environment.post(grant, authorization: [TokenTestEnvironment.basic("off", offSecret)])
        TokenTestEnvironment.assertError(response, "unauthorized_client")
    }
}
