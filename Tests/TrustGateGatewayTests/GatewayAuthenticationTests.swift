import Crypto
import Foundation
import TrustGateAuth
import TrustGateConfiguration
import TrustGateJOSE
import TrustGateX509
import XCTest
@testable import TrustGateGateway

/// Routes' `auth` over real TLS with curl: Basic, API keys, bearer JWTs (signed here, keys given to the
/// gateway as a JWKS file), certificates, combined requirements, principal headers and their spoofing,
/// insecure transport. Configurations are written as YAML and go through the loader, as an operator's would.
final class GatewayAuthenticationTests: XCTestCase {
    var pki: GatewayTestPKI!
    let tokenKey = P256.Signing.PrivateKey()
    let issuer = "https://login.test.example/tenant/v2.0"

    override func setUpWithError() throws {
        try XCTSkipUnless(Curl.isAvailable, "curl is not installed")
        pki = try GatewayTestPKI()
    }

    override func tearDown() {
        pki?.remove()
    }

    // MARK: - Fixtures

    private func schemesYAML() throws -> String {
        let password = try SecretHash.create(for: Array("correct horse".utf8), algorithm: .pbkdf2SHA256(iterations: 100_000))
        let apiKey = try SecretHash.create(for: Array("k3y-for-b2c".utf8), algorithm: .sha256)
        let jwk = try JWSSigningKey.p256(tokenKey).publicJWK(keyID: "key-1", algorithm: .es256)
        let jwksFile = pki.directory + "/jwks.json"
        try #"{"keys":[\#(try jwk.publicJSON())]}"#.write(toFile: jwksFile, atomically: true, encoding: .utf8)
        return """
        auth_schemes:
          staff: { type: basic, realm: "Loyalty API", users: { connector: "\(password.encoded)" } }
          functions: { type: api_key, header: x-functions-key, keys: { b2c: "\(apiKey.encoded)" } }
          entra:
            type: jwt
            issuer: \(issuer)
            audience: api://loyalty
            jwks_file: \(jwksFile)
            algorithms: [ES256]
            token_types: [JWT]
        """
    }

    /// A gateway with one TLS listener (`mode`) and the given routes (YAML list items, indented by 2).
    private func gateway(mode: String = "optional", routes: String, plainListener: Bool = false, trustedProxies: Bool = false) async throws -> GatewayHarness {
        let schemes = try schemesYAML()
        return try await GatewayHarness(pki: pki) { configuration, upstreamPort in
            let listener: String
            if plainListener {
                listener = """
                  - name: plain
                    address: 127.0.0.1:0
                \(trustedProxies ? "    trusted_proxies: { addresses: [127.0.0.1] }\n" : "")    hosts:
                      - names: [localhost, 127.0.0.1]
                """
            } else {
                let policy = mode == "ignore" ? "" : "\n          policy: { trust: { anchors: [\(pki.caFile)] } }"
                listener = """
                  - name: tls
                    address: 127.0.0.1:0
                    tls: true
                    hosts:
                      - names: [localhost, 127.0.0.1]
                        certificate: \(pki.server.chainFile)
                        key: \(pki.server.keyFile)
                        client_certificate:
                          mode: \(mode)\(policy)
                """
            }
            let yaml = """
            listeners:
            \(listener)
            upstreams:
              echo: { url: "http://127.0.0.1:\(upstreamPort)" }
            \(schemes)
            routes:
            \(routes)
            access_log: off
            """
            let path = pki.directory + "/gateway-\(UUID().uuidString).yaml"
            try yaml.write(toFile: path, atomically: true, encoding: .utf8)
            configuration = try GatewayConfigurationLoader.load(contentsOfFile: path, environment: [:])
        }
    }

