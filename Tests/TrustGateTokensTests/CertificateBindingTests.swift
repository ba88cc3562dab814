import Foundation
import TrustGateAuth
import TrustGateJOSE
import TrustGateStore
import TrustGateTokens
import TrustGateX509
import XCTest

/// Certificate-bound access tokens (RFC 8705 §3): CB-1 … CB-4.
final class CertificateBindingTests: XCTestCase {
    private var environment: TokenTestEnvironment!
    private var credentials: SharedCredentials!
    private var secret = ""

    /// RFC 8705 Appendix A, Figure 6: the certificate whose `x5t#S256` is `A4DtL2JmUMhAsvJj5tKyn64SqzmuXbMrJa0n761y5v0`.
    static let rfc8705Certificate = """
        MIIBBjCBrAIBAjAKBggqhkjOPQQDAjAPMQ0wCwYDVQQDDARtdGxzMB4XDTE4MTAxODEyMzcwOVoXDTIyMDUwMjEyMzcwOVowDzENMAsGA1UEAwwEbXRsczBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABNcnyxwqV6hY8QnhxxzFQ03C7HKW9OylMbnQZjjJ/Au08/coZwxS7LfA4vOLS9WuneIXhbGGWvsDSb0tH6IxLm8wCgYIKoZIzj0EAwIDSQAwRgIhAP0RC1E+vwJD/D1AGHGzuri+hlV/PpQEKTWUVeORWz83AiEA5x2eXZOVbUlJSGQgjwD5vaUaKlLR50Q2DmFfQj1L+SY=
        """

    override func setUp() async throws {
        credentials = try SharedCredentials.get()
        environment = try await TokenTestEnvironment()
        try await environment.addClient("app", methods: [.clientSecretBasic])
        secret = try await environment.addSecret("app")
    }

    override func tearDown() async throws {
        await environment?.close()
    }

    private let grant = [("grant_type", "client_credentials"), ("scope", TokenTestEnvironment.resourceScope)]

    // MARK: CB-1

    func testCB1MutualTLSTokenCarriesUnpaddedLeafThumbprint() async throws {
        try await environment.addClient("mtls", methods: [.tlsClientAuth])
        try await environment.addRule("mtls", anchors: [credentials.pki.authority.root], dns: ["orders.svc.example.com"])
        let response = await environment.post(
            grant + [("client_id", "mtls")], certificate: TokenTestEnvironment.evidence(credentials.dnsClient))
        let (_, claims) = try await environment.verifiedToken(response)
        let thumbprint = try XCTUnwrap(claims["cnf"]?.objectValue?["x5t#S256"]?.stringValue)
        XCTAssertEqual(thumbprint, credentials.dnsClient.x5tS256)
        XCTAssertFalse(thumbprint.contains("="))
        XCTAssertEqual(claims["cnf"]?.objectValue?.count, 1)
    }

    func testCB1NoCertificateNoConfirmation() async throws {
        let response = await environment.post(grant, authorization: [TokenTestEnvironment.basic("app", secret)])
        let (_, claims) = try await environment.verifiedToken(response)
        XCTAssertNil(claims["cnf"])
    }

    // MARK: CB-2

    func testCB2SecretClientIsBoundToTheCertificateItPresented() async throws {
        let der = try XCTUnwrap(Base64Standard.decode(Self.rfc8705Certificate))
        let evidence = ClientCertificateEvidence(chain: PresentedCertificateChain(derCertificates: [der]), source: .tlsConnection)
        let response = await environment.post(grant, authorization: [TokenTestEnvironment.basic("app", secret)], certificate: evidence)
        let (_, claims) = try await environment.verifiedToken(response)
        XCTAssertEqual(claims["cnf"]?.objectValue?["x5t#S256"]?.stringValue, "A4DtL2JmUMhAsvJj5tKyn64SqzmuXbMrJa0n761y5v0")
        XCTAssertEqual(try TokenTestEnvironment.json(response)["token_type"]?.stringValue, "Bearer")
    }

    func testCB2AssertionClientIsBoundWhenACertificateIsPresented() async throws {
        try await environment.addClient("jwt", methods: [.privateKeyJWT])
        try await environment.addCertificate("jwt", credentials.rsa)
        let response = await environment.postAssertion(
            try environment.assertion(for: "jwt", credentials.rsa).build(), certificate: TokenTestEnvironment.evidence(credentials.rsa))
        let (_, claims) = try await environment.verifiedToken(response)
        XCTAssertEqual(claims["cnf"]?.objectValue?["x5t#S256"]?.stringValue, credentials.rsa.x5tS256)
    }

    func testCB2ServerPolicyCanTurnOpportunisticBindingOff() async throws {
        let unbound = try await TokenTestEnvironment { $0.bindTokensToPresentedCertificates = false }
        defer { Task { await unbound.close() } }
        try await unbound.addClient("app", methods: [.clientSecretBasic])
        let secret = try await unbound.addSecret("app")
        let response = await unbound.post(
            grant, authorization: [TokenTestEnvironment.basic("app", secret)], certificate: TokenTestEnvironment.evidence(credentials.ec))
        let (_, claims) = try await unbound.verifiedToken(response)
        XCTAssertNil(claims["cnf"])
        // A client registered for bound tokens is bound regardless.
        try await unbound.addClient("bound", methods: [.clientSecretBasic], certificateBound: true)
        let boundSecret = try await unbound.addSecret("bound")
        let bound = await unbound.post(
            grant, authorization: [TokenTestEnvironment.basic("bound", boundSecret)], certificate: TokenTestEnvironment.evidence(credentials.ec))
        let (_, boundClaims) = try await unbound.verifiedToken(bound)
        XCTAssertEqual(boundClaims["cnf"]?.objectValue?["x5t#S256"]?.stringValue, credentials.ec.x5tS256)
    }

    // MARK: CB-3

    func testCB3BoundClientWithoutCertificateIsRefused() async throws {
        try await environment.addClient("bound", methods: [.clientSecretBasic], certificateBound: true)
        let boundSecret = try await environment.addSecret("bound")
        let response = await environment.post(grant, authorization: [TokenTestEnvironment.basic("bound", boundSecret)])
        TokenTestEnvironment.assertError(response, "invalid_request")
        let reason = try await environment.lastAuditReason()
        XCTAssertEqual(reason, "invalid_request.certificate_required")
        let withCertificate = await environment.post(
            grant, authorization: [TokenTestEnvironment.basic("bound", boundSecret)], certificate: TokenTestEnvironment.evidence(credentials.ec))
        XCTAssertEqual(withCertificate.status, 200)
    }

    // MARK: CB-4 (the discovery half; there is no introspection endpoint)

    func testCB4DiscoveryAdvertisesBoundTokens() async throws {
        let document = try TokenTestEnvironment.json(await environment.get(environment.settings.urls.openIDConfigurationPath))
        XCTAssertEqual(document["tls_client_certificate_bound_access_tokens"], true)
    }
}
