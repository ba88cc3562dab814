import Foundation
import TrustGateAuth
import TrustGateJOSE
import TrustGateStore
import TrustGateTokens
import TrustGateX509
import X509
import XCTest

/// RFC 8705 client authentication through `TokenService.handle` with the connection's certificate as evidence:
/// MT-1 (each of the five matchers, right CA + wrong name), MT-2, MT-3, MT-6. Over real TLS in
/// TokenServiceHTTPSTests.
final class MutualTLSAuthenticationTests: XCTestCase {
    private var environment: TokenTestEnvironment!
    private var credentials: SharedCredentials!

    override func setUp() async throws {
        credentials = try SharedCredentials.get()
        environment = try await TokenTestEnvironment()
    }

    override func tearDown() async throws {
        await environment?.close()
    }

    private func request(_ clientID: String, _ credential: TokenTestPKI.Credential) async -> TokenHTTPResponse {
        await environment.post(
            [("grant_type", "client_credentials"), ("client_id", clientID), ("scope", TokenTestEnvironment.resourceScope)],
            certificate: TokenTestEnvironment.evidence(credential))
    }

    private var root: [Certificate] { [credentials.pki.authority.root] }

    // MARK: MT-1

    func testMT1SubjectDNComparedAsADistinguishedName() async throws {
        try await environment.addClient("dn", methods: [.tlsClientAuth])
        try await environment.addRule("dn", anchors: root, subject: "cn=DN-CLIENT, ou=payments, o=example corp, c=de")
        let response = await request("dn", credentials.dnClient)
        let (_, claims) = try await environment.verifiedToken(response)
        XCTAssertEqual(claims["client_id"]?.stringValue, "dn")
        let event = try await environment.lastAudit()
        XCTAssertEqual(event?.method, .tlsClientAuth)
    }

    func testMT1EachSANMatcher() async throws {
        let cases: [(String, TokenTestPKI.Credential, (TokenTestEnvironment) async throws -> Void)] = [
            ("dns", credentials.dnsClient, { try await $0.addRule("dns", anchors: self.root, dns: ["ORDERS.svc.example.com."]) }),
            ("uri", credentials.uriClient, { try await $0.addRule("uri", anchors: self.root, uris: ["spiffe://example.com/orders"]) }),
            ("ip", credentials.ipClient, { try await $0.addRule("ip", anchors: self.root, ips: ["10.1.2.3"]) }),
            ("email", credentials.emailClient, { try await $0.addRule("email", anchors: self.root, emails: ["Orders@Example.com"]) }),
        ]
        for (id, credential, register) in cases {
            try await environment.addClient(id, methods: [.tlsClientAuth])
            try await register(environment)
            let response = await request(id, credential)
            XCTAssertEqual(response.status, 200, "\(id): \(String(decoding: response.body, as: UTF8.self))")
        }
    }

    func testMT1RightCAWrongNameIsRefused() async throws {
        let cases: [(String, (TokenTestEnvironment) async throws -> Void)] = [
            ("dn", { try await $0.addRule("dn", anchors: self.root, subject: "CN=dn-client,OU=Treasury,O=Example Corp,C=DE") }),
            ("dns", { try await $0.addRule("dns", anchors: self.root, dns: ["billing.svc.example.com"]) }),
            ("uri", { try await $0.addRule("uri", anchors: self.root, uris: ["spiffe://example.com/billing"]) }),
            ("ip", { try await $0.addRule("ip", anchors: self.root, ips: ["10.1.2.4"]) }),
            ("email", { try await $0.addRule("email", anchors: self.root, emails: ["billing@example.com"]) }),
        ]
        let presented = [
            "dn": credentials.dnClient, "dns": credentials.dnsClient, "uri": credentials.uriClient, "ip": credentials.ipClient,
            "email": credentials.emailClient,
        ]
        for (id, register) in cases {
            try await environment.addClient(id, methods: [.tlsClientAuth])
            try await register(environment)
            let response = await request(id, try XCTUnwrap(presented[id]))
            TokenTestEnvironment.assertError(response, "invalid_client")
            let reason = try await environment.lastAuditReason()
            XCTAssertEqual(reason, "invalid_client.certificate_identity_mismatch", id)
        }
    }

