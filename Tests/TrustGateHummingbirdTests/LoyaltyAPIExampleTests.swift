import Foundation
import TrustGateAuth
import TrustGateHummingbird
import TrustGateX509
import XCTest

/// Examples/LoyaltyAPI as its README runs it: the built executable with the example's own configuration
/// files (certificates made by the test PKI under the names the files expect), called with curl.
final class LoyaltyAPIExampleTests: XCTestCase {
    private var pki: HummingbirdTestPKI!
    private var directory: String!

    private static let exampleDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Examples/LoyaltyAPI").path

    override func setUpWithError() throws {
        pki = try HummingbirdTestPKI()
        // The example's files, next to certs/ holding what its README makes with `trustgate pki`.
        directory = pki.directory + "/example"
        try FileManager.default.createDirectory(atPath: directory + "/certs", withIntermediateDirectories: true)
        for file in ["policy.yaml", "loyalty-certificate.yaml", "loyalty-secrets.yaml", "loyalty-behind-gateway.yaml"] {
            try FileManager.default.copyItem(atPath: Self.exampleDirectory + "/" + file, toPath: directory + "/" + file)
        }
        try FileManager.default.copyItem(atPath: pki.server.chainFile, toPath: directory + "/certs/server-chain.pem")
        try FileManager.default.copyItem(atPath: pki.server.keyFile, toPath: directory + "/certs/server.key")
        try FileManager.default.copyItem(atPath: pki.caFile, toPath: directory + "/certs/client-ca.pem")
    }

    override func tearDown() {
        pki?.remove()
    }

