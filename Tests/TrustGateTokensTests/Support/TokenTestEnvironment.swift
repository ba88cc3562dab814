import Foundation
import TrustGateAuth
import TrustGateJOSE
import TrustGateStore
import TrustGateTokens
import TrustGateX509
import X509
import XCTest

/// A token service over a fresh SQLite store in a temporary directory, with helpers to register resources and
/// clients, send token requests through `TokenService.handle`, and verify issued tokens against the served JWKS.
final class TokenTestEnvironment: @unchecked Sendable {
    let directory: String
    let store: SQLiteRegistrationStore
    let storeKey: KeyEncryptionKey
    let service: TokenService
    var settings: TokenServiceSettings { service.settings }

    static let defaultIssuer = "https://127.0.0.1:8443/tenant-a"
    static let resourceID = "api://orders"
    static let resourceScope = "api://orders/.default"

    init(
        issuer: String = TokenTestEnvironment.defaultIssuer,
        tokenAlgorithm: SigningKeyAlgorithm = .rs256,
        configure: (inout TokenServiceSettings) -> Void = { _ in }
    ) async throws {
        directory = NSTemporaryDirectory() + "trustgate-tokens-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        store = try SQLiteRegistrationStore(path: directory + "/store.sqlite")
        storeKey = KeyEncryptionKey.generate()
        var settings = try TokenServiceSettings(issuer: issuer)
        settings.accessTokenAlgorithm = tokenAlgorithm
        settings.signingKeyRefreshInterval = 0
        configure(&settings)
        try await TokenSigningKeys.ensureSigningKey(in: store, algorithm: tokenAlgorithm, storeKey: storeKey)
        service = try TokenService(settings: settings, store: store, storeKey: storeKey)
        try await store.addResource(try Resource(identifier: Self.resourceID, name: "Orders", appRoles: ["orders.read", "orders.write"]))
    }