    func testMT1ChainMustValidateToTheRuleCA() async throws {
        try await environment.addClient("sni", methods: [.tlsClientAuth])
        try await environment.addRule("sni", anchors: root, subject: SharedCredentials.sniSubject)
        let trusted = await request("sni", credentials.sni)
        XCTAssertEqual(trusted.status, 200)
        let foreign = await request("sni", credentials.sniForeign)
        TokenTestEnvironment.assertError(foreign, "invalid_client")
        let reason = try await environment.lastAuditReason()
        XCTAssertEqual(reason, "invalid_client.certificate_untrusted")
        // Without the intermediate the chain does not reach the root.
        let leafOnly = await environment.post(
            [("grant_type", "client_credentials"), ("client_id", "sni"), ("scope", TokenTestEnvironment.resourceScope)],
            certificate: TokenTestEnvironment.evidence(credentials.sni, fullChain: false))
        TokenTestEnvironment.assertError(leafOnly, "invalid_client")
    }

    func testMT1ExpiredCertificateIsRefused() async throws {
        try await environment.addClient("expired", methods: [.tlsClientAuth])
        try await environment.addRule("expired", anchors: root, subject: "CN=expired-client")
        TokenTestEnvironment.assertError(await request("expired", credentials.expired), "invalid_client")
    }

    func testMT1ClientIDIsRequired() async throws {
        let response = await environment.post(
            [("grant_type", "client_credentials"), ("scope", TokenTestEnvironment.resourceScope)],
            certificate: TokenTestEnvironment.evidence(credentials.dnClient))
        TokenTestEnvironment.assertError(response, "invalid_client")
    }

    // MARK: MT-2

    func testMT2SelfSignedCertificateMatchesTheRegisteredOne() async throws {
        try await environment.addClient("self", methods: [.selfSignedTLSClientAuth])
        try await environment.addCertificate("self", credentials.selfSigned)
        let response = await request("self", credentials.selfSigned)
        XCTAssertEqual(response.status, 200, String(decoding: response.body, as: UTF8.self))
        let event = try await environment.lastAudit()
        XCTAssertEqual(event?.method, .selfSignedTLSClientAuth)
        // Another self-signed certificate (even one chaining to nothing in particular) is not it.
        let other = try credentials.pki.selfSigned("impostor")
        TokenTestEnvironment.assertError(await request("self", other), "invalid_client")
        let reason = try await environment.lastAuditReason()
        XCTAssertEqual(reason, "invalid_client.certificate_not_registered")
    }

    // MARK: MT-3

    func testMT3AnotherClientsCertificateIsRefused() async throws {
        try await environment.addClient("alice", methods: [.tlsClientAuth, .selfSignedTLSClientAuth])
        try await environment.addRule("alice", anchors: root, dns: ["orders.svc.example.com"])
        try await environment.addClient("bob", methods: [.tlsClientAuth, .selfSignedTLSClientAuth])
        try await environment.addRule("bob", anchors: root, uris: ["spiffe://example.com/orders"])
        try await environment.addCertificate("bob", credentials.selfSigned)
        let aliceOwn = await request("alice", credentials.dnsClient)
        XCTAssertEqual(aliceOwn.status, 200)
        let bobOwn = await request("bob", credentials.uriClient)
        XCTAssertEqual(bobOwn.status, 200)
        // Bob's valid certificates, presented as Alice.
        TokenTestEnvironment.assertError(await request("alice", credentials.uriClient), "invalid_client")
        TokenTestEnvironment.assertError(await request("alice", credentials.selfSigned), "invalid_client")
    }

    func testMethodMustBeRegistered() async throws {
        try await environment.addClient("secret-only", methods: [.clientSecretBasic])
        TokenTestEnvironment.assertError(await request("secret-only", credentials.dnClient), "invalid_client")
        let reason = try await environment.lastAuditReason()
        XCTAssertEqual(reason, "invalid_client.method_not_registered")
    }

    // MARK: MT-6

    func testMT6DiscoveryListsTheMTLSMethods() async throws {
        let document = try TokenTestEnvironment.json(await environment.get(environment.settings.urls.openIDConfigurationPath))
        let methods = try XCTUnwrap(document["token_endpoint_auth_methods_supported"]?.arrayValue).compactMap(\.stringValue)
        XCTAssertTrue(methods.contains("tls_client_auth"))
        XCTAssertTrue(methods.contains("self_signed_tls_client_auth"))
    }
}
