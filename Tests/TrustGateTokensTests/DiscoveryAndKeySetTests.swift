import _CryptoExtras
import Foundation
import TrustGateJOSE
import TrustGateStore
import TrustGateTokens
import XCTest

/// Discovery (DS-1 … DS-3), the JWKS (JK-1 … JK-5) and the authorization endpoint stub, through `TokenService.handle`.
/// The same documents over HTTPS are fetched in TokenServiceHTTPSTests.
final class DiscoveryAndKeySetTests: XCTestCase {
    private var environment: TokenTestEnvironment!

    override func setUp() async throws {
        environment = try await TokenTestEnvironment()
    }

    override func tearDown() async throws {
        await environment?.close()
    }

    private var urls: TokenServiceURLs { environment.settings.urls }

    // MARK: DS-1

    func testDS1AllThreeDiscoveryPathsServeTheSameIssuer() async throws {
        XCTAssertEqual(urls.openIDConfigurationPath, "/tenant-a/.well-known/openid-configuration")
        XCTAssertEqual(urls.authorizationServerMetadataPath, "/.well-known/oauth-authorization-server/tenant-a")
        XCTAssertEqual(urls.entraOpenIDConfigurationPath, "/tenant-a/v2.0/.well-known/openid-configuration")
        for path in [urls.openIDConfigurationPath, urls.authorizationServerMetadataPath, urls.entraOpenIDConfigurationPath] {
            let response = await environment.get(path)
            XCTAssertEqual(response.status, 200, path)
            XCTAssertEqual(try TokenTestEnvironment.json(response)["issuer"]?.stringValue, "https://127.0.0.1:8443/tenant-a", path)
        }
    }

    func testDS1UnknownPathsAreNotServed() async throws {
        let wrongTenant = await environment.get("/tenant-b/.well-known/openid-configuration")
        XCTAssertEqual(wrongTenant.status, 404)
        XCTAssertNil(environment.service.endpoint(forPath: "/.well-known/openid-configuration"))
        XCTAssertEqual(environment.service.endpoint(forPath: urls.tokenPath + "?x=1"), .token)
    }

    func testDS1IssuerWithoutPath() async throws {
        let rootIssuer = try await TokenTestEnvironment(issuer: "https://auth.example.com/")
        defer { Task { await rootIssuer.close() } }
        XCTAssertEqual(rootIssuer.settings.urls.issuer, "https://auth.example.com")
        XCTAssertEqual(rootIssuer.settings.urls.authorizationServerMetadataPath, "/.well-known/oauth-authorization-server")
        let response = await rootIssuer.get("/.well-known/openid-configuration")
        XCTAssertEqual(try TokenTestEnvironment.json(response)["token_endpoint"]?.stringValue, "https://auth.example.com/oauth2/v2.0/token")
    }

    // MARK: DS-2 / DS-3

