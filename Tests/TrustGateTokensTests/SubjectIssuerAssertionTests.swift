import Foundation
import TrustGateJOSE
import TrustGateStore
import TrustGateTokens
import TrustGateX509
import X509
import XCTest

/// CA-17's subject-name / issuer trust: a client registered by trusted CA + subject, whose assertion's `x5c` chain
/// is validated by the foundation's certificate policy, so a renewed certificate works without registration.
final class SubjectIssuerAssertionTests: XCTestCase {
    private var environment: TokenTestEnvironment!
    private var credentials: SharedCredentials!

    override func setUp() async throws {
        credentials = try SharedCredentials.get()
        environment = try await TokenTestEnvironment()
        try await environment.addClient("sni-app", methods: [.privateKeyJWT])
        try await environment.addRule("sni-app", anchors: [credentials.pki.authority.root], subject: "cn=SNI-CLIENT, o=Example Corp")
    }

    override func tearDown() async throws {
        await environment?.close()
    }

    /// An assertion as MSAL sends it with SN/I on: PS256, padded x5t#S256, the chain in x5c with line breaks.
    private func assertion(_ credential: TokenTestPKI.Credential, x5c: JSONValue? = nil) throws -> String {
        var builder = AssertionBuilder(
            clientID: "sni-app", audience: environment.settings.urls.tokenEndpoint, key: credential.signingKey, algorithm: .ps256)
        builder[header: "x5t#S256"] = .string(AssertionBuilder.padded(credential.x5tS256))
        builder[header: "x5c"] = x5c ?? .array(credential.chainDER.map { .string(AssertionBuilder.wrapped($0)) })
        return try builder.build()
    }

    func testChainToTrustedCAWithMatchingSubjectAuthenticates() async throws {
        let response = await environment.postAssertion(try assertion(credentials.sni))
        let (_, claims) = try await environment.verifiedToken(response)
        XCTAssertEqual(claims["client_id"]?.stringValue, "sni-app")
    }

    func testRenewedCertificateWorksWithoutRegistration() async throws {
        XCTAssertNotEqual(credentials.sni.certificate.publicKey, credentials.sniRenewed.certificate.publicKey)
        let response = await environment.postAssertion(try assertion(credentials.sniRenewed))
        XCTAssertEqual(response.status, 200, String(decoding: response.body, as: UTF8.self))
    }

    func testMSALDotNetBareStringLeafOnlyNeedsTheIntermediateInTheChain() async throws {
        // A bare string is a one-certificate chain: the leaf alone does not reach the root here.
        let bare = try assertion(credentials.sni, x5c: .string(Base64Standard.encode(credentials.sni.der)))
        TokenTestEnvironment.assertError(await environment.postAssertion(bare), "invalid_client")
        let reason = try await environment.lastAuditReason()
        XCTAssertEqual(reason, "invalid_client.assertion_x5c_untrusted")
        // Trusting the intermediate directly makes the bare leaf enough.
        try await environment.addClient("sni-intermediate", methods: [.privateKeyJWT])
        try await environment.addRule(
            "sni-intermediate", anchors: [try XCTUnwrap(credentials.pki.authority.intermediate)], subject: SharedCredentials.sniSubject)
        var builder = AssertionBuilder(
            clientID: "sni-intermediate", audience: environment.settings.urls.tokenEndpoint, key: credentials.sni.signingKey, algorithm: .rs256)
        builder[header: "x5c"] = .string(Base64Standard.encode(credentials.sni.der))
        let accepted = await environment.postAssertion(try builder.build())
        XCTAssertEqual(accepted.status, 200, String(decoding: accepted.body, as: UTF8.self))
    }

    func testForeignCAIsRefused() async throws {
        TokenTestEnvironment.assertError(await environment.postAssertion(try assertion(credentials.sniForeign)), "invalid_client")
        let reason = try await environment.lastAuditReason()
        XCTAssertEqual(reason, "invalid_client.assertion_x5c_untrusted")
    }

    func testTrustedCAWithAnotherSubjectIsRefused() async throws {
        TokenTestEnvironment.assertError(await environment.postAssertion(try assertion(credentials.rsa)), "invalid_client")
        let reason = try await environment.lastAuditReason()
        XCTAssertEqual(reason, "invalid_client.assertion_x5c_identity_mismatch")
    }

    func testThumbprintMustNameTheX5CLeaf() async throws {
        var builder = AssertionBuilder(
            clientID: "sni-app", audience: environment.settings.urls.tokenEndpoint, key: credentials.sni.signingKey, algorithm: .rs256)
        builder[header: "x5t#S256"] = .string(credentials.sniRenewed.x5tS256)
        builder[header: "x5c"] = .array(credentials.sni.chainDER.map { .string(Base64Standard.encode($0)) })
        TokenTestEnvironment.assertError(await environment.postAssertion(try builder.build()), "invalid_client")
        let reason = try await environment.lastAuditReason()
        XCTAssertEqual(reason, "invalid_client.assertion_unknown_thumbprint")
    }

    func testSignatureMustBeByTheX5CLeaf() async throws {
        var builder = AssertionBuilder(
            clientID: "sni-app", audience: environment.settings.urls.tokenEndpoint, key: credentials.sniRenewed.signingKey, algorithm: .rs256)
        builder[header: "x5c"] = .array(credentials.sni.chainDER.map { .string(Base64Standard.encode($0)) })
        TokenTestEnvironment.assertError(await environment.postAssertion(try builder.build()), "invalid_client")
        let reason = try await environment.lastAuditReason()
        XCTAssertEqual(reason, "invalid_client.assertion_bad_signature")
    }

    func testWithoutX5CThereIsNoKey() async throws {
        let builder = AssertionBuilder(
            clientID: "sni-app", audience: environment.settings.urls.tokenEndpoint, key: credentials.sni.signingKey, algorithm: .rs256)
        TokenTestEnvironment.assertError(await environment.postAssertion(try builder.build()), "invalid_client")
        let reason = try await environment.lastAuditReason()
        XCTAssertEqual(reason, "invalid_client.assertion_no_key")
    }

    func testSNITokensCountAsCertificateAuthentication() async throws {
        try await environment.store.addResource(try Resource(identifier: "api://entra", name: "Entra", appRoles: ["r"], tokenProfile: .entra))
        let response = await environment.post([
            ("grant_type", "client_credentials"), ("scope", "api://entra/.default"),
            ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"), ("client_assertion", try assertion(credentials.sni)),
        ])
        let (_, claims) = try await environment.verifiedToken(response)
        XCTAssertEqual(claims["azpacr"]?.stringValue, "2")
    }
}