    func close() async {
        await store.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    // MARK: - Registration

    @discardableResult
    func addClient(
        _ id: String,
        methods: Set<ClientAuthenticationMethod>,
        roles: [String] = ["orders.read"],
        allowAssertionReuse: Bool = false,
        certificateBound: Bool = false,
        assertionAlgorithm: JWSAlgorithm? = nil,
        enabled: Bool = true,
        lifetime: Int = 3600
    ) async throws -> Client {
        let client = try Client(
            id: id, name: id, enabled: enabled, authenticationMethods: methods, tokenLifetime: try TokenLifetime(seconds: lifetime),
            allowAssertionReuse: allowAssertionReuse, certificateBoundAccessTokens: certificateBound,
            assertionSigningAlgorithm: assertionAlgorithm)
        try await store.addClient(client)
        if !roles.isEmpty { try await store.grantRoles(clientID: id, resource: Self.resourceID, roles: roles) }
        return client
    }

    /// A new secret for the client (a cheap hash: tests verify many times).
    func addSecret(_ clientID: String, value: String? = nil, expiresAt: Date? = nil) async throws -> String {
        let secret = value ?? "s3cr3t-\(UUID().uuidString)"
        let hash = try SecretHash.create(for: Array(secret.utf8), algorithm: .pbkdf2SHA256(iterations: 100_000))
        try await store.addSecret(try ClientSecret(clientID: clientID, hash: hash, hint: String(secret.prefix(3)), createdAt: Date().addingTimeInterval(-60), expiresAt: expiresAt))
        return secret
    }

    func addCertificate(_ clientID: String, _ credential: TokenTestPKI.Credential) async throws {
        try await store.addCertificate(try ClientCertificate(clientID: clientID, derBytes: credential.der))
    }

    func addRule(
        _ clientID: String, anchors: [Certificate], subject: String? = nil, dns: [String] = [], uris: [String] = [],
        ips: [String] = [], emails: [String] = []
    ) async throws {
        try await store.addSubjectIssuerRule(try SubjectIssuerRule(
            clientID: clientID, trustAnchors: anchors, subject: try subject.map(SubjectIssuerRule.parseSubject),
            alternativeNames: try SubjectAlternativeNameMatchers(dnsNames: dns, uris: uris, ipAddresses: ips, emails: emails)))
    }

    // MARK: - Requests

    /// A form body from name/value pairs, each form-urlencoded.
    static func form(_ parameters: [(String, String)]) -> String {
        parameters.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._*")
        return (text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text).replacingOccurrences(of: "%20", with: "+")
    }

    func post(
        _ parameters: [(String, String)],
        authorization: [String] = [],
        certificate: ClientCertificateEvidence? = nil,
        contentType: String? = "application/x-www-form-urlencoded",
        secure: Bool = true,
        method: String = "POST"
    ) async -> TokenHTTPResponse {
        await post(body: Self.form(parameters), authorization: authorization, certificate: certificate, contentType: contentType, secure: secure, method: method)
    }

    func post(
        body: String,
        authorization: [String] = [],
        certificate: ClientCertificateEvidence? = nil,
        contentType: String? = "application/x-www-form-urlencoded",
        secure: Bool = true,
        method: String = "POST"
    ) async -> TokenHTTPResponse {
        await service.handle(TokenRequest(
            method: method, path: settings.urls.tokenPath, contentType: contentType, authorization: authorization,
            body: Array(body.utf8), clientCertificate: certificate, isSecureTransport: secure))
    }

    func get(_ path: String) async -> TokenHTTPResponse {
        await service.handle(TokenRequest(method: "GET", path: path, isSecureTransport: true))
    }

    /// Sends a private_key_jwt request with `assertion` for the default scope.
    func postAssertion(_ assertion: String, extra: [(String, String)] = [], certificate: ClientCertificateEvidence? = nil) async -> TokenHTTPResponse {
        await post([
            ("grant_type", "client_credentials"), ("scope", Self.resourceScope),
            ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"), ("client_assertion", assertion),
        ] + extra, certificate: certificate)
    }

    static func basic(_ id: String, _ secret: String) -> String {
        "Basic " + Data("\(encode(id)):\(encode(secret))".utf8).base64EncodedString()
    }

    static func evidence(_ credential: TokenTestPKI.Credential, fullChain: Bool = true) -> ClientCertificateEvidence {
        ClientCertificateEvidence(
            chain: PresentedCertificateChain(derCertificates: fullChain ? credential.chainDER : [credential.der]), source: .tlsConnection)
    }

    // MARK: - Responses

    func assertion(for clientID: String, _ credential: TokenTestPKI.Credential, algorithm: JWSAlgorithm? = nil) -> AssertionBuilder {
        let algorithm = algorithm ?? (credential.signingKey.isRSA ? .rs256 : .es256)
        var builder = AssertionBuilder(clientID: clientID, audience: settings.urls.tokenEndpoint, key: credential.signingKey, algorithm: algorithm)
        builder[header: "x5t#S256"] = .string(credential.x5tS256)
        return builder
    }

    /// The JSON body as an object (fails the test when it is not).
    static func json(_ response: TokenHTTPResponse, file: StaticString = #filePath, line: UInt = #line) throws -> JSONObject {
        let parsed = try StrictJSONParser.parseObject(response.body)
        return try XCTUnwrap(parsed, "body is not a JSON object: \(String(decoding: response.body, as: UTF8.self))", file: file, line: line)
    }

    /// The issued token verified with the service's own JWKS endpoint; returns header and claims.
    func verifiedToken(_ response: TokenHTTPResponse, file: StaticString = #filePath, line: UInt = #line) async throws -> (header: JWSHeader, claims: JSONObject) {
        XCTAssertEqual(response.status, 200, String(decoding: response.body, as: UTF8.self), file: file, line: line)
        let body = try Self.json(response, file: file, line: line)
        let token = try XCTUnwrap(body["access_token"]?.stringValue, file: file, line: line)
        let keySet = try JSONWebKeySet(jsonBytes: await get(settings.urls.jwksPath).body)
        let verified = try JWSVerifier.verify(token, keys: keySet.keys, allowedAlgorithms: [.rs256, .ps256, .es256])
        let claims = try XCTUnwrap(try StrictJSONParser.parseObject(verified.payload), file: file, line: line)
        return (verified.header, claims)
    }

    /// Asserts an OAuth error response: status, `error`, no-store headers, and for 401 a Basic challenge.
    static func assertError(
        _ response: TokenHTTPResponse, _ code: String, status: Int? = nil, file: StaticString = #filePath, line: UInt = #line
    ) {
        let expectedStatus = status ?? (code == "invalid_client" ? 401 : 400)
        XCTAssertEqual(response.status, expectedStatus, String(decoding: response.body, as: UTF8.self), file: file, line: line)
        let body = try? json(response, file: file, line: line)
        XCTAssertEqual(body?["error"]?.stringValue, code, String(decoding: response.body, as: UTF8.self), file: file, line: line)
        XCTAssertEqual(response.header("Cache-Control"), "no-store", file: file, line: line)
        XCTAssertEqual(response.header("Pragma"), "no-cache", file: file, line: line)
        if expectedStatus == 401 {
            XCTAssertTrue(response.header("WWW-Authenticate")?.hasPrefix("Basic realm=") ?? false, file: file, line: line)
        }
    }

    /// The reason code of the latest audit event.
    func lastAuditReason() async throws -> String? {
        try await store.latestAuditEvents(limit: 1, clientID: nil).first?.reason
    }

    func lastAudit() async throws -> AuditEvent? {
        try await store.latestAuditEvents(limit: 1, clientID: nil).first
    }
}

extension JWSSigningKey {
    var isRSA: Bool {
        if case .rsa = self { return true }
        return false
    }
}