    func testDS2DS3RequiredMembers() async throws {
        let document = try TokenTestEnvironment.json(await environment.get(urls.openIDConfigurationPath))
        XCTAssertEqual(document["token_endpoint"]?.stringValue, "https://127.0.0.1:8443/tenant-a/oauth2/v2.0/token")
        XCTAssertEqual(document["jwks_uri"]?.stringValue, "https://127.0.0.1:8443/tenant-a/discovery/v2.0/keys")
        XCTAssertEqual(document["authorization_endpoint"]?.stringValue, "https://127.0.0.1:8443/tenant-a/oauth2/v2.0/authorize")
        XCTAssertEqual(document["grant_types_supported"], ["client_credentials"])
        XCTAssertNotNil(document["response_types_supported"]?.arrayValue)
        XCTAssertEqual(document["subject_types_supported"], ["public"])
        XCTAssertEqual(document["id_token_signing_alg_values_supported"], ["RS256"])
        XCTAssertEqual(document["tls_client_certificate_bound_access_tokens"], true)
        let methods = try XCTUnwrap(document["token_endpoint_auth_methods_supported"]?.arrayValue).compactMap(\.stringValue)
        XCTAssertEqual(Set(methods), ["client_secret_basic", "client_secret_post", "private_key_jwt", "tls_client_auth", "self_signed_tls_client_auth"])
        let algorithms = try XCTUnwrap(document["token_endpoint_auth_signing_alg_values_supported"]?.arrayValue).compactMap(\.stringValue)
        XCTAssertTrue(Set(["RS256", "PS256", "ES256"]).isSubset(of: Set(algorithms)))
        XCTAssertFalse(algorithms.contains("none"))
        XCTAssertFalse(algorithms.contains { $0.hasPrefix("HS") })
        // MSAL (DS-3): https, and at least one path segment in the authority and the token endpoint.
        for member in ["issuer", "token_endpoint", "authorization_endpoint", "jwks_uri"] {
            let url = try XCTUnwrap(URL(string: try XCTUnwrap(document[member]?.stringValue)))
            XCTAssertEqual(url.scheme, "https")
            XCTAssertFalse(url.path.isEmpty || url.path == "/", member)
        }
    }

    func testDS2HS256NeverAdvertisedEvenIfConfigured() async throws {
        let configured = try await TokenTestEnvironment { $0.assertionAlgorithms = [.rs256, .hs256] }
        defer { Task { await configured.close() } }
        let document = try TokenTestEnvironment.json(await configured.get(configured.settings.urls.openIDConfigurationPath))
        XCTAssertEqual(document["token_endpoint_auth_signing_alg_values_supported"], ["RS256"])
    }

    func testDS2IssuerMustBeHTTPSWithoutQuery() throws {
        XCTAssertThrowsError(try TokenServiceSettings(issuer: "http://127.0.0.1/t"))
        XCTAssertThrowsError(try TokenServiceSettings(issuer: "https://127.0.0.1/t?x=1"))
        XCTAssertThrowsError(try TokenServiceSettings(issuer: "https://127.0.0.1/t#f"))
        XCTAssertThrowsError(try TokenServiceSettings(issuer: "https:///t"))
        XCTAssertNoThrow(try TokenServiceSettings(issuer: "https://login.example.com:8443/72f988bf-86f1-41af-91ab-2d7cd011db47"))
    }

    func testDiscoveryRefusesWrites() async throws {
        let response = await environment.service.handle(TokenRequest(method: "POST", path: urls.openIDConfigurationPath, isSecureTransport: true))
        XCTAssertEqual(response.status, 405)
    }

    // MARK: Authorization endpoint

    func testAuthorizationEndpointAnswersUnsupportedResponseType() async throws {
        let response = await environment.get(urls.authorizationPath + "?response_type=code&client_id=x&redirect_uri=https://evil.example")
        XCTAssertEqual(response.status, 400)
        XCTAssertEqual(try TokenTestEnvironment.json(response)["error"]?.stringValue, "unsupported_response_type")
        XCTAssertNil(response.header("Location"), "never redirects to an unregistered redirect_uri")
    }

    // MARK: JK-1 … JK-5

    func testJK1JK2PublicMembersCertificateAndThumbprint() async throws {
        let response = await environment.get(urls.jwksPath)
        XCTAssertEqual(response.status, 200)
        let document = try TokenTestEnvironment.json(response)
        let keys = try XCTUnwrap(document["keys"]?.arrayValue).compactMap(\.objectValue)
        XCTAssertEqual(keys.count, 1)
        let key = try XCTUnwrap(keys.first)
        XCTAssertEqual(key["kty"]?.stringValue, "RSA")
        XCTAssertEqual(key["use"]?.stringValue, "sig")
        XCTAssertEqual(key["alg"]?.stringValue, "RS256")
        XCTAssertNotNil(key["kid"]?.stringValue)
        for secret in ["d", "p", "q", "dp", "dq", "qi", "k"] { XCTAssertNil(key[secret], secret) }
        let chain = try XCTUnwrap(key["x5c"]?.arrayValue).compactMap(\.stringValue)
        let leaf = try XCTUnwrap(Base64Standard.decode(try XCTUnwrap(chain.first)))
        XCTAssertEqual(key["x5t#S256"]?.stringValue, CertificateThumbprint.sha256(certificateDER: leaf))
        // The certificate holds the JWK's key (JSONWebKey checks it when parsing).
        XCTAssertNoThrow(try JSONWebKey(jsonObject: key))
    }

