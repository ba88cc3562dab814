import Foundation
import TrustGateX509
import X509
import XCTest
@testable import TrustGateAuth

final class AuthenticationRequirementTests: XCTestCase {
    private var staff: BasicAuthenticator!
    private var functions: APIKeyAuthenticator!
    private var staticBearer: StaticBearerAuthenticator!
    private let certificate = ClientCertificateAuthenticator(policy: nil)
    private var pki: AuthTestPKI!

    private let basicChallenge = #"Basic realm="Loyalty API", charset="UTF-8""#

    override func setUpWithError() throws {
        staff = BasicAuthenticator(name: "staff", realm: "Loyalty API", users: ["connector": try AuthTest.fastHash("pw")])
        functions = APIKeyAuthenticator(name: "functions", keys: ["b2c": try AuthTest.fastHash("the-key")])
        staticBearer = StaticBearerAuthenticator(name: "static", realm: "loyalty", tokens: ["b2c": try AuthTest.fastHash("tok")])
        pki = try AuthTestPKI()
    }

    private func entra(_ token: AccessTokenClaims, slow: Bool = false) -> StubAuthenticator {
        StubAuthenticator(name: "entra", slow: slow, outcome: .authenticated(StubAuthenticator.jwtPrincipal(token)))
    }

    private func acceptedCertificate(_ commonName: String = "b2c-connector") async throws -> ClientCertificateEvidence {
        let leaf = try pki.client(commonName)
        let verdict = await pki.policy.evaluate([leaf])
        XCTAssertTrue(verdict.isAccepted)
        return ClientCertificateEvidence(chain: PresentedCertificateChain([leaf]), source: .tlsConnection, verdict: verdict)
    }

    private func denied(_ requirement: AuthenticationRequirement, _ request: AuthenticationRequest, allowInsecure: Bool = false) async throws -> AuthenticationDenial {
        let decision = await requirement.decide(request, allowInsecure: allowInsecure)
        return try XCTUnwrap(AuthTest.denial(decision), "allowed")
    }

    private func allowed(_ requirement: AuthenticationRequirement, _ request: AuthenticationRequest, allowInsecure: Bool = false) async -> Principal? {
        AuthTest.allowed(await requirement.decide(request, allowInsecure: allowInsecure))
    }

    private func decide(_ requirement: AuthenticationRequirement, _ request: AuthenticationRequest, allowInsecure: Bool = false) async -> AuthenticationDecision {
        await requirement.decide(request, allowInsecure: allowInsecure)
    }

    // MARK: One scheme

    func testOneSchemeAllowsItsPrincipal() async {
        let requirement = AuthenticationRequirement.scheme(staff)
        let principal = await allowed(requirement, AuthTest.request([AuthTest.basic("connector", "pw")]))
        XCTAssertEqual(principal?.name, "connector")
        XCTAssertEqual(principal?.schemes, ["staff"])
    }