    private func token(_ claims: [String: JSONValue], typ: String = "JWT", kid: String = "key-1", key: P256.Signing.PrivateKey? = nil) throws -> String {
        let now = Int64(Date().timeIntervalSince1970)
        var all: [(String, JSONValue)] = [
            ("iss", .string(issuer)), ("aud", "api://loyalty"), ("sub", "client-app"), ("azp", "client-app"),
            ("iat", .integer(now - 10)), ("nbf", .integer(now - 10)), ("exp", .integer(now + 600)),
        ]
        for (name, value) in claims.sorted(by: { $0.key < $1.key }) {
            all.removeAll { $0.0 == name }
            all.append((name, value))
        }
        let header = JWSHeader(algorithm: .es256, keyID: kid, type: typ)
        return try JWSSigner(key: .p256(key ?? tokenKey)).sign(claims: JSONObject(all), header: header)
    }

    private func get(_ harness: GatewayHarness, _ path: String = "/api", certificate: Bool = false, headers: [String] = [], scheme: String = "https") throws -> CurlResult {
        try Curl.request(
            path, port: harness.port, pki: pki, credential: certificate ? pki.client : nil, scheme: scheme,
            extra: headers.flatMap { ["-H", $0] })
    }

    /// Runs `body`, then stops the gateway whether or not it threw.
    private func using(_ harness: GatewayHarness, _ body: () throws -> Void) async throws {
        do {
            try body()
        } catch {
            await harness.stop()
            throw error
        }
        await harness.stop()
    }

    // MARK: - Basic and API keys