    func testJK1KeyIDsAreUniqueAcrossRotation() async throws {
        for _ in 0..<2 {
            _ = try await SigningKeyRotation(publishDelay: 3600).rotate(in: environment.store, algorithm: .es256, storeKey: environment.storeKey)
        }
        let keys = try JSONWebKeySet(jsonBytes: await environment.get(urls.jwksPath).body).keys
        XCTAssertEqual(keys.count, 3)
        XCTAssertEqual(Set(keys.compactMap(\.keyID)).count, 3)
    }

    func testJK3KeyIsPublishedBeforeItSigns() async throws {
        let before = try await environment.store.currentSigningKey(at: Date())
        let result = try await SigningKeyRotation(publishDelay: 3600).rotate(in: environment.store, algorithm: .rs256, storeKey: environment.storeKey)
        let published = try JSONWebKeySet(jsonBytes: await environment.get(urls.jwksPath).body).keys.compactMap(\.keyID)
        XCTAssertTrue(published.contains(result.newKey.keyID), "the next key is in the JWKS already")
        // …but the old key still signs until the new one is active.
        try await environment.addClient("app", methods: [.clientSecretBasic])
        let secret = try await environment.addSecret("app")
        let response = await environment.post(
            [("grant_type", "client_credentials"), ("scope", TokenTestEnvironment.resourceScope)], authorization: [TokenTestEnvironment.basic("app", secret)])
        let (header, _) = try await environment.verifiedToken(response)
        XCTAssertEqual(header.keyID, before?.keyID)
        XCTAssertNotEqual(header.keyID, result.newKey.keyID)
    }

    func testJK4CacheControlMaxAge() async throws {
        let response = await environment.get(urls.jwksPath)
        XCTAssertEqual(response.header("Cache-Control"), "public, max-age=3600")
        let custom = try await TokenTestEnvironment { $0.jwksCacheTime = 600 }
        defer { Task { await custom.close() } }
        let customResponse = await custom.get(custom.settings.urls.jwksPath)
        XCTAssertEqual(customResponse.header("Cache-Control"), "public, max-age=600")
    }

    func testJK5PrivateKeysAreSealedAndRSAKeysAreLargeEnough() async throws {
        let keys = try await environment.store.signingKeys()
        for key in keys {
            let material = try key.publicMaterial()
            if case .rsa(let rsa) = material { XCTAssertGreaterThanOrEqual(rsa.keySizeInBits, 2048) }
            // The sealed private half does not open with another store key.
            XCTAssertThrowsError(try key.privateKey(using: KeyEncryptionKey.generate()))
        }
        // A service given the wrong store key cannot sign (and says so as a server error, not a crash).
        let wrongKey = try TokenService(settings: environment.settings, store: environment.store, storeKey: KeyEncryptionKey.generate())
        try await environment.addClient("app", methods: [.clientSecretBasic])
        let secret = try await environment.addSecret("app")
        let response = await wrongKey.handle(TokenRequest(
            method: "POST", path: urls.tokenPath, contentType: "application/x-www-form-urlencoded",
            authorization: [TokenTestEnvironment.basic("app", secret)],
            body: Array("grant_type=client_credentials&scope=api%3A%2F%2Forders%2F.default".utf8), isSecureTransport: true))
        TokenTestEnvironment.assertError(response, "server_error", status: 500)
    }
}
