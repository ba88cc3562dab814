import Foundation
import NIOHTTP1
import TrustGateClient
import TrustGateConfiguration
import TrustGateJOSE
import TrustGateX509
import XCTest

/// Connector files: every option read into the typed configuration, and errors with file, line and key.
final class ConnectorConfigurationTests: XCTestCase {
    private func parse(_ yaml: String) throws -> ConnectorConfiguration {
        try ConnectorConfiguration.parse(ConfigurationNode.parse(yaml, file: "/etc/trustgate/loyalty.yaml"))
    }

    private func assertError(_ yaml: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try parse(yaml), file: file, line: line) { error in
            XCTAssertTrue(error is ConfigurationError, "\(error)", file: file, line: line)
            XCTAssertEqual("\(error)", expected, file: file, line: line)
        }
    }

    func testAFullFileIsReadIntoTheTypedConfiguration() throws {
        let configuration = try parse("""
            url: https://loyalty.example.com/api/validate?code=abc
            method: put
            send_claims_in: form
            claims: { locale: en-US, tiers: [gold, silver] }
            headers: { X-Caller: b2c }
            allow_insecure_auth: false
            authentication:
              type: bearer
              client_credentials:
                issuer: https://login.example.com/tenant/v2.0
                client_id: b2c-connector
                scope: api://loyalty/.default
                client_certificate: { pfx: certs/connector.pfx, password: { env: PFX_PASSWORD } }
                assertion_algorithm: rs256
                send_x5c: true
            tls:
              ca: [ca.pem, /etc/ssl/extra.pem]
            timeouts: { connect: 2s, request: 1m }
            retry: { max_attempts: 5, base_delay: 100ms, max_delay: 2s, max_retry_after: 10s }
            """)
        XCTAssertEqual(configuration.serviceURL.absoluteString, "https://loyalty.example.com/api/validate?code=abc")
        XCTAssertEqual(configuration.method, .PUT)
        XCTAssertEqual(configuration.claimsPlacement, .form)
        XCTAssertEqual(configuration.defaultClaims, ["locale": "en-US", "tiers": ["gold", "silver"]])
        XCTAssertEqual(configuration.headers.map(\.name), ["X-Caller"])
        XCTAssertEqual(configuration.tls.trustedCAFiles, ["/etc/trustgate/ca.pem", "/etc/ssl/extra.pem"])
        XCTAssertEqual(configuration.timeouts, ConnectorTimeouts(connect: 2, request: 60))
        XCTAssertEqual(configuration.retry, RetryPolicy(maximumAttempts: 5, baseDelay: 0.1, maximumDelay: 2, maximumRetryAfter: 10))
        guard case .bearer(.clientCredentials(let settings)) = configuration.authentication else { return XCTFail("\(configuration.authentication)") }
        XCTAssertEqual(settings.endpoint, .issuer(URL(string: "https://login.example.com/tenant/v2.0")!))
        XCTAssertEqual(settings.clientID, "b2c-connector")
        XCTAssertEqual(settings.scope, "api://loyalty/.default")
        guard case .certificateAssertion(let assertion) = settings.clientAuthentication,
            case .pfxFile(let path, let password) = assertion.certificate
        else { return XCTFail("\(settings.clientAuthentication)") }
        XCTAssertEqual(path, "/etc/trustgate/certs/connector.pfx")
        XCTAssertEqual(password, .environment("PFX_PASSWORD"))
        XCTAssertEqual(assertion.algorithm, .rs256)
        XCTAssertTrue(assertion.includeCertificateChain)
        XCTAssertEqual(configuration.namedKeyNames, [])
    }

    func testEveryAuthenticationTypeAndItsKeyReferences() throws {
        let basic = try parse("""
            url: https://api.example.com/
            authentication: { type: basic, username: rest-user, password: { key: rest-password } }
            """)
        guard case .basic(let username, let password) = basic.authentication else { return XCTFail() }
        XCTAssertEqual(username, .namedKey("rest-user"))
        XCTAssertEqual(password, .namedKey("rest-password"))
        XCTAssertEqual(basic.method, .POST, "POST by default: claims exchanges send claims")
        XCTAssertEqual(basic.claimsPlacement, .body)
        XCTAssertEqual(basic.namedKeyNames, ["rest-user", "rest-password"])

        let apiKey = try parse("url: https://api.example.com/\nauthentication: { type: api_key, key: { file: keys/functions.key } }")
        guard case .apiKey(let header, let key) = apiKey.authentication else { return XCTFail() }
        XCTAssertEqual(header, "x-functions-key")
        XCTAssertEqual(key, .file("/etc/trustgate/keys/functions.key"))

        let certificate = try parse("url: https://api.example.com/\nauthentication: { type: client_certificate, certificate: rest-client-cert }")
        guard case .clientCertificate(.namedKey("rest-client-cert")) = certificate.authentication else { return XCTFail() }
        XCTAssertEqual(certificate.namedKeyNames, ["rest-client-cert"])

        let bearer = try parse("url: https://api.example.com/\nauthentication: { type: bearer, token: { env: API_TOKEN } }")
        guard case .bearer(.fixed(.environment("API_TOKEN"))) = bearer.authentication else { return XCTFail() }

        let secret = try parse("""
            url: https://api.example.com/
            authentication:
              type: bearer
              client_credentials: { token_url: https://login.example.com/token, client_id: c, client_secret: s, client_secret_method: post }
            """)
        guard case .bearer(.clientCredentials(let settings)) = secret.authentication, case .secretPost(.namedKey("s")) = settings.clientAuthentication else {
            return XCTFail()
        }
        XCTAssertEqual(settings.endpoint, .tokenURL(URL(string: "https://login.example.com/token")!))

        XCTAssertNoThrow(try parse("url: https://api.example.com/\nauthentication: none"))
    }

    func testErrorsNameFileLineAndKey() {
        assertError("url: https://api.example.com/\nretries: 3", "/etc/trustgate/loyalty.yaml:2: retries: unknown key (expected one of: allow_insecure_auth, authentication, claims, headers, max_response_bytes, method, retry, send_claims_in, timeouts, tls, url)")
        assertError("method: GET", "/etc/trustgate/loyalty.yaml:1: url: is required")
        assertError("url: ftp://api.example.com/", "/etc/trustgate/loyalty.yaml:1: url: expected an http or https URL with a host")
        assertError(
            "url: https://api.example.com/\nauthentication:\n  type: basic\n  username: u\n  pasword: p",
            "/etc/trustgate/loyalty.yaml:5: authentication.pasword: unknown key (expected one of: password, type, username)")
        assertError(
            "url: https://api.example.com/\nauthentication: { type: kerberos }",
            "/etc/trustgate/loyalty.yaml:2: authentication.type: expected one of: api_key, basic, bearer, client_certificate, none")
        assertError(
            "url: https://api.example.com/\nsend_claims_in: cookie",
            "/etc/trustgate/loyalty.yaml:2: send_claims_in: expected one of: body, form, query, header")
        assertError(
            "url: https://api.example.com/\nauthentication: { type: bearer, token: t, client_credentials: { token_url: https://x/t, client_id: c, client_secret: s } }",
            "/etc/trustgate/loyalty.yaml:2: authentication: bearer needs exactly one of token (a fixed token) and client_credentials")
        assertError(
            "url: https://api.example.com/\nauthentication: { type: api_key, key: { env: A, file: b } }",
            "/etc/trustgate/loyalty.yaml:2: authentication.key: give exactly one of key (a named key), env (an environment variable) and file")
    }

    func testInsecureAuthenticationIsRefusedAtTheAuthenticationLine() {
        assertError(
            """
            url: http://loyalty.internal/api
            authentication:
              type: basic
              username: rest-user
              password: rest-password
            """,
            "/etc/trustgate/loyalty.yaml:3: authentication: basic authentication would send its credential (named key 'rest-user', named key 'rest-password') in clear text to http://loyalty.internal/api: use https, or set allow_insecure_auth: true")
        assertError(
            """
            url: https://loyalty.example.com/api
            authentication:
              type: bearer
              client_credentials: { token_url: http://login.internal/token, client_id: c, client_secret: loyalty-secret }
            """,
            "/etc/trustgate/loyalty.yaml:3: authentication: bearer (client credentials) authentication would send its credential (named key 'loyalty-secret') in clear text to http://login.internal/token: use https, or set allow_insecure_auth: true")
        XCTAssertNoThrow(try parse("""
            url: http://loyalty.internal/api
            allow_insecure_auth: true
            authentication: { type: api_key, key: functions-key }
            """))
        XCTAssertNoThrow(try parse("url: http://loyalty.internal/api\nauthentication: { type: client_certificate, certificate: c }"),
                         "a client certificate is not sent in the request")
    }
}
