import Crypto
import Foundation
import SwiftASN1
import TrustGateConfiguration
import TrustGateJOSE
import TrustGateX509
import XCTest
@testable import TrustGateAuth

final class AuthenticationConfigurationTests: XCTestCase {
    private var directory: URL!
    private var pbkdf2 = ""
    private var sha = ""

    override func setUpWithError() throws {
        directory = try AuthTest.temporaryDirectory()
        pbkdf2 = try SecretHash.create(for: Array("pw".utf8), algorithm: .pbkdf2SHA256(iterations: 100_000)).encoded
        sha = try SecretHash.create(for: Array("the-key".utf8), algorithm: .sha256).encoded
        try Self.jwks().write(to: directory.appendingPathComponent("jwks.json"), atomically: true, encoding: .utf8)
    }

    override func tearDown() {
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    /// A JWKS with one P-256 key.
    static func jwks() -> String {
        let point = Array(P256.Signing.PrivateKey().publicKey.x963Representation.dropFirst())
        func b64url(_ bytes: ArraySlice<UInt8>) -> String {
            Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        }
        return #"{"keys":[{"kty":"EC","crv":"P-256","kid":"k1","use":"sig","alg":"ES256","x":"\#(b64url(point[0..<32]))","y":"\#(b64url(point[32..<64]))"}]}"#
    }

    /// `text` as the file gateway.yaml in the temporary directory, parsed.
    private func document(_ text: String) throws -> ConfigurationMapping {
        let path = directory.appendingPathComponent("gateway.yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return try ConfigurationNode.load(contentsOfFile: path).mapping(allowedKeys: ["auth_schemes", "auth"])
    }

    private func schemes(_ text: String, policy: CertificatePolicy? = nil) throws -> AuthenticationSchemes {
        try AuthenticationSchemesConfiguration.parse(document(text)["auth_schemes"], certificatePolicy: policy)
    }

    private func configurationError(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> ConfigurationError? {
        do {
            try body()
            XCTFail("no error", file: file, line: line)
            return nil
        } catch let error as ConfigurationError {
            return error
        } catch {
            XCTFail("not a ConfigurationError: \(error)", file: file, line: line)
            return nil
        }
    }

    private var fullExample: String {
        """
        auth_schemes:
          staff:   { type: basic, realm: "Loyalty API", users: { connector: "\(pbkdf2)" } }
          functions: { type: api_key, header: X-Functions-Key, keys: { b2c: "\(sha)" } }
          static:  { type: bearer_token, realm: loyalty, tokens: { b2c: "\(sha)" } }
          entra:
            type: jwt
            issuer: https://login.example.com/tenant/v2.0
            audience: api://loyalty
            jwks_file: jwks.json
            algorithms: [RS256, es256]
            token_types: [JWT]
            clock_skew: 30s
            jwks_refresh: 1h
            jwks_min_refetch: 30s
            require_certificate_binding: false
            realm: loyalty
        """
    }

    // MARK: Schemes

    func testTheDocumentedSchemaParses() throws {
        let parsed = try schemes(fullExample)
        XCTAssertEqual(parsed.names, ["certificate", "staff", "functions", "static", "entra"])

        let staff = try XCTUnwrap(parsed["staff"] as? BasicAuthenticator)
        XCTAssertEqual(staff.realm, "Loyalty API")
        XCTAssertEqual((parsed["functions"] as? APIKeyAuthenticator)?.header, "x-functions-key")
        XCTAssertEqual((parsed["static"] as? StaticBearerAuthenticator)?.realm, "loyalty")
        XCTAssertEqual(parsed["certificate"]?.method, .clientCertificate)

        let entra = try XCTUnwrap(parsed["entra"] as? JWTBearerAuthenticator)
        XCTAssertEqual(entra.realm, "loyalty")
        let settings = entra.settings
        XCTAssertEqual(settings.issuer, "https://login.example.com/tenant/v2.0")
        XCTAssertEqual(settings.audiences, ["api://loyalty"])
        XCTAssertEqual(settings.algorithms, [.rs256, .es256])
        XCTAssertEqual(settings.tokenTypes, ["jwt"])
        XCTAssertEqual(settings.clockSkew, 30)
        XCTAssertEqual(settings.refreshInterval, 3600)
        XCTAssertEqual(settings.minimumRefetchInterval, 30)
        XCTAssertFalse(settings.requireCertificateBinding)
        guard case .file(let path) = settings.keySource else { return XCTFail("\(settings.keySource)") }
        XCTAssertEqual(path, directory.appendingPathComponent("jwks.json").standardizedFileURL.path, "relative to the configuration file")
    }

    func testDefaultsRealmsAndJWTSettings() throws {
        let parsed = try schemes("""
            auth_schemes:
              staff: { type: basic, users: { connector: "\(pbkdf2)" } }
              functions: { type: api_key, keys: { b2c: "\(sha)" } }
              entra: { type: jwt, issuer: "https://issuer", audience: [a, b], jwks: '\(Self.jwks())' }
            """)
        XCTAssertEqual((parsed["staff"] as? BasicAuthenticator)?.realm, "staff")
        XCTAssertEqual((parsed["functions"] as? APIKeyAuthenticator)?.header, "x-functions-key")
        let entra = try XCTUnwrap(parsed["entra"] as? JWTBearerAuthenticator)
        XCTAssertEqual(entra.realm, "entra")
        XCTAssertEqual(entra.settings.audiences, ["a", "b"])
        XCTAssertEqual(entra.settings.algorithms, [.rs256, .ps256, .es256])
        XCTAssertEqual(entra.settings.tokenTypes, ["at+jwt", "application/at+jwt"])
        guard case .inline = entra.settings.keySource else { return XCTFail() }
    }

    func testJWKSURLAndCustomCA() throws {
        let pki = try AuthTestPKI()
        try pki.root.serializeAsPEM().pemString.write(to: directory.appendingPathComponent("idp-ca.pem"), atomically: true, encoding: .utf8)
        let parsed = try schemes("""
            auth_schemes:
              entra: { type: jwt, issuer: "https://issuer", audience: a, jwks_url: "https://idp.example/keys", jwks_ca: idp-ca.pem }
              local: { type: jwt, issuer: "http://127.0.0.1:9/", audience: a, jwks_url: "http://127.0.0.1:9/keys" }
            """)
        guard case .url(let url, let roots)? = (parsed["entra"] as? JWTBearerAuthenticator)?.settings.keySource else { return XCTFail() }
        XCTAssertEqual(url.absoluteString, "https://idp.example/keys")
        XCTAssertEqual(roots, [pki.root])
        XCTAssertNotNil(parsed["local"])
    }

    func testSchemeErrorsNameFileLineAndKey() throws {
        let cases: [(yaml: String, line: Int, keyPath: String, problem: String)] = [
            ("  staff: { type: basic, users: { a: \"\(pbkdf2)\" }, header: x }", 2, "auth_schemes.staff.header", "unknown key"),
            ("  staff: { type: ldap }", 2, "auth_schemes.staff.type", "expected one of"),
            ("  staff: { type: basic }", 2, "auth_schemes.staff.users", "is required"),
            ("  staff: { type: basic, users: {} }", 2, "auth_schemes.staff.users", "at least one user"),
            ("  staff:\n    type: basic\n    users:\n      a: \"$pbkdf2-sha256$i=1000$MDEyMzQ1Njc4OWFiY2RlZg$WYEVV1ul0qBt7iGnOFpq5RmH0aOFvmOKTlUAgn9mWYM\"", 5, "auth_schemes.staff.users.a", "at least 100000"),
            ("  staff: { type: basic, users: { a: \"\(sha)\" } }", 2, "auth_schemes.staff.users.a", "slow hash"),
            ("  staff: { type: basic, users: { \"a:b\": \"\(pbkdf2)\" } }", 2, "auth_schemes.staff.users.a:b", "':'"),
            ("  staff: { type: basic, users: { a: plaintext } }", 2, "auth_schemes.staff.users.a", "starts with $"),
            ("  certificate: { type: basic, users: { a: \"\(pbkdf2)\" } }", 2, "auth_schemes.certificate", "built in"),
            ("  \"bad name\": { type: api_key, keys: { a: \"\(sha)\" } }", 2, "auth_schemes.bad name", "scheme names"),
            ("  k: { type: api_key, header: \"x key\", keys: { a: \"\(sha)\" } }", 2, "auth_schemes.k.header", "header name"),
            ("  k: { type: api_key, header: Authorization, keys: { a: \"\(sha)\" } }", 2, "auth_schemes.k.header", "bearer_token"),
        ]
        for entry in cases {
            let error = configurationError { _ = try schemes("auth_schemes:\n" + entry.yaml) }
            XCTAssertEqual(error?.file, directory.appendingPathComponent("gateway.yaml").path)
            XCTAssertEqual(error?.line, entry.line, "\(entry.yaml): \(String(describing: error))")
            XCTAssertEqual(error?.keyPath, entry.keyPath, "\(entry.yaml): \(String(describing: error))")
            XCTAssertTrue(error?.problem.contains(entry.problem) ?? false, "\(entry.yaml): \(String(describing: error))")
            XCTAssertFalse(error?.description.contains(pbkdf2) ?? true, "errors do not quote stored hashes")
            XCTAssertFalse(error?.description.contains("MDEyMzQ1Njc4OWFiY2RlZg") ?? true, "errors do not quote stored hashes")
        }
    }

    func testJWTErrors() throws {
        let base = "type: jwt, issuer: \"https://issuer\", audience: a"
        let cases: [(yaml: String, problem: String)] = [
            ("{ \(base) }", "one of jwks_file, jwks_url or jwks"),
            ("{ \(base), jwks_file: jwks.json, jwks_url: \"https://x/k\" }", "only one of"),
            ("{ \(base), jwks_file: missing.json }", "cannot read"),
            ("{ \(base), jwks: '{\"keys\": 1}' }", "not a usable JWKS"),
            ("{ \(base), jwks: '{\"keys\": []}' }", "no usable key"),
            ("{ \(base), jwks_file: jwks.json, jwks_ca: jwks.json }", "only to jwks_url"),
            ("{ \(base), jwks_url: \"http://idp.example/keys\" }", "https"),
            ("{ \(base), jwks_url: \"not a url\" }", "absolute URL"),
            ("{ \(base), jwks_file: jwks.json, algorithms: [none] }", "never accepted"),
            ("{ \(base), jwks_file: jwks.json, algorithms: [HS256] }", "HMAC"),
            ("{ \(base), jwks_file: jwks.json, algorithms: [RS1] }", "unknown algorithm"),
            ("{ \(base), jwks_file: jwks.json, algorithms: [] }", "at least one algorithm"),
            ("{ \(base), jwks_file: jwks.json, clock_skew: 61s }", "between 0 and 60"),
            ("{ \(base), jwks_file: jwks.json, jwks_refresh: 10s }", "at least 60s"),
            ("{ \(base), jwks_file: jwks.json, jwks_min_refetch: 0s }", "at least 1s"),
            ("{ \(base), jwks_file: jwks.json, users: {} }", "unknown key"),
            ("{ type: jwt, audience: a, jwks_file: jwks.json }", "is required"),
            ("{ type: jwt, issuer: x, audience: [], jwks_file: jwks.json }", "at least one audience"),
        ]
        for entry in cases {
            let error = configurationError { _ = try schemes("auth_schemes:\n  entra: \(entry.yaml)") }
            XCTAssertEqual(error?.line, 2, entry.yaml)
            XCTAssertTrue(error?.problem.contains(entry.problem) ?? false, "\(entry.yaml): \(String(describing: error))")
        }
    }

    // MARK: Requirements

    private func requirement(_ text: String, schemes parsed: AuthenticationSchemes) throws -> AuthenticationRequirement {
        let node = try document(fullExample + "\nauth: " + text).required("auth")
        return try AuthenticationRequirementConfiguration.parse(node, schemes: parsed)
    }

    func testRequirementForms() throws {
        let parsed = try schemes(fullExample)
        let single = try requirement("staff", schemes: parsed)
        guard case .scheme(let scheme) = single.node else { return XCTFail() }
        XCTAssertEqual(scheme.name, "staff")

        let either = try requirement("{ any_of: [staff, functions] }", schemes: parsed)
        XCTAssertEqual(either.headerNames, ["authorization", "x-functions-key"])
        XCTAssertEqual(either.explanation, #"HTTP Basic credentials (scheme staff, realm "Loyalty API", 1 user) OR an API key in the x-functions-key header (scheme functions, 1 key)"#)

        let both = try requirement(#"{ all_of: [certificate, { scheme: entra, roles: [service-api], scopes: [x], claims: { azpacr: "2" }, app_only: true }] }"#, schemes: parsed)
        guard case .allOf(let parts) = both.node, case .scheme(let token) = parts[1].node else { return XCTFail() }
        XCTAssertEqual(token.constraints, PrincipalConstraints(roles: ["service-api"], scopes: ["x"], claims: ["azpacr": "2"], appOnly: true))
        XCTAssertEqual(
            both.explanation,
            "a client certificate AND a bearer token from https://login.example.com/tenant/v2.0 (audience api://loyalty) with role service-api and scope x and azpacr = 2 and an app-only token")
        XCTAssertTrue(both.usesClientCertificate)

        let nested = try requirement("{ any_of: [{ all_of: [certificate, static] }, staff] }", schemes: parsed)
        XCTAssertTrue(nested.explanation.hasPrefix("(a client certificate AND a static bearer token"), nested.explanation)
    }

    func testTheCertificateSchemeUsesTheCallersPolicy() async throws {
        let pki = try AuthTestPKI()
        let parsed = try schemes(fullExample, policy: pki.policy)
        let requirement = try requirement("certificate", schemes: parsed)
        let evidence = ClientCertificateEvidence(chain: PresentedCertificateChain([try pki.client("svc")]), source: .tlsConnection)
        let decision = await requirement.decide(AuthTest.request(certificate: evidence), allowInsecure: false)
        XCTAssertEqual(AuthTest.allowed(decision)?.name, "CN=svc,O=Loyalty,C=US")
    }

    func testRequirementErrorsNameTheLine() throws {
        let parsed = try schemes(fullExample)
        let firstLine = fullExample.split(separator: "\n", omittingEmptySubsequences: false).count + 1
        let cases: [(text: String, problem: String)] = [
            ("nobody", "unknown auth scheme 'nobody' (defined: certificate, staff, functions, static, entra)"),
            ("{ any_of: [] }", "at least one requirement"),
            ("{ any_of: [staff], all_of: [staff] }", "only one of"),
            ("{ scheme: staff, roles: [admin] }", "need a jwt scheme"),
            ("{ any_of: [staff], roles: [admin] }", "belongs to a { scheme"),
            ("{ any_of: [staff, nobody] }", "unknown auth scheme 'nobody'"),
            ("{ anyof: [staff] }", "unknown key"),
            ("[staff, functions]", "expected a scheme name"),
            ("{ roles: [x] }", "needs one of any_of, all_of or scheme"),
        ]
        for entry in cases {
            let error = configurationError { _ = try requirement(entry.text, schemes: parsed) }
            XCTAssertEqual(error?.line, firstLine, entry.text)
            XCTAssertTrue(error?.problem.contains(entry.problem) ?? false, "\(entry.text): \(String(describing: error))")
        }
        let multiline = configurationError {
            _ = try requirement("\n  all_of:\n    - certificate\n    - { scheme: static, app_only: true }", schemes: parsed)
        }
        XCTAssertEqual(multiline?.line, firstLine + 3)
        XCTAssertEqual(multiline?.keyPath, "auth.all_of[1].scheme")
    }
}