    /// The example file with its fixed port replaced by 0 (an ephemeral port).
    private func configuration(_ name: String) throws -> String {
        let path = directory + "/" + name
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text = text.replacingOccurrences(of: #"listen: 127\.0\.0\.1:\d+"#, with: "listen: 127.0.0.1:0", options: .regularExpression)
        let adjusted = directory + "/ephemeral-" + name
        try text.write(toFile: adjusted, atomically: true, encoding: .utf8)
        return adjusted
    }

    /// Runs the example with `name` for the duration of `body`, stopping it (SIGTERM) either way.
    private func withExample(_ name: String, _ body: (ExampleProcess) async throws -> Void) async throws {
        _ = try CurlClient.requireCurl()
        guard let executable = ExampleProcess.executable(named: "LoyaltyAPI") else {
            throw XCTSkip("the LoyaltyAPI executable is not built (swift build --build-tests builds it)")
        }
        let server = try await ExampleProcess(executable: executable, arguments: ["--config", try configuration(name)])
        do {
            try await body(server)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    private let emily = #"{"email":"emily@example.com","givenName":"Emily","surname":"Smith","displayName":"Emily Smith","step":"PostAttributeCollection","ui_locales":"en-US"}"#

    // MARK: - Configuration files

    func testExampleConfigurationsLoad() throws {
        let certificate = try TrustGateServiceConfiguration.load(contentsOfFile: directory + "/loyalty-certificate.yaml")
        XCTAssertEqual(certificate.listen, ListenAddress(host: "127.0.0.1", port: 8443))
        XCTAssertEqual(certificate.tls?.clientCertificateMode, .optional)
        XCTAssertEqual(certificate.tls?.http2, true)
        XCTAssertEqual(certificate.requirement?.explanation, "a client certificate")
        XCTAssertEqual(certificate.warnings, [])

        let secrets = try TrustGateServiceConfiguration.load(contentsOfFile: directory + "/loyalty-secrets.yaml")
        XCTAssertEqual(secrets.tls?.clientCertificateMode, .ignore)
        XCTAssertEqual(secrets.requirement?.schemes.map(\.name), ["b2c-basic", "functions", "static-bearer"])
        XCTAssertFalse(secrets.allowInsecureAuthentication)
        XCTAssertEqual(secrets.warnings, [])

        let behindGateway = try TrustGateServiceConfiguration.load(contentsOfFile: directory + "/loyalty-behind-gateway.yaml")
        XCTAssertNil(behindGateway.tls)
        XCTAssertNil(behindGateway.requirement)
        XCTAssertEqual(behindGateway.listen, ListenAddress(host: "127.0.0.1", port: 5000))
        XCTAssertEqual(behindGateway.warnings, [], "loopback only: nothing to warn about")
    }

    // MARK: - Running

    func testCertificateConfigurationAnswersTheConnectorOverHTTP1AndHTTP2() async throws {
        try await withExample("loyalty-certificate.yaml") { server in
            let url = server.url + "/api/loyalty"
            XCTAssertTrue(url.hasPrefix("https://127.0.0.1:"))

            for (version, expected) in [(CurlClient.Version.http1, "1.1"), (.http2, "2")] {
                let connector = CurlClient(caFile: pki.caFile, certificateFile: pki.connector.chainFile, keyFile: pki.connector.keyFile, version: version)
                let json = ["Content-Type: application/json"]

                let accepted = try await connector.request(url, method: "POST", headers: json, body: emily)
                XCTAssertEqual(accepted.status, 200, accepted.bodyText)
                XCTAssertEqual(accepted.httpVersion, expected)
                let continuation = try accepted.json()
                XCTAssertEqual(continuation["version"] as? String, "1.0.0")
                XCTAssertEqual(continuation["action"] as? String, "Continue")
                let number = try XCTUnwrap(continuation["extension_loyaltyNumber"] as? String)
                XCTAssertEqual(number.count, 8)
                XCTAssertTrue(number.allSatisfy(\.isNumber))
                XCTAssertEqual(Set(continuation.keys), ["version", "action", "extension_loyaltyNumber"])

                // The same address (in other case and spacing) always gets the same number; another gets another.
                let again = try await connector.request(url, method: "POST", headers: json, body: #"{"email":"  Emily@Example.com ","givenName":"Emily"}"#)
                XCTAssertEqual(try again.json()["extension_loyaltyNumber"] as? String, number)
                let other = try await connector.request(url, method: "POST", headers: json, body: #"{"email":"noah@example.com","givenName":"Noah"}"#)
                XCTAssertNotEqual(try other.json()["extension_loyaltyNumber"] as? String, number)

                let test = try await connector.request(url, method: "POST", headers: json, body: #"{"email":"t@example.com","givenName":"Test","surname":"User"}"#)
                XCTAssertEqual(test.status, 400)
                let validation = try test.json()
                XCTAssertEqual(validation["version"] as? String, "1.0.0")
                XCTAssertEqual(validation["status"] as? Int, 400)
                XCTAssertEqual(validation["action"] as? String, "ValidationError")
                XCTAssertEqual(validation["userMessage"] as? String, "The name is not valid, please provide a valid name")
                XCTAssertEqual(Set(validation.keys), ["version", "status", "action", "userMessage"])

                let malformed = try await connector.request(url, method: "POST", headers: json, body: #"{"email": "#)
                XCTAssertEqual(malformed.status, 400)
                XCTAssertEqual(try malformed.json()["action"] as? String, "ValidationError")
                XCTAssertEqual(try malformed.json()["status"] as? Int, 400)

                let anonymous = CurlClient(caFile: pki.caFile, version: version)
                let refused = try await anonymous.request(url, method: "POST", headers: json, body: emily)
                XCTAssertEqual(refused.status, 403)
                XCTAssertEqual(refused.values("content-type"), ["application/problem+json"])
                XCTAssertEqual(try refused.json()["reason"] as? String, "no_certificate")
                let health = try await anonymous.request(server.url + "/health")
                XCTAssertEqual(health.status, 200, "the health probe needs no certificate")

                // Issued by the right CA, but not the API connector the policy names.
                let stranger = CurlClient(caFile: pki.caFile, certificateFile: pki.client.chainFile, keyFile: pki.client.keyFile, version: version)
                let mismatch = try await stranger.request(url, method: "POST", headers: json, body: emily)
                XCTAssertEqual(mismatch.status, 403)
                XCTAssertEqual(try mismatch.json()["reason"] as? String, "identity_mismatch")
            }
        }
    }

    func testSecretsConfigurationAcceptsTheDocumentedSecretsOverTLSOnly() async throws {
        try await withExample("loyalty-secrets.yaml") { server in
            let url = server.url + "/api/loyalty"
            let client = CurlClient(caFile: pki.caFile, version: .http2)
            let basic = "Authorization: Basic " + Data("b2c-connector:loyalty-demo-password".utf8).base64EncodedString()
            for header in [basic, "x-functions-key: demo-functions-key-5f1c0e8a9b7d4c23", "Authorization: Bearer demo-static-token-8e2b6d41f09a4c7e"] {
                let accepted = try await client.request(url, method: "POST", headers: [header], body: emily)
                XCTAssertEqual(accepted.status, 200, "\(header.prefix(20))…: \(accepted.bodyText)")
                XCTAssertEqual(try accepted.json()["action"] as? String, "Continue")
            }
            let wrong = "Authorization: Basic " + Data("b2c-connector:not-the-password".utf8).base64EncodedString()
            let refused = try await client.request(url, method: "POST", headers: [wrong], body: emily)
            XCTAssertEqual(refused.status, 401)
            XCTAssertEqual(try refused.json()["reason"] as? String, "invalid_credentials")
            XCTAssertEqual(refused.values("www-authenticate"), [#"Basic realm="Loyalty API", charset="UTF-8""#, #"Bearer realm="loyalty""#])
            XCTAssertFalse(refused.bodyText.contains("not-the-password"))
            XCTAssertFalse(server.errors.contains("not-the-password"), "the log never holds a password")
            XCTAssertFalse(server.errors.contains("loyalty-demo-password"))
        }
    }

    func testBehindGatewayConfigurationServesPlainHTTPOnLoopback() async throws {
        try await withExample("loyalty-behind-gateway.yaml") { server in
            XCTAssertTrue(server.url.hasPrefix("http://127.0.0.1:"))
            let response = try await CurlClient().request(server.url + "/api/loyalty", method: "POST", headers: ["X-TrustGate-Principal: CN=b2c-api-connector"], body: emily)
            XCTAssertEqual(response.status, 200, response.bodyText)
            XCTAssertEqual(try response.json()["action"] as? String, "Continue")
        }
    }
}