    func testBasicOrAPIKey() async throws {
        let harness = try await gateway(routes: """
          - { name: api, path: /api, upstream: echo, auth: { any_of: [staff, functions] }, principal_headers: true }
        """)
        try await using(harness) {

            let basic = try get(harness, headers: ["Authorization: Basic " + Data("connector:correct horse".utf8).base64EncodedString()])
            XCTAssertEqual(basic.status, 200, basic.body)
            XCTAssertEqual(basic.upstreamHeaders["x-trustgate-principal"], ["connector"])
            XCTAssertEqual(basic.upstreamHeaders["x-trustgate-auth-method"], ["basic"])
            XCTAssertNil(basic.upstreamHeaders["authorization"], "consumed credentials are not forwarded by default")

            let key = try get(harness, headers: ["x-functions-key: k3y-for-b2c"])
            XCTAssertEqual(key.status, 200, key.body)
            XCTAssertEqual(key.upstreamHeaders["x-trustgate-principal"], ["b2c"])
            XCTAssertNil(key.upstreamHeaders["x-functions-key"])

            let wrong = try get(harness, headers: ["Authorization: Basic " + Data("connector:wrong".utf8).base64EncodedString()])
            XCTAssertEqual(wrong.status, 401)
            XCTAssertEqual(wrong.json?["reason"] as? String, "invalid_credentials")
            XCTAssertTrue(wrong.headers.contains(#"Basic realm="Loyalty API", charset="UTF-8""#), wrong.headers)
            XCTAssertFalse(wrong.body.contains("wrong"), "the presented secret is never echoed")

            let none = try get(harness)
            XCTAssertEqual(none.status, 401)
            XCTAssertEqual(none.json?["reason"] as? String, "authentication_required")
            XCTAssertTrue(none.headers.lowercased().contains("www-authenticate: basic realm="), none.headers)
            XCTAssertTrue(none.headers.contains("application/problem+json"), none.headers)

            let badKey = try get(harness, headers: ["x-functions-key: nope"])
            XCTAssertEqual(badKey.status, 401)
        }
    }

    func testUnderscoreSpellingsOfPrincipalAndCredentialHeadersAreRemovedEvenWhenUnderscoresAreAllowed() async throws {
        let harness = try await gateway(routes: """
          - name: api
            path: /api
            upstream: echo
            auth: functions
            underscores_in_headers: true
            principal_headers: { name: X-Caller, roles: X-Caller-Roles, method: null }
        """)
        try await using(harness) {
            let result = try get(harness, headers: [
                "x-functions-key: k3y-for-b2c", "X_Caller: admin", "x_caller_roles: everything", "X_Functions_Key: other", "X_App_Flag: kept",
            ])
            XCTAssertEqual(result.status, 200, result.body)
            XCTAssertEqual(result.upstreamHeaders["x-caller"], ["b2c"])
            for name in ["x_caller", "x_caller_roles", "x_functions_key"] {
                XCTAssertNil(result.upstreamHeaders[name], "\(name) would read as the gateway's header in a CGI-style app")
            }
            XCTAssertEqual(result.upstreamHeaders["x_app_flag"], ["kept"], "the route allows underscores")
            // An underscore spelling is not the API key header either.
            let underscoreKey = try get(harness, headers: ["x_functions_key: k3y-for-b2c"])
            XCTAssertEqual(underscoreKey.status, 401, underscoreKey.body)
        }
    }

    func testSpoofedPrincipalHeadersAreRemoved() async throws {
        let harness = try await gateway(routes: """
          - name: api
            path: /api
            upstream: echo
            auth: functions
            principal_headers: { name: X-Caller, roles: X-Caller-Roles, method: null }
        """)
        try await using(harness) {
            let result = try get(harness, headers: [
                "x-functions-key: k3y-for-b2c", "X-Caller: admin", "X-Caller-Roles: everything", "X-TrustGate-Principal: admin",
            ])
            XCTAssertEqual(result.status, 200, result.body)
            XCTAssertEqual(result.upstreamHeaders["x-caller"], ["b2c"], "the client's copy is replaced by the gateway's")
            XCTAssertNil(result.upstreamHeaders["x-caller-roles"], "an API key has no roles: the spoofed value must not survive")
            XCTAssertNil(result.upstreamHeaders["x-trustgate-principal"])
        }
    }

    func testForwardCredentialsKeepsTheHeader() async throws {
        let harness = try await gateway(routes: """
          - { name: api, path: /api, upstream: echo, auth: functions, forward_credentials: true }
        """)
        try await using(harness) {
            let result = try get(harness, headers: ["x-functions-key: k3y-for-b2c"])
            XCTAssertEqual(result.status, 200)
            XCTAssertEqual(result.upstreamHeaders["x-functions-key"], ["k3y-for-b2c"])
        }
    }

    // MARK: - Bearer tokens and certificates

    /// Seed 004: certificate AND a token with role service-api issued to a client that used a certificate.
    func testCertificateAndBearerWithRoleAndAzpacr() async throws {
        let harness = try await gateway(routes: """
          - name: api
            path: /api
            upstream: echo
            auth:
              all_of:
                - certificate
                - { scheme: entra, roles: [service-api], claims: { azpacr: "2" } }
            principal_headers: true
        """)
        try await using(harness) {
            let good = try token(["roles": .array(["service-api"]), "azpacr": "2"])

            let ok = try get(harness, certificate: true, headers: ["Authorization: Bearer \(good)"])
            XCTAssertEqual(ok.status, 200, ok.body)
            XCTAssertEqual(ok.upstreamHeaders["x-trustgate-auth-method"], ["certificate,jwt"])
            XCTAssertEqual(ok.upstreamHeaders["x-trustgate-roles"], ["service-api"])
            XCTAssertEqual(ok.upstreamHeaders["x-trustgate-client-id"], ["client-app"])
            XCTAssertNotNil(ok.upstreamHeaders["x-arr-clientcert"], "the certificate is still forwarded")

            let noCertificate = try get(harness, headers: ["Authorization: Bearer \(good)"])
            XCTAssertEqual(noCertificate.status, 403)
            XCTAssertEqual(noCertificate.json?["reason"] as? String, "no_certificate")

            let secretClient = try token(["roles": .array(["service-api"]), "azpacr": "1"])
            let weak = try get(harness, certificate: true, headers: ["Authorization: Bearer \(secretClient)"])
            XCTAssertEqual(weak.status, 403)
            XCTAssertEqual(weak.json?["reason"] as? String, "insufficient_scope")
            XCTAssertTrue(weak.headers.contains(#"error="insufficient_scope""#), weak.headers)

            let noRole = try get(harness, certificate: true, headers: ["Authorization: Bearer \(try token(["azpacr": "2"]))"])
            XCTAssertEqual(noRole.status, 403)

            let expired = try token(["roles": .array(["service-api"]), "azpacr": "2", "exp": .integer(Int64(Date().timeIntervalSince1970) - 300)])
            let late = try get(harness, certificate: true, headers: ["Authorization: Bearer \(expired)"])
            XCTAssertEqual(late.status, 401)
            XCTAssertTrue(late.headers.contains(#"error="invalid_token""#), late.headers)

            let forged = try token(["roles": .array(["service-api"]), "azpacr": "2"], key: P256.Signing.PrivateKey())
            XCTAssertEqual(try get(harness, certificate: true, headers: ["Authorization: Bearer \(forged)"]).status, 401)

            let unknownKid = try token(["roles": .array(["service-api"]), "azpacr": "2"], kid: "key-2")
            XCTAssertEqual(try get(harness, certificate: true, headers: ["Authorization: Bearer \(unknownKid)"]).status, 401)

            let wrongType = try token(["roles": .array(["service-api"]), "azpacr": "2"], typ: "id_token+jwt")
            XCTAssertEqual(try get(harness, certificate: true, headers: ["Authorization: Bearer \(wrongType)"]).status, 401)

            let noToken = try get(harness, certificate: true)
            XCTAssertEqual(noToken.status, 401)
            XCTAssertTrue(noToken.headers.lowercased().contains("www-authenticate: bearer realm="), noToken.headers)
            XCTAssertFalse(noToken.headers.contains("error="), "RFC 6750 §3.1: no error code when no token was sent")

            let twoHeaders = try get(harness, certificate: true, headers: ["Authorization: Bearer \(good)", "Authorization: Bearer \(good)"])
            XCTAssertEqual(twoHeaders.status, 400)
        }
    }

    /// RFC 8705: a token bound to a certificate (`cnf.x5t#S256`) only works on a connection with that certificate.
    func testCertificateBoundToken() async throws {
        let harness = try await gateway(routes: """
          - { name: api, path: /api, upstream: echo, auth: entra }
        """)
        try await using(harness) {
            let thumbprint = Base64URL.encode(Array(SHA256.hash(data: pki.client.leafDER)))
            let bound = try token(["cnf": .object(["x5t#S256": .string(thumbprint)])])
            XCTAssertEqual(try get(harness, certificate: true, headers: ["Authorization: Bearer \(bound)"]).status, 200)
            XCTAssertEqual(try get(harness, headers: ["Authorization: Bearer \(bound)"]).status, 401, "no certificate on the connection")
            let other = try Curl.request(
                "/api", port: harness.port, pki: pki, credential: pki.secondClient, extra: ["-H", "Authorization: Bearer \(bound)"])
            XCTAssertEqual(other.status, 401, "another certificate than the one the token is bound to")
        }
    }

    func testARouteWithoutAuthIsUnaffected() async throws {
        let harness = try await gateway(routes: """
          - { name: api, path: /api, upstream: echo, auth: staff }
          - { name: open, path: /, upstream: echo }
        """)
        try await using(harness) {
            XCTAssertEqual(try get(harness, "/other").status, 200)
            XCTAssertEqual(try get(harness, "/api").status, 401)
        }
    }

    // MARK: - Plain HTTP

    func testCredentialsOverPlainHTTP() async throws {
        let insecure = try await gateway(routes: """
          - { name: api, path: /api, upstream: echo, auth: functions, allow_insecure_auth: true }
        """, plainListener: true)
        let allowed = try get(insecure, headers: ["x-functions-key: k3y-for-b2c"], scheme: "http")
        await insecure.stop()
        XCTAssertEqual(allowed.status, 200, allowed.body)

        let proxied = try await gateway(routes: """
          - { name: api, path: /api, upstream: echo, auth: functions }
        """, plainListener: true, trustedProxies: true)
        try await using(proxied) {
            let viaTLSProxy = try get(proxied, headers: ["x-functions-key: k3y-for-b2c", "X-Forwarded-Proto: https"], scheme: "http")
            XCTAssertEqual(viaTLSProxy.status, 200, viaTLSProxy.body)
            let viaPlainProxy = try get(proxied, headers: ["x-functions-key: k3y-for-b2c", "X-Forwarded-Proto: http"], scheme: "http")
            XCTAssertEqual(viaPlainProxy.status, 403)
            XCTAssertEqual(viaPlainProxy.json?["reason"] as? String, "insecure_transport")
        }
    }

    func testPlainHTTPWithoutAllowanceIsAConfigurationError() async throws {
        do {
            let harness = try await gateway(routes: """
              - { name: api, path: /api, upstream: echo, auth: functions }
            """, plainListener: true)
            await harness.stop()
            XCTFail("a route taking keys over plain HTTP without allow_insecure_auth must be refused")
        } catch let error as ConfigurationError {
            XCTAssertTrue(error.description.contains("allow_insecure_auth"), error.description)
        }
    }

    func testConfigurationMistakes() async throws {
        func refuses(_ routes: String, mode: String = "optional", _ expected: String, line: UInt = #line) async {
            do {
                let harness = try await gateway(mode: mode, routes: routes)
                await harness.stop()
                XCTFail("accepted: \(routes)", line: line)
            } catch {
                XCTAssertTrue("\(error)".contains(expected), "\(error)", line: line)
            }
        }
        await refuses("  - { name: api, upstream: echo, auth: nobody }", "nobody")
        await refuses("  - { name: api, upstream: echo, principal_headers: true }", "has none")
        await refuses("  - { name: api, upstream: echo, auth: staff, principal_headers: { name: Authorization } }", "credential")
        await refuses("  - { name: api, upstream: echo, auth: staff, principal_headers: { name: Host } }", "manages")
        await refuses("  - { name: api, upstream: echo, auth: staff, principal_headers: { name: X_Caller } }", "contains '_'")
        await refuses("  - { name: api, upstream: echo, auth: { all_of: [certificate, staff] } }", mode: "ignore", "only be satisfied with a client certificate")
    }

    func testCheckConfigExplainsTheRequirement() async throws {
        let harness = try await gateway(routes: """
          - name: api
            path: /api
            upstream: echo
            auth: { all_of: [certificate, { scheme: entra, roles: [service-api], claims: { azpacr: "2" } }] }
        """)
        await harness.stop()
        let schemes = try schemesYAML()
        let path = pki.directory + "/explain.yaml"
        try """
        listeners:
          - { name: tls, address: "127.0.0.1:0", tls: true, hosts: [{ names: [localhost], certificate: \(pki.server.chainFile), key: \(pki.server.keyFile), client_certificate: { mode: optional, policy: { trust: { anchors: [\(pki.caFile)] } } } }] }
        upstreams: { echo: { url: "http://127.0.0.1:9" } }
        \(schemes)
        routes:
          - { name: api, upstream: echo, auth: { all_of: [certificate, { scheme: entra, roles: [service-api], claims: { azpacr: "2" } }] } }
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let configuration = try GatewayConfigurationLoader.load(contentsOfFile: path, environment: [:])
        let text = GatewayConfigurationExplanation.explain(configuration)
        XCTAssertTrue(text.contains("Authentication: a client certificate AND"), text)
        XCTAssertTrue(text.contains("service-api"), text)
        XCTAssertTrue(text.contains("azpacr"), text)
        let warnings = GatewayConfigurationExplanation.warnings(configuration)
        XCTAssertTrue(warnings.contains { $0.contains("auth scheme 'staff' is not used") }, "\(warnings)")
    }
}