    func testNothingPresentedIs401WithTheChallengeAndAProblem() async throws {
        let denial = try await denied(.scheme(staff), AuthTest.request())
        XCTAssertEqual(denial.status, 401)
        XCTAssertEqual(denial.wwwAuthenticateValues, [basicChallenge])
        XCTAssertEqual(denial.problem.reason, "authentication_required")
        XCTAssertEqual(denial.problem.type, "https://trustgate.dev/problems/authentication-required")
        XCTAssertNil(denial.failure)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(denial.problem.json)) as? [String: Any])
        XCTAssertEqual(json["status"] as? Int, 401)
        XCTAssertEqual(json["reason"] as? String, "authentication_required")
        XCTAssertEqual(Set(json.keys), ["type", "title", "status", "detail", "reason"])
    }

    func testWrongPasswordIs401InvalidCredentialsWithoutTheSecretInTheBody() async throws {
        let denial = try await denied(.scheme(staff), AuthTest.request([AuthTest.basic("connector", "hunter2-secret")]))
        XCTAssertEqual(denial.status, 401)
        XCTAssertEqual(denial.problem.reason, "invalid_credentials")
        XCTAssertEqual(denial.wwwAuthenticateValues, [basicChallenge])
        XCTAssertFalse(String(decoding: denial.problem.json, as: UTF8.self).contains("hunter2"))
    }

    func testMalformedCredentialsAre400() async throws {
        let basic = try await denied(.scheme(staff), AuthTest.request([("authorization", "Basic %%%")]))
        XCTAssertEqual(basic.status, 400)
        XCTAssertEqual(basic.problem.reason, "invalid_request")
        let bearer = try await denied(.scheme(staticBearer), AuthTest.request([("authorization", "Bearer a"), ("authorization", "Bearer b")]))
        XCTAssertEqual(bearer.status, 400)
        XCTAssertEqual(bearer.wwwAuthenticateValues, [#"Bearer realm="loyalty", error="invalid_request""#])
    }

    // MARK: anyOf

    func testAnyOfTakesTheFirstSuccessInOrder() async {
        let requirement = AuthenticationRequirement.anyOf([.scheme(staff), .scheme(functions)])
        let byKey = await allowed(requirement, AuthTest.request([("x-functions-key", "the-key")]))
        XCTAssertEqual(byKey?.schemes, ["functions"])
        let both = await allowed(requirement, AuthTest.request([AuthTest.basic("connector", "pw"), ("x-functions-key", "the-key")]))
        XCTAssertEqual(both?.schemes, ["staff"])
        // A failed alternative does not stop a later one from succeeding.
        let wrongPasswordRightKey = await allowed(requirement, AuthTest.request([AuthTest.basic("connector", "no"), ("x-functions-key", "the-key")]))
        XCTAssertEqual(wrongPasswordRightKey?.name, "b2c")
    }

    func testAnyOfWithNothingPresentedListsEveryChallenge() async throws {
        let requirement = AuthenticationRequirement.anyOf([.scheme(staff), .scheme(functions), .scheme(staticBearer), .scheme(certificate)])
        let denial = try await denied(requirement, AuthTest.request())
        XCTAssertEqual(denial.status, 401)
        XCTAssertEqual(denial.wwwAuthenticateValues, [basicChallenge, #"Bearer realm="loyalty""#])
    }

    func testAnyOfPrefersAPresentedFailureOverNotPresented() async throws {
        let requirement = AuthenticationRequirement.anyOf([.scheme(functions), .scheme(staff), .scheme(staticBearer)])
        let denial = try await denied(requirement, AuthTest.request([("authorization", "Bearer wrong")]))
        XCTAssertEqual(denial.status, 401)
        XCTAssertEqual(denial.problem.reason, "invalid_token")
        XCTAssertEqual(denial.failure?.scheme, "static")
        XCTAssertEqual(denial.wwwAuthenticateValues, [#"Bearer realm="loyalty", error="invalid_token""#, basicChallenge])
    }

    // MARK: allOf

    func testAllOfMergesThePrincipals() async throws {
        let token = StubAuthenticator.token(roles: ["service-api", "reader"], scopes: ["loyalty.write"], claims: ["azpacr": "2"])
        let requirement = AuthenticationRequirement.allOf([
            .scheme(certificate),
            .scheme(entra(token), PrincipalConstraints(roles: ["service-api"], claims: ["azpacr": "2"])),
        ])
        let request = AuthTest.request([("authorization", "Bearer x.y.z")], certificate: try await acceptedCertificate())
        let merged = await allowed(requirement, request)
        let principal = try XCTUnwrap(merged)
        XCTAssertEqual(principal.name, "CN=b2c-connector,O=Loyalty,C=US")
        XCTAssertEqual(principal.methods, [.clientCertificate, .jwtBearer])
        XCTAssertEqual(principal.schemes, ["certificate", "entra"])
        XCTAssertEqual(principal.roles, ["service-api", "reader"])
        XCTAssertEqual(principal.scopes, ["loyalty.write"])
        XCTAssertNotNil(principal.certificate)
        XCTAssertEqual(principal.token?.issuer, "https://issuer.example")
    }

    func testAllOfDeniesAtTheFirstPartThatFails() async throws {
        let stub = entra(StubAuthenticator.token(roles: ["service-api"]))
        let requirement = AuthenticationRequirement.allOf([.scheme(certificate), .scheme(stub)])

        let noCertificate = try await denied(requirement, AuthTest.request([("authorization", "Bearer x.y.z")]))
        XCTAssertEqual(noCertificate.status, 403)
        XCTAssertEqual(noCertificate.problem.reason, "no_certificate")
        XCTAssertEqual(stub.calls, 0, "the token is not looked at once the certificate failed")

        let revoked = ClientCertificateEvidence(
            chain: PresentedCertificateChain([try pki.client("x")]), source: .tlsConnection,
            verdict: .rejected([CertificateRejection(.revoked, "the certificate was revoked")]))
        let rejected = try await denied(requirement, AuthTest.request([("authorization", "Bearer x.y.z")], certificate: revoked))
        XCTAssertEqual(rejected.status, 403)
        XCTAssertEqual(rejected.problem.reason, "revoked")
        XCTAssertEqual(rejected.problem.type, "https://trustgate.dev/problems/revoked")

        let noToken = try await denied(requirement, AuthTest.request(certificate: try await acceptedCertificate()))
        XCTAssertEqual(noToken.status, 401)
        XCTAssertEqual(noToken.wwwAuthenticateValues, [#"Bearer realm="entra""#])
    }

    // MARK: Constraints

    func testMissingRoleScopeOrClaimIs403InsufficientScope() async throws {
        let token = StubAuthenticator.token(roles: ["reader"], scopes: ["a"], claims: ["azpacr": "1"])
        let constraints = PrincipalConstraints(roles: ["service-api"], scopes: ["a", "b"], claims: ["azpacr": "2"])
        let denial = try await denied(.scheme(entra(token), constraints), AuthTest.request([("authorization", "Bearer x.y.z")]))
        XCTAssertEqual(denial.status, 403)
        XCTAssertEqual(denial.problem.reason, "insufficient_scope")
        XCTAssertEqual(denial.wwwAuthenticateValues, [#"Bearer realm="entra", error="insufficient_scope", scope="a b""#])
        XCTAssertTrue(denial.problem.detail.contains("role service-api"), denial.problem.detail)
        XCTAssertTrue(denial.problem.detail.contains("scope b"), denial.problem.detail)
        XCTAssertTrue(denial.problem.detail.contains("claim azpacr = 2"), denial.problem.detail)
        XCTAssertFalse(denial.problem.detail.contains("reader"), "the principal's own values are not listed")
    }

    func testClaimsMatchExactlyAndAppOnlyNeedsAnAppToken() async throws {
        let request = AuthTest.request([("authorization", "Bearer x.y.z")])
        let numeric = StubAuthenticator.token(claims: ["azpacr": 2, "ver": "2.0"], idtyp: "app")
        let matching = await allowed(.scheme(entra(numeric), PrincipalConstraints(claims: ["azpacr": "2", "ver": "2.0"], appOnly: true)), request)
        XCTAssertNotNil(matching)
        let notExactly = await allowed(.scheme(entra(numeric), PrincipalConstraints(claims: ["ver": "2"])), request)
        XCTAssertNil(notExactly)
        let missing = await allowed(.scheme(entra(numeric), PrincipalConstraints(claims: ["missing": "x"])), request)
        XCTAssertNil(missing)

        let user = StubAuthenticator.token(scopes: ["loyalty.read"], idtyp: "user")
        let denial = try await denied(.scheme(entra(user), PrincipalConstraints(appOnly: true)), request)
        XCTAssertEqual(denial.status, 403)
        XCTAssertTrue(denial.problem.detail.contains("app-only"))
        XCTAssertEqual(denial.wwwAuthenticateValues, [#"Bearer realm="entra", error="insufficient_scope""#])
    }

    // MARK: Transport

    func testCredentialsOverPlainHTTPAreRefusedUnread() async throws {
        let requirement = AuthenticationRequirement.anyOf([.scheme(staff), .scheme(functions)])
        let request = AuthTest.request([AuthTest.basic("connector", "pw")], secure: false)
        let denial = try await denied(requirement, request)
        XCTAssertEqual(denial.status, 403)
        XCTAssertEqual(denial.problem.reason, "insecure_transport")
        XCTAssertEqual(denial.challenges, [])
        let allowedInsecurely = await allowed(requirement, request, allowInsecure: true)
        XCTAssertNotNil(allowedInsecurely)

        let nothing = try await denied(requirement, AuthTest.request(secure: false))
        XCTAssertEqual(nothing.status, 401, "without credentials there is nothing insecure yet: the client is told how to authenticate")
    }

    func testInsecureTransportAppliesToAPIKeysAndTokensButNotCertificates() async throws {
        for (requirement, header) in [(AuthenticationRequirement.scheme(functions), ("x-functions-key", "the-key")), (.scheme(staticBearer), ("authorization", "Bearer tok"))] {
            let denial = try await denied(requirement, AuthTest.request([header], secure: false))
            XCTAssertEqual(denial.problem.reason, "insecure_transport")
        }
        let viaProxy = AuthTest.request(secure: false, certificate: try await acceptedCertificate())
        let certificateOverPlainHTTP = await allowed(.scheme(certificate), viaProxy)
        XCTAssertNotNil(certificateOverPlainHTTP)
    }

    // MARK: Immediate decisions

    func testImmediateDecisionIsNilOnlyWhenSlowWorkIsNeeded() async throws {
        let slowStaff = BasicAuthenticator(name: "staff", users: ["connector": try AuthTest.cheapHash("pw")])
        let requirement = AuthenticationRequirement.anyOf([.scheme(slowStaff), .scheme(functions)])
        let request = AuthTest.request([AuthTest.basic("connector", "pw")])

        XCTAssertNotNil(requirement.immediateDecision(for: AuthTest.request(), allowInsecure: false), "nothing presented is known at once")
        XCTAssertNotNil(requirement.immediateDecision(for: AuthTest.request([("x-functions-key", "the-key")]), allowInsecure: false))
        XCTAssertNil(requirement.immediateDecision(for: request, allowInsecure: false))
        let slowly = await allowed(requirement, request)
        XCTAssertEqual(slowly?.name, "connector")
        XCTAssertEqual(AuthTest.allowed(requirement.immediateDecision(for: request, allowInsecure: false))?.name, "connector", "now cached")
        XCTAssertEqual(slowStaff.slowHashes.value, 1)

        let stub = entra(StubAuthenticator.token(), slow: true)
        XCTAssertNil(AuthenticationRequirement.scheme(stub).immediateDecision(for: AuthTest.request([("authorization", "Bearer a.b.c")]), allowInsecure: false))
    }

    // MARK: Description

    func testHeaderNamesAreTheUnionOfTheSchemes() {
        let requirement = AuthenticationRequirement.anyOf([.scheme(staff), .allOf([.scheme(certificate), .scheme(functions)]), .scheme(staticBearer)])
        XCTAssertEqual(requirement.headerNames, ["authorization", "x-functions-key"])
        XCTAssertTrue(requirement.usesClientCertificate)
        XCTAssertFalse(AuthenticationRequirement.scheme(staff).usesClientCertificate)
    }

    func testExplanationInWords() {
        let stub = entra(StubAuthenticator.token())
        let requirement = AuthenticationRequirement.anyOf([
            .allOf([.scheme(certificate), .scheme(stub, PrincipalConstraints(roles: ["service-api"], claims: ["azpacr": "2"]), summary: "a bearer token from https://issuer (audience api://loyalty)")]),
            .scheme(staff),
        ])
        XCTAssertEqual(
            requirement.explanation,
            #"(a client certificate AND a bearer token from https://issuer (audience api://loyalty) with role service-api and azpacr = 2) OR HTTP Basic credentials (scheme staff, realm "Loyalty API", 1 user)"#)
    }
}
