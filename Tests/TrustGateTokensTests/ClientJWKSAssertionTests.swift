import Crypto
import Foundation
import TrustGateJOSE
import TrustGateStore
import TrustGateTokens
import XCTest

/// CA-14 with a registered JWKS: a client without a certificate authenticates with a key from the set it
/// registered, named by `kid`; nothing the assertion carries (`jwk`, `jku`) stands in for a registered key.
final class ClientJWKSAssertionTests: XCTestCase {
    private var environment: TokenTestEnvironment!
    private let registeredKey = P256.Signing.PrivateKey()

    override func setUp() async throws {
        environment = try await TokenTestEnvironment()
        try await environment.addClient("jwks-app", methods: [.privateKeyJWT])
    }

    override func tearDown() async throws {
        await environment.close()
    }

    private func publicJWK(_ key: P256.Signing.PrivateKey, kid: String) throws -> String {
        try JSONWebKey(material: .p256(key.publicKey), keyID: kid).publicJSON()
    }

    private func register(_ jwks: String) async throws {
        let keys = try ClientJSONWebKey.keySet(clientID: "jwks-app", jwksBytes: Array(jwks.utf8))
        try await environment.store.replaceClientKeys(clientID: "jwks-app", with: keys)
    }

    private func assertion(signedWith key: P256.Signing.PrivateKey, kid: String?) -> AssertionBuilder {
        var builder = AssertionBuilder(
            clientID: "jwks-app", audience: environment.settings.urls.tokenEndpoint, key: .p256(key), algorithm: .es256)
        if let kid { builder[header: "kid"] = .string(kid) }
        return builder
    }

    func testAssertionSignedWithARegisteredKeyIsAccepted() async throws {
        let other = P256.Signing.PrivateKey()
        try await register(#"{"keys":[\#(try publicJWK(other, kid: "old")),\#(try publicJWK(registeredKey, kid: "k-2026"))]}"#)
        let response = await environment.postAssertion(try assertion(signedWith: registeredKey, kid: "k-2026").build())
        let (_, claims) = try await environment.verifiedToken(response)
        XCTAssertEqual(claims["client_id"]?.stringValue, "jwks-app")
        let stored = try await environment.store.clientKeys(clientID: "jwks-app")
        XCTAssertEqual(stored.map(\.keyID), ["k-2026", "old"])
    }

    func testUnknownKidIsInvalidClient() async throws {
        try await register(#"{"keys":[\#(try publicJWK(registeredKey, kid: "k-2026"))]}"#)
        let response = await environment.postAssertion(try assertion(signedWith: registeredKey, kid: "k-other").build())
        TokenTestEnvironment.assertError(response, "invalid_client")
        let reason = try await environment.lastAuditReason()
        XCTAssertEqual(reason, "invalid_client.assertion_unknown_kid")
    }

    func testRegisteredKidWithTheWrongKeyFailsTheSignature() async throws {
        try await register(#"{"keys":[\#(try publicJWK(registeredKey, kid: "k-2026"))]}"#)
        let response = await environment.postAssertion(try assertion(signedWith: P256.Signing.PrivateKey(), kid: "k-2026").build())
        TokenTestEnvironment.assertError(response, "invalid_client")
    }

    func testEmbeddedJWKAndJKUAreNeverUsed() async throws {
        try await register(#"{"keys":[\#(try publicJWK(registeredKey, kid: "k-2026"))]}"#)
        let attacker = P256.Signing.PrivateKey()
        var builder = assertion(signedWith: attacker, kid: "attacker")
        let embedded = try XCTUnwrap(try StrictJSONParser.parseObject(Array(try publicJWK(attacker, kid: "attacker").utf8)))
        builder[header: "jwk"] = .object(embedded)
        builder[header: "jku"] = .string("https://attacker.example/jwks.json")
        TokenTestEnvironment.assertError(await environment.postAssertion(try builder.build()), "invalid_client")
        // Without a kid the only registered key is the candidate, and it does not verify the attacker's signature.
        var unnamed = assertion(signedWith: attacker, kid: nil)
        unnamed[header: "jwk"] = .object(embedded)
        TokenTestEnvironment.assertError(await environment.postAssertion(try unnamed.build()), "invalid_client")
    }

    func testKeySetWithAPrivateMemberIsRefusedAtRegistration() throws {
        let privateScalar = Base64URL.encode(Array(registeredKey.rawRepresentation))
        var jwk = try publicJWK(registeredKey, kid: "k-2026")
        jwk.removeLast()
        jwk += #","d":"\#(privateScalar)"}"#
        XCTAssertThrowsError(try ClientJSONWebKey.keySet(clientID: "jwks-app", jwksBytes: Array(#"{"keys":[\#(jwk)]}"#.utf8))) { error in
            let description = "\(error)"
            XCTAssertTrue(description.contains("private member 'd'"), description)
            XCTAssertFalse(description.contains(privateScalar), "the private value is never echoed")
        }
        // A symmetric key, a key without kid, and something that is not a set are refused too.
        XCTAssertThrowsError(try ClientJSONWebKey.keySet(clientID: "jwks-app", jwksBytes: Array(#"{"keys":[{"kty":"oct","kid":"h","k":"c2VjcmV0"}]}"#.utf8)))
        let noKid = try JSONWebKey(material: .p256(registeredKey.publicKey)).publicJSON()
        XCTAssertThrowsError(try ClientJSONWebKey.keySet(clientID: "jwks-app", jwksBytes: Array(#"{"keys":[\#(noKid)]}"#.utf8)))
        XCTAssertThrowsError(try ClientJSONWebKey.keySet(clientID: "jwks-app", jwksBytes: Array(#"[]"#.utf8)))
    }

    func testKeysBelongToAnExistingClientAndLeaveWithIt() async throws {
        let keys = try ClientJSONWebKey.keySet(clientID: "ghost", jwksBytes: Array(#"{"keys":[\#(try publicJWK(registeredKey, kid: "k"))]}"#.utf8))
        do {
            try await environment.store.replaceClientKeys(clientID: "ghost", with: keys)
            XCTFail("keys for an unknown client were stored")
        } catch {
            XCTAssertEqual(error as? RegistrationStoreError, .unknownClient("ghost"))
        }
        try await register(#"{"keys":[\#(try publicJWK(registeredKey, kid: "k"))]}"#)
        try await environment.store.removeClient(id: "jwks-app")
        let remaining = try await environment.store.clientKeys(clientID: "jwks-app")
        XCTAssertEqual(remaining, [])
    }
}
